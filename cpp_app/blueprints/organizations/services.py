"""Looking organisations up in the registry."""
from sqlalchemy import or_, select
from sqlalchemy.orm import joinedload

from ...extensions import db
from ...models import Organization
from ...queries import contains_pattern, fold_words, folded


def search_organizations(query: str, limit: int = 20) -> list[Organization]:
    """Active organisations whose name contains the text or whose INN starts with it."""
    query = fold_words(query)
    if len(query) < 2:
        return []
    pattern = contains_pattern(query)
    conditions = [
        folded(Organization.short_name).like(pattern, escape="\\"),
        folded(Organization.full_name).like(pattern, escape="\\"),
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
    wanted = fold_words(text)
    # A label picked without JavaScript reads «Name (Municipality, ИНН …)»: search by its name part.
    candidates = [
        org
        for org in search_organizations(text.split(" (")[0], limit=50)
        if wanted in (fold_words(org.label), fold_words(org.short_name), fold_words(org.full_name), org.inn)
    ]
    if len(candidates) == 1:
        return candidates[0], None
    return None, text
