"""Scoring a diagnostic against its methodology: points, level, deficits, the fewest steps to the next level,
and scores suggested from live platform data.

Plain data in, plain frozen dataclasses out; the level is decided with exact fractions, never floats.
"""
from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction
from math import ceil

from ..kernel.plural import genitive
from .methodology import (
    ACCOUNT_STATUSES,
    Indicator,
    LevelThreshold,
    Methodology,
    PlatformCondition,
    exact_share,
)

NBSP = "\u00a0"  # between a number and «%», so the pair never wraps


class ScoringError(ValueError):
    """Answers that do not fit the methodology (an unknown indicator or a score it has no level for)."""


@dataclass(frozen=True)
class IndicatorScore:
    code: str
    section_code: str
    score: int  # 0 when unanswered
    answered: bool
    max_score: int
    critical: bool
    text: str  # the text of the level `score`


@dataclass(frozen=True)
class SectionScore:
    code: str
    title: str
    scoring: str
    points: int
    max_points: int
    counts_towards_level: bool
    unanswered: tuple[str, ...]  # indicator codes


@dataclass(frozen=True)
class Deficit:
    code: str
    label: str  # the indicator's short title, or its title
    section_code: str
    critical: bool
    counts_towards_level: bool
    current: int
    maximum: int
    gap: int
    next_score: int
    next_text: str


@dataclass(frozen=True)
class Result:
    indicators: tuple[IndicatorScore, ...]  # methodology order
    sections: tuple[SectionScore, ...]
    total: int  # over the sections that count towards the level
    maximum: int
    share: float  # total / maximum, for display; the level is decided exactly
    level: LevelThreshold  # after the critical cap
    level_by_share: LevelThreshold  # before it
    capped: bool  # the cap lowered the level
    next_level: LevelThreshold | None  # the threshold above `level`; None at the top
    failed_critical: tuple[str, ...]  # critical indicators at 0 (unanswered included)
    unanswered: tuple[str, ...]
    deficits: tuple[Deficit, ...]  # critical first, then by gap (largest first), then methodology order

    @property
    def complete(self) -> bool:
        return not self.unanswered

    def indicator(self, code: str) -> IndicatorScore:
        for item in self.indicators:
            if item.code == code:
                return item
        raise KeyError(code)

    def section(self, code: str) -> SectionScore:
        for item in self.sections:
            if item.code == code:
                return item
        raise KeyError(code)


def _current_scores(methodology: Methodology, answers: Mapping[str, int | None]) -> dict[str, int | None]:
    for code, value in answers.items():
        indicator = methodology.indicator(code)
        if indicator is None:
            raise ScoringError(f"Показателя «{code}» нет в методике {methodology.code}-{methodology.version}.")
        if value is None:
            continue
        if isinstance(value, bool) or not isinstance(value, int) or value not in indicator.scores:
            allowed = ", ".join(map(str, indicator.scores))
            raise ScoringError(f"У показателя «{indicator.label}» нет уровня {value!r}; возможные баллы: {allowed}.")
    return {indicator.code: answers.get(indicator.code) for indicator in methodology.indicators}


def score(methodology: Methodology, answers: Mapping[str, int | None]) -> Result:
    """The result of `answers` (indicator code → score, None or absent = unanswered, counted as 0)."""
    given = _current_scores(methodology, answers)
    scores = {code: value or 0 for code, value in given.items()}
    unanswered = tuple(code for code, value in given.items() if value is None)

    indicators, sections = [], []
    failed_critical = []
    total = 0
    for section in methodology.sections:
        for indicator in section.indicators:
            value = scores[indicator.code]
            indicators.append(
                IndicatorScore(
                    indicator.code,
                    section.code,
                    value,
                    given[indicator.code] is not None,
                    indicator.max_score,
                    indicator.critical,
                    indicator.level(value).text,
                )
            )
            # Validation keeps critical indicators inside sections that count towards the level.
            if indicator.critical and section.counts_towards_level and value == 0:
                failed_critical.append(indicator.code)
        points = section.points_for(scores)
        if section.counts_towards_level:
            total += points
        sections.append(
            SectionScore(
                section.code,
                section.title,
                section.scoring,
                points,
                section.max_points,
                section.counts_towards_level,
                tuple(i.code for i in section.indicators if i.code in unanswered),
            )
        )

    maximum = methodology.max_points
    by_share = methodology.level_for(total)
    level = methodology.level_for(total, any_critical_failed=bool(failed_critical))
    index = methodology.thresholds.index(level)
    next_level = methodology.thresholds[index + 1] if index + 1 < len(methodology.thresholds) else None
    return Result(
        indicators=tuple(indicators),
        sections=tuple(sections),
        total=total,
        maximum=maximum,
        share=total / maximum,
        level=level,
        level_by_share=by_share,
        capped=level != by_share,
        next_level=next_level,
        failed_critical=tuple(failed_critical),
        unanswered=unanswered,
        deficits=_deficits(methodology, scores),
    )


