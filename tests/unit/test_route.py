"""The individual educational route (ИОМ) built from growth areas: pure rules, no database."""
from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from cpp_app.domain.route import (
    COURSES_PER_AREA,
    CourseOffer,
    GrowthArea,
    ItemKind,
    PlatformAccountState,
    PlatformStep,
    RatedStatement,
    build_route,
    default_target,
    due_date_problem,
    item_done,
    school_year_end,
    self_study,
    spread_due_dates,
)

TODAY = date(2026, 12, 3)
PLATFORMS = "platforms"
CONTENT = "content"


def route(areas, courses=(), platforms=(), self_study=None, taken=()):
    return build_route(areas, courses, platforms, self_study or {}, TODAY, platform_area=PLATFORMS,
                       taken_course_ids=taken)


def test_the_weakest_area_comes_first_with_its_courses_then_self_study():
    areas = [GrowthArea(CONTENT, "Контент", 2), GrowthArea("safety", "Безопасность", 0)]
    courses = [CourseOffer(1, "ЦОК на уроке", frozenset({CONTENT}), True, TODAY + timedelta(days=40)),
               CourseOffer(2, "Безопасный интернет", frozenset({"safety"}), True, None)]
    items = route(areas, courses, self_study={"safety": ["Прочитать памятку о 152-ФЗ"]})
    assert [(i.kind, i.area_code, i.title) for i in items] == [
        (ItemKind.COURSE, "safety", "Безопасный интернет"),
        (ItemKind.SELF_STUDY, "safety", "Прочитать памятку о 152-ФЗ"),
        (ItemKind.COURSE, CONTENT, "ЦОК на уроке"),
    ]
    assert items[2].due_on == TODAY + timedelta(days=40)  # a course is due when it starts


def test_closed_started_taken_and_surplus_courses_are_not_offered():
    area = [GrowthArea(CONTENT, "Контент", 0)]
    courses = [
        CourseOffer(1, "Закрытый", frozenset({CONTENT}), False, None),
        CourseOffer(2, "Уже начался", frozenset({CONTENT}), True, TODAY - timedelta(days=1)),
        CourseOffer(3, "Уже пройден", frozenset({CONTENT}), True, None),
        CourseOffer(4, "Другая область", frozenset({"safety"}), True, None),
        CourseOffer(5, "Весной", frozenset({CONTENT}), True, date(2027, 3, 1)),
        CourseOffer(6, "В январе", frozenset({CONTENT}), True, date(2027, 1, 15)),
        CourseOffer(7, "Летом", frozenset({CONTENT}), True, date(2027, 6, 1)),
    ]
    offered = [item.course_id for item in route(area, courses, taken=[3])]
    assert offered == [6, 5] and len(offered) == COURSES_PER_AREA


def test_platform_steps_follow_each_account_and_stop_when_active_and_confirmed():
    accounts = [
        PlatformAccountState("sferum", "Сферум", "not_registered", False),
        PlatformAccountState("moya_shkola", "ФГИС «Моя школа»", "registered", False),
        PlatformAccountState("resh", "РЭШ", "active", False),
        PlatformAccountState("kiasuo", "КИАСУО", "active", True),
    ]
    items = route([GrowthArea(PLATFORMS, "Платформы", 0), GrowthArea(CONTENT, "Контент", 1)], platforms=accounts)
    assert [(i.platform_code, i.step) for i in items] == [
        ("sferum", PlatformStep.REGISTER), ("moya_shkola", PlatformStep.START_USING),
        ("resh", PlatformStep.GET_CONFIRMED),
    ]
    assert items[0].title == "Зарегистрироваться на платформе «Сферум»"
    assert route([GrowthArea(CONTENT, "Контент", 0)], platforms=accounts) == []  # steps only in the platform area


def test_items_close_themselves_only_on_a_completed_course_or_a_confirmed_active_account():
    items = route([GrowthArea(PLATFORMS, "Платформы", 0)],
                  [CourseOffer(9, "Сферум для педагога", frozenset({PLATFORMS}), True, None)],
                  [PlatformAccountState("sferum", "Сферум", "registered", False)],
                  {PLATFORMS: ["Посмотреть вебинар"]})
    course, platform, study = items
    assert not item_done(course, frozenset(), {}) and item_done(course, frozenset({9}), {})
    pending = {"sferum": PlatformAccountState("sferum", "Сферум", "active", False)}
    confirmed = {"sferum": PlatformAccountState("sferum", "Сферум", "active", True)}
    assert not item_done(platform, frozenset(), pending) and item_done(platform, frozenset(), confirmed)
    assert not item_done(study, frozenset({9}), confirmed)  # the teacher marks it


