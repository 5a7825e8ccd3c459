"""The version for the visually impaired: switched on and off, each setting kept in a cookie and shown as a class on
<html>, tampered values ignored, every change a CSRF-protected POST that sends the visitor back to this site only."""
import re

import pytest

from tests.conftest import extract_csrf


def html_classes(client, path="/privacy/") -> str:
    page = client.get(path).get_data(as_text=True)
    match = re.search(r'<html lang="ru"(?: class="([^"]*)")?>', page)
    assert match, "no <html> tag"
    return match.group(1) or ""


def choose(client, next_path="/privacy/", **fields):
    token = extract_csrf(client.get("/privacy/"))
    return client.post("/accessibility", data={"csrf_token": token, "next": next_path, **fields})


def cookie(client, name):
    found = client.get_cookie(name)
    return found.value if found else None


def test_switching_on_shows_the_bar_and_off_hides_it(client):
    page = client.get("/privacy/").get_data(as_text=True)
    assert "Версия для слабовидящих" in page and "a11y-bar" not in page and html_classes(client) == ""

    response = choose(client, enabled="1")
    assert response.status_code == 302 and response.headers["Location"] == "/privacy/"
    page = client.get("/privacy/").get_data(as_text=True)
    assert html_classes(client) == "a11y"
    assert 'aria-label="Настройки версии для слабовидящих"' in page and "Обычная версия сайта" in page
    assert ">Версия для слабовидящих</button>" not in page  # the header button gives way to the bar
    # The defaults are marked as chosen; the bar's form carries a token but no duplicate id.
    assert re.search(r'name="font" value="100"[^>]*aria-pressed="true"', page)
    assert re.search(r'name="scheme" value="light"[^>]*aria-pressed="true"', page)
    assert re.search(r'name="font" value="200"[^>]*aria-pressed="false"', page)
    assert 'id="csrf_token"' not in page

    choose(client, enabled="0")
    assert html_classes(client) == "" and "a11y-bar" not in client.get("/privacy/").get_data(as_text=True)


@pytest.mark.parametrize(("field", "value", "css"), [
    ("font", "150", "a11y-font-150"), ("font", "200", "a11y-font-200"),
    ("scheme", "dark", "a11y-scheme-dark"), ("scheme", "blue", "a11y-scheme-blue"),
    ("images", "off", "a11y-images-off"),
    ("spacing", "2", "a11y-spacing-2"), ("spacing", "3", "a11y-spacing-3"),
])
def test_each_setting_is_stored_and_becomes_a_class(client, field, value, css):
    choose(client, enabled="1")
    response = choose(client, **{field: value})
    assert response.status_code == 302
    header = next(h for h in response.headers.getlist("Set-Cookie") if h.startswith(f"a11y_{field}="))
    assert "HttpOnly" in header and "SameSite=Lax" in header and "Max-Age=31536000" in header
    assert html_classes(client).split() == ["a11y", css]
    page = client.get("/privacy/").get_data(as_text=True)
    assert re.search(rf'name="{field}" value="{value}"[^>]*aria-pressed="true"', page)


def test_settings_combine_and_outlive_switching_off(client):
    choose(client, enabled="1")
    for field, value in (("font", "200"), ("scheme", "dark"), ("images", "off"), ("spacing", "3")):
        choose(client, **{field: value})
    assert html_classes(client).split() == ["a11y", "a11y-font-200", "a11y-scheme-dark", "a11y-images-off", "a11y-spacing-3"]
    choose(client, enabled="0")
    assert html_classes(client) == ""
    choose(client, enabled="1")
    assert "a11y-font-200" in html_classes(client)
    # Back to a default value: its class goes.
    choose(client, font="100")
    assert "a11y-font" not in html_classes(client)


def test_invalid_values_are_ignored(client):
    choose(client, enabled="1", font="150")
    response = choose(client, font="300", scheme="red", images="maybe", spacing="9", enabled="yes")
    assert response.status_code == 302
    assert not [h for h in response.headers.getlist("Set-Cookie") if h.startswith("a11y")]
    assert html_classes(client).split() == ["a11y", "a11y-font-150"]
    # A cookie tampered with in the browser falls back to the default, never into the page.
    client.set_cookie("a11y_scheme", '" onload="x')
    client.set_cookie("a11y_font", "999")
    assert html_classes(client) == "a11y"


def test_a_change_needs_the_csrf_token(client):
    response = client.post("/accessibility", data={"enabled": "1", "next": "/privacy/"})
    assert response.status_code == 400 and cookie(client, "a11y") is None
    response = client.post("/accessibility", data={"enabled": "1", "csrf_token": "forged"})
    assert response.status_code == 400 and cookie(client, "a11y") is None
    assert html_classes(client) == ""


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/x", "/\\evil.example", "javascript:alert(1)"])
def test_the_redirect_stays_on_this_site(client, target):
    response = choose(client, next_path=target, enabled="1")
    assert response.status_code == 302 and response.headers["Location"] == "/"
    assert cookie(client, "a11y") == "1"


def test_a_signed_in_person_gets_the_same_version(client, make_user, login):
    login(make_user(role="teacher"))
    choose(client, enabled="1", next_path="/cabinet/")
    choose(client, scheme="blue", next_path="/cabinet/")
    assert html_classes(client, "/cabinet/").split() == ["a11y", "a11y-scheme-blue"]
