"""Removes sign-in records that no longer decide anything: old failure counters, long-ended sessions and codes."""
from datetime import datetime, timedelta

from sqlalchemy import delete, or_

from ...domain import throttle
from ...domain.session_lifetime import Limits
from ...extensions import db
from ...models import AuthSession, LoginCode, LoginThrottle

# Ended sessions stay listed this long for anyone looking into an incident; the audit log keeps sign-ins for good.
ENDED_SESSION_RETENTION = timedelta(days=30)
# Codes are counted per user over the last hour (the cap on codes per hour); a day is plenty.
CODE_RETENTION = timedelta(days=1)


def remove_stale_sign_in_records(now: datetime, limits: Limits) -> dict[str, int]:
    cutoff = now - ENDED_SESSION_RETENTION
    # A counter whose last failure is older than FORGET_AFTER counts as zero, so it is the same as no row.
    throttles = db.session.execute(
        delete(LoginThrottle).where(
            or_(LoginThrottle.last_failure_at.is_(None), LoginThrottle.last_failure_at < now - throttle.FORGET_AFTER)
        )
    ).rowcount
    sessions = db.session.execute(
        delete(AuthSession).where(
            or_(
                AuthSession.revoked_at < cutoff,
                AuthSession.expires_at < cutoff,
                # Idle-ended sessions are never marked: unused past the longest idle limit and the retention.
                AuthSession.last_seen_at < cutoff - max(limits.idle, limits.remember_idle),
            )
        )
    ).rowcount
    codes = db.session.execute(delete(LoginCode).where(LoginCode.expires_at < now - CODE_RETENTION)).rowcount
    return {"login_throttles": throttles, "auth_sessions": sessions, "login_codes": codes}
