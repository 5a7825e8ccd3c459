"""Issue 14 as its people use it, in a real browser: a teacher takes the self-assessment with autosave, reads the
feedback, builds and edits the route and downloads it; a methodologist marks a course completed and the route item
closes itself; the director sees the school's counts and, with five respondents, the distribution; a methodologist
opens a campaign — all by clicking from each role's start page."""
import io
import re
from datetime import timedelta

from openpyxl import load_workbook
from playwright.sync_api import expect
from pypdf import PdfReader
from sqlalchemy import select

from cpp_app.blueprints.selfassessment import services
from cpp_app.kernel.clock import local_today
from cpp_app.models import CourseRecord, CourseStatus, LearningRouteItem, Role
from tests.e2e.test_diagnostic_fill import sign_in
from tests.e2e.test_self_assessment_journey import answer_every_item, save_and_continue


def sign_out(page):
    page.get_by_role("button", name="Выйти").click()


def test_teacher_assesses_builds_and_follows_the_route(page, database, make_user, school):
    teacher = make_user(email="route.journey@school.example", organization=school)
    make_user(role=Role.METHODOLOGIST, email="route.methodologist@ipk.example", organization=None)
    database.session.commit()
    sign_in(page, "route.journey@school.example")

    # From the start page (the cabinet) to the first area; an answer is autosaved and survives a reload.
    page.locator("#self-assessment-card").get_by_role("link", name="Пройти самооценку").click()
    page.get_by_role("button", name="Начать самооценку").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Работа на государственных платформах")
    page.wait_for_load_state()  # the autosave script listens from here on
    page.locator("fieldset.indicator").first.get_by_label(re.compile("^1 — ")).check()
    expect(page.locator("#autosave-status")).to_contain_text("Сохранено в")
    page.reload()
    expect(page.locator("fieldset.indicator").first.get_by_label(re.compile("^1 — "))).to_be_checked()
    expect(page.locator("#progress")).to_contain_text("1 из 25")

    for score in ("1", "1", "3", "4", "4", "4", "4"):  # platforms and content weakest
        answer_every_item(page, score)
        save_and_continue(page)
    expect(page).to_have_url(re.compile("/check$"))
    page.get_by_role("button", name="Отправить самооценку").click()
    expect(page.get_by_role("heading", name="Ваша обратная связь по самооценке")).to_be_visible()
    expect(page.locator("#growth")).to_contain_text("Работа на государственных платформах")

    # The route: built from the feedback, a due date moved, an item removed after the confirmation.
    page.get_by_role("button", name="Построить маршрут").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Индивидуальный образовательный маршрут")
    areas = page.get_by_role("region", name="Области развития")
    expect(areas).to_contain_text("Работа на государственных платформах")
    first_item = page.locator("ul.route-items > li").first
    first_item.get_by_role("link", name="Изменить срок").click()
    page.get_by_label("Срок").fill("2000-01-01")  # before the route's period
    page.get_by_role("button", name="Сохранить").click()
    expect(page.locator("#error-summary")).to_contain_text("Исправьте ошибки")
    new_date = local_today() + timedelta(days=40)
    page.get_by_label("Срок").fill(new_date.isoformat())
    page.get_by_role("button", name="Сохранить").click()
    expect(page.get_by_text(f"срок {new_date:%d.%m.%Y}").first).to_be_visible()
    total_before = page.locator("ul.route-items > li").count()
    page.locator("ul.route-items > li").last.get_by_role("link", name="Убрать").click()
    expect(page.get_by_role("heading", name="Убрать пункт из маршрута?")).to_be_visible()
    page.get_by_role("button", name="Убрать").click()
    expect(page.locator("ul.route-items > li")).to_have_count(total_before - 1)

    with page.expect_download() as pdf_download:
        page.get_by_role("link", name="Скачать маршрут (PDF)").click()
    text = " ".join("".join(p.extract_text() for p in PdfReader(pdf_download.value.path()).pages).split())
    assert "Индивидуальный образовательный маршрут педагога" in text and "Согласовано" in text

    # A catalogue course of the route: the teacher is enrolled; the methodologist marks it completed.
    course_item = database.session.scalar(
        select(LearningRouteItem).where(LearningRouteItem.course_id.is_not(None)).order_by(LearningRouteItem.id))
    assert course_item is not None, "the route plans a catalogue course for the platform area"
    database.session.add(CourseRecord(user_id=teacher.id, course_id=course_item.course_id,
                                      status=CourseStatus.ENROLLED))
    database.session.commit()
    sign_out(page)
    sign_in(page, "route.methodologist@ipk.example")
    page.get_by_role("link", name="Справочники").first.click()
    page.get_by_role("link", name="Курсы", exact=True).click()
    page.get_by_role("link", name=course_item.title).click()
    page.get_by_role("link", name=re.compile("^Обучается")).click()
    page.get_by_label(teacher.full_name).check()
    page.get_by_role("button", name="Отметить завершившими").click()
    expect(page.get_by_text("Отмечено завершившими: 1.")).to_be_visible()
    sign_out(page)

    sign_in(page, "route.journey@school.example")
    page.locator("#self-assessment-card").get_by_role("link", name="Открыть маршрут").click()
    expect(page.locator(f"#item-{course_item.id}")).to_contain_text("выполнено (автоматически)")


