from datetime import timedelta

from sqlalchemy import select

from cpp_app.mail import outbox
from cpp_app.models import AuthSession, LoginThrottle, User, utcnow
from tests.conftest import TEST_PASSWORD, extract_csrf


def post_login(client, email, password, **extra):
    return client.post(
        "/login", data={"email": email, "password": password, "csrf_token": extract_csrf(client.get("/login")), **extra}
    )


def logout(client):
    token = extract_csrf(client.get("/logout"))
    return client.post("/logout", data={"csrf_token": token})


def test_sign_in_and_out(client, make_user):
    make_user(email="teacher@school.example")
    response = post_login(client, "Teacher@School.example", TEST_PASSWORD)
    assert response.status_code == 302 and response.headers["Location"] == "/"
    assert "Выйти" in client.get("/", follow_redirects=True).get_data(as_text=True)
    response = logout(client)
    assert response.status_code == 302
    assert "Войти" in client.get("/", follow_redirects=True).get_data(as_text=True)


def test_wrong_password_message(client, make_user):
    make_user(email="teacher@school.example")
    html = post_login(client, "teacher@school.example", "wrong-password").get_data(as_text=True)
    assert "Неверный адрес электронной почты или пароль." in html
    assert 'value="teacher@school.example"' in html


def test_copied_cookie_stops_working_after_logout(app, client, make_user):
    make_user(email="teacher@school.example")
    post_login(client, "teacher@school.example", TEST_PASSWORD, remember="y")
    stolen = app.test_client()
    for cookie in client._cookies.values():
        stolen.set_cookie(cookie.key, cookie.value, domain=cookie.domain)
    assert "Выйти" in stolen.get("/", follow_redirects=True).get_data(as_text=True)
    logout(client)
    html = stolen.get("/", follow_redirects=True).get_data(as_text=True)
    assert "Выйти" not in html and "Войти" in html


def test_remember_me_sets_a_lasting_cookie(client, make_user, database):
    make_user(email="teacher@school.example")
    response = post_login(client, "teacher@school.example", TEST_PASSWORD, remember="y")
    assert "remember_token=" in " ".join(response.headers.getlist("Set-Cookie"))
    session = database.session.scalar(select(AuthSession))
    assert session.expires_at > utcnow() + timedelta(days=29)


def test_blocked_user_cannot_sign_in_and_is_signed_out(client, make_user, database):
    user = make_user(email="teacher@school.example")
    post_login(client, "teacher@school.example", TEST_PASSWORD)
    user = database.session.get(User, user.id)
    user.blocked_at = utcnow()
    database.session.commit()
    assert "Войти" in client.get("/", follow_redirects=True).get_data(as_text=True)
    html = post_login(client, "teacher@school.example", TEST_PASSWORD).get_data(as_text=True)
    assert "Учётная запись заблокирована" in html


def test_repeated_failures_are_slowed_then_refused(client, make_user, database):
    make_user(email="teacher@school.example")
    for _ in range(4):
        post_login(client, "teacher@school.example", "wrong-password")
    html = post_login(client, "teacher@school.example", TEST_PASSWORD).get_data(as_text=True)
    assert "Подождите" in html  # even the right password waits
    throttle = database.session.get(LoginThrottle, "email:teacher@school.example|ip:127.0.0.1")
    throttle.failures = 10
    throttle.last_failure_at = utcnow()
    database.session.commit()
    html = post_login(client, "teacher@school.example", TEST_PASSWORD).get_data(as_text=True)
    assert "Вход временно заблокирован" in html
    throttle.last_failure_at = utcnow() - timedelta(minutes=16)
    database.session.commit()
    assert post_login(client, "teacher@school.example", TEST_PASSWORD).status_code == 302


def test_unknown_addresses_are_counted_too(client, database):
    for _ in range(5):
        post_login(client, "nobody@school.example", "whatever-password")
    assert database.session.get(LoginThrottle, "email:nobody@school.example").failures >= 4


