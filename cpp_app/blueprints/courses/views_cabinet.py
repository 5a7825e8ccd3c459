"""The teacher's courses, under /cabinet: the institute's catalogue, applications, external courses and their
certificates."""
from collections.abc import Callable

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from ... import uploads
from ...kernel.actor import request_actor
from ...kernel.clock import local_today
from ...kernel.forms import EmptyForm
from ...kernel.transaction import discard_changes
from ...models import CourseRecord
from ...security import rerender_on_csrf_failure, upload_rate_limit
from ..cabinet import bp as cabinet_bp
from .forms import ExternalCourseForm, TopicFilterForm, saved
from .lookups import course_or_404
from .services import (
    CourseRefused,
    add_external_course,
    apply_for_course,
    certificate_download_name,
    certificate_record,
    courses_overview,
    delete_external_course,
    own_record,
    send_certificate,
    update_external_course,
    withdraw_application,
)


def _own_or_404(record_id: int, external_only: bool = False) -> CourseRecord:
    record = own_record(current_user.id, record_id, external_only=external_only)
    if record is None:
        abort(404)
    return record


def _render_form(form: ExternalCourseForm, record: CourseRecord | None):
    return render_template(
        "courses/external_form.html", form=form, record=record, today_iso=local_today().isoformat()
    )


def _back(anchor: str):
    return redirect(url_for("cabinet.courses", _anchor=anchor))


def _application_change(change: Callable[[], object], done: str):
    """Applying or withdrawing: a refusal is shown and undone, success says `done`; back to the applications."""
    try:
        change()
    except CourseRefused as refusal:
        discard_changes()
        flash(str(refusal), "error")
    else:
        flash(done, "success")
    return _back("my-applications")


@cabinet_bp.get("/courses")
@login_required
def courses():
    filters = TopicFilterForm(request.args)
    overview = courses_overview(current_user.id, filters.topic.data)
    filters.set_topics(overview.topics)
    return render_template("courses/my_courses.html", overview=overview, filters=filters, button=EmptyForm())


@cabinet_bp.post("/courses/catalogue/<int:course_id>/apply")
@login_required
def course_apply(course_id: int):
    course = course_or_404(course_id)
    return _application_change(
        lambda: apply_for_course(current_user.id, course, request_actor()),
        f"Заявка на курс «{course.title}» подана. О зачислении сообщит КК ИПК.",
    )


@cabinet_bp.post("/courses/<int:record_id>/withdraw")
@login_required
def course_withdraw(record_id: int):
    record = _own_or_404(record_id)
    return _application_change(
        lambda: withdraw_application(record, request_actor()), f"Заявка на курс «{record.title}» отозвана."
    )


@cabinet_bp.route("/courses/external/new", methods=["GET", "POST"])
@login_required
@upload_rate_limit
@rerender_on_csrf_failure
def course_external_new():
    form = ExternalCourseForm()
    added, _ = saved(form, lambda: add_external_course(current_user.id, form.external_course(), request_actor()))
    if added:
        flash("Курс добавлен в ваш профиль. Методист КК ИПК проверит сведения об удостоверении.", "success")
        return _back("completed")
    return _render_form(form, None)


@cabinet_bp.route("/courses/<int:record_id>/edit", methods=["GET", "POST"])
@login_required
@upload_rate_limit
@rerender_on_csrf_failure
def course_external_edit(record_id: int):
    record = _own_or_404(record_id, external_only=True)
    form = ExternalCourseForm(obj=record)
    done, update = saved(form, lambda: update_external_course(record, form.external_course(), request_actor()))
    if done:
        message = "Изменения сохранены." if update.changed else "Изменений нет."
        if update.verification_cleared:
            message += " Сведения изменились, поэтому методист КК ИПК проверит их заново."
        flash(message, "success" if update.changed else "info")
        return _back("completed")
    return _render_form(form, record)


@cabinet_bp.route("/courses/<int:record_id>/delete", methods=["GET", "POST"])
@login_required
def course_external_delete(record_id: int):
    record = _own_or_404(record_id, external_only=True)
    form = EmptyForm()
    if form.validate_on_submit():
        title = record.title
        delete_external_course(record, request_actor())
        flash(f"Курс «{title}» удалён из вашего профиля.", "success")
        return _back("completed")
    return render_template("courses/external_delete.html", record=record, form=form)


@cabinet_bp.get("/courses/<int:record_id>/certificate")
@login_required
def course_certificate(record_id: int):
    record = certificate_record(current_user, record_id)
    if record is None:
        abort(404)
    mime = record.certificate_mime if record.certificate_mime in uploads.EXTENSIONS else "application/octet-stream"
    response = send_certificate(record, mimetype=mime, as_attachment=True,
                                download_name=certificate_download_name(record), conditional=False, etag=False)
    if response is None:
        abort(404)
    response.headers["X-Content-Type-Options"] = "nosniff"
    # The uploader chose the bytes: should a browser ever render them here, no script runs with our origin.
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response.headers["Cache-Control"] = "no-store"
    return response
