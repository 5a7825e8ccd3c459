"""Federal target values of a platform (ФГИС «Моя школа», Приказ Минпросвещения № 396) as plain data, and the target
that applies in a given year.

The order lists values for some years only (2022–2025, then 2030); a year between them uses the value of the latest
listed year not after it, and says so: `YearTarget.set_for` is the year the value belongs to.
"""
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class YearTarget:
    year: int  # the year asked about
    set_for: int  # the listed year whose value applies
    value: float  # a share, 0…1
    reference: bool  # the document marks the value «справочно»
    next_year: int | None = None  # the next listed year after `year`, if any
    next_value: float | None = None
    reference_years: frozenset[int] = frozenset()

    @property
    def exact(self) -> bool:
        return self.year == self.set_for

    def met(self, share: float | None) -> bool | None:
        return None if share is None else share >= self.value

    @property
    def label(self) -> str:
        return f"ориентир {self.year}: {percent_text(self.value)}"

    @property
    def explanation(self) -> str:
        """Which listed year the value is of, in words: never a value passed off as the year's own."""
        reference = " (справочное)" if self.reference else ""
        if self.exact:
            text = f"значение приказа на {self.year} год{reference}"
        else:
            text = (f"на {self.year} год приказ значения не даёт — взято последнее до него: значение на "
                    f"{self.set_for} год{reference}")
        if self.next_year is not None and not self.exact:
            text += f"; на {self.next_year} год — {percent_text(self.next_value)}"
            text += " (справочное)" if self.next_year in self.reference_years else ""
        return text


@dataclass(frozen=True)
class TargetSeries:
    measure: str  # "teachers" or "organizations"
    title: str
    values: Mapping[int, float]
    reference_years: frozenset[int] = frozenset()

    def for_year(self, year: int) -> YearTarget | None:
        """The value of the latest listed year not after `year`; None before the first listed year."""
        earlier = [listed for listed in self.values if listed <= year]
        if not earlier:
            return None
        set_for = max(earlier)
        later = [listed for listed in self.values if listed > year]
        next_year = min(later) if later else None
        return YearTarget(year, set_for, self.values[set_for], set_for in self.reference_years,
                          next_year, self.values[next_year] if next_year is not None else None, self.reference_years)


@dataclass(frozen=True)
class RegionalTotals:
    """The region's figures as the platform itself counts them, quoted from the seed."""

    source: str
    organizations: int
    organizations_active: int
    teachers: int
    teachers_active: int
    active_organization: str  # the platform's definition of an active organisation
    active_user: str

    @property
    def organizations_share(self) -> float:
        return self.organizations_active / self.organizations

    @property
    def teachers_share(self) -> float:
        return self.teachers_active / self.teachers


@dataclass(frozen=True)
class FederalTargets:
    platform: str  # the platform's code
    source: str  # the document, named as the seed names it
    measures: Mapping[str, TargetSeries]
    totals: RegionalTotals | None = None

    def for_year(self, measure: str, year: int) -> YearTarget | None:
        series = self.measures.get(measure)
        return series.for_year(year) if series else None


def parse_targets(data: Mapping[str, Any]) -> FederalTargets:
    """From the YAML of seeds/federal_targets.yaml; a value outside 0…1 or a non-year key is a ValueError."""
    reference_years = frozenset(int(year) for year in data.get("reference_years", ()))
    measures = {}
    for measure, entry in data["measures"].items():
        values = {int(year): float(value) for year, value in entry["values"].items()}
        if not values or any(not 0 <= value <= 1 for value in values.values()):
            raise ValueError(f"{measure}: target values must be shares from 0 to 1")
        measures[measure] = TargetSeries(measure, entry["title"], values, reference_years)
    totals = data.get("regional_totals")
    return FederalTargets(
        platform=data["platform"], source=data["source"], measures=measures,
        totals=RegionalTotals(**totals) if totals else None,
    )


def percent_text(share: float) -> str:
    """A share as a percentage to one decimal, rounded down, so that a share below a target is never written as equal
    to it (0.4996 → «49,9 %», not «50 %»); whole numbers without the decimal. A non-breaking space before «%»."""
    tenths = int(share * 1000 + 1e-9)  # the epsilon keeps 0.29 (28.999… in binary) at 29.0
    text = str(tenths // 10) if tenths % 10 == 0 else f"{tenths // 10},{tenths % 10}"
    return f"{text}\u00a0%"
