"""A teacher's route as the school admin sees it when the teacher shares it: read-only, under /school."""
from flask import abort, render_template
from flask_login import current_user

from ...extensions import db
from ...kernel.clock import local_today
from ...models import Role, User
from ...security import role_required
from ..school import bp as school_bp
from . import services, services_route


@school_bp.get("/routes/<int:route_id>")
@role_required(Role.SCHOOL_ADMIN)
def shared_route(route_id: int):
    route = services_route.shared_route(current_user.organization_id, route_id) \
        if current_user.organization_id is not None else None
    if route is None:
        abort(404)
    services_route.close_finished_items(route.user_id)
    instrument = services.instrument_of(route.assessment)
    return render_template(
        "selfassessment/shared_route.html", route=route, teacher=db.session.get(User, route.user_id),
        areas=services_route.area_views(route, instrument), progress=services.progress(route.id),
        today=local_today(),
        status=lambda item, today: services_route.item_status(item, today, services_route.MARKED_BY_TEACHER), kinds=services_route.KIND_LABELS,
    )
