"""The research view's figures: grouped SQL over the submitted self-assessments, a fixed number of queries whatever
the number of teachers or assessments. Python only turns a few grouped rows per area, item or municipality into
plain figures, hiding every group of fewer than five respondents (domain.research)."""
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from sqlalchemy import and_, case, distinct, func, select

from ...domain.methodology import Methodology
from ...domain.research import MIN_GROUP, Share, share
from ...extensions import db
from ...kernel.clock import KRASNOYARSK_TIME, local_today
from ...models import (
    ORGANIZATION_KIND_LABELS,
    AccountStatus,
    AssessmentCampaign,
    Course,
    CourseRecord,
    CourseStatus,
    LearningRoute,
    LearningRouteItem,
    MethodologyVersion,
    Municipality,
    Organization,
    OrganizationStaffFigures,
    Platform,
    PlatformAccount,
    SelfAssessment,
    SelfAssessmentArea,
    SelfAssessmentScore,
    SelfAssessmentStatus,
)
from ..methodology.services_versions import TEACHER
from ..monitoring.figures import as_of

# «3 — использую регулярно»: from here on an item's statement says the teacher works with the platform.
RATED_FROM = 3


@dataclass(frozen=True)
class Filters:
    """What the methodologist chose; every field may be empty (all campaigns, the whole period, the region)."""

    version: MethodologyVersion | None = None
    campaign: AssessmentCampaign | None = None
    since: date | None = None
    until: date | None = None
    municipality: Municipality | None = None


def _utc_start(day: date) -> datetime:
    """The naive-UTC moment a Krasnoyarsk calendar day starts (submitted_at is stored in UTC)."""
    return datetime.combine(day, time()) - KRASNOYARSK_TIME.utcoffset(None)


def scope(filters: Filters, *, by_version: bool = True):
    """The submitted assessments the filters select (the join with Organization is the caller's, for a
    municipality)."""
    conditions = [SelfAssessment.status == SelfAssessmentStatus.SUBMITTED.value]
    if by_version and filters.version is not None:
        conditions.append(SelfAssessment.methodology_id == filters.version.id)
    if filters.campaign is not None:
        conditions.append(SelfAssessment.campaign_id == filters.campaign.id)
    if filters.since is not None:
        conditions.append(SelfAssessment.submitted_at >= _utc_start(filters.since))
    if filters.until is not None:
        conditions.append(SelfAssessment.submitted_at < _utc_start(filters.until + timedelta(days=1)))
    if filters.municipality is not None:
        conditions.append(Organization.municipality_id == filters.municipality.id)
    return and_(*conditions)


# ----------------------------------------------------------------------------------------------- choices


def teacher_versions() -> list[MethodologyVersion]:
    return list(db.session.scalars(
        select(MethodologyVersion).where(MethodologyVersion.subject == TEACHER)
        .order_by(MethodologyVersion.is_active.desc(), MethodologyVersion.published_at.desc(),
                  MethodologyVersion.id.desc())
    ))


def campaigns() -> list[AssessmentCampaign]:
    return list(db.session.scalars(
        select(AssessmentCampaign).order_by(AssessmentCampaign.starts_on.desc(), AssessmentCampaign.id.desc())))


def municipalities() -> list[Municipality]:
    return list(db.session.scalars(select(Municipality).order_by(Municipality.name)))


# ------------------------------------------------------------------------------------------ response rate


@dataclass(frozen=True)
class ResponseRow:
    key: int | str | None  # a municipality id or an organisation kind; None for the region's total
    name: str
    teachers: int
    respondents: int

    @property
    def rate(self) -> float | None:
        return self.respondents / self.teachers if self.teachers else None


@dataclass(frozen=True)
class ResponseRate:
    by_municipality: list[ResponseRow]
    by_kind: list[ResponseRow]
    total: ResponseRow
    figures_as_of: datetime | None  # None before the monitoring figures' first rebuild (queued by as_of())


