"""An organisation's staff figures kept current in the transaction of every change to its staff or their accounts
(school/tallies.py), so that the staff list, the self-diagnostic and the organisation card read one row per platform
instead of counting thousands of teachers on every request."""
from sqlalchemy import ForeignKey
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db


class StaffTally(db.Model):
    __tablename__ = "staff_tallies"

    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"), primary_key=True)
    teachers: Mapped[int]
    confirmed: Mapped[int]


class StaffPlatformTally(db.Model):
    """Registered or active accounts of one organisation's staff on one platform (only platforms with some)."""

    __tablename__ = "staff_platform_tallies"

    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"), primary_key=True)
    platform_id: Mapped[int] = mapped_column(ForeignKey("platforms.id", ondelete="CASCADE"), primary_key=True)
    registered: Mapped[int]
    active: Mapped[int]
    registered_confirmed: Mapped[int]
    active_confirmed: Mapped[int]
    registered_by_confirmed: Mapped[int]
