"""A methodologist reaches the monitoring downloads and the inactive list by clicking only; the wide tables fit a
1366 px screen and keep their header row and name column in place while scrolling."""
import io
import re

from openpyxl import load_workbook
from playwright.sync_api import expect

from cpp_app.blueprints.monitoring.figures import refresh
from cpp_app.models import Role
from tests.e2e.test_diagnostic_fill import sign_in

TABLE_BOX = ".table-sticky"


def test_methodologist_downloads_the_municipalities_and_opens_the_inactive_list(page, database, make_user):
    make_user(role=Role.METHODOLOGIST, email="methodist@kipk.example")
    refresh()  # the figures as the timer leaves them
    database.session.commit()
    page.set_viewport_size({"width": 1366, "height": 768})
    sign_in(page, "methodist@kipk.example")
    expect(page.get_by_role("heading", level=1)).to_have_text("Что ждёт вашего внимания")  # the start page

    page.get_by_role("link", name="Мониторинг", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Мониторинг")
    page.get_by_role("link", name="Муниципалитеты", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Мониторинг по муниципалитетам")

    with page.expect_download() as download_info:
        page.get_by_role("link", name=re.compile("^Excel \\(XLSX\\)")).click()
    download = download_info.value
    assert download.suggested_filename.endswith(".xlsx")
    sheet = load_workbook(io.BytesIO(open(download.path(), "rb").read())).active
    header = [cell.value for cell in sheet[1]]
    assert header[:4] == ["Муниципалитет", "ОО всего", "Педагогов в ЦПП", "Подтверждено ОО"]
    assert "Сферум: доля ОО" in header and "РЭШ: доля активных" in header  # every platform, not just the shown one
    assert sheet.cell(row=sheet.max_row, column=1).value == "Край, всего"

    page.get_by_role("link", name="Обзор по краю").click()
    page.get_by_role("link", name="Неактивные организации").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Неактивные образовательные организации")
    expect(page.get_by_role("link", name=re.compile("^Excel \\(XLSX\\)"))).to_be_visible()


def _box(page) -> dict:
    return page.locator(TABLE_BOX).evaluate(
        """box => {
            const head = box.querySelector('thead th'), name = box.querySelector('tbody th[scope="row"]');
            const top = box.getBoundingClientRect().top, left = box.getBoundingClientRect().left;
            return {scrollWidth: box.scrollWidth, clientWidth: box.clientWidth,
                    headTop: head.getBoundingClientRect().top - top, nameLeft: name.getBoundingClientRect().left - left};
        }""")


def test_wide_tables_fit_1366_and_keep_header_and_names_in_place(page, database, make_user):
    make_user(role=Role.METHODOLOGIST, email="methodist@kipk.example")
    refresh()
    database.session.commit()
    page.set_viewport_size({"width": 1366, "height": 768})
    sign_in(page, "methodist@kipk.example")
    page.goto("/monitoring/municipalities")
    box = _box(page)
    assert box["scrollWidth"] <= box["clientWidth"], box  # the default view: no horizontal scrolling

    # Another platform by the switch, then the header row stays on top of the scrolled box.
    page.get_by_role("navigation", name="Платформа в таблице").get_by_role("link", name="РЭШ").click()
    expect(page.get_by_role("link", name="РЭШ", exact=True)).to_have_attribute("aria-current", "true")
    page.locator(TABLE_BOX).evaluate("box => { box.scrollTop = 300; }")
    assert abs(_box(page)["headTop"]) <= 1

    page.locator("tbody th[scope='row'] a").first.click()  # a municipality's organisations
    box = _box(page)
    assert box["scrollWidth"] <= box["clientWidth"], box

    # On a phone the table scrolls sideways inside its box, the name column staying at its left edge.
    page.set_viewport_size({"width": 360, "height": 800})
    page.goto("/monitoring/municipalities")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.locator(TABLE_BOX).evaluate("box => { box.scrollLeft = 200; box.scrollTop = 200; }")
    box = _box(page)
    assert box["scrollWidth"] > box["clientWidth"] and abs(box["nameLeft"]) <= 1 and abs(box["headTop"]) <= 1
