"""The person's rights over their data (152-ФЗ): what is held, its export, requests to the operator, withdrawal.

The export holds everything the service keeps about the person and nothing about anyone else: other people
who touched their data (a school admin who confirmed an account, a reviewer, the operator) appear by role only.
"""
import json
from dataclasses import dataclass
from datetime import date, datetime, timezone

from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import joinedload, selectinload

from ... import audit, uploads
from ...domain.legal_deadlines import (
    destruction_deadline,
    end_of_local_day,
    local_day,
    request_deadline,
)
from ...extensions import db
from ...formatting import local_date
from ...kernel.actor import Actor
from ...kernel.audit_labels import AUDIT_ACTION_LABELS
from ...kernel.clock import KRASNOYARSK_TIME
from ...mail import send_mail
from ...models import (
    AuditEvent,
    AuthSession,
    ConsentAction,
    ConsentEvent,
    CourseRecord,
    DevelopmentProgram,
    Diagnostic,
    LoginCode,
    PlatformAccount,
    PlatformAccountEvent,
    PrivacyRequest,
    PrivacyRequestKind,
    Role,
    User,
    utcnow,
)
from ...security import check_password
from ...service_errors import FieldErrors
from ...urls import public_url_for
from ..auth.sessions import end_all_sessions
from ..privacy.purge import scrub_details
from ..privacy.services import current_document
from .pdf_services import INSTITUTE_NAME

WITHDRAWAL_REASON = "Отзыв согласия на обработку персональных данных"
REQUEST_KINDS = (PrivacyRequestKind.ACCESS, PrivacyRequestKind.RECTIFICATION, PrivacyRequestKind.OTHER)
MAX_REQUEST_LENGTH = 5000
CERTIFICATES = "certificates"
YOU = "вы"
SYSTEM = "система"


# ------------------------------------------------------------------------------------------------ the summary


@dataclass(frozen=True)
class HeldData:
    """Counts of what the service holds about the person, for the «Мои данные» page."""

    platform_accounts: int
    course_records: int
    certificate_files: int
    consent_events: int
    sessions: int
    audit_events: int
    requests: int


def held_data(user: User) -> HeldData:
    def count(statement) -> int:
        return db.session.scalar(statement) or 0

    return HeldData(
        platform_accounts=count(select(func.count(PlatformAccount.id)).where(PlatformAccount.user_id == user.id)),
        course_records=count(select(func.count(CourseRecord.id)).where(CourseRecord.user_id == user.id)),
        certificate_files=count(select(func.count(CourseRecord.certificate_file))
                                .where(CourseRecord.user_id == user.id)),
        consent_events=count(select(func.count(ConsentEvent.id)).where(ConsentEvent.user_id == user.id)),
        sessions=count(select(func.count(AuthSession.id)).where(AuthSession.user_id == user.id)),
        audit_events=count(select(func.count(AuditEvent.id)).where(_audit_condition(user.id))),
        requests=count(select(func.count(PrivacyRequest.id)).where(PrivacyRequest.user_id == user.id)),
    )


# ------------------------------------------------------------------------------------------------ the export


class _Roles:
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


def _audit_condition(user_id: int):
    return or_(
        AuditEvent.actor_id == user_id,
        (AuditEvent.target_type == User.__tablename__) & (AuditEvent.target_id == user_id),
    )


def export_data(user: User, now: datetime | None = None) -> dict:
    """Everything held about `user`, as plain values (naive-UTC datetimes, dates); see `export_json`."""
    who = _Roles(user)
    return {
        "exported_at": now or utcnow(),
        "operator": INSTITUTE_NAME,
        "user": _user_fields(user),
        "workplace": _workplace(user),
        "consent_events": _consent_events(user),
        "platform_accounts": _platform_accounts(user, who),
        "courses": _courses(user, who),
        "diagnostics": _diagnostics(user),
        "programs": _programs(user),
        "audit_events": _audit_events(user, who),
        "sessions": _sessions(user),
        "login_codes": _login_codes(user),
        "privacy_requests": _requests(user, who),
    }


