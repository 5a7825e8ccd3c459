"""Monitoring pages: access, figures of a small hand-built region, sorting, the organisation card, query counts."""
import re
from datetime import date

import pytest
from sqlalchemy import func, select

from cpp_app.blueprints.methodology.services_versions import active_school_version, methodology_of
from cpp_app.blueprints.monitoring import figures, stats
from cpp_app.domain.monitoring import StudentFigures
from cpp_app.domain.workflow import school_year
from cpp_app.formatting import local_datetime
from cpp_app.kernel.clock import local_today
from cpp_app.models import (
    AccountStatus,
    BackgroundJob,
    DevelopmentProgram,
    Diagnostic,
    DiagnosticAnswer,
    DiagnosticStatus,
    JobStatus,
    MonitoringSnapshot,
    Municipality,
    Organization,
    OrganizationKind,
    Platform,
    PlatformAccount,
    ProgramAction,
    Role,
    User,
    utcnow,
)
from tests.conftest import complete_second_factor
from tests.factories import statements_run

YEAR = school_year(local_today())
PREVIOUS_YEAR = f"{int(YEAR[:4]) - 1}/{YEAR[:4]}"


def _municipality(database, name):
    municipality = Municipality(name=name)
    database.session.add(municipality)
    database.session.flush()
    return municipality


def _organization(database, municipality, name, kind=OrganizationKind.SCHOOL):
    organization = Organization(full_name=f"МБОУ «{name}»", short_name=name, kind=kind, municipality=municipality)
    database.session.add(organization)
    database.session.flush()
    return organization


def _teacher(database, organization, accounts=(), confirmed=False, role=Role.TEACHER, confirmed_accounts=False):
    """A staff member without a password of their own: these pages never sign them in."""
    number = _teacher.counter = getattr(_teacher, "counter", 0) + 1
    user = User(email=f"t{number}@region.example", password_hash="-", last_name="Учитель", first_name=f"Тест{number}",
                organization=organization, role=role, confirmed_at=utcnow() if confirmed else None)
    database.session.add(user)
    database.session.flush()
    platforms = {p.code: p.id for p in database.session.scalars(select(Platform))}
    for code, status in accounts:
        database.session.add(PlatformAccount(user_id=user.id, platform_id=platforms[code], status=status,
                                             confirmed_at=utcnow() if confirmed_accounts else None))
    return user


def _diagnostic(database, organization, status, level=None, year=YEAR, answers=None):
    version = active_school_version()
    diagnostic = Diagnostic(organization_id=organization.id, methodology_id=version.id, school_year=year,
                            status=status, level_code=level, total_points=10 if level else None,
                            max_points=30 if level else None)
    database.session.add(diagnostic)
    database.session.flush()
    for code, score in (answers or {}).items():
        database.session.add(DiagnosticAnswer(diagnostic_id=diagnostic.id, indicator_code=code, score=score))
    return diagnostic


@pytest.fixture
def region(database):
    """Альфа: two schools and a kindergarten without staff; Бета: one school."""
    active, registered = AccountStatus.ACTIVE, AccountStatus.REGISTERED
    alpha, beta = _municipality(database, "Аа-тест Альфа"), _municipality(database, "Аа-тест Бета")
    a1, a2 = _organization(database, alpha, "Альфа школа 1"), _organization(database, alpha, "Альфа школа 2")
    a3 = _organization(database, alpha, "Альфа детсад", OrganizationKind.PRESCHOOL)
    b1 = _organization(database, beta, "Бета школа")
    _teacher(database, a1, [("sferum", active)], confirmed=True, confirmed_accounts=True)
    _teacher(database, a1, [("sferum", active)])
    _teacher(database, a1, [("sferum", registered), ("resh", registered)], confirmed=True)
    _teacher(database, a1)
    _teacher(database, a1, role=Role.SCHOOL_ADMIN, confirmed=True)
    _teacher(database, a2, [("resh", active)])
    _teacher(database, b1, [("sferum", active)], confirmed=True)
    _teacher(database, b1)
    methodology = methodology_of(active_school_version())
    first, second = methodology.indicators[0], methodology.indicators[1]
    a1_diagnostic = _diagnostic(database, a1, DiagnosticStatus.ACCEPTED, "basic",
                                answers={first.code: 0, second.code: second.max_score})
    _diagnostic(database, a1, DiagnosticStatus.ACCEPTED, "high", year=PREVIOUS_YEAR, answers={second.code: 0})
    _diagnostic(database, a2, DiagnosticStatus.DRAFT, answers={first.code: 0, second.code: 0})
    _diagnostic(database, b1, DiagnosticStatus.SUBMITTED, "high", answers={first.code: 0, second.code: 0})
    program = DevelopmentProgram(organization_id=a1.id, diagnostic_id=a1_diagnostic.id, period_start=2025,
                                 period_end=2029)
    database.session.add(program)
    database.session.flush()
    for status in ("done", "planned", "in_progress", "done"):
        database.session.add(ProgramAction(program_id=program.id, indicator_code=first.code, from_score=0, to_score=1,
                                           text="Мероприятие", status=status))
    database.session.commit()
    _rebuild(database)
    return {"alpha": alpha, "beta": beta, "a1": a1, "a2": a2, "a3": a3, "b1": b1, "first": first, "second": second,
            "program": program, "diagnostic": a1_diagnostic}


