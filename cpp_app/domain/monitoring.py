"""Monitoring figures as plain data: colour bands of a share and the figures of an area, a platform, an organisation.

No flask, no database: the blueprint's stats module fills these from grouped SQL queries.
"""
import enum
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_UP, Decimal

SUBMITTED_STATUSES = ("submitted", "accepted")


class Band(enum.StrEnum):
    BELOW = "below"
    MEDIUM = "medium"
    GOOD = "good"

    @property
    def label(self) -> str:
        return BAND_LABELS[self]


BAND_LABELS = {
    Band.BELOW: "ниже нормы",
    Band.MEDIUM: "средний уровень",
    Band.GOOD: "хорошо",
}


def band(share: float | None, below_max: float, good_min: float) -> Band | None:
    """≤ below_max is below the norm, ≥ good_min is good, in between medium; no share (nobody to count) has no band.

    Shares are int/int divisions, correctly rounded, so 5/10 equals the threshold 0.50 exactly."""
    if share is None:
        return None
    if share <= below_max:
        return Band.BELOW
    if share >= good_min:
        return Band.GOOD
    return Band.MEDIUM


# What a band judges: the share of organisations with an active user, of active teachers, of students.
ORGANIZATIONS, TEACHERS, STUDENTS = "organizations", "teachers", "students"
MEASURE_LABELS = {ORGANIZATIONS: "доля организаций", TEACHERS: "доля педагогов", STUDENTS: "доля обучающихся"}
# What a measure's share of every kind leaves out, said next to its band.
MEASURE_NOTES = {ORGANIZATIONS: " (кроме организаций дополнительного образования)"}
# «доля педагогов …» of one organisation kind's rule.
KIND_GENITIVE = {
    "school": "школ", "branch": "филиалов", "college": "профессиональных образовательных организаций",
    "preschool": "дошкольных образовательных организаций", "additional": "организаций дополнительного образования",
}
# A rule's organisation kind that applies to every kind without a rule of its own.
ANY_KIND = "any"
# Not counted in the organisation share: «кроме организаций дополнительного образования» (the seed's Сферум monitoring).
KINDS_OUTSIDE_ORGANIZATION_SHARE = ("additional",)


@dataclass(frozen=True)
class Threshold:
    below_max: float
    good_min: float
    source: str = ""  # the document the band is taken from, named in every legend

    def band(self, share: float | None) -> Band | None:
        return band(share, self.below_max, self.good_min)


@dataclass(frozen=True)
class Thresholds:
    """Bands per (platform code, measure, organisation kind). A share with no rule has no band: the seed gives
    bands for some platforms and measures only, and another platform's band would be a claim nobody made."""

    rules: Mapping[tuple[str, str, str], Threshold] = field(default_factory=dict)

    @classmethod
    def from_rows(cls, rows: Iterable[tuple[str, str, str, float, float, str]]) -> "Thresholds":
        """From (platform, measure, kind, below_max, good_min, source) rows."""
        return cls({(platform, measure, kind): Threshold(below_max, good_min, source)
                    for platform, measure, kind, below_max, good_min, source in rows})

    def of(self, platform: str, measure: str, kind: str | None = None) -> Threshold | None:
        """The band of a share: the kind's own rule, else the platform and measure's rule for any kind."""
        return self.rules.get((platform, measure, kind or ANY_KIND)) or self.rules.get((platform, measure, ANY_KIND))

    def legend(self, platform_names: Mapping[str, str]) -> tuple[str, ...]:
        """One sentence per source naming it first, then the platforms it bands and each measure's values; last,
        the platforms of `platform_names` (code → name) no source gives a band for."""
        grouped: dict[str, dict[str, list[str]]] = {}  # source → a measure's values → platform codes
        for (platform, measure, kind), threshold in sorted(self.rules.items(), key=_rule_order(platform_names)):
            if platform in platform_names:
                grouped.setdefault(threshold.source, {}).setdefault(_rule_text(measure, kind, threshold), []).append(
                    platform)
        sentences = []
        for source, rules in grouped.items():
            platforms = dict.fromkeys(code for codes in rules.values() for code in codes)
            names = ", ".join(platform_names[code] for code in platforms)
            sentences.append(f"Пороги: {source}. {names}: {'; '.join(rules)}; между ними — «средний уровень».")
        banded = {platform for platform, _, _ in self.rules}
        unbanded = [name for code, name in platform_names.items() if code not in banded]
        without = "доля зарегистрированных педагогов" + (f" и все доли: {', '.join(unbanded)}" if unbanded else "")
        sentences.append(f"Без уровня — источники порогов для них не дают: {without}.")
        return tuple(sentences)


def _rule_text(measure: str, kind: str, threshold: Threshold) -> str:
    what = MEASURE_LABELS.get(measure, measure)
    what = what + MEASURE_NOTES.get(measure, "") if kind == ANY_KIND else f"{what} {KIND_GENITIVE.get(kind, kind)}"
    return (f"{what} — «ниже нормы» до {percent_text(threshold.below_max)} включительно, "
            f"«хорошо» от {percent_text(threshold.good_min)}")


