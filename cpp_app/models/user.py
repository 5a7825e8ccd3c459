"""Users, their sign-in sessions and sign-in throttling state."""
import enum
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import Enum as SAEnum
from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ._common import utcnow
from .organization import Organization


class Role(enum.StrEnum):
    TEACHER = "teacher"
    SCHOOL_ADMIN = "school_admin"
    METHODOLOGIST = "methodologist"
    ADMIN = "admin"

    @property
    def label(self) -> str:
        return ROLE_LABELS[self]


ROLE_LABELS = {
    Role.TEACHER: "Педагог",
    Role.SCHOOL_ADMIN: "Администратор ОО",
    Role.METHODOLOGIST: "Методист КК ИПК",
    Role.ADMIN: "Администратор сервиса",
}


class StaffState(enum.StrEnum):
    NO_WORKPLACE = "no_workplace"
    UNMATCHED = "unmatched"
    PENDING = "pending"
    CONFIRMED = "confirmed"

    @property
    def label(self) -> str:
        return STAFF_STATE_LABELS[self]


STAFF_STATE_LABELS = {
    StaffState.NO_WORKPLACE: "место работы не указано",
    StaffState.UNMATCHED: "ожидает сопоставления с реестром",
    StaffState.PENDING: "ожидает подтверждения от организации",
    StaffState.CONFIRMED: "подтверждён организацией",
}


class User(UserMixin, db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Stored lower-cased. An address belongs to the account that confirmed it: unique among confirmed accounts
    # (uq_users_confirmed_email), while unconfirmed ones may share it until one of them confirms.
    email: Mapped[str] = mapped_column(String(254), index=True)
    # Set when the owner opened the confirmation link mailed to `email`; until then the account counts nowhere.
    # Self-registration alone leaves it empty: accounts made by the operator, seeds and imports are vouched for.
    email_confirmed_at: Mapped[datetime | None] = mapped_column(default=utcnow)
    # A new address asked for in the cabinet, waiting for its confirmation link to be opened.
    pending_email: Mapped[str | None] = mapped_column(String(254))
    password_hash: Mapped[str] = mapped_column(String(255))
    last_name: Mapped[str] = mapped_column(String(100), index=True)
    first_name: Mapped[str] = mapped_column(String(100))
    middle_name: Mapped[str | None] = mapped_column(String(100))
    phone: Mapped[str | None] = mapped_column(String(16))
    settlement: Mapped[str | None] = mapped_column(String(200))
    organization_id: Mapped[int | None] = mapped_column(ForeignKey("organizations.id"), index=True)
    # A workplace typed by the teacher that is not in the registry yet; a methodologist matches it.
    workplace_text: Mapped[str | None] = mapped_column(String(500))
    position: Mapped[str | None] = mapped_column(String(100))
    subjects: Mapped[str | None] = mapped_column(String(500))
    qualification_category: Mapped[str | None] = mapped_column(String(100))
    experience_years: Mapped[int | None]
    # Set when the organisation's admin (or its staff register) confirms the teacher works there.
    confirmed_at: Mapped[datetime | None]
    role: Mapped[Role] = mapped_column(
        SAEnum(Role, native_enum=False, length=20, values_callable=lambda e: [m.value for m in e]),
        default=Role.TEACHER,
        index=True,
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    blocked_at: Mapped[datetime | None]
    # Why the account is blocked: an operator's decision or the person's own withdrawal of consent.
    block_reason: Mapped[str | None] = mapped_column(String(500))
    consent_withdrawn_at: Mapped[datetime | None] = mapped_column(index=True)
    # Set once the personal data is destroyed; the row stays only so aggregate figures and history keep their ids.
    anonymized_at: Mapped[datetime | None]

    organization: Mapped[Organization | None] = relationship()

    # Set by the session loader: Flask-Login keeps this token, not the user id, in its cookies.
    auth_token = None
    # Also set by the session loader: whether the person consented to the current edition (the consent gate asks).
    consent_current = False

    def get_id(self):
        return self.auth_token

    @property
    def is_active(self) -> bool:
        return self.blocked_at is None

    @property
    def full_name(self) -> str:
        return " ".join(p for p in (self.last_name, self.first_name, self.middle_name) if p)

    @property
    def short_name(self) -> str:
        initials = "".join(f"{p[0]}." for p in (self.first_name, self.middle_name) if p)
        return f"{self.last_name} {initials}".strip()

    @property
    def workplace_label(self) -> str | None:
        return self.organization.short_name if self.organization else self.workplace_text

    @property
    def staff_state(self) -> "StaffState":
        if self.organization_id is None:
            return StaffState.UNMATCHED if self.workplace_text else StaffState.NO_WORKPLACE
        return StaffState.CONFIRMED if self.confirmed_at else StaffState.PENDING

    @hybrid_property
    def email_confirmed(self) -> bool:
        return self.email_confirmed_at is not None

    @email_confirmed.inplace.expression
    @classmethod
    def _email_confirmed_expression(cls):
        return cls.email_confirmed_at.is_not(None)

    def has_role(self, *roles: Role) -> bool:
        return self.role in roles

    def __repr__(self):
        return f"<User {self.id}>"


# A school's people in the order its lists show them: the self-diagnostic's lists of who keeps a figure down read
# their first names in index order instead of sorting thousands of teachers.
Index("ix_users_organization_name", User.organization_id, User.last_name, User.first_name, User.middle_name, User.id)
Index(
    "uq_users_confirmed_email", User.email, unique=True,
    sqlite_where=User.email_confirmed_at.is_not(None), postgresql_where=User.email_confirmed_at.is_not(None),
)


class AuthSession(db.Model):
    """A server-side record of one sign-in, so that signing out really ends it."""

    __tablename__ = "auth_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Absolute lifetime: the session ends then however active it is; idleness ends it sooner.
    expires_at: Mapped[datetime]
    remember: Mapped[bool] = mapped_column(default=False)
    revoked_at: Mapped[datetime | None]
    ip: Mapped[str | None] = mapped_column(String(45))
    user_agent: Mapped[str | None] = mapped_column(Text)

    user: Mapped[User] = relationship()


class LoginThrottle(db.Model):
    """Failed sign-in counters per account and per address."""

    __tablename__ = "login_throttles"

    key: Mapped[str] = mapped_column(String(300), primary_key=True)
    failures: Mapped[int] = mapped_column(default=0)
    last_failure_at: Mapped[datetime | None]


class LoginCode(db.Model):
    """A one-time code mailed as the second factor; only its hash is kept."""

    __tablename__ = "login_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    attempts: Mapped[int] = mapped_column(default=0)
    used_at: Mapped[datetime | None]
