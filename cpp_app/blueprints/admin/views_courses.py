"""The methodologist's course catalogue: courses, applications, and the check of external courses."""
from flask import abort, flash, redirect, render_template, request, url_for

from ...kernel.actor import request_actor
from ...kernel.forms import EmptyForm, show_field_errors
from ...models import Course, CourseFormat, CourseStatus, Role
from ...security import rerender_on_csrf_failure, role_required
from ...service_errors import FieldErrors
from . import bp
from .course_admin_forms import BulkRecordsForm, CourseForm, VerifyForm
from .course_admin_services import (
    CourseData,
    complete,
    course_records,
    create_course,
    enroll,
    external_awaiting,
    get_course,
    list_courses,
    set_course_open,
    status_counts,
    update_course,
    verify_external,
)

catalogue_staff = role_required(Role.METHODOLOGIST, Role.ADMIN)


def _course_or_404(course_id: int) -> Course:
    course = get_course(course_id)
    if course is None:
        abort(404)
    return course


def _course_data(form: CourseForm) -> CourseData:
    return CourseData(
        title=form.title.data,
        provider=form.provider.data,
        hours=form.hours.data,
        format=CourseFormat(form.format.data),
        starts_on=form.starts_on.data,
        ends_on=form.ends_on.data,
        topic=form.topic.data,
        description=form.description.data or "",
        is_open=bool(form.is_open.data),
    )


def _first_error(form, default: str) -> str:
    return next((messages[0] for messages in form.errors.values() if messages), default)


def _status_arg(value: str | None) -> CourseStatus | None:
    try:
        return CourseStatus(value)
    except ValueError:
        return None


@bp.get("/courses")
@catalogue_staff
def courses():
    return render_template("admin/courses.html", rows=list_courses())


@bp.route("/courses/new", methods=["GET", "POST"])
@catalogue_staff
@rerender_on_csrf_failure
def course_new():
    form = CourseForm()
    if form.validate_on_submit():
        try:
            course = create_course(_course_data(form), request_actor())
        except FieldErrors as error:
            show_field_errors(form, error.errors)
        else:
            flash(f"Курс «{course.title}» добавлен в каталог.", "success")
            return redirect(url_for("admin.course", course_id=course.id))
    return render_template("admin/courses_form.html", form=form, course=None)


@bp.route("/courses/<int:course_id>/edit", methods=["GET", "POST"])
@catalogue_staff
@rerender_on_csrf_failure
def course_edit(course_id: int):
    course = _course_or_404(course_id)
    form = CourseForm(obj=course)
    if form.validate_on_submit():
        try:
            changed = update_course(course, _course_data(form), request_actor())
        except FieldErrors as error:
            show_field_errors(form, error.errors)
        else:
            flash("Изменения сохранены." if changed else "Изменений нет.", "success" if changed else "info")
            return redirect(url_for("admin.course", course_id=course.id))
    return render_template("admin/courses_form.html", form=form, course=course)


def _set_open(course_id: int, is_open: bool):
    course = _course_or_404(course_id)
    set_course_open(course, is_open, request_actor())
    flash(f"Запись на курс «{course.title}» {'открыта' if is_open else 'закрыта'}.", "success")
    return redirect(url_for("admin.course", course_id=course.id))


@bp.post("/courses/<int:course_id>/close")
@catalogue_staff
def course_close(course_id: int):
    return _set_open(course_id, False)


@bp.post("/courses/<int:course_id>/reopen")
@catalogue_staff
def course_reopen(course_id: int):
    return _set_open(course_id, True)


@bp.get("/courses/<int:course_id>")
@catalogue_staff
def course(course_id: int):
    course = _course_or_404(course_id)
    status = _status_arg(request.args.get("status"))
    result = course_records(course, status, request.args.get("page", 1, type=int))
    form = BulkRecordsForm(formdata=None, page=str(result.page), status=status.value if status else "")
    return render_template("admin/courses_detail.html", course=course, status=status, result=result,
                           counts=status_counts(course), form=form, button=EmptyForm())


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


@bp.post("/courses/<int:course_id>/records")
@catalogue_staff
def course_records_update(course_id: int):
    course = _course_or_404(course_id)
    form = BulkRecordsForm()
    if not form.validate_on_submit() or not form.record_ids.data:
        flash(_first_error(form, "Отметьте хотя бы одну заявку."), "error")
        return redirect(url_for("admin.course", course_id=course.id, **form.list_args()))
    move = enroll if form.action.data == "enroll" else complete
    moved = move(course, form.record_ids.data, request_actor())
    done, skipped = BULK_MESSAGES[form.action.data]
    message = done.format(moved=len(moved))
    if len(moved) < len(form.record_ids.data):
        message += " " + skipped.format(skipped=len(form.record_ids.data) - len(moved))
    flash(message, "success" if moved else "warning")
    return redirect(url_for("admin.course", course_id=course.id, **form.list_args()))


@bp.get("/courses/external")
@catalogue_staff
def courses_external():
    result = external_awaiting(request.args.get("page", 1, type=int))
    form = VerifyForm(formdata=None, page=str(result.page))
    return render_template("admin/courses_external.html", result=result, form=form)


@bp.post("/courses/external/verify")
@catalogue_staff
def courses_external_verify():
    form = VerifyForm()
    if form.validate_on_submit() and form.record_ids.data:
        verified = verify_external(form.record_ids.data, request_actor())
        flash(f"Отмечено проверенными: {len(verified)}.", "success" if verified else "warning")
    else:
        flash(_first_error(form, "Отметьте хотя бы одну запись."), "error")
    page = int(form.page.data) if (form.page.data or "").isdigit() else 1
    return redirect(url_for("admin.courses_external", **({"page": page} if page > 1 else {})))
