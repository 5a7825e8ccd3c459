"""An organisation's staff: the list, the counts its indicators use, confirmation, detachment and the register."""
import enum
import functools
from collections import defaultdict
from dataclasses import asdict, dataclass
from datetime import datetime

from sqlalchemy import and_, bindparam, case, delete, exists, func, insert, or_, select, true, update

from ... import audit
from ...domain.program_parts import StaffProfile
from ...extensions import db
from ...kernel.actor import Actor
from ...kernel.stash import stash_form, take_stash
from ...models import (
    AccountStatus,
    Organization,
    Platform,
    PlatformAccount,
    PlatformAccountEvent,
    Role,
    StaffPlatformTally,
    StaffRegisterEntry,
    StaffTally,
    User,
    utcnow,
)
from ...queries import Page, contains_pattern, fold, folded, paginate
from ..selfassessment.services_route import close_finished_items
from .register_import import RegisterDiff, RegisterRecord, RegisterRow, compare_registers, surname_matches
from .tallies import REGISTERED_STATUSES, settle, staff_member

PER_PAGE = 50
MAX_QUERY_LENGTH = 100
CONFIRMED_NOTE = "подтверждено организацией"
UNCONFIRMED_ON_DETACH_NOTE = "подтверждение организации снято: педагог откреплён от неё"
NOT_STATED = "не указана"


class StaffActionError(Exception):
    """An action refused for a reason the admin should read (in Russian)."""


def _staff_of(organization_id: int):
    return and_(User.organization_id == organization_id, staff_member())


# ------------------------------------------------------------------------------------------------ counts


def share(part: int, whole: int) -> float | None:
    return part / whole if whole else None


@dataclass(frozen=True)
class PlatformCounts:
    platform_id: int
    code: str
    name: str
    teachers: int
    confirmed_teachers: int
    registered: int  # status registered or active, as the teachers state it
    active: int
    registered_confirmed: int  # the same, confirmed by the organisation for a confirmed teacher
    active_confirmed: int
    # Registered or active as stated by teachers the organisation confirmed, whatever it says of the status: with
    # `confirmed_teachers` and `registered_confirmed`, the counts of the self-diagnostic's gaps.
    registered_by_confirmed: int

    @property
    def registered_share(self) -> float | None:
        return share(self.registered, self.teachers)

    @property
    def active_share(self) -> float | None:
        return share(self.active, self.teachers)

    @property
    def registered_confirmed_share(self) -> float | None:
        return share(self.registered_confirmed, self.confirmed_teachers)

    @property
    def active_confirmed_share(self) -> float | None:
        return share(self.active_confirmed, self.confirmed_teachers)


@dataclass(frozen=True)
class StaffCounts:
    """The staff figures of one organisation; plain data, reused by the self-diagnostic."""

    teachers: int  # users of the organisation with the role teacher or school admin
    confirmed: int
    platforms: tuple[PlatformCounts, ...]  # every platform, in display order

    @property
    def pending(self) -> int:
        return self.teachers - self.confirmed

    @property
    def confirmed_share(self) -> float | None:
        return share(self.confirmed, self.teachers)

    def for_platform(self, code: str) -> PlatformCounts | None:
        return next((counts for counts in self.platforms if counts.code == code), None)


@functools.cache
def _staff_counts_statement():
    """Built once per process (building and keying it cost more than running it): the organisation is a parameter."""
    school = bindparam("organization_id")
    # An aggregate, so one row even for an organisation without a tally (no staff yet).
    staff = (select(func.coalesce(func.max(StaffTally.teachers), 0).label("teachers"),
                    func.coalesce(func.max(StaffTally.confirmed), 0).label("confirmed"))
             .where(StaffTally.organization_id == school).subquery())
    accounts = StaffPlatformTally
    figures = [func.coalesce(column, 0) for column in
               (accounts.registered, accounts.active, accounts.registered_confirmed, accounts.active_confirmed,
                accounts.registered_by_confirmed)]
    # The staff's single row joined to every platform (none: still that row, for the counts).
    return (
        select(staff.c.teachers, staff.c.confirmed, Platform.id, Platform.code, Platform.name, *figures)
        .select_from(staff)
        .outerjoin(Platform, true())
        .outerjoin(accounts, and_(accounts.platform_id == Platform.id, accounts.organization_id == school))
        .order_by(Platform.sort_order, Platform.id)
    )


