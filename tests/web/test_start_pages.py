"""«Главная» of a signed-in user: each staff role's to-do list with counts that follow the data, a teacher's cabinet,
and a number of queries that does not grow with the rows behind the counts."""
import re
from datetime import timedelta
from html.parser import HTMLParser

import pytest

from cpp_app.blueprints.monitoring.figures import refresh
from cpp_app.domain.legal_deadlines import end_of_local_day, local_day
from cpp_app.extensions import db
from cpp_app.models import (
    AccountStatus,
    DiagnosticEvent,
    DiagnosticStatus,
    PlatformAccount,
    PrivacyRequest,
    PrivacyRequestKind,
    Role,
    StaffRegisterEntry,
    utcnow,
)
from tests.conftest import TEST_PASSWORD, complete_second_factor, extract_csrf
from tests.factories import (
    diagnostic_row,
    external_course_record,
    organization,
    program_through_models,
    signed_in,
    statements_run,
    text,
)


class _Item(HTMLParser):
    def __init__(self, key):
        super().__init__()
        self.key, self.depth, self.chunks = key, 0, []

    def handle_starttag(self, tag, attrs):
        if self.depth or ("data-todo", self.key) in attrs:
            self.depth += 1

    def handle_endtag(self, tag):
        self.depth = max(self.depth - 1, 0)

    def handle_data(self, data):
        if self.depth:
            self.chunks.append(data)


def todo(page: str, key: str) -> str:
    """The text of one to-do item (the element with `data-todo="key"`), spaces normalised."""
    parser = _Item(key)
    parser.feed(page)
    assert parser.chunks, f"no to-do item {key}"
    return " ".join("".join(parser.chunks).split())


@pytest.fixture
def director_client(app, director):
    return signed_in(app, director)


def add_teacher(make_user, school, confirmed=False, **fields):
    return make_user(organization=school, confirmed_at=utcnow() if confirmed else None, **fields)


# ------------------------------------------------------------------------------------------------ school admin


@pytest.mark.parametrize("role", [Role.SCHOOL_ADMIN, Role.METHODOLOGIST])
def test_sign_in_lands_on_the_start_page(client, make_user, role):
    user = make_user(role=role, email="staff@school.example")
    data = {"email": user.email, "password": TEST_PASSWORD, "csrf_token": extract_csrf(client.get("/login"))}
    response = complete_second_factor(client, user.email, client.post("/login", data=data))
    assert response.status_code == 302 and response.headers["Location"] == "/"
    page = text(client.get("/"))
    assert "<h1>Что ждёт вашего внимания</h1>" in page
    assert client.get("/login").headers["Location"] == "/"  # signed in already: back to the start page


def test_pending_teachers_are_counted_and_linked(database, make_user, school, director_client):
    assert "Новых заявок от педагогов нет" in todo(text(director_client.get("/")), "teachers")
    first = add_teacher(make_user, school)
    add_teacher(make_user, school)
    page = text(director_client.get("/"))
    assert todo(page, "teachers").startswith("2 педагога ждут подтверждения")
    assert 'href="/school/staff?state=pending"' in page
    first.confirmed_at = utcnow()
    database.session.commit()
    assert todo(text(director_client.get("/")), "teachers").startswith("1 педагог ждёт подтверждения")


def test_platform_statuses_to_confirm_by_platform(database, make_user, school, platforms, director_client):
    assert "Неподтверждённых статусов на платформах нет" in todo(text(director_client.get("/")), "statuses")
    confirmed = add_teacher(make_user, school, confirmed=True)
    pending = add_teacher(make_user, school)  # the school confirms the person first: not counted yet
    for user in (confirmed, pending):
        database.session.add(PlatformAccount(user_id=user.id, platform_id=platforms["sferum"].id,
                                             status=AccountStatus.ACTIVE))
    database.session.add(PlatformAccount(user_id=confirmed.id, platform_id=platforms["moya_shkola"].id,
                                         status=AccountStatus.REGISTERED))
    database.session.add(PlatformAccount(user_id=confirmed.id, platform_id=platforms["resh"].id,
                                         status=AccountStatus.NOT_REGISTERED))
    database.session.commit()
    page = text(director_client.get("/"))
    assert todo(page, "statuses").startswith("2 статуса на платформах ждут подтверждения")
    assert 'href="/school/staff?state=confirmed&amp;platform=sferum&amp;platform_status=unconfirmed"' in page
    # The link's list shows exactly the counted teacher.
    listed = text(director_client.get("/school/staff?state=confirmed&platform=sferum&platform_status=unconfirmed"))
    assert confirmed.last_name in listed and f"/school/staff/{confirmed.id}" in listed
    assert f"/school/staff/{pending.id}\"" not in listed


