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


# Bounds on what a file may make us hold: a few kilobytes of XLSX can declare a million rows of 16,384 columns
# (or deflate into gigabytes of XML), and a CSV of 8 MB can be four million empty lines. The whole region's
# registry of organisations is well under these.
MAX_ROWS = 100_000
MAX_COLUMNS = 200
MAX_XLSX_UNCOMPRESSED = 100 * 1024 * 1024
TOO_MANY_ROWS = f"В файле больше {MAX_ROWS:,} строк (считая пустые)".replace(",", " ") + (
    ": удалите лишние строки или разделите файл на части."
)


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
            if line > MAX_ROWS:
                raise ImportFileError(TOO_MANY_ROWS)
            table.append((line, cells[:MAX_COLUMNS]))
            line = reader.line_num + 1  # a quoted value may span several lines
    except csv.Error:  # a quote left open swallows the rest of the file until the field size limit
        raise ImportFileError(f"Строка {line}: не удалось разобрать CSV — проверьте кавычки в этой строке.") from None
    return table


# What openpyxl raises on a damaged book; SyntaxError is the XML parser's ParseError.
_UNREADABLE = (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError, SyntaxError)


def _xlsx_table(data: bytes) -> list[tuple[int, list[str]]]:
    broken = ImportFileError("Не удалось открыть файл XLSX: он повреждён или это не книга Excel.")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(member.file_size for member in archive.infolist())
        if unpacked > MAX_XLSX_UNCOMPRESSED:
            raise ImportFileError("Файл XLSX слишком велик в распакованном виде: сохраните в нём только нужный лист.")
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except _UNREADABLE:
        raise broken from None
    try:
        sheet = workbook.worksheets[0]
        # The declared dimensions are the file's to choose: forget them, read at most MAX_COLUMNS columns.
        sheet.reset_dimensions()
        table = []
        # Read-only mode yields blank rows for gaps too, so the position is the Excel row number.
        for number, values in enumerate(sheet.iter_rows(values_only=True, max_col=MAX_COLUMNS), start=1):
            if number > MAX_ROWS:
                raise ImportFileError(TOO_MANY_ROWS)
            cells = list(values)
            while cells and cells[-1] is None:
                cells.pop()  # the padding up to MAX_COLUMNS
            table.append((number, [_cell_text(value) for value in cells]))
        return table
    except _UNREADABLE:
        raise broken from None
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
