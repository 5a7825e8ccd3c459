"""IDOR, generated from the URL map: every route with an object id, called with school A's / teacher A's ids by
users who must not reach them, answers 404 and changes nothing. A route whose id argument has no factory in
world.id_factories fails the suite, so a new route cannot go untested."""
import pytest

from cpp_app.models import Role
from tests.security.world import (
    concrete_path,
    csrf_token,
    database_state,
    id_factories,
    int_arguments,
    state_difference,
    switch_user,
)

EVERYONE_ELSE = {"teacher_a", "director_a", "teacher_b", "director_b", "methodologist", "admin"}
OUTSIDERS = {"teacher_b", "director_b"}
SCHOOL_A = {"teacher_a", "director_a"}

# Endpoint prefix → (who may reach A's object: checked to open it, so a 404 below is not a wrong id;
#                    who must get 404 on GET; who must get 404 on POST). The first matching prefix wins.
# The institute's methodologists and admins legitimately see every school's objects (read-only for programs).
RULES = [
    ("cabinet.course_apply", None, set(), set()),  # the catalogue: every signed-in user may apply to an open course
    ("cabinet.course_certificate", "teacher_a", OUTSIDERS, OUTSIDERS),  # A's director and the institute see it
    ("cabinet.", "teacher_a", EVERYONE_ELSE - {"teacher_a"}, EVERYONE_ELSE - {"teacher_a"}),
    ("school.", "director_a", EVERYONE_ELSE - {"director_a"}, EVERYONE_ELSE - {"director_a"}),
    ("diagnostics.result", "director_a", OUTSIDERS | {"teacher_a"}, OUTSIDERS | {"teacher_a"}),
    ("diagnostics.", "director_a", EVERYONE_ELSE - {"director_a"}, EVERYONE_ELSE - {"director_a"}),
    ("review.", "methodologist", OUTSIDERS | SCHOOL_A, OUTSIDERS | SCHOOL_A),
    ("programs.", "director_a", OUTSIDERS | {"teacher_a"}, EVERYONE_ELSE - {"director_a"}),
    ("monitoring.", "methodologist", OUTSIDERS | SCHOOL_A, OUTSIDERS | SCHOOL_A),
    ("admin.user", "admin", OUTSIDERS | SCHOOL_A | {"methodologist"}, OUTSIDERS | SCHOOL_A | {"methodologist"}),
    ("admin.change_user_role", "admin", OUTSIDERS | SCHOOL_A | {"methodologist"},
     OUTSIDERS | SCHOOL_A | {"methodologist"}),
    ("admin.privacy", "admin", OUTSIDERS | SCHOOL_A | {"methodologist"}, OUTSIDERS | SCHOOL_A | {"methodologist"}),
    ("admin.", "admin", OUTSIDERS | SCHOOL_A, OUTSIDERS | SCHOOL_A),
    ("privacy.consent", None, set(), set()),  # published consent versions are public
]
ATTACKERS = ("teacher_a", "director_a", "teacher_b", "director_b", "methodologist", "admin")

# What a POST carries: a valid token and values that would change something if the object were reachable.
POST_DATA = {"status": "done", "note": "IDOR", "role": Role.ADMIN.value, "title": "IDOR", "provider": "IDOR",
             "hours": "1", "completed_on": "01.01.2024", "certificate_number": "IDOR", "reason": "IDOR",
             "comment": "IDOR", "goal": "IDOR", "op": "save", "organization_id": "1", "record_ids": "1"}


def rule_for(endpoint: str):
    for prefix, owner, get_denied, post_denied in RULES:
        if endpoint.startswith(prefix):
            return owner, get_denied, post_denied
    raise AssertionError(f"no IDOR rule for endpoint {endpoint!r}: add one to RULES in {__file__}")


def object_routes(app, factories):
    routes = []
    for rule in app.url_map.iter_rules():
        arguments = int_arguments(rule)
        if not arguments or rule.endpoint == "static":
            continue
        missing = [name for name in arguments if name not in factories]
        assert not missing, f"{rule.rule}: add a factory for {missing} to id_factories in tests/security/world.py"
        routes.append((rule, concrete_path(rule, {name: factories[name]() for name in arguments})))
    return routes


def test_every_object_route_has_a_factory_and_a_rule(app, database, world):
    routes = object_routes(app, id_factories(world, database))
    assert len(routes) >= 30
    for rule, _ in routes:
        rule_for(rule.endpoint)


def test_the_owner_reaches_each_object_so_the_404s_below_mean_something(app, client, login, database, world):
    routes = object_routes(app, id_factories(world, database))
    failures = []
    for owner in {rule_for(rule.endpoint)[0] for rule, _ in routes} - {None}:
        switch_user(client, login, getattr(world, owner))
        for rule, path in routes:
            if rule_for(rule.endpoint)[0] == owner and "GET" in rule.methods:
                status = client.get(path).status_code
                if status not in (200, 302):
                    failures.append(f"{owner} GET {path}: {status}")
    assert not failures, failures


@pytest.mark.parametrize("attacker", ATTACKERS)
def test_another_users_object_is_404_and_nothing_changes(app, client, login, database, world, attacker):
    routes = object_routes(app, id_factories(world, database))
    switch_user(client, login, getattr(world, attacker))
    token = csrf_token(client)
    before = database_state(database)
    failures = []
    for rule, path in routes:
        _, get_denied, post_denied = rule_for(rule.endpoint)
        if "GET" in rule.methods and attacker in get_denied:
            response = client.get(path)
            if response.status_code != 404:
                failures.append(f"GET {path}: {response.status_code}")
        if "POST" in rule.methods and attacker in post_denied:
            response = client.post(path, data={**POST_DATA, "csrf_token": token})
            if response.status_code != 404:
                failures.append(f"POST {path}: {response.status_code}")
    assert not failures, f"{attacker} reached objects of school A: {failures}"
    assert not state_difference(before, database_state(database)), f"{attacker}'s refused requests changed the database"
