"""Scoring of the teacher self-assessment: area and overall levels, strengths, growth areas, next steps."""
from fractions import Fraction
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cpp_app.domain.methodology import load_methodology_file
from cpp_app.domain.readiness import assess, mean_text

# Hypothesis tests cannot take function-scoped fixtures: the property tests read the file themselves.
INSTRUMENT = load_methodology_file(
    Path(__file__).resolve().parents[2] / "seeds" / "methodology" / "teacher-readiness-2026.yaml"
)
CODES = [indicator.code for indicator in INSTRUMENT.indicators]


def all_at(score: int) -> dict[str, int]:
    return {code: score for code in CODES}


def test_every_answer_at_three_is_confident_everywhere(teacher_instrument):
    result = assess(teacher_instrument, all_at(3))
    # mean 3 is a share of 0.6: at least «уверенный» (0.5), below «продвинутый» (0.7)
    assert {area.level.title for area in result.areas} == {"уверенный"}
    assert result.level.title == "уверенный" and result.mean == 3
    assert result.complete and result.answered == result.total == len(CODES)
    assert result.strengths == () and result.growth == ()


def test_area_levels_use_the_exact_thresholds(teacher_instrument):
    # content has 3 items: scores 2, 2, 3 → mean 7/3 < 2.5 «базовый»; 2, 3, 3 → 8/3 ≥ 2.5 «уверенный»
    answers = all_at(5) | {"content.find": 2, "content.choose": 2, "content.adapt": 3}
    assert assess(teacher_instrument, answers).area("content").level.title == "базовый"
    answers["content.choose"] = 3
    area = assess(teacher_instrument, answers).area("content")
    assert area.mean == Fraction(8, 3) and area.level.code == "confident"


def test_the_words_of_each_level(teacher_instrument):
    words = []
    for score in range(6):
        words.append(assess(teacher_instrument, all_at(score)).level.title)
    assert words == ["начальный", "начальный", "базовый", "уверенный", "продвинутый", "эксперт"]


def test_strengths_and_growth_areas(teacher_instrument):
    answers = all_at(3)
    answers |= {code: 5 for code in CODES if code.startswith("safety.")}  # эксперт
    answers |= {code: 4 for code in CODES if code.startswith("teaching.")}  # продвинутый
    answers |= {code: 0 for code in CODES if code.startswith("platforms.")}  # начальный
    answers |= {code: 2 for code in CODES if code.startswith("assessment.")}  # базовый
    result = assess(teacher_instrument, answers)
    assert result.strengths == ("safety", "teaching")  # strongest first
    assert result.growth == ("platforms", "assessment")  # weakest first
    # Other thresholds may be chosen.
    assert assess(teacher_instrument, answers, strength_from="expert", growth_below="basic").strengths == ("safety",)
    assert assess(teacher_instrument, answers, growth_below="basic").growth == ("platforms",)
    with pytest.raises(ValueError):
        assess(teacher_instrument, answers, growth_below="nope")


def test_what_the_next_level_means(teacher_instrument):
    result = assess(teacher_instrument, all_at(2) | {code: 5 for code in CODES if code.startswith("safety.")})
    content = result.area("content")
    assert content.next_level.title == "уверенный"
    assert content.next_step.startswith("Следующий уровень — «уверенный» (средний балл от 2,5): ")
    assert content.next_level.description in content.next_step
    top = result.area("safety")
    assert top.next_level is None and top.next_step.startswith("«эксперт» — высший уровень.")
    item = content.items[0]
    assert item.score == 2 and item.statement.startswith("Пробую") and item.next_statement.startswith("Регулярно")


def test_missing_answers_are_reported_not_counted(teacher_instrument):
    answers = {"content.find": 4, "content.choose": None}
    result = assess(teacher_instrument, answers)
    content = result.area("content")
    assert (content.answered, content.total) == (1, 3)
    assert content.missing == ("content.choose", "content.adapt")
    assert content.mean == 4 and content.level.title == "продвинутый"  # not dragged down by zeros
    platforms = result.area("platforms")
    assert platforms.answered == 0 and platforms.mean is None and platforms.level is None
    assert platforms.next_step == "Ответьте на пункты этой области, чтобы узнать свой уровень."
    assert "platforms" not in result.growth and not result.complete
    assert result.mean == 4 and result.level.title == "продвинутый"  # only the area with answers counts
    empty = assess(teacher_instrument, {})
    assert empty.level is None and empty.mean is None and empty.answered == 0


def test_unknown_codes_are_listed_and_bad_scores_refused(teacher_instrument, cos):
    assert assess(teacher_instrument, {"elsewhere.x": 3}).unknown == ("elsewhere.x",)
    for bad in (6, -1, True, 2.5):
        with pytest.raises(ValueError):
            assess(teacher_instrument, {"content.find": bad})
    with pytest.raises(ValueError):
        assess(cos, {})


def test_the_overall_level_weighs_areas_equally(teacher_instrument):
    # 7 platform items at 0 and every other area at 5: the item mean would be 3.6, the area mean is 30/7
    answers = all_at(5) | {code: 0 for code in CODES if code.startswith("platforms.")}
    result = assess(teacher_instrument, answers)
    assert result.mean == Fraction(30, 7)


answer = st.one_of(st.none(), st.integers(min_value=0, max_value=5))


@settings(max_examples=300, deadline=None)
@given(st.fixed_dictionaries({code: answer for code in CODES}), st.sampled_from(CODES), st.data())
def test_raising_one_answer_never_lowers_a_level(answers, code, data):
    current = answers[code]
    low = 0 if current is None else current
    raised = data.draw(st.integers(min_value=low, max_value=5))
    if current is None:
        answers[code] = low  # compare an answered item with the same item answered higher
    before = assess(INSTRUMENT, answers)
    after = assess(INSTRUMENT, answers | {code: raised})
    order = [threshold.code for threshold in INSTRUMENT.thresholds]
    for area_before, area_after in zip(before.areas, after.areas, strict=True):
        if area_before.level is not None:
            assert order.index(area_after.level.code) >= order.index(area_before.level.code)
            assert area_after.mean >= area_before.mean
    assert order.index(after.level.code) >= order.index(before.level.code)
    assert after.answered == before.answered  # raising never turns a missing answer into a counted one


@settings(max_examples=200, deadline=None)
@given(st.fixed_dictionaries({code: answer for code in CODES}))
def test_missing_answers_never_count_as_a_level(answers):
    result = assess(INSTRUMENT, answers)
    assert result.answered == sum(1 for value in answers.values() if value is not None)
    for area in result.areas:
        given_scores = [answers[item.code] for item in area.items if answers[item.code] is not None]
        assert area.missing == tuple(item.code for item in area.items if answers[item.code] is None)
        if not given_scores:
            assert area.level is None and area.mean is None
        else:
            assert area.mean == Fraction(sum(given_scores), len(given_scores))


@pytest.mark.parametrize(("mean", "text"), [(1.46, "1,4"), (1.5, "1,5"), (1.52, "1,5"), (1.2, "1,2"), (2.49, "2,4"),
                                            (Fraction(7, 2), "3,5"), (Fraction(34, 10) + Fraction(1, 100), "3,4"), (5, "5,0")])
def test_a_mean_is_shown_rounded_down_so_it_never_reads_as_the_next_level_bar(mean, text):
    assert mean_text(mean) == text