def test_due_dates_run_from_a_month_ahead_to_the_end_of_the_school_year():
    assert school_year_end(date(2026, 12, 3)) == date(2027, 5, 31)
    assert school_year_end(date(2027, 6, 2)) == date(2028, 5, 31)
    dates = spread_due_dates(4, TODAY)
    assert dates[0] == TODAY + timedelta(days=30) and dates[-1] == date(2027, 5, 31) and dates == sorted(dates)
    assert spread_due_dates(2, date(2027, 5, 20)) == [date(2027, 5, 31)] * 2  # never past the school year


offers = st.builds(
    CourseOffer,
    course_id=st.integers(1, 50),
    title=st.text(min_size=1, max_size=5),
    areas=st.frozensets(st.sampled_from([PLATFORMS, CONTENT, "safety"]), max_size=3),
    is_open=st.booleans(),
    starts_on=st.none() | st.dates(date(2026, 9, 1), date(2027, 8, 31)),
)


@given(st.lists(offers, max_size=20, unique_by=lambda course: course.course_id), st.dates(date(2026, 1, 1), date(2028, 12, 31)),
       st.frozensets(st.integers(1, 50), max_size=10))
def test_a_route_never_offers_a_closed_started_or_taken_course_nor_a_past_date(courses, today, taken):
    areas = [GrowthArea(code, code, rank) for rank, code in enumerate([PLATFORMS, CONTENT, "safety"])]
    items = build_route(areas, courses, [], {CONTENT: ["Самостоятельно"]}, today, platform_area=PLATFORMS,
                        taken_course_ids=taken)
    by_id = {}
    for course in courses:
        by_id.setdefault(course.course_id, []).append(course)
    planned_courses = [item.course_id for item in items if item.kind == ItemKind.COURSE]
    assert len(planned_courses) == len(set(planned_courses))  # a course tagged with two areas comes once
    for item in items:
        assert today <= item.due_on <= school_year_end(today)  # every item fits the route's period
        if item.kind == ItemKind.COURSE:
            assert item.course_id not in taken
            assert any(c.is_open and item.area_code in c.areas and (c.starts_on is None or c.starts_on >= today)
                       for c in by_id[item.course_id])


def test_a_course_starting_after_the_school_year_is_not_offered():
    late = CourseOffer(7, "Летний курс", frozenset({PLATFORMS}), True, date(2027, 6, 10))
    assert route([GrowthArea(PLATFORMS, "Платформы", 0)], [late]) == []


def test_self_study_takes_the_next_statements_of_the_lowest_rated_items():
    items = [RatedStatement("Сферум", 3, "веду занятия"), RatedStatement("РЭШ", 1, "использую уроки РЭШ"),
             RatedStatement("ЦОК", 5, None), RatedStatement("Госуслуги", 1, "помогаю родителям")]
    assert self_study(items) == ["РЭШ: использую уроки РЭШ", "Госуслуги: помогаю родителям"]
    assert self_study([RatedStatement("ЦОК", 5, None)]) == []
    assert all(len(text) <= 500 for text in self_study([RatedStatement("x" * 400, 0, "y" * 400)]))


@given(st.integers(0, 4), st.integers(0, 4))
def test_the_default_target_is_one_level_up_never_above_the_top(current, top):
    target = default_target(min(current, top), top)
    assert target == min(min(current, top) + 1, top) and target <= top


def test_a_due_date_must_fall_within_the_period():
    start, end = date(2026, 12, 3), date(2027, 5, 31)
    assert due_date_problem(start, start, end) is None and due_date_problem(end, start, end) is None
    problem = due_date_problem(date(2027, 6, 1), start, end)
    assert problem == "Срок должен быть в пределах периода маршрута: с 03.12.2026 по 31.05.2027."
    assert due_date_problem(date(2026, 12, 2), start, end) is not None
