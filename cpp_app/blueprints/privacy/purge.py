"""Destruction of the personal data of people who withdrew their consent (152-ФЗ art. 21 ч. 5).

What goes: the profile (anonymised in place), platform accounts and their history, course records and certificate
files, sign-in sessions and codes, stashed forms, the link from the school's staff register, the free text of the
person's requests, the addresses and browsers recorded with their consents and actions.

What stays, without personal data: the user row itself (its id keeps the history of schools' diagnostics and
programs, and of role changes, consistent), the consent and audit events (evidence that processing was lawful —
who consented to which text and when — which the operator keeps for three years, see the policy), the school's own
register row (the school's HR record imported from КИАСУО, not data the person gave the service), the diagnostics
and programs the person authored (they belong to the school).
"""
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import click
from sqlalchemy import and_, delete, or_, select, update

from ... import audit, uploads
from ...domain.throttle import account_from_address_prefix, account_key, current_failures
from ...extensions import db
from ...kernel.actor import Actor
from ...models import (
    AuditEvent,
    AuthSession,
    ConsentEvent,
    CourseRecord,
    DestructionRecord,
    FormStash,
    LoginCode,
    LoginThrottle,
    PlatformAccount,
    PlatformAccountEvent,
    PrivacyRequest,
    PrivacyRequestKind,
    StaffRegisterEntry,
    User,
    utcnow,
)

DESTRUCTION_RULE = "152-ФЗ ст. 21 ч. 5 — отзыв согласия субъекта; уничтожение в срок не более 30 дней"
PERFORMED_BY = "flask purge-withdrawn"
DELETED_NAME = "Удалено"
WITHDRAWAL_DONE_RESPONSE = (
    "Персональные данные уничтожены: профиль обезличен, сведения о платформах, курсах и документах о них, "
    "сеансы входа и тексты обращений удалены."
)
CERTIFICATES = "certificates"

# Audit details worth keeping as evidence once the person is anonymous: ids, counts, flags, and the few text
# values that are codes rather than free text. Everything else (e-mails, typed workplaces, course titles…) goes.
SAFE_TEXT_DETAILS = frozenset({
    "from_role", "to_role", "from_status", "to_status", "status", "format", "kind", "fields", "period",
    "school_year",
})
# Audit targets that are the person's own data: an event about them is scrubbed whoever wrote it.
PERSONAL_TARGETS = frozenset({
    User.__tablename__, CourseRecord.__tablename__, PlatformAccount.__tablename__, PrivacyRequest.__tablename__,
    AuthSession.__tablename__, LoginCode.__tablename__,
})


def scrub_details(details: dict | None) -> dict:
    """Audit details without anything that could name or describe a person (deny by default)."""
    kept = {}
    for key, value in (details or {}).items():
        if key in SAFE_TEXT_DETAILS or value is None or isinstance(value, bool | int | float):
            kept[key] = value
        elif isinstance(value, list) and all(isinstance(item, int) for item in value):
            kept[key] = value
    return kept


def unusable_password_hash() -> str:
    """Looks like an argon2id hash but is not one (the «!» and a random tail): no password can ever verify."""
    return f"!$argon2id$v=19$m=65536,t=3,p=4${secrets.token_urlsafe(16)}${secrets.token_urlsafe(32)}"


@dataclass
class PurgeSummary:
    records: list[DestructionRecord] = field(default_factory=list)

    @property
    def people(self) -> int:
        return len(self.records)


def users_to_purge(now: datetime, older_than_days: int = 0) -> list[int]:
    cutoff = now - timedelta(days=older_than_days)
    return list(db.session.scalars(
        select(User.id)
        .where(User.consent_withdrawn_at.is_not(None), User.consent_withdrawn_at <= cutoff, User.anonymized_at.is_(None))
        .order_by(User.consent_withdrawn_at, User.id)
    ))


