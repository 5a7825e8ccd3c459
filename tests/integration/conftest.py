"""Fixtures shared by the integration tests of more than one module."""
import pytest
from flask_migrate import upgrade

from cpp_app.extensions import db
from tests.conftest import make_app, temporary_database_url


@pytest.fixture
def backup_app(tmp_path):
    """An app over an empty migrated database and an instance directory of its own: a restore
    replaces everything, which the shared session database must not go through."""
    with temporary_database_url() as url:
        app = make_app(url, tmp_path / "instance")
        with app.app_context():
            upgrade()
        yield app
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
