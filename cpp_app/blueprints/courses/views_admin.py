"""The methodologist's course catalogue, under /admin: courses, applications, and the check of external courses."""
from flask import flash, redirect, render_template, request, url_for

from ...kernel.actor import request_actor
from ...kernel.forms import EmptyForm
from ...kernel.plural import plural
from ...models import CourseStatus, Role
from ...security import rerender_on_csrf_failure, role_required
from ..admin import bp as admin_bp
from ..methodology.services_versions import teacher_areas
from .forms import saved
from .forms_admin import BulkRecordsForm, CourseForm, VerifyForm
from .lookups import course_or_404
from .services_admin import (
    complete,
    course_records,
    create_course,
    enroll,
    external_awaiting,
    external_selection,
    list_courses,
    set_course_open,
    status_counts,
    update_course,
    verify_external,
)

catalogue_staff = role_required(Role.METHODOLOGIST, Role.ADMIN)


def _first_error(form, default: str) -> str:
    return next((messages[0] for messages in form.errors.values() if messages), default)


def _status_arg(value: str | None) -> CourseStatus | None:
    try:
        return CourseStatus(value)
    except ValueError:
        return None


def _to_course(course_id: int, **args):
    return redirect(url_for("admin.course", course_id=course_id, **args))


@admin_bp.get("/courses")
@catalogue_staff
def courses():
    return render_template("courses/admin_catalogue.html", rows=list_courses())


@admin_bp.route("/courses/new", methods=["GET", "POST"])
@catalogue_staff
@rerender_on_csrf_failure
def course_new():
    form = CourseForm()
    created, course = saved(form, lambda: create_course(form.course_data(), request_actor()))
    if created:
        flash(f"Курс «{course.title}» добавлен в каталог.", "success")
        return _to_course(course.id)
    return render_template("courses/admin_course_form.html", form=form, course=None)


@admin_bp.route("/courses/<int:course_id>/edit", methods=["GET", "POST"])
@catalogue_staff
@rerender_on_csrf_failure
def course_edit(course_id: int):
    course = course_or_404(course_id)
    form = CourseForm(obj=course)
    done, changed = saved(form, lambda: update_course(course, form.course_data(), request_actor()))
    if done:
        flash("Изменения сохранены." if changed else "Изменений нет.", "success" if changed else "info")
        return _to_course(course.id)
    return render_template("courses/admin_course_form.html", form=form, course=course)


def _set_open(course_id: int, is_open: bool):
    course = course_or_404(course_id)
    set_course_open(course, is_open, request_actor())
    flash(f"Запись на курс «{course.title}» {'открыта' if is_open else 'закрыта'}.", "success")
    return _to_course(course.id)


@admin_bp.post("/courses/<int:course_id>/close")
@catalogue_staff
def course_close(course_id: int):
    return _set_open(course_id, False)


@admin_bp.post("/courses/<int:course_id>/reopen")
@catalogue_staff
def course_reopen(course_id: int):
    return _set_open(course_id, True)


@admin_bp.get("/courses/<int:course_id>")
@catalogue_staff
def course(course_id: int):
    course = course_or_404(course_id)
    status = _status_arg(request.args.get("status"))
    result = course_records(course, status, request.args.get("page", 1, type=int))
    form = BulkRecordsForm(formdata=None, page=str(result.page), status=status.value if status else "")
    return render_template("courses/admin_course.html", course=course, status=status, result=result,
                           counts=status_counts(course), form=form, button=EmptyForm(),
                           area_titles=dict(teacher_areas()))


BULK_MESSAGES = {
    "enroll": (
        "Зачислено на курс: {moved}.",
        "Не изменено: {skipped} — зачислить можно только заявки в статусе «подана заявка».",
    ),
    "complete": (
        "Отмечено завершившими: {moved}.",
        "Не изменено: {skipped} — завершить можно только обучение в статусе «обучается».",
    ),
}


@admin_bp.post("/courses/<int:course_id>/records")
@catalogue_staff
def course_records_update(course_id: int):
    course = course_or_404(course_id)
    form = BulkRecordsForm()
    if not form.validate_on_submit() or not form.record_ids.data:
        flash(_first_error(form, "Отметьте хотя бы одну заявку."), "error")
        return _to_course(course.id, **form.list_args())
    move = enroll if form.action.data == "enroll" else complete
    moved = move(course, form.record_ids.data, request_actor())
    done, skipped = BULK_MESSAGES[form.action.data]
    message = done.format(moved=len(moved))
    if len(moved) < len(form.record_ids.data):
        message += " " + skipped.format(skipped=len(form.record_ids.data) - len(moved))
    flash(message, "success" if moved else "warning")
    return _to_course(course.id, **form.list_args())


@admin_bp.get("/courses/external")
@catalogue_staff
def courses_external():
    result = external_awaiting(request.args.get("page", 1, type=int))
    form = VerifyForm(formdata=None, page=str(result.page))
    list_args = form.list_args()
    return render_template("courses/admin_external.html", result=result, form=form,
                           # «Выбрать все на странице» without JS: the same page with every row ticked.
                           select_all=request.args.get("select") == "all",
                           list_url=url_for("admin.courses_external", **list_args),
                           select_all_url=url_for("admin.courses_external", select="all", **list_args))


@admin_bp.get("/courses/external/check")
@catalogue_staff
def courses_external_check():
    """The ticked records listed before they are marked verified; the list's form sends the ticks here."""
    selection = VerifyForm(request.args, meta={"csrf": False})
    if not selection.validate() or not selection.record_ids.data:
        flash(_first_error(selection, "Отметьте хотя бы одну запись."), "error")
        return redirect(url_for("admin.courses_external", **selection.list_args()))
    records = external_selection(selection.record_ids.data)
    form = VerifyForm(formdata=None, page=selection.page.data)
    return render_template("courses/admin_external_check.html", records=records, form=form,
                           skipped=len(selection.record_ids.data) - len(records),
                           back=url_for("admin.courses_external", **selection.list_args()))


def _records_word(number: int) -> str:
    return plural(number, "запись", "записи", "записей")


@admin_bp.post("/courses/external/verify")
@catalogue_staff
def courses_external_verify():
    form = VerifyForm()
    if form.validate_on_submit() and form.record_ids.data:
        verified = verify_external(form.record_ids.data, request_actor())
        message = f"Отмечено проверенными: {len(verified)} {_records_word(len(verified))}."
        if skipped := len(form.record_ids.data) - len(verified):
            message += f" Пропущено: {skipped} {_records_word(skipped)} — уже проверены или удалены педагогом."
        flash(message, "success" if verified else "warning")
    else:
        flash(_first_error(form, "Отметьте хотя бы одну запись."), "error")
    return redirect(url_for("admin.courses_external", **form.list_args()))
