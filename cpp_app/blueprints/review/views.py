"""The methodologist's review: the queue, one diagnostic with the live data, return and accept."""
from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from ...domain.workflow import TransitionRefused
from ...kernel.actor import request_actor
from ...kernel.forms import show_field_errors
from ...kernel.transaction import discard_changes
from ...models import Diagnostic, Role
from ...security import rerender_on_csrf_failure, role_required
from ...service_errors import FieldErrors
from ...urls import public_url_for
from . import bp, notices  # noqa: F401  (notices registers the school's banner)
from .forms import QueueFilterForm, ReviewForm, review_form
from .services import (
    accept_diagnostic,
    indicator_codes,
    municipalities,
    notify_school,
    return_diagnostic,
    review_page,
    review_queue,
    reviewable,
    reviewer_comments,
)

REVIEWERS = (Role.METHODOLOGIST, Role.ADMIN)


def _diagnostic_or_404(diagnostic_id: int) -> Diagnostic:
    return reviewable(diagnostic_id) or abort(404)


def _form(diagnostic: Diagnostic) -> ReviewForm:
    return review_form(indicator_codes(diagnostic), reviewer_comments(diagnostic))


def _render(diagnostic: Diagnostic, form: ReviewForm, status: int = 200):
    return render_template("review/diagnostic.html", page=review_page(diagnostic), form=form), status


@bp.get("/")
@role_required(*REVIEWERS)
def queue():
    filters = QueueFilterForm(request.args, municipalities())
    filters.validate()
    result = review_queue(filters.filters, request.args.get("page", 1, type=int))
    return render_template("review/queue.html", filters=filters, result=result)


@bp.get("/<int:diagnostic_id>")
@role_required(*REVIEWERS)
def diagnostic(diagnostic_id: int):
    diagnostic = _diagnostic_or_404(diagnostic_id)
    return _render(diagnostic, _form(diagnostic))


def _decide(diagnostic_id: int, decision, done: str):
    """Validates the form, applies the decision, commits, then tells the school by email."""
    diagnostic = _diagnostic_or_404(diagnostic_id)
    form = _form(diagnostic)
    if not form.validate_on_submit():
        return _render(diagnostic, form, 400)
    try:
        decision(diagnostic, request_actor(), current_user.role.value, form.note.data, form.comments_by_code())
    except TransitionRefused as refusal:
        discard_changes()
        flash(str(refusal), "error")
        return redirect(url_for("review.diagnostic", diagnostic_id=diagnostic_id))
    except FieldErrors as error:
        show_field_errors(form, error.errors)
        return _render(_diagnostic_or_404(diagnostic_id), form, 400)
    flash(done, "success")
    _notify(diagnostic, form.note.data)
    return redirect(url_for("review.diagnostic", diagnostic_id=diagnostic_id))


def _notify(diagnostic: Diagnostic, note: str | None) -> None:
    # The mail goes after the decision commits; a mail server that is down is logged and the school still sees
    # the outcome on its next visit.
    if not notify_school(diagnostic, note, public_url_for("diagnostics.result", diagnostic_id=diagnostic.id)):
        flash("У организации нет администратора в ЦПП: письмо не отправлено.", "warning")


@bp.post("/<int:diagnostic_id>/return")
@role_required(*REVIEWERS)
@rerender_on_csrf_failure
def return_for_rework(diagnostic_id: int):
    return _decide(diagnostic_id, return_diagnostic, "Самодиагностика возвращена школе на доработку.")


@bp.post("/<int:diagnostic_id>/accept")
@role_required(*REVIEWERS)
@rerender_on_csrf_failure
def accept(diagnostic_id: int):
    return _decide(diagnostic_id, accept_diagnostic, "Самодиагностика принята.")
