"""Which of the region's municipalities a postal address names (the federal registry gives no municipality).

A municipal district is named by its adjective («Ачинский район», «Ачинский р-н», «Ачинский муниципальный
округ» — districts became okrugs in 2022–2025 while the reference list kept them as districts); a city or a
settlement by its name after «г.», «город», «п.», «пос.», «пгт». An address naming a district is that district's
even if a village in it bears the name of a city elsewhere («п. Солнечный» exists outside the ZATO too).
"""
import re
from collections.abc import Iterable

_DISTRICT = re.compile(r"^(?P<name>.+?)\s+муниципальный\s+(район|округ)$")
_CITY = re.compile(r"^(зато\s+)?город\s+(?P<name>.+)$")
_SETTLEMENT = re.compile(r"^(зато\s+)?поселок\s+(?P<name>.+)$")
_CITY_WORDS = r"(?:г|гор|город)"
_SETTLEMENT_WORDS = r"(?:п|пос|поселок|пгт|рп|р\.п|зато\s+п|зато\s+поселок)"
_DISTRICT_WORDS = r"(?:муниципальный\s+район|муниципальный\s+округ|район|р-н|р-он|округ|м\.р-н)"


def _fold(text: str) -> str:
    return " ".join(text.lower().replace("ё", "е").split())


def _pattern(name: str) -> tuple[str, re.Pattern] | None:
    """The kind of a reference name ("district" or "place") and the pattern of it in a folded address."""
    folded = _fold(name)
    if match := _DISTRICT.match(folded):
        return "district", re.compile(rf"(?<![\w-]){re.escape(match['name'])}\s+{_DISTRICT_WORDS}(?![\w-])")
    for shape, words in ((_CITY, _CITY_WORDS), (_SETTLEMENT, _SETTLEMENT_WORDS)):
        if match := shape.match(folded):
            return "place", re.compile(rf"(?<![\w-]){words}\.?\s*{re.escape(match['name'])}(?![\w-])")
    return None


def municipality_of_address(address: str, names: Iterable[str]) -> tuple[str | None, list[str]]:
    """The one reference name the address points to, or None with the candidates when none or several fit."""
    folded = _fold(address)
    found: dict[str, list[str]] = {"district": [], "place": []}
    for name in names:
        pattern = _pattern(name)
        if pattern is not None and pattern[1].search(folded):
            found[pattern[0]].append(name)
    for kind in ("district", "place"):
        if len(found[kind]) == 1:
            return found[kind][0], []
        if found[kind]:
            return None, found[kind]
    return None, []
