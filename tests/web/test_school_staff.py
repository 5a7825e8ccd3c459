"""The school admin's staff page: isolation, counts, confirmation, detachment and the register import."""
import io
import re

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from cpp_app.blueprints.school.services import StaffFilters, StateFilter, staff_counts, staff_page
from cpp_app.models import (
    AccountStatus,
    AuditEvent,
    PlatformAccount,
    PlatformAccountEvent,
    Role,
    StaffRegisterEntry,
    User,
    utcnow,
)
from tests.conftest import extract_csrf
from tests.factories import fresh, row_ids, statements_run


@pytest.fixture
def school_admin(make_user, organizations):
    return make_user(role=Role.SCHOOL_ADMIN, last_name="Директорова", email="director@school.example",
                     organization=organizations[0], confirmed_at=utcnow())


def teacher(make_user, last_name, organization, confirmed=False, **fields):
    number = teacher.counter = getattr(teacher, "counter", 0) + 1
    fields.setdefault("email", f"{last_name.lower()}{number}@school.example")
    fields.setdefault("phone", f"+7913{number:07d}")
    return make_user(last_name=last_name, organization=organization, confirmed_at=utcnow() if confirmed else None,
                     **fields)


def account(database, user, platform, status, confirmed_by=None):
    row = PlatformAccount(user_id=user.id, platform_id=platform.id, status=status,
                          confirmed_at=utcnow() if confirmed_by else None,
                          confirmed_by_id=confirmed_by.id if confirmed_by else None)
    database.session.add(row)
    database.session.commit()
    return row


def audit_actions(database) -> list[str]:
    database.session.rollback()
    return list(database.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))


def check_register(client, name: str, content: bytes, token=None):
    """Uploads a register: the preview of what loading it would change (or the errors)."""
    if token is None:
        token = extract_csrf(client.get("/school/staff/import"))
    data = {"file": (io.BytesIO(content), name)}
    if token:
        data["csrf_token"] = token
    return client.post("/school/staff/import", data=data, content_type="multipart/form-data")


def preview_token(preview) -> str:
    return re.search(r'name="token" type="hidden" value="([^"]+)"', preview.get_data(as_text=True)).group(1)


def upload(client, name: str, content: bytes, token=None):
    """Uploads a register and confirms the preview, as the admin does; a refused upload's response as it is."""
    preview = check_register(client, name, content, token)
    if preview.status_code != 200:
        return preview
    return client.post("/school/staff/import/apply",
                       data={"csrf_token": extract_csrf(preview), "token": preview_token(preview)})


def entries(database):
    database.session.rollback()
    return list(database.session.scalars(select(StaffRegisterEntry).order_by(StaffRegisterEntry.line)))


# ------------------------------------------------------------------------------------------------ access


def test_anonymous_is_sent_to_sign_in(client):
    response = client.get("/school/staff")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


@pytest.mark.parametrize("role", [Role.TEACHER, Role.METHODOLOGIST, Role.ADMIN])
def test_other_roles_get_404(client, make_user, login, role):
    login(make_user(role=role))
    for path in ("/school/", "/school/staff", "/school/staff/import", "/school/staff/unregistered"):
        assert client.get(path).status_code == 404, path


def test_a_school_admin_without_organization_gets_404(client, make_user, login):
    login(make_user(role=Role.SCHOOL_ADMIN, organization=None))
    assert client.get("/school/staff").status_code == 404


