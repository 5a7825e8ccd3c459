"""The cabinet's platforms page and the set_account service behind it."""
import re
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from cpp_app.blueprints.cabinet.profile_services import account_history, local_today, set_account
from cpp_app.kernel.actor import Actor
from cpp_app.models import AccountStatus, Platform, PlatformAccount, PlatformAccountEvent, Role, utcnow
from cpp_app.service_errors import FieldErrors
from tests.conftest import extract_csrf
from tests.factories import platforms_in_order

REGISTERED, ACTIVE, NOT_REGISTERED = AccountStatus.REGISTERED, AccountStatus.ACTIVE, AccountStatus.NOT_REGISTERED


def by_code(database, code: str) -> Platform:
    return database.session.scalar(select(Platform).where(Platform.code == code))


def accounts(database, user) -> dict[str, PlatformAccount]:
    database.session.expire_all()
    rows = database.session.scalars(select(PlatformAccount).where(PlatformAccount.user_id == user.id))
    return {account.platform.code: account for account in rows}


def events(database, user) -> list[PlatformAccountEvent]:
    database.session.expire_all()
    return list(database.session.scalars(
        select(PlatformAccountEvent).join(PlatformAccountEvent.account)
        .where(PlatformAccount.user_id == user.id).order_by(PlatformAccountEvent.id)
    ))


def form_data(client, database, **rows):
    """The page's form as rendered, with some rows changed: code=(status, since, link) or code=status."""
    page = client.get("/cabinet/platforms").get_data(as_text=True)
    data = {"csrf_token": extract_csrf(client.get("/cabinet/platforms"))}
    for platform in platforms_in_order(database):
        prefix = f"platform-{platform.id}-"
        chosen = re.search(rf'<select[^>]*name="{prefix}status".*?<option selected value="([^"]+)"', page, re.S)
        since = re.search(rf'<input[^>]*name="{prefix}since"[^>]*value="([^"]*)"', page)
        link = re.search(rf'<input[^>]*name="{prefix}profile_url"[^>]*value="([^"]*)"', page)
        data[prefix + "status"] = chosen.group(1)
        data[prefix + "since"] = since.group(1) if since else ""
        data[prefix + "profile_url"] = link.group(1).replace("&amp;", "&") if link else ""
        change = rows.get(platform.code)
        if change is not None:
            status, since_value, link_value = change if isinstance(change, tuple) else (change, "", "")
            data.update({prefix + "status": str(status), prefix + "since": since_value, prefix + "profile_url": link_value})
    return data


def test_one_labelled_row_per_platform_in_order(client, make_user, login, database):
    login(make_user())
    html = client.get("/cabinet/platforms").get_data(as_text=True)
    legends = re.findall(r'<fieldset class="platform-row"[^>]*>\s*<legend>([^<]+)</legend>', html)
    assert legends == [p.name for p in platforms_in_order(database)]
    for platform in platforms_in_order(database):
        for field, label in (("status", "Статус"), ("since", "С какого времени"), ("profile_url", "Ссылка на профиль")):
            field_id = f"platform-{platform.id}-{field}"
            label_html = re.search(rf'<label for="{field_id}">([^<]*)', html)
            assert label_html, field_id
            assert label_html.group(1).startswith(f"{label}: ")
            assert label_html.group(1).strip() == f"{label}: {platform.name}"
    # Every visible control of the page has a label tied to it.
    for control in re.findall(r'<(?:input|select)\b[^>]*>', html):
        if 'type="hidden"' in control:
            continue
        control_id = re.search(r'id="([^"]+)"', control).group(1)
        assert f'<label for="{control_id}"' in html, control
    assert "Изменений пока не было" in html
    for status in AccountStatus:
        assert status.label in html


def test_saving_records_accounts_and_history(client, make_user, login, database):
    teacher = make_user()
    login(teacher)
    since = (local_today() - timedelta(days=400)).isoformat()
    response = client.post("/cabinet/platforms", data=form_data(
        client, database, sferum=(ACTIVE, since, "https://sferum.ru/?p=profile&id=42"), resh=REGISTERED))
    assert response.status_code == 302 and response.headers["Location"] == "/cabinet/platforms"
    saved = accounts(database, teacher)
    assert set(saved) == {"sferum", "resh"}  # untouched platforms get no rows
    assert saved["sferum"].status == ACTIVE and saved["sferum"].since.isoformat() == since
    assert saved["sferum"].profile_url == "https://sferum.ru/?p=profile&id=42"
    assert saved["resh"].status == REGISTERED and saved["resh"].since is None
    history = events(database, teacher)
    assert [(e.account.platform.code, e.from_status, e.to_status, e.changed_by_id) for e in history] == [
        ("sferum", None, ACTIVE, teacher.id), ("resh", None, REGISTERED, teacher.id)]

    html = client.get("/cabinet/platforms").get_data(as_text=True)
    assert "новый статус подтвердит администратор" in html
    table = html[html.index('id="history"'):]
    assert table.count("<tr>") == 3  # header + two changes
    assert "не отмечено → активно использую" in table and "вы" in table
    assert f"(с {date.fromisoformat(since).strftime('%d.%m.%Y')})" in table

    # Saving again without changes writes no history.
    client.post("/cabinet/platforms", data=form_data(client, database))
    assert len(events(database, teacher)) == 2
    # The overview now counts them.
    overview = client.get("/cabinet/").get_data(as_text=True)
    assert re.search(r"Зарегистрированы на платформах</dt><dd>2 из", overview)
    assert re.search(r"Активно используете</dt><dd>1 из", overview)


