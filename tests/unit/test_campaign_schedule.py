"""A campaign's phase and the letter due on a day."""
from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from cpp_app.blueprints.campaigns.schedule import REMINDER_DAYS, Letter, Phase, due_letter, phase, reminder_from

START, END = date(2027, 3, 1), date(2027, 3, 31)


def test_phases():
    assert phase(START, END, False, START - timedelta(days=1)) == Phase.PLANNED
    assert phase(START, END, False, START) == Phase.CURRENT
    assert phase(START, END, False, END) == Phase.CURRENT
    assert phase(START, END, False, END + timedelta(days=1)) == Phase.FINISHED
    assert phase(START, END, True, START + timedelta(days=3)) == Phase.FINISHED


def test_the_start_letter_until_a_week_before_the_end_then_the_reminder():
    assert due_letter(START, END, False, START) == Letter.START
    assert due_letter(START, END, False, date(2027, 3, 23)) == Letter.START
    assert due_letter(START, END, False, date(2027, 3, 24)) == Letter.REMINDER  # 31 − 7
    assert due_letter(START, END, False, END) == Letter.REMINDER
    assert due_letter(START, END, False, END + timedelta(days=1)) is None
    assert due_letter(START, END, False, START - timedelta(days=1)) is None
    assert due_letter(START, END, True, START + timedelta(days=1)) is None


def test_a_campaign_of_a_week_or_less_has_no_reminder():
    short_end = START + timedelta(days=REMINDER_DAYS)
    assert reminder_from(START, short_end) is None
    assert {due_letter(START, short_end, False, START + timedelta(days=n)) for n in range(8)} == {Letter.START}


@given(st.dates(min_value=date(2026, 1, 1), max_value=date(2030, 1, 1)), st.integers(0, 400), st.integers(-30, 430))
def test_a_letter_is_due_only_while_the_campaign_runs_and_the_reminder_only_in_its_last_week(start, length, offset):
    end, today = start + timedelta(days=length), start + timedelta(days=offset)
    letter = due_letter(start, end, False, today)
    assert (letter is not None) == (start <= today <= end)
    if letter == Letter.REMINDER:
        assert end - today <= timedelta(days=REMINDER_DAYS) and today > start
