"""The development program's pure domain: proposals from deficits, drafts, due dates, road map, outcome."""
from datetime import date

import pytest

from cpp_app.domain.program import (
    ChosenAction,
    MeasureOption,
    closed_deficits,
    default_due_dates,
    default_period,
    draft_texts,
    expected_outcome,
    measures_for,
    progress,
    propose,
    roadmap_by_year,
)
from cpp_app.domain.scoring import score

PERIOD = (2025, 2029)


def full(cos, **overrides):
    """Every indicator at its maximum, then `overrides` (dots written as "__": cos__sferum=1)."""
    answers = {indicator.code: indicator.max_score for indicator in cos.indicators}
    answers.update({name.replace("__", "."): value for name, value in overrides.items()})
    return answers


def option(id_, code, target, course=None):
    return MeasureOption(id_, code, target, f"мера {id_}", "ответственный за ЦОС", "1 месяц", "результат", course)


# A school at 6 of 14 with a critical deficit: the shape the examples in the brief use.
TYPICAL = dict(
    cos__mobile_phones=0, cos__high_speed_internet=1, cos__safe_internet=0, cos__moya_shkola=1, cos__sferum=2,
    cos__it_equipment=1, cos__management_system=1, eios__ebs=0,
)


@pytest.fixture
def typical(cos):
    return score(cos, full(cos, **TYPICAL))


# ------------------------------------------------------------------------------------------------ proposals


def test_one_proposal_per_deficit_critical_first_then_gap_then_methodology_order(cos, typical):
    proposals = propose(cos, typical, [])
    assert [p.indicator_code for p in proposals] == [
        "cos.safe_internet",  # critical
        "cos.moya_shkola",  # gap 2, earlier in the methodology than it_equipment
        "cos.it_equipment",  # gap 2
        "cos.mobile_phones",  # gap 1, methodology order from here
        "cos.sferum",
        "cos.management_system",
        "eios.ebs",  # another section: deficits of every section
    ]
    first = proposals[0]
    assert (first.label, first.section_code, first.critical, first.current, first.maximum) == (
        "Безопасный доступ к сети Интернет", "cos", True, 0, 1,
    )


def test_default_target_is_the_next_level_and_every_higher_level_is_choosable(cos, typical):
    by_code = {p.indicator_code: p for p in propose(cos, typical, [])}
    moya = by_code["cos.moya_shkola"]
    assert (moya.current, moya.target, moya.targets) == (1, 2, (2, 3))
    assert moya.target_text.startswith("не менее 30%")
    assert by_code["cos.sferum"].targets == (3,)
    assert by_code["eios.ebs"].target_text == "имеется"


def test_targets_override_the_default(cos, typical):
    by_code = {p.indicator_code: p for p in propose(cos, typical, [], {"cos.moya_shkola": 3})}
    assert by_code["cos.moya_shkola"].target == 3
    assert by_code["cos.moya_shkola"].target_text.startswith("не менее 95%")
    assert by_code["cos.it_equipment"].target == 2  # untouched ones keep the default


@pytest.mark.parametrize(
    "targets, fragment",
    [
        ({"cos.moya_shkola": 1}, "цель 1 недопустима"),  # the current score
        ({"cos.moya_shkola": 4}, "можно выбрать 2, 3"),  # no such level
        ({"cos.moya_shkola": 0}, "ФГИС «Моя школа» и Библиотека ЦОК"),  # below the current one
        ({"cos.moya_shkola": "3"}, "недопустима"),  # not an int
        ({"cos.moya_shkola": True}, "недопустима"),
        ({"cos.high_speed_internet": 1}, "без дефицита"),  # at its maximum already
        ({"cos.unknown": 1}, "без дефицита"),
    ],
)
def test_invalid_targets_raise_a_russian_message(cos, typical, targets, fragment):
    with pytest.raises(ValueError, match=fragment):
        propose(cos, typical, [], targets)


def test_measures_between_current_and_target_by_score_then_library_order(cos, typical):
    library = [
        option(1, "cos.moya_shkola", 3),
        option(2, "cos.moya_shkola", 1),  # at the current score: already reached
        option(3, "cos.moya_shkola", 2),
        option(4, "cos.sferum", 3),
        option(5, "cos.moya_shkola", 2),
        option(6, "cos.moya_shkola", 3),
    ]
    assert [m.id for m in measures_for("cos.moya_shkola", 1, 3, library)] == [3, 5, 1, 6]
    assert [m.id for m in measures_for("cos.moya_shkola", 1, 2, library)] == [3, 5]
    assert [m.id for m in measures_for("cos.moya_shkola", 0, 1, library)] == [2]
    assert measures_for("cos.it_equipment", 1, 3, library) == ()
    by_code = {p.indicator_code: p for p in propose(cos, typical, library, {"cos.moya_shkola": 3})}
    assert [m.id for m in by_code["cos.moya_shkola"].measures] == [3, 5, 1, 6]
    assert [m.id for m in by_code["cos.sferum"].measures] == [4]
    assert by_code["cos.it_equipment"].measures == ()


