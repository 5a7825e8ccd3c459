"""`flask import-organizations FILE.json`: the federal licence registry's page against a seeded database."""
import copy
import json
from pathlib import Path

from cpp_app.models import OrganizationKind
from tests.integration.test_import_organizations import by_inn, committed_count

PAGE = json.loads((Path(__file__).parents[1] / "fixtures" / "federal_registry_page.json").read_text())
HEAD_INN = "2466001010"


def run_import(app, tmp_path: Path, page: dict, name: str = "registry.json"):
    path = tmp_path / name
    path.write_text(json.dumps(page, ensure_ascii=False))
    return app.test_cli_runner().invoke(args=["import-organizations", str(path)])


def test_the_page_creates_the_region_s_organisations_and_links_the_branch(app, database, tmp_path):
    before = committed_count(database)

    result = run_import(app, tmp_path, PAGE)

    assert result.exit_code == 0, result.output
    assert "Импортировано: создано 5, обновлено 0, без изменений 0" in result.stdout
    assert "Пропущено записей (запись другого региона): 1" in result.stdout
    assert "Пропущено записей (лицензия недействующая): 1" in result.stdout
    assert committed_count(database) == before + 5
    head, branch = sorted(by_inn(database, HEAD_INN), key=lambda o: o.kind != OrganizationKind.SCHOOL)
    assert (head.kind, head.kpp, head.municipality.name) == (OrganizationKind.SCHOOL, "246601001", "город Красноярск")
    assert head.address == "660049, Красноярский край, г. Красноярск, ул. Мира, 101"
    assert (branch.kind, branch.kpp, branch.head) == (OrganizationKind.BRANCH, "246502001", head)
    assert by_inn(database, "2466001028") == []  # the expired licence
    assert by_inn(database, "3808001071") == []  # the other region


def test_a_later_page_updates_by_inn_and_a_branch_by_its_kpp_even_when_renamed(app, database, tmp_path):
    assert run_import(app, tmp_path, PAGE, "first.json").exit_code == 0
    count = committed_count(database)
    page = copy.deepcopy(PAGE)
    records = page["data"]["list"]
    records[2]["edu_org"]["full_name"] = "Муниципальное автономное общеобразовательное учреждение «Средняя школа № 101»"
    records[2]["edu_org"]["short_name"] = "МАОУ СШ № 101"
    records[0]["edu_org"]["short_name"] = "Бобровский филиал МАОУ СШ № 101"

    result = run_import(app, tmp_path, page, "second.json")

    assert result.exit_code == 0, result.output
    assert "Импортировано: создано 0, обновлено 2, без изменений 3" in result.stdout
    assert committed_count(database) == count
    names = {o.kind: o.short_name for o in by_inn(database, HEAD_INN)}
    assert names == {OrganizationKind.SCHOOL: "МАОУ СШ № 101", OrganizationKind.BRANCH: "Бобровский филиал МАОУ СШ № 101"}


def test_one_bad_record_imports_nothing_and_names_the_record_and_field(app, database, tmp_path):
    before = committed_count(database)
    page = copy.deepcopy(PAGE)
    page["data"]["list"][6]["edu_org"]["legal_info"]["inn"] = "24660010"

    result = run_import(app, tmp_path, page)

    assert result.exit_code == 1
    assert "Запись 7: edu_org.legal_info.inn: ИНН «24660010» должен состоять из 10 цифр" in result.stderr
    assert "ничего не изменено" in result.stderr
    assert committed_count(database) == before


def test_a_file_that_is_not_json_is_refused(app, database, tmp_path):
    path = tmp_path / "registry.json"
    path.write_bytes(b"\xff\xfe not json")

    result = app.test_cli_runner().invoke(args=["import-organizations", str(path)])

    assert result.exit_code == 1 and "не читается как JSON" in result.stderr
