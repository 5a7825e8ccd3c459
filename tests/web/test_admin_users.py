"""The operator's user list and role changes."""
import re

import pytest
from flask import g
from sqlalchemy import func, select

from cpp_app.domain.inn import inn10_with_check_digit
from cpp_app.models import AuditEvent, Municipality, Organization, OrganizationKind, Role, User
from tests.conftest import extract_csrf
from tests.factories import fresh, row_ids, statements_run

HEAD_INN = inn10_with_check_digit("999000001")


@pytest.fixture
def school(database):
    """A head school and its branch sharing the head's ИНН."""
    municipality = database.session.scalars(select(Municipality).order_by(Municipality.id)).first()
    branch = Organization(
        full_name="Тестовая основная школа (филиал МБОУ Тестовая СОШ № 1)",
        short_name="Тестовая ООШ (филиал)",
        kind=OrganizationKind.BRANCH,
        inn=HEAD_INN,
        municipality=municipality,
    )
    database.session.add(branch)
    database.session.flush()  # the branch gets the lower id on purpose
    head = Organization(
        full_name="Муниципальное бюджетное общеобразовательное учреждение «Тестовая средняя школа № 1»",
        short_name="МБОУ Тестовая СОШ № 1",
        kind=OrganizationKind.SCHOOL,
        inn=HEAD_INN,
        municipality=municipality,
    )
    database.session.add(head)
    database.session.flush()
    branch.head = head
    database.session.commit()
    assert branch.id < head.id
    return head


def post_role(client, user, role, inn="", token=None):
    if token is None:
        token = extract_csrf(client.get(f"/admin/users/{user.id}"))
    return client.post(
        f"/admin/users/{user.id}/role", data={"role": role, "organization_inn": inn, "csrf_token": token}
    )


def without_organization(database, user, workplace_text) -> User:
    """The factory puts teachers into the first organisation; this one typed an unknown workplace."""
    user.organization = None
    user.workplace_text = workplace_text
    database.session.commit()
    return user


def forget_previous_requests():
    """The `database` fixture's app context is shared by every test-client request, and so is `g`:
    Flask-WTF's `g.csrf_valid`, set by the sign-in POST, would let a later form skip its token check.
    In production each request has its own `g`; clear it here to test what production does."""
    g.pop("csrf_valid", None)


def role_events(database) -> list[AuditEvent]:
    return list(database.session.scalars(select(AuditEvent).where(AuditEvent.action == "user.role_changed")))


# ------------------------------------------------------------------------------------------------- access


def test_anonymous_is_sent_to_sign_in(client, make_user, database):
    target = make_user()
    for path in ("/admin/", "/admin/users", f"/admin/users/{target.id}"):
        response = client.get(path)
        assert response.status_code == 302 and "/login" in response.headers["Location"], path
    response = client.post(f"/admin/users/{target.id}/role", data={"role": "admin"})
    assert response.status_code in (302, 400)
    assert fresh(database, target).role == Role.TEACHER


@pytest.mark.parametrize("role", [Role.TEACHER, Role.SCHOOL_ADMIN, Role.METHODOLOGIST])
def test_other_roles_get_404(client, make_user, login, database, role):
    target = make_user(email="target@school.example")
    visitor = make_user(role=role)
    login(visitor)
    for path in ("/admin/", "/admin/users", f"/admin/users/{target.id}"):
        assert client.get(path).status_code == 404, path
    # A valid token (from a page they may see) does not open the role change either.
    token = extract_csrf(client.get("/", follow_redirects=True))
    response = client.post(f"/admin/users/{target.id}/role", data={"role": "admin", "csrf_token": token})
    assert response.status_code == 404
    assert fresh(database, target).role == Role.TEACHER
    assert "/admin/users" not in client.get("/", follow_redirects=True).get_data(as_text=True)


def test_admin_sees_the_pages(client, make_user, login):
    admin = make_user(role=Role.ADMIN)
    login(admin)
    response = client.get("/admin/")
    assert response.status_code == 302 and response.headers["Location"].endswith("/admin/users")
    response = client.get("/admin/users")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Пользователи" in html and "Найдено: 1" in html
    assert client.get(f"/admin/users/{admin.id}").status_code == 200
    assert client.get("/admin/users/999999").status_code == 404
    assert 'href="/admin/users"' in client.get("/", follow_redirects=True).get_data(as_text=True)


# --------------------------------------------------------------------------------------------------- list


