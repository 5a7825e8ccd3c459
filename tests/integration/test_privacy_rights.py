"""`flask purge-withdrawn`: the personal data of people who withdrew consent is destroyed, the evidence kept."""
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import JSON, String, Text, func, select

from cpp_app import audit, uploads
from cpp_app.blueprints.auth.sessions import start_session
from cpp_app.blueprints.diagnostics.services import start as start_diagnostic
from cpp_app.blueprints.methodology.services_publication import stash_target
from cpp_app.blueprints.monitoring.figures import refresh
from cpp_app.blueprints.privacy.erasure import scrub_details, unusable_password_hash
from cpp_app.blueprints.privacy.purge import DESTRUCTION_RULE
from cpp_app.blueprints.privacy.services_requests import file_request, withdraw_consent
from cpp_app.blueprints.school.services import staff_counts
from cpp_app.blueprints.selfassessment.services import active_instrument
from cpp_app.kernel.actor import Actor
from cpp_app.models import (
    AccountStatus,
    AuditEvent,
    ConsentAction,
    ConsentEvent,
    CourseRecord,
    CourseStatus,
    DestructionRecord,
    Diagnostic,
    FormStash,
    LearningRoute,
    LearningRouteArea,
    LearningRouteItem,
    LoginCode,
    LoginThrottle,
    OrganizationStaffFigures,
    Platform,
    PlatformAccount,
    PlatformAccountEvent,
    PrivacyRequest,
    PrivacyRequestKind,
    Role,
    SelfAssessment,
    StaffRegisterEntry,
    User,
    utcnow,
)
from cpp_app.security import check_password
from tests.conftest import TEST_PASSWORD
from tests.security.uploads_common import sample_pdf

PDF = sample_pdf()
IP = "203.0.113.58"
UA = "Very-Distinct-Agent/4.2"
EMAIL = "evlampiya.purge@school.example"
# Everything that names or reaches the person; none of it may survive the purge anywhere.
DISTINCT = (EMAIL, "Перепелицына", "Евлампия", "Аристарховна", "+79137770011", "Шушенское-на-Енисее",
            "Разыскиваемая школа", IP, UA, "Тайный текст обращения", "old.address@school.example")
# The school's own register row (its HR record from КИАСУО) is kept on purpose, unlinked from the account.
KEPT_BY_DESIGN = {StaffRegisterEntry.__tablename__}

pytestmark = pytest.mark.usefixtures("uploads_dir")  # certificates go to a throw-away folder


@pytest.fixture
def person(database, make_user):
    """A teacher with data in every table the service keeps about a person."""
    actor = Actor(None, IP, UA)
    user = make_user(email=EMAIL, last_name="Перепелицына", first_name="Евлампия", middle_name="Аристарховна",
                     phone="+79137770011", settlement="Шушенское-на-Енисее", position="Учитель",
                     subjects="история", qualification_category="Высшая", experience_years=12,
                     confirmed_at=datetime(2025, 9, 1))
    # The consent event of make_user has no address: give the person one with theirs.
    audit.record(actor, "user.registered", user)
    audit.record(Actor(user.id, IP, UA), "user.email_changed", user, from_email="old.address@school.example",
                 to_email=EMAIL)
    audit.record(Actor(user.id, IP, UA), "user.workplace_changed", user, to_workplace_text="Разыскиваемая школа",
                 to_organization_id=None)
    database.session.add(ConsentEvent(user_id=user.id, document_id=1, document_sha256="0" * 64,
                                      action="granted", ip=IP, user_agent=UA))
    start_session(user, False, Actor(user.id, IP, UA))
    database.session.add(LoginCode(user_id=user.id, code_hash="a" * 64, expires_at=utcnow()))
    database.session.add(FormStash(user_id=user.id, token_hash="b" * 64, target=stash_target(user.id),
                                   payload={"source": EMAIL}))
    database.session.add(LoginThrottle(key=f"email:{EMAIL}", failures=2, last_failure_at=utcnow()))
    database.session.add(LoginThrottle(key=f"ip:{IP}", failures=0))
    platform = database.session.scalars(select(Platform).order_by(Platform.id)).first()
    account = PlatformAccount(user_id=user.id, platform_id=platform.id, status=AccountStatus.ACTIVE,
                              profile_url="https://sferum.ru/?p=Перепелицына", confirmed_at=utcnow())
    database.session.add(account)
    database.session.flush()
    database.session.add(PlatformAccountEvent(account_id=account.id, to_status=AccountStatus.ACTIVE,
                                              changed_by_id=user.id, note="Евлампия сама"))
    stored, mime = uploads.save(PDF, "certificates")
    database.session.add(CourseRecord(user_id=user.id, external_title="Курс Перепелицыной", external_provider="ИПК",
                                      external_hours=16, status=CourseStatus.COMPLETED, completed_on=date(2025, 3, 1),
                                      certificate_number="Перепелицына-1", certificate_file=stored,
                                      certificate_mime=mime))
    database.session.add(StaffRegisterEntry(organization_id=user.organization_id, line=2,
                                            full_name="Перепелицына Евлампия Аристарховна", email=EMAIL,
                                            user_id=user.id))
    assessment = SelfAssessment(user_id=user.id, methodology=active_instrument(), answers={"platforms.sferum": 4})
    route = LearningRoute(user_id=user.id, assessment=assessment, period_start=date(2026, 1, 1),
                          period_end=date(2026, 5, 31))
    route.areas = [LearningRouteArea(area_code="platforms", current_level=0, target_level=1,
                                     goal="Шушенское-на-Енисее: уроки в Сферуме")]
    route.items = [LearningRouteItem(area_code="platforms", kind="self_study", title="Тайный текст обращения",
                                     due_on=date(2026, 3, 1))]
    database.session.add(route)
    database.session.commit()
    file_request(user, PrivacyRequestKind.ACCESS, "Тайный текст обращения", Actor(user.id, IP, UA))
    database.session.commit()
    return user


