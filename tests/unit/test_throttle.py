from datetime import datetime, timedelta

from cpp_app.domain.throttle import ACCOUNT_POLICY, ACCOUNT_WIDE_POLICY, ADDRESS_POLICY, decide, locks_now, wait_message

NOW = datetime(2026, 11, 29, 12, 0, 0)


def test_first_failures_are_free():
    for failures in range(ACCOUNT_POLICY.free_failures + 1):
        assert decide(ACCOUNT_POLICY, failures, NOW, NOW).allowed


def test_waits_grow_after_free_failures():
    first = decide(ACCOUNT_POLICY, 4, NOW, NOW)
    second = decide(ACCOUNT_POLICY, 6, NOW, NOW)
    assert not first.allowed and not second.allowed
    assert first.retry_after_seconds == 2
    assert second.retry_after_seconds == 8
    assert decide(ACCOUNT_POLICY, 4, NOW, NOW + timedelta(seconds=2)).allowed


def test_lock_after_many_failures():
    decision = decide(ACCOUNT_POLICY, ACCOUNT_POLICY.lock_after, NOW, NOW + timedelta(minutes=1))
    assert decision.locked and not decision.allowed
    assert decision.retry_after_seconds == 14 * 60
    assert "заблокирован" in wait_message(decision) and "14 мин" in wait_message(decision)
    assert decide(ACCOUNT_POLICY, ACCOUNT_POLICY.lock_after, NOW, NOW + ACCOUNT_POLICY.lock_duration).allowed


def test_old_failures_are_forgotten():
    assert decide(ACCOUNT_POLICY, 9, NOW, NOW + timedelta(hours=2)).allowed


def test_address_policy_tolerates_a_school_behind_one_address():
    assert decide(ADDRESS_POLICY, 15, NOW, NOW).allowed
    assert not decide(ADDRESS_POLICY, ADDRESS_POLICY.lock_after, NOW, NOW).allowed


def test_wait_message_in_seconds():
    assert "Подождите 8 с" in wait_message(decide(ACCOUNT_POLICY, 6, NOW, NOW))


def test_a_lock_out_starts_at_the_limit_and_again_after_it_ends():
    assert [failures for failures in range(1, 12) if locks_now(ACCOUNT_POLICY, failures)] == [10, 11]
    # While locked, a try is refused before it is counted: the next count comes only after the lock ends.
    assert not decide(ACCOUNT_POLICY, 10, NOW, NOW + timedelta(minutes=14)).allowed
    assert decide(ACCOUNT_POLICY, 10, NOW, NOW + ACCOUNT_POLICY.lock_duration).allowed


def test_account_wide_backoff_is_slower_than_per_address():
    failures = ACCOUNT_POLICY.lock_after
    assert decide(ACCOUNT_POLICY, failures, NOW, NOW).locked
    wide = decide(ACCOUNT_WIDE_POLICY, failures, NOW, NOW)
    assert not wide.locked and wide.retry_after_seconds < 60
    assert decide(ACCOUNT_WIDE_POLICY, ACCOUNT_WIDE_POLICY.lock_after, NOW, NOW).locked
