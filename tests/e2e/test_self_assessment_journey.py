"""The teacher's self-assessment as a teacher takes it, in a real browser: answers survive a reload."""
import re

from playwright.sync_api import expect

from tests.e2e.test_diagnostic_fill import sign_in


def answer_every_item(page, score: str):
    for group in page.locator("fieldset.indicator").all():
        group.get_by_label(re.compile(rf"^{score} — ")).check()


def save_and_continue(page):
    """Presses «Сохранить и продолжить» and waits for the next page: answers given before it has come would go to
    the page being left."""
    leaving = page.url
    page.get_by_role("button", name="Сохранить и продолжить").click()
    page.wait_for_url(lambda url: url != leaving)


def test_teacher_takes_the_self_assessment_and_reads_the_feedback(page, make_user, school):
    make_user(email="self.journey@school.example", organization=school)
    sign_in(page, "self.journey@school.example")
    page.goto("/cabinet/")
    card = page.locator("#self-assessment-card")
    expect(card).to_contain_text("Не начата")
    card.get_by_role("link", name="Пройти самооценку").click()
    page.get_by_role("button", name="Начать самооценку").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Работа на государственных платформах")
    expect(page.get_by_text("По данным вашего профиля: Сферум — не отмечен.")).to_be_visible()
    answer_every_item(page, "2")
    save_and_continue(page)
    expect(page.get_by_text("Отвечено 7 из 25")).to_be_visible()
    answer_every_item(page, "4")
    save_and_continue(page)

    # A reload, and going back to the first area: the answers are on the server.
    page.reload()
    page.get_by_role("link", name="Работа на государственных платформах").click()
    expect(page.get_by_label(re.compile("^2 — ")).first).to_be_checked()
    expect(page.get_by_text(re.compile("Отвечено 1[0-9] из 25"))).to_be_visible()

    page.get_by_role("link", name="Проверить ответы и отправить").click()
    expect(page).to_have_url(re.compile("/check$"))
    expect(page.get_by_role("button", name="Отправить самооценку")).to_have_count(0)
    # The remaining areas, from the check page's links.
    for step in range(3, 8):
        page.get_by_role("row").nth(step).get_by_role("link").first.click()
        expect(page).to_have_url(re.compile(rf"/step/{step}$"))
        answer_every_item(page, "3")
        save_and_continue(page)
        if step < 7:
            page.get_by_role("link", name="Проверить ответы и отправить").click()
            expect(page).to_have_url(re.compile("/check$"))
    expect(page.get_by_text("Отвечено 25 из 25")).to_be_visible()
    page.get_by_role("button", name="Отправить самооценку").click()

    expect(page.get_by_role("heading", name="Ваша обратная связь по самооценке")).to_be_visible()
    table = page.locator("#levels-table")
    expect(table.get_by_role("row", name=re.compile("Работа на государственных платформах"))).to_contain_text("базовый")
    expect(table).to_contain_text("продвинутый")
    expect(page.get_by_role("img", name=re.compile("Средний балл самооценки"))).to_be_visible()
    expect(page.locator("#growth")).to_contain_text("Работа на государственных платформах")
    page.goto("/cabinet/")
    expect(page.locator("#self-assessment-card")).to_contain_text("Отправлена")