def scan_for(database, values) -> list[tuple[str, str, str]]:
    """Every (table, column, value) where a text or JSON column of any table holds one of `values`."""
    found = []
    for table in database.metadata.sorted_tables:
        if table.name in KEPT_BY_DESIGN:
            continue
        columns = [c for c in table.columns if isinstance(c.type, String | Text | JSON)]
        if not columns:
            continue
        for row in database.session.execute(select(*columns)):
            for column, cell in zip(columns, row, strict=True):
                haystack = str(cell) if cell is not None else ""
                found += [(table.name, column.name, value) for value in values if value in haystack]
    return found


def run_purge(app, *args):
    result = app.test_cli_runner().invoke(args=["purge-withdrawn", *args])
    assert result.exit_code == 0, result.output
    return result.output


def test_purge_destroys_every_trace_and_keeps_the_evidence(app, database, person, uploads_dir):
    user_id, organization_id = person.id, person.organization_id
    diagnostic = start_diagnostic(person.organization, Actor(person.id, IP, UA), date(2025, 10, 1))
    database.session.commit()
    diagnostic_id = diagnostic.id
    assert len(list(uploads_dir.iterdir())) == 1
    assert scan_for(database, DISTINCT)  # the scan does see the data while it is there
    withdraw_consent(person, TEST_PASSWORD, Actor(person.id, IP, UA), now=utcnow() - timedelta(days=1))
    database.session.commit()

    output = run_purge(app)
    assert "Уничтожены данные пользователей: 1." in output
    database.session.expire_all()

    assert scan_for(database, DISTINCT) == []
    assert list(uploads_dir.iterdir()) == []
    user = database.session.get(User, user_id)
    assert user.email == f"withdrawn-{user_id}@invalid.example"
    assert (user.last_name, user.first_name, user.middle_name, user.phone) == ("Удалено", "Удалено", None, None)
    assert user.organization_id is None and user.anonymized_at is not None and not user.is_active
    assert not check_password(user, TEST_PASSWORD) and not check_password(user, "")
    for model in (PlatformAccount, CourseRecord, LoginCode, SelfAssessment):
        assert database.session.scalar(select(func.count(model.id)).where(model.user_id == user_id)) == 0
    assert database.session.scalar(select(func.count(PlatformAccountEvent.id))) == 0
    entry = database.session.scalars(select(StaffRegisterEntry)).one()
    assert entry.user_id is None and entry.organization_id == organization_id

    # Evidence stays: consent events and audit events, the person's requests with their kinds and dates.
    assert database.session.scalar(select(func.count(ConsentEvent.id)).where(ConsentEvent.user_id == user_id)) == 3
    assert database.session.scalar(select(func.count(AuditEvent.id)).where(AuditEvent.actor_id == user_id)) >= 3
    requests = {r.kind: r for r in database.session.scalars(select(PrivacyRequest))}
    assert requests[PrivacyRequestKind.ACCESS].body is None
    withdrawal = requests[PrivacyRequestKind.WITHDRAWAL]
    assert withdrawal.completed_at is not None
    assert database.session.get(Diagnostic, diagnostic_id).created_by_id == user_id  # the school's document

    record = database.session.scalars(select(DestructionRecord)).one()
    assert (record.subject_user_id, record.request_id, record.rule) == (user_id, withdrawal.id, DESTRUCTION_RULE)
    assert record.performed_by == "flask purge-withdrawn"
    assert record.withdrawn_at == user.consent_withdrawn_at
    assert record.what["platform_accounts"] == 1 and record.what["platform_account_events"] == 1
    assert record.what["course_records"] == 1 and record.what["certificate_files"] == 1
    assert record.what["auth_sessions"] == 1 and record.what["login_codes"] == 1
    assert record.what["self_assessments"] == 1 and record.what["learning_routes"] == 1
    assert database.session.scalar(select(func.count(LearningRouteItem.id))) == 0
    assert record.what["form_stashes"] == 1 and record.what["login_throttles"] == 2
    assert record.what["staff_register_links"] == 1 and record.what["privacy_request_texts"] == 1
    assert record.what["consent_events_anonymised"] == 2 and record.what["audit_events_anonymised"] >= 4

    # A second run finds nobody and changes nothing.
    assert "Нет пользователей" in run_purge(app)
    assert database.session.scalar(select(func.count(DestructionRecord.id))) == 1


