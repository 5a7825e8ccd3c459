"""Removal of accounts whose e-mail address was never confirmed: after UNCONFIRMED_ACCOUNT_DAYS, or at once when
the address's real owner confirms it. Such an account never counted anywhere, so nothing of it is kept — unlike a
withdrawal of consent (purge.py), whose evidence the operator must keep."""
from datetime import datetime, timedelta

from sqlalchemy import delete, or_, select

from ... import audit
from ...extensions import db
from ...kernel.actor import Actor
from ...models import (
    AuditEvent,
    ConsentEvent,
    PrivacyRequest,
    Role,
    User,
    utcnow,
)
from .erasure import (
    Subject,
    count_deleted,
    delete_certificate_files,
    delete_course_records,
    delete_form_stashes,
    delete_login_codes,
    delete_platform_account_events,
    delete_platform_accounts,
    delete_sessions,
    unlink_staff_register,
)


def remove_unconfirmed_account(user: User) -> None:
    """Deletes the account and everything it entered, in the caller's transaction (files go when it commits)."""
    if user.email_confirmed or user.role != Role.TEACHER:
        raise ValueError("only an unconfirmed teacher account can be removed this way")
    subject = Subject.of(user, utcnow())
    for step in (delete_certificate_files, delete_course_records, delete_platform_account_events,
                 delete_platform_accounts, delete_sessions, delete_login_codes, delete_form_stashes,
                 unlink_staff_register):
        step(subject)
    for statement in (
        delete(PrivacyRequest).where(PrivacyRequest.user_id == user.id),
        # Core statements: consent and audit events are append-only for every feature but this one and the purge.
        delete(ConsentEvent.__table__).where(ConsentEvent.user_id == user.id),
        delete(AuditEvent.__table__).where(or_(
            AuditEvent.actor_id == user.id,
            (AuditEvent.target_type == User.__tablename__) & (AuditEvent.target_id == user.id),
        )),
    ):
        count_deleted(statement)
    audit.record(Actor(None, None, None), "user.unconfirmed_removed", user)
    db.session.delete(user)
    db.session.flush()


def remove_expired_unconfirmed_accounts(now: datetime, days: int) -> int:
    """Accounts registered more than `days` ago whose address is still unconfirmed (withdrawn ones are the
    purge's); returns how many went."""
    expired = list(db.session.scalars(
        select(User).where(
            User.email_confirmed_at.is_(None), User.role == Role.TEACHER, User.anonymized_at.is_(None),
            User.consent_withdrawn_at.is_(None), User.created_at < now - timedelta(days=days),
        ).order_by(User.id)
    ))
    for user in expired:
        remove_unconfirmed_account(user)
    return len(expired)
