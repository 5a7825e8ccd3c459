"""What each staff role has to do, for its start page: counts and nearest dates from SQL aggregates, so the
number of queries stays the same however many teachers, accounts or requests there are."""
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import case, func, select

from ...domain.legal_deadlines import DeadlineState, deadline_state, local_day
from ...domain.monitoring import AreaFigures, Thresholds
from ...domain.workflow import school_year
from ...extensions import db
from ...models import (
    ActionStatus,
    DevelopmentProgram,
    Diagnostic,
    DiagnosticStatus,
    PrivacyRequest,
    ProgramAction,
    ProgramStatus,
    Role,
    User,
    utcnow,
)
from ..admin.workplace_services import unmatched_count
from ..courses.services_admin import external_awaiting_count
from ..methodology.questionnaire import GENERAL, open_questionnaire
from ..monitoring import stats
from ..monitoring.inactive import NO_CONFIRMED, InactiveFilters, inactive_count
from ..school.services import ConfirmationBacklog, confirmation_backlog, register_state

NEXT_ACTIONS = 3
NEAREST_REQUESTS = 3

# ------------------------------------------------------------------------------------------------ school admin


@dataclass(frozen=True)
class SectionLeft:
    code: str
    title: str
    unanswered: int
    total: int


@dataclass(frozen=True)
class DiagnosticTodo:
    school_year: str
    diagnostic_id: int | None = None  # None: not started this school year
    status: DiagnosticStatus | None = None
    submitted_at: datetime | None = None
    general_missing: bool = False  # staff and student counts not given yet
    sections_left: tuple[SectionLeft, ...] = ()
    indicators_total: int = 0

    @property
    def indicators_left(self) -> int:
        return sum(section.unanswered for section in self.sections_left)


@dataclass(frozen=True)
class RoadmapItem:
    text: str
    due_date: date
    status: ActionStatus
    overdue: bool


@dataclass(frozen=True)
class ProgramTodo:
    program_id: int
    status: ProgramStatus
    period_start: int
    period_end: int
    actions_total: int
    actions_done: int
    next_items: tuple[RoadmapItem, ...]


@dataclass(frozen=True)
class SchoolTodo:
    confirmations: ConfirmationBacklog
    register_imported: bool
    register_unmatched: int
    diagnostic: DiagnosticTodo
    program: ProgramTodo | None


def _diagnostic_todo(organization_id: int, today: date) -> DiagnosticTodo:
    year = school_year(today)
    diagnostic = db.session.scalar(
        select(Diagnostic).where(Diagnostic.organization_id == organization_id, Diagnostic.school_year == year)
        .order_by(Diagnostic.id.desc()).limit(1)
    )
    if diagnostic is None:
        return DiagnosticTodo(year)
    questionnaire = open_questionnaire(diagnostic, GENERAL)
    sections = [step for step in questionnaire.steps if step.code != GENERAL]
    return DiagnosticTodo(
        school_year=year,
        diagnostic_id=diagnostic.id,
        status=diagnostic.status,
        submitted_at=diagnostic.submitted_at,
        general_missing=diagnostic.staff_count is None or diagnostic.student_count is None,
        sections_left=tuple(SectionLeft(step.code, step.nav_title, step.total - step.answered, step.total)
                            for step in sections if step.answered < step.total),
        indicators_total=sum(step.total for step in sections),
    )


