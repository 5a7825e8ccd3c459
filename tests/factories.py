"""Shared test helpers: reading responses and PDFs, signing in, and factories for the objects most tests need.

Factories take the session of the `database` fixture as their first argument. Users made here have consented to
the current document and, as the model's default, a confirmed e-mail address. Organisations, diagnostics and
programs are committed (a request made afterwards by the test client sees them) unless a factory says otherwise.
"""
import contextlib
import html
import io
import itertools
import re
from datetime import date, datetime

from pypdf import PdfReader
from sqlalchemy import event, func, select

from cpp_app.blueprints.diagnostics.services import AnswerInput, save_answers, start, submit
from cpp_app.blueprints.methodology.services_versions import active_school_version
from cpp_app.domain.workflow import school_year
from cpp_app.kernel.actor import Actor
from cpp_app.models import (
    ActionStatus,
    AuditEvent,
    CourseRecord,
    CourseStatus,
    DevelopmentProgram,
    Diagnostic,
    DiagnosticAnswer,
    DiagnosticStatus,
    Municipality,
    Organization,
    OrganizationKind,
    Platform,
    ProgramAction,
    Role,
    User,
    utcnow,
)
from cpp_app.security import hash_password
from tests.conftest import TEST_PASSWORD, complete_second_factor, extract_csrf

# ------------------------------------------------------------------------------------------------ reading


def text(response) -> str:
    return response.get_data(as_text=True)


def unescaped(response) -> str:
    """The page's text with HTML entities decoded (quotes and «&amp;» as the user reads them)."""
    return html.unescape(response.get_data(as_text=True))


def row_ids(response, kind: str) -> list[int]:
    """The ids of the table rows marked `<tr data-{kind}-id="…">`, in page order."""
    return [int(value) for value in re.findall(rf'<tr data-{kind}-id="(\d+)"', response.get_data(as_text=True))]


def pdf_page_texts(data: bytes) -> list[str]:
    """The text of each page of a PDF, as a reader extracts it."""
    return [page.extract_text() for page in PdfReader(io.BytesIO(data)).pages]


def fresh(database, model=None, key=None):
    """What the database holds now, whatever the shared session has pending or cached. With a model and a key, or
    with a row, that row read again."""
    database.session.rollback()
    database.session.expire_all()
    if model is None:
        return None
    if key is None:
        model, key = type(model), model.id
    return database.session.get(model, key)


def row_count(database, model) -> int:
    """How many rows of `model` the database holds now."""
    return row_counts(database, [model])[0]


def row_counts(database, models) -> list[int]:
    """How many rows of each model the database holds now."""
    fresh(database)
    return [database.session.scalar(select(func.count()).select_from(model)) for model in models]


def audit_events(database, action: str) -> list[AuditEvent]:
    fresh(database)
    return list(database.session.scalars(select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)))


# ------------------------------------------------------------------------------------------------ signing in


def sign_in(client, user, password=TEST_PASSWORD, remember=False):
    """Signs `user` in on `client` (through the mailed code for staff) and returns the client."""
    data = {"email": user.email, "password": password, "csrf_token": extract_csrf(client.get("/login"))}
    if remember:
        data["remember"] = "y"
    response = complete_second_factor(client, user.email, client.post("/login", data=data))
    assert response.status_code == 302 and not response.headers["Location"].startswith("/login"), \
        response.get_data(as_text=True)
    return client


def signed_in(app, user, password=TEST_PASSWORD, remember=False, **environ):
    """A client of its own signed in as `user` (for tests with several people at once); `environ` sets e.g.
    REMOTE_ADDR or HTTP_USER_AGENT."""
    client = app.test_client()
    client.environ_base.update(environ)
    return sign_in(client, user, password, remember)


@contextlib.contextmanager
def statements_run(engine):
    """The SQL statements the block runs, in order: for tests that a page's query count does not grow."""
    statements: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", record)


def is_signed_in(client) -> bool:
    return client.get("/cabinet/").status_code == 200


# ------------------------------------------------------------------------------------------------ users

_FIRST_ORGANIZATION = object()


class Users:
    """Makes users numbered from 1 within a test (the `make_user` fixture is one): consent given to the current
    document, e-mail confirmed. Teachers and school admins work at the first registry organisation unless
    `organization` says otherwise; staff of the institute at none."""

    def __init__(self, database):
        self.database = database
        self.numbers = itertools.count(1)

    def __call__(self, role=Role.TEACHER, email=None, password=TEST_PASSWORD, organization=_FIRST_ORGANIZATION,
                 consent=True, **fields) -> User:
        from cpp_app.blueprints.privacy.services import current_document, grant_consent

        session = self.database.session
        number = next(self.numbers)
        if organization is _FIRST_ORGANIZATION:
            organization = registry_organization(self.database) if role in (Role.TEACHER, Role.SCHOOL_ADMIN) else None
        user = User(
            email=email or f"user{number}@school.example",
            password_hash=hash_password(password),
            last_name=fields.pop("last_name", "Петрова"),
            first_name=fields.pop("first_name", f"Анна{number}"),
            middle_name=fields.pop("middle_name", "Ивановна"),
            phone=fields.pop("phone", "+79123456789"),
            settlement=fields.pop("settlement", "Красноярск"),
            organization=organization,
            role=role,
            **fields,
        )
        session.add(user)
        session.flush()
        if consent:
            grant_consent(user, current_document(), Actor(None, None, None))
        session.commit()
        return user


