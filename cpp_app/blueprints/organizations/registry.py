"""Creating and updating registry entries from trusted, already validated records."""
from dataclasses import dataclass

from sqlalchemy import select

from ...extensions import db
from ...models import Municipality, Organization, OrganizationKind


@dataclass(frozen=True)
class OrganizationRecord:
    full_name: str
    short_name: str
    kind: OrganizationKind
    municipality: str
    inn: str | None = None
    ogrn: str | None = None
    oktmo: str | None = None
    head_inn: str | None = None
    address: str | None = None
    kpp: str | None = None


@dataclass(frozen=True)
class UpsertResult:
    created: int
    updated: int
    unchanged: int


def upsert_municipalities(entries: list[dict]) -> int:
    existing = {m.name: m for m in db.session.scalars(select(Municipality))}
    created = 0
    for entry in entries:
        municipality = existing.get(entry["name"])
        if municipality is None:
            db.session.add(Municipality(name=entry["name"], oktmo_prefix=entry.get("oktmo_prefix")))
            created += 1
        elif entry.get("oktmo_prefix"):
            municipality.oktmo_prefix = entry["oktmo_prefix"]
    db.session.flush()
    return created


def upsert_organizations(records: list[OrganizationRecord], by_legal_identity: bool = False) -> UpsertResult:
    """Matches by INN + full name; heads are resolved after every row is in, so order does not matter.

    `by_legal_identity` (the federal licence registry) matches a legal entity by its INN and a branch by INN + KPP
    first, so that a renamed organisation is updated, not created again; the name then is one of the values."""
    municipalities = {m.name: m for m in db.session.scalars(select(Municipality))}
    everyone = list(db.session.scalars(select(Organization)))
    existing = {(o.inn, o.full_name): o for o in everyone}
    legal = {}
    if by_legal_identity:
        legal = {(o.inn, None): o for o in everyone if o.inn and o.kind != OrganizationKind.BRANCH}
        legal |= {(o.inn, o.kpp): o for o in everyone if o.inn and o.kpp and o.kind == OrganizationKind.BRANCH}
    created = updated = unchanged = 0
    pending_heads: list[tuple[Organization, str | None, bool]] = []
    for record in records:
        values = {
            "short_name": record.short_name,
            "kind": record.kind,
            "ogrn": record.ogrn,
            "oktmo": record.oktmo,
            "address": record.address,
            "municipality": municipalities[record.municipality],
        }
        organization = None
        if by_legal_identity:
            values |= {"full_name": record.full_name, "kpp": record.kpp}
            if record.oktmo is None:
                del values["oktmo"]  # the licence registry has none: the one on file stays
            is_branch = record.kind == OrganizationKind.BRANCH
            if not is_branch or record.kpp:
                organization = legal.get((record.inn, record.kpp if is_branch else None))
        organization = organization or existing.get((record.inn, record.full_name))
        fields_changed = True
        if organization is None:
            organization = Organization(inn=record.inn, **({"full_name": record.full_name} | values))
            db.session.add(organization)
            existing[(record.inn, record.full_name)] = organization
            created += 1
        elif any(getattr(organization, key) != value for key, value in values.items()):
            for key, value in values.items():
                setattr(organization, key, value)
            updated += 1
        else:
            fields_changed = False
        pending_heads.append((organization, record.head_inn, fields_changed))
    db.session.flush()

    heads = {o.inn: o for o in existing.values() if o.inn and o.kind != OrganizationKind.BRANCH}
    for organization, head_inn, fields_changed in pending_heads:
        head = heads.get(head_inn) if head_inn else None
        head_changed = organization.head is not head
        if head_changed:
            organization.head = head
        if not fields_changed:
            updated += head_changed
            unchanged += not head_changed
    db.session.flush()
    return UpsertResult(created=created, updated=updated, unchanged=unchanged)
