"""Monitoring settings kept as data, and the stored month-end figures the trends are drawn from."""
from datetime import date, datetime

from sqlalchemy import JSON, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from ._common import utcnow


class MonitoringThreshold(db.Model):
    """Colour bands of one platform's share of one measure for one organisation kind («any»: every kind without a
    row of its own): ≤ below_max is «ниже нормы», ≥ good_min is «хорошо», between is «средний уровень». A share
    without a row is shown without a band; `source` names the document the band comes from in every legend."""

    __tablename__ = "monitoring_thresholds"
    __table_args__ = (UniqueConstraint("platform_code", "measure", "organization_kind", name="platform_measure_kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    platform_code: Mapped[str] = mapped_column(String(50))
    measure: Mapped[str] = mapped_column(String(30))  # organizations | teachers | students
    organization_kind: Mapped[str] = mapped_column(String(20))  # an OrganizationKind value or «any»
    below_max: Mapped[float]
    good_min: Mapped[float]
    source: Mapped[str] = mapped_column(String(300))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class MonitoringSnapshot(db.Model):
    """The figures of one scope (the region or one municipality) at the end of one month."""

    __tablename__ = "monitoring_snapshots"
    __table_args__ = (UniqueConstraint("month", "scope", "municipality_id", name="month_scope_municipality"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    month: Mapped[date]  # the first day of the month the figures close
    scope: Mapped[str] = mapped_column(String(20))  # region | municipality
    municipality_id: Mapped[int | None] = mapped_column(ForeignKey("municipalities.id", ondelete="CASCADE"))
    metrics: Mapped[dict] = mapped_column(JSON)
    taken_at: Mapped[datetime] = mapped_column(default=utcnow)


class OrganizationStaffFigures(db.Model):
    """Per-organisation staff counts, rebuilt in one statement, so that country-wide dashboards sum 40,000 rows
    instead of joining a million teachers on every page view."""

    __tablename__ = "organization_staff_figures"

    organization_id: Mapped[int] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), primary_key=True
    )
    teachers: Mapped[int]
    confirmed: Mapped[int]
    refreshed_at: Mapped[datetime]


class OrganizationPlatformFigures(db.Model):
    """Per-organisation, per-platform account counts, rebuilt together with OrganizationStaffFigures."""

    __tablename__ = "organization_platform_figures"

    organization_id: Mapped[int] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), primary_key=True
    )
    platform_id: Mapped[int] = mapped_column(ForeignKey("platforms.id", ondelete="CASCADE"), primary_key=True)
    registered: Mapped[int]
    active: Mapped[int]
    # Active, with both the teacher and the account's status confirmed by the organisation.
    active_confirmed: Mapped[int]


class MonitoringAreaFigures(db.Model):
    """The figures of the region (municipality_id None) or of one municipality as of the last rebuild, summed from
    the per-organisation figures by the same rebuild, so that no page groups 40,000 organisations."""

    __tablename__ = "monitoring_area_figures"

    id: Mapped[int] = mapped_column(primary_key=True)
    municipality_id: Mapped[int | None] = mapped_column(
        ForeignKey("municipalities.id", ondelete="CASCADE"), unique=True
    )
    school_year: Mapped[str] = mapped_column(String(9))  # the year the diagnostic counts are of
    organizations_by_kind: Mapped[dict] = mapped_column(JSON)
    teachers: Mapped[int]
    confirmed: Mapped[int]
    diagnostics_by_status: Mapped[dict] = mapped_column(JSON)
    levels: Mapped[dict] = mapped_column(JSON)
    preschool_teachers: Mapped[int] = mapped_column(server_default="0")
    # Students on Сферум as the schools state them (StudentFigures): each school's latest figure.
    student_schools: Mapped[int] = mapped_column(server_default="0")
    students: Mapped[int] = mapped_column(server_default="0")
    sferum_students: Mapped[int] = mapped_column(server_default="0")
    sferum_students_earliest: Mapped[date | None]
    sferum_students_latest: Mapped[date | None]
    refreshed_at: Mapped[datetime]


class MonitoringAreaPlatformFigures(db.Model):
    """One platform's counts in one area of MonitoringAreaFigures."""

    __tablename__ = "monitoring_area_platform_figures"

    area_id: Mapped[int] = mapped_column(ForeignKey("monitoring_area_figures.id", ondelete="CASCADE"), primary_key=True)
    platform_id: Mapped[int] = mapped_column(ForeignKey("platforms.id", ondelete="CASCADE"), primary_key=True)
    organizations_active: Mapped[int]
    registered: Mapped[int]
    active: Mapped[int]
    organizations_active_confirmed: Mapped[int]
    active_confirmed: Mapped[int]
    preschool_active: Mapped[int] = mapped_column(server_default="0")


class MonitoringDeficitFigures(db.Model):
    """How many of the year's submitted and accepted diagnostics of a methodology score an indicator below its
    maximum, as of the last rebuild (the overview's «Самые частые дефициты» without reading every answer)."""

    __tablename__ = "monitoring_deficit_figures"

    methodology_code: Mapped[str] = mapped_column(String(50), primary_key=True)
    indicator_code: Mapped[str] = mapped_column(String(100), primary_key=True)
    organizations: Mapped[int]
    diagnostics: Mapped[int]
