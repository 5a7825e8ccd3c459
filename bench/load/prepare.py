"""Accounts and data for the load test, in the database given by CPP_DATABASE_URL (already upgraded and seeded
with `flask seed`): teachers, school admins each with a draft self-diagnostic of their own school, directors
(school admins) each with an approved development program, methodologists — all with the bench password
(bench/load/mix.py) and the signed consent — and a JSON file of what the locustfile needs.

    CPP_DATABASE_URL=postgresql+psycopg://… .venv/bin/python bench/load/prepare.py \\
        --teachers 40 --school-admins 20 --directors 8 --methodologists 2 --out accounts.json

Built through the services (start, save_answers, submit, accept, create_program, approve_program), as in real use.
Passwords are hashed with the production argon2 parameters: what a sign-in costs is part of what is measured.
Run by bench/load/run.py; refuses a production configuration.
"""
import argparse
import json
import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from mix import PASSWORD  # noqa: E402
from sqlalchemy import select  # noqa: E402

SEED = 2026
TEACHERS_PER_SCHOOL = 25
ACTOR_AGENT = "bench/load/prepare.py"


def prepare(teachers: int, school_admins: int, directors: int, methodologists: int) -> dict:
    from cpp_app.blueprints.cabinet.profile_services import local_today
    from cpp_app.blueprints.diagnostics.services import (
        AnswerInput,
        GeneralFacts,
        accept,
        save_answers,
        set_counts,
        start,
        submit,
    )
    from cpp_app.blueprints.methodology.services_versions import active_school_version, methodology_of
    from cpp_app.blueprints.privacy.services import current_document, grant_consent
    from cpp_app.blueprints.programs.services import approve_program, create_program
    from cpp_app.extensions import db
    from cpp_app.kernel.actor import Actor
    from cpp_app.models import Municipality, Organization, OrganizationKind, Role, User, utcnow
    from cpp_app.security import hash_password

    rng = random.Random(SEED)
    today = local_today()
    document = current_document()
    methodology = methodology_of(active_school_version())
    municipalities = list(db.session.scalars(select(Municipality).order_by(Municipality.id)))
    password_hash = hash_password(PASSWORD)  # one hash for everyone: argon2 is slow on purpose
    system = Actor(None, None, ACTOR_AGENT)
    school_count = 0

    def school() -> Organization:
        nonlocal school_count
        school_count += 1
        organization = Organization(
            full_name=f"Муниципальное бюджетное общеобразовательное учреждение «Нагрузочная школа № {school_count}»",
            short_name=f"МБОУ НШ № {school_count}", kind=OrganizationKind.SCHOOL,
            municipality=municipalities[school_count % len(municipalities)],
        )
        db.session.add(organization)
        return organization

    def user(role: Role, email: str, last_name: str, organization: Organization | None) -> User:
        person = User(
            email=email, password_hash=password_hash, last_name=last_name, first_name="Нагрузка",
            middle_name="Тестовна", role=role, organization=organization, settlement="Красноярск",
            confirmed_at=utcnow() if organization is not None else None,
        )
        db.session.add(person)
        db.session.flush()
        grant_consent(person, document, system)
        return person

    teacher_schools = [school() for _ in range(max(1, -(-teachers // TEACHERS_PER_SCHOOL)))]
    teacher_rows = [
        {"email": user(Role.TEACHER, f"load-teacher-{n}@load.example", "Педагогова",
                       teacher_schools[n % len(teacher_schools)]).email}
        for n in range(1, teachers + 1)
    ]

    admin_rows = []
    for n in range(1, school_admins + 1):
        admin = user(Role.SCHOOL_ADMIN, f"load-admin-{n}@load.example", "Администраторова", school())
        diagnostic = start(admin.organization, Actor(admin.id, None, ACTOR_AGENT), today)
        db.session.flush()
        admin_rows.append({"email": admin.email, "user_id": admin.id, "diagnostic_id": diagnostic.id,
                           "sections": [section.code for section in methodology.sections]})

    methodologist_rows = [
        {"email": user(Role.METHODOLOGIST, f"load-methodologist-{n}@load.example", "Методистова", None).email}
        for n in range(1, methodologists + 1)
    ]
    reviewer = db.session.scalar(select(User).where(User.role == Role.METHODOLOGIST).order_by(User.id))
    review_actor = Actor(reviewer.id if reviewer else None, None, ACTOR_AGENT)

    director_rows = []
    for n in range(1, directors + 1):
        director = user(Role.SCHOOL_ADMIN, f"load-director-{n}@load.example", "Директорова", school())
        actor = Actor(director.id, None, ACTOR_AGENT)
        diagnostic = start(director.organization, actor, today)
        set_counts(diagnostic, GeneralFacts(40, 520))
        # Below the top level everywhere: the program gets deficits, measures and a road map to print.
        save_answers(diagnostic, {
            indicator.code: AnswerInput(rng.choice(indicator.scores[:-1] or indicator.scores))
            for indicator in methodology.indicators
        }, actor)
        submit(diagnostic, actor, Role.SCHOOL_ADMIN.value)
        accept(diagnostic, review_actor, Role.METHODOLOGIST.value, None)
        program = create_program(director.organization, diagnostic, (today.year, today.year + 4), actor, today)
        for action in program.actions:
            if not action.responsible_name.strip():  # approval wants a name or an explicit «не назначен»
                action.responsible_position = action.responsible_position.strip() or "заместитель директора"
                action.responsible_unassigned = True
        db.session.flush()
        approve_program(program, actor)
        director_rows.append({"email": director.email, "program_id": program.id})

    db.session.commit()
    organization_ids = list(db.session.scalars(select(Organization.id).order_by(Organization.id)))
    return {
        "password": PASSWORD,
        "teachers": teacher_rows,
        "school_admins": admin_rows,
        "directors": director_rows,
        "methodologists": methodologist_rows,
        # What the methodologist opens: a sample of the region's organisations and municipalities.
        "organization_ids": rng.sample(organization_ids, k=min(200, len(organization_ids))),
        "municipality_ids": [municipality.id for municipality in municipalities],
    }


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--teachers", type=int, required=True)
    parser.add_argument("--school-admins", type=int, required=True)
    parser.add_argument("--directors", type=int, required=True)
    parser.add_argument("--methodologists", type=int, default=2)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args(argv)

    from cpp_app import create_app

    app = create_app()
    if app.config["ENV_NAME"] == "production":
        print("prepare.py creates bench accounts with a known password: not in production", file=sys.stderr)
        return 2
    with app.app_context():
        data = prepare(args.teachers, args.school_admins, args.directors, args.methodologists)
    args.out.write_text(json.dumps(data, ensure_ascii=False, indent=1))
    print(f"prepared {len(data['teachers'])} teachers, {len(data['school_admins'])} school admins with a draft "
          f"diagnostic, {len(data['directors'])} directors with an approved program, "
          f"{len(data['methodologists'])} methodologists → {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
