"""Reading tabular uploads (CSV in UTF-8 or Windows-1251, XLSX) into rows numbered as the user sees them.

An XLSX is a zip of XML that openpyxl parses mostly in Python: a few hundred kilobytes can cost minutes of CPU. So the
work a file may cause is bounded, not only its size: what it unpacks to (counted, not as declared), its cells, the
elements openpyxl builds in one go without a look at the clock, and the wall-clock time of the whole read.
"""
import codecs
import csv
import io
import re
import time
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path

from openpyxl.reader.excel import ExcelReader
from openpyxl.utils.exceptions import InvalidFileException

from .queries import fold_words

Row = tuple[int, dict[str, str]]


class ImportFileError(Exception):
    """The file as a whole cannot be read; the message is for the user."""


def _thousands(number: int) -> str:
    return f"{number:,}".replace(",", " ")


# Bounds on what a file may make us hold: a few kilobytes of XLSX can declare a million rows of 16,384 columns
# (or deflate into gigabytes of XML), and a CSV of 8 MB can be four million empty lines. The whole region's
# registry of organisations is well under these.
MAX_ROWS = 100_000
MAX_COLUMNS = 200
MAX_XLSX_UNPACKED = 20 * 1024 * 1024
MAX_CELLS = 2_000_000
# Sheets deflate some 5 to 30 times; a zip bomb, hundreds of times. Small parts (styles) may do more harmlessly.
MAX_COMPRESSION_RATIO = 100
_RATIO_CHECKED_FROM = 1024 * 1024
# openpyxl builds a whole row (or shared string) before handing it over, and styles, the workbook and relationships as
# one tree, spending microseconds of Python on each element with no look at the clock in between: so the elements of
# each such unit are bounded. A row as wide as Excel allows (16,384 cells) has up to about 50,000; the style sheet
# of an ordinary book, a few thousand.
MAX_ELEMENTS_IN_ROW = 100_000
MAX_ELEMENTS_IN_PART = 200_000
PARSE_SECONDS = 10.0  # the default budget for one file; the app passes its TABULAR_PARSE_SECONDS

TOO_MANY_ROWS = (f"В файле больше {_thousands(MAX_ROWS)} строк (считая пустые): удалите лишние строки "
                 "или разделите файл на части.")
TOO_BIG_UNPACKED = (f"Файл XLSX больше {MAX_XLSX_UNPACKED // (1024 * 1024)} МБ в распакованном виде: "
                    "сохраните в нём только нужный лист.")
TOO_COMPRESSED = ("Файл XLSX сжат неправдоподобно сильно — так сжимаются не таблицы, а специально собранные архивы. "
                  "Сохраните лист заново в Excel или как CSV.")
TOO_MANY_CELLS = (f"В файле больше {_thousands(MAX_CELLS)} ячеек: сохраните в нём только нужный лист "
                  "или разделите файл на части.")
BROKEN_XLSX = "Не удалось открыть файл XLSX: он повреждён или это не книга Excel."
NOT_TEXT = ("Файл не похож на текстовый CSV в кодировке UTF-8 или Windows-1251: сохраните его как CSV в одной "
            "из них (в Excel — «CSV UTF-8») или как XLSX.")
TOO_COMPLEX = ("Файл XLSX устроен слишком сложно для импорта (в нём очень длинная строка или слишком много "
               "оформления): сохраните нужный лист как CSV.")


@dataclass(frozen=True)
class RowError:
    line: int
    message: str

    def __str__(self) -> str:
        return f"Строка {self.line}: {self.message}"


class _Clock:
    """The wall-clock budget for reading one file."""

    def __init__(self, seconds: float):
        self.seconds = seconds
        self._end = time.monotonic() + seconds

    def check(self) -> None:
        if time.monotonic() >= self._end:
            raise ImportFileError(f"Файл разбирается дольше {self.seconds:g} с: сохраните в нём только нужный лист "
                                  "или разделите файл на части.")


# --- reading -------------------------------------------------------------------------------


def read_rows(path: Path | str, *, seconds: float = PARSE_SECONDS) -> list[Row]:
    """Data rows keyed by header text, numbered by the line the user sees (the header is line 1)."""
    path = Path(path)
    return read_upload(path.read_bytes(), path.name, seconds=seconds)


def read_upload(data: bytes, filename: str, *, seconds: float = PARSE_SECONDS) -> list[Row]:
    """The same for an uploaded file: the name says only which format to try; reading stops after `seconds`."""
    clock = _Clock(seconds)
    suffix = Path(filename or "").suffix.lower()
    if suffix == ".csv":
        table = _csv_table(data, clock)
    elif suffix == ".xlsx":
        table = _xlsx_table(data, clock)
    else:
        raise ImportFileError(f"Формат «{suffix or filename}» не поддерживается: сохраните файл как CSV или XLSX.")
    return _rows_from_table(table)