def test_admins_of_two_organisations_see_only_their_own_staff(client, make_user, login, database, organizations,
                                                             platforms, school_admin):
    first, second = organizations
    ours = teacher(make_user, "Нашева", first, confirmed=True)
    pending_ours = teacher(make_user, "Ожидаева", first)
    theirs = teacher(make_user, "Чужова", second, confirmed=True)
    their_pending = teacher(make_user, "Чужеева", second)
    their_account = account(database, theirs, platforms["sferum"], AccountStatus.ACTIVE)
    make_user(role=Role.SCHOOL_ADMIN, email="other-director@school.example", organization=second)
    login(school_admin)

    listing = client.get("/school/staff")
    assert set(row_ids(listing, "user")) == {school_admin.id, ours.id, pending_ours.id}
    assert "Чужова" not in listing.get_data(as_text=True)
    assert row_ids(client.get("/school/staff", query_string={"q": "чужова"}), "user") == []

    token = extract_csrf(listing)
    for user in (theirs, their_pending):
        assert client.get(f"/school/staff/{user.id}").status_code == 404
        assert client.get(f"/school/staff/{user.id}/detach").status_code == 404
        assert client.post(f"/school/staff/{user.id}/confirm", data={"csrf_token": token}).status_code == 404
        assert client.post(f"/school/staff/{user.id}/detach", data={"csrf_token": token}).status_code == 404
    response = client.post(f"/school/staff/accounts/{their_account.id}/confirm", data={"csrf_token": token})
    assert response.status_code == 404
    assert fresh(database, User, their_pending.id).confirmed_at is None
    assert fresh(database, User, theirs.id).organization_id == second.id
    assert fresh(database, PlatformAccount, their_account.id).confirmed_at is None
    assert client.get(f"/school/staff/{ours.id}").status_code == 200


# ------------------------------------------------------------------------------------------------ counts


def test_counts_of_a_small_known_staff(client, make_user, login, database, organizations, platforms, school_admin):
    first, second = organizations
    sferum, moya = platforms["sferum"], platforms["moya_shkola"]
    a = teacher(make_user, "Альфа", first, confirmed=True)
    b = teacher(make_user, "Бета", first, confirmed=True)
    c = teacher(make_user, "Гамма", first)
    account(database, a, sferum, AccountStatus.ACTIVE, confirmed_by=school_admin)
    account(database, b, sferum, AccountStatus.REGISTERED)
    account(database, c, sferum, AccountStatus.ACTIVE, confirmed_by=school_admin)  # a pending teacher: not counted
    account(database, a, moya, AccountStatus.NOT_REGISTERED)
    account(database, b, moya, AccountStatus.REGISTERED, confirmed_by=school_admin)
    other = teacher(make_user, "Чужая", second, confirmed=True)
    account(database, other, sferum, AccountStatus.ACTIVE, confirmed_by=school_admin)
    make_user(role=Role.METHODOLOGIST, organization=first)  # not staff

    counts = staff_counts(first.id)
    assert (counts.teachers, counts.confirmed, counts.pending) == (4, 3, 1)  # the school admin is staff too
    s, m = counts.for_platform("sferum"), counts.for_platform("moya_shkola")
    assert (s.registered, s.active, s.registered_confirmed, s.active_confirmed) == (3, 2, 1, 1)
    assert (m.registered, m.active, m.registered_confirmed, m.active_confirmed) == (1, 0, 1, 0)
    assert s.registered_share == 0.75 and s.registered_confirmed_share == pytest.approx(1 / 3)
    assert [p.code for p in counts.platforms][:2] == ["sferum", "vk_messenger"] and len(counts.platforms) == 7
    assert counts.for_platform("resh").registered == 0

    login(school_admin)
    html = client.get("/school/staff").get_data(as_text=True)
    assert '<dd data-count="teachers">4</dd>' in html
    row = re.search(r'<tr data-platform="sferum">(.*?)</tr>', html, re.S).group(1)
    assert re.search(r'data-count="registered"><span class="figure">3</span> <span class="muted">\(75&nbsp;%\)', row)
    assert re.search(r'data-count="active_confirmed"><span class="figure">1</span> <span class="muted">\(33&nbsp;%\)', row)


