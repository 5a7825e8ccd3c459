"""When a campaign is running and which of its letters is due: plain dates in, plain answers out."""
import enum
from datetime import date, timedelta

REMINDER_DAYS = 7  # the reminder goes a week before the end


class Phase(enum.StrEnum):
    PLANNED = "planned"
    CURRENT = "current"
    FINISHED = "finished"

    @property
    def label(self) -> str:
        return {Phase.PLANNED: "запланирована", Phase.CURRENT: "идёт", Phase.FINISHED: "завершена"}[self]


class Letter(enum.StrEnum):
    START = "start"
    REMINDER = "reminder"


def phase(starts_on: date, ends_on: date, closed: bool, today: date) -> Phase:
    """A campaign closed early is finished, whatever its dates say."""
    if closed or today > ends_on:
        return Phase.FINISHED
    return Phase.PLANNED if today < starts_on else Phase.CURRENT


def reminder_from(starts_on: date, ends_on: date) -> date | None:
    """The first day of the reminder; None for a campaign of a week or less, where the start letter is enough."""
    first = ends_on - timedelta(days=REMINDER_DAYS)
    return first if first > starts_on else None


def due_letter(starts_on: date, ends_on: date, closed: bool, today: date) -> Letter | None:
    """The letter a running campaign sends today: the start letter until the last week, then the reminder (those
    the start letter has not reached by then get the reminder alone: one letter is enough so close to the end)."""
    if phase(starts_on, ends_on, closed, today) != Phase.CURRENT:
        return None
    first = reminder_from(starts_on, ends_on)
    return Letter.REMINDER if first is not None and today >= first else Letter.START
