"""Each role lands on its start page after signing in; on a 360 × 800 phone the menu folds behind «Меню» and every
page's own heading starts within the first 300 px."""
import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from cpp_app.models import DiagnosticStatus, Role, utcnow
from tests.e2e.test_diagnostic_fill import sign_in
from tests.factories import diagnostic_row, organization

HEADING_LIMIT = 300  # px from the top of a 360 × 800 screen
# The start page and a few main pages of each role; the lead's link walk extends this to every page.
PHONE_PAGES = {
    Role.TEACHER: ["/", "/cabinet/profile", "/cabinet/platforms", "/cabinet/courses", "/privacy/"],
    Role.SCHOOL_ADMIN: ["/", "/school/staff", "/school/staff/unregistered", "/diagnostics/", "/programs/", "/cabinet/"],
    Role.METHODOLOGIST: ["/", "/monitoring/", "/monitoring/municipalities", "/monitoring/inactive", "/review/",
                         "/programs/", "/admin/methodologies", "/admin/courses/external"],
    Role.ADMIN: ["/", "/admin/users", "/admin/privacy", "/monitoring/trends", "/admin/workplaces"],
}


@pytest.fixture
def people(make_user, district):
    school = organization(make_user.database, district, "МБОУ Стартовая СОШ")
    return {
        Role.TEACHER: make_user(email="teacher@school.example", organization=school, confirmed_at=utcnow()),
        Role.SCHOOL_ADMIN: make_user(role=Role.SCHOOL_ADMIN, email="director@school.example", organization=school,
                                     confirmed_at=utcnow()),
        Role.METHODOLOGIST: make_user(role=Role.METHODOLOGIST, email="methodist@kipk.example"),
        Role.ADMIN: make_user(role=Role.ADMIN, email="operator@kipk.example"),
    }


def test_director_and_methodologist_start_on_their_to_do_lists(page, database, make_user, district, people):
    school = people[Role.SCHOOL_ADMIN].organization
    for number in range(3):
        make_user(email=f"new{number}@school.example", organization=school)
    for number in range(2):
        diagnostic_row(database, organization(database, district, f"МБОУ СОШ № {number + 30}"), 9,
                       submitted_at=utcnow() - timedelta(days=6))

    sign_in(page, "director@school.example")
    expect(page).to_have_url(re.compile(r"/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Что ждёт вашего внимания")
    expect(page.locator('[data-todo="teachers"]')).to_contain_text("3 педагога ждут подтверждения")
    expect(page.locator('[data-todo="diagnostic"]')).to_contain_text("ещё не начата")
    expect(page.get_by_role("link", name="Главная")).to_have_attribute("aria-current", "page")
    page.get_by_role("link", name="Подтвердить педагогов").click()
    expect(page.get_by_role("link", name="Сотрудники", exact=True)).to_have_attribute("aria-current", "page")
    for number in range(3):
        expect(page.get_by_text(f"new{number}@school.example")).to_be_visible()
    page.get_by_role("button", name="Выйти").click()

    sign_in(page, "methodist@kipk.example")
    expect(page).to_have_url(re.compile(r"/$"))
    expect(page.locator('[data-todo="review"]')).to_have_text(
        "2 самодиагностики ждут проверки. Дольше всех ждёт 6 дней.")
    page.get_by_role("link", name="Открыть очередь проверки").click()
    expect(page.get_by_role("link", name="Проверка самодиагностик")).to_have_attribute("aria-current", "page")
    expect(page.get_by_role("link", name="МБОУ СОШ № 30", exact=True)).to_be_visible()


def test_the_menu_folds_on_a_phone_and_headings_start_near_the_top(browser, live_server, database, people):
    diagnostic_row(database, people[Role.SCHOOL_ADMIN].organization, 9, status=DiagnosticStatus.ACCEPTED)
    for role, paths in PHONE_PAGES.items():
        context = browser.new_context(base_url=live_server, locale="ru-RU", viewport={"width": 360, "height": 800})
        page = context.new_page()
        page.set_default_timeout(10_000)
        try:
            sign_in(page, people[role].email)
            menu = page.get_by_role("navigation", name="Основное меню")
            expect(menu.get_by_role("link", name="Главная")).to_be_hidden()
            page.get_by_text("Меню", exact=True).click()
            expect(menu.get_by_role("link", name="Главная")).to_be_visible()
            for path in paths:
                page.goto(path)
                top = page.get_by_role("heading", level=1).bounding_box()["y"]
                assert top <= HEADING_LIMIT, f"{role} {path}: the heading starts at {top:.0f} px"
                assert page.evaluate("document.documentElement.scrollWidth") <= 360, f"{role} {path}: wider than the phone"
        finally:
            context.close()
