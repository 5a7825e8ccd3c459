"""`flask import-organizations FILE` against a seeded database."""
import csv
from pathlib import Path

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from cpp_app.config import BASE_DIR
from cpp_app.domain.inn import inn10_with_check_digit
from cpp_app.models import Organization, OrganizationKind

HEADER = [
    "Полное наименование", "Краткое наименование", "Тип", "ИНН", "ОГРН", "ОКТМО", "Муниципалитет",
    "ИНН головной организации", "Адрес",
]
INN_1 = inn10_with_check_digit("246500001")
INN_2 = inn10_with_check_digit("246500002")
INN_3 = inn10_with_check_digit("246500003")
SEEDED_HEAD_INN = "2409001649"  # МКОУ «Новоникольская ООШ» in seeds/organizations.yaml

GOOD_ROWS = [
    ["Муниципальное бюджетное общеобразовательное учреждение «Тестовая школа № 1»", "МБОУ ТШ № 1", "Школа",
     INN_1, "1022400557431", "04701000", "город Красноярск", "", "г. Красноярск, ул. Мира, 1"],
    ["Муниципальное бюджетное дошкольное образовательное учреждение «Тестовый сад № 2»", "МБДОУ ТС № 2", "ДОО",
     INN_2, "", "", "Березовский муниципальный район", "", ""],
    ["Краевое государственное бюджетное учреждение дополнительного образования «Тестовый центр»", "КГБУ ДО ТЦ",
     "доп. образование", INN_3, "", "", "город Красноярск", "", ""],
]


def write_csv(path: Path, rows, encoding="utf-8-sig", delimiter=";") -> Path:
    with path.open("w", encoding=encoding, newline="") as stream:
        writer = csv.writer(stream, delimiter=delimiter, lineterminator="\r\n")
        writer.writerow(HEADER)
        writer.writerows(rows)
    return path


def run_import(app, path: Path):
    return app.test_cli_runner().invoke(args=["import-organizations", str(path)])


def organization_count(database) -> int:
    return database.session.scalar(select(func.count(Organization.id)))


def committed_count(database) -> int:
    """Counted on a connection of its own, so rows flushed but never committed do not show."""
    with database.engine.connect() as connection:
        return connection.scalar(select(func.count(Organization.id)))


def by_inn(database, inn: str) -> list[Organization]:
    return list(database.session.scalars(select(Organization).where(Organization.inn == inn).order_by(Organization.id)))


def test_good_csv_creates_organizations(app, database, tmp_path):
    before = organization_count(database)

    result = run_import(app, write_csv(tmp_path / "registry.csv", GOOD_ROWS))

    assert result.exit_code == 0, result.output
    assert "Импортировано: создано 3, обновлено 0, без изменений 0" in result.stdout
    assert organization_count(database) == committed_count(database) == before + 3
    [school] = by_inn(database, INN_1)
    assert school.short_name == "МБОУ ТШ № 1"
    assert school.kind == OrganizationKind.SCHOOL
    assert school.municipality.name == "город Красноярск"
    assert (school.ogrn, school.oktmo, school.address) == ("1022400557431", "04701000", "г. Красноярск, ул. Мира, 1")
    assert school.is_active
    assert by_inn(database, INN_2)[0].kind == OrganizationKind.PRESCHOOL
    assert by_inn(database, INN_3)[0].kind == OrganizationKind.ADDITIONAL


def test_second_import_updates_by_inn_and_full_name(app, database, tmp_path):
    assert run_import(app, write_csv(tmp_path / "first.csv", GOOD_ROWS)).exit_code == 0
    count = organization_count(database)
    changed = [row[:] for row in GOOD_ROWS]
    changed[0][8] = "г. Красноярск, ул. Ленина, 10"

    result = run_import(app, write_csv(tmp_path / "second.csv", changed, delimiter=","))

    assert result.exit_code == 0, result.output
    assert "Импортировано: создано 0, обновлено 1, без изменений 2" in result.stdout
    assert organization_count(database) == count
    [school] = by_inn(database, INN_1)
    assert school.address == "г. Красноярск, ул. Ленина, 10"


def test_one_bad_row_imports_nothing_and_names_its_line(app, database, tmp_path):
    before = organization_count(database)
    rows = [GOOD_ROWS[0], [*GOOD_ROWS[1][:3], "24040093", *GOOD_ROWS[1][4:]], GOOD_ROWS[2]]

    result = run_import(app, write_csv(tmp_path / "registry.csv", rows))

    assert result.exit_code == 1
    assert "Строка 3: ИНН «24040093» должен состоять из 10 цифр" in result.stderr
    assert "Строка 2" not in result.stderr and "Строка 4" not in result.stderr
    assert "ничего не изменено" in result.stderr
    assert "Импортировано" not in result.stdout
    assert organization_count(database) == committed_count(database) == before
    assert by_inn(database, INN_1) == []


