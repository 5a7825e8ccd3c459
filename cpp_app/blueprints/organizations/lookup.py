"""The workplace a person names: tolerant search of the registry and the rule for taking one organisation."""
from dataclasses import dataclass, field

from sqlalchemy import and_, case, func, literal, or_, select
from sqlalchemy.orm import joinedload

from ...domain.org_names import Query, name_hits, parse_query, settlement_patterns, weak_hits
from ...extensions import db
from ...models import Organization
from ...queries import folded

SHOWN = 10  # suggestions and choices offered at once
FETCHED = 50  # rows ranked in Python; the SQL order already puts the best first
NONE_OF_THESE = "none"

SEVERAL_MESSAGE = ("Под это название подходят несколько организаций. Выберите свою в списке ниже "
                   "или отметьте «Моей организации нет в списке».")
NOTHING_MESSAGE = ("В реестре нет организации с таким названием. Проверьте написание (например, «Элитовская СОШ», "
                   "«СОШ № 1 Ачинск» или ИНН) или отметьте ниже «Моей организации нет в списке».")


@dataclass(frozen=True)
class Found:
    organization: Organization
    complete: bool  # has every word typed, the weak ones («школа», «гимназия») too


def _weak_score(query: Query):
    hits = [case((Organization.search_name.like(pattern), 1), else_=0) for pattern in query.ranking()]
    return sum(hits, literal(0))


def _in_settlement(patterns: list[str]):
    address = literal(" ") + folded(func.coalesce(Organization.address, ""))
    return and_(*(or_(Organization.search_name.like(p), address.like(p)) for p in patterns))


def find_organizations(text: str, settlement: str | None = None, limit: int = SHOWN) -> list[Found]:
    """Active organisations with every distinctive word and number of the text, best first.

    A municipality's name among the words narrows the list (it is part of the search text); so does the
    settlement, when some of the found organisations lie in it.
    """
    query = parse_query(text)
    if query.is_empty:
        return []
    places = settlement_patterns(settlement)
    in_place = case((_in_settlement(places), 1), else_=0) if places else literal(0)
    rows = db.session.execute(
        select(Organization, in_place.label("in_place"))
        .options(joinedload(Organization.municipality))
        .where(Organization.is_active, *(Organization.search_name.like(p) for p in query.required()))
        .order_by(in_place.desc(), _weak_score(query).desc(), func.length(Organization.short_name),
                  Organization.short_name, Organization.id)
        .limit(FETCHED)
    ).all()
    if any(row.in_place for row in rows):
        rows = [row for row in rows if row.in_place]
    found = [Found(row.Organization, weak_hits(query, row.Organization.search_name) == len(query.weak))
             for row in rows]
    # Every typed word first; then a word in the organisation's own name above one only in its municipality's.
    # Stable: the SQL order stays within each group.
    found.sort(key=lambda f: (not f.complete, -name_hits(query, f.organization.short_name)))
    return found[:limit]


@dataclass(frozen=True)
class Workplace:
    """The outcome: an organisation, text kept for a methodologist, nothing, or a question to the person."""

    organization: Organization | None = None
    unmatched: str | None = None
    question: str | None = None  # why the person has to choose
    choices: list[Organization] = field(default_factory=list)

    @property
    def settled(self) -> bool:
        return self.question is None


def _active(organization_id: int | None) -> Organization | None:
    organization = db.session.get(Organization, organization_id) if organization_id else None
    return organization if organization is not None and organization.is_active else None


def resolve_workplace(text: str, settlement: str | None = None, organization_id: int | None = None,
                      choice: str | None = None, asked: str | None = None) -> Workplace:
    """What the workplace field names. The id a suggestion set counts while the text still reads its label; a
    choice counts when it answers the question asked about this very text. Free text is kept only when the
    person said their organisation is not in the list shown for it."""
    text = " ".join((text or "").split())
    if not text:
        return Workplace()
    picked = _active(organization_id)
    if picked is not None and picked.label == text:
        return Workplace(organization=picked)
    found = find_organizations(text, settlement)
    choices = [f.organization for f in found]
    # An answer keeps its list on the page, should another field send the form back.
    if asked is not None and " ".join(asked.split()) == text:
        if choice == NONE_OF_THESE:
            return Workplace(unmatched=text, choices=choices)
        chosen = next((o for o in choices if choice and str(o.id) == choice), None)
        if chosen is not None:
            return Workplace(organization=chosen, choices=choices)
    complete = [f for f in found if f.complete]
    if len(found) == 1 or len(complete) == 1:
        return Workplace(organization=(complete or found)[0].organization)
    return Workplace(question=SEVERAL_MESSAGE if choices else NOTHING_MESSAGE, choices=choices)
