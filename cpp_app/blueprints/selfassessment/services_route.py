"""The individual educational route (ИОМ): built from a submitted self-assessment, edited by its teacher, its
items closed by themselves when the linked course is completed or the platform account is confirmed-active,
shown to the school admin only when the teacher chooses, and the growth against the previous assessment."""
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import and_, func, select
from sqlalchemy.orm import contains_eager

from ...domain.growth import AreaChange, AreaScore, compare
from ...domain.methodology import Methodology
from ...domain.route import (
    ROUTE_AREAS,
    TITLE_LIMIT,
    CourseOffer,
    GrowthArea,
    ItemKind,
    PlatformAccountState,
    RatedStatement,
    RouteItem,
    build_route,
    default_target,
    due_date_problem,
    item_done,
    school_year_end,
    self_study,
)
from ...extensions import db
from ...models import (
    AccountStatus,
    Course,
    CourseRecord,
    CourseStatus,
    LearningRoute,
    LearningRouteArea,
    LearningRouteItem,
    Platform,
    PlatformAccount,
    RouteItemKind,
    SelfAssessment,
    SelfAssessmentArea,
    SelfAssessmentStatus,
    User,
    utcnow,
)
from ...service_errors import FieldErrors
from .services import current_route_id, instrument_of, platform_facts, result

KIND_LABELS = {
    RouteItemKind.COURSE.value: "курс КК ИПК",
    RouteItemKind.PLATFORM.value: "шаг на платформе",
    RouteItemKind.SELF_STUDY.value: "самостоятельная работа",
}
AUTO_DONE = "выполнено (автоматически)"
MARKED_DONE = "выполнено (отмечено вами)"
MARKED_BY_TEACHER = "выполнено (отмечено педагогом)"
GOAL_LIMIT = 1000


# ------------------------------------------------------------------------------------------------- finding


def route_of(assessment: SelfAssessment) -> LearningRoute | None:
    return db.session.scalar(select(LearningRoute).where(LearningRoute.assessment_id == assessment.id))


def own_route(user: User, route_id: int) -> LearningRoute | None:
    return db.session.scalar(select(LearningRoute).where(LearningRoute.id == route_id,
                                                         LearningRoute.user_id == user.id))


def route_item(route: LearningRoute, item_id: int) -> LearningRouteItem | None:
    return db.session.scalar(select(LearningRouteItem).where(LearningRouteItem.id == item_id,
                                                             LearningRouteItem.route_id == route.id))


def may_build(user: User, assessment: SelfAssessment) -> bool:
    """A route is built from the teacher's latest submitted assessment only: an older one is history."""
    latest = db.session.scalar(
        select(func.max(SelfAssessment.id))
        .where(SelfAssessment.user_id == user.id, SelfAssessment.status == SelfAssessmentStatus.SUBMITTED.value)
    )
    return assessment.id == latest


# ------------------------------------------------------------------------------------------------- building


def _platform_area(instrument: Methodology) -> str | None:
    """The area whose items are about the state platforms (the one with the most such items)."""
    counts = {section.code: sum(1 for indicator in section.indicators if indicator.platform)
              for section in instrument.sections}
    best = max(counts, key=counts.get, default=None)
    return best if best is not None and counts[best] else None


def _platform_states(user: User, instrument: Methodology, area_code: str | None) -> list[PlatformAccountState]:
    if area_code is None:
        return []
    facts = platform_facts(user)
    codes = dict.fromkeys(indicator.platform for indicator in instrument.section(area_code).indicators
                          if indicator.platform and indicator.platform in facts)
    return [PlatformAccountState(code, facts[code].name, facts[code].status or AccountStatus.NOT_REGISTERED.value,
                                 facts[code].confirmed) for code in codes]


def open_courses() -> list[tuple[str, str]]:
    """(id, title) of every open catalogue course, for adding one to a route by hand."""
    return [(str(course_id), title) for course_id, title in db.session.execute(
        select(Course.id, Course.title).where(Course.is_open).order_by(Course.title, Course.id))]


def open_course_offers() -> list[CourseOffer]:
    """The open catalogue courses tagged with a readiness area (the catalogue is a few hundred courses)."""
    courses = db.session.scalars(select(Course).where(Course.is_open).order_by(Course.starts_on, Course.title))
    return [CourseOffer(course.id, course.title, frozenset(course.readiness_areas or ()), True, course.starts_on)
            for course in courses if course.readiness_areas]


def _completed_course_ids(user_id: int) -> frozenset[int]:
    return frozenset(db.session.scalars(
        select(CourseRecord.course_id).where(CourseRecord.user_id == user_id, CourseRecord.course_id.is_not(None),
                                             CourseRecord.status == CourseStatus.COMPLETED)
    ))


