"""Methodology versions, school self-diagnostics, their answers and their status history."""
import enum
from datetime import date, datetime

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint, event
from sqlalchemy import Enum as SAEnum
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ._common import AppendOnlyError, utcnow
from .organization import Organization
from .user import User


class MethodologyVersion(db.Model):
    """One published indicator set; its content never changes, a new year is a new version."""

    __tablename__ = "methodology_versions"
    __table_args__ = (UniqueConstraint("code", "version", name="code_version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(50))
    version: Mapped[int]
    title: Mapped[str] = mapped_column(String(300))
    # "school" (a school's self-diagnostic) or "teacher" (a teacher's self-assessment): see domain SUBJECTS.
    subject: Mapped[str] = mapped_column(String(20), default="school", server_default="school")
    content: Mapped[dict] = mapped_column(JSON)
    sha256: Mapped[str] = mapped_column(String(64))
    # New diagnostics use the active version of their code; old ones keep their own. Within a subject.
    is_active: Mapped[bool] = mapped_column(default=True)
    published_at: Mapped[datetime] = mapped_column(default=utcnow)
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


IMMUTABLE_METHODOLOGY_FIELDS = ("code", "version", "title", "subject", "content", "sha256")


@event.listens_for(MethodologyVersion, "before_update")
def _refuse_content_change(mapper, connection, target):
    state = db.inspect(target)
    if any(state.attrs[name].history.has_changes() for name in IMMUTABLE_METHODOLOGY_FIELDS):
        raise AppendOnlyError("a published methodology version never changes; publish a new version")


class DiagnosticStatus(enum.StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    RETURNED = "returned"
    ACCEPTED = "accepted"

    @property
    def label(self) -> str:
        return DIAGNOSTIC_STATUS_LABELS[self]


DIAGNOSTIC_STATUS_LABELS = {
    DiagnosticStatus.DRAFT: "черновик",
    DiagnosticStatus.SUBMITTED: "на проверке",
    DiagnosticStatus.RETURNED: "возвращена на доработку",
    DiagnosticStatus.ACCEPTED: "принята",
}

_status_type = SAEnum(DiagnosticStatus, native_enum=False, length=20, values_callable=lambda e: [m.value for m in e])


class Diagnostic(db.Model):
    __tablename__ = "diagnostics"
    __table_args__ = (
        UniqueConstraint("organization_id", "methodology_id", "school_year", name="organization_methodology_year"),
        Index("ix_diagnostics_status_submitted_at", "status", "submitted_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)
    methodology_id: Mapped[int] = mapped_column(ForeignKey("methodology_versions.id"))
    school_year: Mapped[str] = mapped_column(String(9))  # «2026/2027»
    status: Mapped[DiagnosticStatus] = mapped_column(_status_type, default=DiagnosticStatus.DRAFT)
    # The counts the live-data suggestions are computed against, as the school states them.
    staff_count: Mapped[int | None]
    student_count: Mapped[int | None]
    # Students registered on Сферум as the school states them, and the day the figure is of.
    sferum_students: Mapped[int | None]
    sferum_students_on: Mapped[date | None]
    # Totals cached at submission, so that lists and monitoring need no rescoring.
    total_points: Mapped[int | None]
    max_points: Mapped[int | None]
    level_code: Mapped[str | None] = mapped_column(String(50))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    submitted_at: Mapped[datetime | None]
    reviewed_at: Mapped[datetime | None]

    organization: Mapped[Organization] = relationship()
    methodology: Mapped[MethodologyVersion] = relationship()
    answers: Mapped[list["DiagnosticAnswer"]] = relationship(
        back_populates="diagnostic", cascade="all, delete-orphan", order_by="DiagnosticAnswer.id"
    )
    events: Mapped[list["DiagnosticEvent"]] = relationship(
        back_populates="diagnostic", order_by="DiagnosticEvent.id"
    )


class DiagnosticAnswer(db.Model):
    __tablename__ = "diagnostic_answers"
    __table_args__ = (UniqueConstraint("diagnostic_id", "indicator_code", name="diagnostic_indicator"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    diagnostic_id: Mapped[int] = mapped_column(ForeignKey("diagnostics.id", ondelete="CASCADE"))
    indicator_code: Mapped[str] = mapped_column(String(100))
    score: Mapped[int | None]
    comment: Mapped[str | None] = mapped_column(Text)
    evidence_url: Mapped[str | None] = mapped_column(String(500))
    reviewer_comment: Mapped[str | None] = mapped_column(Text)
    # Bumped by every change: a save made from an older revision is a conflict, never an overwrite.
    revision: Mapped[int] = mapped_column(default=0)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    diagnostic: Mapped[Diagnostic] = relationship(back_populates="answers")


class DiagnosticEvent(db.Model):
    """A status transition with its note, shown as the diagnostic's history; only `seen_at` is ever set later."""

    __tablename__ = "diagnostic_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    diagnostic_id: Mapped[int] = mapped_column(ForeignKey("diagnostics.id", ondelete="CASCADE"), index=True)
    from_status: Mapped[DiagnosticStatus | None] = mapped_column(_status_type)
    to_status: Mapped[DiagnosticStatus] = mapped_column(_status_type)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    note: Mapped[str | None] = mapped_column(Text)
    occurred_at: Mapped[datetime] = mapped_column(default=utcnow)
    # When the school first saw a review outcome; unseen ones are announced on the next visit.
    seen_at: Mapped[datetime | None]

    diagnostic: Mapped[Diagnostic] = relationship(back_populates="events")
    actor: Mapped[User | None] = relationship()


class FormStash(db.Model):
    """Answers posted after a user's session ended, kept until that user signs in again (then deleted); also a
    methodologist's uploaded methodology between its preview and its publication."""

    __tablename__ = "form_stashes"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Only its user gets it back; each user holds a few at most.
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    target: Mapped[str] = mapped_column(String(300))
    payload: Mapped[dict] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
