"""Every GET route × every role, generated from the URL map: a new route without a rule here fails."""
import pytest

from cpp_app.models import Role

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


def concrete_path(rule):
    values = {
        name: 999_999 if converter.__class__.__name__ == "IntegerConverter" else "missing"
        for name, converter in rule._converters.items()
    }
    return rule.build(values, append_unknown=False)[1]


@pytest.mark.parametrize("role", ROLES, ids=str)
def test_access_matrix(app, client, make_user, login, role):
    if role != ANONYMOUS:
        login(make_user(role=role))
    for rule in get_routes(app):
        allowed = allowed_roles(rule.endpoint)
        path = concrete_path(rule)
        response = client.get(path)
        location = response.headers.get("Location", "")
        if role in allowed:
            # Open to this role: the page, a redirect of its own, or 404 for a made-up object id.
            assert response.status_code in (200, 302, 404), (path, role, response.status_code)
            if rule.arguments:
                continue
            assert response.status_code != 404, (path, role)
            assert "/login" not in location or rule.endpoint.startswith("auth."), (path, role, location)
        elif role == ANONYMOUS:
            assert response.status_code == 302 and location.startswith("/login"), (path, response.status_code, location)
        else:
            assert response.status_code == 404, (path, role, response.status_code)
