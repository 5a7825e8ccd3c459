"""Education platforms and the teachers' accounts on them, with the history of every change."""
import enum
from datetime import date, datetime

from sqlalchemy import Enum as SAEnum
from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ._common import utcnow
from .user import User


class AccountStatus(enum.StrEnum):
    NOT_REGISTERED = "not_registered"
    REGISTERED = "registered"
    ACTIVE = "active"

    @property
    def label(self) -> str:
        return ACCOUNT_STATUS_LABELS[self]


ACCOUNT_STATUS_LABELS = {
    AccountStatus.NOT_REGISTERED: "не зарегистрирован",
    AccountStatus.REGISTERED: "зарегистрирован",
    AccountStatus.ACTIVE: "активно использую",
}

_status_type = SAEnum(AccountStatus, native_enum=False, length=20, values_callable=lambda e: [m.value for m in e])


class Platform(db.Model):
    __tablename__ = "platforms"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    url: Mapped[str] = mapped_column(String(300))
    # Space-separated host names a profile link may point to (subdomains included).
    domains: Mapped[str] = mapped_column(String(500))
    howto: Mapped[str] = mapped_column(Text, default="")
    sort_order: Mapped[int] = mapped_column(default=0)

    @property
    def domain_list(self) -> list[str]:
        return self.domains.split()


class PlatformAccount(db.Model):
    __tablename__ = "platform_accounts"
    __table_args__ = (
        UniqueConstraint("user_id", "platform_id", name="user_platform"),
        Index("ix_platform_accounts_platform_status", "platform_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    platform_id: Mapped[int] = mapped_column(ForeignKey("platforms.id"))
    status: Mapped[AccountStatus] = mapped_column(_status_type, default=AccountStatus.NOT_REGISTERED)
    since: Mapped[date | None]
    profile_url: Mapped[str | None] = mapped_column(String(500))
    # Only statuses confirmed by the organisation count towards its indicators.
    confirmed_at: Mapped[datetime | None]
    confirmed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    user: Mapped[User] = relationship(foreign_keys=[user_id])
    platform: Mapped[Platform] = relationship()


class PlatformAccountEvent(db.Model):
    """One change of a platform account, kept so the history of adoption can be shown."""

    __tablename__ = "platform_account_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("platform_accounts.id", ondelete="CASCADE"), index=True)
    from_status: Mapped[AccountStatus | None] = mapped_column(_status_type)
    to_status: Mapped[AccountStatus] = mapped_column(_status_type)
    since: Mapped[date | None]
    confirmed: Mapped[bool] = mapped_column(default=False)
    changed_at: Mapped[datetime] = mapped_column(default=utcnow)
    changed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    note: Mapped[str | None] = mapped_column(String(300))

    account: Mapped[PlatformAccount] = relationship()
    changed_by: Mapped[User | None] = relationship()