def purge_withdrawn(older_than_days: int = 0, now: datetime | None = None) -> PurgeSummary:
    """Destroys the data of every person due, committing once per person so one failure loses nobody else's."""
    now = now or utcnow()
    summary = PurgeSummary()
    for user_id in users_to_purge(now, older_than_days):
        summary.records.append(purge_user(db.session.get(User, user_id), now))
        db.session.commit()  # certificate files leave the disk with this commit, not before
    return summary


def purge_user(user: User, now: datetime) -> DestructionRecord:
    """Destroys and anonymises one person's data in the caller's transaction; returns the record of it."""
    if user.consent_withdrawn_at is None or user.anonymized_at is not None:
        raise ValueError("only a withdrawn, not yet anonymised user can be purged")
    what = {
        **delete_course_records(user.id),
        **delete_platform_accounts(user.id),
        "auth_sessions": count_deleted(delete(AuthSession).where(AuthSession.user_id == user.id)),
        "login_codes": count_deleted(delete(LoginCode).where(LoginCode.user_id == user.id)),
        "form_stashes": count_deleted(delete(FormStash).where(FormStash.user_id == user.id)),
        "login_throttles": _delete_throttles(user, now),
        "staff_register_links": count_deleted(
            update(StaffRegisterEntry).where(StaffRegisterEntry.user_id == user.id).values(user_id=None)
        ),
        "privacy_request_texts": count_deleted(
            update(PrivacyRequest)
            .where(PrivacyRequest.user_id == user.id, or_(PrivacyRequest.body.is_not(None),
                                                          PrivacyRequest.response.is_not(None)))
            .values(body=None, response=None)
        ),
        "consent_events_anonymised": _anonymise_consent_events(user.id),
        "audit_events_anonymised": _anonymise_audit_events(user.id),
        "user_profile": _anonymise_profile(user, now),
    }
    withdrawal = db.session.scalar(
        select(PrivacyRequest)
        .where(PrivacyRequest.user_id == user.id, PrivacyRequest.kind == PrivacyRequestKind.WITHDRAWAL)
        .order_by(PrivacyRequest.completed_at.is_not(None), PrivacyRequest.id.desc())
        .limit(1)
    )
    record = DestructionRecord(
        request_id=withdrawal.id if withdrawal else None,
        subject_user_id=user.id,
        withdrawn_at=user.consent_withdrawn_at,
        destroyed_at=now,
        rule=DESTRUCTION_RULE,
        what=what,
        performed_by=PERFORMED_BY,
    )
    db.session.add(record)
    if withdrawal is not None and withdrawal.completed_at is None:
        withdrawal.completed_at = now
        withdrawal.response = WITHDRAWAL_DONE_RESPONSE
    db.session.flush()
    audit.record(Actor(None, None, None), "privacy.data_destroyed", user, destruction_record_id=record.id)
    return record


def count_deleted(statement) -> int:
    return db.session.execute(statement.execution_options(synchronize_session=False)).rowcount or 0


def delete_course_records(user_id: int) -> dict[str, int]:
    records = list(db.session.scalars(select(CourseRecord).where(CourseRecord.user_id == user_id)))
    files = 0
    for record in records:
        if record.certificate_file:
            uploads.delete(record.certificate_file, CERTIFICATES)  # removed from disk when this commits
            files += 1
        db.session.delete(record)
    db.session.flush()
    return {"course_records": len(records), "certificate_files": files}


def delete_platform_accounts(user_id: int) -> dict[str, int]:
    account_ids = select(PlatformAccount.id).where(PlatformAccount.user_id == user_id).scalar_subquery()
    events = count_deleted(delete(PlatformAccountEvent).where(PlatformAccountEvent.account_id.in_(account_ids)))
    accounts = count_deleted(delete(PlatformAccount).where(PlatformAccount.user_id == user_id))
    return {"platform_accounts": accounts, "platform_account_events": events}


def _known_addresses(user_id: int) -> set[str]:
    addresses = set(db.session.scalars(select(AuthSession.ip).where(AuthSession.user_id == user_id)))
    addresses |= set(db.session.scalars(select(ConsentEvent.ip).where(ConsentEvent.user_id == user_id)))
    addresses |= set(db.session.scalars(select(AuditEvent.ip).where(_acted_by(user_id))))
    return {address for address in addresses if address}


