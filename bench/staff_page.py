"""Bench: the school admin's /school/staff on a region-sized PostgreSQL database.

Seeds its own database (900 organisations, 25,000 teachers with platform accounts, one school with 3,000 teachers),
then times the staff page against a bare route of the same app and counts the queries per request.

    .venv/bin/python bench/staff_page.py [--json FILE]
    .venv/bin/python bench/staff_page.py --smoke          # tiny data, seconds: what `make test` runs

Not part of the test suite. CPP_BENCH_POSTGRES_URL overrides the server (default: postgres@127.0.0.1:5432, trust auth).
"""
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from _support import (  # noqa: E402
    PASSWORD,
    arguments,
    bench_database,
    chosen_scales,
    fetch,
    make_app,
    median_ms,
    queries_of,
    report,
    result,
    sign_in,
)
from sqlalchemy import insert, select, text  # noqa: E402

SCALES = {
    "smoke": {"organizations": 20, "teachers": 300, "big_school": 100, "unregistered": 20, "repeats": 3},
    "region": {"organizations": 900, "teachers": 25_000, "big_school": 3_000, "unregistered": 400, "repeats": 30},
}
SMALL_SCHOOL_TEACHERS = 5

LAST_NAMES = ("Иванова", "Петрова", "Смирнова", "Кузнецова", "Попова", "Васильева", "Семёнова", "Новикова",
              "Фёдорова", "Морозова", "Волкова", "Алексеева", "Лебедева", "Козлова", "Егорова", "Соколова")
FIRST_NAMES = ("Анна", "Мария", "Елена", "Ольга", "Татьяна", "Наталья", "Ирина", "Светлана", "Юлия", "Ксения")
MIDDLE_NAMES = ("Ивановна", "Петровна", "Сергеевна", "Александровна", "Викторовна", "Николаевна", None)
POSITIONS = ("учитель начальных классов", "учитель математики", "учитель русского языка", "учитель истории",
             "педагог-психолог", "учитель физической культуры", None)


def seed(rng: random.Random, sizes: dict) -> dict[str, int]:
    from cpp_app.blueprints.privacy.services import current_document, grant_consent
    from cpp_app.domain.inn import inn10_with_check_digit
    from cpp_app.extensions import db
    from cpp_app.kernel.actor import Actor
    from cpp_app.models import (
        AccountStatus,
        Municipality,
        Organization,
        OrganizationKind,
        Platform,
        PlatformAccount,
        Role,
        StaffRegisterEntry,
        User,
        utcnow,
    )
    from cpp_app.security import hash_password
    from cpp_app.seeding import seed_reference_data

    seed_reference_data()
    db.session.commit()
    municipality_ids = list(db.session.scalars(select(Municipality.id)))
    db.session.execute(insert(Organization), [
        {
            "full_name": f"Муниципальное бюджетное общеобразовательное учреждение «Средняя школа № {n}»",
            "short_name": f"МБОУ СШ № {n}", "kind": OrganizationKind.SCHOOL,
            "inn": inn10_with_check_digit(f"24{n:07d}"), "municipality_id": rng.choice(municipality_ids),
            "is_active": True,
        }
        for n in range(1, sizes["organizations"] + 1)
    ])
    db.session.commit()
    org_ids = list(db.session.scalars(
        select(Organization.id).where(Organization.short_name.like("МБОУ СШ № %")).order_by(Organization.id)))
    big, small, others = org_ids[0], org_ids[1], org_ids[2:]

    password_hash = hash_password(PASSWORD)
    now = utcnow()

    def teacher(number: int, organization_id: int) -> dict:
        return {
            "email": f"t{number:05d}@bench.example", "password_hash": password_hash,
            "last_name": rng.choice(LAST_NAMES), "first_name": rng.choice(FIRST_NAMES),
            "middle_name": rng.choice(MIDDLE_NAMES), "phone": f"+7913{number:07d}", "settlement": "Красноярск",
            "organization_id": organization_id, "workplace_text": None, "position": rng.choice(POSITIONS),
            "confirmed_at": now if rng.random() < 0.7 else None, "role": Role.TEACHER, "created_at": now,
        }

    rows = [teacher(n, big) for n in range(sizes["big_school"])]
    rows += [teacher(n, small) for n in range(len(rows), len(rows) + SMALL_SCHOOL_TEACHERS)]
    rows += [teacher(n, rng.choice(others)) for n in range(len(rows), sizes["teachers"])]
    db.session.execute(insert(User), rows)
    db.session.commit()

    platform_ids = list(db.session.scalars(select(Platform.id)))
    accounts = []
    for user_id, confirmed_at in db.session.execute(select(User.id, User.confirmed_at)):
        for platform_id in platform_ids:
            if rng.random() < 0.6:
                status = rng.choice((AccountStatus.NOT_REGISTERED, AccountStatus.REGISTERED, AccountStatus.ACTIVE))
                confirmed = confirmed_at is not None and status != AccountStatus.NOT_REGISTERED and rng.random() < 0.5
                accounts.append({
                    "user_id": user_id, "platform_id": platform_id, "status": status, "since": None,
                    "profile_url": None, "confirmed_at": now if confirmed else None, "confirmed_by_id": None,
                    "updated_at": now,
                })
    db.session.execute(insert(PlatformAccount), accounts)

    big_staff = list(db.session.execute(select(User.id, User.last_name, User.first_name, User.email)
                                        .where(User.organization_id == big)))
    register = [
        {"organization_id": big, "line": line, "full_name": f"{last} {first}", "email": email, "phone": None,
         "position": None, "user_id": user_id, "imported_at": now}
        for line, (user_id, last, first, email) in enumerate(big_staff, start=2)
    ]
    register += [
        {"organization_id": big, "line": line, "full_name": f"Незарегистрированная{line} Анна", "email": None,
         "phone": None, "position": None, "user_id": None, "imported_at": now}
        for line in range(len(register) + 2, len(register) + 2 + sizes["unregistered"])
    ]
    # The small school has a register too, so both pages run the same statements.
    register.append({"organization_id": small, "line": 2, "full_name": "Незарегистрированная Вера", "email": None,
                     "phone": None, "position": None, "user_id": None, "imported_at": now})
    db.session.execute(insert(StaffRegisterEntry), register)

    admins = {}
    for key, organization_id in (("big", big), ("small", small)):
        admin = User(email=f"director-{key}@bench.example", password_hash=password_hash, last_name="Директорова",
                     first_name="Галина", phone="+79120000000", organization_id=organization_id,
                     role=Role.SCHOOL_ADMIN, confirmed_at=now)
        db.session.add(admin)
        db.session.flush()
        grant_consent(admin, current_document(), Actor(None, None, "bench"))
        admins[key] = admin.email
    db.session.commit()
    db.session.execute(text("ANALYZE"))
    db.session.commit()
    return {"users": len(rows) + 2, "platform_accounts": len(accounts), "register_entries": len(register),
            "admins": admins}