def response_rate(filters: Filters) -> ResponseRate:
    """Teachers in ЦПП (the monitoring's count: teachers and school staff with a confirmed address who work at an
    organisation) and those of them who submitted at least one assessment, by the organisation they submitted
    from. Four queries."""
    figures_as_of = as_of()
    cells = defaultdict(lambda: [0, 0])
    for municipality_id, kind, teachers in db.session.execute(
        select(Organization.municipality_id, Organization.kind, func.sum(OrganizationStaffFigures.teachers))
        .join(Organization, Organization.id == OrganizationStaffFigures.organization_id)
        .group_by(Organization.municipality_id, Organization.kind)
    ):
        cells[(municipality_id, str(kind))][0] = int(teachers)
    responded = (
        select(Organization.municipality_id, Organization.kind, func.count(distinct(SelfAssessment.user_id)))
        .join(Organization, Organization.id == SelfAssessment.organization_id)
        .where(scope(filters, by_version=False))
    )
    for municipality_id, kind, respondents in db.session.execute(
        responded.group_by(Organization.municipality_id, Organization.kind)
    ):
        cells[(municipality_id, str(kind))][1] = respondents
    respondents_total = db.session.scalar(
        select(func.count(distinct(SelfAssessment.user_id)))
        .join(Organization, Organization.id == SelfAssessment.organization_id)
        .where(scope(filters, by_version=False))
    ) or 0
    names = dict(db.session.execute(select(Municipality.id, Municipality.name)).all())
    by_municipality, by_kind = defaultdict(lambda: [0, 0]), defaultdict(lambda: [0, 0])
    for (municipality_id, kind), (teachers, respondents) in cells.items():
        for totals, key in ((by_municipality, municipality_id), (by_kind, kind)):
            totals[key][0] += teachers
            totals[key][1] += respondents
    municipality_rows = sorted(
        (ResponseRow(key, names.get(key, "—"), *counts) for key, counts in by_municipality.items()),
        key=lambda row: row.name)
    kind_rows = [ResponseRow(str(kind), label, *by_kind[str(kind)])
                 for kind, label in ORGANIZATION_KIND_LABELS.items() if str(kind) in by_kind]
    teachers_total = sum(row.teachers for row in municipality_rows)
    return ResponseRate(municipality_rows, kind_rows, ResponseRow(None, "Край, всего", teachers_total,
                                                                  respondents_total), figures_as_of)


# ---------------------------------------------------------------------------------------- distributions


@dataclass(frozen=True)
class Distribution:
    """One area's levels or one item's scores: a Share per column, hidden together when the group is small."""

    code: str
    title: str
    respondents: int
    cells: tuple[Share, ...]

    @property
    def suppressed(self) -> bool:
        return self.respondents < MIN_GROUP

    def fraction(self, cell: Share) -> float | None:
        return None if cell.suppressed or not self.respondents else cell.count / self.respondents


def _distributions(rows, groups: list[tuple[str, str]], columns: list[int]) -> list[Distribution]:
    counts: dict[str, dict[int, int]] = defaultdict(dict)
    for code, column, count in rows:
        counts[code][column] = count
    result = []
    for code, title in groups:
        by_column = counts.get(code, {})
        respondents = sum(by_column.values())
        result.append(Distribution(code, title, respondents,
                                   tuple(share(by_column.get(column, 0), respondents) for column in columns)))
    return result


def _joined(statement, assessment_id, filters: Filters):
    statement = statement.join(SelfAssessment, SelfAssessment.id == assessment_id)
    if filters.municipality is not None:
        statement = statement.join(Organization, Organization.id == SelfAssessment.organization_id)
    return statement.where(scope(filters))


def area_levels(filters: Filters, instrument: Methodology) -> list[Distribution]:
    """Per area, how many respondents reached each level (columns: the instrument's levels, lowest first)."""
    statement = _joined(select(SelfAssessmentArea.area_code, SelfAssessmentArea.level_rank, func.count()),
                        SelfAssessmentArea.assessment_id, filters)
    rows = db.session.execute(statement.group_by(SelfAssessmentArea.area_code, SelfAssessmentArea.level_rank))
    return _distributions(rows, [(s.code, s.title) for s in instrument.sections],
                          list(range(len(instrument.thresholds))))


def score_columns(instrument: Methodology) -> list[int]:
    return sorted({score for indicator in instrument.indicators for score in indicator.scores})


def item_scores(filters: Filters, instrument: Methodology) -> list[Distribution]:
    """Per item, how many respondents chose each score."""
    statement = _joined(select(SelfAssessmentScore.item_code, SelfAssessmentScore.score, func.count()),
                        SelfAssessmentScore.assessment_id, filters)
    rows = db.session.execute(statement.group_by(SelfAssessmentScore.item_code, SelfAssessmentScore.score))
    return _distributions(rows, [(i.code, i.label) for i in instrument.indicators], score_columns(instrument))


# --------------------------------------------------------------------------------- self-rating × platforms


@dataclass(frozen=True)
class PlatformRating:
    """An item about a platform: the share rating it RATED_FROM or higher, with and without a confirmed active
    account on the platform."""

    item_code: str
    item_title: str
    platform_name: str
    with_account: Share
    without_account: Share

    @staticmethod
    def fraction(cell: Share) -> float | None:
        return None if cell.suppressed or not cell.respondents else cell.count / cell.respondents