def _program_todo(organization_id: int, today: date) -> ProgramTodo | None:
    program = db.session.scalar(
        select(DevelopmentProgram).where(DevelopmentProgram.organization_id == organization_id)
        .order_by(DevelopmentProgram.period_start.desc(), DevelopmentProgram.id.desc()).limit(1)
    )
    if program is None:
        return None
    total, done = db.session.execute(
        select(func.count(ProgramAction.id), func.count(case((ProgramAction.status == ActionStatus.DONE, 1))))
        .where(ProgramAction.program_id == program.id)
    ).one()
    upcoming = db.session.execute(
        select(ProgramAction.text, ProgramAction.due_date, ProgramAction.status)
        .where(ProgramAction.program_id == program.id, ProgramAction.status != ActionStatus.DONE,
               ProgramAction.due_date.is_not(None))
        .order_by(ProgramAction.due_date, ProgramAction.sort_order, ProgramAction.id).limit(NEXT_ACTIONS)
    ).all()
    return ProgramTodo(
        program_id=program.id, status=program.status, period_start=program.period_start,
        period_end=program.period_end, actions_total=total, actions_done=done,
        next_items=tuple(RoadmapItem(text, due, status, due < today) for text, due, status in upcoming),
    )


def school_todo(organization_id: int, today: date) -> SchoolTodo:
    register = register_state(organization_id)
    return SchoolTodo(
        confirmations=confirmation_backlog(organization_id),
        register_imported=register.entries > 0,
        register_unmatched=register.unregistered,
        diagnostic=_diagnostic_todo(organization_id, today),
        program=_program_todo(organization_id, today),
    )


# ------------------------------------------------------------------------------------- methodologist and admin


@dataclass(frozen=True)
class InstituteTodo:
    school_year: str
    review_waiting: int
    oldest_waiting_days: int | None  # days since the longest-waiting submission, None when the queue is empty
    region: AreaFigures | None  # None before the monitoring figures' first rebuild
    thresholds: Thresholds
    inactive_organizations: int
    workplaces_to_match: int
    external_courses_to_verify: int


def _review_waiting(today: date) -> tuple[int, int | None]:
    count, oldest = db.session.execute(
        select(func.count(Diagnostic.id), func.min(Diagnostic.submitted_at))
        .where(Diagnostic.status == DiagnosticStatus.SUBMITTED)
    ).one()
    return count, (today - local_day(oldest)).days if oldest is not None else None


def institute_todo(today: date) -> InstituteTodo:
    year = school_year(today)
    waiting, oldest_days = _review_waiting(today)
    return InstituteTodo(
        school_year=year,
        review_waiting=waiting,
        oldest_waiting_days=oldest_days,
        region=stats.region_figures(),
        thresholds=stats.thresholds(),
        inactive_organizations=inactive_count(InactiveFilters(reason=NO_CONFIRMED, school_year=year)),
        workplaces_to_match=unmatched_count(),
        external_courses_to_verify=external_awaiting_count(),
    )


@dataclass(frozen=True)
class RequestDue:
    request_id: int
    kind_label: str
    deadline: DeadlineState


@dataclass(frozen=True)
class OperatorTodo:
    users: int
    users_by_role: dict[Role, int]
    open_requests: int
    overdue_requests: int
    nearest: tuple[RequestDue, ...]  # the open requests with the nearest deadlines, overdue first


def operator_todo(now: datetime | None = None) -> OperatorTodo:
    now = now or utcnow()
    today = local_day(now)
    by_role = {role: count for role, count in db.session.execute(
        select(User.role, func.count(User.id)).where(User.anonymized_at.is_(None)).group_by(User.role)
    )}
    is_open = PrivacyRequest.completed_at.is_(None)
    open_count, overdue = db.session.execute(
        select(func.count(PrivacyRequest.id), func.count(case((PrivacyRequest.due_at < now, 1))))
        .where(is_open)
    ).one()
    nearest = db.session.execute(
        select(PrivacyRequest.id, PrivacyRequest.kind, PrivacyRequest.due_at).where(is_open)
        .order_by(PrivacyRequest.due_at, PrivacyRequest.id).limit(NEAREST_REQUESTS)
    ).all()
    return OperatorTodo(
        users=sum(by_role.values()),
        users_by_role={role: by_role.get(role, 0) for role in Role},
        open_requests=open_count,
        overdue_requests=overdue,
        nearest=tuple(RequestDue(request_id, kind.label, deadline_state(local_day(due_at), today))
                      for request_id, kind, due_at in nearest),
    )

