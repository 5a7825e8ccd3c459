"""Colour bands of monitoring shares and the plain figures they are drawn from."""
import pytest

from cpp_app.domain.monitoring import (
    AreaFigures,
    Band,
    OrganizationFigures,
    PlatformFigures,
    band,
    sort_columns,
    sorted_rows,
    sum_areas,
)


@pytest.mark.parametrize(("share", "expected"), [
    (0.0, Band.BELOW), (0.49, Band.BELOW), (0.50, Band.BELOW), (5 / 10, Band.BELOW),
    (0.5001, Band.MEDIUM), (0.89, Band.MEDIUM),
    (0.90, Band.GOOD), (9 / 10, Band.GOOD), (1.0, Band.GOOD),
])
def test_organisation_bands_at_the_seed_boundaries(share, expected):
    assert band(share, 0.50, 0.90) is expected


@pytest.mark.parametrize(("part", "whole", "expected"), [
    (0, 10, Band.BELOW), (1, 10, Band.BELOW), (2, 20, Band.BELOW), (11, 100, Band.MEDIUM),
    (24, 100, Band.MEDIUM), (1, 4, Band.GOOD), (25, 100, Band.GOOD), (3, 3, Band.GOOD),
])
def test_teacher_bands_at_the_seed_boundaries(part, whole, expected):
    assert band(part / whole, 0.10, 0.25) is expected


def test_no_share_has_no_band():
    assert band(None, 0.1, 0.25) is None


def test_band_labels_are_russian_words():
    assert [b.label for b in Band] == ["ниже нормы", "средний уровень", "хорошо"]


def test_platform_shares_and_empty_denominators():
    figures = PlatformFigures("sferum", "Сферум", 4, 2, 10, 3, 1)
    assert (figures.organizations_share, figures.registered_share, figures.active_share) == (0.5, 0.3, 0.1)
    empty = PlatformFigures("sferum", "Сферум", 0, 0, 0, 0, 0)
    assert empty.organizations_share is None and empty.active_share is None


def _area(name, municipality_id, orgs, teachers, active, statuses=None, levels=None):
    return AreaFigures(
        name=name, municipality_id=municipality_id, organizations_by_kind={"school": orgs},
        organizations_total=orgs, teachers_registered=teachers, teachers_confirmed=teachers // 2,
        platforms=(PlatformFigures("sferum", "Сферум", orgs, min(orgs, active), teachers, active, active),),
        diagnostics_by_status=statuses or {}, levels=levels or {},
    )


def test_sum_areas_adds_disjoint_municipalities():
    region = sum_areas("Край", [
        _area("А", 1, 2, 10, 1, {"draft": 1, "accepted": 1}, {"basic": 1}),
        _area("Б", 2, 3, 4, 2, {"submitted": 2}, {"basic": 1, "high": 1}),
    ], [("sferum", "Сферум"), ("resh", "РЭШ")])
    assert region.organizations_total == 5 and region.organizations_by_kind == {"school": 5}
    assert (region.teachers_registered, region.teachers_confirmed) == (14, 7)
    assert region.diagnostics_by_status == {"draft": 1, "accepted": 1, "submitted": 2}
    assert region.diagnostics_submitted == 3 and region.levels == {"basic": 2, "high": 1}
    sferum = region.platform("sferum")
    assert (sferum.organizations_total, sferum.organizations_with_active, sferum.teachers_active) == (5, 3, 3)
    assert region.platform("resh").teachers_total == 0


def test_sorting_by_a_whitelisted_column_puts_missing_values_last():
    rows = [_area("Берёзовский", 1, 2, 10, 5), _area("Ачинск", 2, 0, 0, 0), _area("Канск", 3, 1, 20, 1)]
    columns = sort_columns(["sferum"])
    assert [r.name for r in sorted_rows(rows, columns, "sferum.active", True)] == ["Берёзовский", "Канск", "Ачинск"]
    assert [r.name for r in sorted_rows(rows, columns, "sferum.active", False)] == ["Канск", "Берёзовский", "Ачинск"]
    assert [r.name for r in sorted_rows(rows, columns, "teachers", False)] == ["Ачинск", "Берёзовский", "Канск"]
    assert [r.name for r in sorted_rows(rows, columns, "drop table", False)] == ["Ачинск", "Берёзовский", "Канск"]


def test_organisation_figures_share():
    row = OrganizationFigures(1, "Школа № 1", "school", 4, 1, ())
    assert row.confirmed_share == 0.25 and row.platform("sferum") is None