def test_figures_stop_counting_a_person_as_soon_as_consent_is_withdrawn(database, person):
    organization_id = person.organization_id
    refresh()
    database.session.commit()
    counted = database.session.get(OrganizationStaffFigures, organization_id).teachers
    before = staff_counts(organization_id)
    withdraw_consent(person, TEST_PASSWORD, Actor(person.id, IP, UA))
    database.session.commit()
    refresh()
    database.session.commit()
    after = database.session.get(OrganizationStaffFigures, organization_id)
    assert (after.teachers if after else 0) == counted - 1
    assert staff_counts(organization_id).teachers == before.teachers - 1


def test_a_double_confirmed_withdrawal_is_one_withdrawal_and_purge_closes_it(app, database, person):
    first = withdraw_consent(person, TEST_PASSWORD, Actor(person.id, IP, UA))
    database.session.commit()
    # The second click of a double click: it loaded the account before the first one committed.
    second = withdraw_consent(person, TEST_PASSWORD, Actor(person.id, IP, UA))
    database.session.commit()
    assert second.id == first.id
    withdrawals = select(PrivacyRequest).where(PrivacyRequest.user_id == person.id,
                                               PrivacyRequest.kind == PrivacyRequestKind.WITHDRAWAL)
    assert len(database.session.scalars(withdrawals).all()) == 1
    withdrawn_events = select(func.count(ConsentEvent.id)).where(ConsentEvent.user_id == person.id,
                                                                  ConsentEvent.action == ConsentAction.WITHDRAWN)
    assert database.session.scalar(withdrawn_events) == 1
    run_purge(app)
    database.session.expire_all()
    assert all(request.completed_at is not None for request in database.session.scalars(withdrawals))


def test_older_than_days_leaves_recent_withdrawals_for_later(app, database, person, make_user):
    withdraw_consent(person, TEST_PASSWORD, Actor(person.id, IP, UA), now=utcnow() - timedelta(days=2))
    recent = make_user(email="recent@school.example")
    withdraw_consent(recent, TEST_PASSWORD, Actor(recent.id, None, None))
    database.session.commit()
    assert "Уничтожены данные пользователей: 1." in run_purge(app, "--older-than-days", "1")
    database.session.expire_all()
    assert database.session.get(User, person.id).anonymized_at is not None
    assert database.session.get(User, recent.id).anonymized_at is None
    assert "Уничтожены данные пользователей: 1." in run_purge(app)


def test_a_person_who_kept_consent_is_untouched(app, database, person, make_user):
    assert "Нет пользователей" in run_purge(app)
    database.session.expire_all()
    assert database.session.get(User, person.id).email == EMAIL


def test_a_school_admins_confirmations_of_others_survive_their_purge(app, database, make_user):
    director = make_user(role=Role.SCHOOL_ADMIN, email="dir.purge@school.example")
    colleague = make_user(email="colleague@school.example")
    platform = database.session.scalars(select(Platform).order_by(Platform.id)).first()
    database.session.add(PlatformAccount(user_id=colleague.id, platform_id=platform.id, status=AccountStatus.ACTIVE,
                                         confirmed_at=utcnow(), confirmed_by_id=director.id))
    database.session.commit()
    withdraw_consent(director, TEST_PASSWORD, Actor(director.id, None, None))
    database.session.commit()
    run_purge(app)
    account = database.session.scalars(select(PlatformAccount)).one()
    assert account.user_id == colleague.id and account.confirmed_by_id == director.id


def test_details_are_scrubbed_by_default():
    details = {"from_email": "a@b.example", "to_workplace_text": "Школа", "from_role": "teacher", "organization_id": 7,
               "record_ids": [1, 2], "names": ["Иванова"], "with_certificate": True, "from_status": None}
    assert scrub_details(details) == {"from_role": "teacher", "organization_id": 7, "record_ids": [1, 2],
                                      "with_certificate": True, "from_status": None}


def test_the_unusable_hash_is_random_and_never_verifies(app):
    class Row:
        password_hash = unusable_password_hash()

    with app.app_context():
        assert Row.password_hash != unusable_password_hash()
        assert Row.password_hash.startswith("!$argon2id$")
        for guess in ("", TEST_PASSWORD, Row.password_hash):
            assert not check_password(Row, guess)
