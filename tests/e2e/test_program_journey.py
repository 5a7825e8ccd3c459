"""From an accepted diagnostic a director builds a program, changes a measure, approves it through the check page
(which lists the empty «Ответственный» first) and downloads it."""
import io
import re

from docx import Document
from playwright.sync_api import expect
from pypdf import PdfReader
from sqlalchemy import select

from cpp_app.blueprints.diagnostics.services import accept
from cpp_app.kernel.actor import Actor
from cpp_app.models import Organization, OrganizationKind, Role, utcnow
from tests.e2e.test_diagnostic_fill import sign_in
from tests.e2e.test_every_page import AXE_JS, AXE_TAGS, nu_errors
from tests.e2e.test_review_journey import submitted_diagnostic

FOUNDER = "Главное управление образования администрации города Красноярска"
CHANGED_MEASURE = "Провести педагогический совет «Сферум в работе школы» и создать сообщества кафедр"


def accessibility_problems(page, tmp_path) -> list[str]:
    """The page as it stands passes the Nu HTML Checker and axe-core (as every page of tests/e2e/test_every_page)."""
    # Evaluated, not added as a script tag: the page's CSP refuses inline scripts.
    page.evaluate("source => { if (!window.axe) (0, eval)(source); }", AXE_JS.read_text(encoding="utf-8"))
    result = page.evaluate("tags => axe.run(document, {runOnly: tags})", AXE_TAGS)
    problems = [f"{v['id']}: {v['help']}" for v in result["violations"]]
    return problems + nu_errors({page.url: page.content()}, tmp_path)


def fill_the_title_page(page, tmp_path) -> None:
    """The title page's part: a protocol without its date is refused with the typed values kept, then saved."""
    page.get_by_role("link", name="Титульный лист: согласование и рассмотрение").click()
    page.get_by_label("Учредитель — наименование организации").fill(FOUNDER)
    page.get_by_label("Должность подписывающего от учредителя").fill("Руководитель главного управления")
    page.get_by_label("Педагогический совет: номер протокола").fill("5")
    page.get_by_role("button", name="Сохранить").click()
    summary = page.locator(".error-summary")
    expect(summary.get_by_role("link", name="Укажите дату протокола.")).to_be_visible()
    expect(page.get_by_label("Учредитель — наименование организации")).to_have_value(FOUNDER)
    assert accessibility_problems(page, tmp_path) == []
    page.get_by_label("Педагогический совет: дата протокола").fill("2025-08-28")
    page.get_by_role("button", name="Сохранить").click()
    expect(page.get_by_text("Раздел «Титульный лист: согласование и рассмотрение» сохранён.")).to_be_visible()
    page.get_by_role("link", name="Этапы реализации").first.click()
    expect(page.get_by_label("Этап 1: название")).not_to_have_value("")  # the default stages, offered
    assert accessibility_problems(page, tmp_path) == []
    page.get_by_role("link", name="Вернуться к программе").click()
    expect(page.get_by_role("heading", name=re.compile("Программа развития"))).to_be_visible()


