"""Looking organisations up in the registry."""
from sqlalchemy import func, or_, select
from sqlalchemy.orm import joinedload

from ...extensions import db
from ...models import Organization


def normalized(text: str) -> str:
    return " ".join(text.lower().replace("ё", "е").split())


def _folded(column):
    return func.replace(func.lower(column), "ё", "е")


def search_organizations(query: str, limit: int = 20) -> list[Organization]:
    """Active organisations whose name contains the text or whose INN starts with it."""
    query = normalized(query)
    if len(query) < 2:
        return []
    pattern = "%" + query.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    conditions = [
        _folded(Organization.short_name).like(pattern, escape="\\"),
        _folded(Organization.full_name).like(pattern, escape="\\"),
    ]
    if query.isdigit():
        conditions.append(Organization.inn.startswith(query))
    return list(
        db.session.scalars(
            select(Organization)
            .options(joinedload(Organization.municipality))
            .where(Organization.is_active, or_(*conditions))
            .order_by(Organization.short_name, Organization.id)
            .limit(limit)
        )
    )


def resolve_workplace(text: str, organization_id: int | None) -> tuple[Organization | None, str | None]:
    """The registry organisation the typed workplace names, or the text itself to be matched later."""
    text = " ".join((text or "").split())
    if organization_id:
        organization = db.session.get(Organization, organization_id)
        if organization is not None and organization.is_active and organization.label == text:
            return organization, None
    if not text:
        return None, None
    wanted = normalized(text)
    candidates = [
        org
        for org in search_organizations(text, limit=50)
        if wanted in (normalized(org.label), normalized(org.short_name), normalized(org.full_name), org.inn)
    ]
    if len(candidates) == 1:
        return candidates[0], None
    return None, text
