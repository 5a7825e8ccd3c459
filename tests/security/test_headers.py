"""Security headers on every response, and pages the CSP can protect: no inline script, style or handlers."""
import re
from pathlib import Path

import pytest
from flask import Flask

from cpp_app import create_app
from cpp_app.config import ProductionConfig
from cpp_app.models import Role
from tests.security.world import concrete_path, int_arguments

EXPECTED = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
}
APP_ROOT = Path(create_app.__code__.co_filename).parent
# Rendered by WeasyPrint into PDFs, never sent to a browser: the CSP does not apply, a <style> block is fine there.
PDF_TEMPLATE = re.compile(r"(_pdf|/document)\.html$")

INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)
STYLE = re.compile(r"<style\b|\sstyle\s*=", re.IGNORECASE)
HANDLER = re.compile(r"<[a-z][^>]*\son[a-z]+\s*=", re.IGNORECASE)
JAVASCRIPT_URL = re.compile(r"""(href|src|action)\s*=\s*["']?\s*javascript:""", re.IGNORECASE)


def csp_problems(html: str) -> list[str]:
    problems = []
    for name, pattern in (("inline <script>", INLINE_SCRIPT), ("style", STYLE), ("on* handler", HANDLER),
                          ("javascript: URL", JAVASCRIPT_URL)):
        if match := pattern.search(html):
            problems.append(f"{name}: {html[max(match.start() - 60, 0):match.end() + 60]!r}")
    return problems


def assert_headers(response, where: str, hsts: bool = False) -> None:
    headers = response.headers
    for name, value in EXPECTED.items():
        assert headers.get(name) == value, (where, name, headers.get(name))
    csp = headers.get("Content-Security-Policy", "")
    assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp and "unsafe-inline" not in csp, (where, csp)
    assert "camera=()" in headers.get("Permissions-Policy", ""), where
    if hsts:
        assert headers.get("Strict-Transport-Security") == "max-age=31536000; includeSubDomains", where
    else:
        assert "Strict-Transport-Security" not in headers, where


def every_get_path(app: Flask):
    for rule in app.url_map.iter_rules():
        if "GET" in rule.methods and rule.endpoint != "static":
            yield concrete_path(rule, {name: 1 for name in int_arguments(rule)})


@pytest.mark.parametrize("role", [None, Role.ADMIN], ids=["anonymous", "admin"])
def test_every_get_route_static_files_and_errors_carry_the_headers(app, client, make_user, login, role):
    if role is not None:
        login(make_user(role=role))
    paths = [*every_get_path(app), "/static/css/main.css", "/static/no-such-file.css", "/no-such-page"]
    for path in paths:
        response = client.get(path)
        assert_headers(response, path)
        if response.mimetype == "text/html":
            assert not csp_problems(response.get_data(as_text=True)), (path, csp_problems(response.get_data(as_text=True)))
        if role is not None and response.mimetype == "text/html":
            assert response.headers["Cache-Control"] == "no-store", path
    assert_headers(client.post("/"), "405 on /")


def test_error_responses_carry_the_headers(app, client):
    too_big = client.post("/login", data=b"x" * (app.config["MAX_CONTENT_LENGTH"] + 1),
                          content_type="application/x-www-form-urlencoded")
    assert too_big.status_code == 413
    assert_headers(too_big, "413")


@pytest.fixture
def production_app(app, monkeypatch, tmp_path):
    monkeypatch.setenv("CPP_SECRET_KEY", "production-test-secret-key-long-enough-to-be-real")
    monkeypatch.setenv("CPP_DATABASE_URL", app.config["SQLALCHEMY_DATABASE_URI"])
    monkeypatch.setenv("CPP_PUBLIC_URL", "https://cpp.example")
    settings = ProductionConfig.load()
    production = create_app(settings)
    production.instance_path = str(tmp_path)
    return production


def test_production_sends_hsts_on_every_response(production_app, database):
    assert production_app.config["HSTS_SECONDS"] == 365 * 24 * 60 * 60
    client = production_app.test_client()
    for path in ("/", "/login", "/static/css/main.css", "/no-such-page", "/cabinet/"):
        response = client.get(path, base_url="https://cpp.example")
        assert response.status_code in (200, 302, 404), path
        assert_headers(response, path, hsts=True)


def test_development_and_testing_send_no_hsts(app, client, database):
    assert app.config["HSTS_SECONDS"] == 0
    assert "Strict-Transport-Security" not in client.get("/").headers


def templates():
    for path in sorted(APP_ROOT.rglob("templates/**/*.html")):
        yield path


def test_no_template_has_inline_script_style_or_handlers():
    checked = 0
    for path in templates():
        if PDF_TEMPLATE.search(path.as_posix()):
            continue
        problems = csp_problems(path.read_text(encoding="utf-8"))
        assert not problems, (str(path.relative_to(APP_ROOT)), problems)
        checked += 1
    assert checked >= 30


def test_the_scan_finds_what_it_looks_for():
    for bad in ('<script>alert(1)</script>', '<p style="color:red">', '<img src=x onerror=alert(1)>',
                '<a href="javascript:alert(1)">', "<style>p{}</style>", "<SCRIPT type='module'>"):
        assert csp_problems(bad), bad
    for good in ('<script src="/static/js/autosave.js" defer></script>', "<p>onerror=1 is text</p>",
                 '<a href="/cabinet/">javascript: not a link</a>'):
        assert not csp_problems(good), good
