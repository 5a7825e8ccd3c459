"""The methodologist's course catalogue: courses, applications in bulk, and the check of external courses."""
import re
from datetime import date

import pytest
from sqlalchemy import select

from cpp_app.extensions import db
from cpp_app.kernel.clock import local_today
from cpp_app.models import Course, CourseFormat, CourseRecord, CourseStatus, Role, utcnow
from tests.conftest import extract_csrf
from tests.factories import (
    audit_events,
    catalogue_records,
    external_course_record,
    fresh,
    signed_in,
    statements_run,
    text,
)
from tests.security.uploads_common import sample_pdf

PDF = sample_pdf()

pytestmark = pytest.mark.usefixtures("uploads_dir")  # certificates go to a throw-away folder


def first_course(database) -> Course:
    return database.session.scalars(select(Course).order_by(Course.id)).first()


def statuses(database, records) -> list[CourseStatus]:
    fresh(database)
    return [database.session.get(CourseRecord, r.id).status for r in records]


def course_form(**overrides):
    data = {
        "title": "Цифровая грамотность педагога",
        "provider": "КК ИПК",
        "hours": "36",
        "format": "distance",
        "starts_on": "2027-09-01",
        "ends_on": "2027-09-30",
        "topic": "Цифровая грамотность",
        "description": "Основы работы в ЦОС.",
        "is_open": "y",
    }
    data.update(overrides)
    return data


def post_bulk(client, course, action, record_ids, token=None, **extra):
    if token is None:
        token = extract_csrf(client.get(f"/admin/courses/{course.id}"))
    return client.post(
        f"/admin/courses/{course.id}/records",
        data={"csrf_token": token, "action": action, "record_ids": [str(i) for i in record_ids], **extra},
    )


# ------------------------------------------------------------------------------------------- access


@pytest.mark.parametrize("role", [Role.TEACHER, Role.SCHOOL_ADMIN])
def test_catalogue_pages_do_not_exist_for_teachers_and_school_admins(app, database, make_user, role):
    course = first_course(database)
    client = signed_in(app, make_user(role=role))
    for url in ("/admin/courses", "/admin/courses/new", f"/admin/courses/{course.id}",
                f"/admin/courses/{course.id}/edit", "/admin/courses/external"):
        assert client.get(url).status_code == 404, url
    token = extract_csrf(client.get("/cabinet/courses"))
    form = {"csrf_token": token, "action": "enroll", "record_ids": "1"}
    posts = (f"/admin/courses/{course.id}/close", f"/admin/courses/{course.id}/records", "/admin/courses/external/verify")
    for url in posts:
        assert client.post(url, data=form).status_code == 404, url
    fresh(database)
    assert database.session.get(Course, course.id).is_open


@pytest.mark.parametrize("role", [Role.METHODOLOGIST, Role.ADMIN])
def test_methodologists_and_admins_see_the_catalogue(app, database, make_user, role):
    client = signed_in(app, make_user(role=role))
    assert client.get("/admin/courses").status_code == 200
    assert client.get("/admin/courses/external").status_code == 200


def test_anonymous_visitors_are_sent_to_sign_in(client):
    response = client.get("/admin/courses")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


# ------------------------------------------------------------------------------------------- the list


def test_list_shows_open_and_closed_courses_with_counts_from_one_grouped_query(
    app, database, make_user, staff_client
):
    courses = list(database.session.scalars(select(Course).order_by(Course.id)))
    courses[1].is_open = False
    database.session.commit()
    catalogue_records(database, make_user, courses[0],
                [CourseStatus.APPLIED] * 3 + [CourseStatus.ENROLLED] * 2 + [CourseStatus.COMPLETED])
    catalogue_records(database, make_user, courses[1], [CourseStatus.COMPLETED])

    with app.app_context():
        engine = db.engine
    with statements_run(engine) as statements:
        page = text(staff_client.get("/admin/courses"))

    assert len(re.findall(r'data-course-id="', page)) == len(courses)
    row = page.split(f'data-course-id="{courses[0].id}"')[1].split("</tr>")[0]
    assert re.findall(r'data-count="(\w+)">(\d+)<', row) == [("applied", "3"), ("enrolled", "2"), ("completed", "1")]
    closed_row = page.split(f'data-course-id="{courses[1].id}"')[1].split("</tr>")[0]
    assert "закрыта" in closed_row and 'data-count="completed">1<' in closed_row
    about_records = [s for s in statements if "course_records" in s]
    assert len(about_records) == 1 and "GROUP BY" in about_records[0].upper()


