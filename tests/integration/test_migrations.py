"""`flask db upgrade` on an empty database must produce exactly the models, and downgrade must undo it."""
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect

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
