"""A CSV is read in UTF-8 (with or without a BOM) or Windows-1251; bytes in any other encoding are refused, not
read as Windows-1251 garbage."""
import codecs
import random

import pytest

from cpp_app.tabular import NOT_TEXT, ImportFileError, read_upload

TABLE = (
    "ФИО;Должность;Эл. почта;Моб. телефон\r\n"
    "Семёнова Ольга Игоревна;Учитель математики;o.semenova@school.example;+79131234567\r\n"
    "Иванов Пётр Сергеевич;Учитель истории и обществознания;;+79137654321\r\n"
)
ROWS = [
    (2, {"ФИО": "Семёнова Ольга Игоревна", "Должность": "Учитель математики",
         "Эл. почта": "o.semenova@school.example", "Моб. телефон": "+79131234567"}),
    (3, {"ФИО": "Иванов Пётр Сергеевич", "Должность": "Учитель истории и обществознания",
         "Эл. почта": "", "Моб. телефон": "+79137654321"}),
]


def refusal(data: bytes) -> str:
    with pytest.raises(ImportFileError) as refused:
        read_upload(data, "staff.csv")
    return str(refused.value)


CAPITALS = [(line, {name.upper(): value.upper() for name, value in row.items()}) for line, row in ROWS]


@pytest.mark.parametrize(("data", "rows"), [
    (TABLE.encode("utf-8"), ROWS),
    (codecs.BOM_UTF8 + TABLE.encode("utf-8"), ROWS),
    (TABLE.encode("cp1251"), ROWS),
    (TABLE.upper().encode("cp1251"), CAPITALS),
], ids=["utf-8", "utf-8 with BOM", "windows-1251", "windows-1251 in capitals"])
def test_the_accepted_encodings_read_correctly(data, rows):
    assert read_upload(data, "staff.csv") == rows


def test_the_message_names_the_accepted_encodings():
    assert "UTF-8" in NOT_TEXT and "Windows-1251" in NOT_TEXT


@pytest.mark.parametrize("encoding", ["koi8_r", "cp866", "iso8859_5"])
@pytest.mark.parametrize("text", [TABLE, TABLE.upper(), TABLE.splitlines()[0]], ids=["table", "capitals", "header"])
def test_another_cyrillic_encoding_is_refused(encoding, text):
    assert refusal(text.encode(encoding)) == NOT_TEXT


def test_a_random_binary_file_is_refused():
    generator = random.Random(20260112)
    data = generator.randbytes(4096)
    assert refusal(data) == NOT_TEXT
    # The same without zero bytes, so that it gets as far as reading Windows-1251.
    assert refusal(data.replace(b"\x00", b"")) == NOT_TEXT
    # Only bytes that decode in Windows-1251 and are no control characters.
    printable = bytes(b for b in range(0x20, 0x100) if b not in (0x7F, 0x98))
    assert refusal(bytes(generator.choice(printable) for _ in range(4096))) == NOT_TEXT


def test_a_file_saying_utf8_by_its_bom_must_be_utf8():
    assert refusal(codecs.BOM_UTF8 + TABLE.encode("cp1251")) == NOT_TEXT


def test_latin_text_in_a_western_code_page_is_refused():
    assert refusal("Name;Straße\r\nMüller;Dörfelstraße\r\nBjörk;Kärntner Straße\r\n".encode("latin-1")) == NOT_TEXT
