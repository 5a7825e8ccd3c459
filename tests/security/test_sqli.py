"""SQL-injection probes in every search, filter and sort parameter, found on the pages themselves (GET forms and
links with a query string): never a 500, never more rows than a harmless value that matches nothing."""
import io
import re
from html.parser import HTMLParser
from urllib.parse import parse_qsl, urlsplit

import pytest
from openpyxl import load_workbook

from tests.security.world import build_world, concrete_path, switch_user

PROBES = ("' OR 1=1 --", "%' UNION SELECT id, email, password_hash FROM users --", "\\", "_%", "%", "'; DROP TABLE users; --",
          "1) OR (1=1", "x\x00' OR 1=1 --")
HARMLESS = "жжжщщщ-нет-такого"
ROW = re.compile(r"<tr[\s>]")
# Endpoints whose parameters no page links to: the registration form's organisation suggestions (JSON).
EXTRA = {"organizations.search": ("q",)}


class QueryParameters(HTMLParser):
    """Names of GET-form fields and of query-string parameters in links, per target path."""

    def __init__(self, page_path: str):
        super().__init__()
        self.page_path, self.form_action = page_path, None
        self.found: dict[str, set[str]] = {}

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "form":
            method = (attributes.get("method") or "get").lower()
            self.form_action = (urlsplit(attributes.get("action") or self.page_path).path or self.page_path) \
                if method == "get" else None
        elif tag in ("input", "select", "textarea") and self.form_action and attributes.get("name"):
            if attributes.get("type") not in ("submit", "button"):
                self.found.setdefault(self.form_action, set()).add(attributes["name"])
        elif tag == "a" and "?" in (attributes.get("href") or ""):
            target = urlsplit(attributes["href"])
            if not target.scheme and target.path.startswith("/") and not target.path.startswith("/static"):
                self.found.setdefault(target.path, set()).update(name for name, _ in parse_qsl(target.query))

    def handle_endtag(self, tag):
        if tag == "form":
            self.form_action = None


def rows(response) -> int:
    if response.is_json:
        data = response.get_json()
        return len(data) if isinstance(data, list) else len(data.get("results", []))
    # The monitoring tables' downloads take the page's sort in their links: count the file's rows.
    if response.mimetype == "text/csv":
        return len(response.get_data(as_text=True).splitlines())
    if response.mimetype.endswith("spreadsheetml.sheet"):
        return load_workbook(io.BytesIO(response.data), read_only=True).active.max_row
    return len(ROW.findall(response.get_data(as_text=True)))


def list_pages(app):
    for rule in app.url_map.iter_rules():
        if "GET" in rule.methods and not rule.arguments and rule.endpoint not in ("static", "auth.logout"):
            yield rule


@pytest.mark.parametrize("role", ["director_a", "methodologist", "admin", "teacher_a"])
def test_probes_in_every_search_and_filter(app, client, login, database, make_user, role):
    world = build_world(database, make_user)
    switch_user(client, login, getattr(world, role))
    targets: dict[str, set[str]] = {}
    for rule in list_pages(app):
        path = concrete_path(rule, {})
        response = client.get(path)
        if response.status_code == 200 and response.mimetype == "text/html":
            parser = QueryParameters(path)
            parser.feed(response.get_data(as_text=True))
            for target, names in parser.found.items():
                targets.setdefault(target, set()).update(names)
        if rule.endpoint in EXTRA:
            targets.setdefault(path, set()).update(EXTRA[rule.endpoint])
    targets = {path: names for path, names in targets.items() if names}
    assert targets, "no search or filter found"
    if role == "methodologist":
        probed = {name for names in targets.values() for name in names}
        assert {"q", "municipality"} <= probed, probed
    failures = []
    for path, names in sorted(targets.items()):
        for name in sorted(names):
            benign = client.get(path, query_string={name: HARMLESS})
            if benign.status_code >= 500:
                failures.append(f"{path}?{name}=harmless: {benign.status_code}")
                continue
            for probe in PROBES:
                response = client.get(path, query_string={name: probe})
                if response.status_code not in (200, 302, 400, 404):
                    failures.append(f"{path}?{name}={probe!r}: {response.status_code}")
                elif response.status_code == 200 and benign.status_code == 200 and rows(response) > rows(benign):
                    failures.append(f"{path}?{name}={probe!r}: {rows(response)} rows, {rows(benign)} for a harmless value")
    assert not failures, failures
