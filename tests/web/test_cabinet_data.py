"""«Мои данные»: what is held, the JSON and PDF exports, requests to the operator, withdrawal of consent."""
import io
import json
from datetime import date, datetime, timedelta

import pytest
from pypdf import PdfReader
from sqlalchemy import func, select

from cpp_app import pdf
from cpp_app.domain.legal_deadlines import local_day, request_deadline
from cpp_app.models import (
    AccountStatus,
    AuditEvent,
    AuthSession,
    ConsentAction,
    ConsentEvent,
    CourseRecord,
    CourseStatus,
    PlatformAccount,
    PlatformAccountEvent,
    PrivacyRequest,
    PrivacyRequestKind,
    Role,
    User,
)
from tests.conftest import TEST_PASSWORD, extract_csrf
from tests.factories import fresh, platforms_by_code, signed_in, text

TEACHER_IP = "198.51.100.77"
TEACHER_UA = "Distinct-Browser/9.9 (teacher)"


def outbox(app):
    return app.extensions.setdefault("cpp_mail_outbox", [])


@pytest.fixture
def teacher(make_user):
    return make_user(
        email="zinaida.distinct@school.example", last_name="Вертипорох", first_name="Зинаида",
        middle_name="Харитоновна", phone="+79135550101", settlement="Дивногорск",
        subjects="<script>alert(1)</script> и file:///etc/passwd",
    )


@pytest.fixture
def director(make_user):
    return make_user(role=Role.SCHOOL_ADMIN, email="director.other@school.example", last_name="Директорова",
                     first_name="Олимпиада", phone="+79135550202")


@pytest.fixture
def teacher_client(app, teacher):
    return signed_in(app, teacher, REMOTE_ADDR=TEACHER_IP, HTTP_USER_AGENT=TEACHER_UA)


def give_history(database, teacher, director):
    """An account the director confirmed, a verified course, and another teacher's account nearby."""
    account = PlatformAccount(user_id=teacher.id, platform_id=platforms_by_code(database)["sferum"].id,
                              status=AccountStatus.ACTIVE, since=date(2024, 3, 15),
                              confirmed_at=datetime(2025, 1, 10), confirmed_by_id=director.id)
    database.session.add(account)
    database.session.flush()
    database.session.add(PlatformAccountEvent(account_id=account.id, to_status=AccountStatus.ACTIVE,
                                              changed_by_id=director.id, confirmed=True, note="подтверждено ОО"))
    database.session.add(CourseRecord(user_id=teacher.id, external_title="Цифровая дидактика для сельской школы",
                                      external_provider="Провайдер курсов", external_hours=36,
                                      status=CourseStatus.COMPLETED, completed_on=date(2025, 5, 30),
                                      certificate_number="ZX-777", verified_at=datetime(2025, 6, 1),
                                      verified_by_id=director.id))
    database.session.add(PlatformAccount(user_id=director.id, platform_id=platforms_by_code(database)["moya_shkola"].id,
                                         status=AccountStatus.REGISTERED, profile_url="https://myschool.edu.ru/d-only"))
    database.session.commit()


# ------------------------------------------------------------------------------------------------ the page


def test_the_page_says_what_is_held_and_offers_every_right(database, teacher, teacher_client, director):
    give_history(database, teacher, director)
    page = text(teacher_client.get("/cabinet/data"))
    assert "Мои данные" in page and 'aria-current="page"' in page
    assert "Записей об учётных записях на образовательных платформах: 1" in page
    assert "Записей о курсах: 1" in page
    assert "Кто видит" in page and "Сколько хранится" in page
    for link in ("/cabinet/data.json", "/cabinet/data.pdf", "/cabinet/data/withdraw"):
        assert link in page


def test_anonymous_visitors_are_sent_to_sign_in(client):
    for path in ("/cabinet/data", "/cabinet/data.json", "/cabinet/data.pdf", "/cabinet/data/withdraw"):
        response = client.get(path)
        assert response.status_code == 302 and response.headers["Location"].startswith("/login")