def test_register_rows_without_an_account(database, school, director_client):
    assert "ещё не загружен" in todo(text(director_client.get("/")), "register")
    database.session.add_all([
        StaffRegisterEntry(organization_id=school.id, line=line, full_name=name)
        for line, name in ((2, "Иванов Иван"), (3, "Сидорова Анна"), (4, "Кузнецов Пётр"))
    ])
    database.session.commit()
    page = text(director_client.get("/"))
    assert todo(page, "register").startswith("3 человека из реестра КИАСУО ещё не зарегистрированы в ЦПП")
    assert 'href="/school/staff/unregistered"' in page


def test_diagnostic_status_and_what_is_left(database, school, director, director_client):
    assert "самодиагностика ещё не начата" in todo(text(director_client.get("/")), "diagnostic")
    token = extract_csrf(director_client.get("/diagnostics/"))
    director_client.post("/diagnostics/start", data={"csrf_token": token})
    page = text(director_client.get("/"))
    assert "черновик" in todo(page, "diagnostic")
    left = int(re.search(r'data-left="indicators">(\d+)<', page).group(1))
    assert left > 0 and "Общие сведения: число педагогов и обучающихся" in page
    assert "Продолжить заполнение" in page


def test_unread_review_outcomes(database, school, director_client):
    assert "Новых результатов проверки нет" in todo(text(director_client.get("/")), "outcomes")
    diagnostic = diagnostic_row(database, school, 10, status=DiagnosticStatus.RETURNED)
    database.session.add(DiagnosticEvent(diagnostic_id=diagnostic.id, from_status=DiagnosticStatus.SUBMITTED,
                                         to_status=DiagnosticStatus.RETURNED))
    database.session.commit()
    page = text(director_client.get("/"))
    assert todo(page, "outcomes") == "1 новый результат проверки: прочитать результаты"
    assert f'href="/diagnostics/{diagnostic.id}/result"' in page


def test_program_status_and_nearest_road_map_items(app, database, director):
    program = program_through_models(database)
    director.organization_id = program.organization_id
    database.session.commit()
    page = text(signed_in(app, director).get("/"))
    assert "черновик" in todo(page, "program") and "Выполнено 1 из 5 мероприятий" in todo(page, "program")
    dates = re.findall(r'class="start-date">до (\d\d\.\d\d\.\d{4})', page)
    assert dates == ["01.10.2025", "31.05.2026", "01.03.2027"]  # not done, nearest first; the done one left out
    assert f'href="/programs/{program.id}"' in page


def test_a_school_admin_without_an_organization_gets_a_plain_answer(app, make_user):
    lonely = make_user(role=Role.SCHOOL_ADMIN, organization=None, email="lonely@school.example")
    page = text(signed_in(app, lonely).get("/"))
    assert "пока не связана с организацией" in page and 'href="/cabinet/"' in page


def test_a_teacher_gets_the_cabinet(app, make_user):
    client = signed_in(app, make_user())
    response = client.get("/")
    assert response.status_code == 302 and response.headers["Location"] == "/cabinet/"
    cabinet = text(client.get("/cabinet/"))
    assert re.search(r'<a href="/cabinet/" aria-current="page">Главная</a>', cabinet)


# ------------------------------------------------------------------------------------- methodologist and admin


def test_the_methodologist_sees_the_review_queue_and_the_queues_to_work_through(
        app, database, make_user, district, methodologist):
    client = signed_in(app, methodologist)
    page = text(client.get("/"))
    assert "Самодиагностик на проверке нет" in todo(page, "review")
    assert "Все места работы сопоставлены" in todo(page, "workplaces")
    assert "Курсов других организаций на проверке нет" in todo(page, "external-courses")
    assert 'href="/review/"' in page and 'href="/monitoring/inactive"' in page

    for number in range(3):
        diagnostic_row(database, organization(database, district, f"МБОУ СОШ № {number + 10}"), 9,
                       submitted_at=utcnow() - timedelta(days=4 - number))
    diagnostic_row(database, organization(database, district, "МБОУ СОШ № 20"), 9, status=DiagnosticStatus.ACCEPTED)
    make_user(organization=None, workplace_text="Школа на Луне")
    external_course_record(database, make_user())
    page = text(client.get("/"))
    assert todo(page, "review") == "3 самодиагностики ждут проверки. Дольше всех ждёт 4 дня."
    assert todo(page, "workplaces").startswith("1 место работы ждёт сопоставления")
    assert todo(page, "external-courses").startswith("1 курс другой организации ждёт проверки")
    assert 'href="/admin/workplaces"' in page and 'href="/admin/courses/external"' in page