def submitted_colleagues(database, make_user, school, numbers):
    for number in numbers:
        colleague = make_user(email=f"colleague{number}@school.example", organization=school)
        draft = services.start(colleague)
        for section in services.instrument_of(draft).sections:
            services.save_area(draft, {item.code: (number % 5) + 1 for item in section.indicators})
        assert not services.submit(draft)
    database.session.commit()


def test_director_sees_counts_and_the_distribution_from_five(page, database, make_user, school, director):
    submitted_colleagues(database, make_user, school, range(4))
    sign_in(page, director.email)
    page.get_by_role("link", name="Цифровая готовность педагогов").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Цифровая готовность педагогов")
    expect(page.get_by_text(re.compile("Меньше 5 ответивших"))).to_be_visible()

    submitted_colleagues(database, make_user, school, range(4, 9))  # now nine
    page.reload()
    table = page.get_by_role("region", name=re.compile("Уровни по областям"))
    expect(table.get_by_role("row", name=re.compile("Работа на государственных платформах"))).to_contain_text("9")


def test_methodologist_opens_a_campaign_by_clicking(page, database, make_user):
    make_user(role=Role.METHODOLOGIST, email="campaign.methodologist@ipk.example", organization=None)
    database.session.commit()
    sign_in(page, "campaign.methodologist@ipk.example")
    page.get_by_role("link", name="Самооценка педагогов").first.click()
    page.get_by_role("link", name="Кампании", exact=True).click()
    page.get_by_role("link", name="Открыть кампанию").click()
    page.get_by_label("Название кампании").fill("Весенняя самооценка педагогов")
    page.get_by_label("Методика самооценки").select_option(index=1)
    start, end = local_today(), local_today() + timedelta(days=30)
    page.get_by_label("Дата начала").fill(start.isoformat())
    page.get_by_label("Дата окончания").fill(end.isoformat())
    page.get_by_label("Весь край").check()
    page.get_by_role("button", name="Открыть кампанию").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Весенняя самооценка педагогов")

    # The institute's planning table: the course demand of the routes, downloaded by clicking.
    page.get_by_role("link", name="Спрос на курсы", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Спрос на курсы")
    with page.expect_download() as demand:
        page.get_by_role("link", name="Excel (XLSX) — спрос на курсы", exact=True).click()
    assert demand.value.suggested_filename.endswith(".xlsx")
    with open(demand.value.path(), "rb") as stream:
        sheet = load_workbook(io.BytesIO(stream.read())).active
    assert [cell.value for cell in sheet[1]][:3] == ["Курс", "Набор", "В маршрутах"]
