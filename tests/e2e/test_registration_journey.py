"""A teacher registers through the visible form, signs out and signs in again, in a real browser."""
import re

from playwright.sync_api import expect
from sqlalchemy import select

from cpp_app.mail import outbox
from cpp_app.models import Organization, User

PASSWORD = "Енисей-течёт-на-север"


def test_register_sign_out_sign_in(page, database):
    school = database.session.scalars(
        select(Organization).where(Organization.inn.is_not(None)).order_by(Organization.id)
    ).first()
    page.goto("/")
    page.get_by_role("link", name="Регистрация").click()
    expect(page.get_by_role("heading", name="Регистрация личного кабинета педагога Красноярского края")).to_be_visible()

    page.get_by_label("Фамилия").fill("Лебедева")
    page.get_by_label("Имя", exact=True).fill("Ирина")
    page.get_by_label("Отчество").fill("Андреевна")
    page.get_by_label("Контактный номер телефона").fill("8 (913) 555-12-34")
    page.get_by_label("Адрес электронной почты").fill("lebedeva@school.example")
    page.get_by_label("Населённый пункт").fill("Абан")
    workplace = page.get_by_label("Место работы")
    workplace.press_sequentially(school.inn[:7], delay=30)
    # The suggestion list is filled from the registry as the teacher types; she picks her school from it.
    page.get_by_role("listbox", name="Организации из реестра").get_by_role(
        "option", name=re.compile(re.escape(school.short_name))).click()
    expect(workplace).to_have_value(school.label)
    page.get_by_label("Пароль", exact=True).fill(PASSWORD)
    page.get_by_label("Подтверждение пароля").fill(PASSWORD)

    consent = page.get_by_label(re.compile("Даю согласие на обработку"))
    expect(consent).not_to_be_checked()
    page.get_by_role("button", name="Зарегистрироваться").click()
    # Without the tick nothing is created and the reason is shown next to the box.
    expect(page.locator("#consent-error")).to_have_text("Без согласия на обработку персональных данных регистрация невозможна.")
    expect(page.get_by_label("Фамилия")).to_have_value("Лебедева")
    assert database.session.scalar(select(User).where(User.email == "lebedeva@school.example")) is None

    page.get_by_label("Пароль", exact=True).fill(PASSWORD)
    page.get_by_label("Подтверждение пароля").fill(PASSWORD)
    page.get_by_label(re.compile("Даю согласие на обработку")).check()
    page.get_by_role("button", name="Зарегистрироваться").click()
    expect(page.get_by_text("Мы отправили письмо на адрес lebedeva@school.example")).to_be_visible()

    # She may sign in before confirming; the cabinet asks her to confirm the address.
    page.get_by_label("Адрес электронной почты").fill("lebedeva@school.example")
    page.get_by_label("Пароль").fill(PASSWORD)
    page.get_by_role("button", name="Войти").click()
    expect(page.get_by_role("heading", name="Подтвердите адрес почты")).to_be_visible()
    expect(page.get_by_text(school.short_name)).to_be_visible()
    (mail,) = [m for m in outbox() if m["To"] == "lebedeva@school.example"]
    page.goto(re.search(r"https?://\S+/email/confirm/\S+", mail.get_content()).group(0))
    expect(page.get_by_text("Адрес lebedeva@school.example подтверждён.")).to_be_visible()
    expect(page.get_by_role("heading", name="Подтвердите адрес почты")).to_have_count(0)

    page.get_by_role("button", name="Выйти").click()
    expect(page.get_by_text("Вы вышли из ЦПП.")).to_be_visible()

    page.get_by_label("Адрес электронной почты").fill("Lebedeva@School.example")
    page.get_by_label("Пароль").fill(PASSWORD)
    page.get_by_label("Запомнить меня на этом устройстве").check()
    page.get_by_role("button", name="Войти").click()
    expect(page.get_by_role("heading", name="Лебедева Ирина Андреевна")).to_be_visible()

    database.session.expire_all()
    user = database.session.scalar(select(User).where(User.email == "lebedeva@school.example"))
    assert user.phone == "+79135551234" and user.organization_id == school.id


def test_phone_layout_has_no_horizontal_scroll(browser, live_server, database):
    context = browser.new_context(base_url=live_server, viewport={"width": 360, "height": 740}, locale="ru-RU")
    page = context.new_page()
    page.goto("/register")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    context.close()
