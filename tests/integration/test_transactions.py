"""One commit per request, and mail only after it: a failed request sends nothing, a slow mail server locks nothing."""
import smtplib

import pytest
from sqlalchemy import create_engine, select, text

from cpp_app import create_app
from cpp_app.config import TestingConfig
from cpp_app.extensions import csrf, db
from cpp_app.kernel.transaction import after_commit, on_rollback
from cpp_app.mail import outbox, send_mail
from cpp_app.models import User
from tests.conftest import TEST_PASSWORD, extract_csrf

NEW_PASSWORD = "Новый-пароль-Енисей-2026"


@pytest.fixture
def probe_app(app, database, tmp_path):
    """An app over the test database with routes that change a user and ask for mail, then succeed or fail."""
    settings = TestingConfig.load()
    settings.update(SQLALCHEMY_DATABASE_URI=app.config["SQLALCHEMY_DATABASE_URI"], PROPAGATE_EXCEPTIONS=False,
                    MAIL_DIR=str(tmp_path / "mail"))
    probe = create_app(settings)

    def rename(user_id: int, name: str) -> None:
        db.session.get(User, user_id).settlement = name
        db.session.flush()
        send_mail("teacher@school.example", "Проверка", "…")

    @probe.post("/test-only/<int:user_id>/succeed")
    @csrf.exempt
    def succeed(user_id):
        rename(user_id, "Абан")
        return "ok"

    @probe.post("/test-only/<int:user_id>/fail")
    @csrf.exempt
    def fail(user_id):
        rename(user_id, "Ачинск")
        raise RuntimeError("a failure after the mail was asked for")

    @probe.post("/test-only/<int:user_id>/refuse")
    @csrf.exempt
    def refuse(user_id):
        rename(user_id, "Канск")
        return "refused", 400

    yield probe
    with probe.app_context():
        db.engine.dispose()


def settlement(database, user) -> str:
    database.session.expire_all()
    return database.session.get(User, user.id).settlement


def test_a_request_commits_once_after_its_view_and_only_then_mails(probe_app, database, make_user):
    user = make_user(settlement="Красноярск")
    client = probe_app.test_client()
    assert client.post(f"/test-only/{user.id}/fail").status_code == 500
    assert settlement(database, user) == "Красноярск" and probe_app.extensions.get("cpp_mail_outbox", []) == []
    assert client.post(f"/test-only/{user.id}/refuse").status_code == 400
    assert settlement(database, user) == "Красноярск" and probe_app.extensions.get("cpp_mail_outbox", []) == []
    assert client.post(f"/test-only/{user.id}/succeed").status_code == 200
    assert settlement(database, user) == "Абан"
    assert [m["Subject"] for m in probe_app.extensions["cpp_mail_outbox"]] == ["Проверка"]


def test_effects_wait_for_the_outermost_commit_and_a_rollback_runs_the_undo(database):
    done = []
    after_commit(lambda: done.append("mail"))
    on_rollback(lambda: done.append("undo"))
    with database.session.begin_nested():
        pass  # a released savepoint is not the commit
    assert done == []
    database.session.commit()
    assert done == ["mail"]
    after_commit(lambda: done.append("never"))
    on_rollback(lambda: done.append("undo"))
    database.session.rollback()
    assert done == ["mail", "undo"]


def test_a_failing_effect_is_logged_by_kind_and_keeps_the_commit(database, make_user, caplog):
    user = make_user(settlement="Красноярск")

    def broken():
        raise ConnectionRefusedError(111, "refused by teacher@school.example")

    database.session.get(User, user.id).settlement = "Абан"
    after_commit(broken)
    database.session.commit()
    assert settlement(database, user) == "Абан"
    assert "ConnectionRefusedError" in caplog.text and "teacher@school.example" not in caplog.text


def test_a_slow_mail_server_holds_no_lock_on_the_user(app, client, database, make_user, login, monkeypatch):
    """The password change mails its owner; while the mail server dawdles, another connection can write the row."""
    user = make_user()
    old_hash = user.password_hash
    login(user)
    other = create_engine(app.config["SQLALCHEMY_DATABASE_URI"], connect_args=(
        {"timeout": 0.5} if database.engine.dialect.name == "sqlite" else {}))
    writes = []

    class DawdlingServer:
        def __init__(self, *args, **kwargs):
            pass

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return False

        def send_message(self, message):
            with other.begin() as connection:
                if connection.dialect.name == "postgresql":
                    connection.execute(text("SET LOCAL lock_timeout = '500ms'"))
                connection.execute(text("UPDATE users SET settlement = 'Абан' WHERE id = :id"), {"id": user.id})
            writes.append(message["Subject"])

    monkeypatch.setattr(smtplib, "SMTP", DawdlingServer)
    monkeypatch.setitem(app.config, "MAIL_BACKEND", "smtp")
    token = extract_csrf(client.get("/cabinet/security"))
    response = client.post("/cabinet/security/password", data={
        "current_password": TEST_PASSWORD, "new_password": NEW_PASSWORD, "new_password_confirm": NEW_PASSWORD,
        "csrf_token": token})
    assert response.status_code == 302
    assert writes == ["Пароль в ЦПП изменён"]  # the other connection was not blocked by the request
    database.session.expire_all()
    changed = database.session.scalar(select(User).where(User.id == user.id))
    assert changed.settlement == "Абан" and changed.password_hash != old_hash
    other.dispose()
    assert outbox() == []  # the smtp backend was used
