"""The route's services: closing items for many teachers in a fixed number of queries, the current route, and the
routes shared with a school."""
from datetime import date, timedelta

from sqlalchemy import select

from cpp_app.blueprints.selfassessment.services import current_route_id
from cpp_app.blueprints.selfassessment.services_route import close_finished_items, shared_route, shared_routes
from cpp_app.models import (
    AccountStatus,
    Course,
    CourseFormat,
    CourseRecord,
    CourseStatus,
    LearningRoute,
    LearningRouteArea,
    LearningRouteItem,
    MethodologyVersion,
    PlatformAccount,
    SelfAssessment,
    utcnow,
)
from tests.factories import organization, statements_run

TODAY = date.today()


def assessment(database, user) -> SelfAssessment:
    version = database.session.scalar(select(MethodologyVersion).where(MethodologyVersion.subject == "teacher"))
    row = SelfAssessment(user_id=user.id, methodology=version, status="submitted", answers={}, submitted_at=utcnow())
    database.session.add(row)
    database.session.flush()
    return row


def route_for(database, user, items, shared=False) -> LearningRoute:
    route = LearningRoute(user_id=user.id, assessment=assessment(database, user), period_start=TODAY,
                          period_end=TODAY + timedelta(days=100), shared_with_school=shared)
    route.areas = [LearningRouteArea(area_code="platforms", position=0, current_level=0, target_level=1)]
    route.items = [LearningRouteItem(area_code="platforms", due_on=TODAY + timedelta(days=10), **item)
                   for item in items]
    database.session.add(route)
    database.session.commit()
    return route


def test_closing_items_takes_the_same_queries_for_one_teacher_or_many(database, make_user, school, platforms):
    course = Course(title="Курс", hours=36, format=CourseFormat.DISTANCE, topic="ЦОС", readiness_areas=["platforms"])
    database.session.add(course)
    database.session.commit()
    teachers = [make_user(organization=school) for _ in range(6)]
    for teacher in teachers:
        route_for(database, teacher, [
            {"kind": "course", "title": "Курс", "course_id": course.id},
            {"kind": "platform", "title": "Сферум", "platform_code": "sferum", "step": "get_confirmed"},
            {"kind": "self_study", "title": "Сам"},
        ])
        database.session.add_all([
            CourseRecord(user_id=teacher.id, course_id=course.id, status=CourseStatus.COMPLETED),
            PlatformAccount(user_id=teacher.id, platform_id=platforms["sferum"].id, status=AccountStatus.ACTIVE,
                            confirmed_at=utcnow() if teacher.id % 2 else None),
        ])
    database.session.commit()
    ids = [teacher.id for teacher in teachers]
    database.session.expire_all()
    with statements_run(database.engine) as one:
        close_finished_items(ids[0])
    with statements_run(database.engine) as many:
        closed = close_finished_items(*ids[1:])
    selects = lambda statements: [s for s in statements if s.lstrip().upper().startswith("SELECT")]  # noqa: E731
    assert len(selects(many)) == len(selects(one)) == 3
    confirmed = sum(1 for user_id in ids[1:] if user_id % 2)
    assert closed == 5 + confirmed
    database.session.commit()
    items = database.session.scalars(select(LearningRouteItem)).all()
    assert all(item.done_automatically for item in items if item.done_at is not None)
    assert not any(item.done_at for item in items if item.kind == "self_study")


def test_only_the_current_shared_route_of_the_organisations_teachers_is_shown(database, make_user, school, district):
    teacher = make_user(organization=school, last_name="Первая", first_name="Ольга", middle_name="Ивановна")
    older = route_for(database, teacher, [], shared=True)
    newer = route_for(database, teacher, [], shared=True)
    quiet = route_for(database, make_user(organization=school), [])
    elsewhere = route_for(database, make_user(organization=organization(database, district, "Другая школа")), [],
                          shared=True)
    assert current_route_id(teacher.id) == newer.id
    assert [(row.route_id, row.teacher) for row in shared_routes(school.id)] == [(newer.id, "Первая О.И.")]
    assert shared_route(school.id, newer.id) is not None
    for route in (older, quiet, elsewhere):
        assert shared_route(school.id, route.id) is None


def test_a_route_takes_the_three_weakest_areas_and_each_course_once(database, make_user):
    from cpp_app.blueprints.selfassessment import services
    from cpp_app.blueprints.selfassessment.services_route import build

    teacher = make_user()
    draft = services.start(teacher)
    instrument = services.instrument_of(draft)
    # Every area weak, «platforms» the weakest: seven growth areas.
    for section in instrument.sections:
        services.save_area(draft, {item.code: 0 if section.code == "platforms" else 1 for item in section.indicators})
    assert not services.submit(draft)
    route = build(draft, TODAY)
    assert len(services.result(draft).growth) == 7
    assert [area.area_code for area in route.areas][0] == "platforms" and len(route.areas) == 3
    courses = [item.course_id for item in route.items if item.course_id is not None]
    assert courses and len(courses) == len(set(courses))