def test_confirming_a_platform_status_changes_the_confirmed_counts(client, make_user, login, database, organizations,
                                                                  platforms, school_admin):
    member = teacher(make_user, "Соколова", organizations[0], confirmed=True)
    row = account(database, member, platforms["moya_shkola"], AccountStatus.ACTIVE)
    assert staff_counts(organizations[0].id).for_platform("moya_shkola").active_confirmed == 0
    login(school_admin)
    page = client.get(f"/school/staff/{member.id}")
    assert "Подтвердить" in page.get_data(as_text=True)

    response = client.post(f"/school/staff/accounts/{row.id}/confirm",
                           data={"csrf_token": extract_csrf(page), "next": f"/school/staff/{member.id}"})
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/school/staff/{member.id}")
    assert "статус на платформе «ФГИС «Моя школа»» подтверждён" in client.get(response.headers["Location"]).get_data(as_text=True)

    saved = fresh(database, PlatformAccount, row.id)
    assert saved.confirmed_at is not None and saved.confirmed_by_id == school_admin.id
    [history] = database.session.scalars(select(PlatformAccountEvent).where(PlatformAccountEvent.account_id == row.id))
    assert history.confirmed and history.note == "подтверждено организацией" and history.changed_by_id == school_admin.id
    counts = staff_counts(organizations[0].id).for_platform("moya_shkola")
    assert (counts.registered_confirmed, counts.active_confirmed) == (1, 1)
    assert "staff.platform_confirmed" in audit_actions(database)

    # A second press changes nothing and says why.
    again = client.post(f"/school/staff/accounts/{row.id}/confirm", data={"csrf_token": extract_csrf(page)},
                        follow_redirects=True)
    assert "уже подтверждён" in again.get_data(as_text=True)
    assert database.session.scalar(select(func.count(PlatformAccountEvent.id))) == 1


def test_a_pending_teachers_platform_status_cannot_be_confirmed(client, make_user, login, database, organizations,
                                                                platforms, school_admin):
    member = teacher(make_user, "Ожидаева", organizations[0])
    row = account(database, member, platforms["sferum"], AccountStatus.REGISTERED)
    login(school_admin)
    token = extract_csrf(client.get(f"/school/staff/{member.id}"))
    response = client.post(f"/school/staff/accounts/{row.id}/confirm", data={"csrf_token": token}, follow_redirects=True)
    assert "Сначала подтвердите" in response.get_data(as_text=True)
    assert fresh(database, PlatformAccount, row.id).confirmed_at is None


# ------------------------------------------------------------------------------------------ manual actions


def test_confirm_a_pending_teacher(client, make_user, login, database, organizations, school_admin):
    member = teacher(make_user, "Ожидаева", organizations[0])
    login(school_admin)
    listing = client.get("/school/staff", query_string={"state": "pending"})
    assert row_ids(listing, "user") == [member.id]
    response = client.post(f"/school/staff/{member.id}/confirm",
                           data={"csrf_token": extract_csrf(listing), "next": "/school/staff?state=pending"})
    assert response.status_code == 302 and response.headers["Location"].endswith("/school/staff?state=pending")
    assert fresh(database, User, member.id).confirmed_at is not None
    event = database.session.scalar(select(AuditEvent).where(AuditEvent.action == "staff.confirmed"))
    assert event.actor_id == school_admin.id and event.target_id == member.id
    assert event.details["organization_id"] == organizations[0].id
    assert row_ids(client.get("/school/staff", query_string={"state": "pending"}), "user") == []
    confirmed = client.get("/school/staff", query_string={"state": "confirmed"})
    assert set(row_ids(confirmed, "user")) == {member.id, school_admin.id}
    # Somewhere else than a staff page is not a place to return to.
    response = client.post(f"/school/staff/{member.id}/confirm",
                           data={"csrf_token": extract_csrf(listing), "next": "https://evil.example/"})
    assert response.headers["Location"].endswith(f"/school/staff/{member.id}")


