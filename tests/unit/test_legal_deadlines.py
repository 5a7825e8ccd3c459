"""Deadlines of data subjects' requests: 10 working days, and 30 days to destroy after a withdrawal."""
from datetime import date, datetime, timedelta

import pytest

from cpp_app.domain.legal_deadlines import (
    add_working_days,
    days_off,
    deadline_state,
    destruction_deadline,
    end_of_local_day,
    is_working_day,
    local_day,
    request_deadline,
)


def test_an_ordinary_fortnight_counts_from_the_next_day():
    # Received on Monday 13.01.2025: Tuesday is day 1, the tenth working day is Monday 27.01.
    assert request_deadline(date(2025, 1, 13)) == date(2025, 1, 27)


def test_a_request_received_on_a_weekend_starts_on_monday():
    assert request_deadline(date(2025, 1, 18)) == date(2025, 1, 31)


def test_public_holidays_do_not_count():
    # 24.04.2025 (Thu): 25, 28, 29, 30 April, 1 May is a holiday, 2, 5, 6, 7, 8 May, 9 May is a holiday → 12 May.
    assert request_deadline(date(2025, 4, 24)) == date(2025, 5, 12)


def test_new_year_holidays_are_skipped_across_the_year_end():
    # 25.12.2025 (Thu): 26, 29, 30, 31 December, then 1–8 January off, then 9, 12, 13, 14, 15, 16 January.
    assert request_deadline(date(2025, 12, 25)) == date(2026, 1, 16)


@pytest.mark.parametrize(
    ("holiday", "moved_to"),
    [
        (date(2026, 5, 9), date(2026, 5, 11)),  # Saturday → Monday
        (date(2025, 2, 23), date(2025, 2, 24)),  # Sunday → Monday
        (date(2023, 11, 4), date(2023, 11, 6)),  # Saturday → Monday
        (date(2021, 6, 12), date(2021, 6, 14)),  # Saturday → Monday
    ],
)
def test_a_holiday_on_a_weekend_moves_the_day_off_to_the_next_working_day(holiday, moved_to):
    assert holiday in days_off(holiday.year)
    assert moved_to in days_off(holiday.year)
    assert not is_working_day(moved_to)
    assert is_working_day(moved_to + timedelta(days=1))


def test_new_year_weekends_are_not_moved_by_the_rule():
    # 3–4 January 2026 fall on a weekend; where they move is up to the government's decree, not art. 112.
    assert is_working_day(date(2026, 1, 9))
    assert days_off(2026) - {d for d in days_off(2026) if d.month == 1} == {
        date(2026, 2, 23), date(2026, 3, 8), date(2026, 3, 9), date(2026, 5, 1), date(2026, 5, 9),
        date(2026, 5, 11), date(2026, 6, 12), date(2026, 11, 4),
    }


def test_may_holidays_on_two_weekends_move_to_their_own_mondays():
    # 2027: 1 May is a Saturday, 9 May a Sunday.
    assert {date(2027, 5, 3), date(2027, 5, 10)} <= days_off(2027)
    assert is_working_day(date(2027, 5, 4)) and is_working_day(date(2027, 5, 11))


@pytest.mark.parametrize("start", [date(2025, 1, 1) + timedelta(days=n) for n in range(0, 730, 7)])
def test_the_deadline_is_the_tenth_working_day(start):
    due = request_deadline(start)
    assert is_working_day(due)
    working = [start + timedelta(days=n) for n in range(1, (due - start).days + 1)]
    assert sum(is_working_day(day) for day in working) == 10


def test_working_days_need_a_positive_count():
    with pytest.raises(ValueError):
        add_working_days(date(2025, 1, 13), 0)


def test_destruction_is_due_thirty_calendar_days_after_the_withdrawal():
    assert destruction_deadline(date(2025, 1, 31)) == date(2025, 3, 2)
    assert destruction_deadline(date(2025, 12, 20)) == date(2026, 1, 19)


def test_the_request_date_is_the_krasnoyarsk_date_of_the_utc_instant():
    assert local_day(datetime(2025, 1, 13, 16, 59)) == date(2025, 1, 13)
    assert local_day(datetime(2025, 1, 13, 17, 0)) == date(2025, 1, 14)  # midnight in Krasnoyarsk


def test_a_deadline_is_stored_as_the_end_of_the_local_day():
    moment = end_of_local_day(date(2025, 1, 27))
    assert moment == datetime(2025, 1, 27, 16, 59, 59)
    assert local_day(moment) == date(2025, 1, 27)
    assert local_day(moment + timedelta(seconds=1)) == date(2025, 1, 28)


@pytest.mark.parametrize(
    ("today", "done", "days_left", "overdue", "text"),
    [
        (date(2025, 1, 20), False, 7, False, "осталось 7 дн."),
        (date(2025, 1, 27), False, 0, False, "срок истекает сегодня"),
        (date(2025, 1, 30), False, -3, True, "просрочено на 3 дн."),
        (date(2025, 1, 30), True, -3, False, "исполнено"),
    ],
)
def test_days_left_and_overdue(today, done, days_left, overdue, text):
    state = deadline_state(date(2025, 1, 27), today, done=done)
    assert (state.days_left, state.overdue, state.text) == (days_left, overdue, text)
