"""The operator's queue, under /admin, of data subjects' requests (152-ФЗ) with their legal deadlines, and
destruction records."""
from flask import abort, flash, redirect, render_template, request, url_for

from ...kernel.actor import request_actor
from ...kernel.forms import show_field_errors
from ...kernel.transaction import discard_changes
from ...models import PrivacyRequest, Role
from ...security import rerender_on_csrf_failure, role_required
from ...service_errors import FieldErrors
from ..admin import bp as admin_bp
from .forms_admin import AnswerForm, QueueFilterForm
from .registry import DESTRUCTION_LABELS
from .services_operator import (
    RequestRefused,
    complete_request,
    destruction_of,
    destruction_records,
    get_destruction_record,
    get_request,
    privacy_queue,
    request_row,
    subject_of,
)


def _page() -> int:
    return request.args.get("page", 1, type=int)


@admin_bp.get("/privacy")
@role_required(Role.ADMIN)
def privacy():
    filters = QueueFilterForm(request.args)
    result = privacy_queue(filters.selected_state, filters.selected_kind, _page())
    return render_template("privacy/operator_queue.html", filters=filters, result=result)


def _request_or_404(request_id: int) -> PrivacyRequest:
    privacy_request = get_request(request_id)
    if privacy_request is None:
        abort(404)
    return privacy_request


def _render_request(privacy_request: PrivacyRequest, form: AnswerForm):
    return render_template("privacy/operator_request.html", row=request_row(privacy_request), form=form,
                           destruction=destruction_of(privacy_request))


@admin_bp.get("/privacy/<int:request_id>")
@role_required(Role.ADMIN)
def privacy_request(request_id: int):
    return _render_request(_request_or_404(request_id), AnswerForm(formdata=None))


@admin_bp.post("/privacy/<int:request_id>/complete")
@role_required(Role.ADMIN)
@rerender_on_csrf_failure
def privacy_complete(request_id: int):
    privacy_request = _request_or_404(request_id)
    form = AnswerForm()
    if form.validate_on_submit():
        try:
            complete_request(privacy_request, form.response.data, request_actor())
        except FieldErrors as error:
            show_field_errors(form, error.errors)
        except RequestRefused as refusal:
            discard_changes()
            flash(str(refusal), "error")
            return redirect(url_for("admin.privacy_request", request_id=request_id))
        else:
            flash(f"Обращение № {request_id} исполнено, ответ отправлен заявителю.", "success")
            return redirect(url_for("admin.privacy_request", request_id=request_id))
    return _render_request(privacy_request, form)


@admin_bp.get("/privacy/destructions")
@role_required(Role.ADMIN)
def privacy_destructions():
    return render_template("privacy/operator_destructions.html", result=destruction_records(_page()))


@admin_bp.get("/privacy/destructions/<int:destruction_id>")
@role_required(Role.ADMIN)
def privacy_destruction(destruction_id: int):
    record = get_destruction_record(destruction_id)
    if record is None:
        abort(404)
    return render_template("privacy/operator_destruction.html", record=record, subject=subject_of(record),
                           labels=DESTRUCTION_LABELS)
