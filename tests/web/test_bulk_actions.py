"""Bulk work (issue 13): the director confirms several teachers at once after a summary, the methodologist verifies
several external courses at once after a summary, and a staff register is previewed before it replaces the old one."""
import io
import re

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from cpp_app.blueprints.school.register_import import read_register
from cpp_app.blueprints.school.services import staff_counts
from cpp_app.models import (
    AccountStatus,
    CourseRecord,
    FormStash,
    PlatformAccount,
    Role,
    StaffRegisterEntry,
    User,
    utcnow,
)
from tests.conftest import extract_csrf
from tests.factories import audit_events, external_course_record, fresh, text
from tests.web.test_school_staff import (
    account,
    audit_actions,
    check_register,
    entries,
    preview_token,
    register_csv,
    teacher,
    upload,
)

SUMMARY = "/school/staff/confirm-selected"


@pytest.fixture
def school_admin(make_user, organizations):
    return make_user(role=Role.SCHOOL_ADMIN, last_name="Директорова", email="director@school.example",
                     organization=organizations[0], confirmed_at=utcnow())


def summary_ids(page, kind: str) -> list[int]:
    return [int(value) for value in re.findall(rf'<(?:li|span) data-{kind}-id="(\d+)"', text(page))]


def ticked(*users) -> dict:
    return {"user_ids": [str(user.id) for user in users], "next": "/school/staff?state=pending"}


# ------------------------------------------------------------------------------------------- staff


def test_three_ticked_teachers_are_summarised_then_confirmed_in_one_action(client, make_user, login, database,
                                                                         organizations, platforms, school_admin):
    first = organizations[0]
    anna = teacher(make_user, "Аннова", first)
    boris = teacher(make_user, "Борисов", first)
    vera = teacher(make_user, "Верова", first, confirmed=True)
    untouched = teacher(make_user, "Нетронутая", first)
    sferum = account(database, anna, platforms["sferum"], AccountStatus.ACTIVE)
    school = account(database, vera, platforms["moya_shkola"], AccountStatus.REGISTERED)
    not_registered = account(database, boris, platforms["sferum"], AccountStatus.NOT_REGISTERED)
    login(school_admin)

    listing = client.get("/school/staff")
    html = text(listing)
    assert "Подтвердить выбранных" in html and "Выбрать все на странице" in html
    assert f'<label for="select-{anna.id}" class="sr-only">Выбрать: {anna.full_name}</label>' in html

    summary = client.get(SUMMARY, query_string=ticked(anna, boris, vera))
    assert summary.status_code == 200
    page = text(summary)
    assert summary_ids(summary, "user") == [anna.id, boris.id]  # employment: the two pending ones
    assert summary_ids(summary, "account") == [sferum.id, school.id]  # statuses, of the newly and already confirmed
    assert "Работа в организации:\n    2 педагога" in page and "Статусы на платформах:\n    2 статуса" in page
    assert "Сферум" in page and "Пока вы не нажмёте «Подтвердить», ничего не изменится." in page
    # Looking at the summary changes nothing.
    assert fresh(database, User, anna.id).confirmed_at is None
    assert staff_counts(first.id).confirmed == 2  # the director and Vera

    response = client.post(SUMMARY, data={**ticked(anna, boris, vera), "csrf_token": extract_csrf(summary)})
    assert response.status_code == 302 and response.headers["Location"].endswith("/school/staff?state=pending")
    after = text(client.get("/school/staff"))
    assert "Подтверждено: 2 педагога (работа в организации), 2 статуса на платформах." in after
    counts = staff_counts(first.id)
    assert (counts.confirmed, counts.pending) == (4, 1)
    assert counts.for_platform("sferum").active_confirmed == 1
    assert counts.for_platform("moya_shkola").registered_confirmed == 1
    assert '<dd data-count="pending">1</dd>' in after
    assert fresh(database, User, untouched.id).confirmed_at is None
    assert database.session.get(PlatformAccount, not_registered.id).confirmed_at is None
    saved = database.session.get(PlatformAccount, sferum.id)
    assert saved.confirmed_at is not None and saved.confirmed_by_id == school_admin.id
    # The same records as single confirmations write.
    actions = audit_actions(database)
    assert actions.count("staff.confirmed") == 2 and actions.count("staff.platform_confirmed") == 2


