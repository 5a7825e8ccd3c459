"""What every bench script needs: a throw-away PostgreSQL database and the app with a bare baseline route."""
import argparse
import json
import os
import re
import statistics
import sys
import time
import uuid
from contextlib import contextmanager
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import create_engine, event, text  # noqa: E402
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


# ------------------------------------------------------------------------------------------ measuring and reporting

PASSWORD = "Bench-password-2026"
CSRF = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


def sign_in(app, client, email: str, password: str = PASSWORD) -> None:
    """Signs `client` in as a person would, with the mailed code for the institute's staff (second factor)."""
    token = CSRF.search(client.get("/login").get_data(as_text=True)).group(1)
    response = client.post("/login", data={"email": email, "password": password, "csrf_token": token})
    if response.headers.get("Location", "").startswith("/login/code"):
        token = CSRF.search(client.get("/login/code").get_data(as_text=True)).group(1)
        letter = app.extensions["cpp_mail_outbox"][-1].get_content()
        code = re.search(r"^Код: (\d{6})$", letter, re.MULTILINE).group(1)
        response = client.post("/login/code", data={"code": code, "csrf_token": token})
    assert response.status_code == 302 and not response.headers["Location"].startswith("/login"), \
        f"sign-in of {email} failed: {response.status}"


def median_ms(action, repeats: int) -> float:
    timings = []
    for _ in range(repeats):
        started = time.perf_counter()
        action()
        timings.append((time.perf_counter() - started) * 1000)
    return statistics.median(timings)


def fetch(client, path: str):
    """GET that must answer 200, with the body read (a streamed response costs its whole length)."""
    response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    response.get_data()
    return response


def queries_of(engine, action) -> int:
    """The SQL statements one call of `action` runs."""
    statements = []

    def count(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        action()
    finally:
        event.remove(engine, "before_cursor_execute", count)
    return len(statements)


def result(page: str, scale: str, median: float, baseline: float | None, queries: int | None) -> dict:
    """One figure with the stable names `--json` writes."""
    return {"page": page, "scale": scale, "median_ms": round(median, 2),
            "baseline_ms": round(baseline, 2) if baseline is not None else None,
            "ratio": round(median / baseline, 2) if baseline else None, "queries": queries}


def arguments(doc: str, scales) -> argparse.Namespace:
    """--only SCALE, --smoke (the tiny scale `make test` runs, seconds), --json FILE."""
    parser = argparse.ArgumentParser(description=doc.splitlines()[0])
    parser.add_argument("--only", choices=[scale for scale in scales if scale != "smoke"])
    parser.add_argument("--smoke", action="store_true", help="tiny data, seconds: the bench still runs end to end")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    return parser.parse_args()


def chosen_scales(options: argparse.Namespace, scales) -> list[str]:
    if options.smoke:
        return ["smoke"]
    return [options.only] if options.only else [scale for scale in scales if scale != "smoke"]


def report(options: argparse.Namespace, results: list[dict]) -> None:
    if options.json:
        options.json.write_text(json.dumps(results, ensure_ascii=False, indent=2), encoding="utf-8")
