"""The methodologist's course catalogue: courses, their applications, and the check of external courses."""
from collections.abc import Iterable
from dataclasses import dataclass, fields
from datetime import date

from sqlalchemy import Select, case, func, select
from sqlalchemy.orm import contains_eager

from ... import audit
from ...extensions import db
from ...kernel.actor import Actor
from ...kernel.clock import local_today
from ...models import Course, CourseFormat, CourseRecord, CourseStatus, User, utcnow
from ...queries import Page, paginate
from ...service_errors import FieldErrors
from ..selfassessment.services_route import close_finished_items
from .services import hours_errors

RECORDS_PER_PAGE = 50


@dataclass(frozen=True)
class CourseData:
    title: str
    provider: str
    hours: int
    format: CourseFormat
    starts_on: date | None
    ends_on: date | None
    topic: str
    description: str
    is_open: bool
    readiness_areas: list[str]


@dataclass(frozen=True)
class CourseRow:
    course: Course
    applied: int
    enrolled: int
    completed: int


def list_courses() -> list[CourseRow]:
    """Every course, open first, with its applications counted by status in the same (grouped) query."""
    counts = [
        func.count(case((CourseRecord.status == status, CourseRecord.id))).label(status.value)
        for status in CourseStatus
    ]
    statement = (
        select(Course, *counts)
        .outerjoin(CourseRecord, CourseRecord.course_id == Course.id)
        .group_by(Course.id)
        .order_by(Course.is_open.desc(), Course.starts_on.asc().nulls_last(), Course.title, Course.id)
    )
    return [
        CourseRow(course=course, applied=applied, enrolled=enrolled, completed=completed)
        for course, applied, enrolled, completed in db.session.execute(statement)
    ]


def _check(data: CourseData) -> None:
    errors = hours_errors(data.hours)
    if data.starts_on and data.ends_on and data.ends_on < data.starts_on:
        errors["ends_on"] = "Дата окончания не может быть раньше даты начала."
    if errors:
        raise FieldErrors(errors)


def create_course(data: CourseData, actor: Actor) -> Course:
    _check(data)
    course = Course(**{f.name: getattr(data, f.name) for f in fields(data)})
    db.session.add(course)
    db.session.flush()
    audit.record(actor, "course.created", course, title=course.title, is_open=course.is_open)
    return course


def update_course(course: Course, data: CourseData, actor: Actor) -> bool:
    """True if anything changed."""
    _check(data)
    changed = sorted(f.name for f in fields(data) if getattr(course, f.name) != getattr(data, f.name))
    for name in changed:
        setattr(course, name, getattr(data, name))
    db.session.flush()
    if changed:
        audit.record(actor, "course.updated", course, fields=changed)
    return bool(changed)


def set_course_open(course: Course, is_open: bool, actor: Actor) -> bool:
    """Opens or closes the course for applications; True if that changed anything."""
    if course.is_open == is_open:
        return False
    course.is_open = is_open
    db.session.flush()
    audit.record(actor, "course.reopened" if is_open else "course.closed", course)
    return True


# ------------------------------------------------------------------------------------------- applications


def status_counts(course: Course) -> dict[CourseStatus, int]:
    rows = db.session.execute(
        select(CourseRecord.status, func.count())
        .where(CourseRecord.course_id == course.id)
        .group_by(CourseRecord.status)
    )
    counts = dict.fromkeys(CourseStatus, 0)
    counts.update({CourseStatus(status): count for status, count in rows})
    return counts


STATUS_ORDER = case({status: order for order, status in enumerate(CourseStatus)}, value=CourseRecord.status)


def _with_teachers() -> Select:
    """Records with their teachers and the teachers' organisations, for a methodologist's list."""
    return (
        select(CourseRecord)
        .join(CourseRecord.user)
        .options(contains_eager(CourseRecord.user).joinedload(User.organization))
    )