def run(scale: str) -> list[dict]:
    from flask_migrate import upgrade

    sizes, repeats = SCALES[scale], SCALES[scale]["repeats"]
    started = time.perf_counter()
    with bench_database() as url, tempfile.TemporaryDirectory() as instance:
        app = make_app(url, Path(instance))
        with app.app_context():
            from cpp_app.extensions import db

            upgrade()
            seeded = seed(random.Random(2026), sizes)
            engine = db.engine
        print(f"\n{scale}: seeded in {time.perf_counter() - started:.1f} s: {seeded['users']} users, "
              f"{seeded['platform_accounts']} platform accounts, {sizes['organizations']} bench organisations, "
              f"{seeded['register_entries']} register rows (school: {sizes['big_school']} teachers, "
              f"{sizes['unregistered']} not registered).")
        big, small = app.test_client(), app.test_client()
        sign_in(app, big, seeded["admins"]["big"])
        sign_in(app, small, seeded["admins"]["small"])
        urls = ["/bench-baseline", "/school/staff", "/school/staff?page=30", "/school/staff?q=семенова",
                "/school/staff?platform=sferum&platform_status=none"]
        for url in urls * 3:  # warm-up: templates compiled, connections pooled
            fetch(big, url)
        timings = {url: median_ms(lambda u=url: fetch(big, u), repeats) for url in urls}
        baseline = timings["/bench-baseline"]
        print(f"Median of {repeats} requests, signed in as the school admin of the {sizes['big_school']}-teacher "
              "school; queries per request:")
        results = []
        for url in urls[1:]:
            queries = queries_of(engine, lambda u=url: fetch(big, u))
            results.append(result(url, scale, timings[url], baseline, queries))
            print(f"  {url:<55} {timings[url]:8.2f} ms   × {timings[url] / baseline:5.1f} of the bare route, "
                  f"{queries} queries")
        small_queries = queries_of(engine, lambda: fetch(small, "/school/staff"))
        print(f"  /school/staff of a {SMALL_SCHOOL_TEACHERS}-teacher school: {small_queries} queries "
              "(the same for any number of teachers)")
        with app.app_context():
            db.engine.dispose()
    return results


def main() -> None:
    options = arguments(__doc__, SCALES)
    report(options, [figure for scale in chosen_scales(options, SCALES) for figure in run(scale)])


if __name__ == "__main__":
    main()
