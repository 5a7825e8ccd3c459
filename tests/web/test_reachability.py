"""Every page a role may open is reachable by links within four clicks of that role's start page (demo data)."""
import pytest
from sqlalchemy import select

from cpp_app.models import User
from cpp_app.seeding import seed_demo_data
from tests.factories import sign_in
from tests.link_walk import MAX_CLICKS, role_routes, walk

DEMO_PASSWORD = "Demo-Reach-2026!"
ROLES = ("teacher", "director", "methodologist", "admin")


@pytest.fixture
def demo(database):
    seed_demo_data(password=DEMO_PASSWORD)
    database.session.commit()


def signed_in_demo(app, role: str):
    user = app.extensions["sqlalchemy"].session.scalar(select(User).where(User.email == f"{role}@demo.example"))
    return sign_in(app.test_client(), user, DEMO_PASSWORD)


@pytest.mark.parametrize("role", ROLES)
def test_every_page_of_a_role_is_reachable_by_links(app, demo, role):
    client = signed_in_demo(app, role)
    reached = walk(client).reached_routes()
    unreachable = sorted(
        f"{endpoint}{f' ({fmt})' if fmt else ''}" for endpoint, fmt in role_routes(client) - reached
    )
    assert not unreachable, f"{role}: not reachable by links within {MAX_CLICKS} clicks of the start page: {unreachable}"


def test_every_page_of_a_visitor_is_reachable_by_links(app, demo):
    client = app.test_client()
    unreachable = role_routes(client, signed_in=False) - walk(client).reached_routes()
    assert not unreachable, f"signed-out visitor: not reachable by links: {sorted(unreachable)}"


def test_the_walk_follows_only_links(app, demo):
    """A route linked from nowhere is reported: the walk does not guess URLs."""
    client = signed_in_demo(app, "teacher")
    reached = {endpoint for endpoint, _ in walk(client).reached_routes()}
    assert "cabinet.overview" in reached
    assert "admin.users" not in reached and "monitoring.overview" not in reached
