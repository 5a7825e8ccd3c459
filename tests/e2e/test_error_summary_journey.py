"""Registration with four wrong fields in a real browser: every message in one round, a summary that takes the
focus, each of its links puts the cursor into its field, and invalid inputs show a red border."""
import re

from playwright.sync_api import expect
from sqlalchemy import select

from cpp_app.models import Organization

PASSWORD = "Енисей-течёт-на-север"
ERROR_RED = "rgb(179, 38, 30)"  # --error in main.css


def test_four_wrong_fields_are_reported_at_once_and_the_summary_leads_to_them(page, database):
    school = database.session.scalars(
        select(Organization).where(Organization.inn.is_not(None)).order_by(Organization.id)
    ).first()
    page.set_viewport_size({"width": 1366, "height": 768})
    page.goto("/register")
    page.get_by_label("Фамилия").fill("Лебедева")
    page.get_by_label("Имя", exact=True).fill("Ирина")
    page.get_by_label("Контактный номер телефона").fill("8 (000) 12")
    page.get_by_label("Адрес электронной почты").fill("lebedeva(at)school")
    page.get_by_label("Населённый пункт").fill("Абан")
    page.get_by_label("Место работы").fill(school.label)
    page.get_by_label("Пароль", exact=True).fill("qwerty123")
    page.get_by_label("Подтверждение пароля").fill("qwerty123")
    page.get_by_role("button", name="Зарегистрироваться").click()

    summary = page.locator(".error-summary")
    expect(summary).to_be_visible()
    expect(summary.get_by_role("heading", name="Исправьте ошибки:")).to_be_visible()
    links = summary.get_by_role("link")
    expect(links).to_have_count(4)
    # Focus is on the summary, and the page shows it (not scrolled past it).
    assert page.evaluate("document.activeElement.id") == "error-summary"
    assert page.evaluate("document.getElementById('error-summary').getBoundingClientRect().top") >= 0
    assert page.evaluate("document.getElementById('error-summary').getBoundingClientRect().top") < 768

    targets = [links.nth(index).get_attribute("href") for index in range(4)]
    assert targets == ["#phone", "#email", "#password", "#consent"]
    for target in targets:
        field = page.locator(target)
        expect(field).to_have_attribute("aria-invalid", "true")
    for target in ("#phone", "#email", "#password"):
        assert page.locator(target).evaluate("el => getComputedStyle(el).borderTopColor") == ERROR_RED

    # The typed values stay; the refused password does not.
    expect(page.get_by_label("Фамилия")).to_have_value("Лебедева")
    expect(page.get_by_label("Пароль", exact=True)).to_have_value("")

    links.filter(has_text=re.compile("телефон", re.I)).first.click()
    assert page.evaluate("document.activeElement.id") == "phone"
    summary.get_by_role("link", name=re.compile("Без согласия")).click()
    assert page.evaluate("document.activeElement.id") == "consent"

    # Fixing everything registers in the next round.
    page.get_by_label("Контактный номер телефона").fill("8 (913) 555-12-34")
    page.get_by_label("Адрес электронной почты").fill("lebedeva@school.example")
    page.get_by_label("Пароль", exact=True).fill(PASSWORD)
    page.get_by_label("Подтверждение пароля").fill(PASSWORD)
    page.get_by_label(re.compile("Даю согласие на обработку")).check()
    page.get_by_role("button", name="Зарегистрироваться").click()
    expect(page.get_by_text("Мы отправили письмо на адрес lebedeva@school.example")).to_be_visible()