def _decode(data: bytes) -> str:
    """The text of a CSV in UTF-8 (with or without a BOM) or Windows-1251; any other bytes are refused."""
    if b"\x00" in data:  # an Excel book or a UTF-16 «Unicode text» renamed to .csv
        raise ImportFileError(NOT_TEXT)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        if data.startswith(codecs.BOM_UTF8):
            raise ImportFileError(NOT_TEXT) from None  # says it is UTF-8 and is not
    # Excel on a Russian Windows saves «CSV (разделители — точка с запятой)» in Windows-1251. Every byte but one
    # decodes in it, so bytes in any other encoding would come out as garbage: the text must also read as Russian.
    try:
        text = data.decode("cp1251")
    except UnicodeDecodeError:
        raise ImportFileError(NOT_TEXT) from None
    if not _reads_as_russian(data, text):
        raise ImportFileError(NOT_TEXT)
    return text


# Windows-1251 has no C1 controls: a control character here is a C0 one (or DEL) other than a tab or a line end.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_RUSSIAN_LETTERS = "абвгдеёжзийклмнопрстуфхцчшщъыьэюяАБВГДЕЁЖЗИЙКЛМНОПРСТУФХЦЧШЩЪЫЬЭЮЯ"
_LATIN_LETTERS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
# The other letters of Windows-1251: Serbian, Ukrainian, Belarusian and Macedonian ones (Ђ, Љ, ї, ў…) and µ.
_OTHER_LETTERS = "".join(char for char in bytes(range(0x80, 0x100)).decode("cp1251", errors="ignore")
                         if char.isalpha() and char not in _RUSSIAN_LETTERS)
_COMMON_LETTERS = "оеаинтсрвлОЕАИНТСРВЛ"  # the ten most frequent letters of Russian: two thirds of a text's letters
_SMALL_THEN_CAPITAL = re.compile("[а-яё][А-ЯЁ]")
_CAPITAL_THEN_SMALL = re.compile("[А-ЯЁ][а-яё]")


def _count(data: bytes, letters: str, encoding: str = "cp1251") -> int:
    """How many of the bytes are `letters` in `encoding` (counted in one pass: a file may have 8 MB of them)."""
    others = bytes(set(range(256)) - set(letters.encode(encoding)))
    return len(data.translate(None, others))


