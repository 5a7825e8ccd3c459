"""The cabinet's «Безопасность» tab and the admin's block: sessions end where they should, and only there."""
import re

import pytest
from sqlalchemy import select

from cpp_app.mail import outbox
from cpp_app.models import AuditEvent, AuthSession, Role, User, utcnow
from tests import factories
from tests.conftest import TEST_PASSWORD
from tests.conftest import extract_csrf as csrf_of_response
from tests.factories import is_signed_in

CHROME_WINDOWS = ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
                  "Chrome/124.0.0.0 Safari/537.36")
FIREFOX_ANDROID = "Mozilla/5.0 (Android 14; Mobile; rv:125.0) Gecko/125.0 Firefox/125.0"
NEW_PASSWORD = "Енисей-течёт-на-север-2026"


def signed_in(app, user, password=TEST_PASSWORD, user_agent=CHROME_WINDOWS, address="127.0.0.1"):
    """A client of its own signed in from a known browser and address."""
    return factories.signed_in(app, user, password, HTTP_USER_AGENT=user_agent, REMOTE_ADDR=address)


def extract_csrf(page) -> str:
    """The CSRF token of a response or of its HTML."""
    if isinstance(page, str):
        return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    return csrf_of_response(page)


def ended_message(client) -> str:
    response = client.get("/cabinet/")
    assert response.status_code == 302
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    return re.search(r"Сессия завершена[^<]*", html).group(0)


def actions(database, user) -> list[str]:
    return database.session.scalars(
        select(AuditEvent.action).where(AuditEvent.target_type == "users", AuditEvent.target_id == user.id)
        .order_by(AuditEvent.id)
    ).all()


def session_ids(html: str) -> list[int]:
    return [int(value) for value in re.findall(r'data-session-id="(\d+)"', html)]


@pytest.fixture
def teacher(make_user):
    return make_user(email="teacher@school.example")


def test_security_page_lists_live_sessions_with_this_device_marked(app, teacher, database):
    laptop = signed_in(app, teacher, address="10.0.0.5")
    phone = signed_in(app, teacher, user_agent=FIREFOX_ANDROID, address="10.0.0.6")
    ended = signed_in(app, teacher)
    ended.post("/logout", data={"csrf_token": extract_csrf(ended.get("/logout"))})

    html = laptop.get("/cabinet/security").get_data(as_text=True)
    assert len(session_ids(html)) == 2
    assert "Chrome, Windows" in html and "Firefox, Android" in html
    assert "10.0.0.5" in html and "10.0.0.6" in html
    assert html.count("это устройство") == 1
    rows = re.findall(r'<tr data-session-id="\d+">(.*?)</tr>', html, re.S)
    assert "это устройство" in rows[0] and "Chrome, Windows" in rows[0]  # this device first
    assert "Завершить сеанс" not in rows[0] and "Завершить сеанс" in rows[1]
    assert 'href="/cabinet/security"' in phone.get("/cabinet/").get_data(as_text=True)  # the tab


def test_ending_another_session_signs_that_device_out(app, teacher, database):
    laptop = signed_in(app, teacher)
    phone = signed_in(app, teacher, user_agent=FIREFOX_ANDROID)
    html = laptop.get("/cabinet/security").get_data(as_text=True)
    phone_session = session_ids(html)[1]
    response = laptop.post(f"/cabinet/security/sessions/{phone_session}/end", data={"csrf_token": extract_csrf(html)})
    assert response.status_code == 302
    assert is_signed_in(laptop)
    assert ended_message(phone).startswith("Сессия завершена: выполнен выход на этом или другом устройстве")
    assert actions(database, teacher)[-1] == "user.session_ended"


def test_another_users_session_or_the_current_one_is_404(app, teacher, make_user, database):
    stranger = make_user()
    stranger_client = signed_in(app, stranger)
    laptop = signed_in(app, teacher)
    html = laptop.get("/cabinet/security").get_data(as_text=True)
    token = extract_csrf(html)
    stranger_session = database.session.scalar(select(AuthSession.id).where(AuthSession.user_id == stranger.id))
    assert laptop.post(f"/cabinet/security/sessions/{stranger_session}/end", data={"csrf_token": token}).status_code == 404
    (own,) = session_ids(html)
    assert laptop.post(f"/cabinet/security/sessions/{own}/end", data={"csrf_token": token}).status_code == 404
    assert is_signed_in(stranger_client) and is_signed_in(laptop)


