"""Shared fixtures: one database per run (SQLite or PostgreSQL), emptied and re-seeded around each test."""
import contextlib
import os
import tempfile
import uuid
from pathlib import Path

import pytest
from flask.testing import FlaskClient
from sqlalchemy import bindparam, create_engine, text
from sqlalchemy.engine import make_url

from cpp_app import create_app
from cpp_app.config import TestingConfig

BACKEND = os.environ.get("CPP_TEST_DATABASE", "sqlite")
PG_SERVER_URL = os.environ.get("CPP_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
TEST_PASSWORD = "Krasnoyarsk-teacher-2026"


def pytest_report_header(config):
    return f"database backend: {BACKEND}"


@contextlib.contextmanager
def temporary_database_url():
    """An empty database of the backend under test, dropped afterwards."""
    if BACKEND == "sqlite":
        with tempfile.TemporaryDirectory() as directory:
            yield f"sqlite:///{Path(directory) / 'test.sqlite3'}"
    elif BACKEND == "postgresql":
        name = f"cpp_test_{uuid.uuid4().hex[:10]}"
        server = create_engine(PG_SERVER_URL, isolation_level="AUTOCOMMIT")
        with server.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        try:
            yield make_url(PG_SERVER_URL).set(database=name).render_as_string(hide_password=False)
        finally:
            with server.connect() as connection:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            server.dispose()
    else:
        raise pytest.UsageError(f"CPP_TEST_DATABASE must be sqlite or postgresql, not {BACKEND!r}")


def make_app(database_url: str, instance_dir: Path):
    settings = TestingConfig.load()
    settings.update(
        SQLALCHEMY_DATABASE_URI=database_url,
        MAIL_DIR=str(instance_dir / "mail"),
        SERVER_NAME=None,
    )
    app = create_app(settings)
    app.instance_path = str(instance_dir)  # uploads from tests must not land in the repository's instance/
    return app


class FreshContextClient(FlaskClient):
    """Each request gets its own app context (and so its own `g` and session), as in production."""

    def open(self, *args, **kwargs):
        with self.application.app_context():
            return super().open(*args, **kwargs)


@pytest.fixture(scope="session")
def app(tmp_path_factory):
    from flask_migrate import upgrade

    with temporary_database_url() as url:
        app = make_app(url, tmp_path_factory.mktemp("instance"))
        app.test_client_class = FreshContextClient
        with app.app_context():
            upgrade()
        yield app
        with app.app_context():
            from cpp_app.extensions import db

            db.engine.dispose()


def _empty_all_tables(db):
    # DELETE rather than TRUNCATE on PostgreSQL too: a TRUNCATE of every table writes and syncs new files, ~0.2 s a
    # test; the few rows a test leaves are gone in milliseconds.
    with db.engine.begin() as connection:
        for table in reversed(db.metadata.sorted_tables):
            connection.execute(table.delete())


def _seed_reference_data(app, db):
    """The reference seeds: run once per session, then copied back row for row before each test (the seeding's
    lookups and upserts cost ~0.2 s a test, the copy a few milliseconds). Ids are kept, and PostgreSQL's sequences
    set past them, so every test sees the same rows with the same ids, as after a fresh seeding."""
    from cpp_app.seeding import seed_reference_data

    rows = app.extensions.get("cpp_test_reference_rows")
    if rows is None:
        seed_reference_data()
        db.session.commit()
        with db.engine.connect() as connection:
            rows = {table: [dict(row._mapping) for row in connection.execute(table.select())]
                    for table in db.metadata.sorted_tables}
        app.extensions["cpp_test_reference_rows"] = rows
        return
    with db.engine.begin() as connection:
        for table, table_rows in rows.items():
            # A row may point at a later row of its own table (a branch at its head): those links come second.
            own = [key.parent.name for key in table.foreign_keys if key.column.table is table]
            if table_rows:
                connection.execute(table.insert(), [{**row, **dict.fromkeys(own)} for row in table_rows])
            links = [{"row_id": row["id"], **{name: row[name] for name in own}}
                     for row in table_rows if any(row[name] is not None for name in own)]
            if links:
                connection.execute(table.update().where(table.c.id == bindparam("row_id"))
                                   .values({name: bindparam(name) for name in own}), links)
        if connection.dialect.name == "postgresql":
            for table in rows:
                if "id" in table.c and table.c.id.autoincrement is not False and table.c.id.primary_key:
                    connection.execute(text(
                        f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                        f"COALESCE((SELECT MAX(id) FROM \"{table.name}\"), 0) + 1, false)"))


def _assert_staff_tallies_current(db):
    """Whatever a test changed, the staff tallies must agree with a count of the rows (school/tallies.py)."""
    from cpp_app.blueprints.school.tallies import drift

    assert drift(db.session) == {}, "the staff tallies differ from a count of the rows"
    db.session.rollback()


@pytest.fixture
def database(app):
    """An app context over a database holding only the reference seeds."""
    from cpp_app.extensions import db, limiter

    with app.app_context():
        _seed_reference_data(app, db)
        yield db
        db.session.rollback()
        try:
            _assert_staff_tallies_current(db)
        finally:
            db.session.remove()
            _empty_all_tables(db)
        app.extensions.pop("cpp_mail_outbox", None)
        limiter.reset()


@pytest.fixture
def client(app, database):
    return app.test_client()


@pytest.fixture
def make_user(database):
    """Creates a user with consent to the current document and returns it (see tests.factories.Users)."""
    from tests.factories import Users

    return Users(database)


@pytest.fixture
def uploads_dir(app, tmp_path, monkeypatch):
    """Uploaded files go to a throw-away instance folder, never the repository's; the certificates' folder."""
    monkeypatch.setattr(app, "instance_path", str(tmp_path))
    return tmp_path / "uploads" / "certificates"


@pytest.fixture
def organizations(database):
    """The first two organisations of the seeded registry."""
    from tests.factories import registry_organization

    return registry_organization(database), registry_organization(database, 1)


@pytest.fixture
def platforms(database):
    """The seeded platforms by code."""
    from tests.factories import platforms_by_code

    return platforms_by_code(database)


@pytest.fixture
def district(database):
    from tests.factories import municipality

    return municipality(database, "Тестовый муниципальный район")


@pytest.fixture
def school(database, district):
    """A school of its own in the test district, with no staff yet."""
    from tests.factories import organization

    return organization(database, district, "МБОУ Тестовая СОШ № 1")


@pytest.fixture
def director(make_user, school):
    """The school admin of `school`, confirmed by the school."""
    from cpp_app.models import Role, utcnow

    return make_user(role=Role.SCHOOL_ADMIN, email="director@school.example", organization=school,
                     confirmed_at=utcnow(), last_name="Директорова")


@pytest.fixture
def methodologist(make_user):
    from cpp_app.models import Role

    return make_user(role=Role.METHODOLOGIST, email="metod@kipk.example", last_name="Методистова")


@pytest.fixture
def signed_in_methodologist(methodologist, login):
    """The methodologist, signed in on the test's `client`."""
    login(methodologist)
    return methodologist


@pytest.fixture
def staff_client(app, methodologist):
    """A client of its own signed in as the methodologist."""
    from tests.factories import signed_in

    return signed_in(app, methodologist)


def extract_csrf(response) -> str:
    import re

    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', response.get_data(as_text=True))
    assert match, "the page has no CSRF token"
    return match.group(1)


def take_login_code(app, email: str) -> str:
    """The code of the newest sign-in mail to `email`, taken out of the memory outbox so tests counting mail are unaffected."""
    import re

    outbox = app.extensions.get("cpp_mail_outbox", [])
    message = next(m for m in reversed(outbox) if m["To"] == email and m["Subject"] == "Код для входа в ЦПП")
    outbox.remove(message)
    return re.search(r"^Код: (\d{6})$", message.get_content(), re.MULTILINE).group(1)


def complete_second_factor(client, email: str, response):
    """Methodologists and admins stop at /login/code after the password: type the mailed code."""
    if response.status_code != 302 or not response.headers["Location"].startswith("/login/code"):
        return response
    token = extract_csrf(client.get("/login/code"))
    return client.post("/login/code", data={"code": take_login_code(client.application, email), "csrf_token": token})


@pytest.fixture
def login(client):
    """Signs a user in on the test's `client`: login(user, password=…, remember=…)."""
    from tests.factories import sign_in

    def sign_in_on_client(user, password=TEST_PASSWORD, remember=False):
        sign_in(client, user, password, remember)

    return sign_in_on_client
