"""The route as a DOCX for teachers who edit in a word processor: the same content as the PDF, user text as plain
runs (python-docx escapes it)."""
import io
from collections.abc import Mapping

from docx import Document as new_docx
from docx.shared import Pt


def render_route_docx(doc: Mapping) -> bytes:
    document = new_docx()
    document.styles["Normal"].font.name = "Times New Roman"
    document.styles["Normal"].font.size = Pt(11)
    properties = document.core_properties
    properties.title = doc["title"]
    properties.author = doc["teacher"][:255]  # the core properties hold 255 characters at most
    properties.language = "ru-RU"
    properties.comments = "Сформировано в ЦПП КК ИПК"

    document.add_heading(doc["title"], level=1)
    facts = document.add_table(rows=0, cols=2)
    facts.style = "Table Grid"
    for label, value in (("Педагог", doc["teacher"]), ("Должность", doc["position"]),
                         ("Образовательная организация", doc["school"]), ("Период", doc["period"]),
                         ("Основание", f"самооценка цифровой готовности от {doc['assessment']} "
                                       f"(«{doc['instrument']}»)")):
        cells = facts.add_row().cells
        cells[0].text, cells[1].text = label, value

    document.add_heading("Области развития", level=2)
    areas = document.add_table(rows=1, cols=4)
    areas.style = "Table Grid"
    for cell, text in zip(areas.rows[0].cells, ("Область", "Уровень сейчас", "Целевой уровень", "Цель")):
        cell.text = text
    for area in doc["areas"]:
        cells = areas.add_row().cells
        for cell, text in zip(cells, (area["title"], area["current"], area["target"], area["goal"] or "—")):
            cell.text = text

    document.add_heading("Пункты маршрута", level=2)
    items = document.add_table(rows=1, cols=5)
    items.style = "Table Grid"
    for cell, text in zip(items.rows[0].cells, ("Область", "Вид", "Пункт", "Срок", "Состояние")):
        cell.text = text
    for area in doc["areas"]:
        for item in area["items"]:
            cells = items.add_row().cells
            for cell, text in zip(cells, (area["title"], item["kind"], item["title"], item["due"], item["status"])):
                cell.text = text

    document.add_paragraph()
    document.add_paragraph("Согласовано: руководитель ОО ____________________ / ____________________")
    document.add_paragraph(f"Дата формирования: {doc['issued']}")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
