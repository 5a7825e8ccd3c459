"""Reading and validating organisation registry files, without a database."""
import zipfile

import pytest
from openpyxl import Workbook

from cpp_app.blueprints.organizations.importer import validate
from cpp_app.domain.inn import inn10_with_check_digit
from cpp_app.models import OrganizationKind
from cpp_app.tabular import ImportFileError, RowError, read_rows

MUNICIPALITIES = ["город Красноярск", "Березовский муниципальный район", "поселок Кедровый"]
HEAD_INN = "2409001649"  # МКОУ «Новоникольская ООШ», a valid INN
OTHER_INN = inn10_with_check_digit("246500001")
THIRD_INN = inn10_with_check_digit("246500002")
HEADER = "Полное наименование;Краткое наименование;Тип;ИНН;ОГРН;ОКТМО;Муниципалитет;ИНН головной организации;Адрес"


def school(**overrides) -> dict[str, str]:
    row = {
        "Полное наименование": "Муниципальное бюджетное общеобразовательное учреждение «Средняя школа № 1»",
        "Краткое наименование": "МБОУ СШ № 1",
        "Тип": "Школа",
        "ИНН": OTHER_INN,
        "ОГРН": "",
        "ОКТМО": "",
        "Муниципалитет": "город Красноярск",
        "ИНН головной организации": "",
        "Адрес": "",
    }
    row.update(overrides)
    return row


def branch(**overrides) -> dict[str, str]:
    return school(**{
        "Полное наименование": "Филиал МБОУ СШ № 1 в селе Бобровка",
        "Краткое наименование": "Бобровский филиал",
        "Тип": "филиал",
        "ИНН": "как у головной",
        "ИНН головной организации": OTHER_INN,
        **overrides,
    })


def numbered(*rows: dict[str, str]) -> list[tuple[int, dict[str, str]]]:
    return list(enumerate(rows, start=2))


def check(rows, head_inns=()):
    return validate(rows, MUNICIPALITIES, set(head_inns))


def messages(errors: list[RowError]) -> list[str]:
    return [str(error) for error in errors]


# --- validate: good rows -------------------------------------------------------------------


def test_a_good_row_becomes_a_record_with_tidied_values():
    records, errors = check(numbered(school(**{
        "Полное наименование": "  Муниципальное   бюджетное учреждение\u00a0«Школа»  ",
        "ИНН": f" {OTHER_INN[:4]} {OTHER_INN[4:]} ",
        "ОГРН": "1022400557431",
        "ОКТМО": "4605405101",  # the leading zero Excel dropped
        "Муниципалитет": "ГОРОД  КРАСНОЯРСК",
        "Адрес": "г. Красноярск, ул. Мира, 1",
    })))
    assert errors == []
    (record,) = records
    assert record.full_name == "Муниципальное бюджетное учреждение «Школа»"
    assert record.inn == OTHER_INN
    assert record.ogrn == "1022400557431"
    assert record.oktmo == "04605405101"
    assert record.municipality == "город Красноярск"
    assert record.kind == OrganizationKind.SCHOOL
    assert record.head_inn is None
    assert record.address == "г. Красноярск, ул. Мира, 1"


def test_municipality_matches_regardless_of_case_and_yo():
    records, errors = check(numbered(school(Муниципалитет="Посёлок кедровый")))
    assert errors == []
    assert records[0].municipality == "поселок Кедровый"


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("школа", OrganizationKind.SCHOOL),
        ("ОО", OrganizationKind.SCHOOL),
        ("Головное", OrganizationKind.SCHOOL),
        ("school", OrganizationKind.SCHOOL),
        ("СПО", OrganizationKind.COLLEGE),
        ("college", OrganizationKind.COLLEGE),
        ("ДОО", OrganizationKind.PRESCHOOL),
        ("дошкольная", OrganizationKind.PRESCHOOL),
        ("Дошкольная ОО", OrganizationKind.PRESCHOOL),
        ("доп. образование", OrganizationKind.ADDITIONAL),
        ("ДО", OrganizationKind.ADDITIONAL),
        ("additional", OrganizationKind.ADDITIONAL),
    ],
)
def test_kind_words(text, kind):
    records, errors = check(numbered(school(Тип=text)))
    assert errors == []
    assert records[0].kind == kind


