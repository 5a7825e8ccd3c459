"""The teacher's courses: the institute's catalogue, applications, external courses and their certificates."""
from flask import abort, flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user, login_required

from ... import uploads
from ...kernel.actor import request_actor
from ...kernel.forms import EmptyForm, show_field_errors
from ...kernel.transaction import discard_changes
from ...models import CourseRecord
from ...security import rerender_on_csrf_failure, upload_rate_limit
from ...service_errors import FieldErrors
from . import bp
from .course_forms import ExternalCourseForm, TopicFilterForm
from .course_services import (
    CourseRefused,
    ExternalCourse,
    add_external_course,
    apply_for_course,
    certificate_download_name,
    certificate_path,
    certificate_record,
    courses_overview,
    delete_external_course,
    get_course,
    local_today,
    own_record,
    update_external_course,
    withdraw_application,
)


def _own_or_404(record_id: int, external_only: bool = False) -> CourseRecord:
    record = own_record(current_user.id, record_id, external_only=external_only)
    if record is None:
        abort(404)
    return record


def _external_data(form: ExternalCourseForm) -> ExternalCourse:
    return ExternalCourse(
        title=form.title.data,
        provider=form.provider.data,
        hours=form.hours.data,
        completed_on=form.completed_on.data,
        certificate_number=form.certificate_number.data,
        certificate=form.certificate_bytes(),
        remove_certificate=bool(form.remove_certificate.data),
    )


def _render_form(form: ExternalCourseForm, record: CourseRecord | None):
    return render_template(
        "cabinet/courses_external_form.html", form=form, record=record, today_iso=local_today().isoformat()
    )


def _back(anchor: str):
    return redirect(url_for("cabinet.courses", _anchor=anchor))


@bp.get("/courses")
@login_required
def courses():
    filters = TopicFilterForm(request.args)
    overview = courses_overview(current_user.id, filters.topic.data)
    filters.set_topics(overview.topics)
    return render_template("cabinet/courses.html", overview=overview, filters=filters, button=EmptyForm())


@bp.post("/courses/catalogue/<int:course_id>/apply")
@login_required
def course_apply(course_id: int):
    course = get_course(course_id)
    if course is None:
        abort(404)
    try:
        apply_for_course(current_user.id, course, request_actor())
    except CourseRefused as refusal:
        discard_changes()
        flash(str(refusal), "error")
    else:
        flash(f"Заявка на курс «{course.title}» подана. О зачислении сообщит КК ИПК.", "success")
    return _back("my-applications")


@bp.post("/courses/<int:record_id>/withdraw")
@login_required
def course_withdraw(record_id: int):
    record = _own_or_404(record_id)
    title = record.title
    try:
        withdraw_application(record, request_actor())
    except CourseRefused as refusal:
        discard_changes()
        flash(str(refusal), "error")
    else:
        flash(f"Заявка на курс «{title}» отозвана.", "success")
    return _back("my-applications")


@bp.route("/courses/external/new", methods=["GET", "POST"])
@login_required
@upload_rate_limit
@rerender_on_csrf_failure
def course_external_new():
    form = ExternalCourseForm()
    if form.validate_on_submit():
        try:
            add_external_course(current_user.id, _external_data(form), request_actor())
        except FieldErrors as error:
            show_field_errors(form, error.errors)
        else:
            flash("Курс добавлен в ваш профиль. Методист КК ИПК проверит сведения об удостоверении.", "success")
            return _back("completed")
    return _render_form(form, None)


@bp.route("/courses/<int:record_id>/edit", methods=["GET", "POST"])
@login_required
@upload_rate_limit
@rerender_on_csrf_failure
def course_external_edit(record_id: int):
    record = _own_or_404(record_id, external_only=True)
    form = ExternalCourseForm(obj=record)
    if form.validate_on_submit():
        try:
            update = update_external_course(record, _external_data(form), request_actor())
        except FieldErrors as error:
            show_field_errors(form, error.errors)
        else:
            message = "Изменения сохранены." if update.changed else "Изменений нет."
            if update.verification_cleared:
                message += " Сведения изменились, поэтому методист КК ИПК проверит их заново."
            flash(message, "success" if update.changed else "info")
            return _back("completed")
    return _render_form(form, record)


@bp.route("/courses/<int:record_id>/delete", methods=["GET", "POST"])
@login_required
def course_external_delete(record_id: int):
    record = _own_or_404(record_id, external_only=True)
    form = EmptyForm()
    if form.validate_on_submit():
        title = record.title
        delete_external_course(record, request_actor())
        flash(f"Курс «{title}» удалён из вашего профиля.", "success")
        return _back("completed")
    return render_template("cabinet/courses_delete.html", record=record, form=form)


@bp.get("/courses/<int:record_id>/certificate")
@login_required
def course_certificate(record_id: int):
    record = certificate_record(current_user, record_id)
    path = certificate_path(record) if record is not None else None
    if path is None:
        abort(404)
    mime = record.certificate_mime if record.certificate_mime in uploads.EXTENSIONS else "application/octet-stream"
    response = send_file(
        path, mimetype=mime, as_attachment=True, download_name=certificate_download_name(record),
        conditional=False, etag=False,
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    # The uploader chose the bytes: should a browser ever render them here, no script runs with our origin.
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response.headers["Cache-Control"] = "no-store"
    return response
