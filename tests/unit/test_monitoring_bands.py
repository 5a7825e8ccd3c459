"""The seed's monitoring bands per platform, measure and organisation kind, their legend, and shares shown with the
precision that keeps their band honest."""
from datetime import date
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import pytest
import yaml

from cpp_app.domain.monitoring import (
    Band,
    PlatformFigures,
    StudentFigures,
    Threshold,
    Thresholds,
    banded_percent,
    percent_text,
)

SEED = Path(__file__).resolve().parents[2] / "seeds" / "monitoring_thresholds.yaml"
SCHOOLS_SOURCE = ("Мониторинг подключения образовательных организаций к информационно-коммуникационной платформе "
                  "Сферум в субъектах РФ (Минпросвещения России, Минцифры России), показатели с 25.05.2023")
PRESCHOOLS_SOURCE = ("Мониторинг подключения ДОО к информационно-коммуникационной платформе Сферум в субъектах РФ "
                     "(Минпросвещения России, Минцифры России), показатели с 18.05.2023")
NAMES = {"sferum": "Сферум", "vk_messenger": "VK Мессенджер", "moya_shkola": "ФГИС «Моя школа»",
         "cok_library": "Библиотека ЦОК", "kiasuo": "КИАСУО / электронный дневник", "resh": "РЭШ",
         "gosuslugi": "Госуслуги"}


@pytest.fixture(scope="module")
def seed() -> Thresholds:
    rows = yaml.safe_load(SEED.read_text(encoding="utf-8"))
    return Thresholds.from_rows((r["platform_code"], r["measure"], r["organization_kind"], r["below_max"],
                                 r["good_min"], r["source"]) for r in rows)


# (measure, organisation kind, share, band) at and around every boundary the seed gives.
SEED_BOUNDARIES = [
    *[("organizations", kind, share, expected) for kind in (None, "school", "preschool", "college")
      for share, expected in ((0.0, Band.BELOW), (0.5, Band.BELOW), (Fraction(501, 1000), Band.MEDIUM),
                              (Fraction(899, 1000), Band.MEDIUM), (0.9, Band.GOOD), (1.0, Band.GOOD))],
    *[("teachers", kind, share, expected) for kind in (None, "school", "branch", "college")
      for share, expected in ((Fraction(1, 10), Band.BELOW), (Fraction(101, 1000), Band.MEDIUM),
                              (Fraction(249, 1000), Band.MEDIUM), (Fraction(1, 4), Band.GOOD))],
    ("teachers", "preschool", Fraction(1, 40), Band.BELOW),
    ("teachers", "preschool", Fraction(24, 1000), Band.BELOW),
    ("teachers", "preschool", Fraction(26, 1000), Band.MEDIUM),
    ("teachers", "preschool", Fraction(1, 10), Band.GOOD),  # «средний уровень» for a school, good for a preschool
    ("teachers", "preschool", Fraction(49, 1000), Band.MEDIUM),
    ("teachers", "preschool", Fraction(1, 20), Band.GOOD),
    ("students", None, Fraction(15, 100), Band.BELOW),
    ("students", "school", Fraction(151, 1000), Band.MEDIUM),
    ("students", None, Fraction(249, 1000), Band.MEDIUM),
    ("students", None, Fraction(1, 4), Band.GOOD),
]


@pytest.mark.parametrize("platform", ["sferum", "vk_messenger"])
@pytest.mark.parametrize(("measure", "kind", "share", "expected"), SEED_BOUNDARIES)
def test_the_seed_bands_per_kind_at_every_boundary(seed, platform, measure, kind, share, expected):
    # Shares are int/int divisions: the float of the fraction, as the figures compute them.
    assert seed.of(platform, measure, kind).band(float(share)) is expected


