"""Outgoing mail through a configurable backend: files or memory in development and tests, SMTP in production."""
import hashlib
import smtplib
from datetime import datetime, timezone
from email.message import EmailMessage
from functools import partial
from pathlib import Path

from flask import current_app
from limits import parse

from .extensions import limiter
from .kernel.transaction import after_commit


def _message(to: str, subject: str, body: str, readable: bool = False) -> EmailMessage:
    message = EmailMessage()
    message["From"] = current_app.config["MAIL_SENDER"]
    message["To"] = to
    message["Subject"] = subject
    # A mail file is read by a developer in a text editor (sign-in codes, reset links): plain UTF-8, not base64.
    message.set_content(body, cte="8bit" if readable else None)
    return message


def outbox() -> list[EmailMessage]:
    """Messages sent with the memory backend, for tests."""
    return current_app.extensions.setdefault("cpp_mail_outbox", [])


def within_recipient_cap(to: str) -> bool:
    """Counts one more account mail to `to`; False past the cap, so nobody can flood an inbox through our forms.

    Counted where the rate limits are (Redis in production), by a hash: the counter names no address."""
    recipient = hashlib.sha256(to.strip().lower().encode()).hexdigest()[:32]
    try:
        return limiter.limiter.hit(parse(current_app.config["MAIL_RECIPIENT_LIMIT"]), "mail-recipient", recipient)
    except Exception as error:  # the counter store (Redis) is down: a reset mail matters more than the cap
        current_app.logger.error("Mail cap not checked: %s", type(error).__name__)
        return True


def send_mail(to: str, subject: str, body: str, capped: bool = False) -> None:
    """Sends once the current transaction commits, never if it rolls back (and never while it holds locks).
    `capped` marks mail that someone else's request can trigger (resets, notices, confirmations)."""
    after_commit(partial(_deliver, current_app._get_current_object(), to, subject, body, capped))


def _deliver(app, to: str, subject: str, body: str, capped: bool) -> None:
    with app.app_context():
        if capped and not within_recipient_cap(to):
            current_app.logger.warning("Mail not sent: recipient cap reached")
            return
        _send(to, subject, body)


def _send(to: str, subject: str, body: str) -> None:
    backend = current_app.config["MAIL_BACKEND"]
    message = _message(to, subject, body, readable=backend == "file")
    if backend == "memory":
        outbox().append(message)
    elif backend == "file":
        directory = Path(current_app.config["MAIL_DIR"])
        directory.mkdir(parents=True, exist_ok=True)
        stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S%f")
        path = directory / f"{stamp}.eml"
        path.write_bytes(bytes(message))
        current_app.logger.info("Mail to user written to %s", path)
    elif backend == "smtp":
        try:
            with smtplib.SMTP(current_app.config["SMTP_HOST"], current_app.config["SMTP_PORT"], timeout=10) as smtp:
                smtp.send_message(message)
        except (smtplib.SMTPException, OSError) as error:
            # A notice is not worth the action it reports on (a withdrawal of consent, a request to the operator):
            # the action stands, the operator sees the failure in the log — by its kind only, since the text of
            # some (SMTPRecipientsRefused) carries the address.
            current_app.logger.error("Mail not sent: %s", type(error).__name__)
    else:
        raise RuntimeError(f"Unknown CPP_MAIL_BACKEND {backend!r}")
