"""Choosing a workplace from the registry in a real browser: suggestions while typing, and the server's own
resolution when nothing is picked."""
import re
import time

from playwright.sync_api import expect
from sqlalchemy import select

from cpp_app.models import Organization, OrganizationKind, User
from tests.factories import municipality

PASSWORD = "Енисей-течёт-на-север"


def fill_the_rest(page, email: str) -> None:
    page.get_by_label("Фамилия").fill("Лебедева")
    page.get_by_label("Имя", exact=True).fill("Ирина")
    page.get_by_label("Контактный номер телефона").fill("8 (913) 555-12-34")
    page.get_by_label("Адрес электронной почты").fill(email)
    page.get_by_label("Пароль", exact=True).fill(PASSWORD)
    page.get_by_label("Подтверждение пароля").fill(PASSWORD)
    page.get_by_label(re.compile("Даю согласие на обработку")).check()


def registered(database, email: str) -> User:
    database.session.expire_all()
    return database.session.scalar(select(User).where(User.email == email))


def elita(database) -> Organization:
    return database.session.scalar(select(Organization).where(Organization.short_name == "МБОУ Элитовская СОШ"))


def test_typing_a_name_and_submitting_without_picking_takes_the_registry_school(page, database):
    page.goto("/register")
    fill_the_rest(page, "elita@school.example")
    page.get_by_label("Населённый пункт").fill("Элита")
    page.get_by_label("Место работы").fill("Элитовская")
    page.get_by_role("button", name="Зарегистрироваться").click()
    expect(page.get_by_text("Мы отправили письмо на адрес elita@school.example")).to_be_visible()
    user = registered(database, "elita@school.example")
    assert user.organization_id == elita(database).id and user.workplace_text is None


def test_what_was_typed_before_the_script_arrived_gets_its_suggestions(page, database, app, monkeypatch):
    serve_static = app.view_functions["static"]

    def slow_suggestion_script(filename):
        if filename == "js/workplace.js":
            time.sleep(1.5)  # a slow connection
        return serve_static(filename=filename)

    monkeypatch.setitem(app.view_functions, "static", slow_suggestion_script)
    page.goto("/register", wait_until="commit")
    workplace = page.get_by_label("Место работы")
    workplace.press_sequentially("элитовская шк", delay=20)
    assert workplace.get_attribute("role") is None, "typed before the script arrived"
    options = page.get_by_role("listbox", name="Организации из реестра").get_by_role("option")
    expect(options).to_have_count(1)
    expect(options.first).to_contain_text("МБОУ Элитовская СОШ")


def test_suggestions_are_a_listbox_picked_with_the_keyboard(page, database):
    page.goto("/register")
    workplace = page.get_by_role("combobox", name="Место работы")
    workplace.press_sequentially("элитовская шк", delay=20)
    options = page.get_by_role("listbox", name="Организации из реестра").get_by_role("option")
    expect(options).to_have_count(1)
    expect(options.first).to_contain_text("МБОУ Элитовская СОШ")
    expect(options.first).to_contain_text("Емельяновский муниципальный район")
    expect(workplace).to_have_attribute("aria-expanded", "true")
    workplace.press("ArrowDown")
    expect(options.first).to_have_attribute("aria-selected", "true")
    workplace.press("Enter")
    expect(workplace).to_have_value(elita(database).label)
    expect(workplace).to_have_attribute("aria-expanded", "false")
    assert page.locator("#organization_id").input_value() == str(elita(database).id)


def test_several_matches_ask_to_choose_from_a_short_list(page, database):
    places = [municipality(database, name) for name in ("г. Ачинск", "г. Канск")]
    achinsk, kansk = (Organization(short_name="МБОУ СОШ № 1", full_name="Средняя общеобразовательная школа № 1",
                                   kind=OrganizationKind.SCHOOL, municipality=place) for place in places)
    database.session.add_all([achinsk, kansk])
    database.session.commit()
    page.goto("/register")
    fill_the_rest(page, "kansk@school.example")
    page.get_by_label("Населённый пункт").fill("Тасеево")
    page.get_by_label("Место работы").fill("СОШ №1")
    page.get_by_role("button", name="Зарегистрироваться").click()
    choice = page.get_by_role("group", name="Выберите вашу организацию")
    expect(choice).to_be_visible()
    expect(page.locator("#workplace-error")).to_contain_text("Под это название подходят несколько организаций")
    expect(choice.get_by_role("radio")).to_have_count(3)
    assert registered(database, "kansk@school.example") is None
    choice.get_by_role("radio", name=re.compile("г. Канск")).check()
    page.get_by_label("Пароль", exact=True).fill(PASSWORD)
    page.get_by_label("Подтверждение пароля").fill(PASSWORD)
    page.get_by_role("button", name="Зарегистрироваться").click()
    expect(page.get_by_text("Мы отправили письмо на адрес kansk@school.example")).to_be_visible()
    assert registered(database, "kansk@school.example").organization_id == kansk.id