def staff_counts(organization_id: int) -> StaffCounts:
    """The staff's counts and each platform's accounts, as tallied at the last change (tallies.py): one query
    reading a row per platform, whatever the number of teachers."""
    settle(db.session)
    rows = db.session.execute(_staff_counts_statement(), {"organization_id": organization_id}).all()
    teachers, confirmed = rows[0][:2]
    return StaffCounts(
        teachers=teachers,
        confirmed=confirmed,
        platforms=tuple(PlatformCounts(platform_id, code, name, teachers, confirmed, *figures)
                        for _, _, platform_id, code, name, *figures in rows if platform_id is not None),
    )


def staff_profile(organization_id: int) -> StaffProfile:
    """The confirmed staff by position and by qualification category: one grouped query, so the rows read are the
    distinct (position, category) pairs, not the people."""
    rows = db.session.execute(
        select(User.position, User.qualification_category, func.count(User.id))
        .where(_staff_of(organization_id), User.confirmed_at.is_not(None))
        .group_by(User.position, User.qualification_category)
    ).all()
    positions: dict[str, int] = defaultdict(int)
    categories: dict[str, int] = defaultdict(int)
    for position, category, count in rows:
        positions[position or NOT_STATED] += count
        categories[category or NOT_STATED] += count

    def largest_first(counts: dict[str, int]) -> tuple[tuple[str, int], ...]:
        return tuple(sorted(counts.items(), key=lambda item: (-item[1], item[0])))

    return StaffProfile(sum(positions.values()), largest_first(positions), largest_first(categories))


@dataclass(frozen=True)
class PlatformBacklog:
    code: str
    name: str
    accounts: int


@dataclass(frozen=True)
class ConfirmationBacklog:
    """What the school can confirm now: teachers not confirmed yet, and statuses stated by confirmed teachers
    that the school has not vouched for (the staff list's filters «подтверждены» + «отмечено педагогом, не
    подтверждено ОО» show the same people)."""

    teachers: int
    platforms: tuple[PlatformBacklog, ...]  # only platforms with statuses to confirm, in display order

    @property
    def statuses(self) -> int:
        return sum(platform.accounts for platform in self.platforms)


def confirmation_backlog(organization_id: int) -> ConfirmationBacklog:
    """Read off the staff counts: a platform's statuses to confirm are those stated by confirmed teachers less
    those the school confirmed."""
    counts = staff_counts(organization_id)
    return ConfirmationBacklog(counts.pending, tuple(
        PlatformBacklog(platform.code, platform.name, platform.registered_by_confirmed - platform.registered_confirmed)
        for platform in counts.platforms if platform.registered_by_confirmed > platform.registered_confirmed))


# -------------------------------------------------------------------------------------------------- list


class StateFilter(enum.StrEnum):
    PENDING = "pending"
    CONFIRMED = "confirmed"


class PlatformFilter(enum.StrEnum):
    NONE = "none"
    REGISTERED = "registered"
    ACTIVE = "active"
    CONFIRMED = "confirmed"
    UNCONFIRMED = "unconfirmed"


PLATFORM_FILTER_LABELS = {
    PlatformFilter.NONE: "не зарегистрирован",
    PlatformFilter.REGISTERED: "зарегистрирован или активен",
    PlatformFilter.ACTIVE: "активно использует",
    PlatformFilter.CONFIRMED: "подтверждено ОО",
    PlatformFilter.UNCONFIRMED: "отмечено педагогом, не подтверждено ОО",
}


@dataclass(frozen=True)
class StaffFilters:
    query: str = ""
    state: StateFilter | None = None
    platform_id: int | None = None
    platform_status: PlatformFilter | None = None