def test_a_simultaneous_first_failure_is_counted_not_a_500(client, make_user, database, monkeypatch):
    from cpp_app.blueprints.auth import services

    user = make_user()
    real_check = services.check_password

    def check_while_a_parallel_request_fails(candidate, password):
        # The other request's failure lands between our read of the counters and our write.
        with database.engine.begin() as connection:
            connection.execute(LoginThrottle.__table__.insert().values(
                key=f"email:{user.email}", failures=1, last_failure_at=utcnow()))
        return real_check(candidate, password)

    monkeypatch.setattr(services, "check_password", check_while_a_parallel_request_fails)
    response = post_login(client, user.email, "not-the-password")
    assert response.status_code == 200 and "Неверный адрес электронной почты или пароль." in response.get_data(as_text=True)
    database.session.expire_all()
    assert database.session.get(LoginThrottle, f"email:{user.email}").failures == 2


def test_next_parameter_stays_on_site(client, make_user):
    make_user(email="teacher@school.example")
    token = extract_csrf(client.get("/login"))
    response = client.post(
        "/login?next=https://evil.example/", data={"email": "teacher@school.example", "password": TEST_PASSWORD, "csrf_token": token}
    )
    assert response.headers["Location"] == "/"


def test_password_reset_by_single_use_link(client, make_user, database):
    make_user(email="teacher@school.example")
    token = extract_csrf(client.get("/password/forgot"))
    response = client.post("/password/forgot", data={"email": "teacher@school.example", "csrf_token": token})
    assert response.status_code == 302
    (message,) = outbox()
    link = next(line for line in message.get_content().splitlines() if "/password/reset/" in line).strip()
    path = link[link.index("/password/reset/"):]
    token = extract_csrf(client.get(path))
    new_password = "Новый-пароль-для-ЦПП"
    response = client.post(path, data={"password": new_password, "password_confirm": new_password, "csrf_token": token})
    assert response.status_code == 302
    assert post_login(client, "teacher@school.example", new_password).status_code == 302
    logout(client)
    response = client.get(path)
    assert response.status_code == 302 and response.headers["Location"].endswith("/password/forgot")


def test_password_reset_for_unknown_address_says_the_same(client):
    token = extract_csrf(client.get("/password/forgot"))
    response = client.post("/password/forgot", data={"email": "nobody@school.example", "csrf_token": token}, follow_redirects=True)
    assert "Если этот адрес зарегистрирован" in response.get_data(as_text=True)
    assert outbox() == []


def test_tampered_or_expired_reset_link_refused(app, client, make_user):
    from cpp_app.blueprints.auth.services import make_reset_token

    user = make_user(email="teacher@school.example")
    with app.test_request_context():
        token = make_reset_token(user)
    assert client.get(f"/password/reset/{token}x").status_code == 302
    app.config["PASSWORD_RESET_MAX_AGE"] = -1
    try:
        assert client.get(f"/password/reset/{token}").status_code == 302
    finally:
        app.config["PASSWORD_RESET_MAX_AGE"] = 3600


def test_password_reset_ends_other_sessions(app, client, make_user):
    from cpp_app.blueprints.auth.services import make_reset_token

    user = make_user(email="teacher@school.example")
    post_login(client, "teacher@school.example", TEST_PASSWORD)
    with app.test_request_context():
        token = make_reset_token(user)
    other = app.test_client()
    path = f"/password/reset/{token}"
    csrf = extract_csrf(other.get(path))
    other.post(path, data={"password": "Новый-пароль-для-ЦПП", "password_confirm": "Новый-пароль-для-ЦПП", "csrf_token": csrf})
    assert "Войти" in client.get("/", follow_redirects=True).get_data(as_text=True)


def test_argon2_hash_rehashed_when_parameters_rise(app, client, make_user, database):
    user = make_user(email="teacher@school.example")
    old_hash = user.password_hash
    app.extensions.pop("cpp_password_hasher", None)
    app.config["ARGON2_TIME_COST"] = 2
    try:
        post_login(client, "teacher@school.example", TEST_PASSWORD)
    finally:
        app.config["ARGON2_TIME_COST"] = 1
        app.extensions.pop("cpp_password_hasher", None)
    database.session.expire_all()
    new_hash = database.session.get(User, user.id).password_hash
    assert new_hash != old_hash and "t=2" in new_hash


def test_password_reset_requests_are_rate_limited(app, client):
    statuses = []
    for _ in range(11):
        token = extract_csrf(client.get("/password/forgot"))
        statuses.append(client.post("/password/forgot", data={"email": "a@school.example", "csrf_token": token}))
    assert all(response.status_code == 302 for response in statuses[:10])
    assert statuses[10].status_code == 429
    assert "Слишком много запросов" in statuses[10].get_data(as_text=True)
