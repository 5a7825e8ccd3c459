
import pytest

from cpp_app.domain.methodology import parse_methodology
from cpp_app.domain.scoring import (
    NBSP,
    ScoringError,
    next_level_plan,
    plan_sentence,
    score,
    suggest,
    suggest_all,
)

COS = [
    "cos.mobile_phones",
    "cos.high_speed_internet",
    "cos.safe_internet",
    "cos.moya_shkola",
    "cos.sferum",
    "cos.it_equipment",
    "cos.management_system",
]
EIOS = ["eios.internet", "eios.local_act", "eios.ebs", "eios.e_journal", "eios.e_portfolio", "eios.curricula"]


def answers(**scores):
    """Seeded answers by short name: answers(sferum=2) → {"cos.sferum": 2}; eios_ebs → "eios.ebs"."""
    result = {}
    for name, value in scores.items():
        prefix, _, rest = name.partition("_") if name.startswith("eios_") else ("cos", "", name)
        result[f"{prefix}.{rest}"] = value
    return result


def with_total(points: int) -> dict:
    """Both critical indicators at 1, the rest filled in methodology order up to `points`."""
    result = {"cos.high_speed_internet": 1, "cos.safe_internet": 1}
    left = points - 2
    for code, top in [("cos.mobile_phones", 1), ("cos.moya_shkola", 3), ("cos.sferum", 3),
                      ("cos.it_equipment", 3), ("cos.management_system", 2)]:
        result[code] = min(top, left)
        left -= result[code]
    assert left == 0
    return result


MAXED = {**dict.fromkeys(COS, 0), "cos.mobile_phones": 1, "cos.high_speed_internet": 1, "cos.safe_internet": 1,
         "cos.moya_shkola": 3, "cos.sferum": 3, "cos.it_equipment": 3, "cos.management_system": 2,
         **dict.fromkeys(EIOS, 1)}


# --- score ---------------------------------------------------------------------------------------------------


def test_nothing_answered(cos):
    result = score(cos, {})
    assert (result.total, result.maximum, result.share) == (0, 14, 0.0)
    assert result.level.code == "below_basic" and not result.capped  # 0 points: the cap changes nothing
    assert result.unanswered == tuple(COS + EIOS) and not result.complete
    assert result.failed_critical == ("cos.high_speed_internet", "cos.safe_internet")
    assert result.section("eios").points == 0
    assert result.section("cos").unanswered == tuple(COS)
    assert result.indicator("cos.sferum").answered is False
    assert result.next_level.code == "basic"


def test_all_zeros_answered(cos):
    result = score(cos, dict.fromkeys(COS + EIOS, 0))
    assert result.total == 0 and result.unanswered == () and result.complete
    assert result.indicator("cos.sferum").text == "отсутствие регистрации образовательной организации"
    assert len(result.deficits) == 13


def test_all_max(cos):
    result = score(cos, MAXED)
    assert (result.total, result.maximum, result.share) == (14, 14, 1.0)
    assert result.level.code == "high" and result.next_level is None
    assert result.failed_critical == () and result.deficits == ()
    assert result.section("eios").points == 5
    assert next_level_plan(cos, MAXED) is None


@pytest.mark.parametrize(
    ("points", "level"),
    [
        (6, "below_basic"),  # 6/14 = 0.43 < 0.5
        (7, "basic"),  # exactly 0.5
        (9, "basic"),  # 0.64 < 0.7
        (10, "medium"),  # 0.714 (9.8 needed)
        (11, "medium"),  # 0.786 < 0.85
        (12, "high"),  # 0.857 (11.9 needed)
        (14, "high"),
    ],
)
def test_level_boundaries(cos, points, level):
    result = score(cos, with_total(points))
    assert result.total == points
    assert result.level.code == level


def test_exact_boundary_without_float_error():
    # 3 of 10 is exactly 0.3; as floats 3 / 10 >= 0.3 holds but 0.3 * 10 > 3 — the level must not depend on it.
    data = {
        "code": "t", "version": 1, "title": "T", "year": "2025/2026", "applies_to": ["school"],
        "levels": {"thresholds": [{"code": "a", "title": "A", "min_share": 0}, {"code": "b", "title": "B", "min_share": 0.3}]},
        "sections": [{"code": "s", "title": "S", "scoring": "sum", "indicators": [
            {"code": "s.x", "title": "X", "levels": [{"score": n, "text": str(n)} for n in range(11)]}]}],
    }
    methodology = parse_methodology(data, "t")
    assert score(methodology, {"s.x": 3}).level.code == "b"
    assert score(methodology, {"s.x": 2}).level.code == "a"