def _deficits(methodology: Methodology, scores: Mapping[str, int]) -> tuple[Deficit, ...]:
    found = []
    for order, indicator in enumerate(methodology.indicators):
        current = scores[indicator.code]
        upcoming = indicator.next_level(current)
        if upcoming is None:
            continue
        section = methodology.section_of(indicator.code)
        deficit = Deficit(
            code=indicator.code,
            label=indicator.label,
            section_code=section.code,
            critical=indicator.critical,
            counts_towards_level=section.counts_towards_level,
            current=current,
            maximum=indicator.max_score,
            gap=indicator.max_score - current,
            next_score=upcoming.score,
            next_text=upcoming.text,
        )
        found.append(((not deficit.critical, -deficit.gap, order), deficit))
    return tuple(deficit for _, deficit in sorted(found, key=lambda pair: pair[0]))


# --- the fewest steps to the next level ----------------------------------------------------------------------


@dataclass(frozen=True)
class PlanItem:
    code: str
    label: str
    section_code: str
    critical: bool
    from_score: int
    to_score: int
    steps: int  # single-level steps from `from_score` to `to_score`
    text: str  # the text of the level `to_score`


@dataclass(frozen=True)
class Plan:
    target: LevelThreshold  # the next level above the current one
    reached: LevelThreshold  # the level after the plan: at least `target`, sometimes higher
    items: tuple[PlanItem, ...]  # methodology order
    steps: int  # total single-level steps
    total_before: int
    total_after: int
    maximum: int

    def apply(self, answers: Mapping[str, int | None]) -> dict[str, int | None]:
        """The answers with the plan carried out."""
        result = dict(answers)
        for item in self.items:
            result[item.code] = item.to_score
        return result


@dataclass(frozen=True)
class _Option:
    gain: int
    moves: tuple[tuple[str, int], ...]  # (indicator code, steps) for every indicator of the group, in order