# ------------------------------------------------------------------------------------------- create, edit, close


def test_methodologist_creates_a_course(database, staff_client):
    page = staff_client.get("/admin/courses/new")
    assert 'value="КК ИПК"' in text(page)
    response = staff_client.post("/admin/courses/new", data={**course_form(), "csrf_token": extract_csrf(page)})
    assert response.status_code == 302
    fresh(database)
    course = database.session.scalar(select(Course).where(Course.title == "Цифровая грамотность педагога"))
    assert (course.hours, course.format, course.starts_on, course.ends_on) == (
        36, CourseFormat.DISTANCE, date(2027, 9, 1), date(2027, 9, 30))
    assert course.is_open and course.provider == "КК ИПК"
    assert [e.target_id for e in audit_events(database, "course.created")] == [course.id]


def test_a_course_is_tagged_with_the_self_assessment_areas_it_develops(database, staff_client):
    page = staff_client.get("/admin/courses/new")
    assert "Безопасность и персональные данные" in text(page)  # the seeded teacher instrument's areas
    data = {**course_form(), "csrf_token": extract_csrf(page), "readiness_areas": ["safety", "platforms"]}
    assert staff_client.post("/admin/courses/new", data=data).status_code == 302
    fresh(database)
    course = database.session.scalar(select(Course).where(Course.title == "Цифровая грамотность педагога"))
    assert course.readiness_areas == ["platforms", "safety"]  # in the instrument's order
    shown = text(staff_client.get(f"/admin/courses/{course.id}"))
    assert "Работа на государственных платформах; Безопасность и персональные данные" in shown

    refused = staff_client.post(f"/admin/courses/{course.id}/edit", data={
        **course_form(), "csrf_token": extract_csrf(page), "readiness_areas": ["safety", "astrology"]})
    assert refused.status_code == 200 and "Выберите области из списка." in text(refused)
    fresh(database)
    assert database.session.get(Course, course.id).readiness_areas == ["platforms", "safety"]


def test_the_seeded_catalogue_is_tagged(database):
    tagged = dict(database.session.execute(select(Course.title, Course.readiness_areas)).tuples().all())
    assert tagged["Информационная и медиабезопасность в образовательной организации"] == ["safety"]
    assert all(tagged.values())


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"starts_on": "2027-09-30", "ends_on": "2027-09-01"}, "не может быть раньше даты начала"),
        ({"hours": "0"}, "от 1 до 2000"),
        ({"hours": "2001"}, "от 1 до 2000"),
        ({"title": ""}, "Укажите название"),
        ({"format": "online"}, "Выберите формат"),
        ({"ends_on": "30.02.2027"}, "дд.мм.гггг"),
    ],
)
def test_invalid_course_is_refused_in_russian(database, staff_client, overrides, message):
    token = extract_csrf(staff_client.get("/admin/courses/new"))
    before = database.session.scalar(select(db.func.count(Course.id)))
    response = staff_client.post("/admin/courses/new", data={**course_form(**overrides), "csrf_token": token})
    assert response.status_code == 200 and message in text(response)
    fresh(database)
    assert database.session.scalar(select(db.func.count(Course.id))) == before


def test_methodologist_edits_a_course(database, staff_client):
    course = first_course(database)
    page = staff_client.get(f"/admin/courses/{course.id}/edit")
    assert course.title in text(page)
    response = staff_client.post(
        f"/admin/courses/{course.id}/edit",
        data={**course_form(title="Новое название", hours="48", is_open=""), "csrf_token": extract_csrf(page)},
    )
    assert response.status_code == 302
    fresh(database)
    course = database.session.get(Course, course.id)
    assert (course.title, course.hours, course.is_open) == ("Новое название", 48, False)
    [event_] = audit_events(database, "course.updated")
    assert {"title", "hours", "is_open"} <= set(event_.details["fields"])


def test_close_and_reopen(app, database, make_user, staff_client):
    course = first_course(database)
    teacher_client = signed_in(app, make_user())
    token = extract_csrf(staff_client.get(f"/admin/courses/{course.id}"))

    assert staff_client.post(f"/admin/courses/{course.id}/close", data={"csrf_token": token}).status_code == 302
    fresh(database)
    assert not database.session.get(Course, course.id).is_open
    assert f'data-course-id="{course.id}"' not in text(teacher_client.get("/cabinet/courses"))

    assert staff_client.post(f"/admin/courses/{course.id}/reopen", data={"csrf_token": token}).status_code == 302
    fresh(database)
    assert database.session.get(Course, course.id).is_open
    assert f'data-course-id="{course.id}"' in text(teacher_client.get("/cabinet/courses"))
    assert [e.action for e in audit_events(database, "course.closed") + audit_events(database, "course.reopened")] == [
        "course.closed", "course.reopened"]


