"""`flask db upgrade` on an empty database must produce exactly the models, and downgrade must undo it."""
from datetime import datetime

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, text

from cpp_app.extensions import db
from tests.conftest import make_app, temporary_database_url


def test_upgrade_matches_models_and_downgrade_empties(tmp_path):
    with temporary_database_url() as url:
        app = make_app(url, tmp_path)
        with app.app_context():
            upgrade()
            with db.engine.connect() as connection:
                differences = compare_metadata(
                    MigrationContext.configure(connection, opts={"compare_type": True}), db.metadata
                )
            assert differences == []
            downgrade(revision="base")
            assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}
            db.engine.dispose()


def test_versions_published_before_the_subject_existed_are_school_ones(tmp_path):
    with temporary_database_url() as url:
        app = make_app(url, tmp_path)
        with app.app_context():
            upgrade(revision="a7f3c9e21b54")
            with db.engine.begin() as connection:
                connection.execute(text(
                    "INSERT INTO methodology_versions (code, version, title, content, sha256, is_active, published_at)"
                    " VALUES ('cos', 2025, 'ЦОС', '{}', :sha, :active, :now)"
                ), {"sha": "0" * 64, "active": True, "now": datetime(2025, 9, 1)})
            upgrade(revision="f2b7d4c81a06")
            with db.engine.connect() as connection:
                assert connection.execute(text("SELECT code, subject FROM methodology_versions")).all() == [
                    ("cos", "school")
                ]
            downgrade(revision="base")
            db.engine.dispose()


def test_an_upgraded_database_has_the_seeds_monitoring_bands_before_flask_seed_runs(tmp_path):
    from cpp_app.seeding import SEEDS_DIR, load_yaml

    with temporary_database_url() as url:
        app = make_app(url, tmp_path)
        with app.app_context():
            upgrade(revision="63233cc55c25")
            with db.engine.connect() as connection:
                stored = set(connection.execute(text(
                    "SELECT platform_code, measure, organization_kind, below_max, good_min, source"
                    " FROM monitoring_thresholds")).all())
            seeded = {(row["platform_code"], row["measure"], row["organization_kind"], row["below_max"],
                       row["good_min"], row["source"]) for row in load_yaml(SEEDS_DIR / "monitoring_thresholds.yaml")}
            assert stored == seeded and len(stored) == 8
            downgrade(revision="base")
            db.engine.dispose()
