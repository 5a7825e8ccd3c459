"""Bench: every monitoring page at the scale of the region and of the whole country, against the raw SQL aggregate
the page needs.

For each scale, seeds its own PostgreSQL database with `cpp_app.scale.seed_scale` (bulk inserts) and a year of
month-end snapshots, times the rebuild of the stored figures (`flask refresh-monitoring`: per organisation, per
municipality, the region, the deficits), signs in as a methodologist and times each page (median of the repeats,
after a warm-up). Each page is compared, in the same run, with

- `baseline`: the raw SQL aggregate the page needs — its figures computed by hand-written SQL (`LIVE_SQL`) from the
  teachers, accounts and diagnostics themselves, on a connection of its own (median): what the page would cost in
  SQL alone without the stored figures;
- `page SQL`: the page's own statements replayed on a connection of its own (median): what it costs in SQL now;
- the bare route of the same app (session, consent gate, headers; no SQL of its own beyond the sign-in's).

    .venv/bin/python bench/monitoring.py [--only region|country] [--json FILE]
    .venv/bin/python bench/monitoring.py --smoke          # tiny data, seconds: what `make test` runs

Not part of the test suite. CPP_BENCH_POSTGRES_URL overrides the server (default: postgres@127.0.0.1:5432).
"""
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from _support import (  # noqa: E402
    PASSWORD,
    arguments,
    bench_database,
    chosen_scales,
    fetch,
    make_app,
    median_ms,
    queries_of,
    report,
    result,
    sign_in,
)
from sqlalchemy import event, text  # noqa: E402

SCALES = {
    "smoke": {"organizations": 20, "teachers": 300, "diagnostics": 10, "repeats": 3},
    "region": {"organizations": 1_000, "teachers": 35_000, "diagnostics": 1_000, "repeats": 15},
    "country": {"organizations": 40_000, "teachers": 1_100_000, "diagnostics": 40_000, "repeats": 7},
}
SNAPSHOT_MONTHS = 12

# The staff the dashboards count, of the active organisations.
STAFF = ("u.role IN ('teacher', 'school_admin') AND u.consent_withdrawn_at IS NULL "
         "AND u.email_confirmed_at IS NOT NULL AND o.is_active")
ACTIVE = "a.status = 'active'"
ACTIVE_CONFIRMED = f"{ACTIVE} AND a.confirmed_at IS NOT NULL AND u.confirmed_at IS NOT NULL"


def _area_sql(where: str, group: str) -> list[str]:
    """An area's figures (organisations by kind, teachers, accounts per platform, diagnostics) grouped by `group`."""
    key = f"{group}, " if group else ""
    by = f"GROUP BY {group}" if group else ""
    return [
        f"SELECT {key}o.kind, count(*) FROM organizations o WHERE o.is_active AND {where} GROUP BY {key}o.kind",
        f"SELECT {key}count(*), count(u.confirmed_at) FROM users u JOIN organizations o ON o.id = u.organization_id "
        f"WHERE {STAFF} AND {where} {by}",
        f"SELECT {key}a.platform_id, count(DISTINCT o.id) FILTER (WHERE {ACTIVE}), "
        "count(*) FILTER (WHERE a.status IN ('registered', 'active')), "
        f"count(*) FILTER (WHERE {ACTIVE}), count(DISTINCT o.id) FILTER (WHERE {ACTIVE_CONFIRMED}), "
        f"count(*) FILTER (WHERE {ACTIVE_CONFIRMED}) "
        "FROM platform_accounts a JOIN users u ON u.id = a.user_id JOIN organizations o ON o.id = u.organization_id "
        f"WHERE {STAFF} AND {where} GROUP BY {key}a.platform_id",
        f"SELECT {key}d.status, d.level_code, count(*) FROM diagnostics d JOIN organizations o "
        f"ON o.id = d.organization_id WHERE o.is_active AND d.school_year = :year AND {where} "
        f"GROUP BY {key}d.status, d.level_code",
    ]