@pytest.mark.parametrize("platform", ["moya_shkola", "cok_library", "kiasuo", "resh", "gosuslugi"])
@pytest.mark.parametrize("measure", ["organizations", "teachers", "students", "registered"])
@pytest.mark.parametrize("kind", [None, "school", "preschool"])
def test_no_band_where_the_seed_gives_none(seed, platform, measure, kind):
    assert seed.of(platform, measure, kind) is None


def test_every_seed_band_names_its_source(seed):
    assert seed.of("sferum", "teachers", "preschool").source == PRESCHOOLS_SOURCE
    for measure in ("organizations", "teachers", "students"):
        assert seed.of("sferum", measure, "school").source == SCHOOLS_SOURCE
        assert seed.of("vk_messenger", measure).source == SCHOOLS_SOURCE


def test_a_kind_rule_wins_over_the_any_kind_rule_and_an_institute_band_is_labelled():
    thresholds = Thresholds.from_rows([
        ("resh", "teachers", "any", 0.2, 0.4, "порог КК ИПК"),
        ("resh", "teachers", "college", 0.3, 0.5, "порог КК ИПК"),
    ])
    assert thresholds.of("resh", "teachers", "college") == Threshold(0.3, 0.5, "порог КК ИПК")
    assert thresholds.of("resh", "teachers", "school") == Threshold(0.2, 0.4, "порог КК ИПК")
    assert thresholds.of("resh", "organizations") is None
    legend = thresholds.legend({"resh": "РЭШ", "sferum": "Сферум"})
    assert legend[0] == ("Пороги: порог КК ИПК. РЭШ: доля педагогов — «ниже нормы» до 20\u00a0% включительно, «хорошо» "
                         "от 40\u00a0%; доля педагогов профессиональных образовательных организаций — «ниже нормы» "
                         "до 30\u00a0% включительно, «хорошо» от 50\u00a0%; между ними — «средний уровень».")
    assert legend[-1].endswith("доля зарегистрированных педагогов и все доли: Сферум.")


def test_the_legend_names_the_sources_values_and_unbanded_shares(seed):
    legend = seed.legend(NAMES)
    assert legend[0] == (
        f"Пороги: {SCHOOLS_SOURCE}. Сферум, VK Мессенджер: доля организаций (кроме организаций дополнительного "
        "образования) — «ниже нормы» до 50\u00a0% включительно, «хорошо» от 90\u00a0%; доля педагогов — «ниже нормы» "
        "до 10\u00a0% включительно, «хорошо» от 25\u00a0%; доля обучающихся — «ниже нормы» до 15\u00a0% включительно, "
        "«хорошо» от 25\u00a0%; между ними — «средний уровень».")
    assert legend[1] == (
        f"Пороги: {PRESCHOOLS_SOURCE}. Сферум, VK Мессенджер: доля педагогов дошкольных образовательных организаций "
        "— «ниже нормы» до 2,5\u00a0% включительно, «хорошо» от 5\u00a0%; между ними — «средний уровень».")
    assert legend[2] == ("Без уровня — источники порогов для них не дают: доля зарегистрированных педагогов и все "
                         "доли: ФГИС «Моя школа», Библиотека ЦОК, КИАСУО / электронный дневник, РЭШ, Госуслуги.")
    # A page showing one platform names only its bands.
    assert seed.legend({"resh": "РЭШ"}) == (
        "Без уровня — источники порогов для них не дают: доля зарегистрированных педагогов и все доли: РЭШ.",)


# ---------------------------------------------------------------------------------------- boundary display

ORGS, TEACHERS, PRESCHOOL = Threshold(0.5, 0.9), Threshold(0.1, 0.25), Threshold(0.025, 0.05)


