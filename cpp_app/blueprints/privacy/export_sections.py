"""How the person's export reads each table of the registry (registry.py): one reader per section, taking the person
and `Roles`, returning plain values (naive-UTC datetimes, dates) for JSON and the PDF.

Other people who touched the person's data (a school admin who confirmed an account, a reviewer, the operator)
appear by role only.
"""
from sqlalchemy import or_, select
from sqlalchemy.orm import joinedload, selectinload

from ... import uploads
from ...domain.legal_deadlines import local_day
from ...extensions import db
from ...kernel.audit_labels import AUDIT_ACTION_LABELS
from ...models import (
    AuditEvent,
    AuthSession,
    ConsentAction,
    ConsentEvent,
    CourseRecord,
    DevelopmentProgram,
    Diagnostic,
    LearningRoute,
    LoginCode,
    PlatformAccount,
    PlatformAccountEvent,
    Role,
    SelfAssessment,
    User,
)
from .erasure import scrub_details
from .services_requests import user_requests

CERTIFICATES = "certificates"
YOU = "вы"
SYSTEM = "система"


class Roles:
    """Who did something, as the person may learn it: «вы», the other person's role, or «система»."""

    def __init__(self, user: User):
        self.user = user
        self.roles: dict[int, Role] = {}

    def __call__(self, user_id: int | None) -> str:
        if user_id is None:
            return SYSTEM
        if user_id == self.user.id:
            return YOU
        if user_id not in self.roles:
            self.roles[user_id] = db.session.scalar(select(User.role).where(User.id == user_id))
        role = self.roles[user_id]
        return role.label if role else SYSTEM


def audit_condition(user_id: int):
    return or_(
        AuditEvent.actor_id == user_id,
        (AuditEvent.target_type == User.__tablename__) & (AuditEvent.target_id == user_id),
    )


def profile(user: User, who: Roles) -> dict:
    return {
        "id": user.id,
        "email": user.email,
        "email_confirmed_at": user.email_confirmed_at,
        "pending_email": user.pending_email,
        "last_name": user.last_name,
        "first_name": user.first_name,
        "middle_name": user.middle_name,
        "phone": user.phone,
        "settlement": user.settlement,
        "position": user.position,
        "subjects": user.subjects,
        "qualification_category": user.qualification_category,
        "experience_years": user.experience_years,
        "role": user.role.value,
        "role_label": user.role.label,
        "registered_at": user.created_at,
        "blocked_at": user.blocked_at,
        "block_reason": user.block_reason,
        "consent_withdrawn_at": user.consent_withdrawn_at,
    }


def workplace(user: User, who: Roles) -> dict:
    organization = user.organization
    return {
        "organization": {
            "id": organization.id,
            "short_name": organization.short_name,
            "full_name": organization.full_name,
            "inn": organization.inn,
            "municipality": organization.municipality.name,
        } if organization else None,
        "workplace_text": user.workplace_text,
        "staff_state": user.staff_state.label,
        "confirmed_at": user.confirmed_at,
    }


def consent_events(user: User, who: Roles) -> list[dict]:
    events = db.session.scalars(
        select(ConsentEvent).options(joinedload(ConsentEvent.document))
        .where(ConsentEvent.user_id == user.id).order_by(ConsentEvent.id)
    )
    return [
        {
            "action": event.action.value,
            "action_label": "согласие дано" if event.action == ConsentAction.GRANTED else "согласие отозвано",
            "document_version": event.document.version,
            "document_title": event.document.title,
            "document_sha256": event.document_sha256,
            "occurred_at": event.occurred_at,
            "ip": event.ip,
            "user_agent": event.user_agent,
        }
        for event in events
    ]


def platform_accounts(user: User, who: Roles) -> list[dict]:
    accounts = db.session.scalars(
        select(PlatformAccount).options(joinedload(PlatformAccount.platform))
        .where(PlatformAccount.user_id == user.id).order_by(PlatformAccount.id)
    ).all()
    history: dict[int, list[PlatformAccountEvent]] = {}
    for event in db.session.scalars(
        select(PlatformAccountEvent)
        .where(PlatformAccountEvent.account_id.in_([account.id for account in accounts]))
        .order_by(PlatformAccountEvent.id)
    ):
        history.setdefault(event.account_id, []).append(event)
    return [
        {
            "platform": account.platform.name,
            "status": account.status.value,
            "status_label": account.status.label,
            "since": account.since,
            "profile_url": account.profile_url,
            "confirmed_at": account.confirmed_at,
            "confirmed_by": who(account.confirmed_by_id) if account.confirmed_at else None,
            "updated_at": account.updated_at,
            "history": [
                {
                    "changed_at": event.changed_at,
                    "from_status": event.from_status.label if event.from_status else None,
                    "to_status": event.to_status.label,
                    "since": event.since,
                    "confirmed": event.confirmed,
                    "changed_by": who(event.changed_by_id),
                    "note": event.note,
                }
                for event in history.get(account.id, [])
            ],
        }
        for account in accounts
    ]


def _certificate(record: CourseRecord) -> dict | None:
    if not record.certificate_file:
        return None
    size = uploads.size(record.certificate_file, CERTIFICATES)
    return {
        "type": record.certificate_mime,
        "size_bytes": size,
        "stored": size is not None,
    }