def test_no_deficits_no_proposals(cos):
    assert propose(cos, score(cos, full(cos)), [option(1, "cos.sferum", 3)]) == []


# ------------------------------------------------------------------------------------------------ drafts


def test_drafts_name_the_organisation_the_target_level_and_every_deficit(cos, typical):
    proposals = propose(cos, typical, [option(1, "cos.moya_shkola", 2, "Курс о «Моей школе»")])
    drafts = draft_texts("МБОУ СОШ № 7", cos, typical, proposals, PERIOD)
    # 6 + 1 + 1 + 1 + 1 + 1 + 1 = 12 of 14 → «высокий» (from 12).
    assert drafts.goal.startswith(
        "Достижение уровня «высокий» по критерию «ЦОС (поддержка всех активностей)» к 2029 году "
        "(не менее 12 из 14 баллов)"
    )
    assert "МБОУ СОШ № 7" in drafts.goal
    assert "Наличие электронной информационно-образовательной среды" in drafts.goal  # ЭИОС completed too
    tasks = drafts.tasks.splitlines()
    assert len(tasks) == len(proposals)
    assert tasks[1].startswith("Повысить показатель «ФГИС «Моя школа» и Библиотека ЦОК» с 1 до 2 баллов")
    assert tasks[0].startswith("Повысить показатель «Безопасный доступ к сети Интернет» с 0 до 1 балла")
    for proposal in proposals:
        assert f"«{proposal.label}»" in drafts.causes
    causes = drafts.causes.splitlines()
    assert causes[1].startswith("1. «Безопасный доступ к сети Интернет» (критический показатель)")
    assert "«нет»" in causes[1] and "«да»" in causes[1]  # the level texts
    assert "МБОУ СОШ № 7" in drafts.decisions and "ответственного за цифровую" in drafts.decisions
    assert "педагогическом совете" in drafts.decisions
    assert "самодиагностика" in drafts.mechanisms and "«Курс о «Моей школе»»" in drafts.mechanisms
    # Deterministic.
    assert draft_texts("МБОУ СОШ № 7", cos, typical, proposals, PERIOD) == drafts


def test_goal_with_the_level_unchanged_speaks_of_keeping_it(cos):
    result = score(cos, full(cos, eios__ebs=0))  # 14 of 14 already, only the ЭИОС item missing
    proposals = propose(cos, result, [])
    drafts = draft_texts("Школа", cos, result, proposals, PERIOD)
    assert drafts.goal.startswith("Устранение дефицитов")
    assert "уровня «высокий»" in drafts.goal and "14 из 14 баллов" in drafts.goal


def test_goal_counts_a_multi_step_target(cos):
    result = score(cos, full(cos, cos__moya_shkola=0, cos__sferum=0, cos__it_equipment=0))  # 5 of 14
    default = draft_texts("Школа", cos, result, propose(cos, result, []), PERIOD)
    assert "уровня «базовый»" in default.goal and "не менее 7 из 14" in default.goal  # 8 of 14
    further = propose(cos, result, [], {"cos.moya_shkola": 3, "cos.sferum": 3})
    assert "уровня «высокий»" in draft_texts("Школа", cos, result, further, PERIOD).goal  # 12 of 14


# ------------------------------------------------------------------------------------------------ outcome


def test_expected_outcome_scores_now_and_with_every_target_reached(cos):
    answers = full(cos, **TYPICAL)
    before, after = expected_outcome(cos, answers, {"cos.safe_internet": 1, "cos.moya_shkola": 3})
    assert (before.total, before.level.code, before.capped) == (6, "below_basic", False)
    assert (after.total, after.level.code) == (9, "basic")
    # A target below the current score never lowers it; unanswered indicators count as 0.
    _, same = expected_outcome(cos, {**answers, "cos.sferum": None}, {"cos.moya_shkola": 0})
    assert same.total == 4


