"""A teacher's personal-data rights in a real browser: export, a request answered by the operator, withdrawal."""
import json
import re

from playwright.sync_api import expect

from cpp_app.models import Role
from tests.conftest import TEST_PASSWORD
from tests.e2e.test_diagnostic_fill import sign_in


def test_teacher_exports_asks_the_operator_and_withdraws_consent(page, make_user, database):
    make_user(email="teacher@school.example", last_name="Снегирёва", first_name="Алла")
    make_user(role=Role.ADMIN, email="operator@kipk.example", organization=None)

    # The teacher downloads everything held about her.
    sign_in(page, "teacher@school.example")
    page.get_by_role("link", name="Мои данные", exact=True).click()
    with page.expect_download() as download:
        page.get_by_role("link", name="Скачать в JSON").click()
    exported = json.loads(open(download.value.path(), encoding="utf-8").read())
    assert "Снегирёва" in json.dumps(exported, ensure_ascii=False)
    assert "password_hash" not in json.dumps(exported)

    # She asks the operator to correct her data.
    page.get_by_label("Вид обращения").select_option(label="Уточнение персональных данных")
    page.get_by_label("Текст обращения").fill("Прошу исправить отчество в профиле.")
    page.get_by_role("button", name="Отправить обращение").click()
    expect(page.get_by_text("принято. Оператор ответит не позднее")).to_be_visible()
    page.get_by_role("button", name="Выйти").click()

    # The operator sees it in the queue with its deadline and answers.
    sign_in(page, "operator@kipk.example")
    page.get_by_role("link", name="Запросы ПДн").click()
    request_row = page.get_by_role("row", name=re.compile("Уточнение персональных данных"))
    expect(request_row).to_contain_text("Снегирёва")
    request_row.get_by_role("link").first.click()
    page.get_by_label("Ответ заявителю").fill("Отчество исправлено.")
    page.get_by_role("button", name="Отправить ответ и отметить исполненным").click()
    expect(page.get_by_text("исполнено, ответ отправлен заявителю")).to_be_visible()
    page.get_by_role("button", name="Выйти").click()

    # The teacher reads the answer, then withdraws her consent: signed out and unable to sign in again.
    sign_in(page, "teacher@school.example")
    page.get_by_role("link", name="Мои данные", exact=True).click()
    page.locator("#request").get_by_role("link").first.click()
    expect(page.get_by_text("Отчество исправлено.")).to_be_visible()
    page.get_by_role("link", name="Мои данные", exact=True).click()
    page.get_by_role("link", name="Отозвать согласие…").click()
    page.get_by_label("Текущий пароль").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Отозвать согласие и заблокировать учётную запись").click()
    expect(page.get_by_text("Согласие на обработку персональных данных отозвано.")).to_be_visible()
    page.goto("/login")
    page.get_by_label("Адрес электронной почты").fill("teacher@school.example")
    page.get_by_label("Пароль").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Войти").click()
    expect(page.locator("#password-error")).to_contain_text("Учётная запись заблокирована")
