"""A teacher's digital-readiness self-assessment: the answers to one version of a `subject: teacher` methodology."""
import enum
from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ._common import utcnow
from .diagnostic import MethodologyVersion


class SelfAssessmentStatus(enum.StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"


class SelfAssessment(db.Model):
    __tablename__ = "self_assessments"
    __table_args__ = (Index("ix_self_assessments_user_status", "user_id", "status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    methodology_id: Mapped[int] = mapped_column(ForeignKey("methodology_versions.id"), index=True)
    status: Mapped[str] = mapped_column(String(20), default=SelfAssessmentStatus.DRAFT.value)
    # Item code → score 0..5; a whole new dict on every change (a JSON column does not track mutations).
    answers: Mapped[dict] = mapped_column(JSON, default=dict)
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    submitted_at: Mapped[datetime | None]

    methodology: Mapped[MethodologyVersion] = relationship()

    @property
    def submitted(self) -> bool:
        return self.status == SelfAssessmentStatus.SUBMITTED
