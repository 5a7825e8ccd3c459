"""The user's own cabinet: progress overview, profile, e-mail and platform accounts."""
from dataclasses import dataclass
from datetime import date

from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.orm import contains_eager, joinedload

from ... import audit
from ...domain.phone import PhoneError, normalize_phone
from ...domain.platform_links import LinkError, normalize_profile_link
from ...domain.profile_choices import normalize_subjects
from ...extensions import db
from ...kernel.actor import Actor
from ...kernel.clock import local_today
from ...models import (
    AccountStatus,
    Course,
    CourseRecord,
    CourseStatus,
    Organization,
    Platform,
    PlatformAccount,
    PlatformAccountEvent,
    Role,
    User,
)
from ...security import check_password
from ...service_errors import FieldErrors
from ..auth.addresses import find_user_by_email, mail_confirmation_link
from ..organizations.lookup import Workplace, find_organizations
from ..school.services import release_from_organization

HISTORY_LIMIT = 20
OVERVIEW_MATCHES = 3


# ------------------------------------------------------------------------------------------------ overview


@dataclass(frozen=True)
class Progress:
    platforms_total: int
    platforms_registered: int  # registered or active
    platforms_active: int
    courses_completed: int
    hours_this_year: int
    year: int


@dataclass(frozen=True)
class Overview:
    progress: Progress
    unregistered_platforms: list[Platform]
    missing_fields: list[str]  # Russian names of the empty profile fields
    registry_matches: list[Organization]  # for a workplace awaiting a match: organisations its text may name


# Profile fields the overview asks to fill, in the order of the profile form.
PROFILE_FIELD_NAMES = {
    "phone": "телефон",
    "settlement": "населённый пункт",
    "workplace": "место работы",
    "position": "должность",
    "subjects": "преподаваемые предметы",
    "qualification_category": "квалификационная категория",
    "experience_years": "педагогический стаж",
}


def missing_profile_fields(user: User) -> list[str]:
    values = {name: getattr(user, name, None) for name in PROFILE_FIELD_NAMES}
    values["workplace"] = user.organization_id or user.workplace_text
    return [label for name, label in PROFILE_FIELD_NAMES.items() if values[name] in (None, "")]


def _account_of(user_id: int):
    """Join condition: the user's own account on each platform, if any."""
    return and_(PlatformAccount.platform_id == Platform.id, PlatformAccount.user_id == user_id)


def progress(user: User, today: date | None = None) -> Progress:
    year = (today or local_today()).year
    on_platform = PlatformAccount.status.in_([AccountStatus.REGISTERED, AccountStatus.ACTIVE])
    total, registered, active = db.session.execute(
        select(
            func.count(Platform.id),
            func.count(case((on_platform, 1))),
            func.count(case((PlatformAccount.status == AccountStatus.ACTIVE, 1))),
        )
        .select_from(Platform)
        .outerjoin(PlatformAccount, _account_of(user.id))
    ).one()
    # The same rule as CourseRecord.hours: a catalogue record reads its course's hours.
    hours = case((CourseRecord.course_id.is_not(None), Course.hours), else_=CourseRecord.external_hours)
    in_year = and_(CourseRecord.completed_on >= date(year, 1, 1), CourseRecord.completed_on < date(year + 1, 1, 1))
    completed, hours_this_year = db.session.execute(
        select(func.count(CourseRecord.id), func.coalesce(func.sum(case((in_year, hours))), 0))
        .outerjoin(Course, CourseRecord.course_id == Course.id)
        .where(CourseRecord.user_id == user.id, CourseRecord.status == CourseStatus.COMPLETED)
    ).one()
    return Progress(total, registered, active, completed, int(hours_this_year), year)


def overview(user: User, today: date | None = None) -> Overview:
    unregistered = db.session.scalars(
        select(Platform)
        .outerjoin(PlatformAccount, _account_of(user.id))
        .where(or_(PlatformAccount.id.is_(None), PlatformAccount.status == AccountStatus.NOT_REGISTERED))
        .order_by(Platform.sort_order, Platform.id)
    )
    matches = []
    if user.organization_id is None and user.workplace_text:
        matches = [f.organization for f in find_organizations(user.workplace_text, user.settlement, limit=OVERVIEW_MATCHES)]
    return Overview(progress(user, today), list(unregistered), missing_profile_fields(user), matches)


# ------------------------------------------------------------------------------------------------- profile


@dataclass(frozen=True)
class ProfileData:
    last_name: str
    first_name: str
    middle_name: str
    phone: str
    settlement: str
    workplace: Workplace | None  # resolved by the form; None when the field was left as it is
    position: str
    subjects: str
    qualification_category: str
    experience_years: int | None


def workplace_text(user: User) -> str:
    """What the workplace field shows: the registry label, or the text awaiting a match."""
    return user.organization.label if user.organization else (user.workplace_text or "")


def _new_workplace(user: User, workplace: Workplace | None) -> Workplace | None:
    """The workplace the form names, or None when it is the current one."""
    if workplace is None:
        return None
    if (workplace.organization.id if workplace.organization else None) == user.organization_id and \
            workplace.unmatched == user.workplace_text:
        return None
    return workplace


def update_profile(user: User, data: ProfileData, actor: Actor) -> None:
    errors: dict[str, str] = {}
    phone = None
    if (data.phone or "").strip():
        try:
            phone = normalize_phone(data.phone)
        except PhoneError as error:
            errors["phone"] = str(error)
    workplace = _new_workplace(user, data.workplace)
    if workplace is not None and user.role == Role.SCHOOL_ADMIN:
        # A school admin's organisation decides what they administer: only the service operator moves them.
        errors["workplace"] = "Место работы администратора ОО меняет администратор ЦПП. Напишите ему."
    if errors:
        raise FieldErrors(errors)

    user.last_name, user.first_name = data.last_name, data.first_name
    user.middle_name = data.middle_name or None
    user.phone = phone
    user.settlement = data.settlement or None
    user.position = data.position or None
    user.subjects = normalize_subjects(data.subjects)
    user.qualification_category = data.qualification_category or None
    user.experience_years = data.experience_years
    if workplace is not None:
        _change_workplace(user, workplace.organization, workplace.unmatched, actor=actor)
    db.session.flush()