def test_closing_without_csrf_token_changes_nothing(database, staff_client):
    course = first_course(database)
    assert staff_client.post(f"/admin/courses/{course.id}/close", data={}).status_code == 400
    fresh(database)
    assert database.session.get(Course, course.id).is_open


def test_missing_course_is_404(staff_client):
    assert staff_client.get("/admin/courses/999999").status_code == 404
    assert staff_client.get("/admin/courses/999999/edit").status_code == 404


# ------------------------------------------------------------------------------------------- applications


def test_course_page_lists_applications_with_teacher_and_organisation(database, make_user, staff_client):
    course = first_course(database)
    [record] = catalogue_records(database, make_user, course, [CourseStatus.APPLIED])
    page = text(staff_client.get(f"/admin/courses/{course.id}"))
    assert record.user.full_name in page and record.user.organization.short_name in page
    assert f'name="record_ids" value="{record.id}"' in page
    assert "подана заявка" in page and "Зачислить" in page and "Отметить завершившими" in page


def test_bulk_enrol_moves_only_pending_applications_of_this_course(database, make_user, staff_client):
    course, other = database.session.scalars(select(Course).order_by(Course.id).limit(2)).all()
    applied = catalogue_records(database, make_user, course, [CourseStatus.APPLIED] * 3)
    [completed] = catalogue_records(database, make_user, course, [CourseStatus.COMPLETED])
    [elsewhere] = catalogue_records(database, make_user, other, [CourseStatus.APPLIED])

    response = post_bulk(staff_client, course, "enroll", [applied[0].id, applied[1].id, completed.id, elsewhere.id])
    assert response.status_code == 302
    assert statuses(database, applied) == [CourseStatus.ENROLLED, CourseStatus.ENROLLED, CourseStatus.APPLIED]
    assert statuses(database, [completed, elsewhere]) == [CourseStatus.COMPLETED, CourseStatus.APPLIED]
    [event_] = audit_events(database, "course.records_enrolled")
    assert (event_.target_type, event_.target_id) == ("courses", course.id)
    assert event_.details["record_ids"] == sorted([applied[0].id, applied[1].id])
    page = text(staff_client.get(response.headers["Location"]))
    assert "Зачислено на курс: 2." in page and "Не изменено: 2" in page


def test_bulk_complete_sets_the_completion_date_when_empty(database, make_user, staff_client):
    course = first_course(database)
    enrolled = catalogue_records(database, make_user, course, [CourseStatus.ENROLLED] * 2)
    enrolled[1].completed_on = date(2026, 12, 25)
    [applied] = catalogue_records(database, make_user, course, [CourseStatus.APPLIED])
    database.session.commit()

    assert post_bulk(staff_client, course, "complete", [r.id for r in enrolled] + [applied.id]).status_code == 302
    assert statuses(database, enrolled + [applied]) == [
        CourseStatus.COMPLETED, CourseStatus.COMPLETED, CourseStatus.APPLIED]
    completed_on = [database.session.get(CourseRecord, r.id).completed_on for r in enrolled]
    assert completed_on == [local_today(), date(2026, 12, 25)]
    [event_] = audit_events(database, "course.records_completed")
    assert event_.details["record_ids"] == sorted(r.id for r in enrolled)


def test_bulk_action_without_csrf_token_changes_nothing(database, make_user, staff_client):
    course = first_course(database)
    applied = catalogue_records(database, make_user, course, [CourseStatus.APPLIED] * 2)
    response = staff_client.post(
        f"/admin/courses/{course.id}/records", data={"action": "enroll", "record_ids": [str(r.id) for r in applied]}
    )
    assert response.status_code == 400
    assert statuses(database, applied) == [CourseStatus.APPLIED] * 2
    assert audit_events(database, "course.records_enrolled") == []


def test_bulk_action_with_nothing_ticked_or_unknown_action(database, make_user, staff_client):
    course = first_course(database)
    [record] = catalogue_records(database, make_user, course, [CourseStatus.APPLIED])
    response = post_bulk(staff_client, course, "enroll", [])
    assert "Отметьте хотя бы одну заявку" in text(staff_client.get(response.headers["Location"]))
    response = post_bulk(staff_client, course, "delete", [record.id])
    assert "Неизвестное действие" in text(staff_client.get(response.headers["Location"]))
    post_bulk(staff_client, course, "enroll", ["x", "-1", "1e3"])
    assert statuses(database, [record]) == [CourseStatus.APPLIED]