def test_foreign_and_stale_ids_are_skipped_and_reported(client, make_user, login, database, organizations,
                                                        platforms, school_admin):
    first, second = organizations
    ours = teacher(make_user, "Нашева", first)
    theirs = teacher(make_user, "Чужова", second)
    theirs_account = account(database, theirs, platforms["sferum"], AccountStatus.ACTIVE)
    login(school_admin)

    summary = client.get(SUMMARY, query_string={"user_ids": [str(ours.id), str(theirs.id), "99999", "x", "0"]})
    assert summary.status_code == 200
    assert summary_ids(summary, "user") == [ours.id]
    assert "Пропущено отмеченных: 2" in text(summary) and "Чужова" not in text(summary)

    response = client.post(SUMMARY, data={"user_ids": [str(ours.id), str(theirs.id)], "csrf_token": extract_csrf(summary)},
                           follow_redirects=True)
    page = text(response)
    assert "Подтверждено: 1 педагог (работа в организации)." in page
    assert "Пропущено отмеченных: 1" in page
    assert fresh(database, User, ours.id).confirmed_at is not None
    assert database.session.get(User, theirs.id).confirmed_at is None
    assert database.session.get(PlatformAccount, theirs_account.id).confirmed_at is None

    # Pressed again (a second tab, the back button): nothing left to do, said so, nothing written twice.
    response = client.post(SUMMARY, data={"user_ids": [str(ours.id)], "csrf_token": extract_csrf(summary)},
                           follow_redirects=True)
    assert "Подтверждать было нечего" in text(response)
    assert audit_actions(database).count("staff.confirmed") == 1
    only_settled = client.get(SUMMARY, query_string={"user_ids": [str(ours.id)]})
    assert "Подтверждать нечего." in text(only_settled) and 'action="/school/staff/confirm-selected"' not in text(only_settled)


def test_an_empty_or_oversized_selection_says_what_is_wrong(client, make_user, login, database, organizations,
                                                            school_admin):
    login(school_admin)
    response = client.get(SUMMARY, query_string={"next": "/school/staff?state=pending"})
    assert response.status_code == 302 and response.headers["Location"].endswith("/school/staff?state=pending")
    assert "Отметьте в списке хотя бы одного педагога." in text(client.get("/school/staff?state=pending"))

    response = client.get(SUMMARY, query_string={"user_ids": [str(n) for n in range(1, 202)]}, follow_redirects=True)
    assert "Выбрано слишком много сотрудников: не более 200 за раз." in text(response)
    token = extract_csrf(client.get("/school/staff"))
    response = client.post(SUMMARY, data={"csrf_token": token}, follow_redirects=True)
    assert "Отметьте в списке хотя бы одного педагога." in text(response)
    # Somewhere else than a staff page is not a place to return to.
    response = client.get(SUMMARY, query_string={"next": "https://evil.example/"})
    assert response.headers["Location"].endswith("/school/staff")


def test_bulk_confirmation_needs_the_csrf_token(client, make_user, login, database, organizations, school_admin):
    member = teacher(make_user, "Ожидаева", organizations[0])
    login(school_admin)
    before = audit_actions(database)
    assert client.post(SUMMARY, data={"user_ids": [str(member.id)]}).status_code == 400
    assert client.post(SUMMARY, data={"user_ids": [str(member.id)], "csrf_token": "forged"}).status_code == 400
    assert fresh(database, User, member.id).confirmed_at is None
    assert audit_actions(database) == before


def test_select_all_on_the_page_works_without_javascript(client, make_user, login, database, organizations,
                                                         school_admin):
    members = [teacher(make_user, f"Педагогова{n}", organizations[0]) for n in range(3)]
    login(school_admin)
    plain = text(client.get("/school/staff?state=pending"))
    assert plain.count('form="staff-bulk" checked') == 0
    link = re.search(r'<a href="([^"]+)" class="select-all"', plain).group(1).replace("&amp;", "&")
    assert link.startswith("/school/staff?") and set(link.split("?")[1].split("&")) == {"state=pending", "select=all"}
    everyone = text(client.get("/school/staff?state=pending&select=all"))
    assert everyone.count('form="staff-bulk" checked') == len(members)
    assert ">Снять выбор</a>" in everyone
    assert '<input type="hidden" name="next" value="/school/staff?state=pending">' in everyone


def test_the_staff_table_offers_its_downloads(client, login, school_admin):
    login(school_admin)
    page = text(client.get("/school/staff?state=pending"))
    assert ('Скачать: <a href="/school/staff.xlsx?state=pending">Excel (XLSX)</a>\n  · '
            '<a href="/school/staff.csv?state=pending">CSV</a>') in page


# ------------------------------------------------------------------------------------------- external courses


