"""A school admin fills the self-diagnostic in a real browser: autosave, reload, check page, submission."""
import re
from datetime import datetime, timedelta

from flask import current_app
from playwright.sync_api import expect
from sqlalchemy import select, update

from cpp_app.domain.workflow import school_year
from cpp_app.kernel.clock import KRASNOYARSK_TIME
from cpp_app.models import AuthSession, Organization, Role, utcnow
from tests.conftest import TEST_PASSWORD, take_login_code


def sign_in(page, email):
    page.goto("/login")
    page.get_by_label("Адрес электронной почты").fill(email)
    page.get_by_label("Пароль").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Войти").click()
    page.wait_for_url(lambda url: not url.endswith("/login"))
    if "/login/code" in page.url:
        # Methodologists and admins type the mailed code; the live server shares this process's mail outbox.
        page.get_by_label("Код из письма").fill(take_login_code(current_app, email))
        page.get_by_role("button", name="Войти").click()
        page.wait_for_url(lambda url: "/login" not in url)


def indicator(page, title_start: str):
    """An indicator's fieldset, found by its legend (the indicator's title)."""
    return page.get_by_role("group", name=re.compile(r"^\d+\. " + re.escape(title_start)))


def choose_everywhere(page, score_label: str):
    """Picks the level starting with `score_label` («1 балл») in every indicator of the step."""
    fieldsets = page.locator("fieldset.indicator")
    for number in range(fieldsets.count()):
        fieldsets.nth(number).get_by_label(re.compile("^" + score_label)).check()


def test_school_admin_fills_and_submits_the_diagnostic(page, make_user, database):
    school = database.session.scalars(select(Organization).order_by(Organization.id)).first()
    make_user(role=Role.SCHOOL_ADMIN, email="director@school.example", organization=school, confirmed_at=utcnow())
    year = school_year(datetime.now(KRASNOYARSK_TIME).date())

    sign_in(page, "director@school.example")
    page.goto("/diagnostics/")
    expect(page.get_by_text("Самодиагностик пока нет")).to_be_visible()
    page.get_by_role("button", name=f"Начать самодиагностику {year}").click()

    # «Общие сведения».
    expect(page.get_by_role("heading", name="Общие сведения")).to_be_visible()
    page.get_by_label("Численность педагогических работников").fill("20")
    page.get_by_label("Численность обучающихся").fill("250")
    page.get_by_role("button", name="Сохранить и далее").click()
    expect(page.get_by_text("Общие сведения сохранены.")).to_be_visible()

    # A level picked in the first section is saved by autosave, without pressing a button (its script listens once
    # the page has loaded).
    page.wait_for_load_state()
    phones = indicator(page, "Наличие локальных актов")
    phones.get_by_label("1 балл — да").check()
    expect(page.get_by_role("status").filter(has_text=re.compile(r"Сохранено в \d\d:\d\d"))).to_be_visible()
    page.reload()
    expect(indicator(page, "Наличие локальных актов").get_by_label("1 балл — да")).to_be_checked()

    # Claiming more than the teachers' profiles support shows the warning at once; a lower level hides it.
    moya = indicator(page, "Использование федеральной государственной информационной системы «Моя школа»")
    expect(moya.get_by_text(re.compile("По данным профилей педагогов"))).to_be_visible()
    moya.get_by_label(re.compile("^3 балла")).check()
    expect(moya.get_by_text("Выбранный балл выше, чем подтверждают данные")).to_be_visible()
    moya.get_by_label(re.compile("^0 баллов")).check()
    expect(moya.get_by_text("Выбранный балл выше, чем подтверждают данные")).to_be_hidden()

    # The rest of the section, then the accreditation section.
    choose_everywhere(page, "1 балл")
    indicator(page, "Оснащение образовательной организации").get_by_label("Комментарий").fill("Кабинет 12")
    page.get_by_role("button", name="Сохранить и далее").click()
    expect(page.get_by_text("Ответы сохранены.")).to_be_visible()
    choose_everywhere(page, "1 балл")
    page.get_by_role("button", name="Сохранить и далее").click()

    # «Проверить и отправить»: every answer is there, the result is computed.
    expect(page.get_by_role("heading", name="Проверить и отправить")).to_be_visible()
    expect(page.get_by_text("Без ответа")).to_have_count(0)
    expect(page.get_by_text("7 из 14", exact=True)).to_be_visible()
    expect(page.get_by_text("Кабинет 12")).to_be_visible()
    page.get_by_role("button", name="Отправить на проверку").click()

    expect(page.get_by_text("Самодиагностика отправлена на проверку")).to_be_visible()
    expect(page.get_by_role("row", name=year).get_by_text("на проверке")).to_be_visible()
    # Locked: the questionnaire is read-only now.
    page.get_by_role("link", name="Посмотреть ответы").click()
    expect(page.get_by_text("изменить ответы нельзя")).to_be_visible()
    expect(page.get_by_role("radio")).to_have_count(0)


def test_answers_survive_an_ended_session(page, make_user, database):
    school = database.session.scalars(select(Organization).order_by(Organization.id)).first()
    make_user(role=Role.SCHOOL_ADMIN, email="director@school.example", organization=school, confirmed_at=utcnow())
    sign_in(page, "director@school.example")
    page.goto("/diagnostics/")
    page.get_by_role("button", name=re.compile("Начать самодиагностику")).click()
    page.get_by_role("link", name=re.compile("Критерий «ЦОС")).click()
    page.wait_for_load_state()  # the autosave script listens from here on

    # The session ends on the server while the page is open (its absolute lifetime runs out). A browser that
    # lost its cookies altogether gets nothing stashed: nothing then says whose answers they would be.
    database.session.execute(update(AuthSession).values(expires_at=utcnow() - timedelta(seconds=1)))
    database.session.commit()
    indicator(page, "Оснащение образовательной организации").get_by_label(re.compile("^2 балла")).check()
    notice = page.get_by_text("Сессия истекла — нажмите «Сохранить», ваши ответы не потеряются.")
    expect(notice).to_be_visible(timeout=15_000)  # it follows a debounced autosave
    indicator(page, "Оснащение образовательной организации").get_by_label("Комментарий").fill("Паспорт кабинета")
    page.get_by_role("button", name="Сохранить", exact=True).click()

    # Sign in again: back on the same section, the answers shown (not saved yet), then saved.
    expect(page.get_by_text("Войдите снова — мы покажем введённые ответы")).to_be_visible()
    page.get_by_label("Адрес электронной почты").fill("director@school.example")
    page.get_by_label("Пароль").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Войти").click()
    expect(page.get_by_text("Мы сохранили ответы, которые вы ввели перед окончанием сеанса")).to_be_visible()
    equipment = indicator(page, "Оснащение образовательной организации")
    expect(equipment.get_by_label(re.compile("^2 балла"))).to_be_checked()
    expect(equipment.get_by_label("Комментарий")).to_have_value("Паспорт кабинета")
    page.get_by_role("button", name="Сохранить", exact=True).click()
    expect(page.get_by_text("Ответы сохранены.")).to_be_visible()
    expect(indicator(page, "Оснащение образовательной организации").get_by_label(re.compile("^2 балла"))).to_be_checked()
