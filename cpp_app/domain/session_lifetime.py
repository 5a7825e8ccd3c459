"""How long a sign-in lives: an absolute end fixed at sign-in, and an idle limit counted from the last request."""
import enum
from dataclasses import dataclass
from datetime import datetime, timedelta

# last_seen_at is written at most this often, so that reading pages does not mean a write per request.
TOUCH_INTERVAL = timedelta(minutes=1)


@dataclass(frozen=True)
class Limits:
    lifetime: timedelta  # absolute, without «Запомнить меня»
    remember_lifetime: timedelta  # absolute, with «Запомнить меня»
    idle: timedelta
    remember_idle: timedelta

    @classmethod
    def from_config(cls, config) -> "Limits":
        return cls(
            lifetime=timedelta(hours=config["SESSION_LIFETIME_HOURS"]),
            remember_lifetime=timedelta(days=config["REMEMBER_COOKIE_DURATION_DAYS"]),
            idle=timedelta(minutes=config["SESSION_IDLE_MINUTES"]),
            remember_idle=timedelta(days=config["REMEMBER_IDLE_DAYS"]),
        )

    def idle_limit(self, remember: bool) -> timedelta:
        return self.remember_idle if remember else self.idle


class SessionState(enum.Enum):
    ACTIVE = "active"
    IDLE = "idle"  # unused for longer than the idle limit
    EXPIRED = "expired"  # past its absolute end
    REVOKED = "revoked"  # signed out, here or from another device, or ended by a password change or a block


@dataclass(frozen=True)
class SessionTimes:
    last_seen_at: datetime
    expires_at: datetime
    remember: bool
    revoked_at: datetime | None = None


def absolute_end(created_at: datetime, remember: bool, limits: Limits) -> datetime:
    return created_at + (limits.remember_lifetime if remember else limits.lifetime)


def state(times: SessionTimes, now: datetime, limits: Limits) -> SessionState:
    if times.revoked_at is not None:
        return SessionState.REVOKED
    if now >= times.expires_at:
        return SessionState.EXPIRED
    if now - times.last_seen_at >= limits.idle_limit(times.remember):
        return SessionState.IDLE
    return SessionState.ACTIVE


def needs_touch(last_seen_at: datetime, now: datetime) -> bool:
    return now - last_seen_at >= TOUCH_INTERVAL


def idle_cutoff(now: datetime, remember: bool, limits: Limits) -> datetime:
    """Sessions last seen before this moment are idle: the SQL form of the idle rule."""
    return now - limits.idle_limit(remember)
