"""The federal targets of ФГИС «Моя школа» (Приказ Минпросвещения № 396) as the seed file gives them: the target of
every year, what a year between listed ones uses, the percentage that never rounds up to a target."""
from pathlib import Path

import pytest
import yaml

from cpp_app.domain.federal_targets import parse_targets, percent_text

TARGETS_FILE = Path(__file__).resolve().parents[2] / "seeds" / "federal_targets.yaml"


@pytest.fixture(scope="module")
def federal():
    return parse_targets(yaml.safe_load(TARGETS_FILE.read_text(encoding="utf-8")))


@pytest.mark.parametrize("year, teachers, organizations, set_for", [
    (2022, 0.10, 0.10, 2022),
    (2023, 0.20, 0.20, 2023),
    (2024, 0.40, 0.30, 2024),
    (2025, 0.50, 0.40, 2025),
    (2026, 0.50, 0.40, 2025),  # no value for 2026–2029: the latest listed year before
    (2027, 0.50, 0.40, 2025),
    (2029, 0.50, 0.40, 2025),
    (2030, 0.90, 0.95, 2030),
    (2035, 0.90, 0.95, 2030),
])
def test_target_of_each_year(federal, year, teachers, organizations, set_for):
    teacher_target, organization_target = federal.for_year("teachers", year), federal.for_year("organizations", year)
    assert (teacher_target.value, organization_target.value) == (teachers, organizations)
    assert teacher_target.set_for == organization_target.set_for == set_for
    assert teacher_target.exact == (year == set_for)


def test_no_target_before_the_first_listed_year(federal):
    assert federal.for_year("teachers", 2021) is None and federal.for_year("students", 2026) is None


def test_the_source_is_the_order_as_the_seed_names_it(federal):
    assert federal.platform == "moya_shkola"
    assert federal.source.startswith("Приказ Минпросвещения России от 30.06.2021 № 396 «О создании федеральной "
                                     "государственной информационной системы Минпросвещения России «Моя школа»")
    assert federal.measures["teachers"].title.startswith("Доля педагогических работников, использующих сервисы")


def test_a_year_between_listed_ones_says_which_value_it_uses(federal):
    target = federal.for_year("teachers", 2026)
    assert target.label == "ориентир 2026: 50\u00a0%"
    assert target.explanation == ("на 2026 год приказ значения не даёт — взято последнее до него: значение на 2025 год "
                                  "(справочное); на 2030 год — 90\u00a0% (справочное)")
    assert federal.for_year("organizations", 2024).explanation == "значение приказа на 2024 год"
    assert federal.for_year("organizations", 2025).explanation == "значение приказа на 2025 год (справочное)"
    assert federal.for_year("organizations", 2031).explanation == (
        "на 2031 год приказ значения не даёт — взято последнее до него: значение на 2030 год (справочное)")


def test_met_is_at_or_above_the_target(federal):
    target = federal.for_year("teachers", 2026)
    assert target.met(0.5) is True and target.met(0.4999) is False and target.met(None) is None


def test_the_regional_totals_of_the_seed(federal):
    totals = federal.totals
    assert (totals.organizations, totals.organizations_active, totals.teachers, totals.teachers_active) == (
        901, 785, 22936, 11293)
    assert "365 дней" in totals.active_user and "365 дней" in totals.active_organization
    assert percent_text(totals.organizations_share) == "87,1\u00a0%" and percent_text(totals.teachers_share) == "49,2\u00a0%"


@pytest.mark.parametrize("share, text", [
    (0.5, "50"), (0.4999, "49,9"), (0.29, "29"), (0.123, "12,3"), (1, "100"), (0, "0"), (0.95, "95"),
])
def test_percent_text_rounds_down_to_one_decimal(share, text):
    assert percent_text(share) == f"{text}\u00a0%"


def test_a_value_outside_zero_to_one_is_refused():
    with pytest.raises(ValueError, match="from 0 to 1"):
        parse_targets({"platform": "p", "source": "s", "measures": {"teachers": {"title": "t", "values": {2022: 10}}}})
