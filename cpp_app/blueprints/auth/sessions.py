"""Server-side sign-in sessions: the cookie holds a random token whose record can be revoked.

A session ends at its absolute end (`expires_at`), after sitting unused past the idle limit, when it is revoked
(sign-out here or on all devices, password change, block) or when its user is blocked.
"""
import hashlib
import secrets

from flask import current_app, g, session
from sqlalchemy import and_, or_, select, update
from sqlalchemy.orm import joinedload

from ...domain import session_lifetime
from ...domain.session_lifetime import Limits, SessionState, SessionTimes
from ...extensions import db
from ...kernel.actor import Actor
from ...models import AuthSession, Organization, User, utcnow
from ..privacy.services import current_consent_column


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def limits() -> Limits:
    return Limits.from_config(current_app.config)


def start_session(user: User, remember: bool, actor: Actor) -> str:
    now = utcnow()
    token = secrets.token_urlsafe(32)
    db.session.add(
        AuthSession(
            user_id=user.id,
            token_hash=token_hash(token),
            created_at=now,
            last_seen_at=now,
            expires_at=session_lifetime.absolute_end(now, remember, limits()),
            remember=remember,
            ip=actor.ip,
            user_agent=actor.user_agent,
        )
    )
    user.auth_token = token
    return token


def idle_text(remember: bool) -> str:
    idle = limits().idle_limit(remember)
    if idle.days:
        return f"{idle.days} дн."
    minutes = int(idle.total_seconds() // 60)
    return f"{minutes // 60} ч" if minutes % 60 == 0 else f"{minutes} мин."


def _ended_message(state: SessionState | None, remember: bool) -> str:
    if state is SessionState.IDLE:
        return (f"Сессия завершена: ЦПП долго не использовался на этом устройстве (дольше {idle_text(remember)}). "
                "Войдите снова.")
    if state is SessionState.EXPIRED:
        return "Сессия завершена: истёк срок действия входа. Войдите снова."
    if state is SessionState.REVOKED:
        return ("Сессия завершена: выполнен выход на этом или другом устройстве либо изменён пароль. "
                "Войдите снова.")
    if state is None:  # the user is blocked
        return "Сессия завершена: учётная запись заблокирована. Обратитесь к администратору ЦПП."
    return "Сессия завершена. Войдите снова."


def load_session_user(token: str) -> User | None:
    """Flask-Login's loader: an ended session is no session, and the browser is told why on its way to /login."""
    if not token:
        return None
    row = db.session.execute(
        select(AuthSession, User, current_consent_column(User.id)).join(User, AuthSession.user_id == User.id)
        # The person's organisation is on most pages (header, cabinet, school pages): loaded here, not lazily.
        .options(joinedload(User.organization).joinedload(Organization.municipality))
        .where(AuthSession.token_hash == token_hash(token))
    ).first()
    now = utcnow()
    if row is None:
        return _ended(SessionState.EXPIRED, remember=False)  # removed by housekeeping long after it ended
    auth_session, user, consent_current = row
    times = SessionTimes(auth_session.last_seen_at, auth_session.expires_at, auth_session.remember, auth_session.revoked_at)
    if not user.is_active:  # a block also revokes the sessions; the block is the reason to tell
        return _ended(None, auth_session.remember)
    state = session_lifetime.state(times, now, limits())
    if state is not SessionState.ACTIVE:
        return _ended(state, auth_session.remember)
    if session_lifetime.needs_touch(auth_session.last_seen_at, now):
        # In its own short transaction: the request's transaction belongs to the view, which may not commit.
        with db.engine.begin() as connection:
            connection.execute(update(AuthSession).where(AuthSession.id == auth_session.id).values(last_seen_at=now))
    user.auth_token = token
    user.consent_current = bool(consent_current)
    return user


def _ended(state: SessionState | None, remember: bool) -> None:
    g.cpp_session_ended = _ended_message(state, remember)
    # Forget the dead token, so that later requests do not look it up again and the remember cookie goes too.
    for key in ("_user_id", "_fresh", "_id"):
        session.pop(key, None)
    session["_remember"] = "clear"
    return None


def login_prompt(message: str) -> str:
    """Flask-Login's prompt on the way to /login: why the session ended, when it just did."""
    return g.get("cpp_session_ended") or message


def active_condition(now, session_limits: Limits):
    """SQL form of `session_lifetime.state(...) is ACTIVE`."""
    return and_(
        AuthSession.revoked_at.is_(None),
        AuthSession.expires_at > now,
        or_(
            and_(AuthSession.remember.is_(True),
                 AuthSession.last_seen_at > session_lifetime.idle_cutoff(now, True, session_limits)),
            and_(AuthSession.remember.is_(False),
                 AuthSession.last_seen_at > session_lifetime.idle_cutoff(now, False, session_limits)),
        ),
    )


def active_sessions(user_id: int) -> list[AuthSession]:
    """The user's live sessions, the most recently used first."""
    return list(
        db.session.scalars(
            select(AuthSession)
            .where(AuthSession.user_id == user_id, active_condition(utcnow(), limits()))
            .order_by(AuthSession.last_seen_at.desc(), AuthSession.id.desc())
        )
    )


def end_session(token: str | None) -> None:
    if token:
        db.session.execute(
            update(AuthSession)
            .where(AuthSession.token_hash == token_hash(token), AuthSession.revoked_at.is_(None))
            .values(revoked_at=utcnow())
        )


def end_other_session(user_id: int, session_id: int, current_token: str | None) -> bool:
    """Ends one of the user's sessions other than the current one; False when there is no such live session."""
    conditions = [AuthSession.id == session_id, AuthSession.user_id == user_id, AuthSession.revoked_at.is_(None)]
    if current_token:
        conditions.append(AuthSession.token_hash != token_hash(current_token))
    result = db.session.execute(update(AuthSession).where(*conditions).values(revoked_at=utcnow()))
    return result.rowcount == 1


def end_all_sessions(user_id: int, except_token: str | None = None) -> int:
    """Ends every session of the user (but the one of `except_token`); returns how many were live."""
    conditions = [AuthSession.user_id == user_id, AuthSession.revoked_at.is_(None)]
    if except_token:
        conditions.append(AuthSession.token_hash != token_hash(except_token))
    return db.session.execute(update(AuthSession).where(*conditions).values(revoked_at=utcnow())).rowcount