def build(assessment: SelfAssessment, today: date) -> LearningRoute:
    """The route of a submitted assessment (the existing one when already built): its growth areas — or, with
    none, the weakest area below the top — with the level now and one level up as the target, and the items the
    pure builder plans for them over what is left of the school year (`today` → the school year's end). Demo
    data builds routes through here too."""
    existing = route_of(assessment)
    if existing is not None:
        return existing
    user = db.session.get(User, assessment.user_id)
    instrument = instrument_of(assessment)
    readiness = result(assessment)
    ranks = {threshold.code: index for index, threshold in enumerate(instrument.thresholds)}
    top = len(instrument.thresholds) - 1
    codes = list(readiness.growth)[:ROUTE_AREAS] or [
        area.code for area in sorted((a for a in readiness.areas if a.level is not None and ranks[a.level.code] < top),
                                     key=lambda a: a.mean)[:1]
    ]
    areas = [readiness.area(code) for code in codes]
    platform_area = _platform_area(instrument)
    planned = build_route(
        [GrowthArea(area.code, area.title, ranks[area.level.code]) for area in areas],
        open_course_offers(),
        _platform_states(user, instrument, platform_area),
        {area.code: self_study(RatedStatement(item.label, item.score, item.next_statement) for item in area.items
                               if item.score is not None) for area in areas},
        today,
        platform_area=platform_area,
        taken_course_ids=_completed_course_ids(user.id),
    )
    route = LearningRoute(user_id=user.id, assessment_id=assessment.id, period_start=today,
                          period_end=school_year_end(today))
    order = sorted(areas, key=lambda a: (ranks[a.level.code], a.mean))
    route.areas = [
        LearningRouteArea(area_code=area.code, position=position, current_level=ranks[area.level.code],
                          target_level=default_target(ranks[area.level.code], top), goal="")
        for position, area in enumerate(order)
    ]
    route.items = [
        LearningRouteItem(area_code=item.area_code, kind=item.kind.value, title=item.title[:TITLE_LIMIT],
                          due_on=item.due_on, course_id=item.course_id, platform_code=item.platform_code,
                          step=item.step.value if item.step else None)
        for item in planned
    ]
    db.session.add(route)
    db.session.flush()
    close_finished_items(user.id)  # a course completed or a platform confirmed already counts
    return route


# ------------------------------------------------------------------------------------------------- closing


def close_finished_items(*user_ids: int) -> int:
    """Closes the teachers' open course and platform items whose course is completed or whose platform account
    is active and confirmed by the organisation; the number closed. Called where those facts change and when
    the route is shown. Three queries at most, whatever the number of teachers and items."""
    items = list(db.session.scalars(
        select(LearningRouteItem).join(LearningRoute, LearningRoute.id == LearningRouteItem.route_id)
        .where(LearningRoute.user_id.in_(user_ids), LearningRouteItem.done_at.is_(None),
               LearningRouteItem.kind.in_([RouteItemKind.COURSE.value, RouteItemKind.PLATFORM.value]))
        .options(contains_eager(LearningRouteItem.route))
    ))
    if not items:
        return 0
    owners = {item.route.user_id for item in items}
    completed: dict[int, set[int]] = defaultdict(set)
    for user_id, course_id in db.session.execute(
        select(CourseRecord.user_id, CourseRecord.course_id)
        .where(CourseRecord.user_id.in_(owners), CourseRecord.course_id.is_not(None),
               CourseRecord.status == CourseStatus.COMPLETED)
    ):
        completed[user_id].add(course_id)
    accounts: dict[int, dict[str, PlatformAccountState]] = defaultdict(dict)
    for user_id, code, name, status, confirmed_at in db.session.execute(
        select(PlatformAccount.user_id, Platform.code, Platform.name, PlatformAccount.status,
               PlatformAccount.confirmed_at)
        .join(Platform, Platform.id == PlatformAccount.platform_id).where(PlatformAccount.user_id.in_(owners))
    ):
        accounts[user_id][code] = PlatformAccountState(code, name, status.value, confirmed_at is not None)
    now, closed = utcnow(), 0
    for item in items:
        owner = item.route.user_id
        planned = RouteItem(ItemKind(item.kind), item.area_code, item.title, item.due_on, item.course_id,
                            item.platform_code)
        if item_done(planned, frozenset(completed[owner]), accounts[owner]):
            item.done_at, item.done_automatically = now, True
            item.route.updated_at = now
            closed += 1
    db.session.flush()
    return closed


# ------------------------------------------------------------------------------------------------- editing


def _touch(route: LearningRoute) -> None:
    route.updated_at = utcnow()


