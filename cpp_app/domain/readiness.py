"""Scoring of a teacher's digital-readiness self-assessment (a methodology with subject: teacher).

An area's level comes from the mean of its answered items as a share of the top score (0..5), compared exactly
with the instrument's thresholds; the overall level from the mean of the area means, so that a seven-item area
does not outweigh a three-item one. Unanswered items are listed, never counted as 0: an area with no answers has
no level at all. Raising one answer never lowers an area's or the overall level.
"""
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_FLOOR, Decimal
from fractions import Fraction

from .methodology import LevelThreshold, Methodology, Section, exact_share


@dataclass(frozen=True)
class LevelWord:
    code: str
    title: str  # the Russian word, e.g. «уверенный»
    description: str | None
    min_mean: Fraction  # the mean score from which the level starts

    @classmethod
    def of(cls, threshold: LevelThreshold, top_score: int) -> "LevelWord":
        return cls(threshold.code, threshold.title, threshold.description, exact_share(threshold.min_share) * top_score)


@dataclass(frozen=True)
class ItemResult:
    code: str
    label: str
    score: int | None  # None: not answered
    statement: str | None  # the chosen statement
    next_statement: str | None  # the statement one score up; None at the top or when not answered


@dataclass(frozen=True)
class AreaResult:
    code: str
    title: str
    items: tuple[ItemResult, ...]
    mean: Fraction | None  # over the answered items; None when none is answered
    level: LevelWord | None
    next_level: LevelWord | None  # None at the top level or without a level

    @property
    def total(self) -> int:
        return len(self.items)

    @property
    def answered(self) -> int:
        return sum(1 for item in self.items if item.score is not None)

    @property
    def missing(self) -> tuple[str, ...]:
        return tuple(item.code for item in self.items if item.score is None)

    @property
    def next_step(self) -> str:
        """What the next level means, in Russian, for the feedback page."""
        if self.level is None:
            return "Ответьте на пункты этой области, чтобы узнать свой уровень."
        if self.next_level is None:
            return f"«{self.level.title}» — высший уровень. {self.level.description or ''}".strip()
        text = f"Следующий уровень — «{self.next_level.title}» (средний балл от {decimal_text(self.next_level.min_mean)})"
        return f"{text}: {self.next_level.description}" if self.next_level.description else f"{text}."


@dataclass(frozen=True)
class Readiness:
    areas: tuple[AreaResult, ...]
    mean: Fraction | None  # the mean of the area means over areas with answers
    level: LevelWord | None
    strengths: tuple[str, ...]  # area codes at the top levels, strongest first
    growth: tuple[str, ...]  # area codes below the growth threshold, weakest first
    unknown: tuple[str, ...]  # answered codes the instrument does not have (ignored)

    @property
    def total(self) -> int:
        return sum(area.total for area in self.areas)

    @property
    def answered(self) -> int:
        return sum(area.answered for area in self.areas)

    @property
    def complete(self) -> bool:
        return self.answered == self.total

    def area(self, code: str) -> AreaResult:
        return next(area for area in self.areas if area.code == code)


def assess(
    instrument: Methodology,
    answers: Mapping[str, int | None],
    strength_from: str | None = None,
    growth_below: str | None = None,
) -> Readiness:
    """The self-assessment's result. `strength_from` / `growth_below` are threshold codes; by default the
    second-highest level and the middle one (with five levels: «продвинутый» and «уверенный»).
    ValueError for a score the item does not have."""
    if instrument.subject != "teacher":
        raise ValueError(f"методика «{instrument.code}» — не самооценка педагога")
    thresholds = instrument.thresholds
    strength_index = _index(thresholds, strength_from, max(len(thresholds) - 2, 1))
    growth_index = _index(thresholds, growth_below, len(thresholds) // 2)
    areas = tuple(_area(instrument, section, answers) for section in instrument.sections)
    means = [area.mean for area in areas if area.mean is not None]
    mean = sum(means, Fraction(0)) / len(means) if means else None
    top = _top_score(instrument)
    level = _level(thresholds, mean, top)
    rank = {threshold.code: index for index, threshold in enumerate(thresholds)}
    rated = [area for area in areas if area.level is not None]
    strengths = tuple(
        area.code
        for area in sorted(rated, key=lambda a: -a.mean)  # sorted() is stable: ties keep the instrument's order
        if rank[area.level.code] >= strength_index
    )
    growth = tuple(area.code for area in sorted(rated, key=lambda a: a.mean) if rank[area.level.code] < growth_index)
    known = {indicator.code for indicator in instrument.indicators}
    unknown = tuple(sorted(code for code in answers if code not in known))
    return Readiness(areas, mean, level, strengths, growth, unknown)


def _area(instrument: Methodology, section: Section, answers: Mapping[str, int | None]) -> AreaResult:
    items = []
    for indicator in section.indicators:
        score = answers.get(indicator.code)
        if score is None:
            items.append(ItemResult(indicator.code, indicator.label, None, None, None))
            continue
        if isinstance(score, bool) or score not in indicator.scores:
            raise ValueError(f"у пункта «{indicator.code}» нет балла {score!r}")
        following = indicator.next_level(score)
        items.append(
            ItemResult(
                indicator.code, indicator.label, score, indicator.level(score).text,
                following.text if following else None,
            )
        )
    scores = [item.score for item in items if item.score is not None]
    mean = Fraction(sum(scores), len(scores)) if scores else None
    top = _top_score(instrument)
    level = _level(instrument.thresholds, mean, top)
    next_level = None
    if level is not None:
        index = [t.code for t in instrument.thresholds].index(level.code)
        if index + 1 < len(instrument.thresholds):
            next_level = LevelWord.of(instrument.thresholds[index + 1], top)
    return AreaResult(section.code, section.title, tuple(items), mean, level, next_level)


def _level(thresholds: tuple[LevelThreshold, ...], mean: Fraction | None, top: int) -> LevelWord | None:
    if mean is None:
        return None
    share = mean / top
    reached = [t for t in thresholds if share >= exact_share(t.min_share)][-1]
    return LevelWord.of(reached, top)


def _top_score(instrument: Methodology) -> int:
    return max(indicator.max_score for indicator in instrument.indicators)


def _index(thresholds: tuple[LevelThreshold, ...], code: str | None, default: int) -> int:
    if code is None:
        return default
    for index, threshold in enumerate(thresholds):
        if threshold.code == code:
            return index
    raise ValueError(f"уровня «{code}» нет в методике")


def mean_text(value: float | Fraction) -> str:
    """A group's mean score to one decimal, rounded down: 1,46 reads «1,4», never «1,5» — the bar of the next
    level (the levels' bars have one decimal), so the number never contradicts the level shown beside it."""
    floored = Decimal(str(float(value))).quantize(Decimal("0.1"), rounding=ROUND_FLOOR)
    return str(floored).replace(".", ",")


def decimal_text(value: Fraction) -> str:
    """3.5 → «3,5», 4 → «4»: a mean score or a level's bar with the Russian decimal comma."""
    text = f"{float(value):.2f}".rstrip("0").rstrip(".")
    return text.replace(".", ",")