def test_applications_are_paginated_by_fifty(database, make_user, staff_client):
    course = first_course(database)
    catalogue_records(database, make_user, course, [CourseStatus.APPLIED] * 55)
    first = text(staff_client.get(f"/admin/courses/{course.id}"))
    second = text(staff_client.get(f"/admin/courses/{course.id}", query_string={"page": 2}))
    assert len(re.findall(r'name="record_ids"', first)) == 50
    assert len(re.findall(r'name="record_ids"', second)) == 5
    assert "Страница 2" in first


def test_applications_filtered_by_status(database, make_user, staff_client):
    course = first_course(database)
    applied = catalogue_records(database, make_user, course, [CourseStatus.APPLIED] * 2)
    enrolled = catalogue_records(database, make_user, course, [CourseStatus.ENROLLED])
    page = text(staff_client.get(f"/admin/courses/{course.id}", query_string={"status": "enrolled"}))
    shown = [int(i) for i in re.findall(r'data-record-id="(\d+)"', page)]
    assert shown == [enrolled[0].id] and applied[0].id not in shown


# ------------------------------------------------------------------------------------------- external courses


def test_external_records_awaiting_verification_are_listed(database, make_user, staff_client):
    teacher = make_user()
    waiting = external_course_record(database, teacher, title="Курс Академии", certificate_file="0" * 32 + ".pdf",
                                     certificate_mime="application/pdf")
    verified = external_course_record(database, teacher, title="Проверенный курс", verified_at=utcnow())
    course = first_course(database)
    catalogue_records(database, make_user, course, [CourseStatus.COMPLETED])
    page = text(staff_client.get("/admin/courses/external"))
    assert [int(i) for i in re.findall(r'data-record-id="(\d+)"', page)] == [waiting.id]
    assert "Курс Академии" in page and teacher.full_name in page and verified.title not in page
    assert f"/cabinet/courses/{waiting.id}/certificate" in page


def test_methodologist_marks_external_records_verified(database, make_user, methodologist, staff_client):
    teacher = make_user()
    first, second = external_course_record(database, teacher), external_course_record(database, teacher, title="Второй курс")
    token = extract_csrf(staff_client.get("/admin/courses/external"))
    response = staff_client.post("/admin/courses/external/verify",
                                 data={"csrf_token": token, "record_ids": [str(first.id)]})
    assert response.status_code == 302
    fresh(database)
    first, second = database.session.get(CourseRecord, first.id), database.session.get(CourseRecord, second.id)
    assert first.verified_at is not None and first.verified_by_id == methodologist.id
    assert second.verified_at is None
    [event_] = audit_events(database, "course.record_verified")
    assert (event_.target_id, event_.actor_id) == (first.id, methodologist.id)
    assert "проверено методистом" in text(signed_in(staff_client.application, teacher).get("/cabinet/courses"))
    assert f'data-record-id="{first.id}"' not in text(staff_client.get("/admin/courses/external"))


def test_verification_without_csrf_token_changes_nothing(database, make_user, staff_client):
    record = external_course_record(database, make_user())
    response = staff_client.post("/admin/courses/external/verify", data={"record_ids": [str(record.id)]})
    assert response.status_code == 400
    fresh(database)
    assert database.session.get(CourseRecord, record.id).verified_at is None


def test_catalogue_records_are_not_verified_as_external(database, make_user, staff_client):
    [record] = catalogue_records(database, make_user, first_course(database), [CourseStatus.COMPLETED])
    token = extract_csrf(staff_client.get("/admin/courses/external"))
    staff_client.post("/admin/courses/external/verify", data={"csrf_token": token, "record_ids": [str(record.id)]})
    fresh(database)
    assert database.session.get(CourseRecord, record.id).verified_at is None


def test_methodologist_downloads_a_certificate_from_the_queue(database, make_user, staff_client):
    from cpp_app import uploads

    teacher = make_user()
    name, mime = uploads.save(PDF, "certificates")
    record = external_course_record(database, teacher, certificate_file=name, certificate_mime=mime)
    response = staff_client.get(f"/cabinet/courses/{record.id}/certificate")
    assert response.status_code == 200 and response.data == PDF
