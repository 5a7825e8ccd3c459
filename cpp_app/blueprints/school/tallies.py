"""Keeps each organisation's staff tallies current in the transaction that changes its staff or their accounts.

Session events note which organisations a transaction touches — ORM changes of the attributes that count (before
each flush) and bulk statements on users and platform accounts (as they run) — and, just before the commit, the
tallies of exactly those organisations are counted again from the rows, in the same transaction. Counting again
rather than adding deltas keeps them right whatever the change was; on PostgreSQL an advisory lock per organisation
makes two transactions that touch one organisation count one after the other, so the later count sees the earlier
commit.
"""
from dataclasses import dataclass, field
from itertools import chain

from sqlalchemy import and_, case, delete, event, func, insert, inspect, select, text
from sqlalchemy.orm import Session

from ...models import AccountStatus, PlatformAccount, Role, StaffPlatformTally, StaffTally, User

STAFF_ROLES = (Role.TEACHER, Role.SCHOOL_ADMIN)
REGISTERED_STATUSES = (AccountStatus.REGISTERED, AccountStatus.ACTIVE)
USER_ATTRIBUTES = ("organization_id", "organization", "role", "consent_withdrawn_at", "email_confirmed_at",
                   "confirmed_at")
ACCOUNT_ATTRIBUTES = ("status", "confirmed_at", "user_id", "user", "platform_id", "platform")
# Past these, one set-based count of every organisation is cheaper than a list of them (seeding, imports).
MAX_ORGANIZATIONS = 2_000
MAX_USERS = 20_000
ADVISORY_LOCK_SPACE = 0x5441  # the first key of pg_advisory_xact_lock(int, int): «tallies»
PENDING_KEY = "staff_tallies_pending"


def staff_member():
    """Who counts as an organisation's staff: a person who withdrew consent leaves the counts at once, one whose
    e-mail address is unconfirmed has not joined them yet."""
    return and_(User.role.in_(STAFF_ROLES), User.organization_id.is_not(None), User.consent_withdrawn_at.is_(None),
                User.email_confirmed)


def _staff_counted(organization_ids: list[int] | None):
    statement = (select(User.organization_id, func.count(User.id), func.count(User.confirmed_at))
                 .where(staff_member()).group_by(User.organization_id))
    if organization_ids is not None:
        statement = statement.where(User.organization_id.in_(organization_ids))
    return statement


def _accounts_counted(organization_ids: list[int] | None):
    registered = PlatformAccount.status.in_(REGISTERED_STATUSES)
    active = PlatformAccount.status == AccountStatus.ACTIVE
    # Only a status the school confirmed, of a teacher the school confirmed, counts as confirmed.
    confirmed_account = and_(PlatformAccount.confirmed_at.is_not(None), User.confirmed_at.is_not(None))
    statement = (
        select(
            User.organization_id,
            PlatformAccount.platform_id,
            func.count(PlatformAccount.id),
            func.count(case((active, 1))),
            func.count(case((confirmed_account, 1))),
            func.count(case((and_(active, confirmed_account), 1))),
            func.count(User.confirmed_at),
        )
        .join(User, User.id == PlatformAccount.user_id)
        # Every figure counts registered or active accounts: the others need not be read.
        .where(staff_member(), registered)
        .group_by(User.organization_id, PlatformAccount.platform_id)
    )
    if organization_ids is not None:
        statement = statement.where(User.organization_id.in_(organization_ids))
    return statement


def count_again(session: Session, organization_ids: set[int] | None) -> None:
    """Replaces the tallies of these organisations (None: of every one) by a count of their rows."""
    ids = sorted(organization_ids) if organization_ids is not None else None
    if ids == []:
        return
    if ids is not None and session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:space, organization_id) "
                             "FROM unnest(CAST(:ids AS integer[])) AS organization_id ORDER BY organization_id"),
                        {"space": ADVISORY_LOCK_SPACE, "ids": ids})
    for model in (StaffTally, StaffPlatformTally):
        statement = delete(model)
        if ids is not None:
            statement = statement.where(model.organization_id.in_(ids))
        session.execute(statement)
    session.execute(insert(StaffTally).from_select(["organization_id", "teachers", "confirmed"], _staff_counted(ids)))
    session.execute(insert(StaffPlatformTally).from_select(
        ["organization_id", "platform_id", "registered", "active", "registered_confirmed", "active_confirmed",
         "registered_by_confirmed"],
        _accounts_counted(ids)))


@dataclass
class _Touched:
    organization_ids: set[int] = field(default_factory=set)
    users: set = field(default_factory=set)  # User objects (their id may come only with the flush) or user ids
    everything: bool = False

    def add_users(self, users) -> None:
        if not self.everything:
            self.users.update(users)
            self.everything = len(self.users) > MAX_USERS

    def add_organizations(self, organization_ids) -> None:
        if not self.everything:
            self.organization_ids.update(organization_id for organization_id in organization_ids if organization_id)
            self.everything = len(self.organization_ids) > MAX_ORGANIZATIONS