def test_detach_asks_first_then_removes_everything_of_the_organisation(client, make_user, login, database,
                                                                     organizations, platforms, school_admin):
    member = teacher(make_user, "Уходящева", organizations[0], confirmed=True)
    row = account(database, member, platforms["sferum"], AccountStatus.ACTIVE, confirmed_by=school_admin)
    database.session.add(StaffRegisterEntry(organization_id=organizations[0].id, line=2, full_name="Уходящева Анна",
                                            user_id=member.id))
    database.session.commit()
    login(school_admin)

    question = client.get(f"/school/staff/{member.id}/detach")
    assert question.status_code == 200 and "Открепить педагога от организации?" in question.get_data(as_text=True)
    assert fresh(database, User, member.id).organization_id == organizations[0].id  # asking changes nothing

    response = client.post(f"/school/staff/{member.id}/detach", data={"csrf_token": extract_csrf(question)})
    assert response.status_code == 302 and response.headers["Location"].endswith("/school/staff")
    gone = fresh(database, User, member.id)
    assert gone.organization_id is None and gone.confirmed_at is None and gone.workplace_text is None
    saved = database.session.get(PlatformAccount, row.id)
    assert saved.confirmed_at is None and saved.confirmed_by_id is None
    assert saved.status == AccountStatus.ACTIVE  # the teacher's own statement stays
    assert database.session.scalar(select(StaffRegisterEntry.user_id)) is None
    assert "staff.detached" in audit_actions(database)
    assert client.get(f"/school/staff/{member.id}").status_code == 404
    assert member.id not in row_ids(client.get("/school/staff"), "user")


def test_a_school_admin_cannot_be_detached(client, make_user, login, database, organizations, school_admin):
    colleague = make_user(role=Role.SCHOOL_ADMIN, email="deputy@school.example", organization=organizations[0])
    login(school_admin)
    token = extract_csrf(client.get("/school/staff"))
    for target in (colleague, school_admin):
        response = client.post(f"/school/staff/{target.id}/detach", data={"csrf_token": token}, follow_redirects=True)
        assert "alert-error" in response.get_data(as_text=True)
        assert fresh(database, User, target.id).organization_id == organizations[0].id


def test_missing_csrf_token_changes_nothing(client, make_user, login, database, organizations, platforms, school_admin):
    pending = teacher(make_user, "Ожидаева", organizations[0])
    confirmed = teacher(make_user, "Работаева", organizations[0], confirmed=True)
    row = account(database, confirmed, platforms["sferum"], AccountStatus.ACTIVE)
    login(school_admin)
    before = audit_actions(database)
    assert client.post(f"/school/staff/{pending.id}/confirm").status_code == 400
    assert client.post(f"/school/staff/{confirmed.id}/detach").status_code == 400
    assert client.post(f"/school/staff/accounts/{row.id}/confirm").status_code == 400
    response = upload(client, "staff.csv", "ФИО;Email\nОжидаева Анна;x@school.example\n".encode(), token="")
    assert response.status_code == 400 and "Срок действия страницы истёк" in response.get_data(as_text=True)
    assert fresh(database, User, pending.id).confirmed_at is None
    assert fresh(database, User, confirmed.id).organization_id == organizations[0].id
    assert fresh(database, PlatformAccount, row.id).confirmed_at is None
    assert entries(database) == [] and audit_actions(database) == before


# ------------------------------------------------------------------------------------------- list

