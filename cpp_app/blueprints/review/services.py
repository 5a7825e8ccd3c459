"""The methodologist's review: the queue of submitted diagnostics, the answers next to the live data, the
decisions and the school's notification."""
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from urllib.parse import urlsplit

from sqlalchemy import select
from sqlalchemy.orm import contains_eager, joinedload, selectinload

from ...domain.methodology import Methodology
from ...domain.scoring import Result, Suggestion
from ...extensions import db
from ...kernel.actor import Actor
from ...kernel.clock import KRASNOYARSK_TIME
from ...mail import send_mail
from ...models import (
    Diagnostic,
    DiagnosticAnswer,
    DiagnosticEvent,
    DiagnosticStatus,
    Municipality,
    Organization,
    Role,
    User,
)
from ...queries import Page, paginate
from ..diagnostics.services import accept, answers_by_code, live_data, result_of, return_for_rework
from ..methodology.services_versions import methodology_of

PER_PAGE = 30
REVIEWED_STATUSES = (DiagnosticStatus.SUBMITTED, DiagnosticStatus.RETURNED, DiagnosticStatus.ACCEPTED)

# ------------------------------------------------------------------------------------------------- queue


@dataclass(frozen=True)
class QueueFilters:
    municipality_id: int | None = None
    status: DiagnosticStatus | None = DiagnosticStatus.SUBMITTED  # None: every status but a draft
    submitted_from: date | None = None  # local calendar dates, both inclusive
    submitted_to: date | None = None


@dataclass(frozen=True)
class QueueRow:
    diagnostic: Diagnostic
    level_title: str | None


def _utc_start_of(day: date) -> datetime:
    """The local midnight opening `day` as the naive UTC the database stores."""
    local = datetime.combine(day, time.min, tzinfo=KRASNOYARSK_TIME)
    return local.astimezone(timezone.utc).replace(tzinfo=None)


def municipalities() -> list[Municipality]:
    return list(db.session.scalars(select(Municipality).order_by(Municipality.name)))


def review_queue(filters: QueueFilters, page: int) -> Page[QueueRow]:
    """Diagnostics waiting longest first: by submission time, then by id."""
    statuses = (filters.status,) if filters.status is not None else REVIEWED_STATUSES
    statement = (
        select(Diagnostic)
        .join(Diagnostic.organization)
        .join(Organization.municipality)
        .options(
            contains_eager(Diagnostic.organization).contains_eager(Organization.municipality),
            selectinload(Diagnostic.methodology),
        )
        .where(Diagnostic.status.in_(statuses))
        .order_by(Diagnostic.submitted_at.asc(), Diagnostic.id.asc())
    )
    if filters.municipality_id is not None:
        statement = statement.where(Organization.municipality_id == filters.municipality_id)
    if filters.submitted_from is not None:
        statement = statement.where(Diagnostic.submitted_at >= _utc_start_of(filters.submitted_from))
    if filters.submitted_to is not None:
        statement = statement.where(Diagnostic.submitted_at < _utc_start_of(filters.submitted_to + timedelta(days=1)))
    result = paginate(statement, page, PER_PAGE)
    methodologies: dict[int, Methodology] = {}
    rows = []
    for diagnostic in result.items:
        if diagnostic.methodology_id not in methodologies:
            methodologies[diagnostic.methodology_id] = methodology_of(diagnostic)
        rows.append(QueueRow(diagnostic, _level_title(methodologies[diagnostic.methodology_id], diagnostic.level_code)))
    return Page(items=rows, total=result.total, page=result.page, per_page=result.per_page)


def _level_title(methodology: Methodology, code: str | None) -> str | None:
    if code is None:
        return None
    try:
        return methodology.threshold(code).title
    except KeyError:
        return code


# ------------------------------------------------------------------------------------------ one diagnostic


def reviewable(diagnostic_id: int) -> Diagnostic | None:
    """Any diagnostic but a draft: a school's unfinished work is not the reviewers' to read."""
    return db.session.scalar(
        select(Diagnostic)
        .where(Diagnostic.id == diagnostic_id, Diagnostic.status != DiagnosticStatus.DRAFT)
        .options(
            # Many-to-one in the same statement, each collection in one more.
            joinedload(Diagnostic.organization).joinedload(Organization.municipality),
            joinedload(Diagnostic.methodology),
            selectinload(Diagnostic.answers),
            selectinload(Diagnostic.events).joinedload(DiagnosticEvent.actor),
        )
    )


def link_target(url: str | None) -> str | None:
    """The URL if it may be rendered as a link (http or https with a host), else None: shown as text."""
    if not url:
        return None
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return None
    return url.strip()


@dataclass(frozen=True)
class ReviewRow:
    index: int  # the position of the indicator in the methodology: the comment field's name
    code: str
    label: str
    title: str
    critical: bool
    max_score: int
    answer: DiagnosticAnswer | None
    level_text: str | None
    evidence_link: str | None
    suggestion: Suggestion | None

    @property
    def score(self) -> int | None:
        return self.answer.score if self.answer is not None else None

    @property
    def mismatch(self) -> bool:
        """The school scored itself above what its teachers' confirmed profiles support."""
        return (
            self.score is not None
            and self.suggestion is not None
            and self.suggestion.score is not None
            and self.score > self.suggestion.score
        )


