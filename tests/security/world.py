"""Two schools with a director and a teacher each, the institute's staff, and one object of every kind owned by
school A / teacher A: what the security probes attack."""
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import select
from werkzeug.routing import IntegerConverter

from cpp_app.blueprints.courses.services import ExternalCourse, add_external_course
from cpp_app.blueprints.programs.parts import PARTS
from cpp_app.blueprints.programs.services import create_program
from cpp_app.models import (
    AccountStatus,
    AssessmentCampaign,
    AuthSession,
    BackgroundJob,
    Course,
    DestructionRecord,
    DevelopmentProgram,
    Diagnostic,
    LearningRoute,
    LearningRouteArea,
    LearningRouteItem,
    Measure,
    MethodologyVersion,
    Platform,
    PlatformAccount,
    PrivacyRequest,
    PrivacyRequestKind,
    Role,
    SelfAssessment,
    StaffRegisterEntry,
    User,
    utcnow,
)
from tests.conftest import extract_csrf
from tests.factories import actor_of, diagnostic_through_services, municipality, organization

# A minimal valid PDF: uploads are checked by their magic bytes.
# A real one-page PDF: certificates are parsed, not only sniffed (uploads_common.sample_pdf imports this module).
PDF_BYTES = (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
             b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\nxref\n0 4\n0000000000 65535 f \n"
             b"0000000009 00000 n \n0000000052 00000 n \n0000000101 00000 n \ntrailer<</Size 4/Root 1 0 R>>\n"
             b"startxref\n164\n%%EOF\n")
THIS_YEAR = date.today().year


@dataclass
class World:
    school_a: object
    school_b: object
    teacher_a: User
    director_a: User
    teacher_b: User
    director_b: User
    methodologist: User
    admin: User
    diagnostic_a: Diagnostic
    program_a: DevelopmentProgram
    record_a: object
    account_a: PlatformAccount
    privacy_request_a: PrivacyRequest
    session_a: AuthSession
    destruction_a: DestructionRecord
    register_entry_a: StaffRegisterEntry
    assessment_a: SelfAssessment
    route_a: LearningRoute
    campaign_a: AssessmentCampaign


def build_world(database, make_user) -> World:
    district = municipality(database, "Тестовый район безопасности")
    school_a = organization(database, district, "МБОУ СОШ А")
    school_b = organization(database, district, "МБОУ СОШ Б")
    teacher_a = make_user(email="teacher.a@school.example", organization=school_a, confirmed_at=utcnow(),
                          last_name="Учителева")
    director_a = make_user(role=Role.SCHOOL_ADMIN, email="director.a@school.example", organization=school_a,
                           confirmed_at=utcnow())
    teacher_b = make_user(email="teacher.b@school.example", organization=school_b, confirmed_at=utcnow())
    director_b = make_user(role=Role.SCHOOL_ADMIN, email="director.b@school.example", organization=school_b,
                           confirmed_at=utcnow())
    methodologist = make_user(role=Role.METHODOLOGIST, email="methodologist@kipk.example")
    admin = make_user(role=Role.ADMIN, email="admin@kipk.example")

    diagnostic_a = diagnostic_through_services(database, school_a, director_a)
    program_a = create_program(school_a, diagnostic_a, (THIS_YEAR, THIS_YEAR + 4), actor_of(director_a),
                               date.today())
    record_a = add_external_course(
        teacher_a.id,
        ExternalCourse(title="Цифровая школа", provider="ИРО", hours=36, completed_on=date.today() - timedelta(days=3),
                       certificate_number="A-1", certificate=PDF_BYTES),
        actor_of(teacher_a),
    )
    platform = database.session.scalars(select(Platform).order_by(Platform.id)).first()
    account_a = PlatformAccount(user=teacher_a, platform=platform, status=AccountStatus.REGISTERED,
                                since=date.today())
    now = utcnow()
    privacy_request_a = PrivacyRequest(user_id=teacher_a.id, kind=PrivacyRequestKind.ACCESS, body="Прошу сведения",
                                       created_at=now, due_at=now + timedelta(days=14))
    session_a = AuthSession(user_id=teacher_a.id, token_hash="a" * 64, created_at=now, last_seen_at=now,
                            expires_at=now + timedelta(hours=12))
    database.session.add_all([account_a, privacy_request_a, session_a])
    database.session.flush()
    destruction_a = DestructionRecord(request_id=privacy_request_a.id, subject_user_id=teacher_a.id, withdrawn_at=now,
                                      destroyed_at=now, rule="152-ФЗ ст. 21 ч. 5", what={"profile": "удалён"},
                                      performed_by="flask purge-withdrawn")
    register_entry_a = StaffRegisterEntry(organization_id=school_a.id, line=2, full_name="Незарегистрированная Анна",
                                          email="anna.unregistered@school.example")
    assessment_a = SelfAssessment(user_id=teacher_a.id, status="draft", answers={"platforms.sferum": 2},
                                  methodology=database.session.scalar(
                                      select(MethodologyVersion).where(MethodologyVersion.subject == "teacher")))
    submitted_a = SelfAssessment(user_id=teacher_a.id, status="submitted", answers={"platforms.sferum": 1},
                                 methodology=assessment_a.methodology, submitted_at=now - timedelta(days=1))
    route_a = LearningRoute(user_id=teacher_a.id, assessment=submitted_a, period_start=date.today(),
                            period_end=date.today() + timedelta(days=90), shared_with_school=True)
    route_a.areas = [LearningRouteArea(area_code="platforms", position=0, current_level=1, target_level=2)]
    route_a.items = [LearningRouteItem(area_code="platforms", kind="self_study", title="Провести урок в Сферуме",
                                       due_on=date.today() + timedelta(days=30))]
    campaign_a = AssessmentCampaign(title="Кампания А", methodology=assessment_a.methodology,
                                    starts_on=date.today(), ends_on=date.today() + timedelta(days=30),
                                    created_by_id=methodologist.id)
    failed_job = BackgroundJob(kind="test_world", key="test_world", payload={}, status="failed", attempts=4,
                               error="RuntimeError: test")
    database.session.add_all([destruction_a, register_entry_a, assessment_a, route_a, campaign_a, failed_job])
    database.session.commit()
    return World(school_a, school_b, teacher_a, director_a, teacher_b, director_b, methodologist, admin,
                 diagnostic_a, program_a, record_a, account_a, privacy_request_a, session_a, destruction_a,
                 register_entry_a, assessment_a, route_a, campaign_a)


