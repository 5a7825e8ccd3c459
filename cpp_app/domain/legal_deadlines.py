"""Legal deadlines of data subjects' requests under 152-ФЗ, counted in Krasnoyarsk dates.

- A request for information about the processing of one's data (or for its rectification, or any other
  request to the operator) is answered within 10 working days of its receipt (152-ФЗ art. 14 ч. 3, art. 20 ч. 1
  and ч. 3 as amended by 266-ФЗ of 14.07.2022).
- After the consent is withdrawn, the data is destroyed within 30 days of the withdrawal (art. 21 ч. 5).

A period starts on the day after its event (Civil Code art. 191), so a request received on a Monday has its first
working day on Tuesday. Deadlines are plain local dates: the end of that day in Krasnoyarsk.
"""
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from functools import lru_cache

from ..kernel.clock import KRASNOYARSK_TIME

REQUEST_WORKING_DAYS = 10
DESTRUCTION_CALENDAR_DAYS = 30

# Non-working public holidays, Labour Code art. 112 ч. 1: (month, day).
NEW_YEAR_HOLIDAYS = tuple((1, day) for day in range(1, 9))  # 1–6 and 8 January, and Christmas on the 7th
OTHER_HOLIDAYS = ((2, 23), (3, 8), (5, 1), (5, 9), (6, 12), (11, 4))


def _is_weekend(day: date) -> bool:
    return day.weekday() >= 5


@lru_cache(maxsize=64)
def days_off(year: int) -> frozenset[date]:
    """The public holidays of the year and the days off moved from holidays that fall on a weekend.

    Art. 112 ч. 2: a weekend that coincides with a holiday moves to the next working day after the holiday —
    except for the 1–8 January holidays: those weekends are moved by an annual government decree (together with
    working Saturdays it may declare), which this module cannot know. Around such decrees the computed deadline
    may be a day or two off the official calendar; the admin queue shows the date so the operator can check it.
    """
    holidays = {date(year, month, day) for month, day in (*NEW_YEAR_HOLIDAYS, *OTHER_HOLIDAYS)}
    moved: set[date] = set()
    for month, day in OTHER_HOLIDAYS:
        holiday = date(year, month, day)
        if not _is_weekend(holiday):
            continue
        candidate = holiday + timedelta(days=1)
        while _is_weekend(candidate) or candidate in holidays:
            candidate += timedelta(days=1)
        moved.add(candidate)
    return frozenset(holidays | moved)


def is_working_day(day: date) -> bool:
    return not _is_weekend(day) and day not in days_off(day.year)


def add_working_days(start: date, count: int) -> date:
    """The `count`-th working day after `start` (`start` itself never counts)."""
    if count < 1:
        raise ValueError("count must be positive")
    day = start
    while count:
        day += timedelta(days=1)
        if is_working_day(day):
            count -= 1
    return day


def local_day(moment: datetime) -> date:
    """The Krasnoyarsk calendar date of a naive-UTC instant (how every timestamp is stored)."""
    return moment.replace(tzinfo=timezone.utc).astimezone(KRASNOYARSK_TIME).date()


def end_of_local_day(day: date) -> datetime:
    """The last second of a Krasnoyarsk date as a naive-UTC instant, to store a deadline as a timestamp."""
    moment = datetime.combine(day, time(23, 59, 59), tzinfo=KRASNOYARSK_TIME)
    return moment.astimezone(timezone.utc).replace(tzinfo=None)


def request_deadline(received_on: date) -> date:
    """The last day to answer a request received on `received_on` (local date)."""
    return add_working_days(received_on, REQUEST_WORKING_DAYS)


def destruction_deadline(withdrawn_on: date) -> date:
    """The last day to destroy the data of a person who withdrew consent on `withdrawn_on` (local date)."""
    return withdrawn_on + timedelta(days=DESTRUCTION_CALENDAR_DAYS)


@dataclass(frozen=True)
class DeadlineState:
    due_on: date
    days_left: int  # negative when overdue
    done: bool

    @property
    def overdue(self) -> bool:
        return not self.done and self.days_left < 0

    @property
    def text(self) -> str:
        if self.done:
            return "исполнено"
        if self.days_left < 0:
            return f"просрочено на {-self.days_left} дн."
        if self.days_left == 0:
            return "срок истекает сегодня"
        return f"осталось {self.days_left} дн."


def deadline_state(due_on: date, today: date, done: bool = False) -> DeadlineState:
    """Calendar days from `today` to the deadline, for the admin queue (both are local dates)."""
    return DeadlineState(due_on=due_on, days_left=(due_on - today).days, done=done)