def _user_fields(user: User) -> dict:
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


def _workplace(user: User) -> dict:
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


def _consent_events(user: User) -> list[dict]:
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


def _platform_accounts(user: User, who: _Roles) -> list[dict]:
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
    stored = uploads.path(record.certificate_file, CERTIFICATES)
    return {
        "type": record.certificate_mime,
        "size_bytes": stored.stat().st_size if stored else None,
        "stored": stored is not None,
    }


def _courses(user: User, who: _Roles) -> list[dict]:
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


def _diagnostics(user: User) -> list[dict]:
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


def _programs(user: User) -> list[dict]:
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


def _audit_events(user: User, who: _Roles) -> list[dict]:
    events = db.session.scalars(select(AuditEvent).where(_audit_condition(user.id)).order_by(AuditEvent.id))
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


def _sessions(user: User) -> list[dict]:
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


def _login_codes(user: User) -> list[dict]:
    codes = db.session.scalars(select(LoginCode).where(LoginCode.user_id == user.id).order_by(LoginCode.id))
    return [
        {"created_at": code.created_at, "expires_at": code.expires_at, "used_at": code.used_at,
         "attempts": code.attempts}
        for code in codes
    ]


def _requests(user: User, who: _Roles) -> list[dict]:
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


def _json_value(value):
    if isinstance(value, datetime):
        return value.replace(tzinfo=timezone.utc).astimezone(KRASNOYARSK_TIME).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not exported")


def export_json(data: dict) -> bytes:
    """UTF-8 JSON, readable as it is: Cyrillic unescaped, indented, times in Krasnoyarsk time with the offset."""
    return json.dumps(data, ensure_ascii=False, indent=2, default=_json_value).encode("utf-8")


def record_export(user: User, file_format: str, actor: Actor) -> None:
    audit.record(actor, "privacy.data_exported", user, format=file_format)


# ------------------------------------------------------------------------------------------------ requests


def user_requests(user_id: int) -> list[PrivacyRequest]:
    return list(db.session.scalars(
        select(PrivacyRequest).where(PrivacyRequest.user_id == user_id)
        .order_by(PrivacyRequest.created_at.desc(), PrivacyRequest.id.desc())
    ))


def user_request(user_id: int, request_id: int) -> PrivacyRequest | None:
    """The person's own request; someone else's is None (a 404), like one that does not exist."""
    return db.session.scalar(
        select(PrivacyRequest).where(PrivacyRequest.id == request_id, PrivacyRequest.user_id == user_id)
    )


def _admin_emails() -> list[str]:
    return list(db.session.scalars(
        select(User.email).where(User.role == Role.ADMIN, User.blocked_at.is_(None)).order_by(User.id)
    ))


def _notify_admins(request: PrivacyRequest) -> None:
    # No name and no request text in the mail: the operator reads them in the service, behind sign-in.
    emails = _admin_emails()
    if not emails:
        return
    link = public_url_for("admin.privacy_request", request_id=request.id)
    body = (
        f"В ЦПП поступило обращение субъекта персональных данных № {request.id}.\n\n"
        f"Вид: {request.kind.label}.\n"
        f"Поступило: {local_date(request.created_at)}.\n"
        f"Срок исполнения: до {local_date(request.due_at)} включительно.\n\n"
        f"Открыть обращение: {link}\n"
    )
    for email in emails:
        send_mail(email, f"ЦПП: обращение по персональным данным № {request.id}", body)


