"""A teacher's courses: applications to the institute's catalogue and external courses with certificates.

What the methodologist's side shares with it (the course's lookup, the check of a course's volume) lives here too;
the catalogue's administration is in `services_admin`."""
from dataclasses import dataclass
from datetime import date

from flask import Response
from sqlalchemy import or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from ... import audit, uploads
from ...extensions import db
from ...kernel.actor import Actor
from ...kernel.clock import local_today
from ...models import Course, CourseRecord, CourseStatus, Role, User
from ...service_errors import FieldErrors

CERTIFICATES = "certificates"
MAX_HOURS = 2000
HOURS_MESSAGE = f"Объём курса — от 1 до {MAX_HOURS} часов."


class CourseRefused(Exception):
    """The action is not possible now; the message says why, in Russian."""


# ------------------------------------------------------------------------------------------- the teacher's page


@dataclass(frozen=True)
class CoursesOverview:
    topics: list[str]
    topic: str | None  # the one the catalogue is filtered by
    catalogue: list[Course]
    record_by_course: dict[int, CourseRecord]
    in_progress: list[CourseRecord]  # catalogue applications not completed yet
    completed: list[CourseRecord]  # catalogue and external, latest first


def courses_overview(user_id: int, topic: str | None = None) -> CoursesOverview:
    topics = list(db.session.scalars(select(Course.topic).where(Course.is_open).distinct().order_by(Course.topic)))
    topic = topic if topic in topics else None
    catalogue = db.session.scalars(
        select(Course)
        .where(Course.is_open, *([Course.topic == topic] if topic else []))
        .order_by(Course.starts_on.asc().nulls_last(), Course.title, Course.id)
    )
    records = list(
        db.session.scalars(
            select(CourseRecord)
            .options(joinedload(CourseRecord.course))
            .where(CourseRecord.user_id == user_id)
            .order_by(CourseRecord.created_at.desc(), CourseRecord.id.desc())
        )
    )
    completed = [r for r in records if r.status == CourseStatus.COMPLETED]
    completed.sort(key=lambda r: r.completed_on or date.min, reverse=True)
    return CoursesOverview(
        topics=topics,
        topic=topic,
        catalogue=list(catalogue),
        record_by_course={r.course_id: r for r in records if r.course_id is not None},
        in_progress=[r for r in records if r.status != CourseStatus.COMPLETED],
        completed=completed,
    )


def get_course(course_id: int) -> Course | None:
    return db.session.get(Course, course_id)


def hours_errors(hours: int) -> dict[str, str]:
    """The volume's check, the same for a catalogue course and an external one."""
    return {} if 1 <= hours <= MAX_HOURS else {"hours": HOURS_MESSAGE}


def own_record(user_id: int, record_id: int, external_only: bool = False) -> CourseRecord | None:
    """The user's own record; another user's is None, as if it did not exist."""
    statement = (
        select(CourseRecord)
        .options(joinedload(CourseRecord.course))
        .where(CourseRecord.id == record_id, CourseRecord.user_id == user_id)
    )
    if external_only:
        statement = statement.where(CourseRecord.course_id.is_(None))
    return db.session.scalar(statement)


# ------------------------------------------------------------------------------------------- applications


def _already_message(record: CourseRecord) -> str:
    title = record.course.title
    return {
        CourseStatus.APPLIED: f"Вы уже подали заявку на курс «{title}». Она ожидает рассмотрения.",
        CourseStatus.ENROLLED: f"Вы уже зачислены на курс «{title}».",
        CourseStatus.COMPLETED: f"Вы уже прошли курс «{title}».",
    }[record.status]


def _existing_application(user_id: int, course_id: int) -> CourseRecord | None:
    return db.session.scalar(
        select(CourseRecord).where(CourseRecord.user_id == user_id, CourseRecord.course_id == course_id)
    )


def apply_for_course(user_id: int, course: Course, actor: Actor) -> CourseRecord:
    if not course.is_open:
        raise CourseRefused(f"Запись на курс «{course.title}» закрыта.")
    existing = _existing_application(user_id, course.id)
    if existing is not None:
        raise CourseRefused(_already_message(existing))
    record = CourseRecord(user_id=user_id, course=course, status=CourseStatus.APPLIED)
    try:
        with db.session.begin_nested():  # a double click races the check above; the unique key decides
            db.session.add(record)
    except IntegrityError:
        raise CourseRefused(f"Вы уже подали заявку на курс «{course.title}».") from None
    audit.record(actor, "course.applied", record, course_id=course.id)
    return record


def withdraw_application(record: CourseRecord, actor: Actor) -> None:
    if record.is_external or record.status != CourseStatus.APPLIED:
        raise CourseRefused(
            f"Заявку на курс «{record.title}» уже рассмотрели, отозвать её нельзя. "
            "Если вы не сможете учиться, сообщите об этом в КК ИПК."
        )
    audit.record(actor, "course.application_withdrawn", record, course_id=record.course_id)
    db.session.delete(record)
    db.session.flush()