# ------------------------------------------------------------------------------------------------ JSON


def test_the_json_holds_the_persons_data_and_nobody_elses(app, database, teacher, teacher_client, director):
    give_history(database, teacher, director)
    signed_in(app, director)  # the director's own session, IP and audit events must stay out
    response = teacher_client.get("/cabinet/data.json")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert response.headers["Content-Type"] == "application/json; charset=utf-8"
    assert response.headers["Cache-Control"] == "no-store"
    raw = response.get_data(as_text=True)
    assert "Вертипорох" in raw and "\\u04" not in raw  # Cyrillic as it is
    assert raw.startswith("{\n  ")  # indented
    data = json.loads(raw)

    assert data["user"]["email"] == "zinaida.distinct@school.example"
    assert data["user"]["phone"] == "+79135550101"
    assert data["workplace"]["organization"]["short_name"]
    assert [event["action"] for event in data["consent_events"]] == ["granted"]
    assert data["consent_events"][0]["document_sha256"]
    account = data["platform_accounts"][0]
    assert account["platform"] == "Сферум" and account["confirmed_by"] == "Администратор ОО"
    assert account["history"][0]["changed_by"] == "Администратор ОО"
    course = data["courses"][0]
    assert course["certificate_number"] == "ZX-777" and course["verified_by"] == "Администратор ОО"
    sessions = data["sessions"]
    assert sessions and {s["ip"] for s in sessions} == {TEACHER_IP} and sessions[0]["user_agent"] == TEACHER_UA
    assert any(event["action"] == "user.signed_in" and event["ip"] == TEACHER_IP for event in data["audit_events"])
    assert data["exported_at"].endswith("+07:00")

    # Nothing of the director: no name, e-mail, phone, account; no password or token hashes of anyone.
    for foreign in ("Директорова", "Олимпиада", "director.other", "+79135550202", "d-only", "127.0.0.1"):
        assert foreign not in raw, foreign
    teacher_row = database.session.get(User, teacher.id)
    assert teacher_row.password_hash not in raw and "password" not in raw
    for token_hash in database.session.scalars(select(AuthSession.token_hash)):
        assert token_hash not in raw
    assert database.session.scalar(
        select(func.count(AuditEvent.id)).where(AuditEvent.action == "privacy.data_exported",
                                                AuditEvent.actor_id == teacher.id)
    ) == 1


def test_a_school_admin_sees_other_people_only_by_role_in_their_own_export(app, database, teacher, director):
    give_history(database, teacher, director)
    # The director's own audit trail names the teacher they confirmed; the export must not.
    from cpp_app import audit
    from cpp_app.kernel.actor import Actor

    audit.record(Actor(director.id, "10.0.0.1", None), "user.workplace_matched", teacher, workplace_text="Вертипорох")
    database.session.commit()
    data = signed_in(app, director).get("/cabinet/data.json").get_data(as_text=True)
    assert "Вертипорох" not in data and "zinaida" not in data
    assert "Директорова" in data


# ------------------------------------------------------------------------------------------------ PDF


@pytest.fixture
def fetched(monkeypatch):
    asked = []
    original = pdf.LocalAssetFetcher.fetch

    def fetch(self, url, headers=None):
        asked.append(url)
        return original(self, url, headers)

    monkeypatch.setattr(pdf.LocalAssetFetcher, "fetch", fetch)
    return asked


def test_the_pdf_is_readable_and_prints_hostile_text_as_text(database, teacher, teacher_client, director, fetched):
    give_history(database, teacher, director)
    response = teacher_client.get("/cabinet/data.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"] == f'attachment; filename="moi-dannye-cpp-{teacher.id}.pdf"'
    reader = PdfReader(io.BytesIO(response.data))
    content = " ".join(" ".join(page.extract_text().split()) for page in reader.pages)
    assert "Вертипорох Зинаида" in content
    assert "Сферум" in content and "ZX-777" in content
    assert "<script>alert(1)</script>" in content and "file:///etc/passwd" in content
    assert "Директорова" not in content
    assert not any("passwd" in url for url in fetched)
    assert database.session.scalar(
        select(func.count(AuditEvent.id)).where(AuditEvent.action == "privacy.data_exported")
    ) == 1