def test_methodologist_verifies_ticked_external_records_after_a_summary(database, make_user, methodologist,
                                                                        staff_client):
    teacher_user = make_user(last_name="Курсова")
    first = external_course_record(database, teacher_user, title="Первый курс")
    second = external_course_record(database, teacher_user, title="Второй курс")
    left = external_course_record(database, teacher_user, title="Оставленный курс")
    listing = text(staff_client.get("/admin/courses/external"))
    assert 'action="/admin/courses/external/check"' in listing and "Выбрать все на странице" in listing

    summary = staff_client.get("/admin/courses/external/check",
                               query_string={"record_ids": [str(first.id), str(second.id), "99999"]})
    assert summary.status_code == 200
    page = text(summary)
    assert sorted(int(i) for i in re.findall(r'<tr data-record-id="(\d+)"', page)) == [first.id, second.id]
    assert "Будут отмечены проверенными 2 записи." in page and "Пропущено отмеченных: 1 запись" in page
    fresh(database)
    assert database.session.get(CourseRecord, first.id).verified_at is None  # the summary changes nothing

    response = staff_client.post("/admin/courses/external/verify", data={
        "csrf_token": extract_csrf(summary), "record_ids": [str(first.id), str(second.id)]}, follow_redirects=True)
    assert "Отмечено проверенными: 2 записи." in text(response)
    fresh(database)
    assert all(database.session.get(CourseRecord, r.id).verified_by_id == methodologist.id for r in (first, second))
    assert database.session.get(CourseRecord, left.id).verified_at is None
    assert len(audit_events(database, "course.record_verified")) == 2

    response = staff_client.get("/admin/courses/external/check", follow_redirects=True)
    assert "Отметьте хотя бы одну запись." in text(response)
    stale = staff_client.get("/admin/courses/external/check", query_string={"record_ids": [str(first.id)]})
    assert "Отмечать нечего" in text(stale)


def test_external_select_all_without_javascript(database, make_user, staff_client):
    records = [external_course_record(database, make_user(), title=f"Курс {n}") for n in range(2)]
    page = text(staff_client.get("/admin/courses/external?select=all"))
    assert page.count('" checked></td>') == len(records)


# ------------------------------------------------------------------------------------------- register


def test_replacing_the_register_shows_the_changes_first_and_changes_nothing_until_confirmed(
        client, make_user, login, database, organizations, school_admin):
    pending = teacher(make_user, "Семенова", organizations[0], email="o.semenova@school.example")
    login(school_admin)
    assert upload(client, "old.csv", register_csv(
        "Остающаяся Анна;Учитель;stay@school.example;",
        "Меняющаяся Вера;Учитель;vera@school.example;",
        "Уходящий Пётр;Учитель;petr@school.example;",
    )).status_code == 302
    before = [(entry.full_name, entry.position) for entry in entries(database)]
    preview = check_register(client, "new.csv", register_csv(
        "Остающаяся Анна;Учитель;stay@school.example;",
        "Меняющаяся Вера;Завуч;vera@school.example;",
        "Новая Галина;Учитель;galina@school.example;",
        "Семёнова Ольга;Учитель;o.semenova@school.example;",
    ))
    assert preview.status_code == 200
    page = text(preview)
    assert "Заменить реестр сотрудников?" in page
    counts = dict(re.findall(r'<dd data-count="(\w+)">(\d+)</dd>', page))
    assert counts == {"added": "2", "removed": "1", "changed": "1", "unchanged": "1"}
    assert "Будут подтверждены как сотрудники организации" in page and "Семенова" in page
    # Nothing has changed yet.
    assert [(entry.full_name, entry.position) for entry in entries(database)] == before
    assert fresh(database, User, pending.id).confirmed_at is None

    token, csrf = preview_token(preview), extract_csrf(preview)
    response = client.post("/school/staff/import/apply", data={"csrf_token": csrf, "token": token})
    assert response.status_code == 302
    assert [entry.full_name for entry in entries(database)][-1] == "Семёнова Ольга"
    assert len(entries(database)) == 4
    assert fresh(database, User, pending.id).confirmed_at is not None
    # The token is spent: pressing again loads nothing twice.
    response = client.post("/school/staff/import/apply", data={"csrf_token": csrf, "token": token},
                           follow_redirects=True)
    assert "Проверка реестра устарела" in text(response)
    assert audit_actions(database).count("staff.register_imported") == 2


