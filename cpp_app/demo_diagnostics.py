"""Demo self-diagnostics in every status and demo staff for `flask seed --demo`, so that a newcomer signing in with
the demo accounts sees the whole workflow. Everything goes through the services (so cached totals, events and
the audit log are as in real use), is deterministic (random.Random(2026)) and idempotent: a second run creates
nothing.
"""
import random
from datetime import date, timedelta

from sqlalchemy import select

from .blueprints.cabinet.profile_services import set_account
from .blueprints.diagnostics.services import (
    AnswerInput,
    GeneralFacts,
    accept,
    return_for_rework,
    save_answers,
    set_counts,
    start,
    submit,
)
from .blueprints.methodology.services_versions import active_school_version, methodology_of
from .blueprints.organizations.registry import OrganizationRecord, upsert_organizations
from .blueprints.privacy.services import current_document, grant_consent
from .blueprints.school.services import confirm_account
from .domain.inn import inn10_with_check_digit
from .domain.methodology import Methodology
from .domain.scoring import score
from .domain.workflow import school_year
from .extensions import db
from .kernel.actor import Actor
from .models import (
    AccountStatus,
    Diagnostic,
    Organization,
    OrganizationKind,
    Platform,
    PlatformAccount,
    Role,
    User,
    utcnow,
)
from .security import hash_password

SEED = 2026
SCHOOL_ROLE = Role.SCHOOL_ADMIN.value
REVIEWER_ROLE = Role.METHODOLOGIST.value
# Demo schools have no admins of their own: their steps are the seed's, the review is the demo methodologist's.
SEED_ACTOR = Actor(user_id=None, ip=None, user_agent="flask seed --demo")

# Levels are thresholds by position (0 = the lowest), so that a methodology with other level codes works too.
BELOW, BASIC, MEDIUM, HIGH = 0, 1, 2, 3

# Demo schools across the region: (status, level aimed at). The director's own school gets an empty draft.
SPREAD_PLAN = (
    ("draft", None),
    ("submitted", HIGH),
    ("submitted", BASIC),
    ("submitted", BELOW),
    ("returned", MEDIUM),
    ("accepted", MEDIUM),
    ("accepted", HIGH),
    ("accepted", BASIC),
)
# Schools of the director's municipality: result pages compare with the municipality from 5 organisations on.
NEIGHBOUR_PLAN = (
    ("Гимназия № 1", "Гимназия № 1", "accepted", MEDIUM),
    ("Лицей № 2", "Лицей № 2", "accepted", BASIC),
    ("ООШ № 3", "Основная общеобразовательная школа № 3", "submitted", HIGH),
    ("ООШ № 4", "Основная общеобразовательная школа № 4", "accepted", BELOW),
    ("ООШ № 5", "Основная общеобразовательная школа № 5", "submitted", MEDIUM),
)

RETURN_NOTE = (
    "Проверьте, пожалуйста, оценки по отмеченным показателям и приложите подтверждающие документы. "
    "После исправления отправьте самодиагностику ещё раз."
)
RETURN_COMMENTS = (
    "Оценка выше, чем показывают профили педагогов: уточните численность педагогов или подтвердите статусы "
    "педагогов на платформе.",
    "Приложите ссылку на локальный акт или приказ, подтверждающий оценку.",
)
ACCEPT_NOTE = "Самодиагностика принята. Дефициты можно брать в программу развития."


def seed_demo_diagnostics(methodologist: User | None, today: date, director: User | None = None) -> dict[str, int]:
    """Diagnostics of this school year for ~8 demo schools in every status, 5 more in the director's municipality
    and an empty draft for the director's own school; schools that already have one this year are left alone."""
    version = active_school_version()
    if version is None:
        return {"demo_diagnostics": 0, "demo_neighbour_schools": 0}
    methodology = methodology_of(version)
    director = director or db.session.scalar(
        select(User).where(User.role == Role.SCHOOL_ADMIN, User.organization_id.is_not(None)).order_by(User.id)
    )
    home = director.organization if director is not None else None
    reviewer = Actor(methodologist.id if methodologist else None, None, SEED_ACTOR.user_agent)
    rng = random.Random(SEED)  # nosec B311 # deterministic demo data, not secrets

    spread = _demo_schools(exclude=home)
    chosen = rng.sample(spread, min(len(SPREAD_PLAN), len(spread)))
    plan = [(school, status, level) for school, (status, level) in zip(chosen, SPREAD_PLAN, strict=False)]
    neighbours_created = 0
    if home is not None:
        neighbours, neighbours_created = _neighbour_schools(home)
        plan += [(school, status, level) for school, (*_, status, level) in zip(neighbours, NEIGHBOUR_PLAN, strict=True)]
    # Seeds drawn up front: a school skipped on a re-run does not shift the answers of the others.
    seeds = [rng.randrange(2**32) for _ in plan]

    year = school_year(today)
    created = 0
    for (school, status, level), school_seed in zip(plan, seeds, strict=True):
        if _has_diagnostic(school, year):
            continue
        _demo_diagnostic(school, status, level, methodology, reviewer, today, random.Random(school_seed))  # nosec B311 # deterministic demo data, not secrets
        created += 1
    if home is not None and not _has_diagnostic(home, year):
        start(home, Actor(director.id, None, SEED_ACTOR.user_agent), today)  # for the demo director to fill
        created += 1
    db.session.flush()
    return {"demo_diagnostics": created, "demo_neighbour_schools": neighbours_created}


