"""Disclosure control of the research view: groups under five are hidden, small places merged into «прочие»."""
from hypothesis import given
from hypothesis import strategies as st

from cpp_app.domain.research import (
    MIN_GROUP,
    NOT_STATED,
    OTHERS,
    DatasetRow,
    experience_band,
    merge_small_cells,
    position_group,
    share,
)


def row(municipality, kind="школа", experience="до 3 лет"):
    return DatasetRow(1, municipality, kind, experience, "учитель", (3, 4), (True, False))


def test_experience_bands_and_position_groups():
    assert [experience_band(y) for y in (None, -1, 0, 2, 3, 9, 10, 19, 20, 45)] == [
        NOT_STATED, NOT_STATED, "до 3 лет", "до 3 лет", "3–9 лет", "3–9 лет", "10–19 лет", "10–19 лет",
        "20 лет и более", "20 лет и более"]
    assert position_group("Учитель математики") == "учитель"
    assert position_group("Заместитель директора по УВР, учитель физики") == "руководитель"
    assert position_group("педагог дополнительного образования") == "педагог дополнительного образования"
    assert position_group("Воспитатель") == "воспитатель"
    assert position_group("педагог-психолог") == "другой педагогический работник"
    assert position_group("  ") == NOT_STATED


def test_a_group_under_five_shows_no_figure():
    assert share(3, 4) == share(0, 4)  # nothing about the answers of four people leaks
    assert share(3, 4).suppressed and share(3, 4).count is None
    assert share(3, MIN_GROUP).count == 3 and not share(3, MIN_GROUP).suppressed


def test_small_cells_are_merged_into_others():
    rows = [row("Красноярск")] * 5 + [row("Эвенкийский")] * 2 + [row("Красноярск", "детский сад")]
    merged = merge_small_cells(rows)
    assert [r.municipality for r in merged] == ["Красноярск"] * 5 + [OTHERS] * 3
    assert {r.organization_kind for r in merged[5:]} == {OTHERS}
    assert merged[0].answers == (3, 4)  # the answers themselves are kept


@given(st.lists(st.tuples(st.sampled_from(["А", "Б", "В", "Г"]), st.sampled_from(["школа", "сад"])), max_size=40))
def test_after_merging_no_named_cell_is_smaller_than_five(cells):
    merged = merge_small_cells([row(m, k) for m, k in cells])
    named = [(r.municipality, r.organization_kind) for r in merged if r.municipality != OTHERS]
    assert all(named.count(cell) >= MIN_GROUP for cell in set(named))
    assert len(merged) == len(cells)
