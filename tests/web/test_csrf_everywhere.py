"""Every POST route refuses a request without a CSRF token and changes nothing."""
from sqlalchemy import func, select

from cpp_app.models import AuditEvent, ConsentEvent, User


def post_rules(app):
    for rule in app.url_map.iter_rules():
        if "POST" in rule.methods and rule.endpoint != "static":
            yield rule


def concrete_path(rule):
    values = {name: 1 if converter.__class__.__name__ == "IntegerConverter" else "x"
              for name, converter in rule._converters.items()}
    return rule.build(values, append_unknown=False)[1]


def counts(database):
    return [database.session.scalar(select(func.count(model.id))) for model in (User, ConsentEvent, AuditEvent)]


def assert_refused(client, rules, allowed):
    for rule in rules:
        response = client.post(concrete_path(rule), data={"email": "x@school.example", "role": "admin", "consent": "y"})
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
