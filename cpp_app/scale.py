"""Synthetic data at the scale of a region or a country, for benchmarks: bulk inserts, never row by row."""
import random
from datetime import timedelta

from sqlalchemy import func, insert, select

from .blueprints.methodology.services_versions import active_school_version, methodology_of
from .domain.org_names import search_text
from .domain.workflow import school_year
from .extensions import db
from .formatting import local_date
from .models import (
    AccountStatus,
    Diagnostic,
    DiagnosticAnswer,
    DiagnosticStatus,
    Municipality,
    Organization,
    OrganizationKind,
    Platform,
    PlatformAccount,
    Role,
    User,
    utcnow,
)
from .security import hash_password

CHUNK = 20_000
ORGANIZATIONS_PER_MUNICIPALITY = 25
KINDS = [OrganizationKind.SCHOOL] * 6 + [OrganizationKind.BRANCH, OrganizationKind.PRESCHOOL,
                                         OrganizationKind.COLLEGE, OrganizationKind.ADDITIONAL]
STATUSES = [AccountStatus.NOT_REGISTERED, AccountStatus.REGISTERED, AccountStatus.REGISTERED, AccountStatus.ACTIVE,
            AccountStatus.ACTIVE]


def _insert(model, rows: list[dict]) -> None:
    for start in range(0, len(rows), CHUNK):
        db.session.execute(insert(model), rows[start:start + CHUNK])


def _new_ids(model, before: int) -> list[int]:
    return list(db.session.scalars(select(model.id).where(model.id > before).order_by(model.id)))


def seed_scale(organizations: int, teachers: int, diagnostics: int, seed: int = 2026) -> dict[str, int]:
    """Adds synthetic municipalities, organisations, teachers with platform accounts and diagnostics."""
    rng = random.Random(seed)  # nosec B311 # reproducible synthetic benchmark data, not secrets
    now = utcnow()
    year = school_year(now.date())
    stamp = local_date(now).replace(".", "")

    def max_id(model) -> int:
        return db.session.scalar(select(func.coalesce(func.max(model.id), 0)))

    municipality_count = max(1, organizations // ORGANIZATIONS_PER_MUNICIPALITY)
    first = max_id(Municipality)
    municipality_names = [f"Синтетический муниципалитет {stamp}-{first + n}" for n in range(municipality_count)]
    _insert(Municipality, [{"name": name} for name in municipality_names])
    municipalities = _new_ids(Municipality, first)

    first = max_id(Organization)
    # Bulk inserts skip the ORM events, so the search text is written here.
    _insert(Organization, [
        {"full_name": (full := f"Синтетическая образовательная организация № {first + n}"),
         "short_name": (short := f"СОО № {first + n}"), "kind": rng.choice(KINDS).value, "inn": None,
         "municipality_id": municipalities[n % len(municipalities)], "is_active": True,
         "search_name": search_text(short, full, municipality_names[n % len(municipality_names)])}
        for n in range(organizations)
    ])
    organization_ids = _new_ids(Organization, first)

    user_ids, accounts = add_teachers(organization_ids, teachers, rng, email_prefix="scale", last_names=("Синтетический",))
    version = active_school_version()
    methodology = methodology_of(version)
    first = max_id(Diagnostic)
    chosen = rng.sample(organization_ids, k=min(diagnostics, len(organization_ids)))
    statuses = [DiagnosticStatus.SUBMITTED, DiagnosticStatus.ACCEPTED, DiagnosticStatus.ACCEPTED, DiagnosticStatus.DRAFT]
    levels = [threshold.code for threshold in methodology.thresholds]
    _insert(Diagnostic, [
        {"organization_id": organization_id, "methodology_id": version.id, "school_year": year,
         "status": (status := rng.choice(statuses)).value, "created_at": now, "updated_at": now,
         "submitted_at": None if status == DiagnosticStatus.DRAFT else now - timedelta(days=rng.randrange(60)),
         "total_points": rng.randint(0, methodology.max_points), "max_points": methodology.max_points,
         "level_code": rng.choice(levels)}
        for organization_id in chosen
    ])
    diagnostic_ids = _new_ids(Diagnostic, first)
    _insert(DiagnosticAnswer, [
        {"diagnostic_id": diagnostic_id, "indicator_code": indicator.code, "revision": 1, "updated_at": now,
         "score": rng.choice(indicator.scores)}
        for diagnostic_id in diagnostic_ids
        for indicator in methodology.indicators
    ])
    return {"municipalities": len(municipalities), "organizations": len(organization_ids), "teachers": len(user_ids),
            "platform_accounts": accounts, "diagnostics": len(diagnostic_ids)}


def add_teachers(organization_ids: list[int], count: int, rng: random.Random, *, email_prefix: str,
                 last_names: tuple[str, ...], first_names: tuple[str, ...] = ("Педагог",)) -> tuple[list[int], int]:
    """Teachers spread over the organisations, each with 1–4 platform accounts in mixed statuses; bulk inserted.

    Returns the new users' ids and the number of accounts. Nobody can sign in as them (one unusable hash)."""
    now = utcnow()
    password_hash = hash_password(f"{email_prefix}-{rng.random()}-not-a-login")
    first = db.session.scalar(select(func.coalesce(func.max(User.id), 0)))
    _insert(User, [
        {"email": f"{email_prefix}{first + n}@{email_prefix}.example", "password_hash": password_hash,
         "last_name": rng.choice(last_names), "first_name": rng.choice(first_names), "role": Role.TEACHER.value,
         "created_at": now, "organization_id": organization_ids[rng.randrange(len(organization_ids))],
         "confirmed_at": now if rng.random() < 0.7 else None}
        for n in range(count)
    ])
    user_ids = _new_ids(User, first)
    platform_ids = list(db.session.scalars(select(Platform.id).order_by(Platform.sort_order)))
    accounts = []
    for user_id in user_ids:
        for platform_id in rng.sample(platform_ids, k=min(len(platform_ids), rng.randint(1, 4))):
            status = rng.choice(STATUSES)
            accounts.append({"user_id": user_id, "platform_id": platform_id, "status": status.value,
                             "confirmed_at": now if status != AccountStatus.NOT_REGISTERED and rng.random() < 0.6
                             else None, "updated_at": now})
    _insert(PlatformAccount, accounts)
    return user_ids, len(accounts)
