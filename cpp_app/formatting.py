"""Template filters for how people in Krasnoyarsk Krai read dates and numbers."""
from datetime import date, datetime, timedelta, timezone

# The whole of Krasnoyarsk Krai keeps UTC+7 all year (no daylight saving since 2014).
KRASNOYARSK_TIME = timezone(timedelta(hours=7), "KRAT")


def local_date(moment: datetime | date | None) -> str:
    """A stored naive-UTC timestamp as the local calendar date, dd.mm.yyyy; a plain date as it is."""
    if moment is None:
        return ""
    if not isinstance(moment, datetime):
        return moment.strftime("%d.%m.%Y")
    return moment.replace(tzinfo=timezone.utc).astimezone(KRASNOYARSK_TIME).strftime("%d.%m.%Y")


def local_datetime(moment: datetime | None) -> str:
    if moment is None:
        return ""
    return moment.replace(tzinfo=timezone.utc).astimezone(KRASNOYARSK_TIME).strftime("%d.%m.%Y %H:%M")