def test_list_columns(client, make_user, login, database, school):
    admin = make_user(role=Role.ADMIN, last_name="Орлов", first_name="Дмитрий", middle_name=None)
    make_user(last_name="Соколова", first_name="Ирина", middle_name="Павловна", organization=school,
              email="sokolova@school.example")
    without_organization(database, make_user(last_name="Беляев", email="belyaev@school.example"), "Школа на Енисее")
    blocked = make_user(last_name="Ткачук", email="tkachuk@school.example")
    blocked.blocked_at = blocked.created_at
    database.session.commit()
    login(admin)
    html = client.get("/admin/users").get_data(as_text=True)
    assert "Найдено: 4" in html
    assert "Соколова Ирина Павловна" in html and "sokolova@school.example" in html
    assert "МБОУ Тестовая СОШ № 1" in html
    assert "Школа на Енисее" in html and "ожидает сопоставления" in html
    assert "Администратор сервиса" in html and "Педагог" in html
    assert re.search(r"\d\d\.\d\d\.\d{4}", html)
    assert "заблокирован" in html and "активен" in html


def test_search_is_case_insensitive_for_cyrillic(client, make_user, login):
    admin = make_user(role=Role.ADMIN, last_name="Орлов")
    sokolova = make_user(last_name="Соколова", email="i.sokolova@school.example")
    semenova = make_user(last_name="Семёнова", email="semenova@school.example")
    make_user(last_name="Петрова", email="petrova@school.example")
    login(admin)

    response = client.get("/admin/users", query_string={"q": "соКОЛова"})
    assert row_ids(response, "user") == [sokolova.id]
    assert "Найдено: 1" in response.get_data(as_text=True)
    assert row_ids(client.get("/admin/users", query_string={"q": "СОКОЛОВА"}), "user") == [sokolova.id]
    assert row_ids(client.get("/admin/users", query_string={"q": "семенова"}), "user") == [semenova.id]
    assert row_ids(client.get("/admin/users", query_string={"q": "I.SOKOLOVA@"}), "user") == [sokolova.id]
    assert row_ids(client.get("/admin/users", query_string={"q": "соколова анна"}), "user") == [sokolova.id]
    assert row_ids(client.get("/admin/users", query_string={"q": "100%_"}), "user") == []


def test_empty_result_offers_a_reset(client, make_user, login):
    login(make_user(role=Role.ADMIN))
    html = client.get("/admin/users", query_string={"q": "Несуществующая"}).get_data(as_text=True)
    assert "Пользователи не найдены" in html and "Найдено: 0" in html
    assert "Сбросить фильтры" in html


def test_role_filter(client, make_user, login):
    admin = make_user(role=Role.ADMIN)
    methodologist = make_user(role=Role.METHODOLOGIST)
    teacher = make_user(role=Role.TEACHER)
    login(admin)
    assert row_ids(client.get("/admin/users", query_string={"role": "methodologist"}), "user") == [methodologist.id]
    assert row_ids(client.get("/admin/users", query_string={"role": "teacher"}), "user") == [teacher.id]
    assert sorted(row_ids(client.get("/admin/users", query_string={"role": ""}), "user")) == sorted(
        [admin.id, methodologist.id, teacher.id]
    )
    assert len(row_ids(client.get("/admin/users", query_string={"role": "nonsense"}), "user")) == 3
    html = client.get("/admin/users").get_data(as_text=True)
    assert "Все роли" in html and "Методист КК ИПК" in html


def test_pagination_keeps_the_filters(client, make_user, login, database):
    admin = make_user(role=Role.ADMIN)
    teachers = [make_user(last_name=f"Учитель{n:02d}", email=f"t{n:02d}@school.example") for n in range(30)]
    login(admin)

    first = client.get("/admin/users", query_string={"role": "teacher"})
    html = first.get_data(as_text=True)
    assert "Найдено: 30" in html
    assert len(row_ids(first, "user")) == 25
    links = re.findall(r'href="([^"]*page=2[^"]*)"', html)
    assert links and all("role=teacher" in link for link in links)
    second = client.get(links[0].replace("&amp;", "&"))
    assert len(row_ids(second, "user")) == 5
    assert set(row_ids(first, "user")) | set(row_ids(second, "user")) == {t.id for t in teachers}
    assert "Предыдущая" in second.get_data(as_text=True)

    everyone = client.get("/admin/users", query_string={"page": 2})
    assert len(row_ids(everyone, "user")) == 6
    assert len(row_ids(client.get("/admin/users", query_string={"page": 99}), "user")) == 6  # clamped to the last
    assert len(row_ids(client.get("/admin/users", query_string={"page": "abc"}), "user")) == 25
    found = client.get("/admin/users", query_string={"q": "учитель0"}).get_data(as_text=True)
    assert "Найдено: 10" in found and "page=" not in re.sub(r"<form.*?</form>", "", found, flags=re.S)


# ------------------------------------------------------------------------------------------- role change


