"""GET /healthz: 200 when the database (and Redis, when configured) answer, 503 otherwise."""
import pytest

from cpp_app.extensions import db
from tests.conftest import make_app

UNREACHABLE_DATABASE = "postgresql+psycopg://postgres@127.0.0.1:1/cpp"  # nothing listens on port 1


@pytest.fixture
def other_app(app, tmp_path):
    """An app like the test one but with changed settings; its engine is disposed afterwards."""
    apps = []

    def factory(**settings):
        created = make_app(settings.pop("SQLALCHEMY_DATABASE_URI", app.config["SQLALCHEMY_DATABASE_URI"]),
                           tmp_path / "instance")
        created.config.update(settings)
        apps.append(created)
        return created

    yield factory
    for created in apps:
        with created.app_context():
            db.engine.dispose()


def test_healthy(client):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json == {"status": "ok", "checks": {"database": "ok"}}  # nothing else, nothing personal
    assert response.headers["Cache-Control"] == "no-store"


def test_healthy_for_a_signed_in_user_too(client, make_user, login):
    login(make_user())
    response = client.get("/healthz")
    assert response.status_code == 200 and response.json["status"] == "ok"


def test_database_down(other_app, caplog):
    app = other_app(SQLALCHEMY_DATABASE_URI=UNREACHABLE_DATABASE)

    response = app.test_client().get("/healthz")

    assert response.status_code == 503
    assert response.json == {"status": "error", "checks": {"database": "error"}}
    assert response.headers["Cache-Control"] == "no-store"
    assert "health check failed: _ping_database (OperationalError)" in caplog.text
    assert "127.0.0.1:1" not in caplog.text  # the driver's message is not logged


def test_database_failing_after_start(client, monkeypatch):
    """A database that goes away while the service runs: the same probe, an engine that raises."""

    def refuse(*args, **kwargs):
        raise ConnectionRefusedError("database went away")

    monkeypatch.setattr(db.engine, "connect", refuse)
    response = client.get("/healthz")
    assert response.status_code == 503 and response.json["checks"] == {"database": "error"}


def test_redis_unreachable(other_app):
    app = other_app(RATELIMIT_STORAGE_URI="redis://127.0.0.1:1/0")

    response = app.test_client().get("/healthz")

    assert response.status_code == 503
    assert response.json == {"status": "error", "checks": {"database": "ok", "redis": "error"}}


def test_redis_reachable(other_app, monkeypatch):
    import redis

    pinged = []
    monkeypatch.setattr(redis.Redis, "ping", lambda self: pinged.append(self.connection_pool.connection_kwargs))
    app = other_app(RATELIMIT_STORAGE_URI="redis://127.0.0.1:6379/3")

    response = app.test_client().get("/healthz")

    assert response.status_code == 200
    assert response.json == {"status": "ok", "checks": {"database": "ok", "redis": "ok"}}
    assert pinged and pinged[0]["port"] == 6379 and pinged[0]["db"] == 3
