"""Every GET route × every role, generated from the URL map: a new route without a rule here fails."""
import pytest

from cpp_app.models import Role
from tests.conftest import extract_csrf
from tests.security.world import build_world, database_state, id_factories, int_arguments, state_difference
from tests.security.world import concrete_path as path_with

ANONYMOUS = "anonymous"
ROLES = [ANONYMOUS, *Role]
EVERYONE = set(ROLES)
SIGNED_IN = set(Role)
STAFF = {Role.METHODOLOGIST, Role.ADMIN}

# Endpoint → who may open it; checked in order, the first matching prefix wins.
RULES = [
    ("static", EVERYONE),
    ("main.", EVERYONE),
    ("privacy.renew", SIGNED_IN),
    ("privacy.", EVERYONE),
    ("organizations.", EVERYONE),
    ("auth.logout", SIGNED_IN),
    ("auth.", EVERYONE),
    ("cabinet.", SIGNED_IN),
    ("school.", {Role.SCHOOL_ADMIN}),
    ("diagnostics.result", {Role.SCHOOL_ADMIN, *STAFF}),
    ("diagnostics.", {Role.SCHOOL_ADMIN}),
    ("review.", STAFF),
    ("programs.", {Role.SCHOOL_ADMIN, *STAFF}),
    ("monitoring.", STAFF),
    ("admin.measure", STAFF),
    ("admin.methodolog", STAFF),
    ("admin.course", STAFF),
    ("admin.workplace", STAFF),
    ("admin.", {Role.ADMIN}),
]


def allowed_roles(endpoint: str) -> set:
    for prefix, roles in RULES:
        if endpoint == prefix or endpoint.startswith(prefix):
            return roles
    raise AssertionError(f"no access rule for endpoint {endpoint!r}: add one to RULES")


def get_routes(app):
    for rule in app.url_map.iter_rules():
        if "GET" in rule.methods and rule.endpoint != "static":
            yield rule


def test_every_route_has_a_rule(app):
    for rule in app.url_map.iter_rules():
        allowed_roles(rule.endpoint)


@pytest.fixture
def object_paths(app, database, make_user):
    """Each route's path with ids of real objects (school A's), so that a 404 to another role is the role check,
    not a missing object."""
    factories = id_factories(build_world(database, make_user), database)
    return {rule.rule: path_with(rule, {name: factories[name]() for name in int_arguments(rule)})
            for rule in app.url_map.iter_rules()}


@pytest.mark.parametrize("role", ROLES, ids=str)
def test_access_matrix(app, client, make_user, login, object_paths, role):
    if role != ANONYMOUS:
        login(make_user(role=role))
    for rule in get_routes(app):
        allowed = allowed_roles(rule.endpoint)
        path = object_paths[rule.rule]
        response = client.get(path)
        location = response.headers.get("Location", "")
        if role in allowed:
            # Open to this role: the page, a redirect of its own, or 404 for an object that is not this user's.
            assert response.status_code in (200, 302, 404), (path, role, response.status_code)
            if rule.arguments:
                continue
            assert response.status_code != 404, (path, role)
            assert "/login" not in location or rule.endpoint.startswith("auth."), (path, role, location)
        elif role == ANONYMOUS:
            assert response.status_code == 302 and location.startswith("/login"), (path, response.status_code, location)
        else:
            assert response.status_code == 404, (path, role, response.status_code)



@pytest.mark.parametrize("role", ROLES, ids=str)
def test_post_matrix_refuses_other_roles_with_a_valid_token(app, client, make_user, login, database, object_paths,
                                                             role):
    """The same rules for every POST route, with a valid CSRF token and ids of real objects (so that neither the
    token nor a missing object can be what refuses: only the role check)."""
    if role != ANONYMOUS:
        login(make_user(role=role))
    token = extract_csrf(client.get("/cabinet/profile" if role != ANONYMOUS else "/login"))
    before = database_state(database)
    refused = 0
    for rule in app.url_map.iter_rules():
        if "POST" not in rule.methods or role in allowed_roles(rule.endpoint):
            continue
        path = object_paths[rule.rule]
        response = client.post(path, data={"csrf_token": token, "email": "x@school.example", "role": "admin",
                                           "reason": "matrix", "note": "matrix"}, headers={"X-CSRFToken": token})
        location = response.headers.get("Location", "")
        if role == ANONYMOUS:
            # The autosave script gets a 401 it understands instead of a redirect to the sign-in page.
            signed_out = response.status_code == 401 and response.is_json
            assert signed_out or (response.status_code == 302 and location.startswith("/login")), (path, response.status_code)
        else:
            assert response.status_code == 404, (path, role, response.status_code)
        refused += 1
    assert refused > 0
    changed = set(state_difference(before, database_state(database)))
    if role == ANONYMOUS:
        # Answers posted after the session ended are kept server-side until the person signs in again
        # (diagnostics' stash, rate-limited): the one write an anonymous POST may make.
        changed.discard("form_stashes")
    assert not changed, changed