def test_filters_search_and_platform_columns(client, make_user, login, database, organizations, platforms,
                                             school_admin):
    first = organizations[0]
    semenova = teacher(make_user, "Семёнова", first, confirmed=True, email="o.semenova@school.example")
    registered = teacher(make_user, "Регистрова", first, confirmed=True)
    nobody = teacher(make_user, "Безаккаунтова", first)
    account(database, semenova, platforms["sferum"], AccountStatus.ACTIVE, confirmed_by=school_admin)
    account(database, registered, platforms["sferum"], AccountStatus.REGISTERED)
    account(database, nobody, platforms["sferum"], AccountStatus.NOT_REGISTERED)
    login(school_admin)

    def ids(**args):
        return set(row_ids(client.get("/school/staff", query_string=args), "user"))

    assert ids(q="СЕМЕНОВА") == {semenova.id} == ids(q="семёнова") == ids(q="O.SEMENOVA@")
    assert ids(q="100%_") == set()
    assert ids(platform="sferum", platform_status="none") == {nobody.id, school_admin.id}
    assert ids(platform="sferum", platform_status="registered") == {semenova.id, registered.id}
    assert ids(platform="sferum", platform_status="active") == {semenova.id}
    assert ids(platform="sferum", platform_status="confirmed") == {semenova.id}
    assert ids(platform="sferum", platform_status="unconfirmed") == {registered.id}
    assert ids(platform="resh", platform_status="registered") == set()
    assert len(ids(platform="nonsense", platform_status="active")) == 4  # an unknown platform filters nothing

    html = client.get("/school/staff").get_data(as_text=True)
    cells = dict(re.findall(r'<tr data-user-id="(\d+)">.*?<td class="pcol" data-platform="sferum">\s*(.*?)</td>', html, re.S))
    assert "актив." in cells[str(semenova.id)] and "подтверждено ОО" in cells[str(semenova.id)]
    assert "зарег." in cells[str(registered.id)] and "подтверждено ОО" not in cells[str(registered.id)]
    assert "—" in cells[str(nobody.id)]
    empty = client.get("/school/staff", query_string={"q": "никого"}).get_data(as_text=True)
    assert "Никто не подходит" in empty and "Сбросить фильтры" in empty


def test_pagination_by_fifty_keeps_the_filters(client, make_user, login, database, organizations, school_admin):
    for n in range(55):
        teacher(make_user, f"Учитель{n:02d}", organizations[0])
    login(school_admin)
    first = client.get("/school/staff", query_string={"state": "pending"})
    assert len(row_ids(first, "user")) == 50 and "Найдено: 55" in first.get_data(as_text=True)
    links = re.findall(r'href="([^"]*page=2[^"]*)"', first.get_data(as_text=True))
    assert links and all("state=pending" in link for link in links)
    assert len(row_ids(client.get(links[0].replace("&amp;", "&")), "user")) == 5


def test_a_list_without_search_takes_its_total_from_the_staff_counts_and_it_is_the_counted_one(
        app, make_user, database, organizations, school_admin):
    for n in range(7):
        teacher(make_user, f"Учитель{n:02d}", organizations[0], confirmed=n % 3 == 0)
    teacher(make_user, "Чужой", organizations[1])
    withdrawn = teacher(make_user, "Отозвавший", organizations[0])
    withdrawn.consent_withdrawn_at = utcnow()
    database.session.commit()
    school_id = organizations[0].id
    with app.test_request_context():
        counts = staff_counts(school_id)
        for state in (None, StateFilter.PENDING, StateFilter.CONFIRMED):
            filters = StaffFilters(state=state)
            with statements_run(database.engine) as statements:
                known = staff_page(school_id, filters, per_page=3, counts=counts).result
            assert not any("count(*)" in statement for statement in statements)
            with statements_run(database.engine) as statements:
                counted = staff_page(school_id, filters, per_page=3).result
            assert any("count(*)" in statement for statement in statements)
            assert (known.total, [user.id for user in known.items]) == (counted.total, [user.id for user in counted.items])
        assert staff_page(school_id, StaffFilters(), counts=counts).result.total == 8  # seven and the admin


def test_the_staff_page_issues_the_same_number_of_queries_for_5_and_40_teachers(
        app, client, make_user, login, database, organizations, platforms, school_admin):
    def add_teachers(count, start):
        for n in range(start, start + count):
            member = teacher(make_user, f"Учитель{n:02d}", organizations[0], confirmed=n % 2 == 0)
            for code in ("sferum", "moya_shkola", "resh"):
                account(database, member, platforms[code], AccountStatus.ACTIVE,
                        confirmed_by=school_admin if n % 3 == 0 else None)
            database.session.add(StaffRegisterEntry(organization_id=organizations[0].id, line=n + 2,
                                                    full_name=f"Незарегистрированный{n} Иван"))
        database.session.commit()

    def queries_for_one_page_view():
        with statements_run(database.engine) as statements:
            response = client.get("/school/staff")
        assert response.status_code == 200
        return len(row_ids(response, "user")), statements

    add_teachers(5, 0)
    login(school_admin)
    client.get("/school/staff")  # warm-up
    rows_small, small = queries_for_one_page_view()
    add_teachers(35, 5)
    rows_large, large = queries_for_one_page_view()
    assert (rows_small, rows_large) == (6, 41)
    assert len(small) == len(large), (small, large)
    assert len(large) <= 9  # session, consent, counts, register (2), page (count, rows, accounts), notices