@dataclass(frozen=True)
class StaffPage:
    result: Page[User]
    # user id → platform id → account, for the users of this page only
    accounts: dict[int, dict[int, PlatformAccount]]


def _account_condition(platform_id: int, wanted: PlatformFilter):
    def has(*conditions):
        return exists().where(
            PlatformAccount.user_id == User.id, PlatformAccount.platform_id == platform_id, *conditions
        )

    registered = PlatformAccount.status.in_(REGISTERED_STATUSES)
    return {
        PlatformFilter.NONE: ~has(registered),
        PlatformFilter.REGISTERED: has(registered),
        PlatformFilter.ACTIVE: has(PlatformAccount.status == AccountStatus.ACTIVE),
        PlatformFilter.CONFIRMED: has(registered, PlatformAccount.confirmed_at.is_not(None)),
        PlatformFilter.UNCONFIRMED: has(registered, PlatformAccount.confirmed_at.is_(None)),
    }[wanted]


def _known_total(filters: StaffFilters, counts: StaffCounts | None) -> int | None:
    """The list's length when the staff counts the page shows already tell it (no search, no platform filter)."""
    if counts is None or filters.query.strip() or filters.platform_status is not None:
        return None
    return {None: counts.teachers, StateFilter.PENDING: counts.pending,
            StateFilter.CONFIRMED: counts.confirmed}[filters.state]


def staff_page(organization_id: int, filters: StaffFilters, page: int = 1, per_page: int = PER_PAGE,
               counts: StaffCounts | None = None) -> StaffPage:
    """One page of the staff (pending first), and the platform accounts of that page in one query; with the
    staff's `counts` at hand, an unfiltered list needs no COUNT of its own."""
    conditions = [_staff_of(organization_id)]
    for term in fold(filters.query[:MAX_QUERY_LENGTH]).split():
        pattern = contains_pattern(term)
        conditions.append(
            or_(*(folded(column).like(pattern, escape="\\")
                  for column in (User.email, User.last_name, User.first_name, User.middle_name)))
        )
    if filters.state == StateFilter.PENDING:
        conditions.append(User.confirmed_at.is_(None))
    elif filters.state == StateFilter.CONFIRMED:
        conditions.append(User.confirmed_at.is_not(None))
    if filters.platform_id is not None and filters.platform_status is not None:
        conditions.append(_account_condition(filters.platform_id, filters.platform_status))
    statement = (
        select(User)
        .where(*conditions)
        .order_by(case((User.confirmed_at.is_(None), 0), else_=1), User.last_name, User.first_name,
                  User.middle_name, User.id)
    )
    result = paginate(statement, page, per_page, _known_total(filters, counts))
    accounts: dict[int, dict[int, PlatformAccount]] = defaultdict(dict)
    if result.items:
        for account in db.session.scalars(
            select(PlatformAccount).where(PlatformAccount.user_id.in_([user.id for user in result.items]))
        ):
            accounts[account.user_id][account.platform_id] = account
    return StaffPage(result=result, accounts=dict(accounts))


def get_member(organization_id: int, user_id: int) -> User | None:
    """A teacher or school admin of this organisation; anyone else is not found."""
    return db.session.scalar(select(User).where(User.id == user_id, _staff_of(organization_id)))


@dataclass(frozen=True)
class MemberAccount:
    platform: Platform
    account: PlatformAccount | None


def member_accounts(user: User) -> list[MemberAccount]:
    """Every platform, with the teacher's account on it when there is one."""
    rows = db.session.execute(
        select(Platform, PlatformAccount)
        .outerjoin(PlatformAccount, and_(PlatformAccount.platform_id == Platform.id, PlatformAccount.user_id == user.id))
        .order_by(Platform.sort_order, Platform.id)
    ).all()
    return [MemberAccount(platform, account) for platform, account in rows]


def get_member_account(organization_id: int, account_id: int) -> PlatformAccount | None:
    return db.session.scalar(
        select(PlatformAccount)
        .join(User, User.id == PlatformAccount.user_id)
        .where(PlatformAccount.id == account_id, _staff_of(organization_id))
    )