def _rule_order(platform_names: Mapping[str, str]):
    order = {code: index for index, code in enumerate(platform_names)}
    measures = list(MEASURE_LABELS)

    def key(item):
        (platform, measure, kind), _ = item
        return (measures.index(measure) if measure in measures else len(measures), kind != ANY_KIND, kind,
                order.get(platform, len(order)))
    return key


def percent_text(share: float) -> str:
    """«50 %», «2,5 %»: a threshold as the seed writes it (as few decimals as it needs), Russian comma."""
    return _shown((Decimal(repr(share)) * 100).normalize())


def banded_percent(share: float | None, threshold: Threshold | None) -> str:
    """A share as a percentage whose shown value lies in the same band as the share itself: a whole percent when
    that is so, one decimal near a threshold, and when even one decimal would round across it (50,04 % shown as
    «50,0 %» next to «средний уровень»), that decimal rounded toward the share's band. No share: «—»."""
    if share is None:
        return "—"
    exact = Decimal(share) * 100
    whole = exact.quantize(Decimal(1), ROUND_HALF_UP)
    if threshold is None:
        return _shown(whole)
    actual = threshold.band(share)
    tenth = Decimal("0.1")
    for shown in (whole, exact.quantize(tenth, ROUND_HALF_UP)):
        if _band_of(shown, threshold) is actual:
            return _shown(shown)
    # The rounded tenth crossed a threshold: round toward the band instead (up into it from below, down from above).
    up = exact.quantize(tenth, ROUND_CEILING)
    return _shown(up if _band_of(up, threshold) is actual else exact.quantize(tenth, ROUND_FLOOR))


def _band_of(percent: Decimal, threshold: Threshold) -> Band:
    share = percent / 100
    if share <= Decimal(repr(threshold.below_max)):
        return Band.BELOW
    if share >= Decimal(repr(threshold.good_min)):
        return Band.GOOD
    return Band.MEDIUM


def _shown(percent: Decimal) -> str:
    return format(percent, "f").replace(".", ",") + "\u00a0%"


def share(part: int, whole: int) -> float | None:
    return part / whole if whole else None


@dataclass(frozen=True)
class PlatformFigures:
    code: str
    name: str
    organizations_total: int  # every kind but those outside the organisation share
    organizations_with_active: int  # of those, organisations with at least one teacher active on the platform
    teachers_total: int
    teachers_registered: int  # status registered or active, as the teachers state it
    teachers_active: int
    # The same counted only over statuses the organisation confirmed, of teachers it confirmed.
    organizations_with_active_confirmed: int = 0
    teachers_active_confirmed: int = 0
    # Preschool teachers (of teachers_total) and the active ones: judged by their own band, so shown apart.
    preschool_teachers_total: int = 0
    preschool_teachers_active: int = 0

    @property
    def organizations_share(self) -> float | None:
        return share(self.organizations_with_active, self.organizations_total)

    @property
    def registered_share(self) -> float | None:
        return share(self.teachers_registered, self.teachers_total)

    @property
    def active_share(self) -> float | None:
        return share(self.teachers_active, self.teachers_total)

    @property
    def active_confirmed_share(self) -> float | None:
        return share(self.teachers_active_confirmed, self.teachers_total)

    @property
    def other_active_share(self) -> float | None:
        """The active share of the teachers of every kind but preschools."""
        return share(self.teachers_active - self.preschool_teachers_active,
                     self.teachers_total - self.preschool_teachers_total)

    @property
    def preschool_active_share(self) -> float | None:
        return share(self.preschool_teachers_active, self.preschool_teachers_total)


@dataclass(frozen=True)
class StudentFigures:
    """Students registered on Сферум as schools state them in their self-diagnostic: summed over the schools that
    gave both the figure and their student count (each school's latest), with the span of the figures' dates."""

    schools: int = 0
    students: int = 0
    registered: int = 0
    earliest: date | None = None
    latest: date | None = None

    @property
    def share(self) -> float | None:
        return share(self.registered, self.students)

    def __add__(self, other: "StudentFigures") -> "StudentFigures":
        dates = [d for d in (self.earliest, self.latest, other.earliest, other.latest) if d is not None]
        return StudentFigures(self.schools + other.schools, self.students + other.students,
                              self.registered + other.registered, min(dates, default=None), max(dates, default=None))