def actor_of(user) -> Actor:
    return Actor(user.id if user is not None else None, "127.0.0.1", "pytest")


# ------------------------------------------------------------------------------------------------ organisations


def registry_organization(database, offset: int = 0) -> Organization:
    """An organisation of the seeded registry: the first by id, or the one `offset` places after it."""
    return database.session.scalars(select(Organization).order_by(Organization.id).offset(offset)).first()


def platforms_in_order(database) -> list[Platform]:
    """The seeded platforms in the order the pages list them."""
    return list(database.session.scalars(select(Platform).order_by(Platform.sort_order, Platform.id)))


def platforms_by_code(database) -> dict[str, Platform]:
    return {platform.code: platform for platform in database.session.scalars(select(Platform))}


def municipality(database, name: str) -> Municipality:
    found = database.session.scalar(select(Municipality).where(Municipality.name == name))
    if found is None:
        found = Municipality(name=name)
        database.session.add(found)
        database.session.flush()
    return found


def organization(database, where: Municipality, short_name: str) -> Organization:
    """A school of `where` with a full name made of the short one."""
    made = Organization(full_name=f"Муниципальное бюджетное общеобразовательное учреждение «{short_name}»",
                        short_name=short_name, kind=OrganizationKind.SCHOOL, municipality=where)
    database.session.add(made)
    database.session.commit()
    return made


def school_with_address(database, short_name="МБОУ СШ № 7", full_name=None, municipality="г. Красноярск"
                        ) -> Organization:
    """A school with an ИНН and a postal address, as a program's title page shows it (flushed, not committed)."""
    place = database.session.scalar(select(Municipality).where(Municipality.name == municipality))
    if place is None:
        place = Municipality(name=municipality)
        database.session.add(place)
    school = Organization(
        full_name=full_name or f"Муниципальное бюджетное общеобразовательное учреждение «Средняя школа № 7» ({short_name})",
        short_name=short_name, kind=OrganizationKind.SCHOOL, municipality=place, inn="2463012345",
        address="660000, г. Красноярск, ул. Ленина, д. 1",
    )
    database.session.add(school)
    database.session.flush()
    return school


# ------------------------------------------------------------------------------------------------ diagnostics

TODAY = date.today()
YEAR = school_year(TODAY)

# 9 of 14 («базовый»); the ЭИОС check fails on the portfolio only.
SCORES = {
    "cos.mobile_phones": 1,
    "cos.high_speed_internet": 1,
    "cos.safe_internet": 1,
    "cos.moya_shkola": 2,
    "cos.sferum": 2,
    "cos.it_equipment": 1,
    "cos.management_system": 1,
    "eios.internet": 1,
    "eios.local_act": 1,
    "eios.ebs": 1,
    "eios.e_journal": 1,
    "eios.e_portfolio": 0,
    "eios.curricula": 1,
}


def diagnostic_through_services(database, school, author, scores=None, evidence=None, comments=None,
                                submitted=True) -> Diagnostic:
    """Started, answered and (by default) submitted as the school admin would."""
    scores = SCORES if scores is None else scores
    evidence, comments = evidence or {}, comments or {}
    actor = actor_of(author)
    diagnostic = start(school, actor, TODAY)
    save_answers(diagnostic, {code: AnswerInput(value, comments.get(code, ""), evidence.get(code, ""))
                              for code, value in scores.items()}, actor)
    if submitted:
        submit(diagnostic, actor, "school_admin")
    database.session.commit()
    return diagnostic


def diagnostic_row(database, school, total: int | None, status=DiagnosticStatus.SUBMITTED, year: str = YEAR,
                   submitted_at: datetime | None = None) -> Diagnostic:
    """A diagnostic with only its cached totals, as monitoring and the queue read them."""
    version = active_school_version()
    diagnostic = Diagnostic(
        organization=school, methodology=version, school_year=year, status=status, total_points=total,
        max_points=14 if total is not None else None, level_code="basic" if total is not None else None,
        submitted_at=submitted_at if submitted_at is not None else (utcnow() if status != DiagnosticStatus.DRAFT else None),
    )
    database.session.add(diagnostic)
    database.session.commit()
    return diagnostic


# ------------------------------------------------------------------------------------------------ programs

