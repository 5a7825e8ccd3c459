"""Sign-in lifetimes: idle and absolute ends, remember-me, the «Сессия завершена» message, no-store, housekeeping."""
from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from cpp_app.models import AuthSession, LoginCode, LoginThrottle, Role, utcnow
from tests.conftest import TEST_PASSWORD, extract_csrf
from tests.factories import is_signed_in, signed_in


def only_session(database) -> AuthSession:
    database.session.expire_all()
    return database.session.scalars(select(AuthSession)).one()


def shift(database, **moments):
    """Moves the one session's timestamps into the past, as if time had passed."""
    database.session.execute(update(AuthSession).values(**moments))
    database.session.commit()


def test_session_ends_after_two_idle_hours_with_a_clear_message(app, make_user, database):
    client = signed_in(app, make_user())
    shift(database, last_seen_at=utcnow() - timedelta(minutes=121))
    response = client.get("/cabinet/profile")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Сессия завершена: ЦПП долго не использовался на этом устройстве (дольше 2 ч)" in html
    assert "Войдите, чтобы открыть эту страницу." not in html
    # The dead token is forgotten: later visits are plain anonymous ones.
    response = client.get("/cabinet/")
    assert "Сессия завершена" not in client.get(response.headers["Location"]).get_data(as_text=True)


def test_activity_keeps_the_session_and_is_recorded_at_most_once_a_minute(app, make_user, database):
    client = signed_in(app, make_user())
    seen_at_sign_in = only_session(database).last_seen_at
    assert is_signed_in(client)
    assert only_session(database).last_seen_at == seen_at_sign_in  # within the minute: no write
    shift(database, last_seen_at=utcnow() - timedelta(minutes=119))
    assert is_signed_in(client)
    assert only_session(database).last_seen_at > utcnow() - timedelta(minutes=1)
    shift(database, last_seen_at=utcnow() - timedelta(minutes=119))
    assert is_signed_in(client)  # idle time counts from the last request, not from sign-in


def test_absolute_end_ends_even_an_active_session(app, make_user, database):
    client = signed_in(app, make_user())
    session = only_session(database)
    assert not session.remember
    assert timedelta(hours=11, minutes=59) < session.expires_at - session.created_at <= timedelta(hours=12)
    shift(database, expires_at=utcnow() - timedelta(seconds=1))
    response = client.get("/cabinet/")
    assert "Сессия завершена: истёк срок действия входа" in client.get(response.headers["Location"]).get_data(as_text=True)


def test_remember_me_lasts_30_days_and_tolerates_two_weeks_of_absence(app, make_user, database):
    client = signed_in(app, make_user(), remember=True)
    session = only_session(database)
    assert session.remember and session.expires_at - session.created_at > timedelta(days=29, hours=23)
    # The browser was closed: only the remember cookie is left.
    client.delete_cookie("session")
    shift(database, last_seen_at=utcnow() - timedelta(days=13))
    assert is_signed_in(client)
    shift(database, last_seen_at=utcnow() - timedelta(days=14, minutes=1))
    client.delete_cookie("session")
    response = client.get("/cabinet/")
    assert response.status_code == 302
    assert "(дольше 14 дн.)" in client.get(response.headers["Location"]).get_data(as_text=True)
    assert client.get_cookie("remember_token") is None  # the dead cookie is cleared too


def test_remember_cookie_expires_with_the_session(app, make_user):
    client = app.test_client()
    user = make_user()
    response = client.post("/login", data={"email": user.email, "password": TEST_PASSWORD, "remember": "y",
                                           "csrf_token": extract_csrf(client.get("/login"))})
    cookie = client.get_cookie("remember_token")
    assert response.status_code == 302 and cookie is not None
    assert timedelta(days=29) < cookie.expires - utcnow().replace(tzinfo=cookie.expires.tzinfo) <= timedelta(days=30)


def test_logout_ends_the_session_record(app, make_user, database):
    client = signed_in(app, make_user())
    client.post("/logout", data={"csrf_token": extract_csrf(client.get("/logout"))})
    assert only_session(database).revoked_at is not None


