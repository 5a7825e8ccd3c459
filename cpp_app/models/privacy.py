"""Requests of data subjects (152-FZ) and the record of personal data destroyed."""
import enum
from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String, Text
from sqlalchemy import Enum as SAEnum
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ._common import append_only, utcnow
from .user import User


class PrivacyRequestKind(enum.StrEnum):
    ACCESS = "access"
    RECTIFICATION = "rectification"
    OTHER = "other"
    WITHDRAWAL = "withdrawal"

    @property
    def label(self) -> str:
        return PRIVACY_REQUEST_KIND_LABELS[self]


PRIVACY_REQUEST_KIND_LABELS = {
    PrivacyRequestKind.ACCESS: "Сведения об обработке персональных данных",
    PrivacyRequestKind.RECTIFICATION: "Уточнение персональных данных",
    PrivacyRequestKind.OTHER: "Иной запрос",
    PrivacyRequestKind.WITHDRAWAL: "Отзыв согласия и уничтожение данных",
}


class PrivacyRequest(db.Model):
    """A data subject's request with its legal deadline; a withdrawal of consent is one too."""

    __tablename__ = "privacy_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    kind: Mapped[PrivacyRequestKind] = mapped_column(
        SAEnum(PrivacyRequestKind, native_enum=False, length=20, values_callable=lambda e: [m.value for m in e])
    )
    body: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    due_at: Mapped[datetime] = mapped_column(index=True)
    completed_at: Mapped[datetime | None] = mapped_column(index=True)
    completed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    response: Mapped[str | None] = mapped_column(Text)

    user: Mapped[User] = relationship(foreign_keys=[user_id])
    completed_by: Mapped[User | None] = relationship(foreign_keys=[completed_by_id])


@append_only
class DestructionRecord(db.Model):
    """Evidence that a person's data was destroyed: what, when and under which rule. Holds no personal data."""

    __tablename__ = "destruction_records"

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int | None] = mapped_column(ForeignKey("privacy_requests.id"))
    subject_user_id: Mapped[int] = mapped_column(index=True)
    withdrawn_at: Mapped[datetime]
    destroyed_at: Mapped[datetime] = mapped_column(default=utcnow)
    rule: Mapped[str] = mapped_column(String(500))
    # Categories and row counts destroyed or anonymised, e.g. {"platform_accounts": 3}.
    what: Mapped[dict] = mapped_column(JSON)
    performed_by: Mapped[str] = mapped_column(String(100))
