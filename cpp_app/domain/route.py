"""The individual educational route (ИОМ) of a teacher: built from the growth areas of a self-assessment, the
institute's open courses tagged with those areas, the teacher's platform accounts and self-study suggestions.

Pure: plain data in, plain data out. Dates are spread over what is left of the school year and never fall in the
past; a route never offers a closed course, one that has already started, or one the teacher has taken.
"""
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

COURSES_PER_AREA = 2
# A year's plan a teacher can follow: the weakest areas only; the others wait for the next assessment's route.
ROUTE_AREAS = 3
SCHOOL_YEAR_LAST_DAY = (5, 31)  # 31 May: the route's items are due within the current school year


class ItemKind(StrEnum):
    COURSE = "course"
    PLATFORM = "platform"
    SELF_STUDY = "self_study"


class PlatformStep(StrEnum):
    """What a teacher still has to do on a platform, in order."""

    REGISTER = "register"
    START_USING = "start_using"
    GET_CONFIRMED = "get_confirmed"


@dataclass(frozen=True)
class GrowthArea:
    code: str
    title: str
    level_rank: int  # 0 = the lowest level: the lowest areas come first in the route


@dataclass(frozen=True)
class CourseOffer:
    course_id: int
    title: str
    areas: frozenset[str]
    is_open: bool
    starts_on: date | None = None


@dataclass(frozen=True)
class PlatformAccountState:
    code: str
    name: str
    status: str  # "not_registered" | "registered" | "active"
    confirmed: bool


@dataclass(frozen=True)
class RouteItem:
    kind: ItemKind
    area_code: str
    title: str
    due_on: date
    course_id: int | None = None
    platform_code: str | None = None
    step: PlatformStep | None = None


def school_year_end(today: date) -> date:
    month, day = SCHOOL_YEAR_LAST_DAY
    end = date(today.year, month, day)
    return end if today <= end else date(today.year + 1, month, day)


def platform_step(account: PlatformAccountState) -> PlatformStep | None:
    """The next step on a platform, or None when the account is active and confirmed by the organisation."""
    if account.status == "not_registered":
        return PlatformStep.REGISTER
    if account.status != "active":
        return PlatformStep.START_USING
    return None if account.confirmed else PlatformStep.GET_CONFIRMED


STEP_TITLES = {
    PlatformStep.REGISTER: "Зарегистрироваться на платформе «{name}»",
    PlatformStep.START_USING: "Начать регулярно работать на платформе «{name}»",
    PlatformStep.GET_CONFIRMED: "Попросить организацию подтвердить работу на платформе «{name}»",
}


def offered_courses(area_code: str, courses: Iterable[CourseOffer], taken: frozenset[int], today: date
                    ) -> list[CourseOffer]:
    """Open catalogue courses for the area that the teacher can still join within this school year, the soonest
    first."""
    end = school_year_end(today)
    fitting = [
        course for course in courses
        if course.is_open and area_code in course.areas and course.course_id not in taken
        and (course.starts_on is None or today <= course.starts_on <= end)
    ]
    return sorted(fitting, key=lambda c: (c.starts_on or date.max, c.title))[:COURSES_PER_AREA]


def build_route(
    growth_areas: Sequence[GrowthArea],
    courses: Iterable[CourseOffer],
    platforms: Iterable[PlatformAccountState],
    self_study: dict[str, Sequence[str]],
    today: date,
    *,
    platform_area: str | None,
    taken_course_ids: Iterable[int] = (),
) -> list[RouteItem]:
    """Items for each growth area, the weakest areas first: courses (each at most once), then platform steps (for
    the platform area), then self-study. A course is due when it starts; the other items step evenly from a month ahead to the end of
    the school year."""
    courses = list(courses)
    taken = set(taken_course_ids)
    planned: list[tuple[ItemKind, str, str, int | None, str | None, PlatformStep | None, date | None]] = []
    for area in sorted(growth_areas, key=lambda a: (a.level_rank, a.code)):
        for course in offered_courses(area.code, courses, frozenset(taken), today):
            # A course tagged with several areas is planned once, under the weakest of them.
            taken.add(course.course_id)
            planned.append((ItemKind.COURSE, area.code, course.title, course.course_id, None, None, course.starts_on))
        if area.code == platform_area:
            for account in platforms:
                step = platform_step(account)
                if step is not None:
                    planned.append((ItemKind.PLATFORM, area.code, STEP_TITLES[step].format(name=account.name),
                                    None, account.code, step, None))
        for text in self_study.get(area.code, ()):
            planned.append((ItemKind.SELF_STUDY, area.code, text, None, None, None, None))
    return [
        RouteItem(kind, area_code, title, starts_on or due, course_id, platform_code, step)
        for (kind, area_code, title, course_id, platform_code, step, starts_on), due
        in zip(planned, spread_due_dates(len(planned), today))
    ]


def spread_due_dates(count: int, today: date) -> list[date]:
    """`count` dates from a month ahead (or the year's end, if sooner) to the end of the school year, in order."""
    end = school_year_end(today)
    first = min(today + timedelta(days=30), end)
    if count <= 1:
        return [first] * count
    span = (end - first).days
    return [first + timedelta(days=span * index // (count - 1)) for index in range(count)]


def item_done(item: RouteItem, completed_course_ids: frozenset[int], platforms: dict[str, PlatformAccountState]
              ) -> bool:
    """Whether an item closes itself: its course is completed, or its platform account is active and confirmed.
    Self-study items are closed by the teacher."""
    if item.kind == ItemKind.COURSE:
        return item.course_id in completed_course_ids
    if item.kind == ItemKind.PLATFORM:
        account = platforms.get(item.platform_code)
        return account is not None and platform_step(account) is None
    return False


SELF_STUDY_PER_AREA = 2
TITLE_LIMIT = 500  # the item title column


@dataclass(frozen=True)
class RatedStatement:
    """An answered item of the instrument: its label, the score chosen and the statement one score up."""

    label: str
    score: int
    next_statement: str | None


def self_study(items: Iterable[RatedStatement], limit: int = SELF_STUDY_PER_AREA) -> list[str]:
    """What to practise on one's own: the next-level statements of the area's lowest-rated items (ties keep the
    instrument's order); items already at the top have nothing to add."""
    lowest = sorted((item for item in items if item.next_statement), key=lambda item: item.score)[:limit]
    return [f"{item.label}: {item.next_statement}"[:TITLE_LIMIT] for item in lowest]


def default_target(current_rank: int, top_rank: int) -> int:
    """One level up, never above the instrument's top."""
    return min(current_rank + 1, top_rank)


def due_date_problem(due_on: date, period_start: date, period_end: date) -> str | None:
    """The Russian refusal of a due date outside the route's period, or None."""
    if period_start <= due_on <= period_end:
        return None
    return (f"Срок должен быть в пределах периода маршрута: с {period_start:%d.%m.%Y} "
            f"по {period_end:%d.%m.%Y}.")