def test_critical_indicator_at_zero_caps_the_level(cos):
    result = score(cos, {**MAXED, "cos.safe_internet": 0})
    assert result.total == 13
    assert result.level_by_share.code == "high"
    assert result.level.code == "below_basic" and result.capped
    assert result.failed_critical == ("cos.safe_internet",)
    assert result.next_level.code == "basic"


def test_unanswered_critical_counts_as_failed(cos):
    partial = dict(MAXED)
    del partial["cos.high_speed_internet"]
    result = score(cos, partial)
    assert result.failed_critical == ("cos.high_speed_internet",)
    assert result.unanswered == ("cos.high_speed_internet",)
    assert result.level.code == "below_basic"


def test_all_or_nothing_section(cos):
    every = dict.fromkeys(EIOS, 1)
    assert score(cos, every).section("eios").points == 5
    assert score(cos, {**every, "eios.ebs": 0}).section("eios").points == 0
    missing = dict(every)
    del missing["eios.e_portfolio"]
    assert score(cos, missing).section("eios").points == 0
    # ЭИОС is reported but does not count towards the ЦОС level.
    assert score(cos, every).total == 0
    assert score(cos, {**MAXED, "eios.ebs": 0}).level.code == "high"


def test_deficits_critical_first_then_by_gap_then_methodology_order(cos):
    given = {**answers(mobile_phones=0, high_speed_internet=1, safe_internet=0, moya_shkola=2, sferum=0,
                       it_equipment=1, management_system=0), **dict.fromkeys(EIOS, 1), "eios.ebs": 0}
    deficits = score(cos, given).deficits
    assert [d.code for d in deficits] == [
        "cos.safe_internet",  # critical
        "cos.sferum",  # gap 3
        "cos.it_equipment",  # gap 2, earlier
        "cos.management_system",  # gap 2
        "cos.mobile_phones",  # gap 1, in methodology order
        "cos.moya_shkola",
        "eios.ebs",
    ]
    sferum = deficits[1]
    assert (sferum.current, sferum.maximum, sferum.gap, sferum.next_score) == (0, 3, 3, 1)
    assert sferum.next_text.startswith("наличие регистрации образовательной организации")
    assert sferum.label == "Платформа «Сферум»" and sferum.section_code == "cos"
    assert deficits[-1].counts_towards_level is False


@pytest.mark.parametrize(
    ("given", "message"),
    [
        ({"cos.unknown": 1}, "нет в методике"),
        ({"cos.management_system": 3}, "нет уровня 3"),
        ({"cos.sferum": -1}, "нет уровня -1"),
        ({"cos.sferum": True}, "нет уровня True"),
        ({"cos.sferum": "2"}, "нет уровня '2'"),
    ],
)
def test_answers_that_do_not_fit(cos, given, message):
    with pytest.raises(ScoringError, match=message):
        score(cos, given)


# --- next-level plans ----------------------------------------------------------------------------------------


def test_plan_when_the_cap_binds_is_to_lift_the_critical_indicator(cos):
    given = {**MAXED, "cos.safe_internet": 0}
    plan = next_level_plan(cos, given)
    assert [(i.code, i.from_score, i.to_score, i.steps) for i in plan.items] == [("cos.safe_internet", 0, 1, 1)]
    assert (plan.target.code, plan.reached.code, plan.steps) == ("basic", "high", 1)
    assert (plan.total_before, plan.total_after, plan.maximum) == (13, 14, 14)
    assert plan_sentence(plan) == (
        "Чтобы перейти на уровень «базовый», достаточно: поднять «Безопасный доступ к сети Интернет» до 1 балла (да)."
        " Это даст уровень «высокий»."
    )


def test_plan_from_nothing_lifts_both_critical_indicators_and_gains_the_points(cos):
    # 7 points are needed, both critical indicators must leave 0: 7 steps whatever is chosen, and the fewest
    # indicators is four (1 + 1 + 3 + 2); the earliest such four are «Моя школа» to 3 and «Сферум» to 2.
    plan = next_level_plan(cos, {})
    assert plan.steps == 7
    assert [(i.code, i.to_score) for i in plan.items] == [
        ("cos.high_speed_internet", 1), ("cos.safe_internet", 1), ("cos.moya_shkola", 3), ("cos.sferum", 2)
    ]
    assert plan.reached.code == "basic"


def test_plan_one_point_short(cos):
    given = answers(mobile_phones=0, high_speed_internet=1, safe_internet=1, moya_shkola=1, sferum=1,
                    it_equipment=1, management_system=1)
    assert score(cos, given).total == 6
    plan = next_level_plan(cos, given)
    assert [(i.code, i.to_score) for i in plan.items] == [("cos.mobile_phones", 1)]
    assert plan_sentence(plan) == (
        "Чтобы перейти на уровень «базовый», достаточно: поднять «Локальные акты об ограничении мобильных телефонов»"
        " до 1 балла (да)."
    )


