"""What destroying a person's data does to each table: one step per category of the registry (registry.py), each
counting the rows it changed, in the caller's transaction; and the scrubbing of audit details that name a person."""
import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, delete, or_, select, update

from ... import uploads
from ...domain.throttle import account_from_address_prefix, account_key, current_failures
from ...extensions import db
from ...models import (
    AuditEvent,
    AuthSession,
    CampaignMailing,
    ConsentEvent,
    CourseRecord,
    FormStash,
    LearningRoute,
    LearningRouteArea,
    LearningRouteItem,
    LoginCode,
    LoginThrottle,
    PlatformAccount,
    PlatformAccountEvent,
    PrivacyRequest,
    SelfAssessment,
    StaffRegisterEntry,
    User,
)

DELETED_NAME = "Удалено"
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


@dataclass(frozen=True)
class Subject:
    """The person whose data goes, as they were before the first step ran: the steps may then run in any order
    (the profile loses its address, sessions their addresses, before the sign-in counters naming them are found)."""

    user: User
    now: datetime
    email: str
    addresses: frozenset[str]

    @classmethod
    def of(cls, user: User, now: datetime) -> "Subject":
        return cls(user, now, user.email, frozenset(_known_addresses(user.id)))

    @property
    def user_id(self) -> int:
        return self.user.id


def count_deleted(statement) -> int:
    return db.session.execute(statement.execution_options(synchronize_session=False)).rowcount or 0


# ------------------------------------------------------------------------------------------------ deleted


def delete_certificate_files(subject: Subject) -> int:
    names = [name for name in db.session.scalars(
        select(CourseRecord.certificate_file).where(CourseRecord.user_id == subject.user_id)
    ) if name]
    for name in names:
        uploads.delete(name, CERTIFICATES)  # removed from disk when this commits
    return len(names)


def delete_course_records(subject: Subject) -> int:
    records = list(db.session.scalars(select(CourseRecord).where(CourseRecord.user_id == subject.user_id)))
    for record in records:
        db.session.delete(record)
    db.session.flush()
    return len(records)


def delete_platform_account_events(subject: Subject) -> int:
    """The history of the person's own accounts; what they changed in other people's accounts stays theirs."""
    account_ids = select(PlatformAccount.id).where(PlatformAccount.user_id == subject.user_id).scalar_subquery()
    return count_deleted(delete(PlatformAccountEvent).where(PlatformAccountEvent.account_id.in_(account_ids)))


def delete_platform_accounts(subject: Subject) -> int:
    return count_deleted(delete(PlatformAccount).where(PlatformAccount.user_id == subject.user_id))


def delete_sessions(subject: Subject) -> int:
    return count_deleted(delete(AuthSession).where(AuthSession.user_id == subject.user_id))


def delete_login_codes(subject: Subject) -> int:
    return count_deleted(delete(LoginCode).where(LoginCode.user_id == subject.user_id))


def delete_self_assessments(subject: Subject) -> int:
    return count_deleted(delete(SelfAssessment).where(SelfAssessment.user_id == subject.user_id))


def delete_learning_routes(subject: Subject) -> int:
    """Their areas and items go with them (ON DELETE CASCADE), deleted first here so no database needs it."""
    routes = select(LearningRoute.id).where(LearningRoute.user_id == subject.user_id)
    db.session.execute(delete(LearningRouteItem).where(LearningRouteItem.route_id.in_(routes)))
    db.session.execute(delete(LearningRouteArea).where(LearningRouteArea.route_id.in_(routes)))
    return count_deleted(delete(LearningRoute).where(LearningRoute.user_id == subject.user_id))


def delete_campaign_mailings(subject: Subject) -> int:
    return count_deleted(delete(CampaignMailing).where(CampaignMailing.user_id == subject.user_id))


def delete_form_stashes(subject: Subject) -> int:
    return count_deleted(delete(FormStash).where(FormStash.user_id == subject.user_id))


def delete_throttles(subject: Subject) -> int:
    """The account's counters (they name its address), and idle counters of the person's addresses (an idle one
    protects nothing)."""
    keys = [account_key(subject.email)]
    for address in subject.addresses:
        row = db.session.get(LoginThrottle, f"ip:{address}")
        if row is not None and current_failures(row.failures, row.last_failure_at, subject.now) == 0:
            keys.append(row.key)
    return count_deleted(delete(LoginThrottle).where(or_(
        LoginThrottle.key.in_(keys),
        LoginThrottle.key.startswith(account_from_address_prefix(subject.email), autoescape=True),
    )))


def _known_addresses(user_id: int) -> set[str]:
    addresses = set(db.session.scalars(select(AuthSession.ip).where(AuthSession.user_id == user_id)))
    addresses |= set(db.session.scalars(select(ConsentEvent.ip).where(ConsentEvent.user_id == user_id)))
    addresses |= set(db.session.scalars(select(AuditEvent.ip).where(_acted_by(user_id))))
    return {address for address in addresses if address}


# ------------------------------------------------------------------------------------------------ unlinked, blanked


def unlink_staff_register(subject: Subject) -> int:
    return count_deleted(
        update(StaffRegisterEntry).where(StaffRegisterEntry.user_id == subject.user_id).values(user_id=None)
    )


def blank_request_texts(subject: Subject) -> int:
    return count_deleted(
        update(PrivacyRequest)
        .where(PrivacyRequest.user_id == subject.user_id,
               or_(PrivacyRequest.body.is_not(None), PrivacyRequest.response.is_not(None)))
        .values(body=None, response=None)
    )


# ------------------------------------------------------------------------------------------------ anonymised


def anonymise_consent_events(subject: Subject) -> int:
    # ConsentEvent is append-only at the ORM level so no feature can rewrite the evidence; destroying the
    # personal data in it is the one lawful change, so it is made here with a Core statement, on purpose.
    return count_deleted(
        update(ConsentEvent.__table__)
        .where(ConsentEvent.user_id == subject.user_id,
               or_(ConsentEvent.ip.is_not(None), ConsentEvent.user_agent.is_not(None)))
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


def anonymise_audit_events(subject: Subject) -> int:
    """Blanks the person's addresses and the personal details of events about them; Core statements, as above."""
    user_id = subject.user_id
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


def anonymise_profile(subject: Subject) -> int:
    user = subject.user
    user.email = f"withdrawn-{user.id}@invalid.example"
    user.last_name = user.first_name = DELETED_NAME
    for name in PROFILE_FIELDS_TO_CLEAR:
        setattr(user, name, None)
    user.organization = None  # staff lists and figures stop counting the row
    user.password_hash = unusable_password_hash()
    user.anonymized_at = subject.now
    db.session.flush()
    return 1
