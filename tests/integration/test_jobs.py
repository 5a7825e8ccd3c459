"""Background jobs: run after the commit (never after a rollback), once per key, inline without Redis and through
RQ with Redis; a failure keeps its reason, is retried with pauses on the queue, and an admin can queue it again."""
import pytest
from sqlalchemy import select

from cpp_app import jobs
from cpp_app.extensions import db
from cpp_app.models import BackgroundJob, JobStatus
from tests.conftest import BACKEND, extract_csrf
from tests.factories import signed_in

CALLS: list[dict] = []
FAILURES_LEFT = {"count": 0}


@jobs.job("test_record")
def record(payload: dict) -> None:
    CALLS.append(payload)


@jobs.job("test_flaky")
def flaky(payload: dict) -> None:
    CALLS.append(payload)
    if FAILURES_LEFT["count"] > 0:
        FAILURES_LEFT["count"] -= 1
        raise RuntimeError("сервер документов не ответил")


@pytest.fixture(autouse=True)
def fresh_calls():
    CALLS.clear()
    FAILURES_LEFT["count"] = 0


def stored(job_id: int) -> BackgroundJob:
    db.session.expire_all()
    return db.session.get(BackgroundJob, job_id)


def test_without_redis_a_job_runs_right_after_the_commit(database):
    job_id = jobs.enqueue("test_record", {"n": 1}).id
    assert CALLS == []  # not before the commit
    database.session.commit()
    assert CALLS == [{"n": 1}]
    row = stored(job_id)
    assert (row.status, row.attempts, row.error) == (JobStatus.SUCCEEDED.value, 1, None)
    assert row.finished_at is not None


def test_a_rolled_back_request_queues_nothing(database):
    jobs.enqueue("test_record", {"n": 2})
    database.session.rollback()
    assert CALLS == []
    assert database.session.scalar(select(BackgroundJob.id)) is None


def test_one_job_per_key_while_it_waits(database):
    first = jobs.enqueue("test_record", {"n": 3}, key="document:7")
    second = jobs.enqueue("test_record", {"n": 3}, key="document:7")
    assert first.id == second.id
    database.session.commit()
    assert CALLS == [{"n": 3}]
    # Done: the same work may be asked for again.
    assert jobs.enqueue("test_record", {"n": 3}, key="document:7").id != first.id


def test_an_unknown_kind_is_refused(database):
    with pytest.raises(KeyError):
        jobs.enqueue("no_such_job")


def test_a_failure_is_listed_with_its_reason_and_the_admin_retries_it(app, database, make_user):
    FAILURES_LEFT["count"] = 1
    job_id = jobs.enqueue("test_flaky", {"document": 5}).id
    database.session.commit()
    row = stored(job_id)
    assert row.status == JobStatus.FAILED.value
    assert row.error == "RuntimeError: сервер документов не ответил"

    admin = make_user(role="admin", email="jobs-admin@ipk.example")
    database.session.commit()
    client = signed_in(app, admin)
    page = client.get("/admin/jobs")
    html = page.get_data(as_text=True)
    assert "Ошибка: 1" in html and "сервер документов не ответил" in html and f'id="job-{job_id}"' in html
    response = client.post(f"/admin/jobs/{job_id}/retry", data={"csrf_token": extract_csrf(page)})
    assert response.status_code == 302
    row = stored(job_id)
    assert (row.status, row.attempts, row.error) == (JobStatus.SUCCEEDED.value, 1, None)
    assert len(CALLS) == 2
    # Retrying what no longer fails changes nothing.
    again = client.post(f"/admin/jobs/{job_id}/retry", data={"csrf_token": extract_csrf(page)}, follow_redirects=True)
    assert "уже не в состоянии ошибки" in again.get_data(as_text=True)
    assert len(CALLS) == 2


def test_only_admins_see_the_jobs(app, database, make_user):
    methodologist = make_user(role="methodologist", email="jobs-methodologist@ipk.example")
    database.session.commit()
    assert signed_in(app, methodologist).get("/admin/jobs").status_code == 404  # the page does not exist for them


@pytest.fixture
def redis_queue(app, monkeypatch):
    redis = pytest.importorskip("redis")
    # The SQLite and PostgreSQL passes run at the same time in `make test`: each flushes its own database.
    url = f"redis://127.0.0.1:6379/{14 if BACKEND == 'sqlite' else 15}"
    try:
        redis.Redis.from_url(url, socket_connect_timeout=1).ping()
    except redis.exceptions.ConnectionError:
        pytest.skip("Redis is not running on 127.0.0.1:6379")
    monkeypatch.setitem(app.config, "REDIS_URL", url)
    monkeypatch.setattr(jobs, "RETRY_PAUSES", (0, 0, 0))  # retries at once, so a burst worker sees them
    queue = jobs.queue(app)
    queue.connection.flushdb()
    yield queue
    queue.connection.flushdb()


def work_off(queue) -> None:
    from rq import SimpleWorker

    SimpleWorker([queue], connection=queue.connection).work(burst=True, with_scheduler=False)


def test_with_redis_the_worker_runs_the_job_and_retries_a_failure(app, database, redis_queue):
    FAILURES_LEFT["count"] = 2
    job_id = jobs.enqueue("test_flaky", {"document": 9}).id
    database.session.commit()
    assert CALLS == [] and redis_queue.count == 1  # waits for the worker, not for the request
    work_off(redis_queue)
    row = stored(job_id)
    assert (row.status, row.attempts) == (JobStatus.SUCCEEDED.value, 3)
    assert len(CALLS) == 3


def test_with_redis_a_job_failing_every_attempt_ends_failed(app, database, redis_queue):
    FAILURES_LEFT["count"] = 10
    job_id = jobs.enqueue("test_flaky", {"document": 10}).id
    database.session.commit()
    work_off(redis_queue)
    row = stored(job_id)
    assert (row.status, row.attempts) == (JobStatus.FAILED.value, len(jobs.RETRY_PAUSES) + 1)
    assert "сервер документов не ответил" in row.error


def test_the_admin_reads_each_kind_of_job_by_its_russian_name(app):
    assert jobs.kind_label("render_program_document") == "Документ программы развития (PDF или DOCX)"
    assert jobs.kind_label("research_dataset") == "Набор данных исследования (CSV)"
    assert jobs.kind_label("no_longer_registered") == "no_longer_registered"