def test_plan_prefers_one_indicator_over_two(cos):
    given = answers(mobile_phones=1, high_speed_internet=1, safe_internet=1, moya_shkola=2, sferum=1,
                    it_equipment=1, management_system=1)
    assert score(cos, given).level.code == "basic"  # 8 points; «средний» needs 10
    plan = next_level_plan(cos, given)
    assert [(i.code, i.from_score, i.to_score, i.steps) for i in plan.items] == [("cos.sferum", 1, 3, 2)]
    assert plan.target.code == "medium"
    assert plan_sentence(plan) == (
        "Чтобы перейти на уровень «средний», достаточно: поднять «Платформа «Сферум»» до 3 баллов (100% педагогических"
        " работников включены в сетевые профессиональные сообщества по обмену педагогическим опытом и активно"
        " используют платформу «Сферум»)."
    )


def test_plan_applied_reaches_the_target(cos):
    given = answers(high_speed_internet=1, safe_internet=1, moya_shkola=3, sferum=3, it_equipment=1)
    plan = next_level_plan(cos, given)
    after = score(cos, plan.apply(given))
    assert after.level == plan.reached
    assert cos.thresholds.index(after.level) == cos.thresholds.index(score(cos, given).level) + 1


def _methodology(indicators, thresholds, cap=None, extra_sections=()):
    return parse_methodology(
        {
            "code": "t", "version": 1, "title": "T", "year": "2025/2026", "applies_to": ["school"],
            "levels": {
                "thresholds": [{"code": c, "title": c, "min_share": s} for c, s in thresholds],
                **({"critical_cap": cap} if cap else {}),
            },
            "sections": [{"code": "s", "title": "S", "scoring": "sum", "indicators": indicators}, *extra_sections],
        },
        "t",
    )


def _indicator(code, scores, critical=False):
    return {"code": code, "title": code.upper(), "critical": critical,
            "levels": [{"score": s, "text": f"{code}={s}"} for s in scores]}


def test_plan_is_optimal_where_greedy_by_gap_is_not():
    # A has the largest gap (4) and comes first: greedy-by-gap raises it three steps to gain 3 points.
    # B's only step is worth 3 points: one step suffices.
    methodology = _methodology(
        [_indicator("s.a", [0, 1, 2, 3, 4]), _indicator("s.b", [0, 3]), _indicator("s.c", [0, 1])],
        [("low", 0), ("mid", 0.375), ("top", 1)],
    )
    result = score(methodology, {})
    assert result.maximum == 8 and [d.code for d in result.deficits][0] == "s.a"
    plan = next_level_plan(methodology, {})
    assert [(i.code, i.from_score, i.to_score, i.steps) for i in plan.items] == [("s.b", 0, 3, 1)]
    assert plan.reached.code == "mid"


def test_plan_completes_an_all_or_nothing_section_when_that_is_cheaper():
    methodology = _methodology(
        [_indicator("s.x", [0, 1, 2, 3])],
        [("low", 0), ("mid", 0.5), ("top", 1)],
        extra_sections=[{"code": "e", "title": "E", "scoring": "all_or_nothing", "points": 4, "indicators": [
            _indicator("e.p", [0, 1]), _indicator("e.q", [0, 1])]}],
    )
    assert methodology.max_points == 7
    plan = next_level_plan(methodology, {})  # 4 points needed: s.x gives at most 3
    assert [(i.code, i.to_score) for i in plan.items] == [("e.p", 1), ("e.q", 1)]
    plan = next_level_plan(methodology, {"s.x": 3, "e.p": 1})  # 3 points; one item completes the section
    assert [(i.code, i.to_score) for i in plan.items] == [("e.q", 1)]
    assert plan.reached.code == "top"


def test_plan_with_a_cap_above_the_bottom():
    methodology = _methodology(
        [_indicator("s.k", [0, 1], critical=True), _indicator("s.y", [0, 1, 2, 3])],
        [("low", 0), ("mid", 0.5), ("high", 0.75)],
        cap="mid",
    )
    capped = score(methodology, {"s.k": 0, "s.y": 3})
    assert (capped.level_by_share.code, capped.level.code, capped.capped) == ("high", "mid", True)
    plan = next_level_plan(methodology, {"s.k": 0, "s.y": 3})
    assert [(i.code, i.to_score) for i in plan.items] == [("s.k", 1)]
    # Below the cap the critical indicator is not forced; with equal cost the earlier indicator wins.
    plan = next_level_plan(methodology, {"s.k": 0, "s.y": 1})
    assert plan.target.code == "mid" and [(i.code, i.to_score) for i in plan.items] == [("s.k", 1)]


