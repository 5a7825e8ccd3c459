"""The world the security probes attack, for every test of this folder that asks for it."""
import pytest

from tests.security.world import build_world


@pytest.fixture
def world(database, make_user, uploads_dir):
    """Two schools with their people and one object of every kind owned by school A / teacher A; uploaded files go
    to a throw-away instance folder."""
    return build_world(database, make_user)