@dataclass(frozen=True)
class ReviewSection:
    title: str
    note: str | None
    rows: tuple[ReviewRow, ...]


@dataclass(frozen=True)
class ReviewPage:
    diagnostic: Diagnostic
    result: Result
    sections: tuple[ReviewSection, ...]
    staff_count: int | None
    staff_count_stated: bool  # True: the school's own figure; False: confirmed staff in ЦПП

    @property
    def rows(self) -> tuple[ReviewRow, ...]:
        return tuple(row for section in self.sections for row in section.rows)

    @property
    def mismatches(self) -> int:
        return sum(row.mismatch for row in self.rows)

    @property
    def can_decide(self) -> bool:
        return self.diagnostic.status == DiagnosticStatus.SUBMITTED


def review_page(diagnostic: Diagnostic) -> ReviewPage:
    methodology = methodology_of(diagnostic)
    live = live_data(diagnostic, methodology)
    suggestions = live.suggestions if live else {}
    staff = live.staff_count if live else diagnostic.staff_count
    stated = live is None or not live.from_profiles
    answers = answers_by_code(diagnostic)
    index = 0
    sections = []
    for section in methodology.sections:
        rows = []
        for indicator in section.indicators:
            answer = answers.get(indicator.code)
            level_text = None
            if answer is not None and answer.score is not None:
                level_text = indicator.level(answer.score).text
            rows.append(
                ReviewRow(index, indicator.code, indicator.label, indicator.title, indicator.critical,
                          indicator.max_score, answer, level_text,
                          link_target(answer.evidence_url if answer is not None else None),
                          suggestions.get(indicator.code))
            )
            index += 1
        sections.append(ReviewSection(section.title, section.note, tuple(rows)))
    return ReviewPage(diagnostic, result_of(diagnostic), tuple(sections), staff, stated)


def indicator_codes(diagnostic: Diagnostic) -> list[str]:
    """Indicator codes in methodology order: comment field `comment_<n>` belongs to the n-th."""
    return [indicator.code for indicator in methodology_of(diagnostic).indicators]


def reviewer_comments(diagnostic: Diagnostic) -> dict[str, str]:
    return {code: answer.reviewer_comment for code, answer in answers_by_code(diagnostic).items()
            if answer.reviewer_comment}


# ------------------------------------------------------------------------------------------------ decisions


def return_diagnostic(diagnostic: Diagnostic, actor: Actor, role: str, note: str, comments: dict[str, str]) -> None:
    """Back to the school with a note (required) and per-indicator comments; the workflow guards it."""
    return_for_rework(diagnostic, actor, role, note, comments)
    db.session.flush()


def accept_diagnostic(diagnostic: Diagnostic, actor: Actor, role: str, note: str, comments: dict[str, str]) -> None:
    """Accepted, keeping the comments typed with the decision: advice for next year is still worth reading."""
    accept(diagnostic, actor, role, note)
    stored = answers_by_code(diagnostic)
    for code, text in comments.items():
        if code in stored:
            stored[code].reviewer_comment = text.strip() or None
    db.session.flush()


# --------------------------------------------------------------------------------------------- notification


def school_admin_emails(organization_id: int) -> list[str]:
    return list(
        db.session.scalars(
            select(User.email)
            .where(User.organization_id == organization_id, User.role == Role.SCHOOL_ADMIN, User.blocked_at.is_(None))
            .order_by(User.id)
        )
    )


def _message(diagnostic: Diagnostic, note: str | None, url: str) -> tuple[str, str]:
    organization = diagnostic.organization.short_name
    year = diagnostic.school_year
    if diagnostic.status == DiagnosticStatus.RETURNED:
        subject = f"Самодиагностика за {year} учебный год возвращена на доработку"
        decision = f"Методист КК ИПК вернул на доработку самодиагностику «{organization}» за {year} учебный год."
    else:
        subject = f"Самодиагностика за {year} учебный год принята"
        decision = f"Методист КК ИПК принял самодиагностику «{organization}» за {year} учебный год."
    lines = ["Здравствуйте!", "", decision]
    if note:
        lines += ["", "Комментарий методиста:", note]
    lines += [
        "",
        f"Результаты и комментарии к показателям: {url}",
        "",
        "Письмо отправлено автоматически сервисом «Цифровой профиль педагога» (ЦПП) КК ИПК, отвечать на него не нужно.",
    ]
    return subject, "\n".join(lines)


def notify_school(diagnostic: Diagnostic, note: str | None, url: str) -> int:
    """Emails the decision to every active admin of the diagnostic's organisation; the number of letters sent.
    Called after the commit: a letter must never announce a decision that was rolled back."""
    subject, body = _message(diagnostic, note, url)
    emails = school_admin_emails(diagnostic.organization_id)
    for email in emails:
        send_mail(email, subject, body)
    return len(emails)
