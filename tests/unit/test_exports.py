"""XLSX and CSV downloads: typed cells, the header, and hostile text kept as text."""
import csv
import io
from datetime import date

import pytest
from openpyxl import load_workbook

from cpp_app.exports import Column, content_disposition, to_csv, to_xlsx

COLUMNS = [Column("Название"), Column("Учителей", "int"), Column("Доля", "percent"), Column("Дата", "date")]
HOSTILE = ["=HYPERLINK(\"http://evil\",\"x\")", "+7 912", "-1+2", "@SUM(A1)", "\tcmd", "\rcmd", "=1+1"]


def _sheet(data: bytes):
    return load_workbook(io.BytesIO(data)).active


def test_xlsx_header_is_bold_filled_and_frozen():
    sheet = _sheet(to_xlsx("Неактивные ОО", COLUMNS, [["МБОУ СОШ № 1", 3, 0.25, date(2026, 11, 30)]]))
    assert sheet.title == "Неактивные ОО"
    assert [cell.value for cell in sheet[1]] == ["Название", "Учителей", "Доля", "Дата"]
    assert all(cell.font.bold for cell in sheet[1])
    assert sheet["A1"].fill.fgColor.rgb.endswith("DCE6F2")
    assert sheet.freeze_panes == "A2"
    assert sheet.column_dimensions["A"].width >= len("МБОУ СОШ № 1")


def test_xlsx_numbers_percent_and_dates_are_typed():
    sheet = _sheet(to_xlsx("Лист", COLUMNS, [["Школа", 3, 0.25, date(2026, 11, 30)], ["Пусто", None, None, None]]))
    assert sheet["B2"].value == 3 and sheet["B2"].data_type == "n"
    assert sheet["C2"].value == 0.25 and sheet["C2"].data_type == "n" and "%" in sheet["C2"].number_format
    assert sheet["D2"].is_date and sheet["D2"].value.date() == date(2026, 11, 30)
    assert sheet["B3"].value is None and sheet["C3"].value is None


@pytest.mark.parametrize("text", HOSTILE)
def test_xlsx_never_stores_user_text_as_formula(text):
    sheet = _sheet(to_xlsx("Лист", [Column("Название"), Column("Число", "int")], [[text, text]]))
    for cell in (sheet["A2"], sheet["B2"]):  # text in a number column stays text too
        assert cell.data_type == "s"
        assert cell.value == text
        assert cell.quotePrefix


def test_xlsx_long_sheet_title_and_forbidden_characters():
    sheet = _sheet(to_xlsx("Муниципалитеты: [итоги] / 2026?" * 2, [Column("A")], []))
    assert len(sheet.title) <= 31 and not set(sheet.title) & set("[]:*?/\\")


def test_csv_has_bom_semicolons_crlf_and_typed_values():
    data = to_csv(COLUMNS, [["Школа; «Ромашка»", 3, 0.255, date(2026, 11, 30)], ["Пусто", None, None, None]])
    assert data.startswith("\ufeff".encode())
    text = data.decode("utf-8-sig")
    assert text.endswith("\r\n") and text.count("\r\n") == 3
    rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=";"))
    assert rows[0] == ["Название", "Учителей", "Доля", "Дата"]
    assert rows[1] == ["Школа; «Ромашка»", "3", "25,5", "30.11.2026"]
    assert rows[2] == ["Пусто", "", "", ""]


@pytest.mark.parametrize("text", HOSTILE)
def test_csv_prefixes_formula_like_text(text):
    rows = list(csv.reader(io.StringIO(to_csv([Column("Название")], [[text]]).decode("utf-8-sig"), newline=""),
                           delimiter=";"))
    assert rows[1] == ["'" + text]


def test_content_disposition_has_ascii_fallback_and_utf8_name():
    header = content_disposition("Неактивные ОО.csv")
    assert header.startswith('attachment; filename="')
    assert "filename*=UTF-8''%D0%9D%D0%B5" in header
    header.encode("latin-1")  # a header must be Latin-1
