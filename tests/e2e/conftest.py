"""A live server on a free local port and Debian's Chromium driven by Playwright."""
import os
import threading

import pytest
from werkzeug.serving import make_server

CHROMIUM = os.environ.get("CPP_CHROMIUM", "/usr/bin/chromium")
# Without these, Chromium keeps trying to reach Google's services, which this network refuses.
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync",
]


def pytest_collection_modifyitems(items):
    for item in items:
        if "/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.e2e)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """A failed journey's report shows where the browser was and what it read there: CI keeps no screenshots."""
    outcome = yield
    report = outcome.get_result()
    page = getattr(item, "funcargs", {}).get("page")
    if report.when != "call" or not report.failed or page is None:
        return
    try:
        shown = page.locator("main").inner_text(timeout=2_000)
    except Exception as error:  # the page itself may be what broke
        shown = f"(the page could not be read: {error})"
    report.sections.append(("page at the failure", f"{page.url}\n{shown[:3_000]}"))


@pytest.fixture(scope="session")
def live_server(app):
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)


@pytest.fixture(autouse=True)
def public_url_of_live_server(request, monkeypatch):
    """Links in mail point at the live server while a browser test runs (the session's app serves both)."""
    if "live_server" in request.fixturenames:
        app, address = request.getfixturevalue("app"), request.getfixturevalue("live_server")
        monkeypatch.setitem(app.config, "PUBLIC_URL", address)


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    if not os.path.exists(CHROMIUM):
        pytest.fail(f"Chromium not found at {CHROMIUM}: run `make test` (it installs Debian's chromium) or set CPP_CHROMIUM")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server, database):
    context = browser.new_context(base_url=live_server, locale="ru-RU")
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()
