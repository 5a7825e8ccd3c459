"""The person's requests to the operator (152-ФЗ ст. 14, 20, 21) and the withdrawal of their consent, filed from
«Мои данные»; the operator answers them in services_operator.py."""
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import joinedload

from ... import audit
from ...domain.legal_deadlines import (
    destruction_deadline,
    end_of_local_day,
    local_day,
    request_deadline,
)
from ...extensions import db
from ...formatting import local_date
from ...kernel.actor import Actor
from ...mail import send_mail
from ...models import (
    ConsentAction,
    ConsentEvent,
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
from .services import current_document

WITHDRAWAL_REASON = "Отзыв согласия на обработку персональных данных"
REQUEST_KINDS = (PrivacyRequestKind.ACCESS, PrivacyRequestKind.RECTIFICATION, PrivacyRequestKind.OTHER)
MAX_REQUEST_LENGTH = 5000


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