def _inactive_sql(condition: str, where: str) -> list[str]:
    """The inactive list: its count, the organisations covered, one page of 50 with the staff counts."""
    staff = ("SELECT count(*) FROM users u WHERE u.organization_id = o.id AND u.role IN ('teacher', 'school_admin') "
             "AND u.consent_withdrawn_at IS NULL AND u.email_confirmed_at IS NOT NULL")
    return [
        f"SELECT count(*) FROM organizations o WHERE o.is_active AND {where} AND {condition}",
        f"SELECT count(*) FROM organizations o WHERE o.is_active AND {where}",
        f"SELECT o.id, o.short_name, o.full_name, o.kind, o.inn, m.name, ({staff}), "
        f"({staff} AND u.confirmed_at IS NOT NULL) FROM organizations o "
        f"JOIN municipalities m ON m.id = o.municipality_id WHERE o.is_active AND {where} AND {condition} "
        "ORDER BY m.name, o.short_name, o.id LIMIT 50",
    ]


NO_CONFIRMED = ("NOT EXISTS (SELECT 1 FROM users u WHERE u.organization_id = o.id AND u.role IN ('teacher', "
                "'school_admin') AND u.consent_withdrawn_at IS NULL AND u.email_confirmed_at IS NOT NULL "
                "AND u.confirmed_at IS NOT NULL)")
NO_ACTIVE = ("NOT EXISTS (SELECT 1 FROM platform_accounts a JOIN users u ON u.id = a.user_id WHERE "
             "u.organization_id = o.id AND u.role IN ('teacher', 'school_admin') AND u.consent_withdrawn_at IS NULL "
             "AND u.email_confirmed_at IS NOT NULL AND a.platform_id = :platform AND a.status = 'active')")
NO_DIAGNOSTIC = ("NOT EXISTS (SELECT 1 FROM diagnostics d WHERE d.organization_id = o.id AND d.school_year = :year "
                 "AND d.status IN ('submitted', 'accepted'))")
ORGANIZATION_CARD = [
    "SELECT count(*), count(u.confirmed_at) FROM users u JOIN organizations o ON o.id = u.organization_id "
    f"WHERE {STAFF} AND o.id = :organization",
    "SELECT a.platform_id, count(*) FILTER (WHERE a.status IN ('registered', 'active')), "
    f"count(*) FILTER (WHERE {ACTIVE}), count(*) FILTER (WHERE {ACTIVE_CONFIRMED}) FROM platform_accounts a "
    f"JOIN users u ON u.id = a.user_id JOIN organizations o ON o.id = u.organization_id WHERE {STAFF} "
    "AND o.id = :organization GROUP BY a.platform_id",
    "SELECT * FROM diagnostics WHERE organization_id = :organization ORDER BY school_year DESC, id DESC",
    "SELECT p.id, p.status, p.period_start, p.period_end, a.status FROM development_programs p "
    "LEFT JOIN program_actions a ON a.program_id = p.id WHERE p.organization_id = :organization ORDER BY p.id DESC",
]
TRENDS = ["SELECT month, metrics FROM monitoring_snapshots WHERE scope = :scope AND municipality_id {municipality} "
          "ORDER BY month"]
