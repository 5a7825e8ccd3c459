"""What every bench script needs: a throw-away PostgreSQL database and the app with a bare baseline route."""
import os
import sys
import uuid
from contextlib import contextmanager
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import create_engine, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

SERVER_URL = os.environ.get("CPP_BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")


@contextmanager
def bench_database():
    name = f"cpp_bench_{uuid.uuid4().hex[:10]}"
    server = create_engine(SERVER_URL, isolation_level="AUTOCOMMIT")
    with server.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(SERVER_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        with server.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        server.dispose()


def make_app(url: str, instance: Path):
    from cpp_app import create_app
    from cpp_app.config import TestingConfig

    settings = TestingConfig.load()
    settings.update(SQLALCHEMY_DATABASE_URI=url, MAIL_DIR=str(instance / "mail"), SERVER_NAME=None,
                    RATELIMIT_ENABLED=False)
    app = create_app(settings)
    # The baseline: a route of the same app, through the same hooks (session, consent gate, headers), doing nothing.
    app.add_url_rule("/bench-baseline", "bench_baseline", lambda: "ok")
    return app
