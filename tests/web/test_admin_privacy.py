"""/admin/privacy: the operator's queue of requests and withdrawals with their deadlines, answers, destruction records."""
import re
from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select

from cpp_app.blueprints.privacy.purge import purge_withdrawn
from cpp_app.blueprints.privacy.services_requests import withdraw_consent
from cpp_app.domain.legal_deadlines import end_of_local_day, local_day
from cpp_app.kernel.actor import Actor
from cpp_app.models import AuditEvent, DestructionRecord, PrivacyRequest, PrivacyRequestKind, Role, utcnow
from tests.conftest import TEST_PASSWORD, extract_csrf
from tests.factories import signed_in, text


@pytest.fixture
def admin(make_user):
    return make_user(role=Role.ADMIN, email="operator@ipk.example", last_name="Операторова")


@pytest.fixture
def admin_client(app, admin):
    return signed_in(app, admin)


@pytest.fixture
def teacher(make_user):
    return make_user(email="asker@school.example", last_name="Спрашивающая", first_name="Ия")


def add_request(database, user, kind=PrivacyRequestKind.ACCESS, due_in_days=5, body="Прошу сведения", **fields):
    today = local_day(utcnow())
    request = PrivacyRequest(user_id=user.id, kind=kind, body=body,
                             due_at=end_of_local_day(today + timedelta(days=due_in_days)), **fields)
    database.session.add(request)
    database.session.commit()
    return request


def queue_ids(page: str) -> list[int]:
    return [int(n) for n in re.findall(r'data-request-id="(\d+)"', page)]


def test_the_queue_shows_open_requests_nearest_deadline_first(database, admin_client, teacher):
    later = add_request(database, teacher, due_in_days=9)
    overdue = add_request(database, teacher, due_in_days=-3)
    today = add_request(database, teacher, kind=PrivacyRequestKind.RECTIFICATION, due_in_days=0)
    add_request(database, teacher, due_in_days=-10, completed_at=utcnow(), response="Ответ дан")
    page = text(admin_client.get("/admin/privacy"))
    assert queue_ids(page) == [overdue.id, today.id, later.id]
    assert '<strong class="error">просрочено на 3 дн.</strong>' in page
    assert "срок истекает сегодня" in page and "осталось 9 дн." in page
    assert "Спрашивающая Ия" in page


def test_the_queue_filters_by_state_and_kind(database, admin_client, teacher):
    access = add_request(database, teacher)
    rectification = add_request(database, teacher, kind=PrivacyRequestKind.RECTIFICATION)
    done = add_request(database, teacher, completed_at=utcnow(), response="Ответ дан")
    assert queue_ids(text(admin_client.get("/admin/privacy?state=completed"))) == [done.id]
    assert queue_ids(text(admin_client.get("/admin/privacy?kind=rectification"))) == [rectification.id]
    assert set(queue_ids(text(admin_client.get("/admin/privacy?state=all")))) == {access.id, rectification.id, done.id}
    # Unknown filter values fall back to the defaults instead of failing.
    assert set(queue_ids(text(admin_client.get("/admin/privacy?state=x&kind=%27--")))) == {access.id, rectification.id}


def test_the_queue_is_paginated(database, admin_client, teacher):
    for days in range(27):
        add_request(database, teacher, due_in_days=days)
    first, second = text(admin_client.get("/admin/privacy")), text(admin_client.get("/admin/privacy?page=2"))
    assert len(queue_ids(first)) == 25 and len(queue_ids(second)) == 2
    assert "Найдено: 27" in first and 'rel="next"' in first


