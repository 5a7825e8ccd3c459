"""Reading the federal licence registry's JSON, without a database: the tricky records of the fixture page."""
import copy
import json
from datetime import date
from pathlib import Path

import pytest
import yaml

from cpp_app.blueprints.organizations.federal_registry import licence_records, read_registry
from cpp_app.config import BASE_DIR
from cpp_app.domain.address_municipality import municipality_of_address
from cpp_app.models import OrganizationKind

PAGE = json.loads((Path(__file__).parents[1] / "fixtures" / "federal_registry_page.json").read_text())
MUNICIPALITIES = [entry["name"] for entry in yaml.safe_load((BASE_DIR / "seeds" / "municipalities.yaml").read_text())]
TODAY = date(2026, 12, 4)
HEAD_INN = "2466001010"


def read(data, known_heads=frozenset()):
    return read_registry(data, MUNICIPALITIES, set(known_heads), TODAY)


def test_the_region_s_records_in_force_become_organisations_of_their_kind():
    result = read(PAGE)

    assert result.errors == []
    kinds = {record.short_name: (record.kind, record.municipality) for record in result.records}
    assert kinds == {
        "Бобровский филиал МБОУ СШ № 101": (OrganizationKind.BRANCH, "Березовский муниципальный район"),
        "МБОУ СШ № 101": (OrganizationKind.SCHOOL, "город Красноярск"),
        "МБДОУ № 55": (OrganizationKind.PRESCHOOL, "город Ачинск"),
        "МБУ ДО ДДТ": (OrganizationKind.ADDITIONAL, "Ачинский муниципальный район"),
        "КГБПОУ «Канский педагогический колледж»": (OrganizationKind.COLLEGE, "город Канск"),
    }
    assert result.skipped == {
        "запись другого региона": 1,
        "лицензия недействующая": 1,
        "нет общего, среднего профессионального, дошкольного или дополнительного образования детей": 1,
    }


def test_a_branch_before_its_head_is_linked_to_it_and_keeps_its_kpp():
    branch = next(record for record in read(PAGE).records if record.kind == OrganizationKind.BRANCH)

    assert (branch.inn, branch.kpp, branch.head_inn) == (HEAD_INN, "246502001", HEAD_INN)


def test_a_branch_whose_head_is_only_in_the_database_is_linked_through_the_inn():
    page = copy.deepcopy(PAGE)
    del page["data"]["list"][2]  # the head's licence record

    branch = next(record for record in read(page, {HEAD_INN}).records if record.kind == OrganizationKind.BRANCH)
    assert branch.head_inn == HEAD_INN
    alone = next(record for record in read(page).records if record.kind == OrganizationKind.BRANCH)
    assert alone.head_inn is None  # «Моя школа» has such branches too: kept without a head


def test_a_plain_list_of_records_reads_like_a_page():
    assert read(PAGE["data"]["list"]).records == read(PAGE).records


@pytest.mark.parametrize("data", [{"data": {}}, {"list": []}, "text", 7, None])
def test_another_shape_is_refused_as_a_whole(data):
    assert licence_records(data) is None
    result = read(data)
    assert result.records == [] and "ожидается страница реестра" in str(result.errors[0])


def test_every_bad_record_is_reported_with_its_number_and_field_and_nothing_is_read():
    page = copy.deepcopy(PAGE)
    records = page["data"]["list"]
    records[4]["edu_org"]["legal_info"]["inn"] = "2466001036"  # check digit wrong
    records[5]["edu_org"]["contact_info"]["post_address"] = "Красноярский край, ул. Безымянная, 1"
    records[6]["edu_org"]["legal_info"]["kpp"] = "24"
    records[6]["edu_org"]["full_name"] = ""

    result = read(page)

    assert result.records == []
    assert [str(error) for error in result.errors] == [
        "Запись 5: edu_org.legal_info.inn: ИНН «2466001036» не проходит проверку контрольной цифры",
        "Запись 6: edu_org.contact_info.post_address: по адресу «Красноярский край, ул. Безымянная, 1» "
        "не определён муниципалитет",
        "Запись 7: edu_org.legal_info.kpp: КПП «24» должен состоять из 9 знаков (NNNNPPNNN)",
        "Запись 7: edu_org.full_name: не указано полное наименование",
    ]


def test_two_licences_in_force_of_one_organisation_are_an_error():
    page = copy.deepcopy(PAGE)
    page["data"]["list"].append(copy.deepcopy(page["data"]["list"][4]))

    assert [str(error) for error in read(page).errors] == [
        "Запись 9: edu_org.legal_info.inn: ИНН «2466001035» уже есть в записи 5 — две действующие лицензии"]


def test_a_licence_ending_today_is_still_in_force_and_yesterday_not():
    page = copy.deepcopy(PAGE)
    page["data"]["list"][4]["end_date"] = "2026-12-04T00:00:00.000000Z"
    page["data"]["list"][5]["end_date"] = "2026-12-03T00:00:00.000000Z"
    page["data"]["list"][5]["status"] = {"name": None, "code": None}

    names = {record.short_name for record in read(page).records}
    assert "МБДОУ № 55" in names and "МБУ ДО ДДТ" not in names


@pytest.mark.parametrize(("address", "expected"), [
    ("660049, Красноярский край, г. Красноярск, ул. Мира, 1", "город Красноярск"),
    ("Красноярский край, г.Ачинск, ул. Ленина, 2", "город Ачинск"),
    ("662150, Красноярский край, Ачинский р-н, п. Малиновка", "Ачинский муниципальный район"),
    ("Красноярский край, Ачинский муниципальный округ, с. Белый Яр", "Ачинский муниципальный район"),
    ("Красноярский край, ЗАТО п. Солнечный, д. 5", "ЗАТО поселок Солнечный"),
    ("Красноярский край, Уярский район, п. Солнечный", "Уярский муниципальный район"),
    ("Красноярский край, Северо-Енисейский район, гп Северо-Енисейский", "Северо-Енисейский муниципальный район"),
    ("Красноярский край, Енисейский район, с. Озерное", "Енисейский муниципальный район"),
    ("Красноярский край, г. Железногорск, ул. Ленина, 1", "ЗАТО город Железногорск"),
    ("Красноярский край, Таймырский Долгано-Ненецкий муниципальный район, г. Дудинка",
     "Таймырский Долгано-Ненецкий муниципальный район"),
    ("Красноярский край, Шарыповский муниципальный округ, с. Родники", "Шарыповский муниципальный округ"),
])
def test_the_municipality_is_read_from_the_postal_address(address, expected):
    assert municipality_of_address(address, MUNICIPALITIES) == (expected, [])


def test_an_address_naming_two_districts_is_ambiguous():
    assert municipality_of_address("Ачинский район, Уярский район", MUNICIPALITIES) == (
        None, ["Ачинский муниципальный район", "Уярский муниципальный район"])
