"""The pure rules of a sign-in's life: absolute end, idle limit, revocation, throttled last-seen writes."""
from datetime import datetime, timedelta

import pytest

from cpp_app.domain.session_lifetime import (
    Limits,
    SessionState,
    SessionTimes,
    absolute_end,
    idle_cutoff,
    needs_touch,
    state,
)

LIMITS = Limits(lifetime=timedelta(hours=12), remember_lifetime=timedelta(days=30), idle=timedelta(minutes=120),
                remember_idle=timedelta(days=14))
START = datetime(2026, 3, 2, 8, 0)


def times(last_seen=START, remember=False, revoked_at=None):
    return SessionTimes(last_seen_at=last_seen, expires_at=absolute_end(START, remember, LIMITS), remember=remember,
                        revoked_at=revoked_at)


def test_limits_come_from_the_configuration():
    config = {"SESSION_LIFETIME_HOURS": 12, "REMEMBER_COOKIE_DURATION_DAYS": 30, "SESSION_IDLE_MINUTES": 120,
              "REMEMBER_IDLE_DAYS": 14}
    assert Limits.from_config(config) == LIMITS


def test_absolute_end_is_12_hours_or_30_days_with_remember_me():
    assert absolute_end(START, False, LIMITS) == START + timedelta(hours=12)
    assert absolute_end(START, True, LIMITS) == START + timedelta(days=30)


@pytest.mark.parametrize(("idle", "expected"), [
    (timedelta(0), SessionState.ACTIVE),
    (timedelta(minutes=119, seconds=59), SessionState.ACTIVE),
    (timedelta(minutes=120), SessionState.IDLE),
    (timedelta(hours=5), SessionState.IDLE),
])
def test_a_session_unused_for_two_hours_ends(idle, expected):
    last_seen = START + timedelta(hours=1)
    assert state(times(last_seen), last_seen + idle, LIMITS) is expected


@pytest.mark.parametrize(("idle", "expected"), [
    (timedelta(hours=5), SessionState.ACTIVE),
    (timedelta(days=13, hours=23), SessionState.ACTIVE),
    (timedelta(days=14), SessionState.IDLE),
])
def test_a_remembered_session_may_sit_unused_for_14_days(idle, expected):
    assert state(times(remember=True), START + idle, LIMITS) is expected


def test_activity_does_not_extend_the_absolute_end():
    end = absolute_end(START, False, LIMITS)
    just_seen = times(last_seen=end - timedelta(seconds=1))
    assert state(just_seen, end - timedelta(seconds=1), LIMITS) is SessionState.ACTIVE
    assert state(just_seen, end, LIMITS) is SessionState.EXPIRED
    remembered = times(last_seen=START + timedelta(days=30), remember=True)
    assert state(remembered, START + timedelta(days=30), LIMITS) is SessionState.EXPIRED


def test_a_revoked_session_is_over_whatever_its_times():
    assert state(times(revoked_at=START), START + timedelta(minutes=1), LIMITS) is SessionState.REVOKED


def test_last_seen_is_written_at_most_once_a_minute():
    assert not needs_touch(START, START)
    assert not needs_touch(START, START + timedelta(seconds=59))
    assert needs_touch(START, START + timedelta(minutes=1))


def test_idle_cutoff_agrees_with_state():
    now = START + timedelta(hours=3)
    for remember in (False, True):
        cutoff = idle_cutoff(now, remember, LIMITS)
        assert state(times(cutoff + timedelta(seconds=1), remember), now, LIMITS) is SessionState.ACTIVE
        assert state(times(cutoff, remember), now, LIMITS) is SessionState.IDLE
