"""Known devices: a signed cookie listing the accounts that signed in successfully in this browser.

A correct password from such a browser passes the account-wide sign-in backoff, so failures spread over many
addresses can slow a guesser down without locking the owner out."""
from flask import Response, current_app, request
from itsdangerous import BadSignature, URLSafeTimedSerializer

DEVICE_COOKIE = "cpp_device"
DEVICE_COOKIE_DAYS = 365
MAX_ACCOUNTS_PER_DEVICE = 10  # a shared staff-room computer


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="known-device")


def _stored_ids() -> list[int]:
    value = request.cookies.get(DEVICE_COOKIE)
    if not value:
        return []
    try:
        ids = _serializer().loads(value, max_age=DEVICE_COOKIE_DAYS * 24 * 3600)
    except BadSignature:  # SignatureExpired included
        return []
    return [i for i in ids if isinstance(i, int)] if isinstance(ids, list) else []


def known_account_ids() -> frozenset[int]:
    return frozenset(_stored_ids())


def remember_device(response: Response, user_id: int) -> None:
    """Adds the account to this browser's list after a successful sign-in (the most recent ones kept)."""
    ids = [i for i in _stored_ids() if i != user_id][-(MAX_ACCOUNTS_PER_DEVICE - 1):] + [user_id]
    response.set_cookie(
        DEVICE_COOKIE, _serializer().dumps(ids), max_age=DEVICE_COOKIE_DAYS * 24 * 3600, path="/login",
        httponly=True, samesite="Lax", secure=current_app.config["SESSION_COOKIE_SECURE"],
    )