def item_problems(route: LearningRoute, due_on: date | None) -> dict[str, str]:
    """The due date's refusal, for the form to show with its own errors."""
    if due_on is None:
        return {}
    problem = due_date_problem(due_on, route.period_start, route.period_end)
    return {"due_on": problem} if problem else {}


def set_due(route: LearningRoute, item: LearningRouteItem, due_on: date) -> None:
    if errors := item_problems(route, due_on):
        raise FieldErrors(errors)
    item.due_on = due_on
    _touch(route)


def remove_item(route: LearningRoute, item: LearningRouteItem) -> None:
    route.items.remove(item)
    _touch(route)


def new_item_problems(route: LearningRoute, area_code: str, kind: str, title: str, course_id: int | None,
                      due_on: date | None) -> dict[str, str]:
    """Every refusal of a new item at once, by form field."""
    errors = item_problems(route, due_on)
    if area_code not in {area.area_code for area in route.areas}:
        errors["area_code"] = "Выберите область из маршрута."
    if kind == RouteItemKind.COURSE.value:
        course = db.session.get(Course, course_id) if course_id else None
        if course is None or not course.is_open:
            errors["course_id"] = "Выберите курс из открытых курсов каталога."
    elif kind == RouteItemKind.SELF_STUDY.value:
        if not title.strip():
            errors["title"] = "Опишите, что вы сделаете самостоятельно."
    else:
        errors["kind"] = "Выберите вид пункта."
    return errors


def add_item(route: LearningRoute, area_code: str, kind: str, title: str, course_id: int | None,
             due_on: date) -> LearningRouteItem:
    """A self-study item (its text) or an open catalogue course; FieldErrors for every problem at once."""
    if errors := new_item_problems(route, area_code, kind, title, course_id, due_on):
        raise FieldErrors(errors)
    course = db.session.get(Course, course_id) if kind == RouteItemKind.COURSE.value else None
    item = LearningRouteItem(area_code=area_code, kind=kind,
                             title=(course.title if course else title.strip())[:TITLE_LIMIT], due_on=due_on,
                             course_id=course.id if course else None)
    route.items.append(item)
    _touch(route)
    db.session.flush()
    close_finished_items(route.user_id)
    return item


def mark(route: LearningRoute, item: LearningRouteItem, done: bool) -> None:
    """The teacher closes or reopens an item they do themselves; course and platform items close by themselves."""
    if item.kind != RouteItemKind.SELF_STUDY.value:
        return
    item.done_at = utcnow() if done else None
    item.done_automatically = False
    _touch(route)


def areas_problems(route: LearningRoute, values: dict[str, tuple[int | None, str]], top: int
                   ) -> dict[tuple[str, str], str]:
    """Refusals of the targets and goals (area code → (rank, goal)), by (area code, "target" | "goal")."""
    errors = {}
    for area in route.areas:
        target, goal = values.get(area.area_code, (None, ""))
        if target is None or not area.current_level <= target <= top:
            errors[area.area_code, "target"] = "Выберите целевой уровень не ниже текущего."
        if len(goal) > GOAL_LIMIT:
            errors[area.area_code, "goal"] = f"Цель — не длиннее {GOAL_LIMIT} знаков."
    return errors


def set_areas(route: LearningRoute, values: dict[str, tuple[int | None, str]], top: int) -> None:
    """Target level and goal per area; ValueError for values areas_problems refuses (the form checks first)."""
    if areas_problems(route, values, top):
        raise ValueError("refused targets or goals")
    for area in route.areas:
        area.target_level, goal = values[area.area_code]
        area.goal = goal.strip()
    _touch(route)


def set_shared(route: LearningRoute, shared: bool) -> None:
    route.shared_with_school = shared
    _touch(route)


# ------------------------------------------------------------------------------------------------- reading


def item_status(item: LearningRouteItem, today: date, marked: str = MARKED_DONE) -> str:
    if item.done_at is not None:
        return AUTO_DONE if item.done_automatically else marked
    return "срок прошёл" if item.due_on < today else "в плане"


@dataclass(frozen=True)
class AreaView:
    code: str
    position: int
    title: str
    current: str
    target: str
    target_level: int
    current_level: int
    goal: str
    items: list[LearningRouteItem]


def area_views(route: LearningRoute, instrument: Methodology) -> list[AreaView]:
    levels = [threshold.title for threshold in instrument.thresholds]
    return [
        AreaView(area.area_code, area.position, _title(instrument, area.area_code), levels[area.current_level],
                 levels[area.target_level], area.target_level, area.current_level, area.goal,
                 [item for item in route.items if item.area_code == area.area_code])
        for area in route.areas
    ]


