"""Methodologists and admins confirm every sign-in with a one-time code mailed to them."""
import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from cpp_app.mail import outbox
from cpp_app.models import AuditEvent, AuthSession, LoginCode, Role, User, utcnow
from tests.conftest import TEST_PASSWORD, extract_csrf, take_login_code
from tests.factories import text


def post_password(client, user, next_url=None, **extra):
    path = "/login" + (f"?next={next_url}" if next_url else "")
    data = {"email": user.email, "password": TEST_PASSWORD, "csrf_token": extract_csrf(client.get("/login")), **extra}
    return client.post(path, data=data)


def post_code(client, code):
    return client.post("/login/code", data={"code": code, "csrf_token": extract_csrf(client.get("/login/code"))})


def copy_of(app, client):
    """Another browser holding the same cookies (a stolen or replayed cookie)."""
    other = app.test_client()
    for cookie in client._cookies.values():
        other.set_cookie(cookie.key, cookie.value, domain=cookie.domain)
    return other


def wrong(code: str) -> str:
    return f"{(int(code) + 1) % 1_000_000:06d}"


def test_staff_sign_in_waits_for_the_mailed_code(app, client, methodologist, database):
    response = post_password(client, methodologist, next_url="/monitoring/")
    assert response.status_code == 302 and response.headers["Location"] == "/login/code"
    assert database.session.scalar(select(func.count(AuthSession.id))) == 0
    (message,) = outbox()
    body = message.get_content()
    assert message["To"] == "metod@kipk.example" and message["Subject"] == "Код для входа в ЦПП"
    code = re.search(r"^Код: (\d{6})$", body, re.MULTILINE).group(1)
    assert "http" not in body
    stored = database.session.scalars(select(LoginCode)).one()
    assert code not in stored.code_hash and len(stored.code_hash) == 64

    page = text(client.get("/login/code"))
    assert '<label for="code">Код из письма</label>' in page and 'name="code"' in page
    assert ">Войти</button>" in page and "Отправить код ещё раз" in page

    response = post_code(client, code)
    assert response.status_code == 302 and response.headers["Location"] == "/monitoring/"
    assert client.get("/monitoring/").status_code == 200
    event = database.session.scalars(select(AuditEvent).where(AuditEvent.action == "user.signed_in")).one()
    assert event.target_id == methodologist.id and event.actor_id == methodologist.id
    assert event.details["second_factor"] == "email_code"


def test_admins_need_the_code_too_and_remember_me_survives_it(client, make_user, database):
    admin = make_user(role=Role.ADMIN)
    assert post_password(client, admin, remember="y").headers["Location"] == "/login/code"
    response = post_code(client, take_login_code(client.application, admin.email))
    assert response.status_code == 302
    assert client.get_cookie("remember_token") is not None
    assert database.session.scalars(select(AuthSession)).one().remember


@pytest.mark.parametrize("role", [Role.TEACHER, Role.SCHOOL_ADMIN], ids=str)
def test_teachers_and_school_admins_are_not_asked_for_a_code(client, make_user, database, role):
    user = make_user(role=role)
    response = post_password(client, user)
    assert response.status_code == 302 and response.headers["Location"] == "/"
    assert outbox() == [] and database.session.scalar(select(func.count(LoginCode.id))) == 0
    event = database.session.scalars(select(AuditEvent).where(AuditEvent.action == "user.signed_in")).one()
    assert "second_factor" not in event.details


def test_pending_sign_in_opens_no_page(app, client, methodologist):
    post_password(client, methodologist)
    for path in ("/cabinet/", "/cabinet/security", "/monitoring/", "/review/", "/admin/methodologies"):
        response = client.get(path)
        assert response.status_code == 302 and response.headers["Location"].startswith("/login"), path
    assert "Войти" in text(client.get("/"))
    # The same cookie elsewhere gets no further either.
    assert copy_of(app, client).get("/cabinet/").status_code == 302


def test_wrong_code_is_told_next_to_the_field_with_tries_left(client, methodologist, database):
    post_password(client, methodologist)
    code = take_login_code(client.application, methodologist.email)
    response = post_code(client, wrong(code))
    assert response.status_code == 200
    assert re.search(r'<p class="error" id="code-error">Неверный код. Осталось попыток: 4.</p>', text(response))
    assert database.session.scalars(select(LoginCode.attempts)).one() == 1
    assert "Код состоит из 6 цифр." in text(post_code(client, "12345"))
    assert post_code(client, " ".join(code)).status_code == 302  # spaces pasted with the code are fine