def _demo_schools(exclude: Organization | None) -> list[Organization]:
    """The demo registry's schools (seed_demo_data names them «МБОУ СОШ № N»), in a stable order."""
    schools = db.session.scalars(
        select(Organization).where(
            Organization.kind == OrganizationKind.SCHOOL,
            Organization.is_active,
            Organization.short_name.like("МБОУ СОШ № %"),
        )
    )
    found = [school for school in schools if exclude is None or school.id != exclude.id]
    return sorted(found, key=lambda school: (_number(school.short_name), school.inn or "", school.full_name))


def _number(short_name: str) -> int:
    tail = short_name.rsplit("№", 1)[-1].strip()
    return int(tail) if tail.isdigit() else 0


def _neighbour_schools(home: Organization) -> tuple[list[Organization], int]:
    municipality = home.municipality.name
    records = [
        OrganizationRecord(
            full_name=f"Муниципальное бюджетное общеобразовательное учреждение «{full}»",
            short_name=f"МБОУ {short}",
            kind=OrganizationKind.SCHOOL,
            municipality=municipality,
            inn=inn10_with_check_digit(f"2499000{number:02d}"),
            address=f"Красноярский край, {municipality}, ул. Центральная, д. {number * 7}",
        )
        for number, (short, full, _, _) in enumerate(NEIGHBOUR_PLAN, start=1)
    ]
    result = upsert_organizations(records)
    schools = [
        db.session.scalar(select(Organization).where(Organization.inn == r.inn, Organization.full_name == r.full_name))
        for r in records
    ]
    return schools, result.created


def _has_diagnostic(school: Organization, year: str) -> bool:
    return db.session.scalar(
        select(Diagnostic.id).where(Diagnostic.organization_id == school.id, Diagnostic.school_year == year).limit(1)
    ) is not None


def _sferum_students(school: Organization, students: int, today: date) -> tuple[int | None, date | None]:
    """Most demo schools state their students on Сферум, some leave it blank: a generator of its own, so the
    rest of the demo draws the same numbers as before."""
    rng = random.Random(f"sferum-students-{school.short_name}")  # nosec B311 # deterministic demo data, not secrets
    if rng.random() < 0.3:
        return None, None
    return round(students * rng.uniform(0.05, 0.45)), today - timedelta(days=rng.randrange(0, 45))


