"""What the printable profile shows: the teacher's data gathered into plain, display-ready values."""
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ...extensions import db
from ...formatting import local_date
from ...kernel.plural import plural
from ...models import AccountStatus, CourseRecord, CourseStatus, Platform, PlatformAccount, User, utcnow

INSTITUTE_NAME = (
    "КГАУ ДПО «Красноярский краевой институт повышения квалификации "
    "и профессиональной переподготовки работников образования» (КК ИПК)"
)


@dataclass(frozen=True)
class PlatformLine:
    name: str
    status: str
    since: str | None
    confirmed: bool


@dataclass(frozen=True)
class CourseLine:
    title: str
    provider: str | None
    hours: int | None
    status: str
    completed: bool
    completed_on: str | None
    certificate_number: str | None
    verified: bool


@dataclass(frozen=True)
class ProfileSummary:
    user_id: int
    full_name: str
    short_name: str
    position: str | None
    workplace: str | None
    staff_state: str
    subjects: str | None
    qualification_category: str | None
    experience: str | None
    platforms: list[PlatformLine]
    courses: list[CourseLine]
    total_hours: int
    issued_on: str
    institute: str = INSTITUTE_NAME


def profile_summary(user: User, *, now: datetime | None = None) -> ProfileSummary:
    """The printable profile of `user`; empty fields stay None for the template to say «не указано»."""
    courses = _course_lines(user)
    return ProfileSummary(
        user_id=user.id,
        full_name=user.full_name,
        short_name=user.short_name,
        position=_text(user.position),
        workplace=_workplace(user),
        staff_state=user.staff_state.label,
        subjects=_text(user.subjects),
        qualification_category=_text(user.qualification_category),
        experience=years_text(user.experience_years) if user.experience_years is not None else None,
        platforms=_platform_lines(user),
        courses=courses,
        # Hours count once a course is finished; applications and courses under way do not.
        total_hours=sum(line.hours or 0 for line in courses if line.completed),
        issued_on=local_date(now or utcnow()),
    )


def _text(value: str | None) -> str | None:
    value = (value or "").strip()
    return value or None


def _workplace(user: User) -> str | None:
    organization = user.organization
    if organization is not None:
        return f"{organization.short_name}, {organization.municipality.name}"
    return _text(user.workplace_text)


def _format_day(day: date | None) -> str | None:
    return day.strftime("%d.%m.%Y") if day else None


def _platform_lines(user: User) -> list[PlatformLine]:
    accounts = {
        account.platform_id: account
        for account in db.session.scalars(select(PlatformAccount).where(PlatformAccount.user_id == user.id))
    }
    lines = []
    for platform in db.session.scalars(select(Platform).order_by(Platform.sort_order, Platform.id)):
        account = accounts.get(platform.id)
        status = account.status if account else AccountStatus.NOT_REGISTERED
        registered = status != AccountStatus.NOT_REGISTERED
        lines.append(
            PlatformLine(
                name=platform.name,
                status=status.label,
                since=_format_day(account.since) if registered else None,
                # The school's confirmation holds for whatever status it confirmed, «не зарегистрирован» too.
                confirmed=bool(account and account.confirmed_at),
            )
        )
    return lines


def _course_lines(user: User) -> list[CourseLine]:
    records = db.session.scalars(
        select(CourseRecord).where(CourseRecord.user_id == user.id).options(selectinload(CourseRecord.course))
    ).all()

    # Completed first, newest first; then courses under way, then applications.
    order = {CourseStatus.COMPLETED: 0, CourseStatus.ENROLLED: 1, CourseStatus.APPLIED: 2}

    def key(record: CourseRecord):
        day = record.completed_on or date.min
        return order[record.status], -day.toordinal(), (record.title or "").casefold(), record.id

    return [
        CourseLine(
            title=record.title or "",
            provider=_text(record.provider),
            hours=record.hours,
            status=record.status.label,
            completed=record.status == CourseStatus.COMPLETED,
            completed_on=_format_day(record.completed_on),
            certificate_number=_text(record.certificate_number),
            verified=record.verified_at is not None,
        )
        for record in sorted(records, key=key)
    ]


def years_text(years: int) -> str:
    """«1 год», «3 года», «11 лет»: the Russian plural of years."""
    return f"{years} {plural(years, 'год', 'года', 'лет')}"
