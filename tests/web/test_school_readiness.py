"""«Цифровая готовность педагогов» for a school admin: completed / in progress / not started, names of those not
started, the level distribution only from five respondents, the shared routes, and the staff deficits copied into
the draft development program."""
from datetime import date, timedelta

import pytest

from cpp_app.blueprints.methodology.services_versions import methodology_of
from cpp_app.models import (
    LearningRoute,
    ProgramStatus,
    Role,
    SelfAssessment,
    SelfAssessmentArea,
    utcnow,
)
from tests.conftest import extract_csrf
from tests.factories import (
    audit_events,
    fresh,
    organization,
    program_through_models,
    signed_in,
    statements_run,
    text,
    unescaped,
)
from tests.integration.test_campaign_services import campaign, teacher_version

PAGE = "/school/readiness"
DEFICITS = "/school/readiness/deficits"
SUPPRESSED = "Меньше 5 ответивших — распределение не показывается"


def area_codes(database) -> list[str]:
    return [section.code for section in methodology_of(teacher_version(database)).sections]


def answered(database, user, school, ranks: dict[str, int] | None = None, status="submitted", **fields
             ) -> SelfAssessment:
    """An assessment straight through the models, with its area results (every area at rank 1 unless told)."""
    assessment = SelfAssessment(user_id=user.id, methodology=teacher_version(database), status=status, answers={},
                                organization_id=school.id if status == "submitted" else None,
                                submitted_at=utcnow() if status == "submitted" else None, **fields)
    database.session.add(assessment)
    database.session.flush()
    if status == "submitted":
        for code in area_codes(database):
            rank = (ranks or {}).get(code, 1)
            database.session.add(SelfAssessmentArea(assessment_id=assessment.id, area_code=code, level_rank=rank,
                                                    mean=rank + 0.5))
    database.session.commit()
    return assessment


@pytest.fixture
def staff(make_user, school):
    def make(**fields):
        return make_user(organization=school, **({"confirmed_at": utcnow()} | fields))
    return make


@pytest.fixture
def director_client(app, director):
    return signed_in(app, director)


def test_counts_and_the_names_of_those_not_started(director_client, database, school, staff):
    done = staff(last_name="Готова")
    busy = staff(last_name="Начала")
    staff(last_name="Молчанова")
    staff(last_name="Неподтверждённая", confirmed_at=None)
    answered(database, done, school, {"platforms": 4})
    answered(database, busy, school, status="draft")
    page = unescaped(director_client.get(PAGE))
    assert 'data-count="staff">4<' in page  # three teachers and the director
    assert 'data-count="completed">1<' in page and 'data-count="in_progress">1<' in page
    assert 'data-count="not_started">2<' in page
    names = page[page.index('id="not-started"'):page.index("</ul>", page.index('id="not-started"'))]
    assert "Молчанова" in names and "Директорова" in names
    assert "Готова" not in names and "Начала" not in names and "Неподтверждённая" not in page
    assert SUPPRESSED in page and 'class="data readiness-table' not in page


def test_older_assessments_do_not_count_outside_a_campaign(director_client, database, school, staff):
    old = answered(database, staff(), school)
    old.submitted_at = utcnow() - timedelta(days=400)
    database.session.commit()
    assert 'data-count="completed">0<' in text(director_client.get(PAGE))


def test_in_a_campaign_only_its_assessments_count(director_client, database, school, staff):
    running = campaign(database, municipalities=[school.municipality])
    answered(database, staff(), school)  # before or outside the campaign
    answered(database, staff(), school, campaign_id=running.id)
    page = unescaped(director_client.get(PAGE))
    assert f"кампания «{running.title}»" in page
    assert 'data-count="completed">1<' in page


def test_the_distribution_appears_from_five_respondents(director_client, database, school, staff):
    for _ in range(4):
        answered(database, staff(), school, {"platforms": 3})
    assert SUPPRESSED in unescaped(director_client.get(PAGE))
    answered(database, staff(), school, {"platforms": 0})
    page = unescaped(director_client.get(PAGE))
    assert SUPPRESSED not in page
    row = page[page.index('data-area="platforms"'):page.index("</tr>", page.index('data-area="platforms"'))]
    cells = [cell.split(">")[-1] for cell in row.split("</td>")[:-1]]
    assert cells[:5] == ["1", "0", "0", "4", "0"] and cells[5] == "5"
    assert "уверенный <span class=\"muted\">(2,9 из 5)" in row  # the mean score 2.9 of 5 reaches «уверенный»