def test_the_admin_answers_and_the_person_is_told(app, database, admin, admin_client, teacher):
    request = add_request(database, teacher, body="Что вы обо мне знаете?")
    page = text(admin_client.get(f"/admin/privacy/{request.id}"))
    assert "Что вы обо мне знаете?" in page and "asker@school.example" in page
    token = extract_csrf(admin_client.get(f"/admin/privacy/{request.id}"))

    empty = admin_client.post(f"/admin/privacy/{request.id}/complete", data={"response": "  ", "csrf_token": token})
    assert empty.status_code == 200 and "Напишите ответ заявителю." in text(empty)
    too_long = admin_client.post(f"/admin/privacy/{request.id}/complete",
                                 data={"response": "я" * 5001, "csrf_token": token})
    assert "Не более 5000 символов." in text(too_long)
    unprotected = admin_client.post(f"/admin/privacy/{request.id}/complete", data={"response": "Ответ"})
    assert unprotected.status_code == 400
    database.session.refresh(request)
    assert request.completed_at is None

    app.extensions.setdefault("cpp_mail_outbox", []).clear()
    done = admin_client.post(f"/admin/privacy/{request.id}/complete",
                             data={"response": "Мы храним ваш профиль.", "csrf_token": token})
    assert done.status_code == 302
    database.session.refresh(request)
    assert request.completed_at is not None and request.completed_by_id == admin.id
    assert request.response == "Мы храним ваш профиль."
    [mail] = app.extensions["cpp_mail_outbox"]
    assert mail["To"] == teacher.email and "Мы храним ваш профиль." in mail.get_content()
    assert database.session.scalar(
        select(func.count(AuditEvent.id)).where(AuditEvent.action == "privacy.request_completed")
    ) == 1
    teacher_page = text(signed_in(app, teacher).get(f"/cabinet/data/requests/{request.id}"))
    assert "Мы храним ваш профиль." in teacher_page and "исполнено" in teacher_page


def test_a_withdrawal_is_completed_only_by_the_purge(app, database, admin_client, teacher):
    with app.test_request_context():  # the admins' mail links to the request
        withdrawal = withdraw_consent(teacher, TEST_PASSWORD, Actor(teacher.id, None, None))
        database.session.commit()
    page = text(admin_client.get(f"/admin/privacy/{withdrawal.id}"))
    assert "flask purge-withdrawn" in page and "Ответить и закрыть" not in page
    token = extract_csrf(admin_client.get("/admin/privacy"))
    refused = admin_client.post(f"/admin/privacy/{withdrawal.id}/complete",
                                data={"response": "Готово", "csrf_token": token}, follow_redirects=True)
    assert "исполняется командой flask purge-withdrawn" in text(refused)

    purge_withdrawn()
    record = database.session.scalars(select(DestructionRecord)).one()
    page = text(admin_client.get(f"/admin/privacy/{withdrawal.id}"))
    assert f"/admin/privacy/destructions/{record.id}" in page and "данные уничтожены" in page
    queue = text(admin_client.get("/admin/privacy?state=all"))
    assert "данные уничтожены" in queue and "Спрашивающая" not in queue

    listing = text(admin_client.get("/admin/privacy/destructions"))
    assert f"/admin/privacy/destructions/{record.id}" in listing
    detail = text(admin_client.get(f"/admin/privacy/destructions/{record.id}"))
    assert "152-ФЗ ст. 21 ч. 5" in detail and "профиль обезличен" in detail
    assert admin_client.get("/admin/privacy/destructions/999999").status_code == 404

    users = text(admin_client.get("/admin/users"))
    assert f"Данные уничтожены (id {teacher.id})" in users and "Удалено Удалено" not in users
    assert "данные уничтожены" in text(admin_client.get(f"/admin/users/{teacher.id}")).lower()


def test_other_roles_do_not_see_the_queue(app, database, make_user, teacher):
    request = add_request(database, teacher)
    for role in (Role.TEACHER, Role.SCHOOL_ADMIN, Role.METHODOLOGIST):
        client = signed_in(app, make_user(role=role))
        for path in ("/admin/privacy", f"/admin/privacy/{request.id}", "/admin/privacy/destructions"):
            assert client.get(path).status_code == 404, (role, path)


def test_missing_request_is_404(admin_client):
    assert admin_client.get("/admin/privacy/999999").status_code == 404


def test_the_nav_links_the_queue_for_admins_only(app, admin_client, make_user):
    assert "Запросы ПДн" in text(admin_client.get("/admin/privacy"))
    assert "Запросы ПДн" not in text(signed_in(app, make_user(role=Role.METHODOLOGIST)).get("/"))


def test_overdue_is_counted_in_krasnoyarsk_days(database, admin_client, teacher):
    request = add_request(database, teacher)
    request.due_at = datetime.combine(local_day(utcnow()) - timedelta(days=1), datetime.min.time()) + timedelta(
        hours=16, minutes=59, seconds=59)
    database.session.commit()
    assert "просрочено на 1 дн." in text(admin_client.get(f"/admin/privacy/{request.id}"))
