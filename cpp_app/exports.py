"""Table downloads (XLSX and CSV) for lists the institute sends on: typed cells, and no user text ever run as a formula."""
import csv
import io
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Literal
from urllib.parse import quote

from flask import Response
from openpyxl import Workbook
from openpyxl.cell.cell import Cell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

Kind = Literal["text", "int", "percent", "date"]

# Spreadsheet programs treat a cell starting with one of these as a formula (CWE-1236).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
HEADER_FILL = PatternFill("solid", start_color="DCE6F2", end_color="DCE6F2")
MIN_WIDTH, MAX_WIDTH = 8, 60
FORMATS = ("csv", "xlsx")
MIMETYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


@dataclass(frozen=True)
class Column:
    title: str
    kind: Kind = "text"


def _is_formula_like(text: str) -> bool:
    return text.startswith(FORMULA_PREFIXES)


def _text(value) -> str:
    return "" if value is None else str(value)


# --- XLSX ----------------------------------------------------------------------------------


def _set_text(cell: Cell, value) -> None:
    text = _text(value)
    # Assigning the value lets openpyxl guess a formula; set it as a plain string instead.
    cell._value = text
    cell.data_type = "s"
    if _is_formula_like(text):
        cell.quotePrefix = True  # Excel's own «'» marker: shown and edited as text


def _set_number(cell: Cell, value, kind: Kind) -> None:
    if value is None or value == "":
        return
    if isinstance(value, bool) or not isinstance(value, int | float):
        _set_text(cell, value)  # never guess a number out of text
        return
    cell.value = value
    cell.number_format = "0.0%" if kind == "percent" else "0"


def _set_date(cell: Cell, value) -> None:
    if value is None:
        return
    if not isinstance(value, date):
        _set_text(cell, value)
        return
    cell.value = value
    cell.number_format = "DD.MM.YYYY HH:MM" if isinstance(value, datetime) else "DD.MM.YYYY"


def to_xlsx(sheet_title: str, columns: Sequence[Column], rows: Iterable[Sequence]) -> bytes:
    """One sheet: a bold filled header row kept frozen, then the rows; percentages are fractions (0.25 → 25 %)."""
    workbook = Workbook()
    sheet = workbook.active
    # Sheet titles are at most 31 characters and may not hold []:*?/\ .
    sheet.title = "".join(ch for ch in sheet_title if ch not in "[]:*?/\\")[:31] or "Лист1"
    widths = [len(column.title) for column in columns]
    for number, column in enumerate(columns, start=1):
        cell = sheet.cell(row=1, column=number)
        _set_text(cell, column.title)
        cell.font = Font(bold=True)
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(vertical="top", wrap_text=True)
    for row_number, row in enumerate(rows, start=2):
        for number, (column, value) in enumerate(zip(columns, row, strict=True), start=1):
            cell = sheet.cell(row=row_number, column=number)
            if column.kind in ("int", "percent"):
                _set_number(cell, value, column.kind)
            elif column.kind == "date":
                _set_date(cell, value)
            else:
                _set_text(cell, value)
            shown = 10 if column.kind == "date" else len(_text(value))
            widths[number - 1] = max(widths[number - 1], shown)
    for number, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(number)].width = min(MAX_WIDTH, max(MIN_WIDTH, width + 2))
    sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# --- CSV -----------------------------------------------------------------------------------


def _csv_value(value, kind: Kind) -> str:
    if value is None:
        return ""
    if kind == "percent" and isinstance(value, int | float) and not isinstance(value, bool):
        return f"{value * 100:.1f}".replace(".", ",")  # Russian Excel reads «25,0» as a number
    if kind == "date" and isinstance(value, date):
        return value.strftime("%d.%m.%Y %H:%M" if isinstance(value, datetime) else "%d.%m.%Y")
    if kind == "int" and isinstance(value, int) and not isinstance(value, bool):
        return str(value)  # a negative count stays a number
    text = str(value)
    return "'" + text if _is_formula_like(text) else text


def csv_chunks(columns: Sequence[Column], rows: Iterable[Sequence], rows_per_chunk: int = 1000) -> Iterator[bytes]:
    """The CSV in pieces of `rows_per_chunk` rows, so a long file is sent while it is read, never held whole."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    buffer.write("\ufeff")
    writer.writerow([_csv_value(column.title, "text") for column in columns])
    for number, row in enumerate(rows, start=1):
        writer.writerow([_csv_value(value, column.kind) for column, value in zip(columns, row, strict=True)])
        if number % rows_per_chunk == 0:
            yield buffer.getvalue().encode("utf-8")
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode("utf-8")


def to_csv(columns: Sequence[Column], rows: Iterable[Sequence]) -> bytes:
    """UTF-8 with a BOM and «;» between fields, as Excel opens it in a Russian locale; lines end in CRLF."""
    return b"".join(csv_chunks(columns, rows))


# --- views ---------------------------------------------------------------------------------


def content_disposition(filename: str) -> str:
    """An ASCII fallback for old clients and the Russian name in RFC 5987 `filename*`."""
    fallback = "".join(ch if ch.isascii() and (ch.isalnum() or ch in "._-") else "_" for ch in filename)
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"


def export_response(name: str, fmt: str, columns: Sequence[Column], rows: Iterable[Sequence]) -> Response:
    """`name` is the file name without extension, also the sheet title; `fmt` is csv or xlsx."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown export format {fmt!r}")
    body = to_xlsx(name, columns, rows) if fmt == "xlsx" else to_csv(columns, rows)
    response = Response(body, content_type=MIMETYPES[fmt])  # the CSV's charset is in it already
    response.headers["Content-Disposition"] = content_disposition(f"{name}.{fmt}")
    response.headers["Cache-Control"] = "no-store"
    return response