# ------------------------------------------------------------------------------------------- register import


def register_csv(*rows: str) -> bytes:
    return ("ФИО;Должность;Эл. почта;Моб. телефон\r\n" + "\r\n".join(rows) + "\r\n").encode("cp1251")


def test_import_cp1251_csv_confirms_matching_teachers_of_this_organisation_only(
        client, make_user, login, database, organizations, school_admin):
    first, second = organizations
    by_email = teacher(make_user, "Семенова", first, email="o.semenova@school.example")
    by_phone = teacher(make_user, "Иванов", first, phone="+79137654321")
    already = teacher(make_user, "Работаева", first, confirmed=True, email="rabotaeva@school.example")
    married = teacher(make_user, "Новикова", first, email="old.name@school.example")  # the register has the old surname
    elsewhere = teacher(make_user, "Чужова", second, email="chuzhova@school.example")
    unmatched_typed = teacher(make_user, "Безместова", None, email="bezmestova@school.example",
                              workplace_text="Какая-то школа")
    login(school_admin)

    response = upload(client, "Реестр.csv", register_csv(
        "Семёнова Ольга Игоревна;Учитель математики;O.Semenova@School.example;",
        "Иванов Пётр Сергеевич;Учитель истории;;8 (913) 765-43-21",
        "Работаева Анна;Завуч;rabotaeva@school.example;",
        "Старикова Мария;Учитель;old.name@school.example;",
        "Чужова Вера;Учитель;chuzhova@school.example;",
        "Безместова Ирина;Учитель;bezmestova@school.example;",
        "Новенькая Ксения;Учитель музыки;;",
    ))
    assert response.status_code == 302 and response.headers["Location"].endswith("/school/staff#unregistered")
    html = client.get("/school/staff").get_data(as_text=True)
    assert "Подтверждены сейчас: 2; уже были подтверждены: 1; не зарегистрированы в ЦПП: 4" in html
    assert "фамилия в ЦПП другая" in html and "Старикова Мария" in html

    assert fresh(database, User, by_email.id).confirmed_at is not None
    assert database.session.get(User, by_phone.id).confirmed_at is not None
    assert database.session.get(User, married.id).confirmed_at is None  # surname mismatch: not confirmed
    assert database.session.get(User, elsewhere.id).organization_id == second.id
    assert database.session.get(User, elsewhere.id).confirmed_at is None
    assert database.session.get(User, unmatched_typed.id).organization_id is None
    saved = {entry.full_name: entry for entry in entries(database)}
    assert saved["Семёнова Ольга Игоревна"].user_id == by_email.id and saved["Семёнова Ольга Игоревна"].line == 2
    assert saved["Иванов Пётр Сергеевич"].user_id == by_phone.id
    assert saved["Работаева Анна"].user_id == already.id
    assert saved["Старикова Мария"].user_id is None and saved["Чужова Вера"].user_id is None
    assert saved["Новенькая Ксения"].position == "Учитель музыки"

    actions = audit_actions(database)
    assert actions.count("staff.confirmed_by_register") == 2 and "staff.register_imported" in actions
    section = html.split('id="unregistered"', 1)[1]
    assert "Из реестра, ещё не зарегистрированы в ЦПП" in section
    for name in ("Новенькая Ксения", "Чужова Вера", "Старикова Мария", "Безместова Ирина"):
        assert name in section
    assert "Семёнова Ольга" not in section


