"""Background jobs: work that must not keep a person waiting (documents, rebuilds, mailings).

A job is a row in `background_jobs` plus a registered function taking its payload. With Redis configured
(`CPP_REDIS_URL`) the id goes to an RQ queue once the request's transaction commits, and `flask worker` runs it,
retrying a failure with growing pauses; without Redis (`make run` on SQLite) it runs in the same process right
after the commit, so the embedded setup needs no second program. Either way the row says what happened, and an
admin sees failures with their reason on «Фоновые задачи» and may queue them again.

Job functions must be idempotent: a retry, or a worker killed half-way, runs them again from the start.
"""
import enum
import logging
from collections.abc import Callable
from functools import partial

from flask import current_app
from sqlalchemy import select

from .extensions import db
from .kernel.transaction import after_commit
from .models import BackgroundJob, JobStatus, utcnow

logger = logging.getLogger(__name__)
QUEUE_NAME = "cpp"
# Pauses before the 2nd, 3rd and 4th attempts, in seconds.
RETRY_PAUSES = (30, 300, 1800)
ERROR_TEXT_LIMIT = 1000

_REGISTRY: dict[str, Callable[[dict], str | None]] = {}
_LABELS: dict[str, str] = {}


def job(kind: str, label: str | None = None):
    """Registers the decorated function as the job `kind`, named `label` for the admin (in Russian); it receives
    the payload dict and may return the name of a file it stored for download (kept on the job's row)."""
    def register(function: Callable[[dict], None]):
        if _REGISTRY.setdefault(kind, function) is not function:
            raise ValueError(f"job kind {kind!r} is registered twice")
        _LABELS[kind] = label or kind
        return function
    return register


def kind_label(kind: str) -> str:
    """What a person calls a kind of job; a kind no longer registered shows its code."""
    return _LABELS.get(kind, kind)


def enqueue(kind: str, payload: dict | None = None, key: str | None = None) -> BackgroundJob:
    """Asks for the job in the caller's transaction; it starts once that commits. A job with the same key still
    waiting or running is returned instead of a second one."""
    if kind not in _REGISTRY:
        raise KeyError(f"unknown job kind {kind!r}")
    key = key or kind
    waiting = pending(key)
    if waiting is not None:
        return waiting
    row = BackgroundJob(kind=kind, key=key, payload=payload or {}, status=JobStatus.QUEUED.value,
                        max_attempts=len(RETRY_PAUSES) + 1)
    db.session.add(row)
    db.session.flush()
    _dispatch_after_commit(row.id)
    return row


def pending(key: str) -> BackgroundJob | None:
    """The job with this key that is waiting or running, if any."""
    return db.session.scalar(
        select(BackgroundJob)
        .where(BackgroundJob.key == key,
               BackgroundJob.status.in_((JobStatus.QUEUED.value, JobStatus.RUNNING.value)))
        .limit(1)
    )


def failed_since(key: str, moment) -> BackgroundJob | None:
    """The newest job with this key that failed for good after `moment`."""
    return db.session.scalar(
        select(BackgroundJob)
        .where(BackgroundJob.key == key, BackgroundJob.status == JobStatus.FAILED.value,
               BackgroundJob.finished_at >= moment)
        .order_by(BackgroundJob.id.desc()).limit(1)
    )


def succeeded_since(key: str, moment) -> BackgroundJob | None:
    """The newest job with this key that succeeded after `moment`."""
    return db.session.scalar(
        select(BackgroundJob)
        .where(BackgroundJob.key == key, BackgroundJob.status == JobStatus.SUCCEEDED.value,
               BackgroundJob.finished_at >= moment)
        .order_by(BackgroundJob.id.desc()).limit(1)
    )


class Wait(enum.Enum):
    """What a page waiting for a job's file tells its reader."""

    QUEUED = "queued"  # asked for just now
    ON_ITS_WAY = "on_its_way"  # already waiting or running
    FAILED = "failed"  # failed for good recently: report it, do not ask again on every refresh


def wait_for(key: str, failures_since, queue: Callable[[], None]) -> Wait:
    """The job behind a self-refreshing «… готовится» page: queued by `queue()` unless one is on its way or one
    failed after `failures_since`."""
    if pending(key) is not None:
        return Wait.ON_ITS_WAY
    if failed_since(key, failures_since) is not None:
        return Wait.FAILED
    queue()
    return Wait.QUEUED


def retry(row: BackgroundJob) -> None:
    """Queues a failed job again, with its attempts counted afresh."""
    row.status = JobStatus.QUEUED.value
    row.attempts = 0
    row.error = None
    row.started_at = row.finished_at = None
    db.session.flush()
    _dispatch_after_commit(row.id)


def uses_redis(app=None) -> bool:
    return bool((app or current_app).config.get("REDIS_URL"))


def _dispatch_after_commit(job_id: int) -> None:
    app = current_app._get_current_object()
    after_commit(partial(_send_to_queue if uses_redis(app) else _run_inline, app, job_id))


def _send_to_queue(app, job_id: int) -> None:
    from rq import Retry

    queue(app).enqueue(perform, job_id, retry=Retry(max=len(RETRY_PAUSES), interval=list(RETRY_PAUSES)),
                       job_timeout=app.config["JOB_TIMEOUT_SECONDS"], description=f"cpp job {job_id}")


def _run_inline(app, job_id: int) -> None:
    # A fresh app context has its own session: the caller's has just committed and may not run SQL here.
    with app.app_context():
        try:
            perform(job_id)
        except Exception:  # recorded on the row by perform(); inline there is no retry but the admin's
            return


def queue(app=None):
    from redis import Redis
    from rq import Queue

    app = app or current_app
    return Queue(QUEUE_NAME, connection=Redis.from_url(app.config["REDIS_URL"]))


def perform(job_id: int) -> None:
    """Runs one attempt of the job (the function RQ calls). Raises on failure, so that RQ retries it."""
    app = current_app._get_current_object()
    # Its own app context, so its own session: nothing of the caller's (or the previous job's) state leaks in; and
    # a request of nobody at the public address, so templates and links render as they do for a signed-out visitor.
    with app.app_context(), app.test_request_context("/", base_url=app.config["PUBLIC_URL"]):
        row = db.session.get(BackgroundJob, job_id)
        if row is None or row.status == JobStatus.SUCCEEDED.value:
            return  # done already, or deleted: a duplicate delivery does nothing
        row.status = JobStatus.RUNNING.value
        row.attempts += 1
        row.started_at = utcnow()
        row.finished_at = None
        kind, payload = row.kind, dict(row.payload)
        db.session.commit()
        try:
            made = _REGISTRY[kind](payload)
            db.session.commit()
        except Exception as error:
            db.session.rollback()
            _record_failure(job_id, error)
            raise
        row = db.session.get(BackgroundJob, job_id)
        row.status = JobStatus.SUCCEEDED.value
        row.error = None
        row.result_file = made
        row.finished_at = utcnow()
        db.session.commit()


def _record_failure(job_id: int, error: Exception) -> None:
    row = db.session.get(BackgroundJob, job_id)
    final = row.attempts >= row.max_attempts or not uses_redis()
    row.status = JobStatus.FAILED.value if final else JobStatus.QUEUED.value
    row.error = f"{type(error).__name__}: {error}"[:ERROR_TEXT_LIMIT]
    row.finished_at = utcnow()
    db.session.commit()
    logger.error("Job %s (%s) failed on attempt %s: %s", job_id, row.kind, row.attempts, type(error).__name__)
