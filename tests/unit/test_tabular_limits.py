"""Hostile XLSX files are refused within a bounded amount of work, with a message in Russian."""
import io
import itertools
import os
import struct
import time
import zipfile

import pytest
from openpyxl import Workbook

from cpp_app.tabular import ImportFileError, read_upload

SHEET_PATH = "xl/worksheets/sheet1.xml"
SHEET_HEAD = (b'<?xml version="1.0" encoding="UTF-8"?>\n'
              b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>')
SHEET_TAIL = b"</sheetData></worksheet>"
MB = 1024 * 1024
FAST = 2.0  # seconds: a refusal must come well before a worker's timeout


def book(replace: dict[str, object] | None = None) -> bytes:
    """A real two-row workbook whose parts (by path) are replaced or added: bytes, or an iterable of chunks."""
    workbook = Workbook()
    workbook.active.append(["ФИО", "Email"])
    workbook.active.append(["Иванова Мария Петровна", "ivanova@school.example"])
    source = io.BytesIO()
    workbook.save(source)
    with zipfile.ZipFile(source) as original:
        parts = {name: original.read(name) for name in original.namelist()} | (replace or {})
    result = io.BytesIO()
    with zipfile.ZipFile(result, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in parts.items():
            with archive.open(name, "w", force_zip64=True) as part:
                for chunk in [content] if isinstance(content, bytes) else content:
                    part.write(chunk)
    return result.getvalue()


def part_of_book(name: str) -> bytes:
    with zipfile.ZipFile(io.BytesIO(book())) as archive:
        return archive.read(name)


def sheet(rows: int, row: bytes, *, noise: bytes = b""):
    """Sheet XML as chunks: `rows` copies of `row`, then `noise` in a comment (incompressible, to tune the ratio)."""
    yield SHEET_HEAD
    yield from itertools.repeat(row, rows)
    yield SHEET_TAIL + b"<!--" + noise + b"-->"


def refusal(data: bytes, **limits) -> tuple[str, float]:
    started = time.monotonic()
    with pytest.raises(ImportFileError) as refused:
        read_upload(data, "register.xlsx", **limits)
    return str(refused.value), time.monotonic() - started


def unpacked(data: bytes) -> int:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return sum(member.file_size for member in archive.infolist())


def test_an_ordinary_book_is_read():
    assert read_upload(book(), "staff.xlsx") == [
        (2, {"ФИО": "Иванова Мария Петровна", "Email": "ivanova@school.example"}),
    ]


def test_a_sheet_that_inflates_to_ninety_megabytes_is_refused_at_once():
    # 90 MB of empty cells deflate to about a hundred kilobytes: under the size the upload form accepts.
    data = book({SHEET_PATH: sheet(1500, b"<row>" + b"<c/>" * 15_000 + b"</row>")})
    assert len(data) < 200 * 1024 and unpacked(data) > 85 * MB
    message, elapsed = refusal(data)
    assert "больше 20 МБ в распакованном виде" in message
    assert elapsed < FAST


def test_an_absurd_compression_ratio_is_refused():
    # 15 MB (under the size limit) of one repeated comment: no table compresses a thousand times.
    data = book({SHEET_PATH: [SHEET_HEAD, SHEET_TAIL, b"<!--", b"x" * (15 * MB), b"-->"]})
    message, elapsed = refusal(data)
    assert "сжат неправдоподобно сильно" in message
    assert elapsed < FAST


def test_millions_of_tiny_cells_are_refused_before_they_are_parsed():
    # 2.5 million empty cells in 12 MB, with enough random noise to keep the compression ratio ordinary.
    noise = os.urandom(100_000).hex().encode()
    data = book({SHEET_PATH: sheet(25_000, b"<row>" + b"<c/>" * 100 + b"</row>", noise=noise)})
    assert unpacked(data) < 20 * MB
    message, elapsed = refusal(data)
    assert "больше 2 000 000 ячеек" in message
    assert elapsed < FAST


def test_cells_multiplied_by_an_entity_are_refused():
    # 80 KB that the XML parser would expand into a million cells: OOXML allows no DTD, so none is accepted.
    xml = (b'<?xml version="1.0"?><!DOCTYPE worksheet [<!ENTITY row "<row>' + b"<c/>" * 20_000 + b'</row>">]>'
           + SHEET_HEAD.split(b"\n", 1)[1] + b"&row;" * 50 + SHEET_TAIL)
    message, elapsed = refusal(book({SHEET_PATH: xml}))
    assert "повреждён" in message
    assert elapsed < FAST


def lie_about_size(data: bytes, name: str, declared: int) -> bytes:
    """The archive with `name`'s uncompressed size in the central directory replaced by `declared`."""
    entry = data.index(b"PK\x01\x02")
    while data[entry + 46:entry + 46 + len(name)] != name.encode():
        entry = data.index(b"PK\x01\x02", entry + 4)
    return data[:entry + 24] + struct.pack("<I", declared) + data[entry + 28:]


def test_a_zip_that_understates_its_sizes_is_refused():
    # The central directory says a kilobyte; the deflated stream holds 60 MB of cells.
    content = SHEET_HEAD + b"<row>" + b"<c/>" * (15 * MB) + b"</row>" + SHEET_TAIL
    honest = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(book())) as original, zipfile.ZipFile(honest, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in original.namelist():
            archive.writestr(name, content if name == SHEET_PATH else original.read(name))
    data = lie_about_size(honest.getvalue(), SHEET_PATH, 1024)
    assert unpacked(data) < MB
    message, elapsed = refusal(data)
    assert "повреждён" in message
    assert elapsed < FAST


def test_one_row_of_a_hundred_thousand_cells_is_refused():
    # openpyxl builds a row whole, out of reach of the clock: no row may be longer than a sheet is wide.
    data = book({SHEET_PATH: sheet(1, b"<row>" + b"<c/>" * 100_000 + b"</row>")})
    message, elapsed = refusal(data)
    assert "слишком сложно" in message
    assert elapsed < FAST


def test_one_shared_string_of_sixty_thousand_runs_is_refused():
    # The shared strings are streamed, but each string is built whole, its rich-text runs one by one.
    strings = (b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si>'
               + b"<r><t>a</t></r>" * 60_000 + b"</si></sst>")
    declared = part_of_book("[Content_Types].xml").replace(b"</Types>", (
        b'<Override PartName="/xl/sharedStrings.xml" '
        b'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>'))
    message, elapsed = refusal(book({"xl/sharedStrings.xml": strings, "[Content_Types].xml": declared}))
    assert "слишком сложно" in message
    assert elapsed < FAST


def test_a_row_as_wide_as_excel_allows_is_still_read():
    header = '<row><c t="inlineStr"><is><t>ФИО</t></is></c><c t="inlineStr"><is><t>Email</t></is></c></row>'.encode()
    wide = b"<row>" + b'<c t="inlineStr"><is><t>x</t></is></c>' * 16_384 + b"</row>"
    rows = read_upload(book({SHEET_PATH: [SHEET_HEAD, header, wide, SHEET_TAIL]}), "register.xlsx")
    assert rows == [(2, {"ФИО": "x", "Email": "x"})]


def test_a_bloated_style_sheet_is_refused():
    # Styles are parsed as one tree, each element in Python: a megabyte of formats would take three seconds.
    styles = (b'<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><cellXfs>'
              + b"<xf/>" * 205_000 + b"</cellXfs></styleSheet>")
    message, elapsed = refusal(book({"xl/styles.xml": styles}))
    assert "слишком сложно" in message
    assert elapsed < FAST


def test_the_time_budget_stops_a_slow_file():
    rows = b"".join(b'<row><c t="inlineStr"><is><t>%d</t></is></c><c t="inlineStr"><is><t>x</t></is></c></row>' % n
                    for n in range(20_000))
    message, elapsed = refusal(book({SHEET_PATH: [SHEET_HEAD, rows, SHEET_TAIL]}), seconds=0.05)
    assert "дольше 0.05 с" in message
    assert elapsed < FAST
