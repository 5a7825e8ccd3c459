"""Bench: the region overview and the municipality table at the scale of the region and of the whole country.

For each scale, seeds its own PostgreSQL database with `cpp_app.scale.seed_scale` (bulk inserts), times the rebuild
of the per-organisation figures (`flask refresh-monitoring`, run by a timer in production), signs in as a
methodologist and times the two pages against a bare route of the same app, printing medians and ratios.

    .venv/bin/python bench/monitoring.py [--only region|country] [--json FILE]
    .venv/bin/python bench/monitoring.py --smoke          # tiny data, seconds: what `make test` runs

Not part of the test suite. CPP_BENCH_POSTGRES_URL overrides the server (default: postgres@127.0.0.1:5432).
"""
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
    "smoke": {"organizations": 20, "teachers": 300, "diagnostics": 10, "repeats": 3},
    "region": {"organizations": 1_000, "teachers": 35_000, "diagnostics": 1_000, "repeats": 15},
    "country": {"organizations": 40_000, "teachers": 1_100_000, "diagnostics": 40_000, "repeats": 5},
}
PAGES = ("/monitoring/", "/monitoring/municipalities")


def run(scale: str) -> list[dict]:
    from flask_migrate import upgrade

    from cpp_app.blueprints.monitoring.figures import refresh
    from cpp_app.blueprints.privacy.services import current_document, grant_consent
    from cpp_app.extensions import db
    from cpp_app.kernel.actor import Actor
    from cpp_app.models import Role, User
    from cpp_app.scale import seed_scale
    from cpp_app.security import hash_password
    from cpp_app.seeding import seed_reference_data

    sizes = SCALES[scale]
    with bench_database() as url, tempfile.TemporaryDirectory() as instance:
        app = make_app(url, Path(instance))
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
            # As in production: the per-organisation figures are rebuilt by the timer, not by page views.
            app.config["MONITORING_MAX_AGE_SECONDS"] = 3600
            started = time.perf_counter()
            refresh()
            db.session.commit()
            refreshed = time.perf_counter() - started
        client = app.test_client()
        sign_in(app, client, "bench-methodologist@bench.example")
        with app.app_context():
            engine = db.engine
        repeats = sizes["repeats"]
        for path in PAGES:  # warm-up
            fetch(client, path)
        baseline = median_ms(lambda: fetch(client, "/bench-baseline"), repeats)
        results = [result("flask refresh-monitoring", scale, refreshed * 1000, None, None)]
        print(f"\n{scale}: seeded in {seeded:.1f} s — " + ", ".join(f"{k} {v:,}" for k, v in counts.items()))
        print(f"  flask refresh-monitoring (per-organisation figures)   {refreshed * 1000:9.0f} ms")
        print(f"  bare route /bench-baseline             {baseline:9.2f} ms   × 1.0")
        for path in PAGES:
            value = median_ms(lambda p=path: fetch(client, p), repeats)
            queries = queries_of(engine, lambda p=path: fetch(client, p))
            results.append(result(path, scale, value, baseline, queries))
            print(f"  {path:38s} {value:9.2f} ms   × {value / baseline:.1f} of the bare route "
                  f"(median of {repeats}), {queries} queries")
    return results


def main() -> None:
    options = arguments(__doc__, SCALES)
    report(options, [figure for scale in chosen_scales(options, SCALES) for figure in run(scale)])


if __name__ == "__main__":
    main()
