"""Password hashing, roles, the request actor, rate-limit helpers, the consent gate and response headers."""
import secrets
from functools import wraps

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import abort, current_app, g, jsonify, request
from flask_limiter.util import get_remote_address
from flask_login import current_user

from .extensions import limiter
from .models import Role


def _hasher() -> PasswordHasher:
    hasher = current_app.extensions.get("cpp_password_hasher")
    if hasher is None:
        config = current_app.config
        hasher = PasswordHasher(
            time_cost=config["ARGON2_TIME_COST"],
            memory_cost=config["ARGON2_MEMORY_COST"],
            parallelism=config["ARGON2_PARALLELISM"],
        )
        current_app.extensions["cpp_password_hasher"] = hasher
    return hasher


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def check_password(user, password: str) -> bool:
    """Verify, and upgrade the stored hash when the parameters have been raised since."""
    hasher = _hasher()
    try:
        hasher.verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        return False
    if hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hasher.hash(password)
    return True


def check_password_of_nobody(password: str) -> None:
    """Spends what checking a real password costs, so that an unknown address answers as slowly as a known one
    (a fast «no» would tell which addresses have accounts)."""
    hasher = _hasher()
    dummy = current_app.extensions.get("cpp_dummy_password_hash")
    if dummy is None:
        dummy = current_app.extensions["cpp_dummy_password_hash"] = hasher.hash(secrets.token_urlsafe(16))
    try:
        hasher.verify(dummy, password)
    except (VerificationError, InvalidHashError):
        pass


def role_required(*roles: Role):
    """Signed-in users of other roles get a 404: the page does not exist for them."""

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated:
                return current_app.login_manager.unauthorized()
            if not current_user.has_role(*roles):
                abort(404)
            return view(*args, **kwargs)

        return wrapped

    return decorator


SESSION_ENDED = "Сессия истекла — нажмите «Сохранить», ваши ответы не потеряются."


def json_sign_in_required(view):
    """For the autosave script: an ended session is a 401 it understands, not Flask-Login's redirect to /login."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        if not current_user.is_authenticated:
            return jsonify(saved=0, error=SESSION_ENDED), 401
        return view(*args, **kwargs)

    return wrapped


def user_rate_key() -> str:
    """Rate limits per signed-in user, not per address: a whole school may sit behind one address."""
    return f"user:{current_user.id}" if current_user.is_authenticated else get_remote_address()


def upload_rate_limit(view):
    """Limits the POSTs of a view that takes a file (reading and checking one costs memory and CPU)."""
    return limiter.limit(
        lambda: current_app.config["UPLOAD_RATE_LIMIT"], key_func=user_rate_key, methods=["POST"]
    )(view)


def render_rate_limit(view):
    """Limits a user's document renders (PDF, DOCX — one budget over every such view); a request answered from a
    stored copy, or only waiting for one, does not count."""
    return limiter.shared_limit(
        lambda: current_app.config["RENDER_RATE_LIMIT"], scope="documents", key_func=user_rate_key,
        deduct_when=lambda response: response.status_code < 400 and not g.get("cpp_served_stored_copy", False),
    )(view)


def served_stored_copy() -> None:
    """Tells render_rate_limit that this request rendered nothing (a cached document was sent)."""
    g.cpp_served_stored_copy = True


def rerender_on_csrf_failure(view):
    """Marks a form view that re-displays the posted values when the CSRF token fails."""
    view.rerender_on_csrf_failure = True
    return view


def refuse_nul_bytes():
    """A NUL byte is in no legitimate text, and PostgreSQL refuses it in a query (a 500): a 400 instead."""
    for values in (request.args, *((request.form,) if request.method == "POST" else ())):
        for key, value in values.items(multi=True):
            if "\x00" in key or "\x00" in value:
                abort(400)
    return None


CSP = "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
# The service needs none of the browser's powerful features; an injected frame or script gets none either.
PERMISSIONS_POLICY = (
    "accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), microphone=(), "
    "payment=(), usb=()"
)


def set_security_headers(response):
    """On every response, error pages and static files included (after_request runs for them too)."""
    response.headers.setdefault("Content-Security-Policy", CSP)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
    response.headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    hsts_seconds = current_app.config.get("HSTS_SECONDS", 0)
    if hsts_seconds > 0:
        # Production sits behind TLS (nginx); a browser that once saw this never tries plain HTTP again.
        response.headers["Strict-Transport-Security"] = f"max-age={int(hsts_seconds)}; includeSubDomains"
    if current_user.is_authenticated or request.method == "POST":
        # Personal pages must not linger in shared browsers' caches, nor a form shown again with what was typed
        # into it (passwords included).
        response.headers["Cache-Control"] = "no-store"
    return response
