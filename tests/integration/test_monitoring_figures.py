"""The pre-aggregated per-organisation figures the dashboards sum."""
from datetime import timedelta

from sqlalchemy import select

from cpp_app.blueprints.monitoring import figures
from cpp_app.models import (
    AccountStatus,
    Organization,
    OrganizationPlatformFigures,
    OrganizationStaffFigures,
    Platform,
    PlatformAccount,
    Role,
    utcnow,
)


def test_refresh_counts_staff_and_accounts(database, make_user):
    school = database.session.scalars(select(Organization).order_by(Organization.id)).first()
    sferum = database.session.scalar(select(Platform).where(Platform.code == "sferum"))
    confirmed = make_user(organization=school, confirmed_at=utcnow())
    pending = make_user(organization=school)
    make_user(role=Role.METHODOLOGIST)  # not staff of any organisation
    database.session.add_all([
        PlatformAccount(user_id=confirmed.id, platform_id=sferum.id, status=AccountStatus.ACTIVE, confirmed_at=utcnow()),
        PlatformAccount(user_id=pending.id, platform_id=sferum.id, status=AccountStatus.REGISTERED),
    ])
    database.session.commit()
    figures.refresh()
    staff = database.session.get(OrganizationStaffFigures, school.id)
    assert (staff.teachers, staff.confirmed) == (2, 1)
    platform = database.session.get(OrganizationPlatformFigures, (school.id, sferum.id))
    assert (platform.registered, platform.active, platform.active_confirmed) == (2, 1, 1)
    assert database.session.scalar(select(OrganizationStaffFigures.organization_id).where(
        OrganizationStaffFigures.organization_id != school.id)) is None


def test_figures_are_rebuilt_only_when_older_than_the_configured_age(app, database, make_user, monkeypatch):
    school = database.session.scalars(select(Organization).order_by(Organization.id)).first()
    make_user(organization=school)
    first = figures.ensure_fresh()
    monkeypatch.setitem(app.config, "MONITORING_MAX_AGE_SECONDS", 600)
    make_user(organization=school)
    assert figures.ensure_fresh() == first
    assert database.session.get(OrganizationStaffFigures, school.id).teachers == 1
    monkeypatch.setattr(figures, "utcnow", lambda: first + timedelta(minutes=11))
    assert figures.ensure_fresh() > first
    assert database.session.get(OrganizationStaffFigures, school.id).teachers == 2


def test_refresh_command(app, database, make_user):
    make_user()
    result = app.test_cli_runner().invoke(args=["refresh-monitoring"])
    assert result.exit_code == 0 and "пересчитаны" in result.output
    assert database.session.scalar(select(OrganizationStaffFigures.teachers)) == 1