def courses(user: User, who: Roles) -> list[dict]:
    records = db.session.scalars(
        select(CourseRecord).options(selectinload(CourseRecord.course))
        .where(CourseRecord.user_id == user.id).order_by(CourseRecord.id)
    )
    return [
        {
            "title": record.title,
            "provider": record.provider,
            "hours": record.hours,
            "catalogue_course": not record.is_external,
            "status": record.status.value,
            "status_label": record.status.label,
            "completed_on": record.completed_on,
            "certificate_number": record.certificate_number,
            "certificate_file": _certificate(record),
            "verified_at": record.verified_at,
            "verified_by": who(record.verified_by_id) if record.verified_at else None,
            "created_at": record.created_at,
        }
        for record in records
    ]


def diagnostics(user: User, who: Roles) -> list[dict]:
    diagnostics = db.session.scalars(
        select(Diagnostic).options(joinedload(Diagnostic.organization))
        .where(Diagnostic.created_by_id == user.id).order_by(Diagnostic.id)
    )
    return [
        {
            "id": diagnostic.id,
            "organization": diagnostic.organization.short_name,
            "school_year": diagnostic.school_year,
            "status": diagnostic.status.value,
            "status_label": diagnostic.status.label,
            "created_at": diagnostic.created_at,
            "submitted_at": diagnostic.submitted_at,
        }
        for diagnostic in diagnostics
    ]


def programs(user: User, who: Roles) -> list[dict]:
    programs = db.session.scalars(
        select(DevelopmentProgram).options(joinedload(DevelopmentProgram.organization))
        .where(or_(DevelopmentProgram.created_by_id == user.id, DevelopmentProgram.approved_by_id == user.id))
        .order_by(DevelopmentProgram.id)
    )
    return [
        {
            "id": program.id,
            "organization": program.organization.short_name,
            "period": f"{program.period_start}–{program.period_end}",
            "status": program.status.value,
            "status_label": program.status.label,
            "your_part": ", ".join(part for part, mine in (("создали", program.created_by_id == user.id),
                                                           ("утвердили", program.approved_by_id == user.id)) if mine),
            "created_at": program.created_at,
            "approved_at": program.approved_at,
        }
        for program in programs
    ]


def audit_events(user: User, who: Roles) -> list[dict]:
    events = db.session.scalars(select(AuditEvent).where(audit_condition(user.id)).order_by(AuditEvent.id))
    rows = []
    for event in events:
        about_other_person = event.target_type == User.__tablename__ and event.target_id != user.id
        # The address is the person's own only when they acted (signed in or not yet).
        own_action = event.actor_id in (user.id, None)
        rows.append({
            "occurred_at": event.occurred_at,
            "action": event.action,
            "action_label": AUDIT_ACTION_LABELS.get(event.action, event.action),
            "actor": who(event.actor_id),
            "target_type": event.target_type,
            "target_id": None if about_other_person else event.target_id,
            "ip": event.ip if own_action else None,
            "details": scrub_details(event.details) if about_other_person else (event.details or {}),
        })
    return rows


def sessions(user: User, who: Roles) -> list[dict]:
    sessions = db.session.scalars(select(AuthSession).where(AuthSession.user_id == user.id).order_by(AuthSession.id))
    return [
        {
            "created_at": session.created_at,
            "last_seen_at": session.last_seen_at,
            "expires_at": session.expires_at,
            "revoked_at": session.revoked_at,
            "remember": session.remember,
            "ip": session.ip,
            "user_agent": session.user_agent,
        }
        for session in sessions
    ]


def self_assessments(user: User, who: Roles) -> list[dict]:
    assessments = db.session.scalars(
        select(SelfAssessment).options(joinedload(SelfAssessment.methodology))
        .where(SelfAssessment.user_id == user.id).order_by(SelfAssessment.id)
    )
    return [
        {
            "instrument": f"{assessment.methodology.title}, версия {assessment.methodology.version}",
            "status": assessment.status,
            "status_label": "отправлена" if assessment.submitted else "черновик",
            "started_at": assessment.started_at,
            "updated_at": assessment.updated_at,
            "submitted_at": assessment.submitted_at,
            "answers": dict(sorted(assessment.answers.items())),
        }
        for assessment in assessments
    ]


def learning_routes(user: User, who: Roles) -> list[dict]:
    routes = db.session.scalars(
        select(LearningRoute).options(selectinload(LearningRoute.areas), selectinload(LearningRoute.items))
        .where(LearningRoute.user_id == user.id).order_by(LearningRoute.id)
    )
    return [
        {
            "period_start": route.period_start,
            "period_end": route.period_end,
            "shared_with_school": route.shared_with_school,
            "created_at": route.created_at,
            "updated_at": route.updated_at,
            "areas": [{"area_code": area.area_code, "current_level": area.current_level,
                       "target_level": area.target_level, "goal": area.goal} for area in route.areas],
            "items": [{"area_code": item.area_code, "kind": item.kind, "title": item.title, "due_on": item.due_on,
                       "done_at": item.done_at, "done_automatically": item.done_automatically}
                      for item in route.items],
        }
        for route in routes
    ]


def login_codes(user: User, who: Roles) -> list[dict]:
    codes = db.session.scalars(select(LoginCode).where(LoginCode.user_id == user.id).order_by(LoginCode.id))
    return [
        {"created_at": code.created_at, "expires_at": code.expires_at, "used_at": code.used_at,
         "attempts": code.attempts}
        for code in codes
    ]


def privacy_requests(user: User, who: Roles) -> list[dict]:
    return [
        {
            "id": request.id,
            "kind": request.kind.value,
            "kind_label": request.kind.label,
            "text": request.body,
            "created_at": request.created_at,
            "due_on": local_day(request.due_at),
            "completed_at": request.completed_at,
            "completed_by": who(request.completed_by_id) if request.completed_at else None,
            "response": request.response,
        }
        for request in user_requests(user.id)
    ]