def test_closed_deficits_are_those_reaching_their_target(cos, typical):
    targets = {"cos.safe_internet": 1, "cos.moya_shkola": 3, "cos.it_equipment": 2}
    later = score(cos, full(cos, **{**TYPICAL, "cos__safe_internet": 1, "cos__moya_shkola": 2, "cos__it_equipment": 3}))
    # moya_shkola moved but not to its target; it_equipment passed its target; a deficit without a target
    # counts as closed once it is no deficit at all (none here).
    assert closed_deficits(typical, later, targets) == ["cos.safe_internet", "cos.it_equipment"]
    everything = score(cos, full(cos))
    assert closed_deficits(typical, everything, {}) == [d.code for d in typical.deficits]
    assert closed_deficits(typical, typical, targets) == []


def test_progress_counts_statuses():
    assert progress([]) == (0, 0, 0, 0.0)
    assert progress(["planned", "done", "in_progress", "done"]) == (1, 1, 2, 0.5)
    with pytest.raises(ValueError, match="Неизвестный статус"):
        progress(["cancelled"])


# ------------------------------------------------------------------------------------------------ dates


def test_due_dates_inside_the_period_critical_in_the_first_year(cos, typical):
    proposals = propose(cos, typical, [])
    dates = default_due_dates(PERIOD, proposals)
    assert set(dates) == {p.indicator_code for p in proposals}
    assert all(date(2025, 1, 1) <= day <= date(2029, 12, 31) for day in dates.values())
    assert dates["cos.safe_internet"] == date(2025, 12, 31)
    others = [dates[p.indicator_code] for p in proposals if not p.critical]
    assert all(day.year >= 2026 for day in others)
    assert others == sorted(others)  # by gap (priority) order
    assert dates["eios.ebs"] == date(2029, 12, 31)


def test_a_multi_step_target_comes_later(cos, typical):
    one = default_due_dates(PERIOD, propose(cos, typical, []))
    two = default_due_dates(PERIOD, propose(cos, typical, [], {"cos.moya_shkola": 3}))
    assert two["cos.moya_shkola"].year == one["cos.moya_shkola"].year + 1
    # Never beyond the period, even for a single year.
    short = default_due_dates((2026, 2026), propose(cos, typical, [], {"cos.moya_shkola": 3}))
    assert set(short.values()) == {date(2026, 12, 31)}


@pytest.mark.parametrize("today, period", [
    (date(2026, 3, 15), (2026, 2030)),  # before the school year: it starts this September
    (date(2026, 8, 31), (2026, 2030)),
    (date(2026, 9, 1), (2027, 2031)),  # the school year has begun: the program starts with the next one
    (date(2026, 12, 31), (2027, 2031)),
    (date(2027, 1, 1), (2027, 2031)),
])
def test_the_default_period_starts_with_the_next_school_year(today, period):
    assert default_period(today) == period
    assert default_period(today, years=3) == (period[0], period[0] + 2)


def test_due_dates_are_never_in_the_past_while_the_period_lasts(cos, typical):
    proposals = propose(cos, typical, [])
    today = date(2027, 5, 20)  # the third year of PERIOD
    dates = default_due_dates(PERIOD, proposals, today)
    assert all(today <= day <= date(2029, 12, 31) for day in dates.values())
    assert dates["cos.safe_internet"] == date(2027, 12, 31)  # critical: the current year, not 2025
    assert default_due_dates(PERIOD, proposals, date(2024, 6, 1)) == default_due_dates(PERIOD, proposals)
    # A period already over: the last day of it, never outside.
    assert set(default_due_dates(PERIOD, proposals, date(2031, 2, 1)).values()) == {date(2029, 12, 31)}


def test_due_dates_refuse_a_reversed_period(cos, typical):
    with pytest.raises(ValueError, match="Период"):
        default_due_dates((2029, 2025), propose(cos, typical, []))


# ------------------------------------------------------------------------------------------------ road map


def action(name, due):
    return ChosenAction("cos.sferum", 2, 3, name, "Иванова И. И.", "заместитель директора", due, "результат")


def test_roadmap_lists_every_year_with_actions_by_due_date():
    actions = [
        action("b", date(2026, 12, 31)),
        action("undated", None),
        action("a", date(2026, 3, 1)),
        action("c", date(2027, 5, 1)),
        action("early", date(2020, 1, 1)),  # before the period: the first year
        action("late", date(2035, 1, 1)),  # after it: the last year
        action("b2", date(2026, 12, 31)),  # a tie keeps the given order
    ]
    roadmap = roadmap_by_year(actions, (2025, 2028))
    assert [year for year, _ in roadmap] == [2025, 2026, 2027, 2028]
    assert {year: [a.text for a in items] for year, items in roadmap} == {
        2025: ["early"],
        2026: ["a", "b", "b2"],
        2027: ["c"],
        2028: ["late", "undated"],
    }
    assert roadmap_by_year([], (2025, 2026)) == [(2025, []), (2026, [])]
