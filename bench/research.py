"""Bench: the research view (response rate, level distributions, self-rating × platforms, course demand) and the
anonymised dataset at the scale of the region and of the country, each as a ratio to the raw SQL aggregate the page
needs, measured in the same run.

For each scale, seeds its own PostgreSQL database (`cpp_app.scale.seed_scale`, then
`cpp_app.demo_readiness.add_assessments` — COPY), signs in as a methodologist and times every page (median of the
repeats) against its raw SQL run on a connection of its own (median too); also counts the queries of one request.

    .venv/bin/python bench/research.py [--only region|country] [--json FILE]
    .venv/bin/python bench/research.py --smoke          # tiny data, seconds: what `make test` runs

Not part of the test suite. CPP_BENCH_POSTGRES_URL overrides the server (default: postgres@127.0.0.1:5432).
"""
import random
import sys
import tempfile
import time
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
from sqlalchemy import text  # noqa: E402

SCALES = {
    "smoke": {"organizations": 20, "teachers": 400, "assessments": 150, "repeats": 3},
    "region": {"organizations": 1_000, "teachers": 35_000, "assessments": 20_000, "repeats": 9},
    "country": {"organizations": 40_000, "teachers": 1_100_000, "assessments": 500_000, "repeats": 5},
}
SUBMITTED = "a.status = 'submitted' AND a.methodology_id = :version"

# The aggregates each page needs, written by hand: the baseline a page is measured against.
RAW_SQL = {
    "/research/": [
        "SELECT o.municipality_id, o.kind, sum(f.teachers) FROM organization_staff_figures f "
        "JOIN organizations o ON o.id = f.organization_id GROUP BY o.municipality_id, o.kind",
        "SELECT o.municipality_id, o.kind, count(DISTINCT a.user_id) FROM self_assessments a "
        "JOIN organizations o ON o.id = a.organization_id WHERE a.status = 'submitted' "
        "GROUP BY o.municipality_id, o.kind",
        "SELECT count(DISTINCT a.user_id) FROM self_assessments a JOIN organizations o ON o.id = a.organization_id "
        "WHERE a.status = 'submitted'",
    ],
    "/research/levels": [
        "SELECT r.area_code, r.level_rank, count(*) FROM self_assessment_areas r "
        f"JOIN self_assessments a ON a.id = r.assessment_id WHERE {SUBMITTED} GROUP BY r.area_code, r.level_rank",
        "SELECT s.item_code, s.score, count(*) FROM self_assessment_scores s "
        f"JOIN self_assessments a ON a.id = s.assessment_id WHERE {SUBMITTED} GROUP BY s.item_code, s.score",
    ],
    "/research/platforms": [
        "SELECT s.item_code, p.id IS NOT NULL, count(*), count(*) FILTER (WHERE s.score >= 3) "
        "FROM self_assessment_scores s JOIN self_assessments a ON a.id = s.assessment_id "
        "JOIN (VALUES {items}) m(item_code, platform_id) ON m.item_code = s.item_code "
        "LEFT JOIN platform_accounts p ON p.user_id = a.user_id AND p.platform_id = m.platform_id "
        "AND p.status = 'active' AND p.confirmed_at IS NOT NULL "
        f"WHERE {SUBMITTED} GROUP BY s.item_code, p.id IS NOT NULL",
    ],
    "/research/courses": [
        "SELECT i.course_id, o.municipality_id, count(DISTINCT r.id), "
        "count(DISTINCT r.id) FILTER (WHERE c.status = 'applied'), "
        "count(DISTINCT r.id) FILTER (WHERE c.status = 'enrolled'), "
        "count(DISTINCT r.id) FILTER (WHERE c.status = 'completed') "
        "FROM learning_route_items i JOIN learning_routes r ON r.id = i.route_id "
        "JOIN self_assessments a ON a.id = r.assessment_id LEFT JOIN organizations o ON o.id = a.organization_id "
        "LEFT JOIN course_records c ON c.user_id = r.user_id AND c.course_id = i.course_id "
        "WHERE i.course_id IS NOT NULL AND r.period_end >= current_date "
        "AND a.status = 'submitted' GROUP BY i.course_id, o.municipality_id",
    ],
}
DATASET = "research dataset job (/research/dataset.csv)"


