"""Logging: one JSON line per record in production, a request id and one access line per request.

Nothing personal goes to the logs beyond the signed-in user's id: paths are logged without
their query string (searches carry names), WeasyPrint's refused URLs are withheld, and SQL
parameters and PostgreSQL's «Key (email)=(…)» details are cut from exception tracebacks.
"""
import json
import logging
import re
import sys
import time
import uuid
from datetime import UTC, datetime

from flask import Flask, g, has_request_context, request
from flask.logging import default_handler
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.exc import NoInspectionAvailable, StatementError
from werkzeug.routing import IntegerConverter

access_logger = logging.getLogger("cpp_app.access")

# nginx's $request_id is 32 hex digits; anything else a client sends is replaced, not trusted.
REQUEST_ID_PATTERN = re.compile(r"[A-Za-z0-9-]{8,64}")
# psycopg's unique/foreign-key violations repeat the offending value: «Key (email)=(a@b.ru) already exists».
CONSTRAINT_DETAIL = re.compile(r"(Key \([^)]*\))=\(.*?\)( already exists| is not present| is still referenced)")
WITHHELD = "<withheld>"
QUERY_STRING = re.compile(r"\?[^\s'\"]*")
# %s, %r, %(name)s, %-10.3f … but not %% (a literal percent sign).
PLACEHOLDER = re.compile(r"%(\([^)]*\))?[#0\- +]*(\*|\d+)?(\.(\*|\d+))?[diouxXeEfFgGcrsa]")

# Attributes every LogRecord has; anything else was passed as `extra=` and is written out.
_STANDARD_ATTRIBUTES = frozenset(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {"message", "asctime"}


def configure_logging(app: Flask) -> None:
    """Called by the app factory: request ids and access lines always, JSON output when LOG_FORMAT is json."""
    install_weasyprint_filter()
    if app.config.get("LOG_FORMAT") == "json":
        _install_json_handler()
        app.logger.removeHandler(default_handler)  # the root handler writes app.logger's records
    app.before_request(_start_request)
    app.after_request(_log_request)


def install_weasyprint_filter() -> None:
    # A logger's filters see only the records logged on it, not on its children: both loggers get one.
    for name in ("weasyprint", "weasyprint.progress"):
        weasyprint_logger = logging.getLogger(name)
        if not any(isinstance(f, WithholdArguments) for f in weasyprint_logger.filters):
            weasyprint_logger.addFilter(WithholdArguments())
    # A line per rendering step of every PDF at INFO; only its warnings are worth keeping.
    logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)


def _install_json_handler() -> None:
    """One stderr handler on the root logger; gunicorn's logconfig may already have put one there."""
    root = logging.getLogger()
    if not any(isinstance(handler.formatter, JsonFormatter) for handler in root.handlers):
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(JsonFormatter())
        handler.addFilter(WithholdQueryStrings())
        root.addHandler(handler)
    if root.level > logging.INFO or root.level == logging.NOTSET:
        root.setLevel(logging.INFO)


class WithholdArguments(logging.Filter):
    """WeasyPrint logs the URL it failed to load («Failed to load image at %r: %s»); a URL in a
    user's text can carry anything, so only the fact is kept: the arguments and the exception go."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.args:
            template = str(record.msg).replace("%%", "\x00")
            record.msg = PLACEHOLDER.sub(WITHHELD, template).replace("\x00", "%")
            record.args = None
        record.exc_info = None
        record.exc_text = None
        return True


class WithholdQueryStrings(logging.Filter):
    """For handlers: gunicorn quotes the request line of a request it refuses («Invalid request from
    ip=…: Invalid HTTP request line: 'GET /organizations/search?q=…'»), and a query string carries
    what people searched for; it is cut from every message that passes."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if "?" in message:
            record.msg = QUERY_STRING.sub("?" + WITHHELD, message)
            record.args = None
        return True


def _start_request() -> None:
    g.cpp_request_started = time.perf_counter()
    offered = request.headers.get("X-Request-ID", "")
    g.cpp_request_id = offered if REQUEST_ID_PATTERN.fullmatch(offered) else uuid.uuid4().hex


def _log_request(response):
    request_id = g.get("cpp_request_id")
    if request_id:
        response.headers["X-Request-ID"] = request_id
    started = g.get("cpp_request_started")
    duration_ms = round((time.perf_counter() - started) * 1000, 1) if started is not None else None
    access_logger.info(
        "%s %s %s", request.method, loggable_path(), response.status_code,
        extra={"status": response.status_code, "duration_ms": duration_ms},
    )
    return response


def current_user_id() -> int | None:
    """The signed-in user's id if Flask-Login has already loaded the user; never queries the database."""
    user = g.get("_login_user")
    if user is None:
        return None
    try:
        identity = sa_inspect(user).identity  # kept even when the instance is expired: no SQL
    except NoInspectionAvailable:
        return None  # the anonymous user
    return identity[0] if identity else None


def loggable_path() -> str:
    """The path without its query string, and without path segments that are not ids: those are secrets
    (the password-reset token), so a route with one is logged by its pattern, /password/reset/<token>."""
    rule = request.url_rule
    if rule is not None and any(not isinstance(converter, IntegerConverter) for converter in rule._converters.values()):
        return rule.rule
    return request.path


def request_fields() -> dict:
    if not has_request_context():
        return {}
    return {
        "method": request.method,
        "path": loggable_path(),
        "endpoint": request.endpoint,
        "request_id": g.get("cpp_request_id"),
        "user_id": current_user_id(),
    }


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time (UTC), level, logger, message, request fields, exception."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds").replace(
                "+00:00", "Z"
            ),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        entry.update(request_fields())
        for key, value in vars(record).items():
            if key not in _STANDARD_ATTRIBUTES and not key.startswith("_"):
                entry[key] = value
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        elif record.exc_text:
            entry["exception"] = record.exc_text
        if record.stack_info:
            entry["stack"] = record.stack_info
        return json.dumps(entry, ensure_ascii=False, default=str)

    def formatException(self, exc_info) -> str:
        _hide_sql_parameters(exc_info[1])
        return CONSTRAINT_DETAIL.sub(rf"\1=({WITHHELD})\2", super().formatException(exc_info))


def _hide_sql_parameters(exception: BaseException | None) -> None:
    """SQLAlchemy prints a failed statement's parameters (e-mails, names) unless told not to."""
    seen = set()
    while exception is not None and id(exception) not in seen:
        seen.add(id(exception))
        if isinstance(exception, StatementError):
            exception.hide_parameters = True
        exception = exception.__cause__ or exception.__context__