def static_free_get_routes(app):
    for rule in app.url_map.iter_rules():
        if "GET" in rule.methods and rule.endpoint != "static" and not rule.arguments:
            yield rule.rule


@pytest.mark.parametrize("role", [Role.TEACHER, Role.SCHOOL_ADMIN, Role.METHODOLOGIST, Role.ADMIN], ids=str)
def test_every_page_a_signed_in_user_opens_is_no_store(app, make_user, role):
    client = signed_in(app, make_user(role=role))
    opened = 0
    for path in static_free_get_routes(app):
        response = client.get(path)
        if response.status_code == 200:
            opened += 1
            assert "no-store" in response.headers.get("Cache-Control", ""), path
    assert opened >= 5


def test_housekeeping_removes_only_what_decides_nothing(app, make_user, database):
    user = make_user()
    now = utcnow()
    database.session.add_all([
        LoginThrottle(key="email:old@school.example", failures=3, last_failure_at=now - timedelta(hours=2)),
        LoginThrottle(key="email:fresh@school.example", failures=3, last_failure_at=now - timedelta(minutes=5)),
        AuthSession(user_id=user.id, token_hash="a" * 64, created_at=now, last_seen_at=now,
                    expires_at=now + timedelta(hours=12)),
        AuthSession(user_id=user.id, token_hash="b" * 64, created_at=now - timedelta(days=40),
                    last_seen_at=now - timedelta(days=40), expires_at=now - timedelta(days=39, hours=12)),
        AuthSession(user_id=user.id, token_hash="c" * 64, created_at=now - timedelta(days=31),
                    last_seen_at=now - timedelta(days=31), expires_at=now + timedelta(hours=1),
                    revoked_at=now - timedelta(days=31)),
        AuthSession(user_id=user.id, token_hash="d" * 64, created_at=now - timedelta(days=2),
                    last_seen_at=now - timedelta(days=2), expires_at=now - timedelta(days=1, hours=12)),
        LoginCode(user_id=user.id, code_hash="e" * 64, created_at=now - timedelta(days=3),
                  expires_at=now - timedelta(days=3)),
        LoginCode(user_id=user.id, code_hash="f" * 64, created_at=now, expires_at=now + timedelta(minutes=10)),
    ])
    database.session.commit()
    result = app.test_cli_runner().invoke(args=["housekeeping"])
    assert result.exit_code == 0, result.output
    assert "счётчиков неудачных входов — 1, завершённых сеансов — 2, кодов входа — 1" in result.output
    database.session.expire_all()
    assert database.session.scalars(select(LoginThrottle.key)).all() == ["email:fresh@school.example"]
    assert sorted(database.session.scalars(select(AuthSession.token_hash))) == ["a" * 64, "d" * 64]
    assert database.session.scalar(select(func.count(LoginCode.id))) == 1


def test_successful_sign_ins_leave_no_throttle_rows(app, make_user, database):
    user = make_user()
    signed_in(app, user)
    assert database.session.scalar(select(func.count()).select_from(LoginThrottle)) == 0


def test_sign_in_posts_are_rate_limited_per_address(app, client):
    token = extract_csrf(client.get("/login"))
    statuses = [client.post("/login", data={"email": f"nobody{n}@school.example", "password": "x" * 10,
                                            "csrf_token": token}).status_code for n in range(31)]
    assert set(statuses[:30]) == {200} and statuses[30] == 429
    other_address = app.test_client()
    other_address.environ_base["REMOTE_ADDR"] = "10.1.2.3"
    assert other_address.get("/login").status_code == 200


def test_registration_posts_are_rate_limited(client):
    token = extract_csrf(client.get("/register"))
    statuses = [client.post("/register", data={"csrf_token": token}).status_code for _ in range(21)]
    assert set(statuses[:20]) == {200} and statuses[20] == 429
    assert "Слишком много запросов" in client.post("/register", data={"csrf_token": token}).get_data(as_text=True)