def test_the_region_figures_come_with_their_bands(app, database, methodologist):
    assert "Показатели края ещё не рассчитывались" in text(signed_in(app, methodologist).get("/"))
    refresh()  # as the timer does
    database.session.commit()
    page = text(signed_in(app, methodologist).get("/"))
    assert re.search(r'data-figure="organizations">\d+<', page)
    assert page.count('<tr data-platform="') == 7
    assert "Запросы ПДн" not in page and "Все пользователи" not in page


def add_request(database, user, due_in_days, **fields):
    today = local_day(utcnow())
    request = PrivacyRequest(user_id=user.id, kind=PrivacyRequestKind.ACCESS, body="Прошу сведения",
                             due_at=end_of_local_day(today + timedelta(days=due_in_days)), **fields)
    database.session.add(request)
    database.session.commit()
    return request


def test_the_admin_also_sees_users_and_data_requests_with_deadlines(app, database, make_user):
    admin = make_user(role=Role.ADMIN, email="operator@ipk.example")
    client = signed_in(app, admin)
    page = text(client.get("/"))
    assert "Открытых обращений нет" in todo(page, "privacy")
    assert todo(page, "users") == "Всего 1:" and 'data-role="admin">1<' in page
    teacher = make_user()
    add_request(database, teacher, 6)
    overdue = add_request(database, teacher, -2)
    add_request(database, teacher, -9, completed_at=utcnow(), response="Ответ дан")
    page = text(client.get("/"))
    assert todo(page, "privacy") == "2 обращения ждут ответа, 1 просрочено."
    assert re.search(rf'<li class="start-overdue">\s*<span class="start-date">до [\d.]+ — просрочено на 2 дн.</span>\s*'
                     rf'<a href="/admin/privacy/{overdue.id}">', page)
    assert todo(page, "users") == "Всего 2:" and 'data-role="teacher">1<' in page
    assert 'href="/admin/privacy"' in page and 'href="/admin/users"' in page


# ------------------------------------------------------------------------------------------------ query counts


def count_queries(client, path="/") -> int:
    with statements_run(db.engine) as statements:
        assert client.get(path).status_code == 200
    return len(statements)


def test_the_start_pages_cost_the_same_queries_however_many_rows(app, database, make_user, school, district,
                                                                 platforms, director, methodologist):
    admin = make_user(role=Role.ADMIN, email="operator@ipk.example")
    clients = {"director": signed_in(app, director), "methodologist": signed_in(app, methodologist),
               "admin": signed_in(app, admin)}

    def add_rows(number):
        teacher = add_teacher(make_user, school, confirmed=number % 2 == 0)
        database.session.add(PlatformAccount(user_id=teacher.id, platform_id=platforms["sferum"].id,
                                             status=AccountStatus.ACTIVE))
        database.session.add(StaffRegisterEntry(organization_id=school.id, line=number + 2, full_name=f"Человек {number}"))
        diagnostic_row(database, organization(database, district, f"МБОУ СОШ № {number + 100}"), 9)
        make_user(organization=None, workplace_text=f"Школа № {number}")
        external_course_record(database, teacher)
        add_request(database, teacher, number - 3)

    add_rows(0)
    before = {role: count_queries(client) for role, client in clients.items()}
    for number in range(1, 8):
        add_rows(number)
    after = {role: count_queries(client) for role, client in clients.items()}
    assert after == before


def test_the_front_page_lists_the_platforms_and_how_a_director_gets_access(client):
    page = text(client.get("/"))
    for name in ("Сферум", "VK Мессенджер", "ФГИС «Моя школа»", "Библиотека ЦОК", "КИАСУО / электронный дневник",
                 "РЭШ", "Госуслуги"):
        assert f"<li>{name}</li>" in page
    assert "Оператор назначит вам роль «Администратор ОО»" in page
