"""Review outcomes announced to the school on its next visit: a banner on every page until the result is opened.

An outcome is a return or acceptance event nobody of the organisation has seen yet (`seen_at` NULL) that is
still the diagnostic's current status; a return the school has already answered by resubmitting is not news.
"""
from dataclasses import dataclass

from flask import g, url_for
from flask_login import current_user
from sqlalchemy import select, update

from ...extensions import db
from ...models import Diagnostic, DiagnosticEvent, DiagnosticStatus, Role, utcnow
from . import bp

OUTCOMES = (DiagnosticStatus.RETURNED, DiagnosticStatus.ACCEPTED)
MAX_NOTICES = 20


@dataclass(frozen=True)
class Notice:
    diagnostic_id: int
    text: str
    url: str


def _text(status: DiagnosticStatus, school_year: str) -> str:
    if status == DiagnosticStatus.RETURNED:
        return f"Методист КК ИПК вернул самодиагностику за {school_year} учебный год на доработку."
    return f"Методист КК ИПК принял самодиагностику за {school_year} учебный год."


def unseen_outcomes(organization_id: int) -> list[tuple[int, DiagnosticStatus, str]]:
    """(diagnostic id, outcome, school year), newest first, one per diagnostic: a single query through the
    organisation and event indexes."""
    rows = db.session.execute(
        select(DiagnosticEvent.diagnostic_id, DiagnosticEvent.to_status, Diagnostic.school_year)
        .join(Diagnostic, Diagnostic.id == DiagnosticEvent.diagnostic_id)
        .where(
            Diagnostic.organization_id == organization_id,
            DiagnosticEvent.seen_at.is_(None),
            DiagnosticEvent.to_status.in_(OUTCOMES),
            DiagnosticEvent.to_status == Diagnostic.status,
        )
        .order_by(DiagnosticEvent.id.desc())
        .limit(MAX_NOTICES)
    ).all()
    found, seen = [], set()
    for diagnostic_id, status, school_year in rows:
        if diagnostic_id not in seen:
            seen.add(diagnostic_id)
            found.append((diagnostic_id, status, school_year))
    return found


def mark_seen(diagnostic_id: int) -> int:
    """Marks the diagnostic's review outcomes as seen by its school; the number of events marked."""
    return db.session.execute(
        update(DiagnosticEvent)
        .where(
            DiagnosticEvent.diagnostic_id == diagnostic_id,
            DiagnosticEvent.seen_at.is_(None),
            DiagnosticEvent.to_status.in_(OUTCOMES),
        )
        .values(seen_at=utcnow())
        .execution_options(synchronize_session=False)
    ).rowcount


@bp.app_context_processor
def review_notices():
    """For a school admin only, once per request however many templates it renders."""
    if not current_user.is_authenticated or not current_user.has_role(Role.SCHOOL_ADMIN):
        return {}
    if current_user.organization_id is None:
        return {}
    if "review_notices" not in g:
        g.review_notices = [
            Notice(diagnostic_id, _text(status, year), url_for("diagnostics.result", diagnostic_id=diagnostic_id))
            for diagnostic_id, status, year in unseen_outcomes(current_user.organization_id)
        ]
    return {"review_notices": g.review_notices}