def first_id(database, model) -> int:
    return database.session.scalar(select(model.id).order_by(model.id))


# Object id arguments of routes → A's object. A route with an id argument missing here fails the IDOR test.
def id_factories(world: World, database) -> dict:
    return {
        "diagnostic_id": lambda: world.diagnostic_a.id,
        "program_id": lambda: world.program_a.id,
        "action_id": lambda: world.program_a.actions[0].id,
        "record_id": lambda: world.record_a.id,
        "user_id": lambda: world.teacher_a.id,
        "account_id": lambda: world.account_a.id,
        "organization_id": lambda: world.school_a.id,
        "municipality_id": lambda: world.school_a.municipality_id,
        "course_id": lambda: first_id(database, Course),
        "measure_id": lambda: first_id(database, Measure),
        "version_id": lambda: first_id(database, MethodologyVersion),
        "version": lambda: 1,
        "request_id": lambda: world.privacy_request_a.id,
        "privacy_request_id": lambda: world.privacy_request_a.id,
        "session_id": lambda: world.session_a.id,
        "destruction_id": lambda: world.destruction_a.id,
        "entry_id": lambda: world.register_entry_a.id,
        "assessment_id": lambda: world.assessment_a.id,
        "route_id": lambda: world.route_a.id,
        "item_id": lambda: world.route_a.items[0].id,
        "campaign_id": lambda: world.campaign_a.id,
        "job_id": lambda: first_id(database, BackgroundJob),
        "step": lambda: 1,
    }


def switch_user(client, login, user) -> None:
    """Signs out whoever is signed in on this client, then signs `user` in."""
    page = client.get("/logout")
    if page.status_code == 200:
        client.post("/logout", data={"csrf_token": extract_csrf(page)})
    if user is not None:
        login(user)
        assert user.email in client.get("/cabinet/profile").get_data(as_text=True), "signed in as someone else"


def csrf_token(client) -> str:
    return extract_csrf(client.get("/cabinet/profile"))


# Ids beyond PostgreSQL's integer (2³¹ and 10²⁰) and below the first one: no object can have them.
OUT_OF_RANGE_IDS = (2147483648, 0, 99999999999999999999)


# Columns that change by merely using the service (sign-in bookkeeping), not by what a request asked for.
VOLATILE_COLUMNS = {"last_seen_at"}


def database_state(database) -> dict[str, list[tuple]]:
    """Every row of every table, to prove that a refused request changed nothing."""
    database.session.expire_all()
    state = {}
    with database.engine.connect() as connection:
        for table in database.metadata.sorted_tables:
            columns = [column for column in table.columns if column.name not in VOLATILE_COLUMNS]
            rows = connection.execute(select(*columns)).all()
            state[table.name] = sorted((tuple(map(repr, row)) for row in rows))
    return state


def state_difference(before: dict, after: dict) -> list[str]:
    return [name for name in before if before[name] != after.get(name)]


def concrete_path(rule, values: dict) -> str:
    """The rule's path with `values` for its object ids, a real format for `<fmt>` and a real program part for
    `<slug>`."""
    real = {"fmt": "csv", "slug": PARTS[0].slug}
    values = {name: real.get(name, "x") for name in rule.arguments} | values
    return rule.build(values, append_unknown=False)[1]


def int_arguments(rule) -> list[str]:
    return [name for name, converter in rule._converters.items() if isinstance(converter, IntegerConverter)]