# ----------------------------------------------------------------------------------------------- actions


def confirm_member(member: User, actor: Actor) -> None:
    if member.confirmed_at is not None:
        raise StaffActionError(f"{member.full_name} уже подтверждён(а) как сотрудник организации.")
    member.confirmed_at = utcnow()
    db.session.flush()
    audit.record(actor, "staff.confirmed", member, organization_id=member.organization_id)


def detach_member(member: User, actor: Actor) -> None:
    """The teacher leaves the organisation and takes nothing of it along: confirmations and register links go."""
    if member.id == actor.user_id:
        raise StaffActionError("Нельзя открепить самого себя.")
    if member.role != Role.TEACHER:
        raise StaffActionError(
            f"{member.full_name} — администратор ОО. Открепить администратора может только администратор сервиса, "
            "сменив ему роль."
        )
    organization_id = member.organization_id
    release_from_organization(member, actor, UNCONFIRMED_ON_DETACH_NOTE)
    member.organization_id = None
    member.workplace_text = None
    db.session.flush()
    audit.record(actor, "staff.detached", member, organization_id=organization_id)


def release_from_organization(member: User, actor: Actor, note: str) -> None:
    """What the organisation vouched for stays with it: the staff and platform confirmations and register links go."""
    now = utcnow()
    for account in db.session.scalars(
        select(PlatformAccount).where(PlatformAccount.user_id == member.id, PlatformAccount.confirmed_at.is_not(None))
    ):
        account.confirmed_at = account.confirmed_by_id = None
        db.session.add(PlatformAccountEvent(
            account=account, from_status=account.status, to_status=account.status, since=account.since,
            confirmed=False, changed_at=now, changed_by_id=actor.user_id, note=note,
        ))
    if member.organization_id is not None:
        db.session.execute(
            update(StaffRegisterEntry)
            .where(StaffRegisterEntry.organization_id == member.organization_id, StaffRegisterEntry.user_id == member.id)
            .values(user_id=None)
        )
    member.confirmed_at = None


def confirm_account(account: PlatformAccount, actor: Actor) -> None:
    """The school vouches for the status the teacher gave; only such statuses count as confirmed."""
    user = account.user
    if user.confirmed_at is None:
        raise StaffActionError(
            f"Сначала подтвердите, что {user.full_name} работает в организации, затем — статусы на платформах."
        )
    if account.status not in REGISTERED_STATUSES:
        raise StaffActionError("Подтвердить можно только регистрацию или активное использование платформы.")
    if account.confirmed_at is not None:
        raise StaffActionError(f"Статус на платформе «{account.platform.name}» уже подтверждён.")
    now = utcnow()
    account.confirmed_at = now
    account.confirmed_by_id = actor.user_id
    db.session.add(PlatformAccountEvent(
        account=account, from_status=account.status, to_status=account.status, since=account.since,
        confirmed=True, changed_at=now, changed_by_id=actor.user_id, note=CONFIRMED_NOTE,
    ))
    db.session.flush()
    audit.record(actor, "staff.platform_confirmed", user, account_id=account.id, platform_id=account.platform_id,
                 status=account.status.value)
    close_finished_items(user.id)  # the teacher's route step on this platform may be done now


# ------------------------------------------------------------------------------------------- bulk actions

MAX_SELECTED = 200


@dataclass(frozen=True)
class BulkPlan:
    """What confirming the ticked staff would do, worked out before anything changes."""

    members: tuple[User, ...]  # employment to confirm
    accounts: tuple[PlatformAccount, ...]  # platform statuses to confirm (of the members above or confirmed ones)
    settled: tuple[User, ...]  # ticked, but nothing left to confirm
    skipped: int  # ticked ids that are not (or no longer) the organisation's staff

    @property
    def empty(self) -> bool:
        return not self.members and not self.accounts

    @property
    def accounts_by_user(self) -> list[tuple[User, list[PlatformAccount]]]:
        """The statuses to confirm grouped by teacher, in the list's order."""
        grouped: dict[int, tuple[User, list[PlatformAccount]]] = {}
        for account in self.accounts:
            grouped.setdefault(account.user_id, (account.user, []))[1].append(account)
        return list(grouped.values())

    @property
    def user_ids(self) -> list[int]:
        """Whom confirming acts on: the ticked staff with anything left to confirm."""
        return sorted({user.id for user in self.members} | {account.user_id for account in self.accounts})


