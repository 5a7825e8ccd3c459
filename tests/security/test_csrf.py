"""Every POST route refuses a request without a CSRF token, or with a forged one, and changes nothing."""
import pytest
from sqlalchemy import func, select
from werkzeug.routing import IntegerConverter

from cpp_app.models import Role
from tests.conftest import extract_csrf
from tests.factories import signed_in


def post_rules(app):
    for rule in app.url_map.iter_rules():
        if "POST" in rule.methods and rule.endpoint != "static":
            yield rule


def concrete_path(rule):
    values = {name: 1 if isinstance(converter, IntegerConverter) else "x"
              for name, converter in rule._converters.items()}
    return rule.build(values, append_unknown=False)[1]


def counts(database):
    """Rows in every table: a refused request must not have written anything anywhere."""
    database.session.expire_all()
    return {table.name: database.session.scalar(select(func.count()).select_from(table))
            for table in database.metadata.sorted_tables}


def assert_refused(client, rules, allowed, token=None):
    for rule in rules:
        data = {"email": "x@school.example", "role": "admin", "consent": "y", **({"csrf_token": token} if token else {})}
        response = client.post(concrete_path(rule), data=data, headers={"X-CSRFToken": token} if token else {})
        location = response.headers.get("Location", "")
        assert response.status_code in (400, 404) or (
            response.status_code == 302 and any(location.startswith(prefix) for prefix in allowed)
        ), (rule.rule, response.status_code, location)


def test_every_post_route_requires_a_token(app, client, make_user, login, database):
    rules = list(post_rules(app))
    assert len(rules) >= 6
    # Anonymous: refused, or sent to sign in for pages that need it.
    assert_refused(client, rules, allowed=("/login", "/password/forgot"))
    admin = make_user(role="admin")
    login(admin)
    before = counts(database)
    # Signed in: refused, or sent home by pages meant for anonymous visitors (register, login).
    assert_refused(client, rules, allowed=("/",))  # "/" also covers /password/forgot
    assert counts(database) == before
    # Still signed in: the token-less logout did not sign out.
    assert "Выйти" in client.get("/", follow_redirects=True).get_data(as_text=True)


@pytest.mark.parametrize("role", [Role.TEACHER, Role.ADMIN], ids=str)
def test_a_forged_or_borrowed_token_is_refused_everywhere(app, make_user, database, role):
    rules = list(post_rules(app))
    victim = signed_in(app, make_user(role=role))
    # The attacker's own valid token, from their own session: bound to that session, useless in the victim's.
    attacker = app.test_client()
    borrowed = extract_csrf(attacker.get("/login"))
    before = counts(database)
    for token in ("forged-token", borrowed, borrowed[:-4] + "AAAA"):
        assert_refused(victim, rules, allowed=("/",), token=token)
    assert counts(database) == before