def test_import_xlsx_and_a_new_register_replaces_the_old_one(client, make_user, login, database, organizations,
                                                             school_admin):
    member = teacher(make_user, "Соколова", organizations[0], phone="+79135556677")
    login(school_admin)
    assert upload(client, "old.csv", register_csv("Старый Сотрудник;Учитель;old@school.example;")).status_code == 302
    assert [entry.full_name for entry in entries(database)] == ["Старый Сотрудник"]

    book = Workbook()
    book.active.append(["Фамилия", "Имя", "Отчество", "Мобильный телефон", "Должность"])
    book.active.append(["СОКОЛОВА", "Ирина", "Павловна", 89135556677, "Учитель"])
    stream = io.BytesIO()
    book.save(stream)
    response = upload(client, "staff.xlsx", stream.getvalue())
    assert response.status_code == 302
    [entry] = entries(database)
    assert entry.full_name == "СОКОЛОВА Ирина Павловна" and entry.user_id == member.id and entry.phone == "+79135556677"
    assert fresh(database, User, member.id).confirmed_at is not None


def test_a_bad_row_imports_nothing_and_lists_every_problem(client, make_user, login, database, organizations,
                                                           school_admin):
    member = teacher(make_user, "Семенова", organizations[0], email="o.semenova@school.example")
    login(school_admin)
    upload(client, "first.csv", register_csv("Прежняя Запись;Учитель;prev@school.example;"))

    response = upload(client, "staff.csv", register_csv(
        "Семёнова Ольга;Учитель;o.semenova@school.example;",
        "Плохой Адрес;Учитель;not-an-email;",
        "Плохой Телефон;Учитель;;12345",
    ))
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "Реестр не загружен" in html
    assert "Строка 3: адрес электронной почты «not-an-email» некорректен" in html
    assert "Строка 4: телефон «12345» не распознан" in html
    assert fresh(database, User, member.id).confirmed_at is None
    assert [entry.full_name for entry in entries(database)] == ["Прежняя Запись"]

    response = upload(client, "staff.pdf", b"%PDF-1.4")
    assert response.status_code == 400 and "CSV или XLSX" in response.get_data(as_text=True)
    response = upload(client, "staff.csv", "Должность;Email\nУчитель;a@school.example\n".encode())
    assert "Строка 1: нет столбца «ФИО»" in response.get_data(as_text=True)
    assert [entry.full_name for entry in entries(database)] == ["Прежняя Запись"]


def test_a_register_over_five_thousand_rows_imports_nothing(client, make_user, login, database, organizations,
                                                            school_admin):
    member = teacher(make_user, "Семенова", organizations[0], email="o.semenova@school.example")
    login(school_admin)
    upload(client, "first.csv", register_csv("Прежняя Запись;Учитель;prev@school.example;"))
    rows = ["Семенова Ольга Игоревна;Учитель;o.semenova@school.example;"]
    rows += [f"Сотрудник{n} Иван;Учитель;s{n}@school.example;" for n in range(5_000)]
    response = upload(client, "staff.csv", register_csv(*rows))
    assert response.status_code == 400
    assert "В реестре больше 5 000 строк — это больше, чем работает в одной организации" in response.get_data(
        as_text=True)
    assert [entry.full_name for entry in entries(database)] == ["Прежняя Запись"]
    assert fresh(database, User, member.id).confirmed_at is None


def test_the_full_unregistered_list_is_paginated(client, make_user, login, database, organizations, school_admin):
    login(school_admin)
    rows = [f"Сотрудник{n:02d} Иван;Учитель;s{n}@school.example;" for n in range(60)]
    assert upload(client, "staff.csv", register_csv(*rows)).status_code == 302
    html = client.get("/school/staff").get_data(as_text=True)
    assert html.count("data-entry-line=") == 20 and "Весь список (60)" in html
    page = client.get("/school/staff/unregistered").get_data(as_text=True)
    assert page.count("data-entry-line=") == 50
    assert client.get("/school/staff/unregistered?page=2").get_data(as_text=True).count("data-entry-line=") == 10