def _demo_diagnostic(
    school: Organization, status: str, level: int | None, methodology: Methodology, reviewer: Actor, today: date,
    rng: random.Random,
) -> Diagnostic:
    diagnostic = start(school, SEED_ACTOR, today)
    staff = rng.randrange(18, 75)
    students = staff * rng.randrange(9, 16)
    set_counts(diagnostic, GeneralFacts(staff, students, *_sferum_students(school, students, today)))
    if status == "draft":
        answers = _answers_for(methodology, MEDIUM, rng)
        codes = [indicator.code for indicator in methodology.indicators]
        answered = codes[: max(1, len(codes) // 2)]  # a draft left half-way
        save_answers(diagnostic, {code: AnswerInput(answers[code]) for code in answered}, SEED_ACTOR)
        return diagnostic
    answers = _answers_for(methodology, level, rng)
    save_answers(diagnostic, {code: AnswerInput(value) for code, value in answers.items()}, SEED_ACTOR)
    submit(diagnostic, SEED_ACTOR, SCHOOL_ROLE)
    if status == "returned":
        questioned = [code for code, value in answers.items() if value][: len(RETURN_COMMENTS)]
        return_for_rework(diagnostic, reviewer, REVIEWER_ROLE, RETURN_NOTE, dict(zip(questioned, RETURN_COMMENTS)))
    elif status == "accepted":
        accept(diagnostic, reviewer, REVIEWER_ROLE, ACCEPT_NOTE if rng.random() < 0.5 else None)
    return diagnostic


def _answers_for(methodology: Methodology, level: int, rng: random.Random) -> dict[str, int]:
    """Pseudo-random scores whose result is the threshold at position `level` (tried until one is; the level
    is decided by the domain's own scoring, critical cap included)."""
    thresholds = methodology.thresholds
    level = min(level, len(thresholds) - 1)
    low = thresholds[level].min_share
    high = thresholds[level + 1].min_share if level + 1 < len(thresholds) else 1.0
    answers: dict[str, int] = {}
    for _ in range(2000):
        bias = rng.uniform(low, high)
        answers = {
            indicator.code: min(
                indicator.scores, key=lambda s, i=indicator: abs(s - (bias * i.max_score + rng.uniform(-0.9, 0.9)))
            )
            for indicator in methodology.indicators
        }
        if score(methodology, answers).level.code == thresholds[level].code:
            break
    return answers


# ------------------------------------------------------------------------------------------------ demo staff

DEMO_TEACHERS = (
    ("Алексеева", "Наталья", "Викторовна", "учитель", "русский язык, литература", "высшая", 24),
    ("Белов", "Игорь", "Николаевич", "учитель", "математика", "первая", 17),
    ("Васильева", "Екатерина", "Андреевна", "учитель", "английский язык", "первая", 9),
    ("Григорьева", "Ольга", "Павловна", "учитель", "начальные классы", "высшая", 28),
    ("Дмитриев", "Сергей", "Александрович", "учитель", "физика, информатика", "соответствие занимаемой должности", 6),
    ("Егорова", "Анна", "Сергеевна", "учитель", "биология, химия", "первая", 13),
    ("Жукова", "Татьяна", "Ивановна", "учитель", "история, обществознание", "высшая", 31),
    ("Зайцев", "Михаил", "Олегович", "учитель", "физическая культура", "без категории", 2),
    ("Ильина", "Светлана", "Юрьевна", "учитель", "начальные классы", "первая", 15),
    ("Козлова", "Дарья", "Дмитриевна", "педагог-психолог", None, "соответствие занимаемой должности", 4),
    ("Лебедев", "Андрей", "Валерьевич", "учитель", "география", "первая", 11),
    ("Морозова", "Елена", "Геннадьевна", "педагог-библиотекарь", None, "высшая", 20),
)

# Status weights per platform (not registered, registered, active): a realistic mix, with gaps to show.
PLATFORM_MIX = {
    "sferum": (1, 3, 8),
    "vk_messenger": (4, 3, 3),
    "moya_shkola": (2, 6, 4),
    "cok_library": (5, 2, 5),
    "kiasuo": (0, 1, 9),
    "resh": (5, 3, 2),
    "gosuslugi": (3, 7, 0),
}
CONFIRMED_SHARE = 0.75  # of registered or active accounts, confirmed by the school


def seed_demo_staff(school: Organization, director: User | None, password: str, today: date) -> dict[str, int]:
    """12 confirmed teachers of the director's school (teacher1…teacher12@demo.example) with platform accounts in
    mixed statuses, most of them confirmed by the school; existing addresses are left alone."""
    rng = random.Random(SEED)  # nosec B311 # deterministic demo data, not secrets
    platforms = {p.code: p for p in db.session.scalars(select(Platform).order_by(Platform.sort_order, Platform.id))}
    statuses = (AccountStatus.NOT_REGISTERED, AccountStatus.REGISTERED, AccountStatus.ACTIVE)
    school_actor = Actor(director.id if director else None, None, SEED_ACTOR.user_agent)
    document = current_document()
    # Demo addresses read «Красноярский край, <settlement>, ул. …».
    parts = (school.address or "").split(", ")
    settlement = parts[1] if len(parts) > 2 else "Красноярск"
    password_hash = None  # hashed once, and only when someone is created: argon2 is slow on purpose
    created = 0
    for number, (last, first, middle, position, subjects, category, years) in enumerate(DEMO_TEACHERS, start=1):
        # Drawn for every teacher, created or not, so that each one's accounts never depend on the others.
        draws = {code: (rng.choices(statuses, weights=PLATFORM_MIX.get(code, (1, 1, 1)))[0], rng.random(),
                        rng.randrange(30, 900)) for code in platforms}
        email = f"teacher{number}@demo.example"
        if db.session.scalar(select(User.id).where(User.email == email)) is not None:
            continue
        password_hash = password_hash or hash_password(password)
        teacher = User(
            email=email, password_hash=password_hash, last_name=last, first_name=first, middle_name=middle,
            phone=f"+7912000{number:04d}", settlement=settlement, organization=school, position=position,
            subjects=subjects, qualification_category=category, experience_years=years, confirmed_at=utcnow(),
            role=Role.TEACHER,
        )
        db.session.add(teacher)
        db.session.flush()
        if document is not None:
            grant_consent(teacher, document, SEED_ACTOR)
        own = Actor(teacher.id, None, SEED_ACTOR.user_agent)
        for code, (status, chance, days) in draws.items():
            if status == AccountStatus.NOT_REGISTERED:
                continue
            set_account(teacher, platforms[code], status, today - timedelta(days=days), None, own, today=today)
            if chance < CONFIRMED_SHARE:
                account = db.session.scalar(select(PlatformAccount).where(
                    PlatformAccount.user_id == teacher.id, PlatformAccount.platform_id == platforms[code].id
                ))
                confirm_account(account, school_actor)
        created += 1
    db.session.flush()
    return {"demo_teachers": created}
