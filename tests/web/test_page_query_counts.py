"""The main pages people wait for cost the same number of SQL statements with 1 and with 8 rows of each kind they
show (bench/pages.py times them at the scale of a region): the staff list, the teacher's cabinet, a step of the
self-diagnostic, the methodologist's review page and the program constructor."""
from datetime import date

from cpp_app.extensions import db
from cpp_app.models import (
    AccountStatus,
    ActionStatus,
    DiagnosticStatus,
    PlatformAccount,
    ProgramAction,
    ProgramActionEvent,
    Role,
    StaffRegisterEntry,
    utcnow,
)
from tests.factories import (
    diagnostic_through_services,
    external_course_record,
    program_through_models,
    signed_in,
    statements_run,
)

STATUSES = (AccountStatus.NOT_REGISTERED, AccountStatus.REGISTERED, AccountStatus.ACTIVE)


def statements_of(client, path: str) -> list[str]:
    with statements_run(db.engine) as statements:
        response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    return list(statements)


def same_count_for_1_and_8(client, path: str, add_rows) -> None:
    add_rows(0)
    client.get(path)  # warm-up: the session's first touch
    few = statements_of(client, path)
    for number in range(1, 8):
        add_rows(number)
    many = statements_of(client, path)
    assert len(many) == len(few), "\n".join(many)


def add_teacher(database, make_user, school, platforms, number: int):
    """A confirmed teacher of `school`, with an account on each platform in a status that varies with `number`."""
    teacher = make_user(organization=school, email=f"teacher{number}@school.example", last_name=f"Учителева{number}",
                        confirmed_at=utcnow())
    for index, platform in enumerate(platforms.values()):
        status = STATUSES[(number + index) % len(STATUSES)]
        database.session.add(PlatformAccount(user_id=teacher.id, platform_id=platform.id, status=status,
                                             confirmed_at=utcnow() if (number + index) % 2 else None))
    database.session.commit()
    return teacher


def test_the_staff_page(app, database, make_user, school, director, platforms):
    def add_rows(number):
        add_teacher(database, make_user, school, platforms, number)
        make_user(organization=school, email=f"pending{number}@school.example")  # not confirmed by the school yet
        database.session.add(StaffRegisterEntry(organization_id=school.id, line=number + 2,
                                                full_name=f"Незарегистрированная{number} Анна"))
        database.session.commit()

    same_count_for_1_and_8(signed_in(app, director), "/school/staff", add_rows)


def test_the_cabinet_overview(app, database, make_user, school, platforms):
    teacher = make_user(organization=school, email="cabinet@school.example", confirmed_at=utcnow())
    platform_list = list(platforms.values())

    def add_rows(number):
        if number < len(platform_list):
            database.session.add(PlatformAccount(user_id=teacher.id, platform_id=platform_list[number].id,
                                                 status=STATUSES[number % len(STATUSES)]))
        external_course_record(database, teacher, title=f"Курс {number}",
                               completed_on=date(date.today().year, 1, 10))
        database.session.commit()

    same_count_for_1_and_8(signed_in(app, teacher), "/cabinet/", add_rows)


def test_the_session_the_person_and_the_consent_are_one_statement(app, make_user, school):
    """Every signed-in request pays for them: the consent gate reads what the session loader read."""
    teacher = make_user(organization=school, email="gate@school.example", confirmed_at=utcnow())
    client = signed_in(app, teacher)
    client.get("/cabinet/")
    reading_consent = [statement for statement in statements_of(client, "/cabinet/") if "consent_events" in statement]
    assert len(reading_consent) == 1 and "auth_sessions" in reading_consent[0]


def test_a_step_of_the_self_diagnostic(app, database, make_user, school, director, platforms):
    diagnostic = diagnostic_through_services(database, school, director, submitted=False)

    def add_rows(number):  # teachers behind the gaps the step lists by name
        add_teacher(database, make_user, school, platforms, number)

    same_count_for_1_and_8(signed_in(app, director), f"/diagnostics/{diagnostic.id}?section=cos", add_rows)


def test_the_review_page(app, database, make_user, school, director, methodologist, platforms):
    diagnostic = diagnostic_through_services(database, school, director)
    assert diagnostic.status == DiagnosticStatus.SUBMITTED

    def add_rows(number):  # the live data the reviewer compares the answers with
        add_teacher(database, make_user, school, platforms, number)

    same_count_for_1_and_8(signed_in(app, methodologist), f"/review/{diagnostic.id}", add_rows)


def test_the_program_constructor(app, database, make_user, school, director):
    program = program_through_models(database, school=school, actions=())
    editors = [director, make_user(role=Role.SCHOOL_ADMIN, organization=school, email="deputy@school.example")]

    def add_rows(number):  # an action with its history of status changes, by different people
        action = ProgramAction(program_id=program.id, indicator_code="cos.moya_shkola", from_score=1, to_score=2,
                               text=f"Мероприятие {number}", responsible_name="Иванова Мария Петровна",
                               responsible_position="заместитель директора", due_date=date(2027, 5, 31),
                               expected_result="Результат", status=ActionStatus.IN_PROGRESS, sort_order=number)
        database.session.add(action)
        database.session.flush()
        for person in editors:
            database.session.add(ProgramActionEvent(action_id=action.id, from_status=ActionStatus.PLANNED,
                                                    to_status=ActionStatus.IN_PROGRESS, actor_id=person.id,
                                                    note=f"Начато {number}"))
        database.session.commit()

    same_count_for_1_and_8(signed_in(app, director), f"/programs/{program.id}", add_rows)