def bulk_confirmation_plan(organization_id: int, user_ids: list[int], lock: bool = False) -> BulkPlan:
    """Two queries whatever the selection; `lock` holds the rows until the commit so that two admins pressing at
    once do not confirm (and audit) anything twice."""
    ids = sorted(set(user_ids))[:MAX_SELECTED]
    users_query = select(User).where(User.id.in_(ids), _staff_of(organization_id)).order_by(
        User.last_name, User.first_name, User.middle_name, User.id)
    users = list(db.session.scalars(users_query.with_for_update() if lock else users_query)) if ids else []
    accounts_query = (
        select(PlatformAccount)
        .join(Platform, Platform.id == PlatformAccount.platform_id)
        .where(PlatformAccount.user_id.in_([user.id for user in users]),
               PlatformAccount.status.in_(REGISTERED_STATUSES), PlatformAccount.confirmed_at.is_(None))
        .order_by(Platform.sort_order, Platform.id)
    )
    pending_accounts: dict[int, list[PlatformAccount]] = defaultdict(list)
    if users:
        for account in db.session.scalars(accounts_query.with_for_update(of=PlatformAccount) if lock else accounts_query):
            pending_accounts[account.user_id].append(account)
    members = tuple(user for user in users if user.confirmed_at is None)
    accounts = tuple(account for user in users for account in pending_accounts[user.id])
    settled = tuple(user for user in users if user.confirmed_at is not None and not pending_accounts[user.id])
    return BulkPlan(members, accounts, settled, skipped=len(ids) - len(users))


@dataclass(frozen=True)
class BulkResult:
    members: int
    accounts: int
    skipped: int


def confirm_selected(organization_id: int, user_ids: list[int], actor: Actor) -> BulkResult:
    """Confirms the ticked staff and then their platform statuses, each as a single confirmation does (same checks,
    history and audit records), in the request's one transaction. The plan is worked out again here: what the
    summary showed may have changed since."""
    plan = bulk_confirmation_plan(organization_id, user_ids, lock=True)
    for member in plan.members:
        confirm_member(member, actor)
    for account in plan.accounts:
        confirm_account(account, actor)
    return BulkResult(len(plan.members), len(plan.accounts), plan.skipped)


# ---------------------------------------------------------------------------------------------- register


@dataclass(frozen=True)
class RegisterSummary:
    rows: int
    confirmed_now: int
    already_confirmed: int
    # Found by e-mail or phone, but the surname differs (a married name?): the school checks by hand.
    surname_mismatch: tuple[str, ...]
    unregistered: int


def _find_user(record: RegisterRecord, by_email: dict[str, User], by_phone: dict[str, list[User]]):
    """The matching user and whether a contact matched someone with another surname."""
    candidates = ([by_email[record.email]] if record.email in by_email else []) + by_phone.get(record.phone, [])
    for user in candidates:
        if surname_matches(record.surname, user.last_name):
            return user, False
    return None, bool(candidates)


@dataclass(frozen=True)
class RegisterMatch:
    record: RegisterRecord
    user: User | None
    contact_mismatch: bool  # an e-mail or phone matched someone with another surname


def _match_register(organization_id: int, records: list[RegisterRecord]) -> list[RegisterMatch]:
    """Each record with the staff member it names. Only users who already chose this organisation are matched: a
    register never pulls in anybody else."""
    staff = list(db.session.scalars(select(User).where(_staff_of(organization_id))))
    by_email = {user.email.lower(): user for user in staff}
    by_phone: dict[str, list[User]] = defaultdict(list)
    for user in staff:
        if user.phone:
            by_phone[user.phone].append(user)
    return [RegisterMatch(record, *_find_user(record, by_email, by_phone)) for record in records]


