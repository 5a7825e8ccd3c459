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