def test_bad_update_leaves_existing_rows_as_they_were(app, database, tmp_path):
    assert run_import(app, write_csv(tmp_path / "first.csv", GOOD_ROWS)).exit_code == 0
    rows = [row[:] for row in GOOD_ROWS]
    rows[0][8] = "новый адрес"
    rows[2][6] = "Неизвестный район"

    result = run_import(app, write_csv(tmp_path / "second.csv", rows))

    assert result.exit_code == 1
    assert "Строка 4: Муниципалитет «Неизвестный район» отсутствует в справочнике" in result.stderr
    database.session.expire_all()
    assert by_inn(database, INN_1)[0].address == "г. Красноярск, ул. Мира, 1"


def test_csv_in_windows_1251(app, database, tmp_path):
    result = run_import(app, write_csv(tmp_path / "registry.csv", GOOD_ROWS[:1], encoding="cp1251"))

    assert result.exit_code == 0, result.output
    [school] = by_inn(database, INN_1)
    assert school.full_name == GOOD_ROWS[0][0]
    assert school.address == "г. Красноярск, ул. Мира, 1"


def test_xlsx_with_numeric_cells(app, database, tmp_path):
    book = Workbook()
    sheet = book.active
    sheet.append(HEADER)
    sheet.append([*GOOD_ROWS[0][:3], float(INN_1), 1022400557431, 4701000, *GOOD_ROWS[0][6:]])
    sheet.append([*GOOD_ROWS[1][:3], int(INN_2), None, None, *GOOD_ROWS[1][6:]])
    path = tmp_path / "registry.xlsx"
    book.save(path)

    result = run_import(app, path)

    assert result.exit_code == 0, result.output
    [school] = by_inn(database, INN_1)
    assert (school.ogrn, school.oktmo) == ("1022400557431", "04701000")
    assert len(by_inn(database, INN_2)) == 1


def test_xlsx_bad_row_reports_the_excel_row_number(app, database, tmp_path):
    book = Workbook()
    sheet = book.active
    sheet.append(HEADER)
    sheet.append(GOOD_ROWS[0])
    sheet.append([])
    sheet.append([*GOOD_ROWS[1][:3], "", *GOOD_ROWS[1][4:]])
    path = tmp_path / "registry.xlsx"
    book.save(path)

    result = run_import(app, path)

    assert result.exit_code == 1
    assert "Строка 4: не заполнено «ИНН»" in result.stderr
    assert by_inn(database, INN_1) == []


def test_branch_as_at_head_gets_head_inn_and_link(app, database, tmp_path):
    rows = [
        GOOD_ROWS[0],
        ["Филиал МБОУ «Тестовая школа № 1» в посёлке Сосновый", "Сосновский филиал МБОУ ТШ № 1", "филиал",
         "как у головной", "", "", "город Красноярск", INN_1, ""],
        ["Филиал МКОУ «Новоникольская ООШ» в деревне Тестовая", "Тестовский филиал", "Филиал",
         "Как у головной", "", "", "Большеулуйский муниципальный район", SEEDED_HEAD_INN, ""],
    ]

    result = run_import(app, write_csv(tmp_path / "registry.csv", rows))

    assert result.exit_code == 0, result.output
    school, branch = by_inn(database, INN_1)
    assert branch.kind == OrganizationKind.BRANCH
    assert branch.head == school
    assert school.head is None
    seeded_head, *seeded_branches = by_inn(database, SEEDED_HEAD_INN)
    assert seeded_head.kind == OrganizationKind.SCHOOL
    new_branch = next(org for org in seeded_branches if org.short_name == "Тестовский филиал")
    assert new_branch.head == seeded_head


def test_example_file_is_accepted(app, database):
    result = run_import(app, BASE_DIR / "seeds" / "examples" / "organizations_example.csv")

    assert result.exit_code == 0, result.output
    assert "Импортировано:" in result.stdout


@pytest.mark.parametrize("name", ["registry.xls", "registry.txt"])
def test_unsupported_format_is_refused(app, database, tmp_path, name):
    path = tmp_path / name
    path.write_text("что-то", encoding="utf-8")

    result = run_import(app, path)

    assert result.exit_code == 1
    assert "сохраните файл как CSV или XLSX" in result.stderr


def test_header_only_file_is_refused(app, database, tmp_path):
    result = run_import(app, write_csv(tmp_path / "registry.csv", []))

    assert result.exit_code == 1
    assert "Строка 1: файл пуст" in result.stderr