def test_a_second_assessment_of_the_same_teacher_counts_once(director_client, database, school, staff):
    teachers = [staff() for _ in range(4)]
    for teacher in teachers:
        answered(database, teacher, school)
    answered(database, teachers[0], school)
    assert SUPPRESSED in unescaped(director_client.get(PAGE))


def test_the_page_takes_as_many_queries_for_many_teachers(director_client, database, school, staff):
    def queries() -> int:
        with statements_run(database.engine) as statements:
            assert director_client.get(PAGE).status_code == 200
        return len(statements)

    answered(database, staff(), school)
    few = queries()
    for index in range(12):
        teacher = staff()
        if index % 3:
            answered(database, teacher, school, status="submitted" if index % 2 else "draft")
    assert queries() == few


def test_only_routes_shared_by_the_schools_teachers_are_listed(director_client, database, school, staff, make_user):
    sharing, keeping = staff(last_name="Делится"), staff(last_name="Хранит")
    stranger = make_user(last_name="Чужая", confirmed_at=utcnow(),
                         organization=organization(database, school.municipality, "МБОУ Другая СОШ"))
    for user, shared in ((sharing, True), (keeping, False), (stranger, True)):
        assessment = answered(database, user, user.organization)
        database.session.add(LearningRoute(user_id=user.id, assessment_id=assessment.id, period_start=date.today(),
                                           period_end=date.today() + timedelta(days=200), shared_with_school=shared))
    database.session.commit()
    page = unescaped(director_client.get(PAGE))
    routes = page[page.index('id="readiness-routes"'):]
    assert "Делится" in routes and "Хранит" not in routes and "Чужая" not in routes


def test_the_weakest_areas_go_into_the_draft_program_after_a_confirmation(director_client, database, school, staff):
    program = program_through_models(database, school, causes="Прежний анализ.")
    for _ in range(5):
        answered(database, staff(), school, {"platforms": 0, "content": 0, "teaching": 0, "safety": 4})
    page = unescaped(director_client.get(PAGE))
    assert 'href="/school/readiness/deficits"' in page
    confirm = director_client.get(DEFICITS)
    shown = unescaped(confirm)
    assert confirm.status_code == 200 and "Кадровые дефициты по результатам самооценки" in shown
    assert fresh(database, program).causes == "Прежний анализ."
    response = director_client.post(DEFICITS, data={"csrf_token": extract_csrf(confirm)})
    assert response.status_code == 302 and response.headers["Location"] == f"/programs/{program.id}#causes"
    causes = fresh(database, program).causes
    assert causes.startswith("Прежний анализ.\n\nКадровые дефициты по результатам самооценки")
    assert causes.count("\n— ") == 3 and "средний уровень «начальный»" in causes
    assert len(audit_events(database, "program.staff_deficits_added")) == 1


def test_without_a_draft_program_there_is_nowhere_to_add(director_client, database, school, staff):
    program_through_models(database, school, status=ProgramStatus.APPROVED)
    for _ in range(5):
        answered(database, staff(), school)
    response = director_client.get(DEFICITS)
    assert response.status_code == 302 and response.headers["Location"] == PAGE
    assert "Черновика программы развития нет" in unescaped(director_client.get(PAGE))
    token = extract_csrf(director_client.get(PAGE))
    assert director_client.post(DEFICITS, data={"csrf_token": token}).status_code == 302
    assert not audit_events(database, "program.staff_deficits_added")


def test_below_five_respondents_nothing_is_added(director_client, database, school, staff):
    program = program_through_models(database, school, causes="Прежний анализ.")
    answered(database, staff(), school)
    assert 'href="/school/readiness/deficits"' not in text(director_client.get(PAGE))
    assert director_client.get(DEFICITS).status_code == 302
    assert "добавлять в программу нечего" in unescaped(director_client.get(PAGE))
    director_client.post(DEFICITS, data={"csrf_token": extract_csrf(director_client.get(PAGE))})
    assert fresh(database, program).causes == "Прежний анализ."


@pytest.mark.parametrize("role", [Role.TEACHER, Role.METHODOLOGIST])
def test_only_a_school_admin_sees_it(app, make_user, role):
    client = signed_in(app, make_user(role=role))
    assert client.get(PAGE).status_code == 404 and client.get(DEFICITS).status_code == 404


def test_another_schools_director_sees_only_their_school(app, database, school, staff, make_user):
    for _ in range(5):
        answered(database, staff(last_name="Нашева"), school)
    other = organization(database, school.municipality, "МБОУ Соседняя СОШ")
    client = signed_in(app, make_user(role=Role.SCHOOL_ADMIN, organization=other, confirmed_at=utcnow()))
    page = unescaped(client.get(PAGE))
    assert "Нашева" not in page and SUPPRESSED in page and 'data-count="completed">0<' in page
