"""Background jobs as the service sees them: what was asked, its state, its last failure. The queue (RQ on Redis,
or inline without Redis) only carries the id; this row is what an admin reads and retries."""
import enum
from datetime import datetime

from sqlalchemy import JSON, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from ._common import utcnow


class JobStatus(enum.StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"

    @property
    def label(self) -> str:
        return JOB_STATUS_LABELS[self]


JOB_STATUS_LABELS = {
    JobStatus.QUEUED: "в очереди",
    JobStatus.RUNNING: "выполняется",
    JobStatus.SUCCEEDED: "выполнена",
    JobStatus.FAILED: "ошибка",
}


class BackgroundJob(db.Model):
    __tablename__ = "background_jobs"
    __table_args__ = (
        Index("ix_background_jobs_status_created", "status", "created_at"),
        Index("ix_background_jobs_key_status", "key", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(50))
    # Jobs with the same key do the same work: a second one is not queued while the first waits or runs.
    key: Mapped[str] = mapped_column(String(200))
    payload: Mapped[dict] = mapped_column(JSON, default=dict)
    status: Mapped[str] = mapped_column(String(20), default=JobStatus.QUEUED.value)
    attempts: Mapped[int] = mapped_column(default=0)
    max_attempts: Mapped[int] = mapped_column(default=4)
    # The last failure: the error's kind and message, for the admin's page (never a traceback with data).
    error: Mapped[str | None] = mapped_column(Text)
    # What the job made for someone to download (a stored file's name), when it makes one.
    result_file: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    started_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]
