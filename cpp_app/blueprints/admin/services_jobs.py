"""What the admin's «Фоновые задачи» page reads: counts by state, one list per state, and retrying a failure."""
from dataclasses import dataclass

from sqlalchemy import func, select

from ...extensions import db
from ...jobs import retry
from ...models import BackgroundJob, JobStatus
from ...queries import Page, paginate

PER_PAGE = 50


@dataclass(frozen=True)
class JobsOverview:
    counts: dict[str, int]
    status: JobStatus
    listing: Page


def overview(status: str | None, page: int) -> JobsOverview:
    """Counts of every state and one page of the chosen one (failures first by default: they need someone)."""
    counts = dict(db.session.execute(
        select(BackgroundJob.status, func.count(BackgroundJob.id)).group_by(BackgroundJob.status)).all())
    chosen = JobStatus(status) if status in set(JobStatus) else JobStatus.FAILED
    newest_first = select(BackgroundJob).where(BackgroundJob.status == chosen.value).order_by(
        BackgroundJob.created_at.desc(), BackgroundJob.id.desc())
    return JobsOverview({state.value: counts.get(state.value, 0) for state in JobStatus}, chosen,
                        paginate(newest_first, page, PER_PAGE))


def retry_failed(job_id: int) -> BackgroundJob | None:
    """Queues a failed job again; None when there is no such failed job (already retried, or never failed)."""
    row = db.session.get(BackgroundJob, job_id)
    if row is None or row.status != JobStatus.FAILED.value:
        return None
    retry(row)
    return row
