"""Monitoring figures as plain data: colour bands of a share and the figures of an area, a platform, an organisation.

No flask, no database: the blueprint's stats module fills these from grouped SQL queries.
"""
import enum
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

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


@dataclass(frozen=True)
class Threshold:
    below_max: float
    good_min: float

    def band(self, share: float | None) -> Band | None:
        return band(share, self.below_max, self.good_min)


# The seed's values (federal Сферум monitoring, parameters from 25.05.2023), used when the table has no row.
DEFAULT_THRESHOLDS = {"organizations": Threshold(0.50, 0.90), "teachers": Threshold(0.10, 0.25)}


@dataclass(frozen=True)
class Thresholds:
    organizations: Threshold = DEFAULT_THRESHOLDS["organizations"]
    teachers: Threshold = DEFAULT_THRESHOLDS["teachers"]

    @classmethod
    def from_rows(cls, rows: Iterable[tuple[str, float, float]]) -> "Thresholds":
        """From (metric, below_max, good_min) rows; unknown metrics are ignored, missing ones keep the default."""
        found = {metric: Threshold(below_max, good_min) for metric, below_max, good_min in rows}
        return cls(**{metric: found[metric] for metric in DEFAULT_THRESHOLDS if metric in found})


def share(part: int, whole: int) -> float | None:
    return part / whole if whole else None


@dataclass(frozen=True)
class PlatformFigures:
    code: str
    name: str
    organizations_total: int
    organizations_with_active: int  # organisations with at least one teacher active on the platform
    teachers_total: int
    teachers_registered: int  # status registered or active, as the teachers state it
    teachers_active: int
    # The same counted only over statuses the organisation confirmed, of teachers it confirmed.
    organizations_with_active_confirmed: int = 0
    teachers_active_confirmed: int = 0

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

    @property
    def confirmed_share(self) -> float | None:
        return share(self.teachers_confirmed, self.teachers_registered)

    @property
    def diagnostics_submitted(self) -> int:
        return sum(self.diagnostics_by_status.get(status, 0) for status in SUBMITTED_STATUSES)

    def platform(self, code: str) -> PlatformFigures | None:
        return next((figures for figures in self.platforms if figures.code == code), None)


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
                "teachers_active", "organizations_with_active_confirmed", "teachers_active_confirmed")},
        ))
    return AreaFigures(
        name=name, municipality_id=None, organizations_by_kind=merged("organizations_by_kind"),
        organizations_total=total("organizations_total", areas), teachers_registered=total("teachers_registered", areas),
        teachers_confirmed=total("teachers_confirmed", areas), platforms=tuple(summed_platforms),
        diagnostics_by_status=merged("diagnostics_by_status"), levels=merged("levels"),
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
        columns[f"{code}.active"] = lambda f, c=code: _platform_value(f, c, "active_share")
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