def test_headers_are_matched_tolerantly_and_unknown_columns_ignored():
    row = {
        "№ п/п": "1",
        "ПОЛНОЕ НАИМЕНОВАНИЕ*": "Школа № 7",
        "Сокращённое наименование": "Школа 7",
        "Тип организации": "школа",
        "inn": OTHER_INN,
        "Муниципальное образование": "город Красноярск",
    }
    records, errors = check(numbered(row))
    assert errors == []
    assert (records[0].full_name, records[0].short_name, records[0].inn) == ("Школа № 7", "Школа 7", OTHER_INN)


def test_branch_as_at_head_takes_the_head_inn_from_the_file():
    records, errors = check(numbered(school(), branch()))
    assert errors == []
    assert records[1].kind == OrganizationKind.BRANCH
    assert (records[1].inn, records[1].head_inn) == (OTHER_INN, OTHER_INN)


def test_branch_head_may_already_be_in_the_registry():
    records, errors = check(numbered(branch(**{"ИНН": "", "ИНН головной организации": HEAD_INN})), [HEAD_INN])
    assert errors == []
    assert (records[0].inn, records[0].head_inn) == (HEAD_INN, HEAD_INN)


def test_branch_own_inn_links_to_a_known_head():
    records, errors = check(numbered(branch(**{"ИНН": HEAD_INN, "ИНН головной организации": ""})), [HEAD_INN])
    assert errors == []
    assert records[0].head_inn == HEAD_INN


def test_branch_whose_head_is_unknown_may_have_no_inn():
    """«Моя школа» lists such branches; the registry keeps them until the head is found."""
    records, errors = check(numbered(branch(**{"ИНН": "", "ИНН головной организации": ""})))
    assert errors == []
    assert (records[0].inn, records[0].head_inn) == (None, None)


# --- validate: bad rows --------------------------------------------------------------------


def test_short_inn_names_line_column_and_value():
    records, errors = check(numbered(school(), school(ИНН="24040093", **{"Полное наименование": "Другая"})))
    assert records == []
    assert messages(errors) == ["Строка 3: ИНН «24040093» должен состоять из 10 цифр"]


def test_inn_with_wrong_check_digit():
    wrong = OTHER_INN[:9] + str((int(OTHER_INN[9]) + 1) % 10)
    _, errors = check(numbered(school(ИНН=wrong)))
    assert messages(errors) == [f"Строка 2: ИНН «{wrong}» не проходит проверку контрольной цифры — вероятно, опечатка"]


def test_twelve_digit_personal_inn_is_not_an_organisation():
    _, errors = check(numbered(school(ИНН="500100732259")))
    assert messages(errors) == ["Строка 2: ИНН «500100732259» должен состоять из 10 цифр"]


def test_every_bad_row_is_reported_and_nothing_is_returned():
    rows = numbered(
        school(),
        school(**{"Полное наименование": "Вторая", "ИНН": THIRD_INN, "Муниципалитет": "Город Атлантида"}),
        school(**{"Полное наименование": "Третья", "ИНН": inn10_with_check_digit("246500003"), "ОГРН": "123"}),
    )
    records, errors = check(rows)
    assert records == []
    assert [error.line for error in errors] == [3, 4]
    assert "Муниципалитет «Город Атлантида» отсутствует в справочнике муниципалитетов" in errors[0].message
    assert "ОГРН «123»" in errors[1].message


def test_one_row_may_have_several_problems():
    _, errors = check(numbered(school(ИНН="12", Тип="гимназия", Муниципалитет="")))
    assert [error.line for error in errors] == [2, 2, 2]
    text = " | ".join(messages(errors))
    assert "не заполнено «Муниципалитет»" in text
    assert "Тип «гимназия» не распознан" in text
    assert "ИНН «12» должен состоять из 10 цифр" in text


def test_unknown_municipality_suggests_a_close_name():
    _, errors = check(numbered(school(Муниципалитет="Березовский район")))
    assert "возможно, имелось в виду «Березовский муниципальный район»" in errors[0].message


def test_missing_required_headers_are_one_error_on_line_one():
    rows = numbered({"Полное наименование": "Школа", "ИНН": OTHER_INN})
    records, errors = check(rows)
    assert records == []
    assert messages(errors) == [
        "Строка 1: нет обязательных столбцов: «Краткое наименование», «Тип», «Муниципалитет»"
    ]


