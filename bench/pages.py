"""Bench: the main pages people wait for, each against its own template rendered with a context built in advance.

Seeds its own PostgreSQL database at the scale of a region (1,000 organisations, 35,000 teachers with platform
accounts, 1,000 diagnostics) with two schools of 3,000 teachers, then, signed in as the person who opens each page:

- the school admin's staff list `/school/staff` (and its search, filter and a far page);
- the teacher's cabinet overview `/cabinet/`;
- a step of a school's draft self-diagnostic `/diagnostics/<id>?section=…`;
- the methodologist's review page of a submitted diagnostic `/review/<id>`;
- the director's development-program constructor `/programs/<id>`.

For each page: the median of the real request, the median of its **template baseline** — the same template
rendered by `render_template` in a request context with the very context the view passed (captured from one real
request through Flask's `template_rendered` signal, so every query and every object is already done) — their ratio,
and the SQL statements of one request.

    .venv/bin/python bench/pages.py [--json FILE]
    .venv/bin/python bench/pages.py --smoke          # tiny data, seconds: what `make test` runs

Not part of the test suite. CPP_BENCH_POSTGRES_URL overrides the server (default: postgres@127.0.0.1:5432, trust auth).
"""
import random
import statistics
import sys
import tempfile
import time
from datetime import timedelta
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
    "smoke": {"organizations": 20, "teachers": 400, "big_school": 100, "unregistered": 20, "diagnostics": 10,
              "repeats": 3},
    "region": {"organizations": 1_000, "teachers": 35_000, "big_school": 3_000, "unregistered": 400,
               "diagnostics": 1_000, "repeats": 30},
}

LAST_NAMES = ("Иванова", "Петрова", "Смирнова", "Кузнецова", "Попова", "Васильева", "Семёнова", "Новикова",
              "Фёдорова", "Морозова", "Волкова", "Алексеева", "Лебедева", "Козлова", "Егорова", "Соколова")
FIRST_NAMES = ("Анна", "Мария", "Елена", "Ольга", "Татьяна", "Наталья", "Ирина", "Светлана", "Юлия", "Ксения")
MIDDLE_NAMES = ("Ивановна", "Петровна", "Сергеевна", "Александровна", "Викторовна", "Николаевна", None)
POSITIONS = ("учитель начальных классов", "учитель математики", "учитель русского языка", "учитель истории",
             "педагог-психолог", "учитель физической культуры", None)


def add_school(rng: random.Random, number: int, teachers: int, unregistered: int) -> int:
    """A school with `teachers` named teachers (platform accounts in mixed statuses) and its staff register."""
    from cpp_app.extensions import db
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

    school = Organization(full_name=f"Муниципальное бюджетное общеобразовательное учреждение «Большая школа № {number}»",
                          short_name=f"МБОУ БШ № {number}", kind=OrganizationKind.SCHOOL, is_active=True,
                          municipality_id=db.session.scalar(select(Municipality.id).order_by(Municipality.id)))
    db.session.add(school)
    db.session.flush()
    now = utcnow()
    password_hash = hash_password(f"school-{number}-{rng.random()}-not-a-login")
    db.session.execute(insert(User), [
        {"email": f"s{number}t{n:05d}@bench.example", "password_hash": password_hash,
         "last_name": rng.choice(LAST_NAMES), "first_name": rng.choice(FIRST_NAMES),
         "middle_name": rng.choice(MIDDLE_NAMES), "phone": f"+79{number}{n:08d}", "settlement": "Красноярск",
         "organization_id": school.id, "position": rng.choice(POSITIONS),
         "confirmed_at": now if rng.random() < 0.7 else None, "role": Role.TEACHER, "created_at": now}
        for n in range(teachers)
    ])
    staff = list(db.session.execute(select(User.id, User.last_name, User.first_name, User.email, User.confirmed_at)
                                    .where(User.organization_id == school.id)))
    platform_ids = list(db.session.scalars(select(Platform.id)))
    accounts = []
    for user_id, _, _, _, confirmed_at in staff:
        for platform_id in platform_ids:
            if rng.random() < 0.6:
                status = rng.choice((AccountStatus.NOT_REGISTERED, AccountStatus.REGISTERED, AccountStatus.ACTIVE))
                confirmed = confirmed_at is not None and status != AccountStatus.NOT_REGISTERED and rng.random() < 0.5
                accounts.append({"user_id": user_id, "platform_id": platform_id, "status": status,
                                 "confirmed_at": now if confirmed else None, "updated_at": now})
    db.session.execute(insert(PlatformAccount), accounts)
    register = [{"organization_id": school.id, "line": line, "full_name": f"{last} {first}", "email": email,
                 "user_id": user_id, "imported_at": now}
                for line, (user_id, last, first, email, _) in enumerate(staff, start=2)]
    register += [{"organization_id": school.id, "line": line, "full_name": f"Незарегистрированная{line} Анна",
                  "imported_at": now}
                 for line in range(len(register) + 2, len(register) + 2 + unregistered)]
    db.session.execute(insert(StaffRegisterEntry), register)
    return school.id


