"""The institute's course catalogue and teachers' records of courses, catalogue or external."""
import enum
from datetime import date, datetime

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint, text
from sqlalchemy import Enum as SAEnum
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ._common import utcnow
from .user import User


class CourseFormat(enum.StrEnum):
    IN_PERSON = "in_person"
    DISTANCE = "distance"
    BLENDED = "blended"

    @property
    def label(self) -> str:
        return COURSE_FORMAT_LABELS[self]


COURSE_FORMAT_LABELS = {
    CourseFormat.IN_PERSON: "очно",
    CourseFormat.DISTANCE: "дистанционно",
    CourseFormat.BLENDED: "очно-заочно (смешанный)",
}


class CourseStatus(enum.StrEnum):
    APPLIED = "applied"
    ENROLLED = "enrolled"
    COMPLETED = "completed"

    @property
    def label(self) -> str:
        return COURSE_STATUS_LABELS[self]


COURSE_STATUS_LABELS = {
    CourseStatus.APPLIED: "подана заявка",
    CourseStatus.ENROLLED: "обучается",
    CourseStatus.COMPLETED: "завершён",
}


def _enum(enum_class):
    return SAEnum(enum_class, native_enum=False, length=20, values_callable=lambda e: [m.value for m in e])


class Course(db.Model):
    __tablename__ = "courses"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(300))
    provider: Mapped[str] = mapped_column(String(300), default="КК ИПК")
    hours: Mapped[int]
    format: Mapped[CourseFormat] = mapped_column(_enum(CourseFormat))
    starts_on: Mapped[date | None]
    ends_on: Mapped[date | None]
    topic: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    is_open: Mapped[bool] = mapped_column(default=True, index=True)
    # Codes of the teacher self-assessment's areas the course develops: a teacher's route offers it for them.
    readiness_areas: Mapped[list[str]] = mapped_column(JSON, default=list, server_default=text("'[]'"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class CourseRecord(db.Model):
    """A teacher's course: an application to a catalogue course, or an external course they report."""

    __tablename__ = "course_records"
    __table_args__ = (
        UniqueConstraint("user_id", "course_id", name="user_course"),
        Index("ix_course_records_course_status", "course_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    course_id: Mapped[int | None] = mapped_column(ForeignKey("courses.id"))
    # For external courses only; a catalogue record reads these from its course.
    external_title: Mapped[str | None] = mapped_column(String(300))
    external_provider: Mapped[str | None] = mapped_column(String(300))
    external_hours: Mapped[int | None]
    status: Mapped[CourseStatus] = mapped_column(_enum(CourseStatus))
    completed_on: Mapped[date | None]
    certificate_number: Mapped[str | None] = mapped_column(String(100))
    # A random name under instance/uploads/, never the uploader's file name.
    certificate_file: Mapped[str | None] = mapped_column(String(100))
    certificate_mime: Mapped[str | None] = mapped_column(String(50))
    verified_at: Mapped[datetime | None]
    verified_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    user: Mapped[User] = relationship(foreign_keys=[user_id])
    course: Mapped[Course | None] = relationship()

    @property
    def is_external(self) -> bool:
        return self.course_id is None

    @property
    def title(self) -> str:
        return self.course.title if self.course else self.external_title

    @property
    def provider(self) -> str:
        return self.course.provider if self.course else self.external_provider

    @property
    def hours(self) -> int:
        return self.course.hours if self.course else self.external_hours


class StaffRegisterEntry(db.Model):
    """A row of the staff register an organisation last imported (from КИАСУО)."""

    __tablename__ = "staff_register_entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"), index=True)
    line: Mapped[int]
    full_name: Mapped[str] = mapped_column(String(300))
    email: Mapped[str | None] = mapped_column(String(254))
    phone: Mapped[str | None] = mapped_column(String(16))
    position: Mapped[str | None] = mapped_column(String(200))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    imported_at: Mapped[datetime] = mapped_column(default=utcnow)

    user: Mapped[User | None] = relationship()