def test_cancel_a_stale_or_foreign_preview_changes_nothing(app, client, make_user, login, database, organizations,
                                                           school_admin):
    from tests.factories import signed_in

    login(school_admin)
    upload(client, "old.csv", register_csv("Прежняя Запись;Учитель;prev@school.example;"))
    first_preview = check_register(client, "a.csv", register_csv("Первая Запись;Учитель;a@school.example;"))
    assert "Добавятся" in text(first_preview)

    # Another admin of the same school cannot load this admin's preview.
    colleague = make_user(role=Role.SCHOOL_ADMIN, email="deputy@school.example", organization=organizations[0])
    other = signed_in(app, colleague)
    response = other.post("/school/staff/import/apply", data={
        "csrf_token": extract_csrf(other.get("/school/staff")), "token": preview_token(first_preview)})
    assert response.status_code == 302 and response.headers["Location"].endswith("/school/staff/import")
    assert [entry.full_name for entry in entries(database)] == ["Прежняя Запись"]

    # A register loaded after the preview makes it stale.
    upload(client, "b.csv", register_csv("Вторая Запись;Учитель;b@school.example;"))
    response = client.post("/school/staff/import/apply", data={
        "csrf_token": extract_csrf(first_preview), "token": preview_token(first_preview)}, follow_redirects=True)
    assert "Проверка реестра устарела" in text(response)
    assert [entry.full_name for entry in entries(database)] == ["Вторая Запись"]

    # «Отмена» drops the kept file.
    preview = check_register(client, "c.csv", register_csv("Третья Запись;Учитель;c@school.example;"))
    response = client.post("/school/staff/import/apply", data={
        "csrf_token": extract_csrf(preview), "token": preview_token(preview), "cancel": "1"}, follow_redirects=True)
    assert "Реестр не загружен: ничего не изменено." in text(response)
    assert [entry.full_name for entry in entries(database)] == ["Вторая Запись"]
    assert database.session.scalar(select(func.count(FormStash.id)).where(FormStash.user_id == school_admin.id)) == 0


def test_the_register_template_downloads_and_imports_as_is(client, login, school_admin):
    login(school_admin)
    assert "/school/staff/import/template.xlsx" in text(client.get("/school/staff/import"))
    response = client.get("/school/staff/import/template.xlsx")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.data)).active
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert rows[0] == ["ФИО", "Email", "Телефон", "Должность"] and len(rows) == 2
    [record] = read_register(io.BytesIO(response.data), "template.xlsx")
    assert (record.full_name, record.email, record.phone) == ("Иванова Мария Петровна", "ivanova@example.ru",
                                                              "+79123456789")
    csv_template = client.get("/school/staff/import/template.csv")
    assert len(read_register(io.BytesIO(csv_template.data), "template.csv")) == 1
    assert client.get("/school/staff/import/template.pdf").status_code == 404


def test_a_person_on_the_register_gets_a_prepared_invitation(app, client, make_user, login, database, organizations,
                                                             monkeypatch, school_admin):
    monkeypatch.setitem(app.config, "PUBLIC_URL", "https://cpp.kipk.example")
    registered = teacher(make_user, "Семенова", organizations[0], email="o.semenova@school.example")
    login(school_admin)
    upload(client, "staff.csv", register_csv("Новенькая Ксения Павловна;Учитель;ksenia@school.example;",
                                             "Семенова Ольга;Учитель;o.semenova@school.example;"))
    entry_ids = {entry.full_name: entry.id for entry in entries(database)}
    unregistered = text(client.get("/school/staff/unregistered"))
    assert f'/school/staff/unregistered/{entry_ids["Новенькая Ксения Павловна"]}/invite' in unregistered

    page = text(client.get(f'/school/staff/unregistered/{entry_ids["Новенькая Ксения Павловна"]}/invite'))
    assert "Здравствуйте, Ксения Павловна!" in page
    assert "https://cpp.kipk.example/register" in page and "http://localhost" not in page
    assert "ksenia@school.example" in page and 'href="mailto:ksenia@school.example?subject=' in page
    # Someone already registered, another school's row or no row at all: nothing to invite.
    assert fresh(database, StaffRegisterEntry, entry_ids["Семенова Ольга"]).user_id == registered.id
    assert client.get(f'/school/staff/unregistered/{entry_ids["Семенова Ольга"]}/invite').status_code == 404
    foreign = StaffRegisterEntry(organization_id=organizations[1].id, line=2, full_name="Чужая Анна")
    database.session.add(foreign)
    database.session.commit()
    assert client.get(f"/school/staff/unregistered/{foreign.id}/invite").status_code == 404