def test_sign_out_everywhere_asks_first_then_ends_every_session(app, teacher, database):
    laptop = signed_in(app, teacher)
    phone = signed_in(app, teacher, user_agent=FIREFOX_ANDROID)
    confirm = laptop.get("/cabinet/security/sign-out-everywhere")
    assert confirm.status_code == 200 and "Выйти на всех устройствах?" in confirm.get_data(as_text=True)
    assert is_signed_in(laptop) and is_signed_in(phone)  # the page itself ends nothing
    response = laptop.post("/cabinet/security/sign-out-everywhere", data={"csrf_token": extract_csrf(confirm)})
    assert response.status_code == 302 and response.headers["Location"] == "/login"
    assert "Вы вышли из ЦПП на всех устройствах" in laptop.get("/login").get_data(as_text=True)
    assert not is_signed_in(laptop)
    assert "выполнен выход" in ended_message(phone)
    assert all(session.revoked_at for session in database.session.scalars(select(AuthSession)))
    assert actions(database, teacher)[-1] == "user.signed_out_everywhere"


def change_password(client, current, new, confirm=None):
    token = extract_csrf(client.get("/cabinet/security"))
    return client.post("/cabinet/security/password", data={
        "current_password": current, "new_password": new, "new_password_confirm": confirm or new, "csrf_token": token})


def test_password_change_keeps_this_session_and_ends_the_others(app, teacher, database):
    laptop = signed_in(app, teacher)
    phone = signed_in(app, teacher, user_agent=FIREFOX_ANDROID)
    outbox().clear()
    response = change_password(laptop, TEST_PASSWORD, NEW_PASSWORD)
    assert response.status_code == 302
    assert "Пароль изменён. Сеансы на других устройствах завершены: 1." in \
        laptop.get("/cabinet/security").get_data(as_text=True)
    assert is_signed_in(laptop) and not is_signed_in(phone)
    (message,) = outbox()
    assert message["To"] == teacher.email and message["Subject"] == "Пароль в ЦПП изменён"
    assert "/password/forgot" in message.get_content()
    event = database.session.scalars(select(AuditEvent).where(AuditEvent.action == "user.password_changed")).one()
    assert event.details == {"sessions_ended": 1} and event.actor_id == teacher.id
    # The new password signs in, the old one does not.
    signed_in(app, teacher, password=NEW_PASSWORD)
    other = app.test_client()
    response = other.post("/login", data={"email": teacher.email, "password": TEST_PASSWORD,
                                          "csrf_token": extract_csrf(other.get("/login"))})
    assert response.status_code == 200


@pytest.mark.parametrize(("current", "new", "confirm", "field", "message"), [
    ("wrong-password-1", NEW_PASSWORD, None, "current_password", "Неверный текущий пароль."),
    (TEST_PASSWORD, "qwerty123", None, "new_password", "Этот пароль слишком распространён"),
    (TEST_PASSWORD, "teacher@school.example!", None, "new_password", "не должен совпадать с вашими личными данными"),
    (TEST_PASSWORD, TEST_PASSWORD, None, "new_password", "Новый пароль совпадает с текущим"),
    (TEST_PASSWORD, NEW_PASSWORD, NEW_PASSWORD + "x", "new_password_confirm", "Пароли не совпадают."),
])
def test_refused_password_change_says_why_next_to_the_field(app, teacher, database, current, new, confirm, field,
                                                            message):
    laptop = signed_in(app, teacher)
    phone = signed_in(app, teacher, user_agent=FIREFOX_ANDROID)
    hash_before = teacher.password_hash
    response = change_password(laptop, current, new, confirm)
    assert response.status_code == 200
    error = re.search(rf'<p class="error" id="{field}-error">([^<]*)</p>', response.get_data(as_text=True))
    assert error and message in error.group(1)
    database.session.expire_all()
    assert database.session.get(User, teacher.id).password_hash == hash_before
    assert is_signed_in(phone)
    assert "user.password_changed" not in actions(database, teacher)