def _title(instrument: Methodology, code: str) -> str:
    return next((section.title for section in instrument.sections if section.code == code), code)


def document(route: LearningRoute, today: date) -> dict:
    """What the PDF and the DOCX print: the same data, escaped by each renderer."""
    user = db.session.get(User, route.user_id)
    instrument = instrument_of(route.assessment)
    return {
        "title": "Индивидуальный образовательный маршрут педагога",
        "teacher": user.full_name,
        "position": user.position or "не указана",
        "school": user.organization.full_name if user.organization else (user.workplace_text or "не указано"),
        "period": f"с {route.period_start:%d.%m.%Y} по {route.period_end:%d.%m.%Y}",
        "assessment": f"{route.assessment.submitted_at:%d.%m.%Y}" if route.assessment.submitted_at else "",
        "instrument": instrument.title,
        "issued": f"{today:%d.%m.%Y}",
        "areas": [
            {"title": view.title, "current": view.current, "target": view.target, "goal": view.goal,
             "items": [{"kind": KIND_LABELS[item.kind], "title": item.title, "due": f"{item.due_on:%d.%m.%Y}",
                        "status": item_status(item, today)} for item in view.items]}
            for view in area_views(route, instrument)
        ],
    }


# ------------------------------------------------------------------------------------------------- the school


@dataclass(frozen=True)
class SharedRoute:
    route_id: int
    teacher: str  # «Иванова А.П.»
    updated_at: datetime


def _current_routes():
    return (select(LearningRoute.user_id, func.max(LearningRoute.assessment_id).label("assessment_id"))
            .group_by(LearningRoute.user_id).subquery())


def shared_routes(organization_id: int) -> list[SharedRoute]:
    """The current routes the organisation's teachers chose to show to its admin, by surname; one query."""
    current = _current_routes()
    rows = db.session.execute(
        select(LearningRoute.id, User, LearningRoute.updated_at)
        .join(User, User.id == LearningRoute.user_id)
        .join(current, and_(current.c.user_id == LearningRoute.user_id,
                            current.c.assessment_id == LearningRoute.assessment_id))
        .where(User.organization_id == organization_id, LearningRoute.shared_with_school)
        .order_by(User.last_name, User.first_name, LearningRoute.id)
    )
    return [SharedRoute(route_id, user.short_name, updated) for route_id, user, updated in rows]


def shared_route(organization_id: int, route_id: int) -> LearningRoute | None:
    """A route its teacher shows to their organisation's admin: shared, current, and the teacher works there."""
    route = db.session.scalar(
        select(LearningRoute).join(User, User.id == LearningRoute.user_id)
        .where(LearningRoute.id == route_id, LearningRoute.shared_with_school,
               User.organization_id == organization_id)
    )
    if route is None or current_route_id(route.user_id) != route.id:
        return None
    return route


# ------------------------------------------------------------------------------------------------- growth


@dataclass(frozen=True)
class GrowthRow:
    title: str
    before_level: str | None
    before_mean: Decimal | None
    now_level: str
    now_mean: Decimal
    change: AreaChange


def previous_submitted(assessment: SelfAssessment) -> SelfAssessment | None:
    return db.session.scalar(
        select(SelfAssessment)
        .where(SelfAssessment.user_id == assessment.user_id, SelfAssessment.id < assessment.id,
               SelfAssessment.status == SelfAssessmentStatus.SUBMITTED.value)
        .order_by(SelfAssessment.id.desc()).limit(1)
    )


def _scores(assessment_id: int) -> dict[str, AreaScore]:
    rows = db.session.execute(select(SelfAssessmentArea.area_code, SelfAssessmentArea.level_rank,
                                     SelfAssessmentArea.mean).where(SelfAssessmentArea.assessment_id == assessment_id))
    return {code: AreaScore(rank, Decimal(str(mean))) for code, rank, mean in rows}


def growth(assessment: SelfAssessment) -> tuple[SelfAssessment, list[GrowthRow]] | None:
    """Per area, this submitted assessment against the previous one; None for the first."""
    previous = previous_submitted(assessment)
    if previous is None:
        return None
    instrument, earlier = instrument_of(assessment), instrument_of(previous)
    now_levels = [threshold.title for threshold in instrument.thresholds]
    before_levels = [threshold.title for threshold in earlier.thresholds]
    changes = compare([section.code for section in instrument.sections], _scores(previous.id),
                      _scores(assessment.id))
    rows = [
        GrowthRow(_title(instrument, change.code),
                  before_levels[change.before.level_rank] if change.before else None,
                  change.before.mean if change.before else None,
                  now_levels[change.now.level_rank], change.now.mean, change)
        for change in changes
    ]
    return previous, rows