def _seed(app, sizes: dict) -> dict:
    from flask_migrate import upgrade
    from sqlalchemy import select

    from cpp_app.blueprints.monitoring.figures import refresh
    from cpp_app.blueprints.privacy.services import current_document, grant_consent
    from cpp_app.blueprints.selfassessment.services import active_instrument
    from cpp_app.demo_readiness import add_assessments
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
        counts = seed_scale(sizes["organizations"], sizes["teachers"], 0)
        db.session.commit()
        teachers_seeded = time.perf_counter() - started
        rng = random.Random(2026)  # nosec B311 # reproducible synthetic data
        teachers = list(db.session.execute(select(User.id, User.organization_id)
                                           .where(User.email.like("scale%")).order_by(User.id)).tuples())
        chosen = sorted(rng.sample(teachers, k=min(sizes["assessments"], len(teachers))))
        started = time.perf_counter()
        counts |= add_assessments(chosen, active_instrument(), rng)
        db.session.commit()
        assessments_seeded = time.perf_counter() - started
        methodologist = User(email="bench-methodologist@bench.example", password_hash=hash_password(PASSWORD),
                             last_name="Методист", first_name="Бенч", role=Role.METHODOLOGIST)
        db.session.add(methodologist)
        db.session.flush()
        grant_consent(methodologist, current_document(), Actor(None, None, None))
        refresh()  # as in production: the staff figures come from the timer, not from page views
        db.session.commit()
    # As autovacuum leaves a database in use: statistics and the visibility map (for index-only scans).
    with app.app_context(), db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text("VACUUM ANALYZE"))
    return {"counts": counts, "teachers_s": teachers_seeded, "assessments_s": assessments_seeded}


def _raw_statements(app) -> dict[str, list]:
    """RAW_SQL with the instrument's platform items filled in, and their parameters."""
    from cpp_app.blueprints.methodology.services_versions import methodology_of
    from cpp_app.blueprints.selfassessment.services import active_instrument
    from cpp_app.extensions import db

    with app.app_context():
        version = active_instrument()
        platforms = dict(db.session.execute(text("SELECT code, id FROM platforms")).all())
        items = ", ".join(f"('{i.code}', {platforms[i.platform]})" for i in methodology_of(version).indicators
                          if i.platform in platforms)
        return {page: [(text(sql.replace("{items}", items)), {"version": version.id}) for sql in statements]
                for page, statements in RAW_SQL.items()}


def _dataset_baseline(app):
    """The dataset's own two statements, rows fetched and dropped: what streaming the CSV costs in SQL."""
    from cpp_app.blueprints.research import dataset
    from cpp_app.blueprints.research.pages import chosen
    from cpp_app.extensions import db

    with app.test_request_context("/research/dataset.csv"):
        picked = chosen()
        plan = dataset.plan(picked.filters, picked.instrument, picked.filters.version, dataset.platform_list())
        with db.engine.connect() as connection:
            connection.execute(plan.sizes).all()
            for _ in connection.execution_options(stream_results=True, yield_per=dataset.ROWS_PER_FETCH) \
                    .execute(plan.rows):
                pass


def _prepare_dataset(app) -> None:
    """The background job that writes the dataset's CSV (what a download waits for before the file is served)."""
    from cpp_app.blueprints.research.jobs import prepare_dataset
    from cpp_app.extensions import db

    with app.app_context():
        prepare_dataset({"args": {}})
        db.session.commit()


def run(scale: str) -> list[dict]:
    from cpp_app.extensions import db

    sizes = SCALES[scale]
    results = []
    with bench_database() as url, tempfile.TemporaryDirectory() as instance:
        app = make_app(url, Path(instance))
        app.instance_path = instance  # the prepared dataset files go to the throw-away folder
        app.config["MONITORING_MAX_AGE_SECONDS"] = 24 * 3600
        seeded = _seed(app, sizes)
        print(f"\n{scale}: teachers seeded in {seeded['teachers_s']:.1f} s, assessments in "
              f"{seeded['assessments_s']:.1f} s — " + ", ".join(f"{k} {v:,}" for k, v in seeded["counts"].items()))
        raw = _raw_statements(app)
        client = app.test_client()
        sign_in(app, client, "bench-methodologist@bench.example")
        repeats = sizes["repeats"]
        with app.app_context():
            engine = db.engine
        for path, statements in raw.items():
            fetch(client, path)  # warm-up
            queries = queries_of(engine, lambda p=path: fetch(client, p))
            page_ms = median_ms(lambda p=path: fetch(client, p), repeats)

            def raw_run(statements=statements):
                with engine.connect() as connection:
                    for statement, parameters in statements:
                        connection.execute(statement, parameters).all()
            raw_run()
            baseline_ms = median_ms(raw_run, repeats)
            results.append(_report(result(path, scale, page_ms, baseline_ms, queries), repeats))
        _prepare_dataset(app)  # warm-up
        queries = queries_of(engine, lambda: _prepare_dataset(app))
        job_ms = median_ms(lambda: _prepare_dataset(app), repeats)
        baseline_ms = median_ms(lambda: _dataset_baseline(app), repeats)
        results.append(_report(result(DATASET, scale, job_ms, baseline_ms, queries), repeats))
    return results


def _report(figure: dict, repeats: int) -> dict:
    print(f"  {figure['page']:28s} {figure['median_ms']:9.1f} ms   raw SQL {figure['baseline_ms']:9.1f} ms"
          f"   × {figure['ratio']:.2f}   {figure['queries']} queries (median of {repeats})")
    return figure


def main() -> None:
    options = arguments(__doc__, SCALES)
    report(options, [figure for scale in chosen_scales(options, SCALES) for figure in run(scale)])


if __name__ == "__main__":
    main()