# ------------------------------------------------------------------------------------- the admin's block


@pytest.fixture
def admin(app, make_user):
    return make_user(role=Role.ADMIN, email="admin@kipk.example")


def block(client, user, reason):
    token = extract_csrf(client.get(f"/admin/users/{user.id}"))
    return client.post(f"/admin/users/{user.id}/block", data={"reason": reason, "csrf_token": token})


def test_block_signs_the_user_out_at_once_and_unblock_lets_them_back(app, admin, teacher, database):
    teacher_browser = signed_in(app, teacher)
    operator = signed_in(app, admin)
    response = block(operator, teacher, "Учётная запись передана другому лицу")
    assert response.status_code == 302
    html = operator.get(f"/admin/users/{teacher.id}").get_data(as_text=True)
    assert "заблокирована, завершено сеансов: 1" in html
    assert "Учётная запись передана другому лицу" in html and "Разблокировать" in html
    assert "Учётная запись заблокирована: Учётная запись передана другому лицу" in html  # the history
    assert "учётная запись заблокирована" in ended_message(teacher_browser)
    database.session.expire_all()
    blocked = database.session.get(User, teacher.id)
    assert blocked.blocked_at is not None and blocked.block_reason == "Учётная запись передана другому лицу"
    event = database.session.scalars(select(AuditEvent).where(AuditEvent.action == "user.blocked")).one()
    assert event.actor_id == admin.id and event.details["reason"] == "Учётная запись передана другому лицу"

    response = operator.post(f"/admin/users/{teacher.id}/unblock", data={"csrf_token": extract_csrf(html)})
    assert response.status_code == 302
    database.session.expire_all()
    unblocked = database.session.get(User, teacher.id)
    assert unblocked.blocked_at is None and unblocked.block_reason is None
    assert actions(database, teacher)[-1] == "user.unblocked"
    assert is_signed_in(signed_in(app, teacher))


def test_block_needs_a_reason(app, admin, teacher, database):
    operator = signed_in(app, admin)
    response = block(operator, teacher, "   ")
    assert response.status_code == 200
    assert re.search(r'id="reason-error">Укажите причину блокировки.<', response.get_data(as_text=True))
    database.session.expire_all()
    assert database.session.get(User, teacher.id).blocked_at is None


def test_admin_cannot_block_themselves(app, admin, database):
    operator = signed_in(app, admin)
    html = operator.get(f"/admin/users/{admin.id}").get_data(as_text=True)
    assert "Заблокировать её может только другой администратор" in html
    response = block(operator, admin, "проверка")
    assert "Нельзя заблокировать собственную учётную запись." in response.get_data(as_text=True)
    assert is_signed_in(operator)


def test_withdrawn_consent_cannot_be_unblocked(app, admin, make_user, database):
    withdrawn = make_user(blocked_at=utcnow(), block_reason="Отзыв согласия", consent_withdrawn_at=utcnow())
    operator = signed_in(app, admin)
    html = operator.get(f"/admin/users/{withdrawn.id}").get_data(as_text=True)
    assert "Разблокировать" not in html
    response = operator.post(f"/admin/users/{withdrawn.id}/unblock", data={"csrf_token": extract_csrf(html)})
    assert "разблокировать учётную запись нельзя" in operator.get(response.headers["Location"]).get_data(as_text=True)
    database.session.expire_all()
    assert database.session.get(User, withdrawn.id).blocked_at is not None


@pytest.mark.parametrize("role", [Role.TEACHER, Role.METHODOLOGIST], ids=str)
def test_only_admins_block(app, make_user, teacher, role, database):
    client = signed_in(app, make_user(role=role))
    token = extract_csrf(client.get("/cabinet/"))
    assert client.post(f"/admin/users/{teacher.id}/block", data={"reason": "x", "csrf_token": token}).status_code == 404
    assert client.post(f"/admin/users/{teacher.id}/unblock", data={"csrf_token": token}).status_code == 404
    database.session.expire_all()
    assert database.session.get(User, teacher.id).blocked_at is None
