"""Per-organisation figures the dashboards sum: rebuilt from teachers and accounts in two INSERT … SELECT statements.

At the scale of a country (a million teachers, millions of accounts) joining them on every page view costs
seconds; summing 40,000 pre-aggregated rows costs milliseconds. The figures are at most
MONITORING_MAX_AGE_SECONDS old, and `flask refresh-monitoring` rebuilds them at once (e.g. from a timer).
"""
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import and_, case, delete, func, insert, literal, select

from ...extensions import db
from ...models import (
    AccountStatus,
    OrganizationPlatformFigures,
    OrganizationStaffFigures,
    PlatformAccount,
    User,
    utcnow,
)
from ..school.services import REGISTERED_STATUSES, STAFF_ROLES


def refreshed_at() -> datetime | None:
    return db.session.scalar(select(func.max(OrganizationStaffFigures.refreshed_at)))


def refresh(now: datetime | None = None) -> datetime:
    """Rebuilds both tables in the caller's transaction."""
    now = now or utcnow()
    db.session.execute(delete(OrganizationPlatformFigures))
    db.session.execute(delete(OrganizationStaffFigures))
    staff = and_(User.role.in_(STAFF_ROLES), User.organization_id.is_not(None), User.consent_withdrawn_at.is_(None),
                 User.email_confirmed)
    db.session.execute(
        insert(OrganizationStaffFigures).from_select(
            ["organization_id", "teachers", "confirmed", "refreshed_at"],
            select(User.organization_id, func.count(User.id), func.count(User.confirmed_at), literal(now))
            .where(staff).group_by(User.organization_id),
        )
    )
    active = PlatformAccount.status == AccountStatus.ACTIVE
    active_confirmed = and_(active, PlatformAccount.confirmed_at.is_not(None), User.confirmed_at.is_not(None))
    db.session.execute(
        insert(OrganizationPlatformFigures).from_select(
            ["organization_id", "platform_id", "registered", "active", "active_confirmed"],
            select(
                User.organization_id, PlatformAccount.platform_id,
                func.count(case((PlatformAccount.status.in_(REGISTERED_STATUSES), 1))),
                func.count(case((active, 1))),
                func.count(case((active_confirmed, 1))),
            )
            .join(User, User.id == PlatformAccount.user_id)
            .where(staff).group_by(User.organization_id, PlatformAccount.platform_id),
        )
    )
    return now


def ensure_fresh() -> datetime:
    """The time the figures are as of, rebuilding them first when they are older than the configured age."""
    last = refreshed_at()
    max_age = timedelta(seconds=current_app.config["MONITORING_MAX_AGE_SECONDS"])
    if last is None or utcnow() - last >= max_age:
        return refresh()
    return last
