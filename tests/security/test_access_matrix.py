"""Every GET route × every role, generated from the URL map: a new route without a rule here fails."""
import pytest

from cpp_app.models import Course, Role
from tests.conftest import extract_csrf
from tests.security.world import (
    OUT_OF_RANGE_IDS,
    build_world,
    database_state,
    first_id,
    id_factories,
    int_arguments,
    state_difference,
    switch_user,
)
from tests.security.world import concrete_path as path_with
from tests.web.test_cabinet_profile import profile_data

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
    ("auth.resend_confirmation", SIGNED_IN),
    ("auth.", EVERYONE),
    # Teachers and whoever works at a school; the world's methodologist and admin do not.
    ("cabinet.self_assessment", {Role.TEACHER, Role.SCHOOL_ADMIN}),
    ("cabinet.learning_route", {Role.TEACHER, Role.SCHOOL_ADMIN}),
    ("cabinet.", SIGNED_IN),
    ("school.", {Role.SCHOOL_ADMIN}),
    ("diagnostics.result", {Role.SCHOOL_ADMIN, *STAFF}),
    ("methodology.levels", {Role.SCHOOL_ADMIN, *STAFF}),  # whoever sees a school's level: what levels mean
    ("diagnostics.", {Role.SCHOOL_ADMIN}),
    ("review.", STAFF),
    ("programs.", {Role.SCHOOL_ADMIN, *STAFF}),
    ("monitoring.", STAFF),
    ("research.", STAFF),
    ("admin.measure", STAFF),
    ("admin.methodolog", STAFF),
    ("admin.course", STAFF),
    ("admin.workplace", STAFF),
    ("admin.campaign", STAFF),
    ("admin.", {Role.ADMIN}),
]

# Routes whose objects only their owner may open (the teacher's own records, the school's program to edit): the roles
# whose user in the world reaches school A's / teacher A's objects there. The other roles the rules above let in get
# 404 for these objects, as for any object that is not theirs.
OWN_OBJECTS = {
    "cabinet.course_external_edit": {Role.TEACHER},
    "cabinet.course_external_delete": {Role.TEACHER},
    "cabinet.data_request": {Role.TEACHER},
    "cabinet.self_assessment_step": {Role.TEACHER},
    "cabinet.self_assessment_check": {Role.TEACHER},
    "cabinet.self_assessment_feedback": {Role.TEACHER},
    "cabinet.learning_route": {Role.TEACHER},
    "cabinet.learning_route_areas": {Role.TEACHER},
    "cabinet.learning_route_item": {Role.TEACHER},
    "cabinet.learning_route_item_new": {Role.TEACHER},
    "cabinet.learning_route_item_remove": {Role.TEACHER},
    "cabinet.learning_route_pdf": {Role.TEACHER},
    "cabinet.learning_route_docx": {Role.TEACHER},
    "programs.delete": {Role.SCHOOL_ADMIN},
    "programs.approve": {Role.SCHOOL_ADMIN},  # the check page: only the school changes its program
    "programs.new_revision": {Role.SCHOOL_ADMIN},
}

# Who signs in for a role in the GET matrix: the world's user, so that school A's objects are theirs to see.
WORLD_USERS = {Role.TEACHER: "teacher_a", Role.SCHOOL_ADMIN: "director_a", Role.METHODOLOGIST: "methodologist",
               Role.ADMIN: "admin"}


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
def object_ids(app, database, world) -> dict[str, dict[str, int]]:
    """Each route's id arguments → ids of real objects (school A's)."""
    factories = id_factories(world, database)
    return {rule.rule: {name: factories[name]() for name in int_arguments(rule)} for rule in app.url_map.iter_rules()}


@pytest.fixture
def object_paths(app, object_ids):
    """Each route's path with ids of real objects, so that a 404 to another role is the role check, not a missing
    object."""
    return {rule.rule: path_with(rule, object_ids[rule.rule]) for rule in app.url_map.iter_rules()}


def test_own_objects_rules_name_routes_that_exist(app):
    endpoints = {rule.endpoint for rule in get_routes(app)}
    assert set(OWN_OBJECTS) <= endpoints
    assert all(roles <= allowed_roles(endpoint) for endpoint, roles in OWN_OBJECTS.items())


@pytest.mark.parametrize("role", ROLES, ids=str)
def test_access_matrix(app, client, login, world, object_paths, role):
    if role != ANONYMOUS:
        login(getattr(world, WORLD_USERS[role]))
    for rule in get_routes(app):
        allowed = allowed_roles(rule.endpoint)
        path = object_paths[rule.rule]
        response = client.get(path)
        location = response.headers.get("Location", "")
        if role in allowed and role not in OWN_OBJECTS.get(rule.endpoint, allowed):
            # Someone else's own object: refused as if it did not exist.
            assert response.status_code == 404, (path, role, response.status_code)
        elif role in allowed:
            # Open to this role, and the ids are of objects its user may see: the page or a redirect of its own.
            assert response.status_code in (200, 302), (path, role, response.status_code)
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
    # Not even diagnostics' stash: it keeps answers only for the user of a session that ended on this browser.
    changed = state_difference(before, database_state(database))
    assert not changed, changed


@pytest.mark.parametrize("role", ROLES, ids=str)
def test_ids_outside_the_database_range_are_404(app, client, make_user, login, database, object_ids, role):
    """An id the id columns cannot hold names nothing: 404 for everyone, never a database error (on PostgreSQL
    comparing an integer column with 2147483648 is an error). Each id argument in turn, the others real."""
    if role != ANONYMOUS:
        login(make_user(role=role))
    token = extract_csrf(client.get("/cabinet/profile" if role != ANONYMOUS else "/login"))
    before = database_state(database)
    probed = 0
    for rule in app.url_map.iter_rules():
        methods = sorted(rule.methods & {"GET", "POST"})
        for name in int_arguments(rule):
            for wrong in OUT_OF_RANGE_IDS:
                path = path_with(rule, {**object_ids[rule.rule], name: wrong})
                for method in methods:
                    response = client.open(path, method=method, data={"csrf_token": token},
                                           headers={"X-CSRFToken": token})
                    assert response.status_code == 404, (method, path, role, response.status_code)
                    probed += 1
    assert probed > 100
    assert not state_difference(before, database_state(database))


def test_ids_outside_the_range_in_query_strings_and_forms_name_nothing(app, client, make_user, login, database):
    """Ids read from a query string or a form are parsed like route ids: out of range is «no such object» — the
    filter is ignored, the form says what is wrong — never a database error."""
    world = build_world(database, make_user)
    course_id = first_id(database, Course)
    switch_user(client, login, world.methodologist)
    token = extract_csrf(client.get("/cabinet/profile"))
    for wrong in OUT_OF_RANGE_IDS:
        for path in (f"/monitoring/inactive?municipality={wrong}", f"/monitoring/trends?municipality={wrong}"):
            assert client.get(path).status_code == 200, path
        response = client.post(f"/admin/workplaces/{world.teacher_b.id}/match",
                               data={"organization_id": wrong, "csrf_token": token})
        assert response.status_code == 302, wrong
        response = client.post(f"/admin/courses/{course_id}/records",
                               data={"record_ids": wrong, "action": "enroll", "csrf_token": token})
        assert response.status_code == 302, wrong
    switch_user(client, login, world.teacher_a)
    for wrong in OUT_OF_RANGE_IDS:
        response = client.post("/cabinet/profile", data=profile_data(client, organization_id=str(wrong)))
        assert response.status_code == 302, wrong
    database.session.expire_all()
    assert database.session.get(type(world.teacher_a), world.teacher_a.id).organization_id == world.school_a.id