# Page → the raw SQL aggregate it needs, computed from the live tables.
LIVE_SQL = {
    "/monitoring/": [
        *_area_sql("true", ""),
        "SELECT v.code, s.indicator_code, s.score, count(*) FROM diagnostic_answers s "
        "JOIN diagnostics d ON d.id = s.diagnostic_id JOIN methodology_versions v ON v.id = d.methodology_id "
        "WHERE d.school_year = :year AND d.status IN ('submitted', 'accepted') AND s.score IS NOT NULL "
        "GROUP BY v.code, s.indicator_code, s.score",
    ],
    "/monitoring/municipalities": _area_sql("true", "o.municipality_id"),
    "/monitoring/municipalities/{municipality}": [
        *_area_sql("o.municipality_id = :municipality", ""),
        *_area_sql("o.municipality_id = :municipality", "o.id"),
    ],
    "/monitoring/inactive": _inactive_sql(NO_CONFIRMED, "true"),
    "/monitoring/inactive?reason=no_active&platform=sferum": _inactive_sql(NO_ACTIVE, "true"),
    "/monitoring/inactive?reason=no_diagnostic&kind=school&municipality={municipality}":
        _inactive_sql(NO_DIAGNOSTIC, "o.kind = 'school' AND o.municipality_id = :municipality"),
    "/monitoring/organizations/{organization}": ORGANIZATION_CARD,
    "/monitoring/trends": [TRENDS[0].format(municipality="IS NULL")],
}


def _seed(app, sizes: dict) -> tuple[dict, float, float]:
    from flask_migrate import upgrade

    from cpp_app.blueprints.privacy.services import current_document, grant_consent
    from cpp_app.extensions import db
    from cpp_app.kernel.actor import Actor
    from cpp_app.models import Role, User
    from cpp_app.scale import seed_scale
    from cpp_app.security import hash_password
    from cpp_app.seeding import seed_reference_data

    with app.app_context():
        upgrade()
        seed_reference_data()
        started = time.perf_counter()
        counts = seed_scale(sizes["organizations"], sizes["teachers"], sizes["diagnostics"])
        methodologist = User(email="bench-methodologist@bench.example", password_hash=hash_password(PASSWORD),
                             last_name="Методист", first_name="Бенч", role=Role.METHODOLOGIST)
        db.session.add(methodologist)
        db.session.flush()
        grant_consent(methodologist, current_document(), Actor(None, None, None))
        db.session.commit()
        db.session.execute(text("ANALYZE"))
        db.session.commit()
        seeded = time.perf_counter() - started
        refreshed = _refresh(app)
        _store_snapshots()
        db.session.commit()
    return counts, seeded, refreshed


def _refresh(app) -> float:
    """`flask refresh-monitoring` as the timer runs it, in seconds."""
    started = time.perf_counter()
    outcome = app.test_cli_runner().invoke(args=["refresh-monitoring"])
    assert outcome.exit_code == 0, (outcome.output, outcome.exception)
    return time.perf_counter() - started