def _touched(session: Session) -> _Touched:
    return session.info.setdefault(PENDING_KEY, _Touched())


def _changed(instance, attributes) -> bool:
    state = inspect(instance)
    return any(state.attrs[name].history.has_changes() for name in attributes)


@event.listens_for(Session, "before_flush")
def _note_changes(session, flush_context, instances) -> None:
    deleted, new = session.deleted, session.new
    stored_users, stored_accounts = [], []  # ids whose stored organisation or owner is read before it changes
    for instance in chain(new, session.dirty, deleted):
        if isinstance(instance, User):
            if instance in deleted or instance in new or _changed(instance, USER_ATTRIBUTES):
                touched = _touched(session)
                if instance not in deleted:
                    touched.add_users([instance])
                if instance not in new:
                    stored_users.append(_id_of(instance))
        elif isinstance(instance, PlatformAccount):
            if instance in deleted or instance in new or _changed(instance, ACCOUNT_ATTRIBUTES):
                state = inspect(instance)
                owners = [instance.user_id, *(user for user in state.attrs.user.history.added if user)]
                _touched(session).add_users(owner for owner in owners if owner is not None)
                if instance not in new:
                    stored_accounts.append(_id_of(instance))
    # A changed attribute need not know its old value (it was expired or never loaded): the rows still hold it.
    with session.no_autoflush:
        if stored_users:
            _touched(session).add_organizations(session.scalars(
                select(User.organization_id).where(User.id.in_(stored_users))))
        if stored_accounts:
            _touched(session).add_users(session.scalars(
                select(PlatformAccount.user_id).where(PlatformAccount.id.in_(stored_accounts))))


@event.listens_for(Session, "do_orm_execute")
def _note_bulk_writes(orm_execute_state) -> None:
    if not (orm_execute_state.is_insert or orm_execute_state.is_update or orm_execute_state.is_delete):
        return
    statement = orm_execute_state.statement
    table = getattr(statement, "table", None)
    if table is None or table.name not in (User.__tablename__, PlatformAccount.__tablename__):
        return
    session = orm_execute_state.session
    touched = _touched(session)
    parameters = orm_execute_state.parameters
    rows = parameters if isinstance(parameters, list) else [parameters] if parameters else []
    is_users = table.name == User.__tablename__
    if orm_execute_state.is_insert:
        key = "organization_id" if is_users else "user_id"
        if not rows or any(key not in row for row in rows):
            touched.everything = True
        elif is_users:
            touched.add_organizations(row[key] for row in rows)
        else:
            touched.add_users(row[key] for row in rows)
        return
    # An update or a delete: who it reaches is read before it runs (an update may move people elsewhere, so
    # their present organisation is read again at the commit).
    where = statement.whereclause
    if where is None and rows and all("id" in row for row in rows):
        where = (User.id if is_users else PlatformAccount.id).in_([row["id"] for row in rows])
    if where is None:
        touched.everything = True
    elif is_users:
        reached = session.execute(select(User.id, User.organization_id).where(where)).all()
        touched.add_organizations(organization_id for _, organization_id in reached)
        touched.add_users(user_id for user_id, _ in reached)
    else:
        touched.add_users(session.scalars(select(PlatformAccount.user_id).where(where)))


def _id_of(instance) -> int | None:
    identity = inspect(instance).identity  # read without loading: the row may be gone
    return identity[0] if identity else None


def settle(session: Session) -> None:
    """Counts again what this transaction has touched so far: before the commit, and before anything reads the
    tallies inside the transaction that changed them."""
    session.flush()  # so that the last changes are noted and new people have ids
    touched = session.info.pop(PENDING_KEY, None)
    if touched is None:
        return
    user_ids = {user if isinstance(user, int) else _id_of(user) for user in touched.users} - {None}
    if user_ids and not touched.everything:
        touched.add_organizations(session.scalars(select(User.organization_id).where(User.id.in_(user_ids))))
    count_again(session, None if touched.everything else touched.organization_ids)


@event.listens_for(Session, "before_commit")
def _settle_before_commit(session) -> None:
    settle(session)


@event.listens_for(Session, "after_transaction_end")
def _forget_touched(session, transaction) -> None:
    if transaction.parent is None:  # the whole transaction ended, committed or rolled back
        session.info.pop(PENDING_KEY, None)


def drift(session: Session) -> dict[str, set[tuple]]:
    """The stored tallies that differ from a count of the rows now (both sides, per table); empty when all agree."""
    found = {}
    for model, counted, columns in (
        (StaffTally, _staff_counted(None), ("organization_id", "teachers", "confirmed")),
        (StaffPlatformTally, _accounts_counted(None),
         ("organization_id", "platform_id", "registered", "active", "registered_confirmed", "active_confirmed",
          "registered_by_confirmed")),
    ):
        stored = set(session.execute(select(*(getattr(model, column) for column in columns))).tuples())
        live = set(session.execute(counted).tuples())
        if stored != live:
            found[model.__tablename__] = stored ^ live
    return found
