"""Reference data from seeds/ and demo data for development; every step is idempotent."""
import random
from datetime import date
from pathlib import Path

import yaml
from sqlalchemy import func, select

from .blueprints.admin.measure_services import seed_measures
from .blueprints.methodology.services_versions import publish_methodology
from .blueprints.organizations.registry import OrganizationRecord, upsert_municipalities, upsert_organizations
from .blueprints.privacy.services import current_document, grant_consent, publish_document
from .config import BASE_DIR
from .demo_campaigns import seed_demo_campaign
from .demo_daily_work import seed_demo_daily_work
from .demo_diagnostics import seed_demo_diagnostics, seed_demo_staff
from .demo_monitoring import seed_demo_monitoring, seed_demo_region_teachers
from .demo_programs import seed_demo_programs
from .demo_readiness import seed_demo_readiness
from .demo_self_assessment import seed_demo_self_assessments
from .domain.inn import inn10_with_check_digit
from .domain.methodology import load_methodology_file
from .extensions import db
from .kernel.actor import Actor
from .kernel.clock import local_today
from .models import (
    AccountStatus,
    ConsentDocument,
    Course,
    CourseFormat,
    MethodologyVersion,
    MonitoringThreshold,
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

SEEDS_DIR = BASE_DIR / "seeds"
SYSTEM_ACTOR = Actor(user_id=None, ip=None, user_agent="flask seed")


def load_yaml(path: Path):
    with path.open(encoding="utf-8") as stream:
        return yaml.safe_load(stream)


def read_consent_file(path: Path) -> tuple[str, str]:
    """The first heading is the title; the whole file is the body whose hash is the evidence."""
    body = path.read_text(encoding="utf-8").strip() + "\n"
    title = next((line.lstrip("# ").strip() for line in body.splitlines() if line.startswith("#")), path.stem)
    return title, body


def consent_editions() -> list[Path]:
    """seeds/consent/v1.md, v2.md, … in edition order."""
    return sorted((SEEDS_DIR / "consent").glob("v*.md"), key=lambda path: int(path.stem[1:]))


def seed_consent_editions() -> int:
    """Publishes the seed's editions the database does not have yet, so a deployment that adds a purpose asks every
    user to consent again (the gate of a new edition) on its next `flask seed`."""
    latest = db.session.scalar(select(func.max(ConsentDocument.version))) or 0
    published = 0
    for path in consent_editions():
        if int(path.stem[1:]) > latest:
            publish_document(*read_consent_file(path))
            published += 1
    return published


def _upsert_by_key(model, key: str | tuple[str, ...], rows: list[dict], create_only: bool = False) -> int:
    names = (key,) if isinstance(key, str) else key
    existing = {tuple(getattr(obj, name) for name in names): obj for obj in db.session.scalars(select(model))}
    created = 0
    for row in rows:
        obj = existing.get(tuple(row[name] for name in names))
        if obj is None:
            db.session.add(model(**row))
            created += 1
        elif not create_only:
            for name, value in row.items():
                setattr(obj, name, value)
    db.session.flush()
    return created


def seed_reference_data() -> dict[str, int]:
    municipalities = upsert_municipalities(load_yaml(SEEDS_DIR / "municipalities.yaml"))
    records = [
        OrganizationRecord(**{**row, "kind": OrganizationKind(row["kind"])})
        for row in load_yaml(SEEDS_DIR / "organizations.yaml")
    ]
    organizations = upsert_organizations(records)
    platforms = _upsert_by_key(
        Platform, "code", [{**row, "sort_order": order} for order, row in enumerate(load_yaml(SEEDS_DIR / "platforms.yaml"))]
    )
    courses = _upsert_by_key(
        Course,
        "title",
        [{**row, "format": CourseFormat(row["format"])} for row in load_yaml(SEEDS_DIR / "courses.yaml")],
        create_only=True,  # methodologists edit the catalogue; a re-seed must not undo their changes
    )
    methodologies = 0
    for path in sorted((SEEDS_DIR / "methodology").glob("*.yaml")):
        before = db.session.scalar(select(func.count(MethodologyVersion.id)))
        publish_methodology(load_methodology_file(path), SYSTEM_ACTOR)
        methodologies += db.session.scalar(select(func.count(MethodologyVersion.id))) - before
    measures = seed_measures()  # after the courses and methodologies: it resolves course titles and levels
    thresholds = _upsert_by_key(
        # The seed's bands are the reference: a re-seed applies a corrected source or value.
        MonitoringThreshold, ("platform_code", "measure", "organization_kind"),
        load_yaml(SEEDS_DIR / "monitoring_thresholds.yaml"),
    )
    consent_created = seed_consent_editions()
    return {
        "municipalities": municipalities,
        "organizations": organizations.created,
        "platforms": platforms,
        "courses": courses,
        "methodologies": methodologies,
        "measures": measures,
        "monitoring_thresholds": thresholds,
        "consent_documents": consent_created,
    }


DEMO_SETTLEMENTS = (
    "Абан", "Балахта", "Берёзовка", "Богучаны", "Большой Улуй", "Емельяново", "Енисейск",
    "Курагино", "Шушенское", "Ужур", "Уяр", "Назарово", "Ачинск", "Канск", "Минусинск",
)


def _demo_records(count: int) -> list[OrganizationRecord]:
    rng = random.Random(2026)  # nosec B311 # the same demo registry on every machine, not secrets
    municipalities = list(db.session.scalars(select(Municipality).order_by(Municipality.name)))
    records = []
    for number in range(1, count + 1):
        municipality = rng.choice(municipalities)
        kind = rng.choices(
            [OrganizationKind.SCHOOL, OrganizationKind.PRESCHOOL, OrganizationKind.ADDITIONAL], weights=[7, 2, 1]
        )[0]
        if kind == OrganizationKind.SCHOOL:
            short = f"МБОУ СОШ № {number}"
            full = f"Муниципальное бюджетное общеобразовательное учреждение «Средняя общеобразовательная школа № {number}»"
        elif kind == OrganizationKind.PRESCHOOL:
            short = f"МБДОУ детский сад № {number}"
            full = f"Муниципальное бюджетное дошкольное образовательное учреждение «Детский сад № {number}»"
        else:
            short = f"МБУ ДО «ЦДТ № {number}»"
            full = f"Муниципальное бюджетное учреждение дополнительного образования «Центр детского творчества № {number}»"
        inn = inn10_with_check_digit(f"24{rng.randrange(10**6, 10**7)}")
        records.append(
            OrganizationRecord(
                full_name=full,
                short_name=short,
                kind=kind,
                municipality=municipality.name,
                inn=inn,
                address=f"Красноярский край, {rng.choice(DEMO_SETTLEMENTS)}, ул. Школьная, д. {rng.randrange(1, 60)}",
            )
        )
    return records


DEMO_USERS = (
    ("teacher@demo.example", Role.TEACHER, "Иванова", "Мария", "Петровна"),
    ("director@demo.example", Role.SCHOOL_ADMIN, "Смирнов", "Алексей", "Викторович"),
    ("methodologist@demo.example", Role.METHODOLOGIST, "Кузнецова", "Ольга", "Сергеевна"),
    ("admin@demo.example", Role.ADMIN, "Орлов", "Дмитрий", None),
)


DEMO_ACCOUNTS = {"sferum": AccountStatus.ACTIVE, "moya_shkola": AccountStatus.REGISTERED, "kiasuo": AccountStatus.ACTIVE}


def _demo_platform_accounts(user: User) -> None:
    platforms = {p.code: p for p in db.session.scalars(select(Platform).where(Platform.code.in_(DEMO_ACCOUNTS)))}
    for code, status in DEMO_ACCOUNTS.items():
        db.session.add(PlatformAccount(user_id=user.id, platform_id=platforms[code].id, status=status))


def seed_demo_data(password: str, organizations: int = 40, today: date | None = None) -> dict[str, int]:
    result = upsert_organizations(_demo_records(organizations))
    school = db.session.scalar(
        select(Organization).where(Organization.short_name == "МБОУ СОШ № 1").order_by(Organization.id).limit(1)
    ) or db.session.scalar(select(Organization).where(Organization.kind == OrganizationKind.SCHOOL).limit(1))
    document = current_document()
    users_created = 0
    for email, role, last_name, first_name, middle_name in DEMO_USERS:
        if db.session.scalar(select(User.id).where(User.email == email)) is not None:
            continue
        works_at_school = role in (Role.TEACHER, Role.SCHOOL_ADMIN)
        user = User(
            email=email,
            password_hash=hash_password(password),
            last_name=last_name,
            first_name=first_name,
            middle_name=middle_name,
            phone="+79120000000",
            settlement="Красноярск",
            organization=school if works_at_school else None,
            confirmed_at=utcnow() if works_at_school else None,
            role=role,
        )
        db.session.add(user)
        db.session.flush()
        grant_consent(user, document, SYSTEM_ACTOR)
        if role == Role.TEACHER:
            _demo_platform_accounts(user)
        users_created += 1
    # Staff and diagnostics in every status, so that each demo account has the workflow to look at.
    today = today or local_today()
    demo = {user.role: user for user in db.session.scalars(select(User).where(User.email.in_([u[0] for u in DEMO_USERS])))}
    staff = seed_demo_staff(school, demo.get(Role.SCHOOL_ADMIN), password, today)
    region = seed_demo_region_teachers(excluded_organization_id=school.id if school else None)
    daily_work = seed_demo_daily_work(school, demo.get(Role.SCHOOL_ADMIN), demo.get(Role.TEACHER),
                                      password, today)
    self_assessments = seed_demo_self_assessments(demo.get(Role.TEACHER), today)
    diagnostics = seed_demo_diagnostics(demo.get(Role.METHODOLOGIST), today, director=demo.get(Role.SCHOOL_ADMIN))
    return {"demo_organizations": result.created, "demo_users": users_created, **staff, **region, **daily_work,
            **diagnostics, **self_assessments,
            **seed_demo_programs(today, director=demo.get(Role.SCHOOL_ADMIN)),
            **seed_demo_campaign(today, demo.get(Role.METHODOLOGIST)),
            **seed_demo_readiness(today),
            **seed_demo_monitoring(today)}  # last: the synthetic history scales the figures seeded above