def test_date_change_is_history_and_keeps_the_confirmation(client, make_user, login, database):
    teacher = make_user()
    school_admin = make_user(role=Role.SCHOOL_ADMIN, last_name="Директорова")
    sferum = by_code(database, "sferum")
    database.session.add(PlatformAccount(user_id=teacher.id, platform_id=sferum.id, status=REGISTERED,
                                         since=date(2024, 9, 1), confirmed_at=utcnow(), confirmed_by_id=school_admin.id))
    database.session.commit()
    login(teacher)
    html = client.get("/cabinet/platforms").get_data(as_text=True)
    row = html[html.index(f'id="platform-{sferum.id}"'):html.index(f'id="platform-{sferum.id + 1}"')]
    assert "подтверждено организацией" in row
    client.post("/cabinet/platforms", data=form_data(client, database, sferum=(REGISTERED, "2024-02-01", "")))
    account = accounts(database, teacher)["sferum"]
    assert account.since == date(2024, 2, 1) and account.confirmed_at is not None
    (event,) = events(database, teacher)
    assert (event.from_status, event.to_status, event.since) == (REGISTERED, REGISTERED, date(2024, 2, 1))
    assert "зарегистрирован: изменена дата" in client.get("/cabinet/platforms").get_data(as_text=True)


def test_status_change_needs_a_new_confirmation(client, make_user, login, database):
    teacher = make_user()
    school_admin = make_user(role=Role.SCHOOL_ADMIN)
    sferum, resh = by_code(database, "sferum"), by_code(database, "resh")
    for platform in (sferum, resh):
        database.session.add(PlatformAccount(user_id=teacher.id, platform_id=platform.id, status=REGISTERED,
                                             confirmed_at=utcnow(), confirmed_by_id=school_admin.id))
    database.session.commit()
    login(teacher)
    client.post("/cabinet/platforms", data=form_data(client, database, sferum=ACTIVE))
    saved = accounts(database, teacher)
    assert saved["sferum"].status == ACTIVE
    assert saved["sferum"].confirmed_at is None and saved["sferum"].confirmed_by_id is None
    assert saved["resh"].confirmed_at is not None  # the row left alone keeps its confirmation
    html = client.get("/cabinet/platforms").get_data(as_text=True)
    row = html[html.index(f'id="platform-{sferum.id}"'):html.index(f'id="platform-{sferum.id + 1}"')]
    assert "ожидает подтверждения от организации" in row and "подтверждено организацией" not in row


def test_not_registered_keeps_no_date_or_link(client, make_user, login, database):
    teacher = make_user()
    login(teacher)
    link = "https://resh.edu.ru/office/user/1"
    client.post("/cabinet/platforms", data=form_data(client, database, resh=(REGISTERED, "2023-05-05", link)))
    client.post("/cabinet/platforms", data=form_data(client, database, resh=(NOT_REGISTERED, "2023-05-05", link)))
    account = accounts(database, teacher)["resh"]
    assert (account.status, account.since, account.profile_url) == (NOT_REGISTERED, None, None)
    history = [(e.from_status, e.to_status) for e in events(database, teacher)]
    assert history == [(None, REGISTERED), (REGISTERED, NOT_REGISTERED)]


@pytest.mark.parametrize(
    ("code", "link", "message"),
    [
        ("sferum", "http://sferum.ru/profile", "https://"),
        ("sferum", "https://sferum.ru@evil.example/", "имя пользователя"),
        ("sferum", "https://evil.example/sferum.ru", "sferum.ru"),
        ("sferum", "javascript:alert(document.cookie)", "https://"),
        ("vk_messenger", "https://sferum.ru/profile", "vk.me, vk.com, vk.ru"),
        ("resh", "https://resh.edu.ru:8080/", "порта"),
    ],
)
def test_bad_link_is_refused_next_to_its_field_and_nothing_is_saved(client, make_user, login, database, code, link, message):
    teacher = make_user()
    login(teacher)
    platform = by_code(database, code)
    response = client.post("/cabinet/platforms", data=form_data(
        client, database, **{code: (REGISTERED, "2022-01-10", link)}, kiasuo=ACTIVE))
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    error = re.search(rf'<p class="error" id="platform-{platform.id}-profile_url-error">([^<]*)</p>', html)
    assert error and message in error.group(1)
    assert "Изменения не сохранены" in html
    # The typed values stay on the page, the other rows' too.
    assert 'value="2022-01-10"' in html
    kiasuo = by_code(database, "kiasuo")
    assert re.search(rf'name="platform-{kiasuo.id}-status".*?<option selected value="active"', html, re.S)
    assert accounts(database, teacher) == {} and events(database, teacher) == []


