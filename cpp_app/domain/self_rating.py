"""Where a teacher's self-rating of a platform item disagrees with what their profile says about that platform.

Plain data in and out. A disagreement is a prompt to look again, never a correction: the rating stays the teacher's.
"""
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

HIGH_RATING = 3  # «использую регулярно» and above: claims regular use
LOW_RATING = 1  # «знаю о…» and below: claims no use


@dataclass(frozen=True)
class PlatformFact:
    """What the profile says about one platform: the account's status (not_registered / registered / active)
    and whether the organisation confirmed it."""

    name: str
    status: str | None  # None: no account row at all
    confirmed: bool = False


@dataclass(frozen=True)
class RatedItem:
    code: str
    label: str
    platform: str  # the platform's code
    score: int | None


@dataclass(frozen=True)
class Disagreement:
    item_code: str
    platform: str
    score: int
    text: str  # Russian, for the feedback page


def disagreements(items: Iterable[RatedItem], facts: Mapping[str, PlatformFact]) -> list[Disagreement]:
    """A rating of regular use (≥ 3) while the profile has no account on the platform, and a rating of no use (≤ 1)
    while the account is active and confirmed by the organisation; unanswered items and unknown platforms are
    skipped (nothing to compare)."""
    found = []
    for item in items:
        fact = facts.get(item.platform)
        if item.score is None or fact is None:
            continue
        registered = fact.status in ("registered", "active")
        if item.score >= HIGH_RATING and not registered:
            text = (f"Вы оценили пункт «{item.label}» на {item.score}, а в профиле {fact.name} не отмечен. "
                    "Если вы зарегистрированы, отметьте это на странице «Платформы».")
        elif item.score <= LOW_RATING and fact.status == "active" and fact.confirmed:
            text = (f"Вы оценили пункт «{item.label}» на {item.score}, а в профиле {fact.name} — «активно использую», "
                    "и организация это подтвердила. Возможно, вы недооцениваете свой опыт.")
        else:
            continue
        found.append(Disagreement(item.code, item.platform, item.score, text))
    return found