@dataclass(frozen=True)
class AreaFigures:
    """The region (municipality_id None) or one municipality."""

    name: str
    municipality_id: int | None
    organizations_by_kind: dict[str, int]
    organizations_total: int
    teachers_registered: int  # users with the role teacher or school admin working in the area
    teachers_confirmed: int
    platforms: tuple[PlatformFigures, ...]
    diagnostics_by_status: dict[str, int]  # this school year
    levels: dict[str, int]  # level codes of submitted and accepted diagnostics this school year
    students: StudentFigures = field(default_factory=StudentFigures)
    teachers_preschool: int = 0  # of teachers_registered

    @property
    def confirmed_share(self) -> float | None:
        return share(self.teachers_confirmed, self.teachers_registered)

    @property
    def diagnostics_submitted(self) -> int:
        return sum(self.diagnostics_by_status.get(status, 0) for status in SUBMITTED_STATUSES)

    def platform(self, code: str) -> PlatformFigures | None:
        return next((figures for figures in self.platforms if figures.code == code), None)

    def platform_names(self) -> dict[str, str]:
        return {figures.code: figures.name for figures in self.platforms}


@dataclass(frozen=True)
class OrganizationFigures:
    """One organisation's row of a municipality's table."""

    id: int
    name: str
    kind: str
    teachers_registered: int
    teachers_confirmed: int
    platforms: tuple[PlatformFigures, ...]  # organizations_total is 1, organizations_with_active 0 or 1
    diagnostic_id: int | None = None  # this school year's diagnostic, if any
    diagnostic_status: str | None = None
    level_code: str | None = None

    @property
    def confirmed_share(self) -> float | None:
        return share(self.teachers_confirmed, self.teachers_registered)

    def platform(self, code: str) -> PlatformFigures | None:
        return next((figures for figures in self.platforms if figures.code == code), None)


def sum_areas(name: str, areas: Iterable[AreaFigures], platforms: Iterable[tuple[str, str]]) -> AreaFigures:
    """The figures of a union of disjoint areas (every organisation is in one municipality), summed."""
    areas = list(areas)

    def total(attribute: str, values: Iterable) -> int:
        return sum(getattr(value, attribute) for value in values)

    def merged(attribute: str) -> dict[str, int]:
        result: dict[str, int] = {}
        for area in areas:
            for key, count in getattr(area, attribute).items():
                result[key] = result.get(key, 0) + count
        return result

    summed_platforms = []
    for code, platform_name in platforms:  # a handful of platforms, not organisations
        parts = [p for area in areas if (p := area.platform(code)) is not None]
        summed_platforms.append(PlatformFigures(
            code, platform_name,
            **{attribute: total(attribute, parts) for attribute in (
                "organizations_total", "organizations_with_active", "teachers_total", "teachers_registered",
                "teachers_active", "organizations_with_active_confirmed", "teachers_active_confirmed",
                "preschool_teachers_total", "preschool_teachers_active")},
        ))
    return AreaFigures(
        name=name, municipality_id=None, organizations_by_kind=merged("organizations_by_kind"),
        organizations_total=total("organizations_total", areas), teachers_registered=total("teachers_registered", areas),
        teachers_confirmed=total("teachers_confirmed", areas), platforms=tuple(summed_platforms),
        diagnostics_by_status=merged("diagnostics_by_status"), levels=merged("levels"),
        students=sum((area.students for area in areas), StudentFigures()),
        teachers_preschool=total("teachers_preschool", areas),
    )


# ------------------------------------------------------------------------------------------------ sorting


def sort_columns(platform_codes: Iterable[str], extra: Mapping[str, Callable] | None = None) -> dict[str, Callable]:
    """The whitelisted sort columns of an area or organisation table, by their `?sort=` name."""
    columns = {
        "name": lambda f: f.name.casefold().replace("ё", "е"),
        "teachers": lambda f: f.teachers_registered,
        "confirmed": lambda f: f.teachers_confirmed,
        "confirmed_share": lambda f: f.confirmed_share,
    }
    for code in platform_codes:
        columns[f"{code}.organizations"] = lambda f, c=code: _platform_value(f, c, "organizations_share")
        columns[f"{code}.registered"] = lambda f, c=code: _platform_value(f, c, "registered_share")
        # Preschool teachers have a band of their own: areas show them in a column apart.
        columns[f"{code}.active"] = lambda f, c=code: _platform_value(f, c, "other_active_share")
        columns[f"{code}.preschool_active"] = lambda f, c=code: _platform_value(f, c, "preschool_active_share")
    columns.update(extra or {})
    return columns


def _platform_value(figures, code: str, attribute: str):
    platform = figures.platform(code)
    return getattr(platform, attribute) if platform else None


def sorted_rows(rows: Iterable, columns: Mapping[str, Callable], sort: str, descending: bool, default: str = "name"):
    """Rows ordered by a whitelisted column (an unknown one falls back to `default`), ties by name; rows without a
    value go last in both directions."""
    value_of = columns.get(sort) or columns[default]
    rows = sorted(rows, key=columns["name"])
    present = [row for row in rows if value_of(row) is not None]
    missing = [row for row in rows if value_of(row) is None]
    return sorted(present, key=value_of, reverse=descending) + missing