def file_request(user: User, kind: PrivacyRequestKind, text: str, actor: Actor,
                 now: datetime | None = None) -> PrivacyRequest:
    """A request to the operator, due in 10 working days counted from its Krasnoyarsk date."""
    text = (text or "").strip()
    if kind not in REQUEST_KINDS:
        raise FieldErrors({"kind": "Выберите вид обращения из списка."})
    if not text:
        raise FieldErrors({"text": "Опишите, что вы просите сделать."})
    if len(text) > MAX_REQUEST_LENGTH:
        raise FieldErrors({"text": f"Не более {MAX_REQUEST_LENGTH} символов."})
    now = now or utcnow()
    request = PrivacyRequest(user_id=user.id, kind=kind, body=text, created_at=now,
                             due_at=end_of_local_day(request_deadline(local_day(now))))
    db.session.add(request)
    db.session.flush()
    audit.record(actor, "privacy.request_filed", request, kind=kind.value)
    _notify_admins(request)
    send_mail(
        user.email,
        f"ЦПП: ваше обращение № {request.id} принято",
        f"Здравствуйте, {user.first_name}!\n\n"
        f"Ваше обращение «{kind.label}» № {request.id} принято {local_date(now)}.\n"
        f"Оператор ответит не позднее {local_date(request.due_at)} (10 рабочих дней, "
        "ч. 3 ст. 14 Федерального закона № 152-ФЗ). Ответ появится в личном кабинете ЦПП, "
        "в разделе «Мои данные», и придёт на этот адрес.\n",
    )
    return request


# ------------------------------------------------------------------------------------------------ withdrawal


def withdraw_consent(user: User, password: str, actor: Actor, now: datetime | None = None) -> PrivacyRequest:
    """Blocks the account at once, ends its sessions and queues the data for destruction within 30 days."""
    if not check_password(user, password or ""):
        raise FieldErrors({"password": "Неверный пароль."})  # nosec B105 # a message, not a password
    now = now or utcnow()
    # Claimed in one statement: of two simultaneous confirmations (a double click) only one withdraws.
    claimed = db.session.execute(
        update(User).where(User.id == user.id, User.consent_withdrawn_at.is_(None))
        .values(consent_withdrawn_at=now, blocked_at=now, block_reason=WITHDRAWAL_REASON)
        .execution_options(synchronize_session=False)
    ).rowcount
    if not claimed:
        earlier = db.session.scalar(
            select(PrivacyRequest)
            .where(PrivacyRequest.user_id == user.id, PrivacyRequest.kind == PrivacyRequestKind.WITHDRAWAL)
            .order_by(PrivacyRequest.id.desc()).limit(1)
        )
        if earlier is None:
            raise FieldErrors({"password": "Согласие уже отозвано."})  # nosec B105 # a message, not a password
        return earlier
    db.session.refresh(user)
    granted = db.session.scalar(
        select(ConsentEvent).options(joinedload(ConsentEvent.document))
        .where(ConsentEvent.user_id == user.id, ConsentEvent.action == ConsentAction.GRANTED)
        .order_by(ConsentEvent.id.desc()).limit(1)
    )
    # What is withdrawn is the consent last given; without one on record, the text in force.
    document = granted.document if granted else current_document()
    db.session.add(ConsentEvent(
        user_id=user.id, document_id=document.id, document_sha256=document.sha256, action=ConsentAction.WITHDRAWN,
        occurred_at=now, ip=actor.ip, user_agent=actor.user_agent,
    ))
    request = PrivacyRequest(user_id=user.id, kind=PrivacyRequestKind.WITHDRAWAL, created_at=now,
                             due_at=end_of_local_day(destruction_deadline(local_day(now))))
    db.session.add(request)
    db.session.flush()
    end_all_sessions(user.id)
    audit.record(actor, "privacy.consent_withdrawn", user, document_version=document.version, request_id=request.id)
    _notify_admins(request)
    send_mail(
        user.email,
        "ЦПП: согласие на обработку персональных данных отозвано",
        f"Здравствуйте, {user.first_name}!\n\n"
        f"{local_date(now)} вы отозвали согласие на обработку персональных данных в сервисе "
        "«Цифровой профиль педагога» КК ИПК. Учётная запись заблокирована, все сеансы входа завершены.\n"
        f"Ваши персональные данные будут уничтожены не позднее {local_date(request.due_at)} "
        "(ч. 5 ст. 21 Федерального закона № 152-ФЗ). Это письмо — последнее, которое мы отправляем на этот адрес.\n",
    )
    return request