# ------------------------------------------------------------------------------------------------ requests


def request_form(client, **overrides):
    return {"csrf_token": extract_csrf(client.get("/cabinet/data")), "kind": "access",
            "text": "Прошу сообщить, кому передавались мои данные.", **overrides}


def test_a_request_is_filed_with_its_deadline_and_the_admins_are_told(app, database, teacher, teacher_client,
                                                                       make_user):
    admin = make_user(role=Role.ADMIN, email="operator@ipk.example")
    make_user(role=Role.ADMIN, email="blocked.operator@ipk.example", blocked_at=datetime(2025, 1, 1))
    outbox(app).clear()
    response = teacher_client.post("/cabinet/data/requests", data=request_form(teacher_client))
    assert response.status_code == 302
    filed = database.session.scalars(select(PrivacyRequest)).one()
    assert (filed.user_id, filed.kind, filed.body) == (teacher.id, PrivacyRequestKind.ACCESS,
                                                       "Прошу сообщить, кому передавались мои данные.")
    assert local_day(filed.due_at) == request_deadline(local_day(filed.created_at))
    assert response.headers["Location"] == f"/cabinet/data/requests/{filed.id}"
    page = text(teacher_client.get(response.headers["Location"]))
    assert "Прошу сообщить" in page and "на рассмотрении" in page

    recipients = sorted(message["To"] for message in outbox(app))
    assert recipients == [admin.email, teacher.email]
    to_admin = next(m for m in outbox(app) if m["To"] == admin.email).get_content()
    assert f"/admin/privacy/{filed.id}" in to_admin and "Вертипорох" not in to_admin and "Прошу" not in to_admin
    to_teacher = next(m for m in outbox(app) if m["To"] == teacher.email).get_content()
    assert local_day(filed.due_at).strftime("%d.%m.%Y") in to_teacher
    assert f"/cabinet/data/requests/{filed.id}" in text(teacher_client.get("/cabinet/data"))


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"text": "   "}, "Опишите, что вы просите сделать."),
        ({"text": "я" * 5001}, "Не более 5000 символов."),
        ({"kind": "withdrawal"}, "Выберите вид обращения из списка."),
        ({"kind": "nonsense"}, "Выберите вид обращения из списка."),
    ],
)
def test_a_bad_request_is_shown_again_with_the_reason(database, teacher_client, overrides, message):
    response = teacher_client.post("/cabinet/data/requests", data=request_form(teacher_client, **overrides))
    assert response.status_code == 200
    assert message in text(response)
    assert database.session.scalar(select(func.count(PrivacyRequest.id))) == 0


def test_a_request_without_a_csrf_token_changes_nothing(database, teacher_client):
    form = request_form(teacher_client)
    del form["csrf_token"]
    response = teacher_client.post("/cabinet/data/requests", data=form)
    assert response.status_code == 400
    assert "Прошу сообщить, кому передавались мои данные." in text(response)  # the text is kept
    assert database.session.scalar(select(func.count(PrivacyRequest.id))) == 0


def test_another_persons_request_is_404(app, database, teacher, teacher_client, make_user):
    other = make_user(email="other.teacher@school.example")
    other_client = signed_in(app, other)
    other_client.post("/cabinet/data/requests", data=request_form(other_client, text="Чужая тайна"))
    foreign = database.session.scalars(select(PrivacyRequest)).one()
    assert teacher_client.get(f"/cabinet/data/requests/{foreign.id}").status_code == 404
    assert "Чужая тайна" not in text(teacher_client.get("/cabinet/data"))
    assert other_client.get(f"/cabinet/data/requests/{foreign.id}").status_code == 200


# ------------------------------------------------------------------------------------------------ withdrawal