def _locked(record_ids: Iterable[int], *conditions) -> list[CourseRecord]:
    """The records among `record_ids` that still meet the conditions, locked: two methodologists on the same list
    must not both move or verify a record."""
    ids = sorted(set(record_ids))
    if not ids:
        return []
    return list(db.session.scalars(
        select(CourseRecord).where(CourseRecord.id.in_(ids), *conditions).order_by(CourseRecord.id).with_for_update()
    ))


def course_records(course: Course, status: CourseStatus | None, page: int) -> Page[CourseRecord]:
    """The course's applications, pending ones first, then by the teacher's name."""
    statement = (
        _with_teachers()
        .where(CourseRecord.course_id == course.id, *([CourseRecord.status == status] if status else []))
        .order_by(STATUS_ORDER, User.last_name, User.first_name, User.middle_name, CourseRecord.id)
    )
    return paginate(statement, page, RECORDS_PER_PAGE)


def _move(course: Course, record_ids: Iterable[int], source: CourseStatus, target: CourseStatus,
          completed_on: date | None = None) -> list[int]:
    records = _locked(record_ids, CourseRecord.course_id == course.id, CourseRecord.status == source)
    for record in records:
        record.status = target
        if completed_on is not None and record.completed_on is None:
            record.completed_on = completed_on
    db.session.flush()
    return [record.id for record in records]


def enroll(course: Course, record_ids: Iterable[int], actor: Actor) -> list[int]:
    """Applied → enrolled, for the records of this course among `record_ids`; returns those moved."""
    moved = _move(course, record_ids, CourseStatus.APPLIED, CourseStatus.ENROLLED)
    if moved:
        audit.record(actor, "course.records_enrolled", course, record_ids=moved)
    return moved


def complete(course: Course, record_ids: Iterable[int], actor: Actor, today: date | None = None) -> list[int]:
    """Enrolled → completed; an empty completion date becomes today. Returns the records moved."""
    moved = _move(course, record_ids, CourseStatus.ENROLLED, CourseStatus.COMPLETED, today or local_today())
    if moved:
        audit.record(actor, "course.records_completed", course, record_ids=moved)
        # The teachers' route items for this course close themselves.
        close_finished_items(*db.session.scalars(select(CourseRecord.user_id).where(CourseRecord.id.in_(moved))))
    return moved


# ------------------------------------------------------------------------------------------- external courses


def _unverified_external():
    return CourseRecord.course_id.is_(None), CourseRecord.verified_at.is_(None)


def external_awaiting_count() -> int:
    return db.session.scalar(select(func.count(CourseRecord.id)).where(*_unverified_external())) or 0


def external_awaiting(page: int) -> Page[CourseRecord]:
    """External courses no methodologist has checked yet, oldest first."""
    statement = (
        _with_teachers()
        .where(*_unverified_external())
        .order_by(CourseRecord.created_at, CourseRecord.id)
    )
    return paginate(statement, page, RECORDS_PER_PAGE)


def external_selection(record_ids: Iterable[int]) -> list[CourseRecord]:
    """The ticked records that still await verification, with their teachers, for the summary before verifying."""
    ids = sorted(set(record_ids))
    if not ids:
        return []
    statement = (
        _with_teachers()
        .where(CourseRecord.id.in_(ids), CourseRecord.course_id.is_(None), CourseRecord.verified_at.is_(None))
        .order_by(User.last_name, User.first_name, User.middle_name, CourseRecord.id)
    )
    return list(db.session.scalars(statement))


def verify_external(record_ids: Iterable[int], actor: Actor) -> list[int]:
    """Marks unchecked external records verified by the actor; returns those marked."""
    records = _locked(record_ids, CourseRecord.course_id.is_(None), CourseRecord.verified_at.is_(None))
    now = utcnow()
    for record in records:
        record.verified_at = now
        record.verified_by_id = actor.user_id
    db.session.flush()
    for record in records:
        audit.record(actor, "course.record_verified", record, user_id=record.user_id)
    return [record.id for record in records]