def _delete_throttles(user: User, now: datetime) -> int:
    """The account's counters (they name its address), and idle counters of the person's addresses (an idle one
    protects nothing)."""
    keys = [account_key(user.email)]
    for address in _known_addresses(user.id):
        row = db.session.get(LoginThrottle, f"ip:{address}")
        if row is not None and current_failures(row.failures, row.last_failure_at, now) == 0:
            keys.append(row.key)
    return count_deleted(delete(LoginThrottle).where(or_(
        LoginThrottle.key.in_(keys), LoginThrottle.key.startswith(account_from_address_prefix(user.email), autoescape=True),
    )))


def _anonymise_consent_events(user_id: int) -> int:
    # ConsentEvent is append-only at the ORM level so no feature can rewrite the evidence; destroying the
    # personal data in it is the one lawful change, so it is made here with a Core statement, on purpose.
    return count_deleted(
        update(ConsentEvent.__table__)
        .where(ConsentEvent.user_id == user_id, or_(ConsentEvent.ip.is_not(None), ConsentEvent.user_agent.is_not(None)))
        .values(ip=None, user_agent=None)
    )


def _acted_by(user_id: int):
    # The person's own actions, and those made before signing in (registration, password reset) on their account.
    return or_(
        AuditEvent.actor_id == user_id,
        and_(AuditEvent.actor_id.is_(None), AuditEvent.target_type == User.__tablename__,
             AuditEvent.target_id == user_id),
    )


def _about(user_id: int):
    return or_(
        and_(AuditEvent.target_type == User.__tablename__, AuditEvent.target_id == user_id),
        and_(AuditEvent.actor_id == user_id, AuditEvent.target_type.in_(PERSONAL_TARGETS)),
    )


def _anonymise_audit_events(user_id: int) -> int:
    """Blanks the person's addresses and the personal details of events about them; Core statements, as above."""
    table = AuditEvent.__table__
    changed = set(db.session.scalars(select(AuditEvent.id).where(_acted_by(user_id), AuditEvent.ip.is_not(None))))
    db.session.execute(update(table).where(_acted_by(user_id)).values(ip=None))
    for event_id, details in db.session.execute(select(AuditEvent.id, AuditEvent.details).where(_about(user_id))):
        scrubbed = scrub_details(details)
        if scrubbed != (details or {}):
            db.session.execute(update(table).where(table.c.id == event_id).values(details=scrubbed))
            changed.add(event_id)
    return len(changed)


PROFILE_FIELDS_TO_CLEAR = (
    "middle_name", "phone", "settlement", "workplace_text", "position", "subjects", "qualification_category",
    "experience_years", "confirmed_at", "pending_email",
)


def _anonymise_profile(user: User, now: datetime) -> int:
    user.email = f"withdrawn-{user.id}@invalid.example"
    user.last_name = user.first_name = DELETED_NAME
    for name in PROFILE_FIELDS_TO_CLEAR:
        setattr(user, name, None)
    user.organization = None  # staff lists and figures stop counting the row
    user.password_hash = unusable_password_hash()
    user.anonymized_at = now
    db.session.flush()
    return 1



@click.command("purge-withdrawn")
@click.option("--older-than-days", type=click.IntRange(0, 30), default=0, show_default=True,
              help="Only people who withdrew consent at least this many days ago.")
def purge_withdrawn_command(older_than_days: int):
    """Destroy the personal data of people who withdrew consent (run daily: the law allows 30 days)."""
    summary = purge_withdrawn(older_than_days)
    if not summary.people:
        click.echo("Нет пользователей, чьи данные нужно уничтожить.")
        return
    for record in summary.records:
        click.echo(f"Пользователь id {record.subject_user_id}: данные уничтожены, акт № {record.id} "
                   f"({sum(record.what.values())} записей).")
    click.echo(f"Уничтожены данные пользователей: {summary.people}.")
