"""Forms kept for their user between two requests: answers posted after a session ended (shown again after the
next sign-in), a previewed methodology upload (published by the next click). The browser holds only a token."""
import hashlib
import secrets
from datetime import timedelta

from sqlalchemy import delete, select

from ..extensions import db
from ..models import FormStash, utcnow

STASH_LIFETIME = timedelta(days=2)
MAX_STASHES_PER_USER = 5


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def stash_form(user_id: int, target: str, payload: dict) -> str:
    """Keeps a form for its user (answers that arrived after the session ended, a previewed upload); the token
    goes to the browser only. Each user keeps MAX_STASHES_PER_USER at most: the oldest go first."""
    db.session.execute(delete(FormStash).where(FormStash.created_at < utcnow() - STASH_LIFETIME))
    newest = (select(FormStash.id).where(FormStash.user_id == user_id)
              .order_by(FormStash.id.desc()).limit(MAX_STASHES_PER_USER - 1))
    db.session.execute(delete(FormStash).where(FormStash.user_id == user_id, FormStash.id.not_in(newest)))
    token = secrets.token_urlsafe(24)
    db.session.add(FormStash(user_id=user_id, token_hash=_token_hash(token), target=target, payload=payload))
    db.session.flush()
    return token


def take_stash(token: str | None, target: str, user_id: int) -> dict | None:
    """The user's stashed form for this page, once; the stash is deleted when taken."""
    if not token:
        return None
    stash = db.session.scalar(
        select(FormStash).where(
            FormStash.token_hash == _token_hash(token),
            FormStash.target == target,
            FormStash.user_id == user_id,
            FormStash.created_at >= utcnow() - STASH_LIFETIME,
        )
    )
    if stash is None:
        return None
    payload = stash.payload
    db.session.delete(stash)
    return payload
