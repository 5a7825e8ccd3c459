"""The measures library for methodologists: measures by indicator and level, create, edit, (de)activate."""
from flask import abort, flash, redirect, render_template, request, url_for

from ...kernel.actor import request_actor
from ...kernel.forms import EmptyForm, show_field_errors
from ...models import Measure, Role
from ...security import rerender_on_csrf_failure, role_required
from ...service_errors import FieldErrors
from ..methodology.services_versions import DEFAULT_METHODOLOGY
from . import bp
from .measure_forms import MeasureForm
from .measure_services import (
    MeasureData,
    active_codes,
    active_methodology,
    course_choices,
    create_measure,
    get_measure,
    grouped,
    measure_rows,
    set_measure_active,
    update_measure,
)

library_staff = role_required(Role.METHODOLOGIST, Role.ADMIN)


def _methodology_code(codes: list[str]) -> str:
    """The `methodology` argument when it names an active methodology, else the default one."""
    code = request.args.get("methodology", "")
    if code in codes:
        return code
    return DEFAULT_METHODOLOGY if DEFAULT_METHODOLOGY in codes or not codes else codes[0]


def _measure_or_404(measure_id: int) -> Measure:
    measure = get_measure(measure_id)
    if measure is None:
        abort(404)
    return measure


def _data(form: MeasureForm, methodology_code: str) -> MeasureData:
    return MeasureData(
        methodology_code=methodology_code,
        indicator_code=form.indicator_code.data,
        target_score=int(form.target_score.data),
        text=form.text.data,
        responsible_role=form.responsible_role.data,
        duration=form.duration.data,
        expected_result=form.expected_result.data,
        course_id=form.course,
    )


def _list_url(measure: Measure, **args) -> str:
    return url_for(
        "admin.measures", indicator=measure.indicator_code,
        **({"methodology": measure.methodology_code} if measure.methodology_code != DEFAULT_METHODOLOGY else {}),
        _anchor=f"measure-{measure.id}", **args,
    )


@bp.get("/measures")
@library_staff
def measures():
    codes = active_codes()
    code = _methodology_code(codes)
    methodology = active_methodology(code)
    indicator = request.args.get("indicator") or None
    if methodology is None or methodology.indicator(indicator or "") is None:
        indicator = None  # an unknown filter shows everything rather than an empty page
    rows = measure_rows(code, indicator)
    return render_template(
        "admin/measures.html", methodology=methodology, code=code, codes=codes, indicator=indicator,
        groups=grouped(methodology, rows, indicator), active=sum(1 for row in rows if row.measure.is_active),
        inactive=sum(1 for row in rows if not row.measure.is_active), button=EmptyForm(),
        default_code=DEFAULT_METHODOLOGY,
    )


@bp.route("/measures/new", methods=["GET", "POST"])
@library_staff
@rerender_on_csrf_failure
def measure_new():
    code = _methodology_code(active_codes())
    methodology = active_methodology(code)
    # A link from a level of the list comes with the indicator and score chosen.
    prefill = {} if request.method == "POST" else {
        "indicator_code": request.args.get("indicator", ""), "target_score": request.args.get("score", "")
    }
    form = MeasureForm(**prefill).for_methodology(methodology, course_choices())
    if form.validate_on_submit():
        try:
            measure = create_measure(_data(form, code), methodology, request_actor())
        except FieldErrors as error:
            show_field_errors(form, error.errors)
        else:
            flash("Мера добавлена в библиотеку.", "success")
            return redirect(_list_url(measure))
    return render_template("admin/measure_form.html", form=form, measure=None, code=code, methodology=methodology,
                           default_code=DEFAULT_METHODOLOGY)


@bp.route("/measures/<int:measure_id>/edit", methods=["GET", "POST"])
@library_staff
@rerender_on_csrf_failure
def measure_edit(measure_id: int):
    measure = _measure_or_404(measure_id)
    methodology = active_methodology(measure.methodology_code)
    form = MeasureForm(
        indicator_code=measure.indicator_code, target_score=str(measure.target_score), text=measure.text,
        responsible_role=measure.responsible_role, duration=measure.duration,
        expected_result=measure.expected_result, course_id=str(measure.course_id or ""),
    ).for_methodology(methodology, course_choices())
    if form.validate_on_submit():
        try:
            changed = update_measure(measure, _data(form, measure.methodology_code), methodology, request_actor())
        except FieldErrors as error:
            show_field_errors(form, error.errors)
        else:
            flash("Изменения сохранены." if changed else "Изменений нет.", "success" if changed else "info")
            return redirect(_list_url(measure))
    return render_template("admin/measure_form.html", form=form, measure=measure, code=measure.methodology_code,
                           methodology=methodology, default_code=DEFAULT_METHODOLOGY)


@bp.post("/measures/<int:measure_id>/deactivate")
@library_staff
def measure_deactivate(measure_id: int):
    measure = _measure_or_404(measure_id)
    set_measure_active(measure, False, request_actor())
    flash("Мера отключена: директора больше не увидят её в конструкторе, программы, где она выбрана, "
          "сохраняют её.", "success")
    return redirect(_list_url(measure))


@bp.post("/measures/<int:measure_id>/reactivate")
@library_staff
def measure_reactivate(measure_id: int):
    measure = _measure_or_404(measure_id)
    set_measure_active(measure, True, request_actor())
    flash("Мера снова доступна директорам в конструкторе программы.", "success")
    return redirect(_list_url(measure))