def test_change_role_is_saved_and_audited(client, make_user, login, database):
    admin = make_user(role=Role.ADMIN)
    teacher = make_user(last_name="Соколова", first_name="Ирина", middle_name=None)
    login(admin)
    response = post_role(client, teacher, "methodologist")
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/admin/users/{teacher.id}")
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Роль пользователя Соколова Ирина изменена: Методист КК ИПК" in html

    assert fresh(database, teacher).role == Role.METHODOLOGIST
    [event] = role_events(database)
    assert event.actor_id == admin.id and event.target_id == teacher.id and event.target_type == "users"
    assert event.details["from_role"] == "teacher" and event.details["to_role"] == "methodologist"
    assert event.details["organization_id"] == teacher.organization_id
    assert "Педагог → Методист КК ИПК" in html  # the history on the user page


def test_school_admin_needs_an_organization(client, make_user, login, database, school):
    admin = make_user(role=Role.ADMIN)
    loner = without_organization(database, make_user(), "Школа на Енисее")
    login(admin)

    response = post_role(client, loner, "school_admin")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Администратор ОО должен быть привязан к организации" in html
    assert 'id="organization_inn-error"' in html
    assert fresh(database, loner).role == Role.TEACHER and role_events(database) == []

    response = post_role(client, loner, "school_admin", inn="2400000000")
    html = response.get_data(as_text=True)
    assert "не найдена в реестре" in html and 'value="2400000000"' in html
    assert re.search(r'<option selected value="school_admin">|<option value="school_admin" selected>', html)
    assert fresh(database, loner).role == Role.TEACHER and role_events(database) == []

    response = post_role(client, loner, "school_admin", inn="12345")
    assert "ИНН состоит из 10 или 12 цифр" in response.get_data(as_text=True)

    response = post_role(client, loner, "school_admin", inn=HEAD_INN)
    assert response.status_code == 302
    changed = fresh(database, loner)
    assert changed.role == Role.SCHOOL_ADMIN
    assert changed.organization_id == school.id  # the head, not its branch with the same ИНН
    assert changed.workplace_text is None
    [event] = role_events(database)
    assert event.details["organization_id"] == school.id


def test_school_admin_may_keep_the_current_organization(client, make_user, login, database, school):
    admin = make_user(role=Role.ADMIN)
    teacher = make_user(organization=school)
    login(admin)
    assert post_role(client, teacher, "school_admin").status_code == 302
    changed = fresh(database, teacher)
    assert changed.role == Role.SCHOOL_ADMIN and changed.organization_id == school.id


def test_admin_cannot_change_own_role(client, make_user, login, database):
    admin = make_user(role=Role.ADMIN)
    login(admin)
    response = post_role(client, admin, "teacher")
    assert response.status_code == 200
    assert "Нельзя изменить собственную роль" in response.get_data(as_text=True)
    assert fresh(database, admin).role == Role.ADMIN and role_events(database) == []


def test_role_change_without_csrf_token_changes_nothing(client, make_user, login, database):
    admin = make_user(role=Role.ADMIN)
    teacher = make_user()
    login(admin)
    client.get(f"/admin/users/{teacher.id}")
    forget_previous_requests()
    response = client.post(f"/admin/users/{teacher.id}/role", data={"role": "admin", "organization_inn": ""})
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "Срок действия страницы истёк" in html
    assert re.search(r'<option selected value="admin">|<option value="admin" selected>', html)  # input kept
    forget_previous_requests()
    response = post_role(client, teacher, "admin", token="forged")
    assert response.status_code == 400
    assert fresh(database, teacher).role == Role.TEACHER and role_events(database) == []


def test_unknown_user_is_404(client, make_user, login):
    admin = make_user(role=Role.ADMIN)
    login(admin)
    assert client.get("/admin/users/999999").status_code == 404
    token = extract_csrf(client.get(f"/admin/users/{admin.id}"))
    response = client.post("/admin/users/999999/role", data={"role": "teacher", "csrf_token": token})
    assert response.status_code == 404


def test_unknown_role_value_is_refused(client, make_user, login, database):
    admin = make_user(role=Role.ADMIN)
    teacher = make_user()
    login(admin)
    response = post_role(client, teacher, "superuser")
    assert response.status_code == 200 and "Выберите роль из списка" in response.get_data(as_text=True)
    assert fresh(database, teacher).role == Role.TEACHER
    assert database.session.scalar(select(func.count(AuditEvent.id)).where(AuditEvent.action == "user.role_changed")) == 0


def test_list_is_two_queries_whatever_the_page_size(database, make_user, school):

    from cpp_app.blueprints.admin.services import list_users

    for number in range(5):
        make_user(organization=school if number % 2 else None, email=f"u{number}@school.example")
    database.session.expunge_all()
    with statements_run(database.engine) as statements:
        page = list_users("", None, 1)
        labels = [user.organization.short_name if user.organization else None for user in page.items]
    assert page.total == 5 and labels.count("МБОУ Тестовая СОШ № 1") == 2
    assert len(statements) == 2, statements  # the count and one page with its organisations joined
    assert "LIMIT" in statements[1].upper()
