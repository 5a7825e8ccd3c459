"""Reading and validating a staff register from КИАСУО, without a database."""
import io

import pytest
from openpyxl import Workbook

from cpp_app.blueprints.school.register_import import (
    RegisterError,
    read_register,
    surname_matches,
    validate_register,
)


def csv_bytes(text: str, encoding: str = "utf-8") -> io.BytesIO:
    return io.BytesIO(text.encode(encoding))


def xlsx_bytes(*rows) -> io.BytesIO:
    book = Workbook()
    for row in rows:
        book.active.append(list(row))
    stream = io.BytesIO()
    book.save(stream)
    stream.seek(0)
    return stream


def messages(error: RegisterError) -> list[str]:
    return [str(item) for item in error.errors]


# --- reading --------------------------------------------------------------------------------


def test_cp1251_csv_with_semicolons_and_usual_headers():
    text = (
        "№ п/п;Ф.И.О.;Должность;Эл. почта;Моб. телефон\r\n"
        "1;Семёнова Ольга Игоревна;Учитель математики;O.Semenova@School.example;8 (913) 123-45-67\r\n"
        "2;Иванов Пётр Сергеевич;Учитель истории;;+7 913 765-43-21\r\n"
    )
    records = read_register(csv_bytes(text, "cp1251"), "Реестр.CSV")
    assert [(r.line, r.full_name, r.surname, r.email, r.phone, r.position) for r in records] == [
        (2, "Семёнова Ольга Игоревна", "Семёнова", "o.semenova@school.example", "+79131234567", "Учитель математики"),
        (3, "Иванов Пётр Сергеевич", "Иванов", None, "+79137654321", "Учитель истории"),
    ]


def test_utf8_bom_csv_with_commas_and_separate_name_columns():
    text = "\ufeffФамилия,Имя,Отчество,E-mail,Занимаемая должность\nКузнецова,Анна,,anna@school.example,Директор\n"
    [record] = read_register(csv_bytes(text), "staff.csv")
    assert record.full_name == "Кузнецова Анна" and record.surname == "Кузнецова"
    assert record.email == "anna@school.example" and record.phone is None and record.position == "Директор"


def test_plain_utf8_csv():
    text = "ФИО;Телефон\nПетров Иван Иванович;89131112233\n"
    [record] = read_register(csv_bytes(text), "staff.csv")
    assert record.phone == "+79131112233" and record.email is None


def test_xlsx_with_a_numeric_phone_cell():
    stream = xlsx_bytes(
        ("ФИО", "Email", "Мобильный телефон", "Должность"),
        ("Соколова Ирина Павловна", "sokolova@school.example", 89135556677, "Учитель"),
        (None, None, None, None),  # a blank row is not a row
        ("Орлов Дмитрий", None, 9134445566, None),
    )
    records = read_register(stream, "staff.xlsx")
    assert [(r.line, r.surname, r.phone) for r in records] == [(2, "Соколова", "+79135556677"), (4, "Орлов", "+79134445566")]


def test_several_phones_in_one_cell_and_a_work_phone_column():
    text = "ФИО;Телефон;Моб. телефон\nПетрова Анна;2-13-45;8-913-000-11-22, 8-391-200-00-00\nЛебедева Ксения;8 391 212-34-56;\n"
    first, second = read_register(csv_bytes(text), "staff.csv")
    assert first.phone == "+79130001122"  # the mobile column wins, the unreadable work phone is ignored
    assert second.phone == "+73912123456"


def test_unsupported_format_and_broken_xlsx_are_reported():
    with pytest.raises(RegisterError) as error:
        read_register(io.BytesIO(b"whatever"), "staff.xls")
    assert "CSV или XLSX" in messages(error.value)[0]
    with pytest.raises(RegisterError) as error:
        read_register(io.BytesIO(b"not a zip"), "staff.xlsx")
    assert "XLSX" in messages(error.value)[0]


# --- validating -----------------------------------------------------------------------------


def test_every_bad_row_is_reported_by_line_and_nothing_is_returned():
    text = (
        "ФИО;Email;Телефон;Должность\n"
        "Петрова Анна;anna@school.example;;Учитель\n"
        ";b@school.example;;\n"
        "Одинслово;c@school.example;;\n"
        "Сидоров Олег;not-an-email;;\n"
        "Смирнова Вера;;12345;\n"
        "Кузнецов Ян;ANNA@school.example;;\n"
        f"Длинная Должность;d@school.example;;{'x' * 201}\n"
    )
    with pytest.raises(RegisterError) as error:
        read_register(csv_bytes(text), "staff.csv")
    found = messages(error.value)
    assert [item.split(":")[0] for item in found] == [f"Строка {n}" for n in (3, 4, 5, 6, 7, 8)]
    assert "не заполнено «ФИО»" in found[0]
    assert "фамилия и имя" in found[1]
    assert "not-an-email" in found[2]
    assert "12345" in found[3] and "не распознан" in found[3]
    assert "уже указан в строке 2" in found[4]
    assert "Должность" in found[5]


def test_a_row_without_contacts_is_kept_for_the_invitation_list():
    [record] = read_register(csv_bytes("ФИО;Email\nБелова Мария Андреевна;\n"), "staff.csv")
    assert record.email is None and record.phone is None


@pytest.mark.parametrize("header, wanted", [
    ("Должность;Email", "ФИО"),
    ("ФИО;Должность", "телефоном"),
    ("ФИО;Email;Электронная почта", "означают одно и то же"),
])
def test_header_problems(header, wanted):
    records, errors = validate_register([(2, {name: "x" for name in header.split(";")})])
    assert records == [] and errors and errors[0].line == 1
    assert any(wanted in error.message for error in errors)


def staff_rows(count: int) -> str:
    return "ФИО;Email\n" + "".join(f"Сотрудник{n} Иван;s{n}@school.example\n" for n in range(count))


def test_a_register_of_five_thousand_staff_is_read():
    assert len(read_register(csv_bytes(staff_rows(5_000)), "staff.csv")) == 5_000


@pytest.mark.parametrize("name", ["staff.csv", "staff.xlsx"])
def test_a_register_over_five_thousand_rows_is_refused_whole(name):
    rows = [line.split(";") for line in staff_rows(5_001).splitlines()]
    stream = csv_bytes(staff_rows(5_001)) if name.endswith(".csv") else xlsx_bytes(*rows)
    with pytest.raises(RegisterError) as refused:
        read_register(stream, name)
    assert messages(refused.value) == [
        "В реестре больше 5 000 строк — это больше, чем работает в одной организации. Проверьте файл: возможно, "
        "в нём реестр всего муниципалитета или строки повторяются."
    ]


def test_blank_lines_do_not_count_towards_the_limit():
    text = staff_rows(5_000) + "\n;\n" * 100
    assert len(read_register(csv_bytes(text), "staff.csv")) == 5_000


def test_empty_file():
    with pytest.raises(RegisterError) as error:
        read_register(csv_bytes("ФИО;Email\n"), "staff.csv")
    assert "пуст" in messages(error.value)[0]


def test_surnames_compare_without_case_and_yo():
    assert surname_matches("СЕМЁНОВА", "семенова")
    assert surname_matches("Римская-Корсакова", "римская-корсакова")
    assert not surname_matches("Семёнова", "Семенов")
    assert not surname_matches("Семёнова", None)
