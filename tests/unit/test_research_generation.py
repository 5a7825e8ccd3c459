"""The bulk generator's fast scoring equals domain.readiness.assess, and a stream of dataset rows merged one at a
time equals merging the whole list."""
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from cpp_app.demo_readiness import FastScorer
from cpp_app.domain.methodology import load_methodology_file
from cpp_app.domain.readiness import assess
from cpp_app.domain.research import DatasetRow, merge_row, merge_small_cells, small_cells

INSTRUMENT = load_methodology_file(
    Path(__file__).resolve().parents[2] / "seeds" / "methodology" / "teacher-readiness-2026.yaml")
SCORER = FastScorer(INSTRUMENT)
RANKS = {t.code: index for index, t in enumerate(INSTRUMENT.thresholds)}

answers = st.fixed_dictionaries({i.code: st.one_of(st.none(), st.sampled_from(i.scores)) for i in INSTRUMENT.indicators})


@settings(max_examples=300)
@given(answers)
def test_fast_scoring_equals_assess(given_answers):
    expected = assess(INSTRUMENT, given_answers)
    areas = SCORER.areas(given_answers)
    assert [(a.code, a.level_rank, a.mean) for a in areas] == [
        (area.code, RANKS[area.level.code], area.mean) for area in expected.areas if area.level is not None]
    assert [a.code for a in SCORER.growth(areas)] == list(expected.growth)


rows = st.lists(st.builds(
    DatasetRow, st.just(2026), st.sampled_from(["А", "Б", "В"]), st.sampled_from(["Школа", "СПО"]),
    st.just("до 3 лет"), st.just("учитель"), st.tuples(st.integers(0, 5)), st.tuples(st.booleans())), max_size=40)


@given(rows)
def test_rows_merged_one_at_a_time_equal_the_whole_list_merged(dataset):
    sizes = {}
    for row in dataset:
        sizes[(row.municipality, row.organization_kind)] = sizes.get((row.municipality, row.organization_kind), 0) + 1
    small = small_cells(sizes)
    assert [merge_row(row, small) for row in dataset] == merge_small_cells(dataset)
