"""Properties of scoring on small random methodologies, with brute force as the referee for plans."""
from itertools import product

from hypothesis import given, settings
from hypothesis import strategies as st

from cpp_app.domain.methodology import ACCOUNT_STATUSES, methodology_hash, parse_methodology
from cpp_app.domain.scoring import next_level_plan, score, suggest

PLATFORMS = ("sferum", "moya_shkola", "cok_library")
FAST = settings(max_examples=60, deadline=None)


@st.composite
def scores(draw):
    """Strictly rising scores from 0, two to four levels, steps of 1–3 points."""
    steps = draw(st.lists(st.integers(1, 3), min_size=1, max_size=3))
    result = [0]
    for step in steps:
        result.append(result[-1] + step)
    return result


@st.composite
def auto_rule(draw, nonzero):
    covered = nonzero[: draw(st.integers(1, len(nonzero)))]
    levels = {}
    for level in covered:
        conditions = []
        for _ in range(draw(st.integers(1, 2))):
            condition = {
                "platform": draw(st.sampled_from(PLATFORMS)),
                "statuses": draw(st.lists(st.sampled_from(ACCOUNT_STATUSES), min_size=1, max_size=3, unique=True)),
            }
            if draw(st.booleans()):
                condition["min_share"] = draw(st.sampled_from([0.1, 0.3, 0.5, 0.95, 1.0]))
            else:
                condition["min_count"] = draw(st.integers(1, 5))
            conditions.append(condition)
        levels[level] = conditions
    return {"kind": "platform_shares", "levels": levels}


@st.composite
def methodologies(draw):
    """One to three sections, at most five indicators in all; the first section counts towards the level."""
    sections = []
    count = 0
    for number in range(draw(st.integers(1, 3))):
        all_or_nothing = draw(st.booleans())
        counts = number == 0 or draw(st.booleans())
        indicators = []
        for _ in range(draw(st.integers(1, max(1, min(3, 5 - count))))):
            count += 1
            levels = [0, 1] if all_or_nothing else draw(scores())
            indicator = {
                "code": f"s{number}.i{count}",
                "title": f"Показатель {count}",
                "critical": counts and draw(st.booleans()),
                "levels": [{"score": s, "text": f"уровень {s}"} for s in levels],
            }
            if draw(st.booleans()):
                indicator["auto"] = draw(auto_rule(levels[1:]))
            indicators.append(indicator)
        section = {
            "code": f"s{number}",
            "title": f"Раздел {number}",
            "scoring": "all_or_nothing" if all_or_nothing else "sum",
            "counts_towards_level": counts,
            "indicators": indicators,
        }
        if all_or_nothing:
            section["points"] = draw(st.integers(1, 6))
        sections.append(section)
        if count >= 5:
            break
    shares = draw(st.lists(st.sampled_from([0.2, 0.25, 0.4, 0.5, 0.6, 0.7, 0.75, 0.85, 0.9, 1.0]),
                           max_size=3, unique=True))
    thresholds = [{"code": f"l{i}", "title": f"уровень {i}", "min_share": s} for i, s in enumerate([0, *sorted(shares)])]
    levels = {"thresholds": thresholds}
    cap = draw(st.none() | st.sampled_from([t["code"] for t in thresholds]))
    if cap:
        levels["critical_cap"] = cap
    data = {"code": "rnd", "version": 1, "title": "Случайная", "year": "2025/2026", "applies_to": ["school"],
            "levels": levels, "sections": sections}
    return parse_methodology(data, "random")


@st.composite
def methodology_and_answers(draw):
    methodology = draw(methodologies())
    answers = {i.code: draw(st.none() | st.sampled_from(i.scores)) for i in methodology.indicators}
    return methodology, answers


def level_index(methodology, answers):
    return methodology.thresholds.index(score(methodology, answers).level)


@FAST
@given(methodology_and_answers())
def test_total_never_exceeds_the_maximum(case):
    methodology, answers = case
    result = score(methodology, answers)
    assert 0 <= result.total <= result.maximum == methodology.max_points
    assert 0 <= result.share <= 1
    assert all(0 <= s.points <= s.max_points for s in result.sections)
    assert result.total == sum(s.points for s in result.sections if s.counts_towards_level)


@FAST
@given(methodology_and_answers(), st.data())
def test_raising_one_answer_never_lowers_the_level(case, data):
    methodology, answers = case
    indicator = data.draw(st.sampled_from(methodology.indicators))
    current = answers[indicator.code] or 0
    higher = [s for s in indicator.scores if s > current]
    if not higher:
        return
    raised = {**answers, indicator.code: data.draw(st.sampled_from(higher))}
    assert level_index(methodology, raised) >= level_index(methodology, answers)


@settings(max_examples=80, deadline=None)
@given(methodology_and_answers())
def test_plan_reaches_the_next_level_and_nothing_smaller_does(case):
    methodology, answers = case
    start = level_index(methodology, answers)
    plan = next_level_plan(methodology, answers)
    if start == len(methodology.thresholds) - 1:
        assert plan is None
        return
    assert plan.target == methodology.thresholds[start + 1]
    assert level_index(methodology, plan.apply(answers)) >= start + 1
    assert plan.steps == sum(item.steps for item in plan.items)

    # Brute force: every combination of steps per indicator that reaches the target.
    indicators = methodology.indicators
    positions = [i.scores.index(answers[i.code] or 0) for i in indicators]
    ranges = [range(len(i.scores) - p) for i, p in zip(indicators, positions, strict=True)]
    best = None
    for steps in product(*ranges):
        if best is not None and sum(steps) > best[0]:
            continue
        trial = {i.code: i.scores[p + k] for i, p, k in zip(indicators, positions, steps, strict=True)}
        if level_index(methodology, trial) > start:
            key = (sum(steps), sum(1 for k in steps if k))
            best = key if best is None else min(best, key)
    assert best == (plan.steps, len(plan.items))


@FAST
@given(methodologies(), st.data())
def test_suggestions_are_monotone_in_the_counts(methodology, data):
    ruled = [i for i in methodology.indicators if i.auto]
    if not ruled:
        return
    staff = data.draw(st.integers(1, 30))
    counts = {p: {s: data.draw(st.integers(0, 30)) for s in ACCOUNT_STATUSES} for p in PLATFORMS}
    platform = data.draw(st.sampled_from(PLATFORMS))
    status = data.draw(st.sampled_from(ACCOUNT_STATUSES))
    more = {p: dict(by_status) for p, by_status in counts.items()}
    more[platform][status] += data.draw(st.integers(1, 10))
    for indicator in ruled:
        before = suggest(methodology, indicator, counts, staff)
        after = suggest(methodology, indicator, more, staff)
        assert before.score in indicator.scores and after.score in indicator.scores
        assert after.score >= before.score


@FAST
@given(methodologies())
def test_canonical_form_round_trips_and_hashes_alike(methodology):
    data = methodology.to_dict()
    again = parse_methodology(data, "stored")
    assert again == methodology
    assert methodology_hash(again.to_dict()) == methodology_hash(data)