def test_a_good_link_is_kept_with_the_host_lower_cased(client, make_user, login, database):
    teacher = make_user()
    login(teacher)
    client.post("/cabinet/platforms", data=form_data(client, database, vk_messenger=(ACTIVE, "", "https://VK.com/id777")))
    assert accounts(database, teacher)["vk_messenger"].profile_url == "https://vk.com/id777"


@pytest.mark.parametrize(
    ("since", "message"),
    [((local_today() + timedelta(days=1)).isoformat(), "Дата не может быть в будущем"),
     ("31.02.2024", "ДД.ММ.ГГГГ"),
     ("вчера", "ДД.ММ.ГГГГ")],
)
def test_bad_date_is_refused(client, make_user, login, database, since, message):
    teacher = make_user()
    login(teacher)
    sferum = by_code(database, "sferum")
    response = client.post("/cabinet/platforms", data=form_data(client, database, sferum=(REGISTERED, since, "")))
    assert re.search(rf'id="platform-{sferum.id}-since-error">[^<]*{message}', response.get_data(as_text=True))
    assert accounts(database, teacher) == {}


def test_a_date_typed_without_a_picker_is_understood(client, make_user, login, database):
    teacher = make_user()
    login(teacher)
    client.post("/cabinet/platforms", data=form_data(client, database, sferum=(REGISTERED, "01.09.2024", "")))
    assert accounts(database, teacher)["sferum"].since == date(2024, 9, 1)


def test_missing_csrf_token_keeps_the_input(client, make_user, login, database):
    teacher = make_user()
    login(teacher)
    data = form_data(client, database, sferum=(ACTIVE, "2021-03-04", "https://sferum.ru/me"))
    del data["csrf_token"]
    response = client.post("/cabinet/platforms", data=data)
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "Введённые данные сохранены ниже" in html
    assert 'value="2021-03-04"' in html and 'value="https://sferum.ru/me"' in html
    assert accounts(database, teacher) == {} and events(database, teacher) == []


def test_history_shows_the_latest_twenty_of_my_own_changes(client, make_user, login, database):
    teacher = make_user()
    other = make_user(last_name="Посторонняя")
    sferum = by_code(database, "sferum")
    for index in range(25):
        set_account(teacher, sferum, ACTIVE if index % 2 else REGISTERED, None, None, Actor(teacher.id, None, None))
    set_account(other, by_code(database, "gosuslugi"), ACTIVE, None, "https://www.gosuslugi.ru/other-person",
                Actor(other.id, None, None))
    database.session.commit()
    assert len(account_history(teacher)) == 20
    assert account_history(teacher)[0].id > account_history(teacher)[-1].id

    login(teacher)
    html = client.get("/cabinet/platforms").get_data(as_text=True)
    table = html[html.index('id="history"'):]
    assert table.count("<tr>") == 21
    assert "Госуслуги" not in table and "other-person" not in html and "Посторонняя" not in html


def test_field_names_cannot_reach_another_users_account(client, make_user, login, database):
    other = make_user()
    sferum = by_code(database, "sferum")
    database.session.add(PlatformAccount(user_id=other.id, platform_id=sferum.id, status=ACTIVE))
    database.session.commit()
    other_account_id = accounts(database, other)["sferum"].id
    teacher = make_user()
    login(teacher)
    data = form_data(client, database, sferum=NOT_REGISTERED)
    data[f"platform-{other_account_id}-status"] = NOT_REGISTERED.value  # an account id is not a platform id here
    data["user_id"] = str(other.id)
    client.post("/cabinet/platforms", data=data)
    assert accounts(database, other)["sferum"].status == ACTIVE
    assert events(database, other) == []


# --------------------------------------------------------------------------------------- the service


def test_set_account_guards_its_input(make_user, database):
    teacher = make_user()
    actor = Actor(teacher.id, "127.0.0.1", None)
    sferum = by_code(database, "sferum")
    with pytest.raises(FieldErrors) as refusal:
        set_account(teacher, sferum, REGISTERED, local_today() + timedelta(days=1), "https://evil.example/", actor)
    assert set(refusal.value.errors) == {"since", "profile_url"}
    assert database.session.scalar(select(func.count(PlatformAccount.id))) == 0

    assert set_account(teacher, sferum, NOT_REGISTERED, None, None, actor) is None  # nothing to record
    event = set_account(teacher, sferum, "registered", date(2025, 1, 1), None, actor)
    assert (event.from_status, event.to_status, event.changed_by_id, event.confirmed) == (None, REGISTERED, teacher.id, False)
    assert set_account(teacher, sferum, REGISTERED, date(2025, 1, 1), "https://sferum.ru/x", actor) is None  # link only
    assert accounts(database, teacher)["sferum"].profile_url == "https://sferum.ru/x"
