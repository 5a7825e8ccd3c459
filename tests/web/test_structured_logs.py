"""JSON log lines: one per record, request fields and an access line per request, nothing personal."""
import io
import json
import logging
import re

import pytest
from flask.logging import default_handler
from sqlalchemy import insert

from cpp_app import create_app
from cpp_app.config import TestingConfig
from cpp_app.extensions import db
from cpp_app.logging_setup import JsonFormatter
from cpp_app.models import User
from tests.factories import sign_in

EMAIL = "zasekrechennaya@school.example"
SURNAME = "Засекреченная"
SEARCH = "Шифровальщикова"


@pytest.fixture
def json_app(app, database, tmp_path):
    """An app logging as in production, over the test database; the root logger is put back afterwards."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    settings = TestingConfig.load()
    settings.update(SQLALCHEMY_DATABASE_URI=app.config["SQLALCHEMY_DATABASE_URI"], LOG_FORMAT="json",
                    PROPAGATE_EXCEPTIONS=False, MAIL_DIR=str(tmp_path / "mail"))
    json_app = create_app(settings)
    json_app.instance_path = str(tmp_path / "instance")

    @json_app.get("/test-only/duplicate-email")
    def duplicate_email():
        # The second insert fails with an IntegrityError whose SQL parameters (and PostgreSQL's DETAIL)
        # carry the e-mail and the surname; the error handler rolls both back.
        row = {"email": EMAIL, "password_hash": "x", "last_name": SURNAME, "first_name": "А", "role": "teacher"}
        db.session.execute(insert(User).values(row))
        db.session.execute(insert(User).values(row))

    yield json_app
    root.handlers[:] = handlers
    root.setLevel(level)
    with json_app.app_context():
        db.engine.dispose()


@pytest.fixture
def log_lines():
    """Everything logged during the test, formatted by the production formatter."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.addHandler(handler)
    yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    root.removeHandler(handler)


def json_handlers():
    return [h for h in logging.getLogger().handlers if isinstance(h.formatter, JsonFormatter)]


def test_json_format_installs_one_root_handler(json_app, tmp_path):
    assert len(json_handlers()) == 1 and logging.getLogger().level == logging.INFO
    assert default_handler not in json_app.logger.handlers  # app.logger's records reach the root handler once
    settings = TestingConfig.load()
    settings.update(SQLALCHEMY_DATABASE_URI=json_app.config["SQLALCHEMY_DATABASE_URI"], LOG_FORMAT="json")
    create_app(settings)  # a second app in the process (or gunicorn's logconfig having set one up) adds none
    assert len(json_handlers()) == 1


def test_access_lines_carry_request_fields_and_nothing_personal(json_app, make_user, log_lines):
    teacher = make_user(email=EMAIL, last_name=SURNAME)
    client = json_app.test_client()
    sign_in(client, teacher)

    response = client.get(f"/organizations/search?q={SEARCH}", headers={"X-Request-ID": "a" * 32})
    assert response.status_code == 200 and response.headers["X-Request-ID"] == "a" * 32
    client.get("/cabinet/profile", headers={"X-Request-ID": "<script>alert(1)</script>"})

    lines = log_lines()
    raw = json.dumps(lines, ensure_ascii=False)
    assert EMAIL not in raw and SURNAME not in raw and SEARCH not in raw and "q=" not in raw
    access = [line for line in lines if line["logger"] == "cpp_app.access"]
    assert [(line["method"], line["path"]) for line in access] == [
        ("GET", "/login"), ("POST", "/login"), ("GET", "/organizations/search"), ("GET", "/cabinet/profile"),
    ]
    search = access[2]
    assert search["endpoint"] == "organizations.search"
    assert search["status"] == 200 and search["level"] == "INFO"
    assert isinstance(search["duration_ms"], float) and search["duration_ms"] >= 0
    assert search["user_id"] == teacher.id
    assert search["request_id"] == "a" * 32
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", search["time"])
    assert search["message"] == "GET /organizations/search 200"
    assert access[0]["user_id"] is None  # before signing in
    assert re.fullmatch(r"[0-9a-f]{32}", access[3]["request_id"])  # a malformed id is replaced


def test_a_password_reset_token_is_never_logged(json_app, make_user, log_lines):
    from cpp_app.blueprints.auth.services import make_reset_token

    teacher = make_user(email=EMAIL, last_name=SURNAME)
    with json_app.app_context():
        token = make_reset_token(teacher)
    json_app.test_client().get(f"/password/reset/{token}")
    access = [line for line in log_lines() if line["logger"] == "cpp_app.access"]
    assert token not in json.dumps(access)
    assert [line["path"] for line in access] == ["/password/reset/<token>"]
    assert access[0]["message"] == "GET /password/reset/<token> 200"


def test_an_exception_is_logged_with_its_traceback_and_without_sql_parameters(json_app, log_lines):
    response = json_app.test_client().get("/test-only/duplicate-email?q=" + SEARCH)
    assert response.status_code == 500
    response = json_app.test_client().get("/test-only/duplicate-email")

    assert response.status_code == 500
    lines = log_lines()
    errors = [line for line in lines if line["level"] == "ERROR"]
    assert errors and all(line["path"] == "/test-only/duplicate-email" for line in errors)
    assert "Traceback" in errors[-1]["exception"] and "IntegrityError" in errors[-1]["exception"]
    raw = json.dumps(lines, ensure_ascii=False)
    assert EMAIL not in raw and SURNAME not in raw and SEARCH not in raw
    assert [line["status"] for line in lines if line["logger"] == "cpp_app.access"] == [500, 500]


def test_weasyprint_refusals_do_not_name_the_url(json_app, log_lines):
    from cpp_app.pdf import render_pdf

    with json_app.app_context():
        render_pdf(f'<html><body><img src="https://evil.example/{SEARCH}.png"><p>текст</p></body></html>')

    lines = log_lines()
    failed = [line for line in lines if line["logger"] == "weasyprint"]
    assert failed and failed[0]["message"].startswith("Failed to load image at <withheld>")
    raw = json.dumps(lines, ensure_ascii=False)
    assert SEARCH not in raw and "evil.example" not in raw and "exception" not in failed[0]


def test_query_strings_are_cut_from_any_message(json_app):
    """gunicorn quotes the request line of a request it refuses; the production handler cuts the query."""
    (handler,) = json_handlers()
    stream = io.StringIO()
    previous = handler.setStream(stream)
    try:
        logging.getLogger("gunicorn.error").warning(
            "Invalid request from ip=%s: %s", "127.0.0.1",
            f"Invalid HTTP request line: 'GET /organizations/search?q={SEARCH}&page=2 HTTP/1.1'",
        )
    finally:
        handler.setStream(previous)

    (line,) = [json.loads(text) for text in stream.getvalue().splitlines()]
    assert line["message"] == (
        "Invalid request from ip=127.0.0.1: Invalid HTTP request line: 'GET /organizations/search?<withheld> HTTP/1.1'"
    )
