"""Forms kept for their user between two requests: answers posted after a session ended (shown again after the
next sign-in), a previewed methodology upload (published by the next click). The browser holds only a token."""
import hashlib
import secrets
from datetime import timedelta

from flask import current_app, request
from sqlalchemy import delete, select

from ..extensions import db
from ..models import FormStash, utcnow

STASH_LIFETIME = timedelta(days=2)
MAX_STASHES_PER_USER = 5
MAX_STASH_TOKENS = 5  # tokens a browser's stash cookie keeps


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


def stash_tokens(cookie: str) -> list[str]:
    """The stash tokens this browser holds in `cookie`, the newest last."""
    return [token for token in request.cookies.get(cookie, "").split(".") if token][-MAX_STASH_TOKENS:]


def store_stash_tokens(response, cookie: str, path: str, tokens: list[str]) -> None:
    """Keeps the tokens in a cookie sent only to the pages under `path`; none left deletes it."""
    options = dict(path=path, httponly=True, samesite="Lax", secure=current_app.config["SESSION_COOKIE_SECURE"])
    if tokens:
        response.set_cookie(cookie, ".".join(tokens[-MAX_STASH_TOKENS:]),
                            max_age=int(STASH_LIFETIME.total_seconds()), **options)
    else:
        response.delete_cookie(cookie, **options)
