"""Versioned consent documents and the append-only record of consents given."""
import enum
from datetime import datetime

from sqlalchemy import Enum as SAEnum
from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ._common import append_only, utcnow


class ConsentDocument(db.Model):
    __tablename__ = "consent_documents"

    id: Mapped[int] = mapped_column(primary_key=True)
    version: Mapped[int] = mapped_column(unique=True)
    title: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    sha256: Mapped[str] = mapped_column(String(64))
    published_at: Mapped[datetime] = mapped_column(default=utcnow)


class ConsentAction(enum.StrEnum):
    GRANTED = "granted"
    WITHDRAWN = "withdrawn"


@append_only
class ConsentEvent(db.Model):
    __tablename__ = "consent_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("consent_documents.id"))
    # The hash of the exact text shown, so the evidence survives even a careless edit.
    document_sha256: Mapped[str] = mapped_column(String(64))
    action: Mapped[ConsentAction] = mapped_column(
        SAEnum(ConsentAction, native_enum=False, length=20, values_callable=lambda e: [m.value for m in e])
    )
    occurred_at: Mapped[datetime] = mapped_column(default=utcnow)
    ip: Mapped[str | None] = mapped_column(String(45))
    user_agent: Mapped[str | None] = mapped_column(Text)

    document: Mapped[ConsentDocument] = relationship()
