"""The operator's queue of data subjects' requests and withdrawals, their answers, and the destruction records."""
import enum
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from ... import audit
from ...domain.legal_deadlines import DeadlineState, deadline_state, local_day
from ...extensions import db
from ...formatting import local_date
from ...kernel.actor import Actor
from ...mail import send_mail
from ...models import DestructionRecord, PrivacyRequest, PrivacyRequestKind, User, utcnow
from ...queries import Page, paginate
from ...service_errors import FieldErrors

PER_PAGE = 25
MAX_RESPONSE_LENGTH = 5000
DESTROYED = "данные уничтожены"


class QueueState(enum.StrEnum):
    OPEN = "open"
    COMPLETED = "completed"
    ALL = "all"


@dataclass(frozen=True)
class QueueRow:
    request: PrivacyRequest
    deadline: DeadlineState

    @property
    def person(self) -> str:
        user = self.request.user
        return DESTROYED if user.anonymized_at else (user.full_name or user.email)


def _row(request: PrivacyRequest, today: date) -> QueueRow:
    return QueueRow(request, deadline_state(local_day(request.due_at), today, done=request.completed_at is not None))


def privacy_queue(state: QueueState, kind: PrivacyRequestKind | None, page: int = 1, per_page: int = PER_PAGE,
                  now: datetime | None = None) -> Page[QueueRow]:
    """Open requests by nearest deadline (overdue first); completed ones latest first."""
    conditions = []
    if state == QueueState.OPEN:
        conditions.append(PrivacyRequest.completed_at.is_(None))
    elif state == QueueState.COMPLETED:
        conditions.append(PrivacyRequest.completed_at.is_not(None))
    if kind is not None:
        conditions.append(PrivacyRequest.kind == kind)
    order = ((PrivacyRequest.completed_at.desc(), PrivacyRequest.id.desc()) if state == QueueState.COMPLETED
             else (PrivacyRequest.completed_at.is_not(None), PrivacyRequest.due_at, PrivacyRequest.id))
    statement = select(PrivacyRequest).options(joinedload(PrivacyRequest.user)).where(*conditions).order_by(*order)
    result = paginate(statement, page, per_page)
    today = local_day(now or utcnow())
    return Page([_row(request, today) for request in result.items], result.total, result.page, result.per_page)


def get_request(request_id: int) -> PrivacyRequest | None:
    return db.session.scalar(
        select(PrivacyRequest).options(joinedload(PrivacyRequest.user), joinedload(PrivacyRequest.completed_by))
        .where(PrivacyRequest.id == request_id)
    )


def request_row(request: PrivacyRequest, now: datetime | None = None) -> QueueRow:
    return _row(request, local_day(now or utcnow()))


def destruction_of(request: PrivacyRequest) -> DestructionRecord | None:
    """The record of the purge that fulfilled a withdrawal, if it ran."""
    return db.session.scalar(
        select(DestructionRecord).where(DestructionRecord.request_id == request.id).order_by(DestructionRecord.id)
    )


class RequestRefused(Exception):
    """The request cannot be completed by hand; the message says why, in Russian."""


def complete_request(request: PrivacyRequest, response: str, actor: Actor) -> None:
    """Records the operator's answer and tells the person; a withdrawal is completed only by the purge."""
    if request.kind == PrivacyRequestKind.WITHDRAWAL:
        raise RequestRefused("Отзыв согласия исполняется командой flask purge-withdrawn: она уничтожает данные "
                             "и сама отмечает обращение исполненным.")
    if request.completed_at is not None:
        raise RequestRefused("Обращение уже исполнено.")
    response = (response or "").strip()
    if not response:
        raise FieldErrors({"response": "Напишите ответ заявителю."})
    if len(response) > MAX_RESPONSE_LENGTH:
        raise FieldErrors({"response": f"Не более {MAX_RESPONSE_LENGTH} символов."})
    request.response = response
    request.completed_at = utcnow()
    request.completed_by_id = actor.user_id
    db.session.flush()
    audit.record(actor, "privacy.request_completed", request, kind=request.kind.value)
    user = request.user
    if user.anonymized_at is None:
        send_mail(
            user.email,
            f"ЦПП: ответ на ваше обращение № {request.id}",
            f"Здравствуйте, {user.first_name}!\n\n"
            f"Оператор ответил на ваше обращение «{request.kind.label}» № {request.id} "
            f"от {local_date(request.created_at)}:\n\n{response}\n\n"
            "Ответ также сохранён в личном кабинете ЦПП, в разделе «Мои данные».\n",
        )


def destruction_records(page: int = 1, per_page: int = PER_PAGE) -> Page[DestructionRecord]:
    return paginate(select(DestructionRecord).order_by(DestructionRecord.id.desc()), page, per_page)


def get_destruction_record(record_id: int) -> DestructionRecord | None:
    return db.session.get(DestructionRecord, record_id)


def subject_of(record: DestructionRecord) -> User | None:
    return db.session.get(User, record.subject_user_id)