def test_plan_counts_steps_through_levels_with_gaps():
    # s.g has levels 0, 2, 5: one step from 0 is worth 2 points, two steps 5.
    methodology = _methodology(
        [_indicator("s.g", [0, 2, 5]), _indicator("s.h", [0, 1, 2, 3])],
        [("low", 0), ("top", 0.625)],
    )
    plan = next_level_plan(methodology, {})  # 5 of 8 points needed
    assert [(i.code, i.to_score, i.steps) for i in plan.items] == [("s.g", 5, 2)]


def test_no_plan_at_the_top(cos):
    assert next_level_plan(cos, with_total(12)) is None


# --- suggestions from live data ------------------------------------------------------------------------------


def pct(n):
    return f"{n}{NBSP}%"


def test_suggestion_moya_shkola_not_everyone_registered(cos):
    suggestion = suggest(cos, "cos.moya_shkola", {"moya_shkola": {"registered": 10, "active": 8}}, 24)
    assert suggestion.score == 0
    assert suggestion.reasons[0] == (
        f"Зарегистрированы во ФГИС «Моя школа»: 18 из 24 педагогов ({pct(75)}), нужно {pct(100)} для 1 балла"
        " — не выполнено"
    )


@pytest.mark.parametrize(
    ("cok_active", "staff", "expected"),
    [
        (0, 24, 1),
        (7, 24, 1),  # 29 %
        (8, 24, 2),  # 33 %
        (3, 10, 2),  # exactly 30 %
        (22, 24, 2),  # 91 %
        (19, 20, 3),  # exactly 95 %
        (23, 24, 3),
    ],
)
def test_suggestion_moya_shkola_levels(cos, cok_active, staff, expected):
    counts = {"moya_shkola": {"registered": staff}, "cok_library": {"active": cok_active, "registered": staff}}
    assert suggest(cos, "cos.moya_shkola", counts, staff).score == expected


def test_suggestion_levels_are_cumulative(cos):
    # Everyone uses the library, but one teacher is not registered on «Моя школа»: level 1 fails, so 0.
    counts = {"moya_shkola": {"registered": 23, "not_registered": 1}, "cok_library": {"active": 24}}
    suggestion = suggest(cos, "cos.moya_shkola", counts, 24)
    assert suggestion.score == 0
    assert len([r for r in suggestion.reasons if "выполнено" in r]) == 1  # stops at the first level not met


@pytest.mark.parametrize(
    ("counts", "expected"),
    [
        ({}, 0),
        ({"sferum": {"not_registered": 24}}, 0),
        ({"sferum": {"registered": 1}}, 1),
        ({"sferum": {"registered": 22}}, 1),  # 91 %
        ({"sferum": {"registered": 20, "active": 3}}, 2),  # 95.8 %
        ({"sferum": {"registered": 24}}, 2),
        ({"sferum": {"active": 23, "registered": 1}}, 2),
        ({"sferum": {"active": 24}}, 3),
    ],
)
def test_suggestion_sferum(cos, counts, expected):
    assert suggest(cos, cos.indicator("cos.sferum"), counts, 24).score == expected


def test_suggestion_sferum_reasons_carry_the_notes(cos):
    suggestion = suggest(cos, "cos.sferum", {"sferum": {"registered": 24}}, 24)
    assert suggestion.reasons[0] == (
        f"Зарегистрированы в «Сферуме»: 24 из 24 педагогов ({pct(100)}), нужно не менее 1 педагога для 1 балла"
        " — выполнено"
    )
    assert any("только педагоги" in r for r in suggestion.reasons)
    assert any(r.startswith("Активно используют «Сферум»: 0 из 24") and r.endswith("не выполнено")
               for r in suggestion.reasons)


def test_suggestion_grammar_for_21(cos):
    suggestion = suggest(cos, "cos.moya_shkola", {"moya_shkola": {"active": 21}}, 21)
    assert suggestion.reasons[0].startswith(f"Зарегистрированы во ФГИС «Моя школа»: 21 из 21 педагога ({pct(100)})")


@pytest.mark.parametrize("staff", [0, None])
def test_no_suggestion_without_a_staff_count(cos, staff):
    suggestion = suggest(cos, "cos.sferum", {"sferum": {"active": 5}}, staff)
    assert suggestion.score is None
    assert "Численность педагогов не указана" in suggestion.reasons[0]


def test_suggestions_only_for_indicators_with_a_rule(cos):
    assert suggest(cos, "cos.it_equipment", {}, 24) is None
    everything = suggest_all(cos, {"moya_shkola": {"registered": 24}, "sferum": {"active": 24}}, 24)
    assert {code: s.score for code, s in everything.items()} == {"cos.moya_shkola": 1, "cos.sferum": 3}
