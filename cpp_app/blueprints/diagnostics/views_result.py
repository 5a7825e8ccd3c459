"""The result page of a diagnostic, for its school and for the institute's reviewers."""
from flask import abort, render_template
from flask_login import current_user

from ...models import Role
from ...security import role_required
from ..review.notices import mark_seen
from . import bp
from .result_services import result_page, visible_diagnostic


@bp.get("/<int:diagnostic_id>/result")
@role_required(Role.SCHOOL_ADMIN, Role.METHODOLOGIST, Role.ADMIN)
def result(diagnostic_id: int):
    diagnostic = visible_diagnostic(diagnostic_id, current_user.role, current_user.organization_id) or abort(404)
    # The school has now seen the review outcome: its banner goes away.
    if current_user.has_role(Role.SCHOOL_ADMIN):
        mark_seen(diagnostic.id)
    return render_template("diagnostics/result.html", page=result_page(diagnostic))