def _rebuild(database):
    figures.refresh()
    database.session.commit()


def _text(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.get_data(as_text=True)


def _row(html: str, attribute: str, value) -> str:
    match = re.search(rf'<tr {attribute}="{value}">(.*?)</tr>', html, re.S)
    assert match, f"no row {attribute}={value}"
    return match.group(1)


def _cell(row: str, column: str) -> str:
    match = re.search(rf'<td data-(?:col|share)="{re.escape(column)}"[^>]*>(.*?)</td>', row, re.S)
    assert match, f"no cell {column}"
    return " ".join(re.sub(r"<[^>]+>", " ", match.group(1)).replace("&nbsp;", " ").split())


# ----------------------------------------------------------------------------------------------------- access


@pytest.mark.parametrize("path", ["/monitoring/", "/monitoring/municipalities", "/monitoring/municipalities/{m}",
                                  "/monitoring/organizations/{o}"])
def test_only_the_institute_sees_monitoring(app, database, make_user, login, client, region, path):
    path = path.format(m=region["alpha"].id, o=region["a1"].id)
    assert client.get(path).status_code == 302  # anonymous: sign in first
    for role, expected in ((Role.TEACHER, 404), (Role.SCHOOL_ADMIN, 404), (Role.METHODOLOGIST, 200), (Role.ADMIN, 200)):
        visitor = app.test_client()
        user = make_user(role=role, organization=region["a1"] if role in (Role.TEACHER, Role.SCHOOL_ADMIN) else None)
        token_page = visitor.get("/login")
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', token_page.get_data(as_text=True))[1]
        complete_second_factor(visitor, user.email, visitor.post(
            "/login", data={"email": user.email, "password": "Krasnoyarsk-teacher-2026", "csrf_token": token}))
        assert visitor.get(path).status_code == expected, (role, path)


def test_unknown_ids_are_404(client, signed_in_methodologist, region):
    assert client.get("/monitoring/municipalities/999999").status_code == 404
    assert client.get("/monitoring/organizations/999999").status_code == 404


# ---------------------------------------------------------------------------------------------------- figures


def test_municipality_figures_from_grouped_queries(database, region):
    alpha = stats.municipality_figures(region["alpha"].id)
    assert alpha.organizations_total == 3 and alpha.organizations_by_kind == {"school": 2, "preschool": 1}
    assert (alpha.teachers_registered, alpha.teachers_confirmed) == (6, 3)
    sferum = alpha.platform("sferum")
    assert (sferum.organizations_with_active, sferum.teachers_registered, sferum.teachers_active) == (1, 3, 2)
    assert (sferum.organizations_with_active_confirmed, sferum.teachers_active_confirmed) == (1, 1)
    assert alpha.platform("resh").organizations_with_active == 1
    assert alpha.diagnostics_by_status == {"accepted": 1, "draft": 1} and alpha.levels == {"basic": 1}
    assert stats.municipality_figures(999999) is None


def test_region_is_the_sum_of_municipalities(database, region):
    region_figures = stats.region_figures()
    rows = stats.municipality_rows()
    assert region_figures.organizations_total == sum(row.organizations_total for row in rows)
    assert region_figures.teachers_registered == 8 and region_figures.teachers_confirmed == 4
    assert region_figures.platform("sferum").organizations_with_active == 2
    assert region_figures.levels == {"basic": 1, "high": 1}
    assert region_figures.diagnostics_by_status == {"accepted": 1, "draft": 1, "submitted": 1}
    assert {row.name for row in rows} >= {"Аа-тест Альфа", "Аа-тест Бета"}


def test_top_deficits_count_submitted_answers_below_the_maximum(database, region):
    deficits = stats.top_deficits()
    assert [(d.code, d.organizations, d.diagnostics) for d in deficits] == [
        (region["first"].code, 2, 2), (region["second"].code, 1, 2)]
    assert deficits[0].title == region["first"].label
    assert stats.top_deficits(limit=1)[0].code == region["first"].code


def test_overview_shows_shares_with_bands_in_words(client, signed_in_methodologist, region):
    html = _text(client.get("/monitoring/"))
    sferum = _row(html, "data-platform", "sferum")
    # No source gives the registered share a band: it is shown alone.
    assert _cell(sferum, "registered") == "50 % (4 из 8)"
    assert _cell(sferum, "active") == "38 % (3 из 8) хорошо"
    assert 'class="band band-good"' in sferum
    assert "ниже нормы" in _cell(sferum, "organizations")  # 2 of 60-odd organisations
    assert _cell(sferum, "preschool_active") == "нет данных"  # the kindergarten has no staff in ЦПП
    vk = _row(html, "data-platform", "vk_messenger")
    assert _cell(vk, "active") == "0 % (0 из 8) ниже нормы" and "band-below" in vk
    resh = _row(html, "data-platform", "resh")
    # РЭШ has no band in the seed: never silently Сферум's.
    assert _cell(resh, "active") == "13 % (1 из 8)" and 'data-band="none"' in resh and "band-medium" not in resh
    legend = re.search(r'<div class="muted small band-legend">(.*?)</div>', html, re.S).group(1)
    assert "Пороги: Мониторинг подключения образовательных организаций к информационно-коммуникационной платформе " \
           "Сферум в субъектах РФ (Минпросвещения России, Минцифры России), показатели с 25.05.2023" in legend
    assert "доля педагогов дошкольных образовательных организаций — «ниже нормы» до 2,5" in legend
    assert "все доли: ФГИС «Моя школа», Библиотека ЦОК, КИАСУО / электронный дневник, РЭШ, Госуслуги" in legend
    assert region["first"].label in html and "<svg" in html
    assert 'data-level="basic"' in html and "базовый" in html


@pytest.mark.parametrize("path", ["/monitoring/", "/monitoring/municipalities", "/monitoring/inactive"])
def test_first_visit_of_a_never_rebuilt_database_queues_the_rebuild_and_says_so(client, signed_in_methodologist,
                                                                                database, path):
    response = client.get(path)
    html = _text(response)
    assert "Показатели мониторинга готовятся" in html and "расчёт запущен в фоне" in html
    assert "<table" not in html and response.headers["Refresh"] == "10"
    # Without Redis the job ran once the request committed; with it a worker would, and the page says the same.
    jobs = database.session.scalars(select(BackgroundJob).where(BackgroundJob.kind == figures.REFRESH_JOB)).all()
    assert [job.status for job in jobs] == [JobStatus.SUCCEEDED.value]
    html = _text(client.get(path))
    assert "готовятся" not in html
    assert f"по данным на {local_datetime(figures.refreshed_at())}" in html


def test_a_municipality_before_the_first_rebuild_is_being_prepared_not_missing(client, signed_in_methodologist,
                                                                                database):
    municipality_id = database.session.scalar(select(Municipality.id).limit(1))

    response = client.get(f"/monitoring/municipalities/{municipality_id}")

    assert response.status_code == 200 and "Показатели мониторинга готовятся" in _text(response)


def test_empty_overview(client, signed_in_methodologist, database):
    _rebuild(database)
    html = _text(client.get("/monitoring/"))
    assert "самодиагностик пока нет" in html and "дефициты появятся после подачи" in html


def test_municipality_table_values_and_sorting(client, signed_in_methodologist, region):
    html = _text(client.get("/monitoring/municipalities"))
    alpha = _row(html, "data-municipality-id", region["alpha"].id)
    assert _cell(alpha, "organizations") == "3" and _cell(alpha, "teachers") == "6"
    assert _cell(alpha, "sferum.organizations") == "33 % ниже нормы"
    assert _cell(alpha, "sferum.registered") == "50 %"
    assert "resh." not in alpha  # one platform at a time, Сферум first
    resh = _row(_text(client.get("/monitoring/municipalities?platform=resh")), "data-municipality-id", region["alpha"].id)
    assert _cell(resh, "resh.active") == "17 %" and "sferum." not in resh
    assert _cell(_row(html, "data-municipality-id", region["beta"].id), "sferum.organizations") == "100 % хорошо"
    assert f'href="/monitoring/municipalities/{region["alpha"].id}?platform=sferum"' in html

    def order(query):
        ids = [int(i) for i in re.findall(r'data-municipality-id="(\d+)"', _text(client.get(query)))]
        return [i for i in ids if i in (region["alpha"].id, region["beta"].id)], ids

    assert order("/monitoring/municipalities?sort=teachers&dir=desc")[1][:2] == [region["alpha"].id, region["beta"].id]
    assert order("/monitoring/municipalities?sort=sferum.organizations&dir=desc")[1][0] == region["beta"].id
    assert order("/monitoring/municipalities?sort=name&dir=asc")[1][:2] == [region["alpha"].id, region["beta"].id]
    # 60-odd municipalities, 50 a page: the «Аа-тест» ones close the last page in descending order.
    assert order("/monitoring/municipalities?sort=name&dir=desc&page=99")[0] == [region["beta"].id, region["alpha"].id]
    assert order("/monitoring/municipalities?sort=__class__&dir=sideways")[1][:2] == [region["alpha"].id, region["beta"].id]


def test_municipality_page_lists_its_organisations(client, signed_in_methodologist, region):
    html = _text(client.get(f"/monitoring/municipalities/{region['alpha'].id}?sort=teachers&dir=desc"))
    ids = [int(i) for i in re.findall(r'data-organization-id="(\d+)"', html)]
    assert ids == [region["a1"].id, region["a2"].id, region["a3"].id]
    a1 = _row(html, "data-organization-id", region["a1"].id)
    assert _cell(a1, "teachers") == "5" and _cell(a1, "confirmed") == "3"
    assert _cell(a1, "diagnostic") == "принята" and _cell(a1, "level") == "базовый"
    assert _cell(a1, "sferum.active") == "40 % хорошо"
    assert _cell(_row(html, "data-organization-id", region["a3"].id), "sferum.active") == "—"
    assert _cell(_row(html, "data-organization-id", region["a2"].id), "diagnostic") == "черновик"
    assert f'href="/monitoring/organizations/{region["a1"].id}"' in html


def test_municipality_without_organisations(client, signed_in_methodologist, database):
    empty = _municipality(database, "Аа-тест Пустой")
    database.session.commit()
    _rebuild(database)
    assert "нет действующих организаций" in _text(client.get(f"/monitoring/municipalities/{empty.id}"))


def test_organisation_page(client, signed_in_methodologist, region):
    html = _text(client.get(f"/monitoring/organizations/{region['a1'].id}"))
    assert _cell(_row(html, "data-platform", "sferum"), "active") == "40 % (2 из 5) хорошо"
    assert _cell(_row(html, "data-platform", "sferum"), "active_confirmed") == "33 % (1 из 3) хорошо"
    assert f'/diagnostics/{region["diagnostic"].id}/result' in html
    program = _row(html, "data-program-id", region["program"].id)
    assert f'/programs/{region["program"].id}"' in program and 'data-progress="50"' in program
    empty = _text(client.get(f"/monitoring/organizations/{region['a3'].id}"))
    assert "ни один педагог" in empty and "ещё не начинала" in empty and "Программы развития пока нет" in empty


@pytest.fixture
def gamma(database, region):
    """Гамма: a school, a kindergarten whose 1 active teacher of 25 is 4 % (medium by the preschool band, below the
    norm by the schools'), a house of creativity (additional education) with an active teacher, and two schools
    stating their students on Сферум in their self-diagnostics."""
    active, registered = AccountStatus.ACTIVE, AccountStatus.REGISTERED
    gamma = _municipality(database, "Аа-тест Гамма")
    school = _organization(database, gamma, "Гамма школа")
    kindergarten = _organization(database, gamma, "Гамма детсад", OrganizationKind.PRESCHOOL)
    club = _organization(database, gamma, "Гамма дом творчества", OrganizationKind.ADDITIONAL)
    other = _organization(database, gamma, "Гамма школа 2")
    _teacher(database, school, [("sferum", registered)])
    _teacher(database, club, [("sferum", active)])
    for number in range(25):
        _teacher(database, kindergarten, [("sferum", active)] if number == 0 else [])
    older = _diagnostic(database, school, DiagnosticStatus.ACCEPTED, "basic", year=PREVIOUS_YEAR)
    older.student_count, older.sferum_students, older.sferum_students_on = 400, 10, date(2024, 5, 1)
    latest = _diagnostic(database, school, DiagnosticStatus.DRAFT)
    latest.student_count, latest.sferum_students, latest.sferum_students_on = 400, 80, date(2025, 10, 6)
    unknown = _diagnostic(database, other, DiagnosticStatus.DRAFT)  # no student count: no share to sum
    unknown.sferum_students, unknown.sferum_students_on = 50, date(2025, 10, 1)
    database.session.commit()
    _rebuild(database)
    return {"gamma": gamma, "school": school, "kindergarten": kindergarten, "club": club}


def test_rebuild_leaves_additional_education_out_of_the_organisation_share(database, gamma):
    figures_of = stats.municipality_figures(gamma["gamma"].id)
    sferum = figures_of.platform("sferum")
    assert figures_of.organizations_total == 4 and figures_of.organizations_by_kind["additional"] == 1
    # The club's active teacher does not make it count: the kindergarten is the one organisation with activity.
    assert (sferum.organizations_with_active, sferum.organizations_total) == (1, 3)
    assert (sferum.preschool_teachers_total, sferum.preschool_teachers_active) == (25, 1)
    assert (sferum.teachers_total, sferum.teachers_active) == (27, 2) and sferum.other_active_share == 0.5
    region_sferum = stats.region_figures().platform("sferum")
    organizations = database.session.scalar(select(func.count(Organization.id)).where(
        Organization.is_active, Organization.kind != OrganizationKind.ADDITIONAL))
    assert region_sferum.organizations_total == organizations
    assert region_sferum.preschool_teachers_total == 25
    assert figures_of.students == StudentFigures(1, 400, 80, date(2025, 10, 6), date(2025, 10, 6))


def test_preschool_teachers_are_judged_by_their_own_band(client, signed_in_methodologist, gamma):
    html = _text(client.get(f"/monitoring/municipalities/{gamma['gamma'].id}"))
    sferum = _row(html, "data-platform", "sferum")
    assert _cell(sferum, "preschool_active") == "4 % (1 из 25) средний уровень"
    assert _cell(sferum, "active") == "50 % (1 из 2) хорошо"
    assert _cell(sferum, "organizations") == "33 % (1 из 3) ниже нормы"
    assert _cell(_row(html, "data-organization-id", gamma["kindergarten"].id), "sferum.active") == "4 % средний уровень"
    assert _cell(_row(html, "data-organization-id", gamma["school"].id), "sferum.active") == "0 % ниже нормы"
    row = _row(_text(client.get("/monitoring/municipalities")), "data-municipality-id", gamma["gamma"].id)
    assert _cell(row, "sferum.preschool_active") == "4 % средний уровень"
    card = _text(client.get(f"/monitoring/organizations/{gamma['kindergarten'].id}"))
    assert _cell(_row(card, "data-platform", "sferum"), "active") == "4 % (1 из 25) средний уровень"


def _figure(html: str, name: str) -> str:
    match = re.search(rf'<p data-figure="{name}">(.*?)</p>', html, re.S)
    assert match, f"no figure {name}"
    return " ".join(re.sub(r"<[^>]+>", " ", match.group(1)).replace("&nbsp;", " ").split())


def test_students_on_sferum_are_shown_as_the_schools_own_figure(client, signed_in_methodologist, gamma):
    expected = ("Обучающиеся, зарегистрированные в Сферуме: 20 % (80 из 400) средний уровень — по данным "
                "самодиагностики 1 школы на 06.10.2025")
    assert _figure(_text(client.get(f"/monitoring/municipalities/{gamma['gamma'].id}")), "sferum-students") == expected
    assert _figure(_text(client.get("/monitoring/")), "sferum-students") == expected
    card = _text(client.get(f"/monitoring/organizations/{gamma['school'].id}"))
    assert _figure(card, "sferum-students") == ("Обучающиеся, зарегистрированные в Сферуме: 20 % (80 из 400) "
                                                "средний уровень — по данным самодиагностики школы на 06.10.2025")
    empty = _text(client.get(f"/monitoring/organizations/{gamma['club'].id}"))
    assert _figure(empty, "sferum-students") == "Обучающиеся, зарегистрированные в Сферуме: школа не указала в " \
                                                 "самодиагностике."


# ---------------------------------------------------------------------------------------------- query counts


def _queries(database, client, path) -> int:
    with statements_run(database.engine) as statements:
        _text(client.get(path))
    return len(statements)


def _add_municipalities(database, how_many, start):
    for number in range(start, start + how_many):
        municipality = _municipality(database, f"Аа-нагрузка {number}")
        organization = _organization(database, municipality, f"Школа нагрузки {number}")
        _teacher(database, organization, [("sferum", AccountStatus.ACTIVE)], confirmed=True)
        _diagnostic(database, organization, DiagnosticStatus.SUBMITTED, "basic")
    database.session.commit()


def _every_page(region) -> list[str]:
    beta, b1 = region["beta"].id, region["b1"].id
    return [
        "/monitoring/", "/monitoring/municipalities", "/monitoring/municipalities?sort=sferum.active&dir=desc&page=2",
        f"/monitoring/municipalities/{beta}", f"/monitoring/municipalities/{beta}?sort=teachers&page=2",
        "/monitoring/inactive", f"/monitoring/inactive?reason=no_active&platform=sferum&municipality={beta}&kind=school",
        "/monitoring/inactive?reason=no_diagnostic&page=2", f"/monitoring/organizations/{b1}",
        "/monitoring/trends", f"/monitoring/trends?municipality={beta}",
    ]


def _add_rows(database, region, start):
    """More of everything each page lists or sums: municipalities, organisations of Бета, teachers and accounts,
    diagnostics, program actions, stored months."""
    _add_municipalities(database, 6, start)
    for number in range(60):
        organization = _organization(database, region["beta"], f"Бета школа {start}-{number}")
        _teacher(database, organization, [("sferum", AccountStatus.ACTIVE)], confirmed=number % 2 == 0)
        if number % 3 == 0:
            _diagnostic(database, organization, DiagnosticStatus.SUBMITTED, "basic")
    for _ in range(20):
        _teacher(database, region["b1"], [("sferum", AccountStatus.ACTIVE), ("resh", AccountStatus.REGISTERED)])
    diagnostic = _diagnostic(database, region["b1"], DiagnosticStatus.ACCEPTED, "basic", year=f"{2010 + start}/{2011 + start}")
    program = DevelopmentProgram(organization_id=region["b1"].id, diagnostic_id=diagnostic.id,
                                 period_start=2026 + start, period_end=2030 + start)
    database.session.add(program)
    database.session.flush()
    for _ in range(10):
        database.session.add(ProgramAction(program_id=program.id, indicator_code=region["first"].code, from_score=0,
                                           to_score=1, text="Мероприятие", status="planned"))
    for month in range(1 + start, 7 + start):
        for municipality_id in (None, region["beta"].id):
            database.session.add(MonitoringSnapshot(
                month=date(2025, month, 1), scope="municipality" if municipality_id else "region",
                municipality_id=municipality_id, metrics={"teachers_registered": month, "sferum.active_share": 0.1}))
    database.session.commit()
    _rebuild(database)


def test_every_monitoring_page_costs_the_same_queries_however_many_rows(client, signed_in_methodologist, database,
                                                                        region):
    pages = _every_page(region)
    for path in pages:  # warm-up: what a first visit caches
        _text(client.get(path))
    before = {path: _queries(database, client, path) for path in pages}
    _add_rows(database, region, 0)
    _add_rows(database, region, 6)
    after = {path: _queries(database, client, path) for path in pages}
    assert after == before
    # The rows did grow past a page: the counts above cover paginated tables, not just short ones.
    assert "показаны 51–" in _text(client.get(f"/monitoring/municipalities/{region['beta'].id}?page=2"))


def test_no_monitoring_page_runs_a_statement_twice(client, signed_in_methodologist, database, region):
    """The reference data several parts of a page use (platforms, bands, methodologies) is read once a request."""
    for path in _every_page(region):
        _text(client.get(path))
        with statements_run(database.engine) as statements:
            _text(client.get(path))
        repeated = {statement for statement in statements if statements.count(statement) > 1}
        assert not repeated, (path, repeated)
