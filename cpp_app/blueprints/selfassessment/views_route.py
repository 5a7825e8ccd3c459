"""The teacher's individual educational route (ИОМ) under /cabinet/routes: building it from a submitted
self-assessment, the route page, editing items, areas and sharing, and the PDF and DOCX."""
from flask import abort, flash, make_response, redirect, render_template, request, url_for
from flask_login import login_required

from ...converters import parse_id
from ...kernel.clock import local_today
from ...kernel.forms import EmptyForm, show_field_errors, validate_all
from ...models import LearningRoute, RouteItemKind
from ...pdf import render_pdf
from ...security import render_rate_limit, rerender_on_csrf_failure
from ...service_errors import FieldErrors
from ..cabinet import bp as cabinet_bp
from ..programs.rendering import DOCX_MIME
from . import services, services_route
from .documents import render_route_docx
from .forms_route import DueForm, ShareForm, areas_form, new_item_form
from .views import _me, _own


def _route(route_id: int) -> LearningRoute:
    route = services_route.own_route(_me(), route_id)
    if route is None:
        abort(404)
    return route


def _editable(route_id: int) -> LearningRoute:
    """Only the current route changes; an older one stays as it was, to be read."""
    route = _route(route_id)
    if services_route.current_route_id(route.user_id) != route.id:
        abort(404)
    return route


def _item(route: LearningRoute, item_id: int):
    item = services_route.route_item(route, item_id)
    if item is None:
        abort(404)
    return item


def _rank(value) -> int | None:
    text = str(value or "")
    return int(text) if text.isascii() and text.isdigit() and len(text) < 3 else None


def _route_url(route: LearningRoute, anchor: str | None = None) -> str:
    return url_for("cabinet.learning_route", route_id=route.id, _anchor=anchor)


