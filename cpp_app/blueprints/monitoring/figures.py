"""The figures the monitoring pages read, pre-aggregated by one rebuild: per organisation (copied from the staff
tallies, which every change keeps current), then per municipality and for the region (summed from those), and the
year's deficit counts.

At the scale of a country (40,000 organisations, a million teachers) joining teachers on a page view costs seconds
and even grouping the per-organisation rows by municipality costs hundreds of milliseconds; reading ~1,600 stored
municipality rows costs milliseconds. The rebuild runs from a timer (`flask refresh-monitoring`) and as a background
job a page asks for when the figures are missing or older than MONITORING_MAX_AGE_SECONDS; no page waits for it:
each shows «по данным на …» of the last rebuild.
"""
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import delete, insert, literal, select, text

from ...domain.workflow import school_year
from ...extensions import db
from ...jobs import enqueue
from ...kernel.clock import local_today
from ...models import (
    MonitoringAreaFigures,
    MonitoringAreaPlatformFigures,
    MonitoringDeficitFigures,
    OrganizationPlatformFigures,
    OrganizationStaffFigures,
    StaffPlatformTally,
    StaffTally,
    utcnow,
)
from ..school.tallies import settle

REFRESH_JOB = "refresh_monitoring"
# Any fixed number: PostgreSQL's advisory lock that keeps two rebuilds (the timer's and a page's job) in turn.
_REBUILD_LOCK = 2026_0415


def refreshed_at() -> datetime | None:
    """When the stored figures were rebuilt; None if never (the region's row is written by every rebuild)."""
    return db.session.scalar(
        select(MonitoringAreaFigures.refreshed_at).where(MonitoringAreaFigures.municipality_id.is_(None))
    )


def as_of() -> datetime | None:
    """The time the stored figures are of, for a page's «по данным на …». When there are none yet or they are older
    than the configured age, asks for a rebuild as a background job (one at a time) and returns at once."""
    last = refreshed_at()
    max_age = timedelta(seconds=current_app.config["MONITORING_MAX_AGE_SECONDS"])
    if last is None or utcnow() - last >= max_age:
        enqueue(REFRESH_JOB, key=REFRESH_JOB)
    return last


def refresh(now: datetime | None = None) -> datetime:
    """Rebuilds every table of figures in the caller's transaction; readers see the previous ones until it commits."""
    from .stats import computed_deficits, computed_municipality_rows, sum_municipalities

    now = now or utcnow()
    if db.engine.dialect.name == "postgresql":
        db.session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _REBUILD_LOCK})
    for table in (MonitoringDeficitFigures, MonitoringAreaPlatformFigures, MonitoringAreaFigures,
                  OrganizationPlatformFigures, OrganizationStaffFigures):
        db.session.execute(delete(table))
    _refresh_organizations(now)

    year = school_year(local_today())
    municipalities = computed_municipality_rows(year)
    areas = [sum_municipalities(municipalities), *municipalities]
    db.session.execute(insert(MonitoringAreaFigures), [
        {"id": number, "municipality_id": area.municipality_id, "school_year": year,
         "organizations_by_kind": area.organizations_by_kind, "teachers": area.teachers_registered,
         "confirmed": area.teachers_confirmed, "diagnostics_by_status": area.diagnostics_by_status,
         "levels": area.levels, "preschool_teachers": area.teachers_preschool,
         "student_schools": area.students.schools, "students": area.students.students,
         "sferum_students": area.students.registered, "sferum_students_earliest": area.students.earliest,
         "sferum_students_latest": area.students.latest, "refreshed_at": now}
        for number, area in enumerate(areas, start=1)
    ])
    platform_rows = [
        {"area_id": number, "platform_id": platform_id, "organizations_active": p.organizations_with_active,
         "registered": p.teachers_registered, "active": p.teachers_active,
         "organizations_active_confirmed": p.organizations_with_active_confirmed,
         "active_confirmed": p.teachers_active_confirmed, "preschool_active": p.preschool_teachers_active}
        for number, area in enumerate(areas, start=1)
        for platform_id, p in zip(_platform_ids(), area.platforms, strict=True)
    ]
    if platform_rows:
        db.session.execute(insert(MonitoringAreaPlatformFigures), platform_rows)
    deficits = computed_deficits(year)
    if deficits:
        db.session.execute(insert(MonitoringDeficitFigures), deficits)
    if db.engine.dialect.name == "postgresql":
        # Every row was replaced: without fresh statistics (autovacuum comes later, or never saw the tables filled)
        # the planner scans all 280,000 per-organisation rows for one municipality's 25 organisations.
        db.session.execute(text("ANALYZE organization_staff_figures, organization_platform_figures, "
                                "monitoring_area_figures, monitoring_area_platform_figures"))
    return now


def _platform_ids() -> list[int]:
    from .stats import platform_list

    return [platform_id for platform_id, _, _ in platform_list()]


def _refresh_organizations(now: datetime) -> None:
    """Copies the staff tallies, which every change keeps current (school/tallies.py), as of this rebuild."""
    settle(db.session)
    db.session.execute(
        insert(OrganizationStaffFigures).from_select(
            ["organization_id", "teachers", "confirmed", "refreshed_at"],
            select(StaffTally.organization_id, StaffTally.teachers, StaffTally.confirmed, literal(now)),
        )
    )
    db.session.execute(
        insert(OrganizationPlatformFigures).from_select(
            ["organization_id", "platform_id", "registered", "active", "active_confirmed"],
            select(StaffPlatformTally.organization_id, StaffPlatformTally.platform_id, StaffPlatformTally.registered,
                   StaffPlatformTally.active, StaffPlatformTally.active_confirmed),
        )
    )
