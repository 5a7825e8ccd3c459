"""Organisations without activity, by one reason at a time, computed in SQL with NOT EXISTS: over the stored
per-organisation figures (figures.py) for teachers and accounts, over the diagnostics as they are now."""
from collections.abc import Iterator
from dataclasses import dataclass

from sqlalchemy import Select, exists, func, select

from ...extensions import db
from ...models import (
    Diagnostic,
    DiagnosticStatus,
    Municipality,
    Organization,
    OrganizationKind,
    OrganizationPlatformFigures,
    OrganizationStaffFigures,
    Platform,
)
from ...queries import Page

NO_CONFIRMED = "no_confirmed"
NO_ACTIVE = "no_active"
NO_DIAGNOSTIC = "no_diagnostic"
REASONS = (NO_CONFIRMED, NO_ACTIVE, NO_DIAGNOSTIC)
REASON_CHOICES = {
    NO_CONFIRMED: "Нет подтверждённых педагогов",
    NO_ACTIVE: "Нет педагогов, активно использующих платформу",
    NO_DIAGNOSTIC: "Нет поданной самодиагностики",
}
# A diagnostic counts once the school has sent it: on review or accepted.
SUBMITTED_STATUSES = (DiagnosticStatus.SUBMITTED, DiagnosticStatus.ACCEPTED)


@dataclass(frozen=True)
class InactiveFilters:
    reason: str
    school_year: str
    platform: Platform | None = None  # required for NO_ACTIVE
    municipality_id: int | None = None
    kind: OrganizationKind | None = None

    @property
    def reason_text(self) -> str:
        if self.reason == NO_ACTIVE:
            return f"Нет педагогов, активно использующих «{self.platform.name}»"
        if self.reason == NO_DIAGNOSTIC:
            return f"Нет поданной самодиагностики за {self.school_year} учебный год"
        return REASON_CHOICES[NO_CONFIRMED]


@dataclass(frozen=True)
class InactiveRow:
    organization: Organization
    municipality_name: str
    teachers: int
    confirmed: int


def _inactive_condition(filters: InactiveFilters):
    # The staff the dashboards count (the same stored figures), so a list and its dashboard figure agree.
    # Correlated on the organisation only: the rows' statement joins the staff figures too.
    if filters.reason == NO_CONFIRMED:
        return ~exists().where(OrganizationStaffFigures.organization_id == Organization.id,
                               OrganizationStaffFigures.confirmed > 0).correlate(Organization)
    if filters.reason == NO_ACTIVE:
        if filters.platform is None:
            raise ValueError("the no_active reason needs a platform")
        # The status as the teachers state it: the complement of the dashboards' «ОО с активными педагогами».
        return ~exists().where(OrganizationPlatformFigures.organization_id == Organization.id,
                               OrganizationPlatformFigures.platform_id == filters.platform.id,
                               OrganizationPlatformFigures.active > 0).correlate(Organization)
    if filters.reason == NO_DIAGNOSTIC:
        return ~exists().where(
            Diagnostic.organization_id == Organization.id,
            Diagnostic.school_year == filters.school_year,
            Diagnostic.status.in_(SUBMITTED_STATUSES),
        )
    raise ValueError(f"unknown reason {filters.reason!r}")


def _scope(filters: InactiveFilters) -> list:
    conditions = [Organization.is_active.is_(True)]
    if filters.municipality_id is not None:
        conditions.append(Organization.municipality_id == filters.municipality_id)
    if filters.kind is not None:
        conditions.append(Organization.kind == filters.kind)
    return conditions


def _rows_statement(filters: InactiveFilters) -> Select:
    return (
        select(Organization, Municipality.name, OrganizationStaffFigures.teachers, OrganizationStaffFigures.confirmed)
        .join(Municipality, Organization.municipality_id == Municipality.id)
        .outerjoin(OrganizationStaffFigures, OrganizationStaffFigures.organization_id == Organization.id)
        .where(*_scope(filters), _inactive_condition(filters))
        .order_by(Municipality.name, Organization.short_name, Organization.id)
    )


def _row(result) -> InactiveRow:
    organization, municipality_name, teachers, confirmed = result
    return InactiveRow(organization, municipality_name, teachers or 0, confirmed or 0)


def inactive_count(filters: InactiveFilters) -> int:
    return db.session.scalar(
        select(func.count(Organization.id)).where(*_scope(filters), _inactive_condition(filters))
    ) or 0


def organizations_count(filters: InactiveFilters) -> int:
    """All organisations the filters' municipality and kind cover, active or not: the «из N»."""
    return db.session.scalar(select(func.count(Organization.id)).where(*_scope(filters))) or 0


def inactive_page(filters: InactiveFilters, page: int, per_page: int = 50) -> Page[InactiveRow]:
    """One COUNT and one LIMIT/OFFSET query; a page past the end shows the last page."""
    total = inactive_count(filters)
    pages = max(1, -(-total // per_page))
    page = min(max(page, 1), pages)
    results = db.session.execute(_rows_statement(filters).limit(per_page).offset((page - 1) * per_page))
    return Page(items=[_row(r) for r in results], total=total, page=page, per_page=per_page)


def inactive_rows(filters: InactiveFilters) -> Iterator[InactiveRow]:
    """The whole filtered list, for the download: fetched in batches as the file is written, not all at once."""
    statement = _rows_statement(filters).execution_options(yield_per=500)
    return (_row(r) for r in db.session.execute(statement))


def platforms() -> list[Platform]:
    return list(db.session.scalars(select(Platform).order_by(Platform.sort_order, Platform.id)))


def municipalities() -> list:
    """(id, name) rows for a filter's choice: 1,600 of them at the country's scale, so not whole objects."""
    return db.session.execute(select(Municipality.id, Municipality.name).order_by(Municipality.name)).all()
