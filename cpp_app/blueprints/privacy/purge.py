"""Destruction of the personal data of people who withdrew their consent (152-ФЗ art. 21 ч. 5).

What goes: the profile (anonymised in place), platform accounts and their history, course records and certificate
files, sign-in sessions and codes, stashed forms, the link from the school's staff register, the free text of the
person's requests, the addresses and browsers recorded with their consents and actions.

What stays, without personal data: the user row itself (its id keeps the history of schools' diagnostics and
programs, and of role changes, consistent), the consent and audit events (evidence that processing was lawful —
who consented to which text and when — which the operator keeps for three years, see the policy), the school's own
register row (the school's HR record imported from КИАСУО, not data the person gave the service), the diagnostics
and programs the person authored (they belong to the school).

Table by table, what goes and what stays is the registry (registry.py); the steps are in erasure.py.
"""
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import click
from sqlalchemy import select

from ... import audit
from ...extensions import db
from ...kernel.actor import Actor
from ...kernel.plural import plural
from ...models import DestructionRecord, PrivacyRequest, PrivacyRequestKind, User, utcnow
from .erasure import Subject
from .registry import PERSONAL_TABLES

DESTRUCTION_RULE = "152-ФЗ ст. 21 ч. 5 — отзыв согласия субъекта; уничтожение в срок не более 30 дней"
PERFORMED_BY = "flask purge-withdrawn"
WITHDRAWAL_DONE_RESPONSE = (
    "Персональные данные уничтожены: профиль обезличен, сведения о платформах, курсах и документах о них, "
    "сеансы входа и тексты обращений удалены."
)


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
    subject = Subject.of(user, now)
    what = {table.count_key: table.step(subject) for table in PERSONAL_TABLES if table.step is not None}
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
        records = sum(record.what.values())
        click.echo(f"Пользователь id {record.subject_user_id}: данные уничтожены, акт № {record.id} "
                   f"({records} {plural(records, 'запись', 'записи', 'записей')}).")
    click.echo(f"Уничтожены данные пользователей: {summary.people}.")