def _reads_as_russian(data: bytes, text: str) -> bool:
    """Whether `data` read as Windows-1251 (`text`) is a Russian table rather than another encoding's garbage."""
    if _CONTROL.search(text):
        return False  # a binary file: text has no control characters but tabs and line ends
    russian, latin, other = (_count(data, letters) for letters in (_RUSSIAN_LETTERS, _LATIN_LETTERS, _OTHER_LETTERS))
    # The other letters sit at the bytes where DOS-866 and ISO 8859-5 keep Russian ones: rare in a Russian file,
    # everywhere in those read as this one.
    if not russian or other > max(2, russian // 50):
        return False
    if russian < (russian + latin + other) / 5:
        return False  # Latin text whose accented letters came out Russian (Müller → Mьller)
    # KOI8-R keeps the Russian letters in the same upper half with the cases swapped and in another order: read as
    # Windows-1251, a word comes out as capitals after a small letter («Привет» → «рТЙЧЕФ») and of rare letters.
    if len(_SMALL_THEN_CAPITAL.findall(text)) > len(_CAPITAL_THEN_SMALL.findall(text)):
        return False
    return _count(data, _COMMON_LETTERS, "koi8_r") <= _count(data, _COMMON_LETTERS)


def _csv_table(data: bytes, clock: _Clock) -> list[tuple[int, list[str]]]:
    text = _decode(data)
    first_line = text.split("\n", 1)[0]
    # Russian Excel writes «;»; other tools write «,». The header line tells which one this file uses.
    delimiter = ";" if first_line.count(";") >= first_line.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    table = []
    line = 1
    try:
        for cells in reader:
            clock.check()
            if line > MAX_ROWS:
                raise ImportFileError(TOO_MANY_ROWS)
            table.append((line, cells[:MAX_COLUMNS]))
            line = reader.line_num + 1  # a quoted value may span several lines
    except csv.Error:  # a quote left open swallows the rest of the file until the field size limit
        raise ImportFileError(f"Строка {line}: не удалось разобрать CSV — проверьте кавычки в этой строке.") from None
    return table


# What zipfile and openpyxl raise on a damaged book: zlib.error and EOFError on a broken deflate stream,
# RuntimeError on an encrypted or unsupported part, SyntaxError is the XML parser's ParseError.
_UNREADABLE = (InvalidFileException, zipfile.BadZipFile, zlib.error, EOFError, RuntimeError, LookupError, OSError,
               ValueError, TypeError, SyntaxError)


def _xlsx_table(data: bytes, clock: _Clock) -> list[tuple[int, list[str]]]:
    broken = ImportFileError(BROKEN_XLSX)
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            _check_archive(archive, clock)
        workbook = _open_workbook(data, clock)
    except _UNREADABLE:
        raise broken from None
    try:
        sheet = workbook.worksheets[0]
        # The declared dimensions are the file's to choose: forget them, read at most MAX_COLUMNS columns.
        sheet.reset_dimensions()
        table = []
        # Read-only mode yields blank rows for gaps too, so the position is the Excel row number.
        for number, values in enumerate(sheet.iter_rows(values_only=True, max_col=MAX_COLUMNS), start=1):
            clock.check()
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


# The start tag of a cell under any namespace prefix (<c>, <c r="A1"/>, <x:c …>), not <col> or <cfRule>.
_CELL_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?c[\s/>]")
# Where openpyxl hands over what it has built from a streamed part: at each row of a sheet, each shared string.
_RECORD_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?(?:row|si)[\s/>]")
_CHUNK = 64 * 1024


def _elements(xml: bytes) -> int:
    """At least as many as the elements a parser builds from `xml`: every «<» but those of end tags,
    comments, declarations and processing instructions."""
    return xml.count(b"<") - xml.count(b"</") - xml.count(b"<!") - xml.count(b"<?")


def _check_archive(archive: zipfile.ZipFile, clock: _Clock) -> None:
    """Refuses a book that unpacks too far or holds too many cells, before openpyxl parses any of it."""
    members = archive.infolist()
    if sum(member.file_size for member in members) > MAX_XLSX_UNPACKED:
        raise ImportFileError(TOO_BIG_UNPACKED)
    if any(member.file_size > _RATIO_CHECKED_FROM and member.file_size > MAX_COMPRESSION_RATIO * member.compress_size
           for member in members):
        raise ImportFileError(TOO_COMPRESSED)
    # The sizes are the file's to declare; zipfile stops at them today, and counting keeps the bound ours.
    unpacked = cells = 0
    for member in members:
        with archive.open(member) as part:
            previous = b""
            while chunk := part.read(_CHUNK):
                clock.check()
                unpacked += len(chunk)
                if unpacked > MAX_XLSX_UNPACKED:
                    raise ImportFileError(TOO_BIG_UNPACKED)
                # OOXML forbids DTDs; an entity declared in one could multiply the elements beyond what is counted.
                if b"<!DOCTYPE" in previous[-8:] + chunk:
                    raise ImportFileError(BROKEN_XLSX)
                cells += len(_CELL_TAG.findall(chunk))  # a tag cut by the chunk's edge is missed: one in 64 KB
                if cells > MAX_CELLS:
                    raise ImportFileError(TOO_MANY_CELLS)
                previous = chunk


def _open_workbook(data: bytes, clock: _Clock):
    """What load_workbook(read_only=True, data_only=True) returns, with every part openpyxl reads guarded."""
    reader = ExcelReader(io.BytesIO(data), read_only=True, data_only=True)
    reader.archive.close()  # the plain zip load_workbook would read; the same bytes, guarded, instead
    reader.archive = _GuardedArchive(data, clock)
    reader.read()
    return reader.wb


class _GuardedArchive(zipfile.ZipFile):
    """The book as openpyxl sees it: each part it opens (or reads whole) comes as a _GuardedPart."""

    def __init__(self, data: bytes, clock: _Clock):
        super().__init__(io.BytesIO(data))
        self._clock = clock

    def open(self, name, mode="r", pwd=None, **kwargs):
        return _GuardedPart(super().open(name, mode, pwd, **kwargs), self._clock)


class _GuardedPart:
    """A part of the book with the clock checked on every read. Read whole (styles, the workbook, relationships:
    parsed as one tree) it may hold MAX_ELEMENTS_IN_PART elements; read as a stream (sheets, shared strings),
    MAX_ELEMENTS_IN_ROW from one row or shared string to the next."""

    def __init__(self, part, clock: _Clock):
        self._part = part
        self._clock = clock
        self._in_record = 0  # elements since the last row or shared string began

    def read(self, size: int | None = -1) -> bytes:
        self._clock.check()
        if size is None or size < 0:
            xml = self._part.read()
            if _elements(xml) > MAX_ELEMENTS_IN_PART:
                raise ImportFileError(TOO_COMPLEX)
            return xml
        xml = self._part.read(min(size, _CHUNK))  # a stream may read short; it keeps one chunk's elements few
        record = _RECORD_TAG.search(xml)
        self._in_record += _elements(xml if record is None else xml[:record.start()])
        if self._in_record > MAX_ELEMENTS_IN_ROW:
            raise ImportFileError(TOO_COMPLEX)
        if record is not None:
            # Later records in the same chunk count with this one: at most a chunk's elements too many.
            self._in_record = _elements(xml[record.start():])
        return xml

    def close(self) -> None:
        self._part.close()

    def __enter__(self):
        return self

    def __exit__(self, *exception) -> None:
        self.close()


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