def _pending(matches: list[RegisterMatch]) -> list[User]:
    """The pending teachers the register would confirm, each once (two rows may name one person by phone)."""
    found = {match.user.id: match.user for match in matches if match.user is not None and match.user.confirmed_at is None}
    return list(found.values())


def _summary(matches: list[RegisterMatch]) -> tuple[int, int, tuple[str, ...], int]:
    confirmed_now = len(_pending(matches))
    already = sum(1 for match in matches if match.user is not None) - confirmed_now
    mismatched = tuple(match.record.full_name for match in matches if match.user is None and match.contact_mismatch)
    return confirmed_now, already, mismatched, sum(1 for match in matches if match.user is None)


@dataclass(frozen=True)
class RegisterPreview:
    """What loading a register would do, before anything changes."""

    rows: int
    diff: RegisterDiff
    to_confirm: tuple[str, ...]  # names of the pending teachers it would confirm
    already_confirmed: int
    surname_mismatch: tuple[str, ...]
    unregistered: int


def preview_register(organization_id: int, records: list[RegisterRecord]) -> RegisterPreview:
    old = [RegisterRow(*row) for row in db.session.execute(
        select(StaffRegisterEntry.full_name, StaffRegisterEntry.email, StaffRegisterEntry.phone,
               StaffRegisterEntry.position).where(StaffRegisterEntry.organization_id == organization_id))]
    matches = _match_register(organization_id, records)
    _, already, mismatched, unregistered = _summary(matches)
    to_confirm = tuple(user.full_name for user in _pending(matches))
    return RegisterPreview(len(records), compare_registers(old, map(RegisterRow.of, records)), to_confirm, already,
                           mismatched, unregistered)


def import_register(organization_id: int, records: list[RegisterRecord], actor: Actor) -> RegisterSummary:
    """Replaces the organisation's register and confirms the pending teachers it names."""
    matches = _match_register(organization_id, records)
    confirmed_now, already, mismatched, unregistered = _summary(matches)
    now = utcnow()
    rows = []
    for match in matches:
        record, user = match.record, match.user
        if user is not None and user.confirmed_at is None:
            user.confirmed_at = now
            audit.record(actor, "staff.confirmed_by_register", user, organization_id=organization_id, line=record.line)
        rows.append({
            "organization_id": organization_id, "line": record.line, "full_name": record.full_name,
            "email": record.email, "phone": record.phone, "position": record.position,
            "user_id": user.id if user else None, "imported_at": now,
        })
    db.session.execute(delete(StaffRegisterEntry).where(StaffRegisterEntry.organization_id == organization_id))
    if rows:
        db.session.execute(insert(StaffRegisterEntry), rows)
    db.session.flush()
    summary = RegisterSummary(rows=len(rows), confirmed_now=confirmed_now, already_confirmed=already,
                              surname_mismatch=mismatched, unregistered=unregistered)
    audit.record(actor, "staff.register_imported", db.session.get(Organization, organization_id), rows=summary.rows,
                 confirmed_now=confirmed_now, already_confirmed=already, unregistered=summary.unregistered)
    return summary


def _stash_target(organization_id: int) -> str:
    return f"staff-register:{organization_id}"


def _register_mark(organization_id: int) -> list:
    """Which register a preview was compared with: another one loaded since makes the preview stale."""
    state = register_state(organization_id)
    return [state.entries, state.imported_at.isoformat() if state.imported_at else None]


def keep_previewed_register(organization_id: int, user_id: int, records: list[RegisterRecord]) -> str:
    """Keeps the checked records for the admin who previewed them, so that loading them parses nothing again;
    the browser holds only the one-time token."""
    payload = {"records": [asdict(record) for record in records], "register": _register_mark(organization_id)}
    return stash_form(user_id, _stash_target(organization_id), payload)