# ------------------------------------------------------------------------------------------- external courses


@dataclass(frozen=True)
class ExternalCourse:
    title: str
    provider: str
    hours: int
    completed_on: date
    certificate_number: str
    certificate: bytes | None = None  # a new file; None keeps the stored one
    remove_certificate: bool = False


@dataclass(frozen=True)
class Update:
    changed: bool
    verification_cleared: bool


def _check(data: ExternalCourse, today: date) -> None:
    errors = hours_errors(data.hours)
    if data.completed_on > today:
        errors["completed_on"] = "Дата окончания не может быть позже сегодняшнего дня."
    if errors:
        raise FieldErrors(errors)


def _store_certificate(data: ExternalCourse) -> tuple[str, str] | None:
    """Saved last, after every other check, so a refused form leaves no file behind."""
    if data.certificate is None:
        return None
    try:
        return uploads.save(data.certificate, CERTIFICATES)
    except uploads.UploadRefused as refusal:
        raise FieldErrors({"certificate": str(refusal)}) from None


def add_external_course(user_id: int, data: ExternalCourse, actor: Actor, today: date | None = None) -> CourseRecord:
    _check(data, today or local_today())
    stored = _store_certificate(data)
    record = CourseRecord(
        user_id=user_id,
        external_title=data.title,
        external_provider=data.provider,
        external_hours=data.hours,
        status=CourseStatus.COMPLETED,
        completed_on=data.completed_on,
        certificate_number=data.certificate_number,
    )
    if stored:
        record.certificate_file, record.certificate_mime = stored
    db.session.add(record)
    db.session.flush()
    audit.record(actor, "course.external_added", record, with_certificate=stored is not None)
    return record


def update_external_course(
    record: CourseRecord, data: ExternalCourse, actor: Actor, today: date | None = None
) -> Update:
    if not record.is_external:
        raise CourseRefused("Курс из каталога КК ИПК изменить нельзя.")
    _check(data, today or local_today())
    values = {
        "external_title": data.title,
        "external_provider": data.provider,
        "external_hours": data.hours,
        "completed_on": data.completed_on,
        "certificate_number": data.certificate_number,
    }
    changed = {name for name, value in values.items() if getattr(record, name) != value}
    stored = _store_certificate(data)
    if stored or (data.remove_certificate and record.certificate_file):
        uploads.delete(record.certificate_file, CERTIFICATES)  # gone once the change commits
        record.certificate_file, record.certificate_mime = stored or (None, None)
        changed.add("certificate_file")
    for name, value in values.items():
        setattr(record, name, value)
    # A methodologist checked what was there before, not what is there now.
    cleared = bool(changed) and record.verified_at is not None
    if cleared:
        record.verified_at = None
        record.verified_by_id = None
    db.session.flush()
    if changed:
        audit.record(actor, "course.external_updated", record, fields=sorted(changed), verification_cleared=cleared)
    return Update(changed=bool(changed), verification_cleared=cleared)


def delete_external_course(record: CourseRecord, actor: Actor) -> None:
    if not record.is_external:
        raise CourseRefused("Курс из каталога КК ИПК удалить нельзя.")
    uploads.delete(record.certificate_file, CERTIFICATES)
    audit.record(actor, "course.external_deleted", record, title=record.external_title)
    db.session.delete(record)
    db.session.flush()


# ------------------------------------------------------------------------------------------- certificates


def certificate_record(viewer: User, record_id: int) -> CourseRecord | None:
    """The record whose certificate the viewer may download: their own, their organisation's staff's
    (school admin), anyone's (methodologist, admin). Otherwise None, as if it did not exist."""
    statement = (
        select(CourseRecord)
        .join(User, CourseRecord.user_id == User.id)
        .where(CourseRecord.id == record_id, CourseRecord.certificate_file.is_not(None))
    )
    if viewer.has_role(Role.METHODOLOGIST, Role.ADMIN):
        pass
    elif viewer.has_role(Role.SCHOOL_ADMIN) and viewer.organization_id is not None:
        statement = statement.where(
            or_(CourseRecord.user_id == viewer.id, User.organization_id == viewer.organization_id)
        )
    else:
        statement = statement.where(CourseRecord.user_id == viewer.id)
    return db.session.scalar(statement)


def send_certificate(record: CourseRecord, **options) -> Response | None:
    """The stored certificate as a download (options as flask.send_file's), or None if the file is gone."""
    return uploads.send(record.certificate_file, CERTIFICATES, **options)


def certificate_download_name(record: CourseRecord) -> str:
    return f"certificate-{record.id}{uploads.EXTENSIONS.get(record.certificate_mime, '')}"