def seed(rng: random.Random, sizes: dict) -> dict:
    """The region, two big schools and the five people whose pages are measured; returns their e-mails and ids."""
    from cpp_app.blueprints.diagnostics.services import (
        AnswerInput,
        GeneralFacts,
        accept,
        rule_platforms,
        save_answers,
        set_counts,
        start,
        submit,
    )
    from cpp_app.blueprints.methodology.services_versions import active_school_version, methodology_of
    from cpp_app.blueprints.privacy.services import current_document, grant_consent
    from cpp_app.blueprints.programs.services import create_program
    from cpp_app.extensions import db
    from cpp_app.kernel.actor import Actor
    from cpp_app.kernel.clock import local_today
    from cpp_app.models import CourseRecord, CourseStatus, Organization, Role, User, utcnow
    from cpp_app.scale import seed_scale
    from cpp_app.security import hash_password
    from cpp_app.seeding import seed_reference_data

    seed_reference_data()
    db.session.commit()
    big = sizes["big_school"]
    counts = seed_scale(sizes["organizations"] - 2, sizes["teachers"] - 2 * big, sizes["diagnostics"])
    reviewed = add_school(rng, 1, big, sizes["unregistered"])
    drafting = add_school(rng, 2, big, sizes["unregistered"])
    db.session.commit()

    password_hash = hash_password(PASSWORD)
    document, system = current_document(), Actor(None, None, "bench")

    def person(key: str, role: Role, organization_id: int | None) -> User:
        user = User(email=f"{key}@bench.example", password_hash=password_hash, last_name="Замерова",
                    first_name="Галина", middle_name="Петровна", phone="+79120000000", settlement="Красноярск",
                    organization_id=organization_id, role=role, confirmed_at=utcnow(), position="учитель математики")
        db.session.add(user)
        db.session.flush()
        grant_consent(user, document, system)
        return user

    director = person("director", Role.SCHOOL_ADMIN, reviewed)
    admin = person("admin", Role.SCHOOL_ADMIN, drafting)
    teacher = person("teacher", Role.TEACHER, reviewed)
    methodologist = person("methodologist", Role.METHODOLOGIST, None)
    db.session.add_all([
        CourseRecord(user_id=teacher.id, status=CourseStatus.COMPLETED, external_title=f"Курс повышения квалификации {n}",
                     external_hours=36, completed_on=local_today() - timedelta(days=30 * n))
        for n in range(1, 6)
    ])
    methodology = methodology_of(active_school_version())
    today = local_today()

    def answered(organization_id: int, user: User, day, scores) -> object:
        actor = Actor(user.id, None, "bench")
        diagnostic = start(db.session.get(Organization, organization_id), actor, day)
        set_counts(diagnostic, GeneralFacts(big, 20 * big // 3))
        save_answers(diagnostic, {indicator.code: AnswerInput(scores(indicator), comment="Подтверждено приказом.",
                                                              evidence_url="https://school.example/doc")
                                  for indicator in methodology.indicators}, actor)
        return diagnostic

    # The director's school: last year's diagnostic accepted, its program being drafted; this year's submitted.
    reviewer = Actor(methodologist.id, None, "bench")
    last_year = answered(reviewed, director, today - timedelta(days=366), lambda indicator: indicator.scores[0])
    submit(last_year, Actor(director.id, None, "bench"), Role.SCHOOL_ADMIN.value)
    accept(last_year, reviewer, Role.METHODOLOGIST.value, None)
    program = create_program(db.session.get(Organization, reviewed), last_year, (today.year, today.year + 4),
                             Actor(director.id, None, "bench"), today)
    this_year = answered(reviewed, director, today, lambda indicator: rng.choice(indicator.scores))
    submit(this_year, Actor(director.id, None, "bench"), Role.SCHOOL_ADMIN.value)
    # The other school's admin fills this year's diagnostic in.
    draft = answered(drafting, admin, today, lambda indicator: rng.choice(indicator.scores))
    # The step with the most platform rules: the most figures and lists of teachers behind the gaps.
    section = max(methodology.sections, key=lambda step: len({code for indicator in step.indicators
                                                              for code in rule_platforms(indicator)})).code
    db.session.commit()
    db.session.execute(text("ANALYZE"))
    db.session.commit()
    return {"counts": counts, "emails": {key: user.email for key, user in (
        ("director", director), ("admin", admin), ("teacher", teacher), ("methodologist", methodologist))},
        "program": program.id, "actions": len(program.actions), "submitted": this_year.id, "draft": draft.id,
        "section": section}


# ------------------------------------------------------------------------------------------------------ measuring

# What Flask and Flask-Login put in every template's context for the request at hand: the baseline's own request
# context supplies them again (with the same user signed in).
REQUEST_BOUND = ("g", "request", "session", "current_user")


def captured_render(app, client, path: str) -> tuple[str, dict, object]:
    """One real request; the name and the whole context of the template its view rendered, and the signed-in user."""
    from flask import template_rendered

    seen = []

    def record(sender, template, context, **extra):
        context = dict(context)
        # Built in advance like the rest: the running campaign's notice, which the layout asks for lazily.
        context["campaign_notice"] = lambda notice=context["campaign_notice"](): notice
        seen.append((template.name, context, context["current_user"]))

    template_rendered.connect(record, app)
    try:
        fetch(client, path)
    finally:
        template_rendered.disconnect(record, app)
    return seen[0]


def template_baseline(app, path: str, name: str, context: dict, user):
    """The same template with the same context, rendered in a request context for the same address and user."""
    from flask import g, render_template

    kept = {key: value for key, value in context.items() if key not in REQUEST_BOUND}

    def render() -> str:
        with app.test_request_context(path):
            g._login_user = user
            if "review_notices" in kept:  # the banner's query runs once per request: done already
                g.review_notices = kept["review_notices"]
            return render_template(name, **kept)

    return render


def sql_ms(engine, action, repeats: int) -> float:
    """The median time one call of `action` spends in its SQL statements (sent, executed, first rows back)."""
    from sqlalchemy import event

    spent = []

    def started(conn, cursor, statement, parameters, context, executemany):
        conn.info["bench_started"] = time.perf_counter()

    def finished(conn, cursor, statement, parameters, context, executemany):
        spent[-1] += time.perf_counter() - conn.info.pop("bench_started")

    event.listen(engine, "before_cursor_execute", started)
    event.listen(engine, "after_cursor_execute", finished)
    try:
        for _ in range(repeats):
            spent.append(0.0)
            action()
    finally:
        event.remove(engine, "before_cursor_execute", started)
        event.remove(engine, "after_cursor_execute", finished)
    return statistics.median(spent) * 1000


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
        print(f"\n{scale}: seeded in {time.perf_counter() - started:.1f} s — "
              + ", ".join(f"{key} {value:,}" for key, value in seeded["counts"].items())
              + f"; two schools of {sizes['big_school']:,} teachers; a program of {seeded['actions']} actions.")
        clients = {}
        for key, email in seeded["emails"].items():
            clients[key] = app.test_client()
            sign_in(app, clients[key], email)
        pages = [
            ("/school/staff", "director", "/school/staff"),
            ("/school/staff?q=…", "director", "/school/staff?q=семенова"),
            ("/school/staff?platform=…", "director", "/school/staff?platform=sferum&platform_status=none"),
            ("/school/staff?page=30", "director", "/school/staff?page=30"),
            ("/cabinet/", "teacher", "/cabinet/"),
            ("/diagnostics/<id>?section=…", "admin", f"/diagnostics/{seeded['draft']}?section={seeded['section']}"),
            ("/review/<id>", "methodologist", f"/review/{seeded['submitted']}"),
            ("/programs/<id>", "director", f"/programs/{seeded['program']}"),
        ]
        bare = median_ms(lambda: fetch(clients["director"], "/bench-baseline"), repeats)
        print(f"Median of {repeats} requests and of {repeats} renders of the same template with the captured "
              f"context; queries per request (and per baseline render) and the time in them. The bare route, "
              f"signed in: {bare:.2f} ms.")
        results = []
        for page, who, path in pages:
            client = clients[who]
            for _ in range(3):  # warm-up: templates compiled, connections pooled
                fetch(client, path)
            name, context, user = captured_render(app, client, path)
            render = template_baseline(app, path, name, context, user)
            render()
            median = median_ms(lambda c=client, p=path: fetch(c, p), repeats)
            baseline = median_ms(render, repeats)
            queries = queries_of(engine, lambda c=client, p=path: fetch(c, p))
            render_queries = queries_of(engine, render)
            in_sql = sql_ms(engine, lambda c=client, p=path: fetch(c, p), repeats)
            results.append(result(page, scale, median, baseline, queries))
            # The second ratio counts the fixed cost of a signed-in request into the limit: no page is cheaper.
            print(f"  {page:<30} {median:8.2f} ms   template {name:<28} {baseline:7.2f} ms   "
                  f"× {median / baseline:4.2f}   ÷ (bare + template) {median / (bare + baseline):4.2f}   "
                  f"{queries} queries ({render_queries}) taking {in_sql:6.2f} ms")
        with app.app_context():
            db.engine.dispose()
    return results


def main() -> None:
    options = arguments(__doc__, SCALES)
    report(options, [figure for scale in chosen_scales(options, SCALES) for figure in run(scale)])


if __name__ == "__main__":
    main()
