"""Reading tabular uploads (CSV in UTF-8 or Windows-1251, XLSX) into rows numbered as the user sees them."""
import csv
import io
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException

from .queries import fold_words

Row = tuple[int, dict[str, str]]


class ImportFileError(Exception):
    """The file as a whole cannot be read; the message is for the user."""


@dataclass(frozen=True)
class RowError:
    line: int
    message: str

    def __str__(self) -> str:
        return f"Строка {self.line}: {self.message}"


# --- reading -------------------------------------------------------------------------------


def read_rows(path: Path | str) -> list[Row]:
    """Data rows keyed by header text, numbered by the line the user sees (the header is line 1)."""
    path = Path(path)
    return read_upload(path.read_bytes(), path.name)


def read_upload(data: bytes, filename: str) -> list[Row]:
    """The same for an uploaded file: the name says only which format to try."""
    suffix = Path(filename or "").suffix.lower()
    if suffix == ".csv":
        table = _csv_table(data)
    elif suffix == ".xlsx":
        table = _xlsx_table(data)
    else:
        raise ImportFileError(f"Формат «{suffix or filename}» не поддерживается: сохраните файл как CSV или XLSX.")
    return _rows_from_table(table)


def _decode(data: bytes) -> str:
    if b"\x00" in data:  # an Excel book or a UTF-16 «Unicode text» renamed to .csv
        raise ImportFileError("Файл не похож на текстовый CSV: сохраните его как CSV (UTF-8) или XLSX.")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    # Excel on a Russian Windows saves «CSV (разделители — точка с запятой)» in Windows-1251.
    try:
        return data.decode("cp1251")
    except UnicodeDecodeError:
        raise ImportFileError("Не удалось прочитать CSV: сохраните файл в кодировке UTF-8 или Windows-1251.") from None


def _csv_table(data: bytes) -> list[tuple[int, list[str]]]:
    text = _decode(data)
    first_line = text.split("\n", 1)[0]
    # Russian Excel writes «;»; other tools write «,». The header line tells which one this file uses.
    delimiter = ";" if first_line.count(";") >= first_line.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    table = []
    line = 1
    try:
        for cells in reader:
            table.append((line, cells))
            line = reader.line_num + 1  # a quoted value may span several lines
    except csv.Error:  # a quote left open swallows the rest of the file until the field size limit
        raise ImportFileError(f"Строка {line}: не удалось разобрать CSV — проверьте кавычки в этой строке.") from None
    return table


def _xlsx_table(data: bytes) -> list[tuple[int, list[str]]]:
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError):
        raise ImportFileError("Не удалось открыть файл XLSX: он повреждён или это не книга Excel.") from None
    try:
        sheet = workbook.worksheets[0]
        # Read-only mode yields blank rows for gaps too, so the position is the Excel row number.
        return [
            (number, [_cell_text(value) for value in values])
            for number, values in enumerate(sheet.iter_rows(values_only=True), start=1)
        ]
    finally:
        workbook.close()


def _cell_text(value) -> str:
    if value is None:
        return ""
    # Excel keeps an INN typed without an apostrophe as a number; 2404009370.0 must become "2404009370".
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _rows_from_table(table: list[tuple[int, list[str]]]) -> list[Row]:
    if not table:
        return []
    _, header_cells = table[0]
    header = [cell.strip() for cell in header_cells]
    named = [name for name in header if name]
    repeated = sorted({name for name in named if named.count(name) > 1})
    if repeated:
        names = ", ".join(f"«{name}»" for name in repeated)
        raise ImportFileError(f"Строка 1: столбец {names} встречается дважды.")
    rows = []
    for line, cells in table[1:]:
        cells = [cell.strip() for cell in cells]
        if not any(cells):
            continue  # blank lines between or after the data are not rows
        cells += [""] * (len(header) - len(cells))
        rows.append((line, {name: cell for name, cell in zip(header, cells) if name}))
    return rows


def header_key(text: str) -> str:
    """Headers and kind words also ignore punctuation: «Доп. образование», «ИНН*», full_name."""
    return " ".join(re.sub(r"[\W_]+", " ", fold_words(text)).split())
