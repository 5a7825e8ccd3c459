"""Template filters for how people in Krasnoyarsk Krai read dates and numbers."""
from datetime import datetime, timedelta, timezone

# The whole of Krasnoyarsk Krai keeps UTC+7 all year (no daylight saving since 2014).
KRASNOYARSK_TIME = timezone(timedelta(hours=7), "KRAT")


def local_date(moment: datetime | None) -> str:
    """A stored naive-UTC timestamp as the local calendar date, dd.mm.yyyy."""
    if moment is None:
        return ""
    return moment.replace(tzinfo=timezone.utc).astimezone(KRASNOYARSK_TIME).strftime("%d.%m.%Y")


def local_datetime(moment: datetime | None) -> str:
    if moment is None:
        return ""
    return moment.replace(tzinfo=timezone.utc).astimezone(KRASNOYARSK_TIME).strftime("%d.%m.%Y %H:%M")