def test_used_up_attempts_send_back_to_the_login_page(client, methodologist, database):
    post_password(client, methodologist)
    code = take_login_code(client.application, methodologist.email)
    for tries_left in (4, 3, 2, 1):
        assert f"Осталось попыток: {tries_left}." in text(post_code(client, wrong(code)))
    response = post_code(client, wrong(code))
    assert response.status_code == 302 and response.headers["Location"] == "/login"
    assert "Слишком много неверных попыток ввода кода" in text(client.get("/login"))
    # The right code is useless now, and the pending sign-in is gone.
    response = client.post("/login/code", data={"code": code, "csrf_token": extract_csrf(client.get("/login"))})
    assert response.headers["Location"] == "/login"
    assert database.session.scalar(select(func.count(AuthSession.id))) == 0
    actions = database.session.scalars(
        select(AuditEvent.action).where(AuditEvent.target_type == "users", AuditEvent.target_id == methodologist.id)
    ).all()
    assert "user.login_code_exhausted" in actions and "user.signed_in" not in actions


def test_expired_code_sends_back_to_the_login_page(client, methodologist, database):
    post_password(client, methodologist)
    code = take_login_code(client.application, methodologist.email)
    database.session.execute(update(LoginCode).values(expires_at=utcnow() - timedelta(seconds=1)))
    database.session.commit()
    response = post_code(client, code)
    assert response.status_code == 302 and response.headers["Location"] == "/login"
    assert "Срок действия кода истёк" in text(client.get("/login"))
    assert database.session.scalar(select(func.count(AuthSession.id))) == 0


def test_code_works_once(app, client, methodologist, database):
    post_password(client, methodologist)
    replay = copy_of(app, client)  # holds the same pending sign-in
    code = take_login_code(client.application, methodologist.email)
    assert post_code(client, code).status_code == 302
    response = post_code(replay, code)
    assert response.headers["Location"] == "/login"
    assert replay.get("/cabinet/").status_code == 302
    assert database.session.scalar(select(func.count(AuthSession.id))) == 1


def test_a_new_code_replaces_the_old_one(app, client, methodologist):
    post_password(client, methodologist)
    before_resend = copy_of(app, client)
    old_code = take_login_code(client.application, methodologist.email)
    response = client.post("/login/code/resend", data={"csrf_token": extract_csrf(client.get("/login/code"))})
    assert response.headers["Location"] == "/login/code"
    assert "Мы отправили новый код" in text(client.get("/login/code"))
    new_code = take_login_code(client.application, methodologist.email)
    assert post_code(before_resend, old_code).headers["Location"] == "/login"
    assert post_code(client, new_code).status_code == 302
    assert client.get("/cabinet/").status_code == 200


def test_resend_is_rate_limited(client, methodologist):
    post_password(client, methodologist)
    token = extract_csrf(client.get("/login/code"))
    statuses = [client.post("/login/code/resend", data={"csrf_token": token}).status_code for _ in range(4)]
    assert statuses == [302, 302, 302, 429]


def test_code_checks_are_rate_limited_per_account_whatever_the_address(app, client, methodologist):
    app.config["LOGIN_CODE_MAX_ATTEMPTS"] = 100
    try:
        post_password(client, methodologist)
        code = take_login_code(client.application, methodologist.email)
        token = extract_csrf(client.get("/login/code"))
        statuses = []
        for number in range(11):
            client.environ_base["REMOTE_ADDR"] = f"10.0.0.{number + 1}"
            statuses.append(client.post("/login/code", data={"code": wrong(code), "csrf_token": token}).status_code)
    finally:
        app.config["LOGIN_CODE_MAX_ATTEMPTS"] = 5
    assert set(statuses[:10]) == {200} and statuses[10] == 429


def test_codes_per_hour_are_capped(client, methodologist, database):
    for _ in range(10):
        assert post_password(client, methodologist).headers["Location"] == "/login/code"
    response = post_password(client, methodologist)
    assert response.status_code == 200
    assert "Слишком много запросов кода для входа за последний час" in text(response)
    assert database.session.scalar(select(func.count(LoginCode.id))) == 10


def test_user_blocked_while_typing_the_code_is_not_signed_in(client, methodologist, database):
    post_password(client, methodologist)
    code = take_login_code(client.application, methodologist.email)
    database.session.get(User, methodologist.id).blocked_at = utcnow()
    database.session.commit()
    response = post_code(client, code)
    assert response.headers["Location"] == "/login"
    assert "Учётная запись заблокирована" in text(client.get("/login"))


def test_code_page_without_a_password_first_sends_to_login(client):
    response = client.get("/login/code")
    assert response.status_code == 302 and response.headers["Location"] == "/login"
    assert "после этого мы пришлём код" in text(client.get("/login"))
