"""Sign-in throttling: free tries, then growing waits, then a lock-out."""
from dataclasses import dataclass
from datetime import datetime, timedelta

MAX_WAIT = timedelta(minutes=5)
# Failures older than this are forgotten.
FORGET_AFTER = timedelta(hours=1)


@dataclass(frozen=True)
class Policy:
    free_failures: int
    lock_after: int
    lock_duration: timedelta


# One account from one address: the guesser there is locked out, the owner elsewhere is not.
ACCOUNT_POLICY = Policy(free_failures=3, lock_after=10, lock_duration=timedelta(minutes=15))
# One account from everywhere (guessing spread over many addresses): slower to bite, and a device the owner
# signed in from before is exempt, so nobody can lock the owner out by failing on purpose.
ACCOUNT_WIDE_POLICY = Policy(free_failures=10, lock_after=50, lock_duration=timedelta(minutes=30))
# One address may be a whole school behind NAT.
ADDRESS_POLICY = Policy(free_failures=20, lock_after=100, lock_duration=timedelta(minutes=15))


def account_key(email: str) -> str:
    return f"email:{email}"


def account_from_address_key(email: str, ip: str | None) -> str:
    return f"{account_from_address_prefix(email)}ip:{ip}"


def account_from_address_prefix(email: str) -> str:
    """What every per-address counter of the account starts with (to clear or destroy them all)."""
    return f"email:{email}|"


@dataclass(frozen=True)
class ThrottleDecision:
    allowed: bool
    retry_after_seconds: int = 0
    locked: bool = False


def current_failures(failures: int, last_failure_at: datetime | None, now: datetime) -> int:
    if last_failure_at is None or now - last_failure_at > FORGET_AFTER:
        return 0
    return failures


def required_wait(policy: Policy, failures: int) -> timedelta:
    if failures >= policy.lock_after:
        return policy.lock_duration
    if failures <= policy.free_failures:
        return timedelta(0)
    return min(timedelta(seconds=2 ** (failures - policy.free_failures)), MAX_WAIT)


def decide(policy: Policy, failures: int, last_failure_at: datetime | None, now: datetime) -> ThrottleDecision:
    """May another sign-in attempt be checked now, given the failures recorded so far?"""
    failures = current_failures(failures, last_failure_at, now)
    wait = required_wait(policy, failures)
    if not wait:
        return ThrottleDecision(allowed=True)
    remaining = last_failure_at + wait - now
    if remaining <= timedelta(0):
        return ThrottleDecision(allowed=True)
    seconds = int(remaining.total_seconds()) + (1 if remaining.microseconds else 0)
    return ThrottleDecision(allowed=False, retry_after_seconds=seconds, locked=failures >= policy.lock_after)


def locks_now(policy: Policy, failures: int) -> bool:
    """Does the failure that brought the count to `failures` start a lock-out? Tries are not counted while one
    lasts, so each counted failure at the limit starts a new one: the owner hears once per lock-out."""
    return failures >= policy.lock_after


def wait_message(decision: ThrottleDecision) -> str:
    if decision.locked:
        minutes = -(-decision.retry_after_seconds // 60)
        return (
            "Слишком много неудачных попыток входа. Вход временно заблокирован, "
            f"попробуйте через {minutes} мин. или восстановите пароль."
        )
    return f"Слишком много неудачных попыток входа. Подождите {decision.retry_after_seconds} с и попробуйте снова."
