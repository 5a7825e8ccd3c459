"""Krasnoyarsk's clock: the whole krai keeps UTC+7 all year (no daylight saving since 2014)."""
from datetime import date, datetime, timedelta, timezone

KRASNOYARSK_TIME = timezone(timedelta(hours=7), "KRAT")


def local_now() -> datetime:
    return datetime.now(KRASNOYARSK_TIME)


def local_today() -> date:
    """Today in Krasnoyarsk, where the dates people type and read belong (the server may keep UTC)."""
    return local_now().date()


def to_local(moment: datetime) -> datetime:
    """A stored naive-UTC timestamp in Krasnoyarsk time."""
    return moment.replace(tzinfo=timezone.utc).astimezone(KRASNOYARSK_TIME)