def test_two_columns_meaning_the_same_field_are_rejected():
    _, errors = check(numbered({**school(), "Сокращенное наименование": "МБОУ"}))
    assert messages(errors) == [
        "Строка 1: столбцы «Краткое наименование» и «Сокращенное наименование» оба означают «Краткое наименование»"
    ]


def test_an_empty_file_is_an_error():
    records, errors = check([])
    assert records == []
    assert errors[0].line == 1 and "файл пуст" in errors[0].message


def test_duplicate_inn_and_full_name_names_both_lines():
    _, errors = check(numbered(school(), branch(), school(Адрес="другой адрес")))
    assert len(errors) == 1
    assert errors[0].line == 4
    assert "уже есть в строке 2" in errors[0].message


def test_two_head_organisations_cannot_share_an_inn():
    _, errors = check(numbered(school(), school(**{"Полное наименование": "Другая школа"})))
    assert messages(errors) == [
        f"Строка 3: ИНН «{OTHER_INN}» уже указан в строке 2 у другой организации; "
        "общий ИНН бывает только у головной организации и её филиалов"
    ]


def test_values_longer_than_the_columns_are_rejected():
    _, errors = check(numbered(school(**{"Полное наименование": "Ш" * 501, "Адрес": "д" * 500})))
    assert messages(errors) == ["Строка 2: «Полное наименование» длиннее 500 символов (501)"]


@pytest.mark.parametrize("kind", ["Школа", "СПО", "ДОО", "ДО"])
def test_non_branch_needs_an_inn(kind):
    _, errors = check(numbered(school(ИНН="", Тип=kind)))
    assert messages(errors) == ["Строка 2: не заполнено «ИНН»: он обязателен для всех, кроме филиалов"]


def test_as_at_head_is_only_for_branches():
    _, errors = check(numbered(school(ИНН="как у головной")))
    assert len(errors) == 1 and "допускается только у филиала" in errors[0].message


def test_head_inn_is_only_for_branches():
    _, errors = check(numbered(school(**{"ИНН головной организации": HEAD_INN})), [HEAD_INN])
    assert messages(errors) == ["Строка 2: «ИНН головной организации» заполняется только у филиала"]


def test_branch_head_must_exist():
    _, errors = check(numbered(branch(**{"ИНН головной организации": HEAD_INN})))
    assert messages(errors) == [
        f"Строка 2: головная организация с ИНН «{HEAD_INN}» не найдена ни в файле, ни в реестре"
    ]


def test_branch_head_cannot_be_another_branch():
    rows = numbered(branch(**{"ИНН": HEAD_INN, "ИНН головной организации": ""}),
                    branch(**{"Полное наименование": "Второй филиал", "ИНН головной организации": HEAD_INN}))
    _, errors = check(rows)
    assert [error.line for error in errors] == [3]


def test_branch_inn_must_equal_head_inn():
    _, errors = check(numbered(school(), branch(ИНН=THIRD_INN)), [THIRD_INN])
    assert messages(errors) == [
        f"Строка 3: ИНН филиала «{THIRD_INN}» должен совпадать с «ИНН головной организации» «{OTHER_INN}»"
    ]


@pytest.mark.parametrize(
    ("column", "value"), [("ОКТМО", "046054"), ("ОКТМО", "04605405101x"), ("ОГРН", "1022400557432")]
)
def test_bad_codes(column, value):
    _, errors = check(numbered(school(**{column: value})))
    assert len(errors) == 1 and errors[0].message.startswith(f"{column} «")


# --- read_rows -----------------------------------------------------------------------------


def write(path, text: str, encoding: str = "utf-8"):
    path.write_bytes(text.encode(encoding))
    return path


def test_csv_with_bom_semicolons_and_blank_lines(tmp_path):
    path = write(tmp_path / "r.csv", f"{HEADER}\r\nШкола 1;Ш1;школа;{OTHER_INN};;;город Красноярск;;\r\n\r\n;;;\r\n"
                 f"Школа 2;Ш2;школа;{THIRD_INN};;;город Красноярск;;\r\n", "utf-8-sig")
    rows = read_rows(path)
    assert [line for line, _ in rows] == [2, 5]
    assert rows[0][1]["Полное наименование"] == "Школа 1"  # no BOM glued to the first header
    assert rows[1][1]["ИНН"] == THIRD_INN


