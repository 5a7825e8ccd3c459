"""Server-side sign-in sessions: the cookie holds a random token whose record can be revoked."""
import hashlib
import secrets
from datetime import timedelta

from flask import current_app
from sqlalchemy import select, update

from ...extensions import db
from ...models import AuthSession, User, utcnow
from ...security import Actor


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def start_session(user: User, remember: bool, actor: Actor) -> str:
    config = current_app.config
    lifetime = (
        timedelta(days=config["REMEMBER_COOKIE_DURATION_DAYS"])
        if remember
        else timedelta(hours=config["SESSION_LIFETIME_HOURS"])
    )
    token = secrets.token_urlsafe(32)
    db.session.add(
        AuthSession(
            user_id=user.id,
            token_hash=_hash(token),
            expires_at=utcnow() + lifetime,
            ip=actor.ip,
            user_agent=actor.user_agent,
        )
    )
    user.auth_token = token
    return token


def load_session_user(token: str) -> User | None:
    """Flask-Login's loader: a revoked, expired or blocked session is no session."""
    if not token:
        return None
    user = db.session.scalar(
        select(User)
        .join(AuthSession, AuthSession.user_id == User.id)
        .where(
            AuthSession.token_hash == _hash(token),
            AuthSession.revoked_at.is_(None),
            AuthSession.expires_at > utcnow(),
            User.blocked_at.is_(None),
        )
    )
    if user is not None:
        user.auth_token = token
    return user


def end_session(token: str | None) -> None:
    if token:
        db.session.execute(
            update(AuthSession)
            .where(AuthSession.token_hash == _hash(token), AuthSession.revoked_at.is_(None))
            .values(revoked_at=utcnow())
        )


def end_all_sessions(user_id: int) -> None:
    db.session.execute(
        update(AuthSession)
        .where(AuthSession.user_id == user_id, AuthSession.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )
