"""What the service holds about the person, and its export (152-ФЗ ст. 14): every table of the registry that the
export reads, and nothing about anyone else (export_sections.py names other people by role only)."""
import json
from dataclasses import dataclass
from datetime import date, datetime, timezone

from sqlalchemy import func, select

from ... import audit
from ...extensions import db
from ...kernel.actor import Actor
from ...kernel.clock import KRASNOYARSK_TIME
from ...models import AuditEvent, AuthSession, ConsentEvent, CourseRecord, PlatformAccount, PrivacyRequest, User, utcnow
from ..cabinet.pdf_services import INSTITUTE_NAME
from .export_sections import Roles, audit_condition
from .registry import PERSONAL_TABLES


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
        audit_events=count(select(func.count(AuditEvent.id)).where(audit_condition(user.id))),
        requests=count(select(func.count(PrivacyRequest.id)).where(PrivacyRequest.user_id == user.id)),
    )


def export_data(user: User, now: datetime | None = None) -> dict:
    """Everything held about `user`, as plain values (naive-UTC datetimes, dates), a section per key in the order
    of the registry; see `export_json`."""
    who = Roles(user)
    data = {"exported_at": now or utcnow(), "operator": INSTITUTE_NAME}
    for table in PERSONAL_TABLES:
        for key, read in table.export.items():
            data[key] = read(user, who)
    return data


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
