"""The ЭИОС components of the seeded methodology are titled exactly as the seed's slide writes them, and version 2026
changes nothing else against the published 2025 (which stays as it is for the diagnostics made with it)."""
from cpp_app.blueprints.methodology.differences import compare
from cpp_app.domain.methodology import load_methodology_file
from tests.unit.conftest import SEEDED_COS

LATEST_COS = SEEDED_COS.with_name("cos-2026.yaml")
# The seed's slide «Наличие электронной информационно-образовательной среды» (АП₁), in its order and spelling.
SEED_EIOS_TITLES = (
    "Доступ к сети интернет",
    "Локальный акт об ЭИОС",
    "Доступ к ЭБС",
    "Электронный журнал",
    "Электронный портфолио обучающегося",
    "Доступ к учебным планам, РПД",
)


def test_every_eios_component_is_titled_as_in_the_seed():
    latest = load_methodology_file(LATEST_COS)
    assert tuple(indicator.title for indicator in latest.section("eios").indicators) == SEED_EIOS_TITLES


def test_the_latest_seeded_file_is_the_newest_cos_version():
    files = sorted(SEEDED_COS.parent.glob("cos-*.yaml"))
    assert max(load_methodology_file(path).version for path in files) == load_methodology_file(LATEST_COS).version


def test_version_2026_changes_only_the_two_titles_and_says_so():
    old, new = load_methodology_file(SEEDED_COS), load_methodology_file(LATEST_COS)
    diff = compare(old, new, names={})
    assert diff.general == ("изменено примечание к методике",)
    assert not (diff.thresholds or diff.sections or diff.added or diff.removed)
    assert [change.code for change in diff.changed] == ["eios.internet", "eios.e_portfolio"]
    renamed = {"Доступ к сети Интернет": "Доступ к сети интернет",
               "Электронное портфолио обучающегося": "Электронный портфолио обучающегося"}
    old_data = old.to_dict()
    for indicator in next(s for s in old_data["sections"] if s["code"] == "eios")["indicators"]:
        indicator["title"] = renamed.get(indicator["title"], indicator["title"])
    assert old_data | {"version": 2026, "note": new.note} == new.to_dict()
    assert "«Доступ к сети интернет» и «Электронный портфолио обучающегося»" in new.note