def next_level_plan(methodology: Methodology, answers: Mapping[str, int | None]) -> Plan | None:
    """The smallest set of single-level steps that lifts the result to the next level; None at the top.

    Exact: a dynamic programme over indicators with the points gained as state. Among plans of equally
    few steps it prefers fewer indicators touched, then indicators earlier in the methodology.
    """
    result = score(methodology, answers)
    target = result.next_level
    if target is None:
        return None
    current = {item.code: item.score for item in result.indicators}
    thresholds = methodology.thresholds
    need = max(0, ceil(exact_share(target.min_share) * methodology.max_points) - result.total)
    cap = methodology.critical_cap
    # The cap keeps the result below the target while any critical indicator stays at 0.
    must_lift = cap is not None and thresholds.index(methodology.threshold(cap)) < thresholds.index(target)
    position = {indicator.code: order for order, indicator in enumerate(methodology.indicators)}

    groups: list[tuple[_Option, ...]] = []
    for section in methodology.level_sections:
        if section.scoring == "sum":
            for indicator in section.indicators:
                scores = indicator.scores
                at = scores.index(current[indicator.code])
                forced = must_lift and indicator.critical and current[indicator.code] == 0
                groups.append(
                    tuple(
                        _Option(scores[at + k] - scores[at], ((indicator.code, k),))
                        for k in range(1 if forced else 0, len(scores) - at)
                    )
                )
        else:
            # All-or-nothing: partial progress earns nothing, so only "none", "the forced critical items"
            # and "every missing item" can be part of a smallest plan.
            codes = [indicator.code for indicator in section.indicators]
            missing = {i.code for i in section.indicators if current[i.code] == 0}
            if not missing:
                continue
            forced = {i.code for i in section.indicators if must_lift and i.critical and i.code in missing}
            options = [_Option(0, tuple((code, int(code in forced)) for code in codes))]
            options.append(_Option(section.points or 0, tuple((code, int(code in missing)) for code in codes)))
            groups.append(tuple(options))

    def option_key(option: _Option) -> tuple:
        moved = [(code, k) for code, k in option.moves if k]
        return (
            sum(k for _, k in moved),
            len(moved),
            tuple(position[code] for code, _ in moved),
            tuple(-k for _, k in option.moves),  # more of the steps on earlier indicators
        )

    def combine(left: tuple, right: tuple) -> tuple:
        # Concatenation keeps the order: equal step and touch counts mean equal tuple lengths.
        return tuple(a + b for a, b in zip(left, right, strict=True))

    best: dict[int, tuple[tuple, tuple[_Option, ...]]] = {0: ((0, 0, (), ()), ())}
    for options in groups:
        following: dict[int, tuple[tuple, tuple[_Option, ...]]] = {}
        for gained, (key, chosen) in best.items():
            for option in options:
                state = min(need, gained + option.gain)
                candidate = combine(key, option_key(option))
                if state not in following or candidate < following[state][0]:
                    following[state] = (candidate, chosen + (option,))
        best = following
    if need not in best:
        raise AssertionError("a validated methodology always has a way to the next level")
    _, chosen = best[need]

    steps = {code: k for option in chosen for code, k in option.moves if k}
    items = []
    for indicator in methodology.indicators:
        k = steps.get(indicator.code)
        if not k:
            continue
        scores = indicator.scores
        from_score = current[indicator.code]
        to_score = scores[scores.index(from_score) + k]
        items.append(
            PlanItem(
                indicator.code,
                indicator.label,
                methodology.section_of(indicator.code).code,
                indicator.critical,
                from_score,
                to_score,
                k,
                indicator.level(to_score).text,
            )
        )
    after = score(methodology, {**current, **{item.code: item.to_score for item in items}})
    if thresholds.index(after.level) < thresholds.index(target):
        raise AssertionError("the plan must reach the target level")
    return Plan(
        target=target,
        reached=after.level,
        items=tuple(items),
        steps=sum(item.steps for item in items),
        total_before=result.total,
        total_after=after.total,
        maximum=result.maximum,
    )


def plan_sentence(plan: Plan) -> str:
    """«Чтобы перейти на уровень «средний», достаточно: поднять «…» до 2 баллов (…); …»."""
    parts = [
        f"поднять «{item.label}» до {item.to_score} {genitive(item.to_score, 'балла', 'баллов')} ({item.text})"
        for item in plan.items
    ]
    sentence = f"Чтобы перейти на уровень «{plan.target.title}», достаточно: {'; '.join(parts)}."
    if plan.reached != plan.target:
        sentence += f" Это даст уровень «{plan.reached.title}»."
    return sentence


# --- scores suggested from live data -------------------------------------------------------------------------

# How a reason names the platform: after «в/во/на» and as the object of «используют».
_PLATFORM_WORDS = {
    "sferum": ("в «Сферуме»", "«Сферум»"),
    "vk_messenger": ("в VK Мессенджере", "VK Мессенджер"),
    "moya_shkola": ("во ФГИС «Моя школа»", "ФГИС «Моя школа»"),
    "cok_library": ("в Библиотеке ЦОК", "Библиотеку ЦОК"),
    "kiasuo": ("в КИАСУО", "КИАСУО"),
    "resh": ("на РЭШ", "РЭШ"),
    "gosuslugi": ("на Госуслугах", "Госуслуги"),
}
_STATUS_WORDS = {"not_registered": "не зарегистрирован", "registered": "зарегистрирован", "active": "активно использует"}


@dataclass(frozen=True)
class Suggestion:
    code: str  # the indicator
    score: int | None  # None: nothing to suggest (no staff count)
    reasons: tuple[str, ...]  # Russian, with the figures


