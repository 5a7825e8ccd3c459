"""A methodology in readable Russian, for a version's page and the preview of an upload: thresholds in percent
and points, each section's scoring, and the `auto` rules as sentences. Plain data for the templates."""
from dataclasses import dataclass
from math import ceil

from ...domain.methodology import AutoRule, Indicator, Methodology, PlatformCondition, Section, exact_share
from ...domain.readiness import decimal_text
from ...kernel.plural import plural, points_word
from ...models import ACCOUNT_STATUS_LABELS, ORGANIZATION_KIND_LABELS


def points(number: int) -> str:
    return f"{number} {points_word(number)}"


def percent(share: float) -> str:
    """0.95 → «95 %», 0.333 → «33,3 %»: as the author wrote it, never a float artefact."""
    value = exact_share(share) * 100
    text = str(value.numerator) if value.denominator == 1 else f"{float(value):.10g}".replace(".", ",")
    return f"{text}\u00a0%"


def from_points(share: float, maximum: int) -> int:
    """The fewest points whose share of `maximum` reaches `share` (exactly, as the scoring decides)."""
    return ceil(exact_share(share) * maximum)


def kind_label(kind: str) -> str:
    return next((label for member, label in ORGANIZATION_KIND_LABELS.items() if member.value == kind), kind)


@dataclass(frozen=True)
class ThresholdView:
    code: str
    title: str
    share: str
    from_points: int
    from_mean: str  # teacher instruments: the area's mean score from which the level starts, «2,5»
    description: str | None


@dataclass(frozen=True)
class AutoLine:
    score: int
    text: str
    notes: tuple[str, ...]


@dataclass(frozen=True)
class IndicatorView:
    indicator: Indicator
    auto: tuple[AutoLine, ...]
    platform: str | None  # the platform's name, for a teacher item about a state platform


@dataclass(frozen=True)
class SectionView:
    section: Section
    scoring: str
    indicators: tuple[IndicatorView, ...]


@dataclass(frozen=True)
class MethodologyView:
    methodology: Methodology
    subject_label: str  # «для школы» / «для педагога»
    applies_to: str
    thresholds: tuple[ThresholdView, ...]
    critical_cap: str | None  # the cap's title
    sections: tuple[SectionView, ...]


def condition_text(condition: PlatformCondition, names: dict[str, str]) -> str:
    """«не менее 30 % педагогов с учётной записью на платформе «Библиотека ЦОК» в статусе «активно использую»»."""
    bounds = []
    if condition.min_share is not None:
        share = percent(condition.min_share)
        bounds.append(f"{share if exact_share(condition.min_share) == 1 else 'не менее ' + share} педагогов")
    if condition.min_count is not None:
        count = condition.min_count
        people = ("человека", "человек", "человек") if bounds else ("педагога", "педагогов", "педагогов")
        bounds.append(f"не менее {count} {plural(count, *people)}")
    who = " и ".join(bounds)
    platform = names.get(condition.platform, condition.platform)
    platform = platform if "«" in platform else f"«{platform}»"  # ФГИС «Моя школа» brings its own quotes
    statuses = " или ".join(f"«{ACCOUNT_STATUS_LABELS[status]}»" for status in condition.statuses)
    return f"{who} с учётной записью на платформе {platform} в статусе {statuses}"


def auto_lines(rule: AutoRule | None, names: dict[str, str]) -> tuple[AutoLine, ...]:
    if rule is None:
        return ()
    return tuple(
        AutoLine(
            level.score,
            "; ".join(condition_text(condition, names) for condition in level.conditions),
            tuple(condition.note for condition in level.conditions if condition.note),
        )
        for level in rule.levels
    )


def scoring_text(section: Section, teacher: bool = False) -> str:
    if teacher:
        return "Уровень области — по среднему баллу её пунктов (от 0 до 5); пункты без ответа в среднее не входят."
    if section.scoring == "all_or_nothing":
        text = (
            f"«Имеется» ({points(section.max_points)}) — только если есть все компоненты "
            f"({len(section.indicators)}); иначе 0 баллов."
        )
    else:
        text = f"Баллы показателей складываются: максимум {points(section.max_points)}."
    if not section.counts_towards_level:
        text += " В расчёт уровня раздел не входит."
    return text


def describe(methodology: Methodology, names: dict[str, str]) -> MethodologyView:
    """The readable rendering; `names` are the platforms' names by code (services_versions.platform_names)."""
    maximum = methodology.max_points
    teacher = methodology.subject == "teacher"
    top = max((indicator.max_score for indicator in methodology.indicators), default=0)
    thresholds = tuple(
        ThresholdView(
            t.code, t.title, percent(t.min_share), from_points(t.min_share, maximum),
            decimal_text(exact_share(t.min_share) * top), t.description,
        )
        for t in methodology.thresholds
    )
    cap = methodology.threshold(methodology.critical_cap).title if methodology.critical_cap else None
    sections = tuple(
        SectionView(
            section,
            scoring_text(section, teacher),
            tuple(
                IndicatorView(
                    indicator, auto_lines(indicator.auto, names),
                    names.get(indicator.platform, indicator.platform) if indicator.platform else None,
                )
                for indicator in section.indicators
            ),
        )
        for section in methodology.sections
    )
    applies_to = ", ".join(kind_label(kind) for kind in methodology.applies_to)
    subject = "для педагога" if teacher else "для школы"
    return MethodologyView(methodology, subject, applies_to, thresholds, cap, sections)
