"""The version for the visually impaired in a real browser: chosen from the bar, it reaches every piece of text
(hints, badges, table headers, muted notes) and stays with the browser across pages and sign-in."""
import re

from playwright.sync_api import expect
from sqlalchemy import select

from cpp_app.models import Organization, Role, utcnow
from tests.e2e.test_diagnostic_fill import sign_in

WHITE, BLACK = "rgb(255, 255, 255)", "rgb(0, 0, 0)"

# Every element in <main> that shows text of its own: its colours and size against the body's.
TEXT_STYLES = """() => {
  const body = getComputedStyle(document.body);
  const out = [];
  for (const el of document.querySelectorAll('main *')) {
    const own = [...el.childNodes].some(n => n.nodeType === 3 && n.textContent.trim());
    if (!own || !el.checkVisibility() || el.closest('.sr-only')) continue;
    const s = getComputedStyle(el);
    out.push({tag: el.tagName, cls: el.className, text: el.textContent.trim().slice(0, 40), color: s.color,
              background: s.backgroundColor, size: parseFloat(s.fontSize), bodySize: parseFloat(body.fontSize)});
  }
  return out;
}"""


def choose(bar, name):
    """Presses a setting and waits for the page that shows it chosen, before the next press."""
    bar.get_by_role("button", name=name).click()
    expect(bar.get_by_role("button", name=name)).to_have_attribute("aria-pressed", "true")


def expect_html_classes(page, *classes: str):
    """Waits for <html> to carry exactly these classes: a setting is a form post, and the page comes after the click."""
    if classes:
        expect(page.locator("html")).to_have_class(" ".join(classes))
    else:
        expect(page.locator("html")).not_to_have_class(re.compile("a11y"))


def style(page, selector: str, prop: str) -> str:
    return page.locator(selector).first.evaluate(f"el => getComputedStyle(el).{prop}")


def assert_every_text_is_large_and_in_the_scheme(page, foreground, background):
    page.wait_for_load_state("load")  # the scheme's page has replaced the last one with its styles, even on a busy machine
    texts = page.evaluate(TEXT_STYLES)
    assert len(texts) > 10
    for item in texts:
        # Text in the scheme's colours, or inverted on a main button: never grey, never tinted.
        assert (item["color"], item["background"]) in ((foreground, background), (background, foreground)), item
        assert item["size"] >= item["bodySize"], item


def test_low_vision_settings_apply_to_everything_and_persist(page, make_user, database):
    school = database.session.scalars(select(Organization).order_by(Organization.id)).first()
    make_user(role=Role.SCHOOL_ADMIN, email="director@school.example", organization=school, confirmed_at=utcnow())
    make_user(email="teacher@school.example", organization=school, last_name="Воронцова")

    # A signed-out visitor on a form page with hints turns the version on and picks ×2, white on black.
    page.goto("/register")
    page.get_by_role("button", name="Версия для слабовидящих").click()
    bar = page.get_by_role("region", name="Настройки версии для слабовидящих")
    expect(bar).to_be_visible()
    expect(page.locator("html")).to_have_class("a11y")
    choose(bar, re.compile(r"^А\+\+"))
    choose(bar, "белым по чёрному")
    expect(page).to_have_url(re.compile(r"/register"))
    expect_html_classes(page, "a11y", "a11y-font-200", "a11y-scheme-dark")
    expect(bar.get_by_role("button", name=re.compile(r"^А\+\+"))).to_have_attribute("aria-pressed", "true")

    assert style(page, "html", "fontSize") == "40px"  # ×2 of the version's 20 px
    assert style(page, "body", "backgroundColor") == BLACK
    body_size = float(style(page, "body", "fontSize")[:-2])
    assert float(style(page, ".hint", "fontSize")[:-2]) >= body_size
    assert style(page, ".hint", "color") == WHITE
    assert float(style(page, "h1", "fontSize")[:-2]) > float(style(page, "legend", "fontSize")[:-2]) >= body_size
    assert_every_text_is_large_and_in_the_scheme(page, WHITE, BLACK)

    # The choice survives signing in and holds on a table page with badges and muted notes.
    sign_in(page, "director@school.example")
    page.goto("/school/staff")
    expect_html_classes(page, "a11y", "a11y-font-200", "a11y-scheme-dark")
    expect(page.locator("table.data th").first).to_be_visible()
    assert style(page, "table.data th", "color") == WHITE
    assert style(page, "table.data th", "backgroundColor") == BLACK
    assert style(page, ".badge", "borderTopColor") == WHITE
    assert float(style(page, ".badge", "fontSize")[:-2]) == float(style(page, "body", "fontSize")[:-2])
    assert_every_text_is_large_and_in_the_scheme(page, WHITE, BLACK)

    # Images off, letter spacing large: the logo goes, letters spread.
    choose(bar, "выключены")
    choose(bar, "большой")
    expect(page.locator(".brand img")).to_be_hidden()
    assert float(style(page, "main p", "letterSpacing")[:-2]) > 0

    # The ordinary version, then back: the settings were kept.
    bar.get_by_role("button", name="Обычная версия сайта").click()
    expect_html_classes(page)
    expect(page.locator(".brand img")).to_be_visible()
    page.get_by_role("button", name="Версия для слабовидящих").click()
    expect_html_classes(page, "a11y", "a11y-font-200", "a11y-scheme-dark", "a11y-images-off", "a11y-spacing-3")


def test_the_blue_scheme_and_the_folded_bar_on_a_phone(browser, live_server, database):
    context = browser.new_context(base_url=live_server, viewport={"width": 360, "height": 800}, locale="ru-RU")
    page = context.new_page()
    page.goto("/register")
    page.get_by_role("button", name="Версия для слабовидящих").click()
    bar = page.get_by_role("region", name="Настройки версии для слабовидящих")
    # The choices are folded under «Настройки» on a phone, and work the same.
    expect(bar.get_by_role("button", name="тёмно-синим по голубому")).to_be_hidden()
    bar.get_by_text("Настройки", exact=True).click()
    bar.get_by_role("button", name="тёмно-синим по голубому").click()
    expect_html_classes(page, "a11y", "a11y-scheme-blue")
    assert_every_text_is_large_and_in_the_scheme(page, "rgb(6, 52, 98)", "rgb(157, 209, 255)")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    context.close()
