"""The measures library and development programs built from a diagnostic's deficits."""
import enum
from datetime import date, datetime

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint, false
from sqlalchemy import Enum as SAEnum
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ._common import utcnow
from .course import Course
from .diagnostic import Diagnostic
from .organization import Organization
from .user import User


def _enum(enum_class):
    return SAEnum(enum_class, native_enum=False, length=20, values_callable=lambda e: [m.value for m in e])


class Measure(db.Model):
    """A measure of the library: what a school does to lift one indicator to one score."""

    __tablename__ = "measures"
    __table_args__ = (Index("ix_measures_indicator_target", "methodology_code", "indicator_code", "target_score"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    methodology_code: Mapped[str] = mapped_column(String(50))
    indicator_code: Mapped[str] = mapped_column(String(100))
    target_score: Mapped[int]
    text: Mapped[str] = mapped_column(Text)
    responsible_role: Mapped[str] = mapped_column(String(200))
    duration: Mapped[str] = mapped_column(String(100))
    expected_result: Mapped[str] = mapped_column(Text)
    course_id: Mapped[int | None] = mapped_column(ForeignKey("courses.id", ondelete="SET NULL"))
    sort_order: Mapped[int] = mapped_column(default=0)
    is_active: Mapped[bool] = mapped_column(default=True)

    course: Mapped[Course | None] = relationship()


class ProgramStatus(enum.StrEnum):
    DRAFT = "draft"
    APPROVED = "approved"

    @property
    def label(self) -> str:
        return {ProgramStatus.DRAFT: "черновик", ProgramStatus.APPROVED: "утверждена"}[self]


class ActionStatus(enum.StrEnum):
    PLANNED = "planned"
    IN_PROGRESS = "in_progress"
    DONE = "done"

    @property
    def label(self) -> str:
        return ACTION_STATUS_LABELS[self]


ACTION_STATUS_LABELS = {
    ActionStatus.PLANNED: "запланировано",
    ActionStatus.IN_PROGRESS: "выполняется",
    ActionStatus.DONE: "выполнено",
}


class DevelopmentProgram(db.Model):
    __tablename__ = "development_programs"

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)
    # One program per diagnostic: a double-click on «Создать» must not make two.
    diagnostic_id: Mapped[int] = mapped_column(ForeignKey("diagnostics.id"), unique=True)
    period_start: Mapped[int]  # calendar years, e.g. 2025–2029
    period_end: Mapped[int]
    status: Mapped[ProgramStatus] = mapped_column(_enum(ProgramStatus), default=ProgramStatus.DRAFT)
    # Bumped by the first edit after an approval: approved revisions stay frozen in ProgramRevision.
    revision: Mapped[int] = mapped_column(default=1)
    # Passport and free-text sections; prefilled with drafts built from the data, rewritten by the director.
    goal: Mapped[str] = mapped_column(Text, default="")
    tasks: Mapped[str] = mapped_column(Text, default="")
    causes: Mapped[str] = mapped_column(Text, default="")
    decisions: Mapped[str] = mapped_column(Text, default="")
    mechanisms: Mapped[str] = mapped_column(Text, default="")
    # The title page's «СОГЛАСОВАНО» (the founder, 273-ФЗ art. 28) and the collegial bodies' marks.
    founder_name: Mapped[str] = mapped_column(String(500), default="", server_default="")
    founder_position: Mapped[str] = mapped_column(String(200), default="", server_default="")
    founder_signatory: Mapped[str] = mapped_column(String(200), default="", server_default="")
    teachers_council_protocol: Mapped[str] = mapped_column(String(50), default="", server_default="")
    teachers_council_date: Mapped[date | None]
    governing_council_protocol: Mapped[str] = mapped_column(String(50), default="", server_default="")
    governing_council_date: Mapped[date | None]
    # The information page's details the registry does not hold; typed by the school.
    licence: Mapped[str] = mapped_column(Text, default="", server_default="")
    accreditation: Mapped[str] = mapped_column(Text, default="", server_default="")
    programs_offered: Mapped[str] = mapped_column(Text, default="", server_default="")
    contacts: Mapped[str] = mapped_column(Text, default="", server_default="")
    # The analysis (strengths / weaknesses / opportunities / risks), the mission, resources and monitoring:
    # drafted from the data when the program is created, rewritten by the director.
    strengths: Mapped[str] = mapped_column(Text, default="", server_default="")
    weaknesses: Mapped[str] = mapped_column(Text, default="", server_default="")
    opportunities: Mapped[str] = mapped_column(Text, default="", server_default="")
    risks: Mapped[str] = mapped_column(Text, default="", server_default="")
    mission: Mapped[str] = mapped_column(Text, default="", server_default="")
    resources: Mapped[str] = mapped_column(Text, default="", server_default="")
    monitoring: Mapped[str] = mapped_column(Text, default="", server_default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    approved_at: Mapped[datetime | None]
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    organization: Mapped[Organization] = relationship()
    diagnostic: Mapped[Diagnostic] = relationship()
    actions: Mapped[list["ProgramAction"]] = relationship(
        back_populates="program", cascade="all, delete-orphan", order_by="ProgramAction.sort_order, ProgramAction.id"
    )
    revisions: Mapped[list["ProgramRevision"]] = relationship(
        back_populates="program", cascade="all, delete-orphan", order_by="ProgramRevision.revision"
    )
    stages: Mapped[list["ProgramStage"]] = relationship(
        back_populates="program", cascade="all, delete-orphan", order_by="ProgramStage.sort_order, ProgramStage.id"
    )


class ProgramStage(db.Model):
    """A stage of implementation (этап): a name and its dates inside the program's period, in order."""

    __tablename__ = "program_stages"

    id: Mapped[int] = mapped_column(primary_key=True)
    program_id: Mapped[int] = mapped_column(ForeignKey("development_programs.id", ondelete="CASCADE"), index=True)
    sort_order: Mapped[int] = mapped_column(default=0)
    title: Mapped[str] = mapped_column(String(300))
    starts_on: Mapped[date]
    ends_on: Mapped[date]

    program: Mapped[DevelopmentProgram] = relationship(back_populates="stages")


class ProgramAction(db.Model):
    """A road-map action: one measure for one deficit, with who, by when and what it should achieve."""

    __tablename__ = "program_actions"

    id: Mapped[int] = mapped_column(primary_key=True)
    program_id: Mapped[int] = mapped_column(ForeignKey("development_programs.id", ondelete="CASCADE"), index=True)
    indicator_code: Mapped[str] = mapped_column(String(100))
    from_score: Mapped[int]
    to_score: Mapped[int]
    measure_id: Mapped[int | None] = mapped_column(ForeignKey("measures.id", ondelete="SET NULL"))
    text: Mapped[str] = mapped_column(Text)
    responsible_name: Mapped[str] = mapped_column(String(200), default="")
    responsible_position: Mapped[str] = mapped_column(String(200), default="")
    # «Ответственный не назначен», chosen explicitly: an empty name alone does not let a program be approved.
    responsible_unassigned: Mapped[bool] = mapped_column(default=False, server_default=false())
    due_date: Mapped[date | None]
    expected_result: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[ActionStatus] = mapped_column(_enum(ActionStatus), default=ActionStatus.PLANNED)
    sort_order: Mapped[int] = mapped_column(default=0)

    program: Mapped[DevelopmentProgram] = relationship(back_populates="actions")
    measure: Mapped[Measure | None] = relationship()
    events: Mapped[list["ProgramActionEvent"]] = relationship(
        back_populates="action", cascade="all, delete-orphan", order_by="ProgramActionEvent.id"
    )


class ProgramActionEvent(db.Model):
    __tablename__ = "program_action_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    action_id: Mapped[int] = mapped_column(ForeignKey("program_actions.id", ondelete="CASCADE"), index=True)
    from_status: Mapped[ActionStatus | None] = mapped_column(_enum(ActionStatus))
    to_status: Mapped[ActionStatus] = mapped_column(_enum(ActionStatus))
    note: Mapped[str | None] = mapped_column(Text)
    occurred_at: Mapped[datetime] = mapped_column(default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    action: Mapped[ProgramAction] = relationship(back_populates="events")
    actor: Mapped[User | None] = relationship()


class ProgramRevision(db.Model):
    """An approved revision, frozen: its content snapshot and its rendered files stay downloadable."""

    __tablename__ = "program_revisions"
    __table_args__ = (UniqueConstraint("program_id", "revision", name="program_revision"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    program_id: Mapped[int] = mapped_column(ForeignKey("development_programs.id", ondelete="CASCADE"))
    revision: Mapped[int]
    snapshot: Mapped[dict] = mapped_column(JSON)
    approved_at: Mapped[datetime] = mapped_column(default=utcnow)
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    program: Mapped[DevelopmentProgram] = relationship(back_populates="revisions")


class RenderedDocument(db.Model):
    """A stored PDF or DOCX of a program's content, found again by the hash of what it was rendered from."""

    __tablename__ = "rendered_documents"
    __table_args__ = (UniqueConstraint("program_id", "kind", "content_hash", name="program_kind_hash"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    program_id: Mapped[int] = mapped_column(ForeignKey("development_programs.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(10))  # pdf | docx
    revision: Mapped[int]
    content_hash: Mapped[str] = mapped_column(String(64))
    file_name: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
