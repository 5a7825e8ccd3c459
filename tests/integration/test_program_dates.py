"""A program's period is checked against Krasnoyarsk's date, not the server's."""
from datetime import date, datetime, timezone

import pytest

from cpp_app.blueprints.programs import services as program_services
from cpp_app.blueprints.programs.services import START_YEARS_AROUND, create_program
from cpp_app.kernel import clock
from cpp_app.service_errors import FieldErrors
from tests.factories import actor_of, diagnostic_through_services

# 20:00 UTC on 31 December 2026: the server (on UTC) still has 2026, Krasnoyarsk (UTC+7) is at 03:00 on 1 January 2027.
NEW_YEARS_NIGHT = datetime(2026, 12, 31, 20, 0)
KRASNOYARSK_YEAR = 2027


@pytest.fixture
def new_years_night(monkeypatch):
    """The clock stopped at NEW_YEARS_NIGHT for the server's date.today() and for Krasnoyarsk's clock."""

    class ServerDate(date):
        @classmethod
        def today(cls):
            return NEW_YEARS_NIGHT.date()

    class ServerDateTime(datetime):
        @classmethod
        def now(cls, tz=None):
            return NEW_YEARS_NIGHT if tz is None else NEW_YEARS_NIGHT.replace(tzinfo=timezone.utc).astimezone(tz)

    monkeypatch.setattr(program_services, "date", ServerDate)
    monkeypatch.setattr(clock, "datetime", ServerDateTime)
    assert clock.local_today() == date(KRASNOYARSK_YEAR, 1, 1)


def test_the_period_is_checked_against_the_year_in_krasnoyarsk(database, school, director, new_years_night):
    diagnostic = diagnostic_through_services(database, school, director)
    latest = KRASNOYARSK_YEAR + START_YEARS_AROUND  # one year too late by the server's date
    with pytest.raises(FieldErrors) as refused:
        create_program(school, diagnostic, (KRASNOYARSK_YEAR - START_YEARS_AROUND - 1, latest), actor_of(director))
    assert refused.value.errors["period_start"] == (
        f"Год начала — от {KRASNOYARSK_YEAR - START_YEARS_AROUND} до {KRASNOYARSK_YEAR + START_YEARS_AROUND}."
    )
    program = create_program(school, diagnostic, (latest, latest + 4), actor_of(director))
    assert (program.period_start, program.period_end) == (latest, latest + 4)
