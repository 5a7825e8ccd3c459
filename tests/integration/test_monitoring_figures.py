"""The pre-aggregated figures the monitoring pages read: per organisation, per municipality, the region; the
rebuild as a background job that pages ask for and never wait for."""
from collections import Counter
from datetime import timedelta

from sqlalchemy import func, select

from cpp_app import jobs
from cpp_app.blueprints.monitoring import figures, stats
from cpp_app.domain.workflow import school_year
from cpp_app.kernel.clock import local_today
from cpp_app.models import (
    AccountStatus,
    BackgroundJob,
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


def _refresh_jobs(database) -> list[str]:
    return [row.status for row in database.session.scalars(
        select(BackgroundJob).where(BackgroundJob.kind == figures.REFRESH_JOB).order_by(BackgroundJob.id))]


def test_as_of_never_rebuilds_itself_but_queues_the_job_when_figures_are_missing_or_old(app, database, make_user,
                                                                                         monkeypatch):
    school = database.session.scalars(select(Organization).order_by(Organization.id)).first()
    make_user(organization=school)
    database.session.commit()
    assert figures.as_of() is None  # never rebuilt: the caller shows its message meanwhile
    assert database.session.get(OrganizationStaffFigures, school.id) is None
    assert _refresh_jobs(database) == ["queued"]
    database.session.commit()  # without Redis the job runs once the request commits
    assert _refresh_jobs(database) == ["succeeded"]
    first = figures.refreshed_at()
    assert database.session.get(OrganizationStaffFigures, school.id).teachers == 1

    make_user(organization=school)
    database.session.commit()
    monkeypatch.setitem(app.config, "MONITORING_MAX_AGE_SECONDS", 600)
    assert figures.as_of() == first  # fresh enough: the stored figures, no job
    assert _refresh_jobs(database) == ["succeeded"]
    monkeypatch.setattr(figures, "utcnow", lambda: first + timedelta(minutes=11))
    assert figures.as_of() == first  # old: still the stored figures now, a rebuild in the background
    database.session.commit()
    assert _refresh_jobs(database) == ["succeeded", "succeeded"]
    assert figures.refreshed_at() > first
    assert database.session.get(OrganizationStaffFigures, school.id).teachers == 2


def test_a_rebuild_already_waiting_is_not_queued_twice(database, monkeypatch):
    monkeypatch.setattr(jobs, "_dispatch_after_commit", lambda job_id: None)  # as with a busy worker
    assert figures.as_of() is None and figures.as_of() is None
    database.session.commit()
    assert _refresh_jobs(database) == ["queued"]


def test_the_job_rebuilds_every_table(database, make_user):
    school = database.session.scalars(select(Organization).order_by(Organization.id)).first()
    make_user(organization=school, confirmed_at=utcnow())
    database.session.commit()
    jobs.enqueue(figures.REFRESH_JOB, key=figures.REFRESH_JOB)
    database.session.commit()
    assert _refresh_jobs(database) == ["succeeded"]
    region = stats.region_figures()
    assert (region.teachers_registered, region.teachers_confirmed) == (1, 1)
    assert stats.municipality_figures(school.municipality_id).teachers_registered == 1


def test_each_municipality_is_the_sum_of_its_organisations_and_the_region_of_its_municipalities(app, database):
    assert app.test_cli_runner().invoke(
        args=["seed-scale", "--orgs", "75", "--teachers", "900", "--diagnostics", "40"]).exit_code == 0
    figures.refresh()
    database.session.commit()
    year = school_year(local_today())
    platforms = [code for _, code, _ in stats.platform_list()]
    municipalities = stats.municipality_rows()
    assert sum(m.teachers_registered for m in municipalities) == database.session.scalar(
        select(func.sum(OrganizationStaffFigures.teachers)))
    for municipality in municipalities:
        organizations = stats.organization_rows(municipality.municipality_id, year)
        assert municipality.organizations_total == len(organizations)
        assert municipality.teachers_registered == sum(o.teachers_registered for o in organizations)
        assert municipality.teachers_confirmed == sum(o.teachers_confirmed for o in organizations)
        statuses = Counter(o.diagnostic_status for o in organizations if o.diagnostic_status)
        assert municipality.diagnostics_by_status == dict(statuses)
        for code in platforms:
            parts = [o.platform(code) for o in organizations]
            area = municipality.platform(code)
            assert area.teachers_registered == sum(p.teachers_registered for p in parts)
            assert area.teachers_active == sum(p.teachers_active for p in parts)
            assert area.teachers_active_confirmed == sum(p.teachers_active_confirmed for p in parts)
            # Organisations of additional education are outside the organisation share (an organisation's row
            # says so by its organizations_total of 0), however active their teachers.
            assert area.organizations_total == sum(p.organizations_total for p in parts)
            assert area.organizations_with_active == sum(p.organizations_total for p in parts if p.teachers_active)
            assert area.organizations_with_active_confirmed == \
                sum(p.organizations_total for p in parts if p.teachers_active_confirmed)
            preschools = [(o, p) for o, p in zip(organizations, parts, strict=True) if o.kind == "preschool"]
            assert area.preschool_teachers_total == sum(o.teachers_registered for o, _ in preschools)
            assert area.preschool_teachers_active == sum(p.teachers_active for _, p in preschools)
    region = stats.region_figures()
    assert region.teachers_registered == sum(m.teachers_registered for m in municipalities) > 0
    assert region.organizations_total == sum(m.organizations_total for m in municipalities)
    for code in platforms:
        assert region.platform(code).teachers_active == sum(m.platform(code).teachers_active for m in municipalities)
        assert region.platform(code).organizations_with_active == \
            sum(m.platform(code).organizations_with_active for m in municipalities)
    assert region.diagnostics_by_status == dict(sum((Counter(m.diagnostics_by_status) for m in municipalities),
                                                    Counter()))


def test_refresh_command(app, database, make_user):
    make_user()
    result = app.test_cli_runner().invoke(args=["refresh-monitoring"])
    assert result.exit_code == 0 and "пересчитаны" in result.output
    assert database.session.scalar(select(OrganizationStaffFigures.teachers)) == 1
