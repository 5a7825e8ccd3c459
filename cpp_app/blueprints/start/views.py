"""«Главная» of a signed-in user, and the menu every page shows."""
from flask import redirect, render_template, request, url_for
from flask_login import current_user

from ...kernel.clock import local_today
from ...models import Role
from . import bp
from .navigation import build_menu
from .services import institute_todo, operator_todo, school_todo


@bp.app_context_processor
def navigation():
    role = current_user.role if current_user.is_authenticated else None
    return {"navigation": build_menu(role, request.endpoint)}


def start_page():
    """A teacher's start page is the cabinet; staff see what waits for them (called by main.index)."""
    if current_user.has_role(Role.SCHOOL_ADMIN):
        organization = current_user.organization
        todo = school_todo(organization.id, local_today()) if organization else None
        return render_template("start/school.html", organization=organization, todo=todo)
    if current_user.has_role(Role.METHODOLOGIST, Role.ADMIN):
        operator = operator_todo() if current_user.has_role(Role.ADMIN) else None
        return render_template("start/institute.html", todo=institute_todo(local_today()), operator=operator)
    return redirect(url_for("cabinet.overview"))