@cabinet_bp.post("/self-assessment/<int:assessment_id>/route")
@login_required
def self_assessment_build_route(assessment_id: int):
    assessment = _own(assessment_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    if not assessment.submitted or not services_route.may_build(_me(), assessment):
        abort(404)
    existed = services_route.route_of(assessment) is not None
    route = services_route.build(assessment, local_today())
    if not existed:
        flash("Маршрут построен по вашим областям роста. Проверьте сроки, поставьте цели и уберите лишнее.",
              "success")
    return redirect(_route_url(route))


@cabinet_bp.get("/routes/<int:route_id>")
@login_required
def learning_route(route_id: int):
    route = _route(route_id)
    services_route.close_finished_items(route.user_id)
    instrument = services.instrument_of(route.assessment)
    current_id = services_route.current_route_id(route.user_id)
    return render_template(
        "selfassessment/route.html", route=route, areas=services_route.area_views(route, instrument),
        progress=services.progress(route.id), editable=current_id == route.id, current_id=current_id,
        today=local_today(), status=services_route.item_status, kinds=services_route.KIND_LABELS,
        form=EmptyForm(), share_form=ShareForm(shared=route.shared_with_school),
    )


@cabinet_bp.route("/routes/<int:route_id>/areas", methods=["GET", "POST"])
@login_required
@rerender_on_csrf_failure
def learning_route_areas(route_id: int):
    route = _editable(route_id)
    instrument = services.instrument_of(route.assessment)
    levels = [threshold.title for threshold in instrument.thresholds]
    areas = services_route.area_views(route, instrument)
    form = areas_form(areas, levels)
    if request.method == "POST":
        rows = dict(zip((area.code for area in areas), form.areas.entries))
        values = {code: (_rank(row.target.data), row.goal.data or "") for code, row in rows.items()}
        valid = form.validate_on_submit()
        if not form.csrf_token.errors:
            # The service's own checks too, so every message comes in one round.
            for key, message in services_route.areas_problems(route, values, len(levels) - 1).items():
                code, name = key
                field = rows[code][name] if code in rows else None
                if field is not None and not field.errors:
                    field.errors = [*field.errors, message]
                valid = False
        if valid:
            services_route.set_areas(route, values, len(levels) - 1)
            flash("Цели и целевые уровни сохранены.", "success")
            return redirect(_route_url(route, "areas"))
    status = 400 if form.errors else 200
    return render_template("selfassessment/route_areas.html", route=route, areas=areas, form=form), status


@cabinet_bp.route("/routes/<int:route_id>/items/new", methods=["GET", "POST"])
@login_required
@rerender_on_csrf_failure
def learning_route_item_new(route_id: int):
    route = _editable(route_id)
    instrument = services.instrument_of(route.assessment)
    areas = services_route.area_views(route, instrument)
    form = new_item_form([(area.code, area.title) for area in areas], services_route.open_courses())

    def problems():
        return services_route.new_item_problems(route, form.area_code.data, form.kind.data, form.title.data or "",
                                                parse_id(form.course_id.data or ""), form.due_on.data)

    if request.method == "POST" and validate_all(form, problems):
        try:
            services_route.add_item(route, form.area_code.data, form.kind.data, form.title.data or "",
                                    parse_id(form.course_id.data or ""), form.due_on.data)
        except FieldErrors as error:
            show_field_errors(form, error.errors)
        else:
            flash("Пункт добавлен в маршрут.", "success")
            return redirect(_route_url(route))
    status = 400 if form.errors else 200
    return render_template("selfassessment/route_item_new.html", route=route, form=form,
                           course_kind=RouteItemKind.COURSE.value), status


@cabinet_bp.route("/routes/<int:route_id>/items/<int:item_id>", methods=["GET", "POST"])
@login_required
@rerender_on_csrf_failure
def learning_route_item(route_id: int, item_id: int):
    route = _editable(route_id)
    item = _item(route, item_id)
    form = DueForm(due_on=item.due_on)
    if request.method == "POST" and validate_all(form, lambda: services_route.item_problems(route, form.due_on.data)):
        services_route.set_due(route, item, form.due_on.data)
        flash("Срок изменён.", "success")
        return redirect(_route_url(route, f"item-{item.id}"))
    status = 400 if form.errors else 200
    return render_template("selfassessment/route_item.html", route=route, item=item, form=form,
                           kinds=services_route.KIND_LABELS), status


@cabinet_bp.route("/routes/<int:route_id>/items/<int:item_id>/remove", methods=["GET", "POST"])
@login_required
def learning_route_item_remove(route_id: int, item_id: int):
    route = _editable(route_id)
    item = _item(route, item_id)
    form = EmptyForm()
    if request.method == "POST" and form.validate_on_submit():
        services_route.remove_item(route, item)
        flash(f"Пункт «{item.title}» убран из маршрута.", "success")
        return redirect(_route_url(route))
    return render_template("selfassessment/route_item_remove.html", route=route, item=item, form=form,
                           kinds=services_route.KIND_LABELS)


@cabinet_bp.post("/routes/<int:route_id>/items/<int:item_id>/done")
@login_required
def learning_route_item_done(route_id: int, item_id: int):
    route = _editable(route_id)
    item = _item(route, item_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    services_route.mark(route, item, request.form.get("done") == "1")
    return redirect(_route_url(route, f"item-{item.id}"))


@cabinet_bp.post("/routes/<int:route_id>/share")
@login_required
def learning_route_share(route_id: int):
    route = _editable(route_id)
    form = ShareForm()
    if not form.validate_on_submit():
        abort(400)
    services_route.set_shared(route, form.shared.data)
    flash("Маршрут виден руководителю вашей организации." if form.shared.data
          else "Маршрут больше не виден руководителю организации.", "success")
    return redirect(_route_url(route, "sharing"))


def _download(body: bytes, mimetype: str, route: LearningRoute, extension: str):
    response = make_response(body)
    response.mimetype = mimetype
    response.headers["Content-Disposition"] = f'attachment; filename="iom-{route.id}.{extension}"'
    response.headers["Cache-Control"] = "no-store"
    return response


@cabinet_bp.get("/routes/<int:route_id>/iom.pdf")
@login_required
@render_rate_limit  # a render costs ~0.1 s of CPU
def learning_route_pdf(route_id: int):
    route = _route(route_id)
    doc = services_route.document(route, local_today())
    return _download(render_pdf(render_template("selfassessment/route_pdf.html", doc=doc)), "application/pdf",
                     route, "pdf")


@cabinet_bp.get("/routes/<int:route_id>/iom.docx")
@login_required
@render_rate_limit
def learning_route_docx(route_id: int):
    route = _route(route_id)
    return _download(render_route_docx(services_route.document(route, local_today())), DOCX_MIME, route, "docx")