# 7 of 14 on ЦОС with the critical «безопасный интернет» at 0: «ниже базового»; the ЭИОС check misses the portfolio.
PROGRAM_SCORES = {
    "cos.mobile_phones": 1,
    "cos.high_speed_internet": 1,
    "cos.safe_internet": 0,
    "cos.moya_shkola": 1,
    "cos.sferum": 2,
    "cos.it_equipment": 1,
    "cos.management_system": 1,
    "eios.internet": 1,
    "eios.local_act": 1,
    "eios.ebs": 1,
    "eios.e_journal": 1,
    "eios.e_portfolio": 0,
    "eios.curricula": 1,
}

# (indicator, from, to, text, due date, status)
PROGRAM_ACTIONS = (
    ("cos.moya_shkola", 1, 2, "Зарегистрировать всех педагогов во ФГИС «Моя школа»", date(2026, 5, 31),
     ActionStatus.IN_PROGRESS),
    ("cos.safe_internet", 0, 1, "Подключить контент-фильтрацию трафика", date(2025, 12, 20), ActionStatus.DONE),
    ("cos.moya_shkola", 2, 3, "Обучить педагогов работе с Библиотекой ЦОК", date(2027, 3, 1), ActionStatus.PLANNED),
    ("cos.it_equipment", 1, 2, "Провести инвентаризацию IT-оборудования", date(2025, 10, 1), ActionStatus.PLANNED),
    ("cos.sferum", 2, 3, "Создать сетевое сообщество педагогов в «Сферуме»", date(2028, 9, 15), ActionStatus.PLANNED),
)


def program_through_models(database, school=None, scores=PROGRAM_SCORES, actions=PROGRAM_ACTIONS, *,
                           methodology=None, **fields) -> DevelopmentProgram:
    """A submitted diagnostic and a draft program built on it, straight through the models."""
    school = school or school_with_address(database)
    diagnostic = Diagnostic(
        organization=school, methodology=methodology or active_school_version(), school_year="2025/2026",
        status=DiagnosticStatus.SUBMITTED, staff_count=48, student_count=612, submitted_at=datetime(2025, 9, 20),
    )
    diagnostic.answers = [DiagnosticAnswer(indicator_code=code, score=value) for code, value in scores.items()]
    program = DevelopmentProgram(
        organization=school, diagnostic=diagnostic, period_start=2025, period_end=2029,
        goal=fields.pop("goal", "Создание условий для полноценного использования ЦОС"),
        tasks=fields.pop("tasks", "- Обеспечить безопасный доступ к сети Интернет\n\n2) Вовлечь педагогов в ФГИС «Моя школа»"),
        causes=fields.pop("causes", "Недостаточная цифровая компетентность педагогов.\nУстаревшее оборудование."),
        decisions=fields.pop("decisions", "Назначить ответственного за ЦОС приказом директора."),
        mechanisms=fields.pop("mechanisms", "Ежеквартальный мониторинг выполнения дорожной карты."),
        **fields,
    )
    for order, (code, from_score, to_score, action_text, due, status) in enumerate(actions):
        program.actions.append(ProgramAction(
            indicator_code=code, from_score=from_score, to_score=to_score, text=action_text,
            responsible_name="Иванова Мария Петровна", responsible_position="заместитель директора",
            due_date=due, expected_result=f"Результат: {action_text.lower()}", status=status, sort_order=order,
        ))
    database.session.add(program)
    database.session.commit()
    return program


# ------------------------------------------------------------------------------------------------ courses


def external_course_record(database, user, certificate: bytes | None = None, **fields) -> CourseRecord:
    """A completed course of another provider straight in the database, its certificate (if any) stored as the
    service would."""
    from cpp_app import uploads

    record = CourseRecord(
        user_id=user.id, external_title=fields.pop("title", "Курс другой организации"),
        external_provider=fields.pop("provider", "Академия"), external_hours=fields.pop("hours", 36),
        status=CourseStatus.COMPLETED, completed_on=fields.pop("completed_on", date(2025, 5, 20)),
        certificate_number=fields.pop("certificate_number", "A-1"), **fields,
    )
    if certificate is not None:
        record.certificate_file, record.certificate_mime = uploads.save(certificate, "certificates")
    database.session.add(record)
    database.session.commit()
    return record


def catalogue_records(database, make_user, course, statuses, **fields) -> list[CourseRecord]:
    """One record of the catalogue course per status, each of a new teacher."""
    records = []
    for status in statuses:
        record = CourseRecord(user_id=make_user().id, course_id=course.id, status=status, **fields)
        database.session.add(record)
        records.append(record)
    database.session.commit()
    return records


def current_edition() -> int:
    """The consent document's edition a new registration agrees to (the seeds publish several)."""
    from cpp_app.blueprints.privacy.services import current_document

    return current_document().version


def download(client, url: str):
    """A prepared file (a program document, the research dataset) as a person gets it: the first request may answer
    «… готовится» (the job is queued and, without Redis, done right after that request) and refresh itself; the
    refresh gets the file."""
    response = client.get(url)
    if response.status_code == 200 and response.mimetype == "text/html" and "Refresh" in response.headers:
        assert "готовится" in response.get_data(as_text=True)
        response = client.get(url)
    return response
