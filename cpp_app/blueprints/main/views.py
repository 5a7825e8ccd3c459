import redis
from flask import current_app, jsonify, render_template
from flask_login import current_user
from sqlalchemy import select, text

from ...extensions import db, limiter
from ...models import Platform
from ..start.views import start_page
from . import bp


@bp.get("/")
def index():
    """«Главная»: a signed-in user's start page (what waits for their role), the service's front page for others."""
    if current_user.is_authenticated:
        return start_page()
    platforms = db.session.scalars(select(Platform.name).order_by(Platform.sort_order, Platform.id)).all()
    return render_template("main/index.html", platforms=platforms)


@bp.get("/healthz")
@limiter.exempt
def healthz():
    """For nginx, systemd and monitoring: 200 when the database (and Redis, when configured) answer, else 503."""
    checks = {"database": _check(_ping_database)}
    if current_app.config["RATELIMIT_STORAGE_URI"].startswith(("redis://", "rediss://")):
        checks["redis"] = _check(_ping_redis)
    healthy = all(result == "ok" for result in checks.values())
    response = jsonify(status="ok" if healthy else "error", checks=checks)
    response.status_code = 200 if healthy else 503
    response.headers["Cache-Control"] = "no-store"
    return response


def _check(probe) -> str:
    try:
        probe()
    except Exception as error:  # any failure at all means unhealthy; the reply says which part
        # The class name only: driver messages name hosts and users.
        current_app.logger.warning("health check failed: %s (%s)", probe.__name__, type(error).__name__)
        return "error"
    return "ok"


def _ping_database() -> None:
    with db.engine.connect() as connection:
        connection.execute(text("SELECT 1"))


def _ping_redis() -> None:
    client = current_app.extensions.get("cpp_health_redis")
    if client is None:
        client = redis.Redis.from_url(
            current_app.config["RATELIMIT_STORAGE_URI"], socket_connect_timeout=2, socket_timeout=2
        )
        current_app.extensions["cpp_health_redis"] = client
    client.ping()