def _store_snapshots() -> None:
    """A year of month-end figures for the trends (today's, as `flask snapshot-monitoring` stores them)."""
    from sqlalchemy import insert

    from cpp_app.blueprints.monitoring import stats
    from cpp_app.blueprints.monitoring.snapshots import MUNICIPALITY, REGION, metrics_of
    from cpp_app.extensions import db
    from cpp_app.models import MonitoringSnapshot

    areas = [(REGION, None, metrics_of(stats.region_figures()))]
    areas += [(MUNICIPALITY, f.municipality_id, metrics_of(f)) for f in stats.municipality_rows()]
    db.session.execute(insert(MonitoringSnapshot), [
        {"month": date(2025, 1, 1).replace(year=2025 + month // 12, month=month % 12 + 1), "scope": scope,
         "municipality_id": municipality_id, "metrics": metrics}
        for month in range(SNAPSHOT_MONTHS) for scope, municipality_id, metrics in areas
    ])


def _subjects(app) -> dict:
    """The municipality with the most organisations, its first organisation, the platform, the school year."""
    from cpp_app.domain.workflow import school_year
    from cpp_app.extensions import db
    from cpp_app.kernel.clock import local_today

    with app.app_context():
        municipality = db.session.execute(text(
            "SELECT municipality_id FROM organizations WHERE is_active GROUP BY municipality_id "
            "ORDER BY count(*) DESC, municipality_id LIMIT 1")).scalar()
        organization = db.session.execute(text(
            "SELECT o.id FROM organizations o JOIN organization_staff_figures f ON f.organization_id = o.id "
            "WHERE o.municipality_id = :m ORDER BY f.teachers DESC, o.id LIMIT 1"), {"m": municipality}).scalar()
        platform = db.session.execute(text("SELECT id FROM platforms WHERE code = 'sferum'")).scalar()
        return {"municipality": municipality, "organization": organization, "platform": platform,
                "year": school_year(local_today()), "scope": "region"}


def _statements_of(engine, action) -> list[tuple[str, object]]:
    """The DBAPI statements (with their parameters) one call of `action` runs."""
    statements = []

    def record(conn, cursor, statement, parameters, context, executemany):
        statements.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", record)
    try:
        action()
    finally:
        event.remove(engine, "before_cursor_execute", record)
    return statements


def _replay(engine, statements, repeats: int) -> float:
    """The median time of running `statements` as they are, rows fetched, on a connection of their own."""
    with engine.connect() as connection:
        def run():
            for statement, parameters in statements:
                connection.exec_driver_sql(statement, parameters).fetchall()
            connection.rollback()  # the page's own commit (the session's «last seen») is not kept
        return median_ms(run, repeats)


def _live_sql(engine, statements: list[str], parameters: dict, repeats: int) -> float:
    with engine.connect() as connection:
        def run():
            for statement in statements:
                connection.execute(text(statement), parameters).fetchall()
        run()  # warm-up, as the page had
        return median_ms(run, repeats)


def run(scale: str) -> list[dict]:
    from cpp_app.extensions import db

    sizes = SCALES[scale]
    with bench_database() as url, tempfile.TemporaryDirectory() as instance:
        app = make_app(url, Path(instance))
        counts, seeded, refreshed = _seed(app, sizes)
        subjects = _subjects(app)
        client = app.test_client()
        sign_in(app, client, "bench-methodologist@bench.example")
        with app.app_context():
            engine = db.engine
        repeats = sizes["repeats"]
        with app.app_context():
            refreshed_again = _refresh(app)  # a second rebuild over the first one's tables, as every timer's run
        results = [result("flask refresh-monitoring", scale, refreshed * 1000, None, None),
                   result("flask refresh-monitoring (again)", scale, refreshed_again * 1000, None, None)]
        print(f"\n{scale}: seeded in {seeded:.1f} s — " + ", ".join(f"{k} {v:,}" for k, v in counts.items()))
        print(f"  flask refresh-monitoring: {refreshed:.1f} s, again {refreshed_again:.1f} s")
        bare = median_ms(lambda: fetch(client, "/bench-baseline"), repeats)
        print(f"  bare route /bench-baseline {bare:.2f} ms\n")
        print(f"  {'page':72s} {'median':>9s} {'raw SQL':>9s} {'ratio':>6s} {'page SQL':>9s} {'× bare':>7s} queries")
        for template, statements in LIVE_SQL.items():
            path = template.format(**subjects)
            fetch(client, path)  # warm-up
            value = median_ms(lambda p=path: fetch(client, p), repeats)
            queries = queries_of(engine, lambda p=path: fetch(client, p))
            page_sql = _replay(engine, _statements_of(engine, lambda p=path: fetch(client, p)), repeats)
            baseline = _live_sql(engine, statements, subjects, repeats)
            figure = result(path, scale, value, baseline, queries)
            figure.update(page_sql_ms=round(page_sql, 2), bare_ms=round(bare, 2))
            results.append(figure)
            print(f"  {path:72s} {value:9.2f} {baseline:9.2f} {value / baseline:6.2f} {page_sql:9.2f} "
                  f"{value / bare:7.1f} {queries}")
    return results


def main() -> None:
    options = arguments(__doc__, SCALES)
    report(options, [figure for scale in chosen_scales(options, SCALES) for figure in run(scale)])


if __name__ == "__main__":
    main()