def take_previewed_register(token: str | None, organization_id: int, user_id: int) -> list[RegisterRecord] | None:
    """The records this admin previewed for this organisation, once; None when the token is unknown, spent or
    expired, or when another register was loaded after the preview."""
    payload = take_stash(token, _stash_target(organization_id), user_id)
    if not payload or payload.get("register") != _register_mark(organization_id):
        return None
    try:
        return [RegisterRecord(**record) for record in payload["records"]]
    except (KeyError, TypeError):  # kept by an older version of this code
        return None


@dataclass(frozen=True)
class RegisterState:
    entries: int
    unregistered: int
    imported_at: datetime | None


def register_state(organization_id: int) -> RegisterState:
    entries, unregistered, imported_at = db.session.execute(
        select(
            func.count(StaffRegisterEntry.id),
            func.count(case((StaffRegisterEntry.user_id.is_(None), 1))),
            func.max(StaffRegisterEntry.imported_at),
        ).where(StaffRegisterEntry.organization_id == organization_id)
    ).one()
    return RegisterState(entries, unregistered, imported_at)


def _unregistered(organization_id: int):
    return (
        select(StaffRegisterEntry)
        .where(StaffRegisterEntry.organization_id == organization_id, StaffRegisterEntry.user_id.is_(None))
        .order_by(StaffRegisterEntry.line, StaffRegisterEntry.id)
    )


def unregistered_preview(organization_id: int, limit: int) -> list[StaffRegisterEntry]:
    return list(db.session.scalars(_unregistered(organization_id).limit(limit)))


def unregistered_entries(organization_id: int, page: int = 1, per_page: int = PER_PAGE) -> Page[StaffRegisterEntry]:
    """Register rows with no teacher of the organisation behind them: whom the school should invite."""
    return paginate(_unregistered(organization_id), page, per_page)


def get_unregistered_entry(organization_id: int, entry_id: int) -> StaffRegisterEntry | None:
    return db.session.scalar(_unregistered(organization_id).where(StaffRegisterEntry.id == entry_id))


@dataclass(frozen=True)
class Invitation:
    subject: str
    body: str


def invitation(entry: StaffRegisterEntry, organization: Organization, sender: User, register_url: str) -> Invitation:
    """A ready e-mail text asking a person on the register to join, for the admin to copy or send themselves."""
    # КИАСУО writes the surname first: the greeting uses the name and patronymic.
    names = entry.full_name.split()[1:]
    greeting = f"Здравствуйте, {' '.join(names)}!" if names else "Здравствуйте!"
    email_line = (f" и адрес электронной почты {entry.email}" if entry.email else "")
    body = "\n".join([
        greeting,
        "",
        f"{organization.short_name} ведёт учёт в сервисе «Цифровой профиль педагога» (ЦПП) Красноярского краевого "
        "института повышения квалификации. Пожалуйста, зарегистрируйтесь в нём по ссылке:",
        register_url,
        "",
        f"При регистрации выберите место работы — {organization.label}{email_line}: "
        "тогда администрация подтвердит, что вы работаете у нас, без лишних действий.",
        "",
        "С уважением,",
        sender.full_name or sender.email,
        organization.short_name,
    ])
    return Invitation("Приглашение зарегистрироваться в «Цифровом профиле педагога»", body)


EXPORT_LIMIT = 20_000


def staff_export_rows(organization_id: int, filters: StaffFilters) -> tuple[list[str], list[list]]:
    """The filtered staff list as plain rows (platform names as the last columns), for CSV/XLSX."""
    listing = staff_page(organization_id, filters, 1, EXPORT_LIMIT)
    platforms = db.session.execute(select(Platform.id, Platform.name).order_by(Platform.sort_order, Platform.id)).all()
    rows = []
    for user in listing.result.items:
        accounts = listing.accounts.get(user.id, {})
        statuses = []
        for platform_id, _ in platforms:
            account = accounts.get(platform_id)
            label = account.status.label if account else AccountStatus.NOT_REGISTERED.label
            statuses.append(f"{label}, подтверждено ОО" if account and account.confirmed_at else label)
        rows.append([user.last_name, user.first_name, user.middle_name or "", user.email, user.position or "",
                     user.staff_state.label, *statuses])
    return [name for _, name in platforms], rows