def suggest(
    methodology: Methodology,
    indicator: Indicator | str,
    counts: Mapping[str, Mapping[str, int]],
    staff_count: int | None,
) -> Suggestion | None:
    """The score the live data supports, None for an indicator without an `auto` rule.

    `counts`: platform code → {account status → number of the organisation's teachers}, as SQL aggregates
    give it (missing entries are 0). `staff_count`: the number of teachers the diagnostic states.
    Levels are cumulative: the suggestion is the highest level whose conditions, and those of every level
    below it, all hold.
    """
    if isinstance(indicator, str):
        code, indicator = indicator, methodology.indicator(indicator)
        if indicator is None:
            raise KeyError(code)
    rule = indicator.auto
    if rule is None:
        return None
    if not staff_count or staff_count < 0:
        return Suggestion(
            indicator.code,
            None,
            ("Численность педагогов не указана — без неё доли не посчитать. Укажите её в диагностике.",),
        )
    reasons: list[str] = []
    suggested = 0
    for level in rule.levels:
        met = True
        for condition in level.conditions:
            ok, reason = _evaluate(condition, level.score, counts, staff_count)
            reasons.append(reason)
            if condition.note:
                reasons.append(condition.note)
            met = met and ok
        if not met:
            break
        suggested = level.score
    if rule.note:
        reasons.append(rule.note)
    return Suggestion(indicator.code, suggested, tuple(reasons))


def suggest_all(
    methodology: Methodology, counts: Mapping[str, Mapping[str, int]], staff_count: int | None
) -> dict[str, Suggestion]:
    """Suggestions for every indicator with an `auto` rule, by indicator code."""
    found = {}
    for indicator in methodology.indicators:
        suggestion = suggest(methodology, indicator, counts, staff_count)
        if suggestion is not None:
            found[indicator.code] = suggestion
    return found


def _evaluate(
    condition: PlatformCondition, level_score: int, counts: Mapping[str, Mapping[str, int]], staff: int
) -> tuple[bool, str]:
    by_status = counts.get(condition.platform) or {}
    number = sum(int(by_status.get(status) or 0) for status in condition.statuses)
    ok = True
    needs = []
    if condition.min_share is not None:
        share = exact_share(condition.min_share)
        ok = ok and Fraction(number, staff) >= share
        needs.append(f"{_percent(share)}{NBSP}%" if share == 1 else f"не менее {_percent(share)}{NBSP}%")
    if condition.min_count is not None:
        ok = ok and number >= condition.min_count
        needs.append(f"не менее {condition.min_count} {genitive(condition.min_count, 'педагога', 'педагогов')}")
    actual = number * 100 // staff  # rounded down: a share never looks as if it reached a bar it missed
    reason = (
        f"{_who(condition)}: {number} из {staff} {genitive(staff, 'педагога', 'педагогов')} ({actual}{NBSP}%), "
        f"нужно {' и '.join(needs)} для {level_score} {genitive(level_score, 'балла', 'баллов')}"
        f" — {'выполнено' if ok else 'не выполнено'}"
    )
    return ok, reason


def _who(condition: PlatformCondition) -> str:
    where, what = _PLATFORM_WORDS.get(condition.platform, (f"на платформе {condition.platform}", condition.platform))
    statuses = condition.statuses
    if statuses == ("registered", "active"):
        return f"Зарегистрированы {where}"
    if statuses == ("active",):
        return f"Активно используют {what}"
    if statuses == ("registered",):
        return f"Зарегистрированы {where}, но пока не используют"
    if statuses == ("not_registered",):
        return f"Не зарегистрированы {where}"
    labels = " или ".join(f"«{_STATUS_WORDS[s]}»" for s in statuses if s in ACCOUNT_STATUSES)
    return f"Педагоги со статусом {labels} {where}"


def _percent(share: Fraction) -> str:
    """0.95 → «95», 0.333 → «33,3»: the bar as the methodology writes it."""
    value = share * 100
    if value.denominator == 1:
        return str(value.numerator)
    return f"{float(value):.10g}".replace(".", ",")