WORKPLACE_CHANGED_NOTE = "подтверждение снято: педагог сменил место работы"


def _change_workplace(user: User, organization: Organization | None, typed: str | None, actor: Actor) -> None:
    details = {"from_organization_id": user.organization_id, "from_workplace_text": user.workplace_text,
               "to_organization_id": organization.id if organization else None, "to_workplace_text": typed}
    # The new organisation has not confirmed the teacher yet, and the old one's confirmations do not carry over.
    release_from_organization(user, actor, WORKPLACE_CHANGED_NOTE)
    user.organization, user.workplace_text = organization, typed
    audit.record(actor, "user.workplace_changed", user, **details)


def email_change_problems(user: User, new_email: str | None, password: str | None) -> dict[str, str]:
    """What the form cannot know about a new address. The password first: without it, the form must not tell
    which addresses are taken."""
    if not check_password(user, password or ""):
        return {"current_password": "Неверный пароль."}  # nosec B105 # a message, not a password
    email = (new_email or "").strip().lower()
    if not email:
        return {}
    if email == user.email:
        return {"new_email": "Это ваш текущий адрес."}
    holder = find_user_by_email(email)
    if holder is not None and holder.email_confirmed:
        return {"new_email": "Этот адрес уже используется другой учётной записью."}
    return {}


def change_email(user: User, new_email: str, password: str, actor: Actor) -> str:
    """Asks for a new address: it takes effect when the link mailed to it is opened (then the old address is
    told). Returns the address waiting for confirmation."""
    email = new_email.strip().lower()
    errors = email_change_problems(user, email, password)
    if errors:
        raise FieldErrors(errors)
    user.pending_email = email
    db.session.flush()
    audit.record(actor, "user.email_change_requested", user, to_email=email)
    mail_confirmation_link(user, email)
    return email


# ----------------------------------------------------------------------------------------------- platforms


@dataclass(frozen=True)
class PlatformRow:
    platform: Platform
    account: PlatformAccount | None

    @property
    def status(self) -> AccountStatus:
        return self.account.status if self.account else AccountStatus.NOT_REGISTERED


def platform_rows(user: User) -> list[PlatformRow]:
    """Every platform in order, with the user's account on it when there is one."""
    rows = db.session.execute(
        select(Platform, PlatformAccount)
        .outerjoin(PlatformAccount, _account_of(user.id))
        .order_by(Platform.sort_order, Platform.id)
    )
    return [PlatformRow(platform, account) for platform, account in rows]


def set_account(
    user: User,
    platform: Platform,
    status: AccountStatus,
    since: date | None,
    profile_url: str | None,
    actor: Actor,
    today: date | None = None,
) -> PlatformAccountEvent | None:
    """Records the user's account on the platform; the history entry written, or None if status and date stayed.

    A new status needs the organisation's confirmation again. «Not registered» keeps no date or link.
    """
    status = AccountStatus(status)
    if status == AccountStatus.NOT_REGISTERED:
        since, profile_url = None, None
    errors: dict[str, str] = {}
    if since is not None and since > (today or local_today()):
        errors["since"] = "Дата не может быть в будущем."
    try:
        link = normalize_profile_link(profile_url, platform.domain_list)
    except LinkError as error:
        errors["profile_url"] = str(error)
    if errors:
        raise FieldErrors(errors)

    account = db.session.scalar(
        select(PlatformAccount).where(PlatformAccount.user_id == user.id, PlatformAccount.platform_id == platform.id)
    )
    if account is None:
        if status == AccountStatus.NOT_REGISTERED:
            return None  # nothing to remember: no account is the same as «not registered»
        account = PlatformAccount(user_id=user.id, platform_id=platform.id)
        db.session.add(account)
    from_status, from_since = account.status, account.since
    if from_status != status:
        account.confirmed_at = None
        account.confirmed_by_id = None
    account.status, account.since, account.profile_url = status, since, link
    event = None
    if from_status != status or from_since != since:
        event = PlatformAccountEvent(
            account=account, from_status=from_status, to_status=status, since=since, changed_by_id=actor.user_id
        )
        db.session.add(event)
    db.session.flush()
    return event


@dataclass(frozen=True)
class AccountInput:
    platform: Platform
    status: AccountStatus
    since: date | None
    profile_url: str | None


def save_accounts(user: User, entries: list[AccountInput], actor: Actor) -> list[PlatformAccountEvent]:
    """The platforms page at once; the history entries written."""
    events = [set_account(user, e.platform, e.status, e.since, e.profile_url, actor) for e in entries]
    return [event for event in events if event is not None]


def account_history(user: User, limit: int = HISTORY_LIMIT) -> list[PlatformAccountEvent]:
    """The latest changes of the user's platform accounts, newest first."""
    return list(
        db.session.scalars(
            select(PlatformAccountEvent)
            .join(PlatformAccountEvent.account)
            .where(PlatformAccount.user_id == user.id)
            .options(
                contains_eager(PlatformAccountEvent.account).joinedload(PlatformAccount.platform),
                joinedload(PlatformAccountEvent.changed_by),
            )
            .order_by(PlatformAccountEvent.changed_at.desc(), PlatformAccountEvent.id.desc())
            .limit(limit)
        )
    )
