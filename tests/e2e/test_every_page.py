"""Every page each role reaches by links passes the Nu HTML Checker and axe-core (WCAG 2.1 AA, at 1366 and 360 px),
and on a 360 px phone its own heading starts within the first 300 px and nothing scrolls the page sideways."""
import json
import subprocess  # nosec B404 — runs the HTML checker from node_modules
from pathlib import Path

import pytest

from tests.link_walk import walk
from tests.web.test_reachability import ROLES, demo, signed_in_demo  # noqa: F401 — `demo` is a fixture

ROOT = Path(__file__).resolve().parents[2]
VNU_JAR = ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
AXE_JS = ROOT / "node_modules" / "axe-core" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
PHONE = {"width": 360, "height": 800}
DESKTOP = {"width": 1366, "height": 768}
HEADING_WITHIN_PX = 300


def _checkers_installed():
    if not VNU_JAR.exists() or not AXE_JS.exists():
        pytest.fail("vnu-jar and axe-core are missing: run `make setup-dev` (npm ci)")


def nu_errors(pages: dict[str, str], directory: Path) -> list[str]:
    files = {}
    for number, (url, html) in enumerate(sorted(pages.items())):
        path = directory / f"page{number:03}.html"
        path.write_text(html, encoding="utf-8")
        files[path.resolve().as_uri()] = url
    completed = subprocess.run(  # nosec B603 B607 — fixed arguments, files of this test
        ["java", "-jar", str(VNU_JAR), "--errors-only", "--format", "json", str(directory)],
        capture_output=True, text=True, timeout=300,
    )
    messages = json.loads(completed.stderr or '{"messages": []}')["messages"]
    return [f"{files.get(m.get('url'), m.get('url'))}:{m.get('lastLine')}: {m['message']}" for m in messages]


def browser_context(browser, live_server, client, viewport):
    context = browser.new_context(base_url=live_server, locale="ru-RU", viewport=viewport, bypass_csp=True)
    host = live_server.split("//")[1].split(":")[0]
    context.add_cookies([
        {"name": cookie.key, "value": cookie.value, "domain": host, "path": "/"}
        for cookie in client._cookies.values()  # the test client's jar: the signed-in session, the device cookie
    ])
    return context


@pytest.mark.parametrize("role", ("visitor",) + ROLES)
def test_every_reached_page_is_valid_accessible_and_fits_a_phone(app, demo, browser, live_server, role, tmp_path):  # noqa: F811
    _checkers_installed()
    client = app.test_client() if role == "visitor" else signed_in_demo(app, role)
    reached = walk(client)
    urls = reached.pages()
    assert urls

    errors = nu_errors({url: reached.html[url] for url in urls}, tmp_path)
    assert not errors, f"{role}: Nu HTML Checker errors:\n" + "\n".join(errors)

    violations, phone_problems = [], []
    axe = AXE_JS.read_text(encoding="utf-8")
    desktop = browser_context(browser, live_server, client, DESKTOP)
    phone = browser_context(browser, live_server, client, PHONE)
    try:
        on_desktop, on_phone = desktop.new_page(), phone.new_page()
        for url in urls:
            for size, tab in (("1366", on_desktop), ("360", on_phone)):
                tab.goto(url)
                tab.add_script_tag(content=axe)
                result = tab.evaluate("tags => axe.run(document, {runOnly: tags})", AXE_TAGS)
                violations += [f"{url} at {size} px: {v['id']} ({len(v['nodes'])}): {v['help']}"
                               for v in result["violations"]]
            top = on_phone.evaluate("() => { const h = document.querySelector('main h1');"
                                    " return h ? h.getBoundingClientRect().top : null; }")
            if top is None or top > HEADING_WITHIN_PX:
                phone_problems.append(f"{url}: h1 at {top} px")
            width = on_phone.evaluate("() => document.documentElement.scrollWidth")
            if width > PHONE["width"]:
                phone_problems.append(f"{url}: the page is {width} px wide")
    finally:
        desktop.close()
        phone.close()
    assert not violations, f"{role}: axe-core violations:\n" + "\n".join(violations)
    assert not phone_problems, f"{role}: on a 360 px phone (the heading within {HEADING_WITHIN_PX} px, no sideways " \
        "scrolling):\n" + "\n".join(phone_problems)