def platform_ratings(filters: Filters, instrument: Methodology) -> list[PlatformRating]:
    """One grouped query over the platform items' scores, each joined with the teacher's confirmed active account
    on that item's platform (confirmed by the school; the account's status now, not at the time of answering)."""
    items = [indicator for indicator in instrument.indicators if indicator.platform]
    platforms = {code: (platform_id, name) for platform_id, code, name in db.session.execute(
        select(Platform.id, Platform.code, Platform.name).where(Platform.code.in_([i.platform for i in items])))}
    items = [indicator for indicator in items if indicator.platform in platforms]
    if not items:
        return []
    platform_of_item = case({i.code: platforms[i.platform][0] for i in items}, value=SelfAssessmentScore.item_code)
    has_account = PlatformAccount.id.is_not(None)
    statement = (
        select(SelfAssessmentScore.item_code, has_account, func.count(),
               func.count(case((SelfAssessmentScore.score >= RATED_FROM, 1))))
        .join(SelfAssessment, SelfAssessment.id == SelfAssessmentScore.assessment_id)
        .outerjoin(PlatformAccount, and_(PlatformAccount.user_id == SelfAssessment.user_id,
                                         PlatformAccount.platform_id == platform_of_item,
                                         PlatformAccount.status == AccountStatus.ACTIVE,
                                         PlatformAccount.confirmed_at.is_not(None)))
    )
    if filters.municipality is not None:
        statement = statement.join(Organization, Organization.id == SelfAssessment.organization_id)
    statement = statement.where(scope(filters), SelfAssessmentScore.item_code.in_([i.code for i in items]))
    counts: dict[tuple[str, bool], tuple[int, int]] = {}
    for code, has, respondents, rated in db.session.execute(
        statement.group_by(SelfAssessmentScore.item_code, has_account)
    ):
        counts[(code, bool(has))] = (respondents, rated)
    result = []
    for indicator in items:
        with_account, without_account = counts.get((indicator.code, True), (0, 0)), \
            counts.get((indicator.code, False), (0, 0))
        result.append(PlatformRating(indicator.code, indicator.label, platforms[indicator.platform][1],
                                     share(with_account[1], with_account[0]),
                                     share(without_account[1], without_account[0])))
    return result


# -------------------------------------------------------------------------------------------- course demand


@dataclass
class Demand:
    """A course in the current routes: routes that include it and what their teachers have done about it."""

    course_id: int
    title: str
    is_open: bool
    municipality: str | None = None
    routes: int = 0
    applied: int = 0
    enrolled: int = 0
    completed: int = 0

    @property
    def not_yet(self) -> int:
        """Teachers whose route has the course and who have not applied: the groups still to plan for."""
        return max(self.routes - self.applied - self.enrolled - self.completed, 0)

    def add(self, routes: int, applied: int, enrolled: int, completed: int) -> None:
        self.routes += routes
        self.applied += applied
        self.enrolled += enrolled
        self.completed += completed


@dataclass(frozen=True)
class CourseDemand:
    by_course: list[Demand]
    by_course_and_municipality: list[Demand] = field(default_factory=list)


def _route_count(status: CourseStatus):
    return func.count(distinct(case((CourseRecord.status == status, LearningRoute.id))))


def course_demand(filters: Filters, today: date | None = None) -> CourseDemand:
    """Every catalogue course with the current routes (not ended yet) that include it, by the municipality the
    route's assessment came from; one grouped query and the catalogue."""
    today = today or local_today()
    statement = (
        select(LearningRouteItem.course_id, Organization.municipality_id, func.count(distinct(LearningRoute.id)),
               _route_count(CourseStatus.APPLIED), _route_count(CourseStatus.ENROLLED),
               _route_count(CourseStatus.COMPLETED))
        .join(LearningRoute, LearningRoute.id == LearningRouteItem.route_id)
        .join(SelfAssessment, SelfAssessment.id == LearningRoute.assessment_id)
        .outerjoin(Organization, Organization.id == SelfAssessment.organization_id)
        .outerjoin(CourseRecord, and_(CourseRecord.user_id == LearningRoute.user_id,
                                      CourseRecord.course_id == LearningRouteItem.course_id))
        # Only course items have a course: no filter on the kind, so the (course_id, route_id) index covers them.
        .where(LearningRouteItem.course_id.is_not(None), LearningRoute.period_end >= today,
               scope(filters, by_version=False))
        .group_by(LearningRouteItem.course_id, Organization.municipality_id)
    )
    grouped = db.session.execute(statement).all()
    courses = db.session.execute(select(Course.id, Course.title, Course.is_open).order_by(Course.title, Course.id))
    by_course = {course_id: Demand(course_id, title, is_open) for course_id, title, is_open in courses}
    names = dict(db.session.execute(select(Municipality.id, Municipality.name)).all())
    cells = []
    for course_id, municipality_id, *counts in grouped:
        course = by_course.get(course_id)
        if course is None:
            continue
        course.add(*counts)
        cell = Demand(course_id, course.title, course.is_open, names.get(municipality_id, "не указан"))
        cell.add(*counts)
        cells.append(cell)
    cells.sort(key=lambda d: (d.title, d.municipality, d.course_id))
    ordered = sorted(by_course.values(), key=lambda d: (-d.routes, d.title, d.course_id))
    return CourseDemand(ordered, cells)