def withdraw(client, password=TEST_PASSWORD, with_token=True):
    data = {"password": password}
    if with_token:
        data["csrf_token"] = extract_csrf(client.get("/cabinet/data/withdraw"))
    return client.post("/cabinet/data/withdraw", data=data)


def test_the_confirmation_step_says_plainly_what_happens(teacher_client):
    page = text(teacher_client.get("/cabinet/data/withdraw"))
    for words in ("учётная запись блокируется", "на всех устройствах", "30 дней", "Что останется без ваших данных",
                  "Текущий пароль"):
        assert words in page


def test_a_wrong_password_is_shown_next_to_the_field_and_changes_nothing(database, teacher, teacher_client):
    response = withdraw(teacher_client, password="not-my-password")
    assert response.status_code == 200
    assert 'id="password-error">Неверный пароль.' in text(response)
    fresh(database)
    user = database.session.get(User, teacher.id)
    assert user.is_active and user.consent_withdrawn_at is None
    assert teacher_client.get("/cabinet/data").status_code == 200


def test_withdrawal_without_a_csrf_token_changes_nothing(database, teacher, teacher_client):
    assert withdraw(teacher_client, with_token=False).status_code == 400
    fresh(database)
    assert database.session.get(User, teacher.id).consent_withdrawn_at is None


def test_withdrawal_blocks_at_once_and_ends_every_session(app, database, teacher, teacher_client, director):
    other_device = signed_in(app, teacher)
    assert other_device.get("/cabinet/").status_code == 200
    outbox(app).clear()

    response = withdraw(teacher_client)
    assert response.status_code == 302 and response.headers["Location"] == "/"
    home = text(teacher_client.get("/"))
    assert "Согласие на обработку персональных данных отозвано" in home

    fresh(database)
    user = database.session.get(User, teacher.id)
    assert not user.is_active and user.consent_withdrawn_at == user.blocked_at
    assert user.block_reason == "Отзыв согласия на обработку персональных данных"
    withdrawn = database.session.scalars(
        select(ConsentEvent).where(ConsentEvent.user_id == teacher.id).order_by(ConsentEvent.id.desc())
    ).first()
    assert withdrawn.action == ConsentAction.WITHDRAWN and withdrawn.ip == TEACHER_IP
    assert withdrawn.user_agent == TEACHER_UA and withdrawn.document_sha256
    request = database.session.scalars(select(PrivacyRequest)).one()
    assert request.kind == PrivacyRequestKind.WITHDRAWAL
    assert local_day(request.due_at) == local_day(user.consent_withdrawn_at) + timedelta(days=30)
    assert database.session.scalar(
        select(func.count(AuthSession.id)).where(AuthSession.user_id == teacher.id, AuthSession.revoked_at.is_(None))
    ) == 0
    assert [m["To"] for m in outbox(app)] == [teacher.email]  # no active admin in this test

    # Both devices are signed out, and the person cannot sign in again or reset the password.
    for client in (teacher_client, other_device):
        reply = client.get("/cabinet/")
        assert reply.status_code == 302 and reply.headers["Location"].startswith("/login")
    fresh_client = app.test_client()
    token = extract_csrf(fresh_client.get("/login"))
    refused = fresh_client.post("/login", data={"email": teacher.email, "password": TEST_PASSWORD, "csrf_token": token})
    assert refused.status_code == 200 and "заблокирована" in text(refused)
    outbox(app).clear()
    token = extract_csrf(fresh_client.get("/password/forgot"))
    fresh_client.post("/password/forgot", data={"email": teacher.email, "csrf_token": token})
    assert outbox(app) == []


def test_a_withdrawn_teacher_leaves_the_school_lists_at_once(app, database, teacher, teacher_client, director):
    from cpp_app.blueprints.school.services import staff_counts

    before = staff_counts(teacher.organization_id).teachers
    withdraw(teacher_client)
    fresh(database)
    assert staff_counts(teacher.organization_id).teachers == before - 1
    staff_page = text(signed_in(app, director).get("/school/staff"))
    assert "Вертипорох" not in staff_page