def test_csv_with_commas_and_a_value_spanning_lines(tmp_path):
    path = write(tmp_path / "r.csv", (
        "Полное наименование,Краткое наименование,Тип,ИНН,Муниципалитет\n"
        '"Школа\nс переносом, и запятой",Ш,школа,2409001649,город Красноярск\n'
        "Школа 3,Ш3,школа,,город Красноярск\n"
    ))
    rows = read_rows(path)
    assert [line for line, _ in rows] == [2, 4]
    assert rows[0][1]["Полное наименование"] == "Школа\nс переносом, и запятой"


def test_csv_in_windows_1251(tmp_path):
    path = write(tmp_path / "r.csv", f"{HEADER}\r\nСредняя школа № 1;СШ № 1;Школа;{OTHER_INN};;;поселок Кедровый;;\r\n",
                 "cp1251")
    [(line, row)] = read_rows(path)
    assert line == 2
    assert row["Полное наименование"] == "Средняя школа № 1"
    assert row["Муниципалитет"] == "поселок Кедровый"


def test_csv_that_is_not_text(tmp_path):
    path = tmp_path / "r.csv"
    path.write_bytes("ИНН;Тип\r\n".encode("utf-16"))
    with pytest.raises(ImportFileError):
        read_rows(path)


def store_numbers_as_floats(path, replacements: dict[str, str]):
    with zipfile.ZipFile(path) as archive:
        parts = {name: archive.read(name) for name in archive.namelist()}
    sheet = parts["xl/worksheets/sheet1.xml"].decode()
    for number, text in replacements.items():
        assert f"<v>{number}</v>" in sheet
        sheet = sheet.replace(f"<v>{number}</v>", f"<v>{text}</v>")
    parts["xl/worksheets/sheet1.xml"] = sheet.encode()
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in parts.items():
            archive.writestr(name, data)


def test_xlsx_numbers_become_digit_strings(tmp_path):
    book = Workbook()
    sheet = book.active
    sheet.append(["Полное наименование", "Краткое наименование", "Тип", "ИНН", "ОГРН", "ОКТМО", "Муниципалитет"])
    sheet.append(["Школа 1", "Ш1", "школа", 2404009370.0, 1022400557431, 4605405101, "город Красноярск"])
    sheet.append([])
    sheet.append(["Школа 2", "Ш2", "школа", "2409001649", None, None, "город Красноярск"])
    book.create_sheet("Лист2").append(["не читается"])
    path = tmp_path / "r.xlsx"
    book.save(path)
    # openpyxl writes whole numbers without a fraction; other tools write the float forms Excel also reads.
    store_numbers_as_floats(path, {"2404009370": "2404009370.0", "1022400557431": "1.022400557431E12"})

    rows = read_rows(path)
    assert [line for line, _ in rows] == [2, 4]
    assert rows[0][1]["ИНН"] == "2404009370"
    assert rows[0][1]["ОГРН"] == "1022400557431"
    assert rows[1][1]["ОГРН"] == ""
    records, errors = validate(rows, MUNICIPALITIES, set())
    assert errors == []
    assert records[0].oktmo == "04605405101"


def test_repeated_header_is_a_file_error(tmp_path):
    path = write(tmp_path / "r.csv", "ИНН;ИНН\n1;2\n")
    with pytest.raises(ImportFileError, match="«ИНН» встречается дважды"):
        read_rows(path)


@pytest.mark.parametrize("name", ["r.xls", "r.ods", "r.txt", "r"])
def test_unsupported_extension(tmp_path, name):
    path = write(tmp_path / name, HEADER)
    with pytest.raises(ImportFileError, match="сохраните файл как CSV или XLSX"):
        read_rows(path)


def test_broken_xlsx(tmp_path):
    path = write(tmp_path / "r.xlsx", HEADER)
    with pytest.raises(ImportFileError, match="XLSX"):
        read_rows(path)


def test_empty_csv_has_no_rows(tmp_path):
    assert read_rows(write(tmp_path / "r.csv", "")) == []
    assert read_rows(write(tmp_path / "h.csv", HEADER + "\n")) == []
