"""Template filters for how people in Krasnoyarsk Krai read dates and numbers."""
from datetime import date, datetime

from .kernel.clock import to_local


def local_date(moment: datetime | date | None) -> str:
    """A stored naive-UTC timestamp as the local calendar date, dd.mm.yyyy; a plain date as it is."""
    if moment is None:
        return ""
    if not isinstance(moment, datetime):
        return moment.strftime("%d.%m.%Y")
    return to_local(moment).strftime("%d.%m.%Y")


def local_datetime(moment: datetime | None) -> str:
    if moment is None:
        return ""
    return to_local(moment).strftime("%d.%m.%Y %H:%M")


def thousands(number: int) -> str:
    """22936 → «22 936» (a non-breaking space between the groups, as Russian text writes large numbers)."""
    return f"{number:,}".replace(",", "\u00a0")