def test_build_change_approve_download(page, make_user, database, tmp_path):
    school = database.session.scalars(
        select(Organization).where(Organization.kind == OrganizationKind.SCHOOL).order_by(Organization.id)
    ).first()
    director = make_user(role=Role.SCHOOL_ADMIN, email="director@school.example", organization=school,
                         confirmed_at=utcnow())
    methodologist = make_user(role=Role.METHODOLOGIST, email="methodist@kipk.example")
    diagnostic = submitted_diagnostic(database, director, school)
    # Accepted, with deficits left: lower two answers before the review.
    for answer in diagnostic.answers:
        if answer.indicator_code in ("cos.sferum", "cos.moya_shkola"):
            answer.score = 1
    accept(diagnostic, Actor(methodologist.id, None, None), "methodologist", None)
    database.session.commit()

    sign_in(page, "director@school.example")
    page.get_by_role("link", name="Программа развития").click()
    page.get_by_label("Самодиагностика, по которой строится программа").select_option(index=0)
    page.get_by_role("button", name="Создать программу развития").click()
    expect(page.get_by_role("heading", name=re.compile("Программа развития"))).to_be_visible()

    fill_the_title_page(page, tmp_path)

    actions = page.get_by_role("group", name=re.compile(r"^Мероприятие \d+"))
    actions.first.get_by_label("Что сделать").fill(CHANGED_MEASURE)
    total = actions.count()
    # The first click saves and shows the check page: nothing is approved, the empty «Ответственный» are listed.
    page.get_by_role("button", name="Сохранить и перейти к утверждению").click()
    expect(page.get_by_role("heading", name="Проверьте программу перед утверждением")).to_be_visible()
    missing = page.locator("#missing").get_by_role("link", name="Не указан ответственный")
    count = missing.count()
    assert count == total > 1
    expect(page.get_by_role("button", name="Утвердить программу")).to_have_count(0)

    # A link leads to the field; one person is named, the others explicitly «не назначен».
    missing.first.click()
    expect(page.get_by_role("heading", name=re.compile("Программа развития"))).to_be_visible()
    focused = page.get_by_role("group", name=re.compile(r"^Мероприятие \d+")).first
    focused.get_by_label("Ответственный (ФИО)").fill("Смирнов А. В.")
    page.get_by_role("button", name="Сохранить и перейти к утверждению").click()
    expect(page.locator("#missing").get_by_role("link", name="Не указан ответственный")).to_have_count(count - 1)
    page.get_by_role("link", name="Вернуться к программе и изменить").click()
    expect(page.get_by_role("heading", name=re.compile("Программа развития"))).to_be_visible()
    for action in page.get_by_role("group", name=re.compile(r"^Мероприятие \d+")).all():
        if not action.get_by_label("Ответственный (ФИО)").input_value():
            action.get_by_label("Ответственный не назначен").check()
    page.get_by_role("button", name="Сохранить и перейти к утверждению").click()
    expect(page.locator("#missing")).to_have_count(0)
    responsible = page.locator("dd", has_text="Смирнов А. В.")
    expect(responsible).to_contain_text("1 мероприятие")
    expect(page.locator("dd", has_text="не назначен")).to_contain_text(f"{count - 1} мероприят")
    page.get_by_role("button", name="Утвердить программу").click()
    expect(page.get_by_text("Программа утверждена (редакция 1). Её документы можно скачать.")).to_be_visible()
    expect(page.get_by_role("link", name="Начать новую редакцию…")).to_be_visible()
    page.get_by_role("link", name="Программы развития").first.click()
    expect(page.locator(".programs-table")).to_contain_text("утверждена, ред. 1")
    page.locator(".programs-table").get_by_role("link").first.click()

    with page.expect_download() as pdf_download:
        page.get_by_role("link", name="Скачать PDF").click()
    pdf_text = "".join(p.extract_text() for p in PdfReader(pdf_download.value.path()).pages)
    flat = " ".join(pdf_text.split())
    assert school.short_name in flat or school.full_name[:40] in flat
    assert " ".join(CHANGED_MEASURE.split())[:60] in flat
    assert "СОГЛАСОВАНО" in flat and FOUNDER in flat
    assert "Рассмотрено на заседании педагогического совета, протокол № 5 от 28.08.2025" in flat
    assert "№ 03-877 «О направлении методических рекомендаций»" in flat

    with page.expect_download() as docx_download:
        page.get_by_role("link", name="Скачать DOCX").click()
    with open(docx_download.value.path(), "rb") as stream:
        document = Document(io.BytesIO(stream.read()))
    texts = [p.text for p in document.paragraphs] + [
        cell.text for table in document.tables for row in table.rows for cell in row.cells
    ]
    assert any(CHANGED_MEASURE in text for text in texts)
    assert "СОГЛАСОВАНО" in texts and any(FOUNDER in text for text in texts)