@pytest.mark.parametrize(("share", "threshold", "shown"), [
    (0.5, ORGS, "50\u00a0%"),  # exactly at the threshold: below the norm, as shown
    (0.5006, ORGS, "50,1\u00a0%"),  # not «50 %» next to «средний уровень»
    (0.50004, ORGS, "50,1\u00a0%"),  # even one decimal rounds onto the threshold: up into the band
    (0.5049, ORGS, "50,5\u00a0%"),
    (0.505, ORGS, "51\u00a0%"),  # far enough: a whole percent in the same band
    (0.4996, ORGS, "50\u00a0%"),  # «50 %» is below the norm, as 49,96 % is
    (0.896, ORGS, "89,6\u00a0%"),  # not «90 %» next to «средний уровень»
    (0.89996, ORGS, "89,9\u00a0%"),  # one decimal would round up to 90,0: down into the band
    (0.9, ORGS, "90\u00a0%"),
    (0.9004, ORGS, "90\u00a0%"),
    (0.33, ORGS, "33\u00a0%"),
    (0.1, TEACHERS, "10\u00a0%"),
    (0.1004, TEACHERS, "10,1\u00a0%"),
    (0.104, TEACHERS, "10,4\u00a0%"),
    (0.2496, TEACHERS, "24,9\u00a0%"),
    (0.2451, TEACHERS, "24,5\u00a0%"),  # «25 %» would read as good
    (0.25, TEACHERS, "25\u00a0%"),
    (1 / 40, PRESCHOOL, "2,5\u00a0%"),  # «3 %» would read as above the threshold
    (0.0251, PRESCHOOL, "3\u00a0%"),
    (0.0249, PRESCHOOL, "2\u00a0%"),
    (0.0499, PRESCHOOL, "4,9\u00a0%"),
    (0.04999, PRESCHOOL, "4,9\u00a0%"),
    (0.05, PRESCHOOL, "5\u00a0%"),
    (0.0, TEACHERS, "0\u00a0%"),
    (1.0, ORGS, "100\u00a0%"),
    (None, ORGS, "—"),
    (0.5006, None, "50\u00a0%"),  # no band to keep honest: a whole percent
    (0.125, None, "13\u00a0%"),
])
def test_a_banded_share_is_shown_in_its_band(share, threshold, shown):
    assert banded_percent(share, threshold) == shown


@pytest.mark.parametrize("threshold", [ORGS, TEACHERS, PRESCHOOL, Threshold(0.15, 0.25)])
def test_every_shown_share_of_up_to_2000_lies_in_its_band(threshold):
    for whole in (7, 40, 199, 1000, 2000):
        for part in range(whole + 1):
            share = part / whole
            text = banded_percent(share, threshold)
            shown = Decimal(text.removesuffix("\u00a0%").replace(",", ".")) / 100
            assert threshold.band(float(shown)) is threshold.band(share), (part, whole, text)
            assert abs(shown - Decimal(share)) < Decimal("0.006"), (part, whole, text)


def test_thresholds_are_written_as_the_seed_writes_them():
    assert [percent_text(v) for v in (0.5, 0.9, 0.025, 0.05, 0.15)] == [
        "50\u00a0%", "90\u00a0%", "2,5\u00a0%", "5\u00a0%", "15\u00a0%"]


# ------------------------------------------------------------------------------------ kinds and students


def test_preschool_teachers_are_counted_apart_in_an_area():
    figures = PlatformFigures("sferum", "Сферум", 10, 6, teachers_total=120, teachers_registered=80,
                              teachers_active=33, preschool_teachers_total=20, preschool_teachers_active=3)
    assert figures.other_active_share == 0.3
    assert figures.preschool_active_share == 0.15
    assert PlatformFigures("sferum", "Сферум", 1, 1, 5, 5, 2).preschool_active_share is None


def test_student_figures_add_up_with_their_dates():
    a = StudentFigures(2, 900, 200, date(2026, 9, 10), date(2026, 10, 1))
    b = StudentFigures(1, 100, 50, date(2026, 9, 1), date(2026, 9, 1))
    total = a + b + StudentFigures()
    assert total == StudentFigures(3, 1000, 250, date(2026, 9, 1), date(2026, 10, 1))
    assert total.share == 0.25 and StudentFigures().share is None
