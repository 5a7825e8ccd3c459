"""The teacher's courses page: catalogue applications, external courses and their certificates."""
import io
import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from cpp_app.kernel.clock import local_today
from cpp_app.models import (
    AuditEvent,
    Course,
    CourseRecord,
    CourseStatus,
    Municipality,
    Organization,
    OrganizationKind,
    Role,
    utcnow,
)
from tests.conftest import extract_csrf
from tests.factories import external_course_record, fresh, signed_in, text
from tests.security.uploads_common import sample_image, sample_pdf

PDF = sample_pdf()
PNG = sample_image("PNG")
JPEG = sample_image("JPEG")
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00" + b"\x00" * 200

pytestmark = pytest.mark.usefixtures("uploads_dir")  # certificates go to a throw-away folder


@pytest.fixture
def teacher(make_user):
    return make_user(last_name="Соколова")


@pytest.fixture
def teacher_client(app, teacher):
    return signed_in(app, teacher)


@pytest.fixture
def other_organization(database):
    municipality = database.session.scalars(select(Municipality).order_by(Municipality.id)).first()
    organization = Organization(
        full_name="МБОУ «Другая средняя школа № 2»", short_name="МБОУ Другая СОШ № 2",
        kind=OrganizationKind.SCHOOL, municipality=municipality,
    )
    database.session.add(organization)
    database.session.commit()
    return organization


def token(client) -> str:
    return extract_csrf(client.get("/cabinet/courses"))


def records_of(database, user) -> list[CourseRecord]:
    fresh(database)
    return list(database.session.scalars(select(CourseRecord).where(CourseRecord.user_id == user.id)))


def open_courses(database) -> list[Course]:
    return list(database.session.scalars(select(Course).where(Course.is_open).order_by(Course.id)))


def external_form(**overrides):
    data = {
        "title": "Цифровая дидактика",
        "provider": "Академия Минпросвещения России",
        "hours": "72",
        "completed_on": (local_today() - timedelta(days=30)).isoformat(),
        "certificate_number": "772400012345",
    }
    data.update(overrides)
    return data


def post_external(client, url="/cabinet/courses/external/new", file=None, **overrides):
    """`file` is (bytes, file name, content type as the browser claims it)."""
    data = {**external_form(**overrides), "csrf_token": token(client)}
    if file is not None:
        content, filename, content_type = file
        data["certificate"] = (io.BytesIO(content), filename, content_type)
    return client.post(url, data=data, content_type="multipart/form-data")


def edit_external(client, record, file=None, **overrides):
    return post_external(client, url=f"/cabinet/courses/{record.id}/edit", file=file, **overrides)


def apply(client, course):
    return client.post(f"/cabinet/courses/catalogue/{course.id}/apply", data={"csrf_token": token(client)})


def stored_files(directory) -> list[str]:
    return sorted(p.name for p in directory.iterdir()) if directory.exists() else []


# ------------------------------------------------------------------------------------------- the catalogue


def test_anonymous_visitors_are_sent_to_sign_in(client):
    response = client.get("/cabinet/courses")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_catalogue_lists_open_courses_with_their_details(database, teacher_client):
    courses = open_courses(database)
    closed = courses[0]
    closed.is_open = False
    database.session.commit()

    page = text(teacher_client.get("/cabinet/courses"))
    shown = [int(value) for value in re.findall(r'data-course-id="(\d+)"', page)]
    assert sorted(shown) == sorted(course.id for course in courses[1:])
    course = courses[1]
    assert course.title in page and course.topic in page and course.format.label in page
    assert f"{course.hours} ч" in page
    assert course.starts_on.strftime("%d.%m.%Y") in page and course.ends_on.strftime("%d.%m.%Y") in page
    assert "Подать заявку" in page


def test_catalogue_is_filtered_by_topic(database, teacher_client):
    course = open_courses(database)[0]
    response = teacher_client.get("/cabinet/courses", query_string={"topic": course.topic})
    shown = {int(value) for value in re.findall(r'data-course-id="(\d+)"', text(response))}
    expected = {c.id for c in open_courses(database) if c.topic == course.topic}
    assert shown == expected and len(shown) < len(open_courses(database))


def test_unknown_topic_shows_the_whole_catalogue(database, teacher_client):
    response = teacher_client.get("/cabinet/courses", query_string={"topic": "<script>"})
    assert len(re.findall(r'data-course-id="', text(response))) == len(open_courses(database))
    assert "<script>" not in text(response)


# ------------------------------------------------------------------------------------------- applications


def test_applying_creates_one_application(database, teacher, teacher_client):
    course = open_courses(database)[0]
    response = apply(teacher_client, course)
    assert response.status_code == 302
    [record] = records_of(database, teacher)
    assert (record.course_id, record.status) == (course.id, CourseStatus.APPLIED)
    assert record.external_title is None
    page = text(teacher_client.get("/cabinet/courses"))
    assert "Заявка на курс" in page and "подана" in page and "Отозвать заявку" in page
    assert database.session.scalar(select(func.count()).where(AuditEvent.action == "course.applied")) == 1


def test_second_application_to_the_same_course_is_refused(database, teacher, teacher_client):
    course = open_courses(database)[0]
    url = f"/cabinet/courses/catalogue/{course.id}/apply"
    teacher_client.post(url, data={"csrf_token": token(teacher_client)})
    response = teacher_client.post(url, data={"csrf_token": token(teacher_client)}, follow_redirects=True)
    assert "Вы уже подали заявку на курс" in text(response)
    assert len(records_of(database, teacher)) == 1


def test_a_racing_second_application_is_refused_not_a_500(database, teacher, teacher_client, monkeypatch):
    """Two clicks: the second passed the check before the first was written; the unique key decides."""
    from cpp_app.blueprints.courses import services as course_services

    course = open_courses(database)[0]
    database.session.add(CourseRecord(user_id=teacher.id, course_id=course.id, status=CourseStatus.APPLIED))
    database.session.commit()
    monkeypatch.setattr(course_services, "_existing_application", lambda user_id, course_id: None)
    response = teacher_client.post(f"/cabinet/courses/catalogue/{course.id}/apply",
                                   data={"csrf_token": token(teacher_client)}, follow_redirects=True)
    assert response.status_code == 200 and "Вы уже подали заявку на курс" in text(response)
    assert len(records_of(database, teacher)) == 1


def test_closed_course_cannot_be_applied_to(database, teacher, teacher_client):
    course = open_courses(database)[0]
    csrf = token(teacher_client)
    course.is_open = False
    database.session.commit()
    response = teacher_client.post(f"/cabinet/courses/catalogue/{course.id}/apply", data={"csrf_token": csrf},
                                   follow_redirects=True)
    assert "закрыта" in text(response)
    assert records_of(database, teacher) == []


def test_applying_to_a_missing_course_is_404(teacher_client):
    missing = Course(id=999999, title="—", hours=1, topic="—")
    assert apply(teacher_client, missing).status_code == 404


def test_application_without_csrf_token_changes_nothing(database, teacher, teacher_client):
    course = open_courses(database)[0]
    response = teacher_client.post(f"/cabinet/courses/catalogue/{course.id}/apply", data={})
    assert response.status_code == 400
    assert records_of(database, teacher) == []


def test_teacher_withdraws_an_application_still_pending(database, teacher, teacher_client):
    course = open_courses(database)[0]
    record = CourseRecord(user_id=teacher.id, course_id=course.id, status=CourseStatus.APPLIED)
    database.session.add(record)
    database.session.commit()
    response = teacher_client.post(f"/cabinet/courses/{record.id}/withdraw", data={"csrf_token": token(teacher_client)},
                                   follow_redirects=True)
    assert "отозвана" in text(response)
    assert records_of(database, teacher) == []


def test_enrolled_application_cannot_be_withdrawn(database, teacher, teacher_client):
    course = open_courses(database)[0]
    record = CourseRecord(user_id=teacher.id, course_id=course.id, status=CourseStatus.ENROLLED)
    database.session.add(record)
    database.session.commit()
    response = teacher_client.post(f"/cabinet/courses/{record.id}/withdraw", data={"csrf_token": token(teacher_client)},
                                   follow_redirects=True)
    assert "отозвать её нельзя" in text(response)
    assert [r.status for r in records_of(database, teacher)] == [CourseStatus.ENROLLED]


def test_another_teachers_application_cannot_be_withdrawn(app, database, make_user, teacher_client):
    owner = make_user()
    course = open_courses(database)[0]
    record = CourseRecord(user_id=owner.id, course_id=course.id, status=CourseStatus.APPLIED)
    database.session.add(record)
    database.session.commit()
    response = teacher_client.post(f"/cabinet/courses/{record.id}/withdraw", data={"csrf_token": token(teacher_client)})
    assert response.status_code == 404
    assert len(records_of(database, owner)) == 1


# ------------------------------------------------------------------------------------------- external courses


def test_external_course_is_added_as_completed(database, teacher, teacher_client, uploads_dir):
    response = post_external(teacher_client, file=(PDF, "удостоверение.pdf", "application/pdf"))
    assert response.status_code == 302, text(response)
    [record] = records_of(database, teacher)
    assert record.is_external and record.status == CourseStatus.COMPLETED
    assert (record.title, record.provider, record.hours) == ("Цифровая дидактика", "Академия Минпросвещения России", 72)
    assert record.certificate_number == "772400012345" and record.verified_at is None
    assert record.certificate_mime == "application/pdf"
    assert stored_files(uploads_dir) == [record.certificate_file]
    assert "удостоверение" not in record.certificate_file
    assert (uploads_dir / record.certificate_file).read_bytes() == PDF
    page = text(teacher_client.get("/cabinet/courses"))
    assert "Цифровая дидактика" in page and "ожидает проверки" in page


def test_external_course_without_a_file(database, teacher, teacher_client, uploads_dir):
    assert post_external(teacher_client).status_code == 302
    [record] = records_of(database, teacher)
    assert record.certificate_file is None and record.certificate_mime is None
    assert stored_files(uploads_dir) == []


def test_png_named_pdf_is_stored_as_png(database, teacher, teacher_client, uploads_dir):
    assert post_external(teacher_client, file=(PNG, "scan.pdf", "application/pdf")).status_code == 302
    [record] = records_of(database, teacher)
    assert record.certificate_mime == "image/png" and record.certificate_file.endswith(".png")
    response = teacher_client.get(f"/cabinet/courses/{record.id}/certificate")
    assert response.headers["Content-Type"] == "image/png"


def test_executable_named_pdf_is_refused(database, teacher, teacher_client, uploads_dir):
    response = post_external(teacher_client, file=(EXE, "certificate.pdf", "application/pdf"))
    assert response.status_code == 200
    assert "Загрузите файл в формате PDF, JPG или PNG" in text(response)
    assert records_of(database, teacher) == []
    assert stored_files(uploads_dir) == []


@pytest.mark.parametrize(("content", "label"), [
    (b"%PDF-1.7\n<html><script>alert(document.cookie)</script></html>\n%%EOF\n", "PDF"),
    (b"\x89PNG\r\n\x1a\n<html><script>alert(document.cookie)</script></html>", "PNG"),
])
def test_a_page_behind_a_borrowed_signature_is_refused_on_the_field(database, teacher, teacher_client, uploads_dir,
                                                                     content, label):
    response = post_external(teacher_client, file=(content, "certificate.pdf", "application/pdf"))
    assert response.status_code == 200
    error = re.search(r'id="certificate-error"[^>]*>([^<]*)<', text(response))
    assert error and f"Файл начинается как {label}, но не открывается" in error.group(1), text(response)[-4000:]
    assert records_of(database, teacher) == []
    assert stored_files(uploads_dir) == []


def test_file_over_five_megabytes_is_refused(database, teacher, teacher_client, uploads_dir):
    big = PDF + b"\x00" * (5 * 1024 * 1024)
    response = post_external(teacher_client, file=(big, "big.pdf", "application/pdf"))
    assert response.status_code == 200 and "Файл больше 5 МБ" in text(response)
    assert records_of(database, teacher) == []
    assert stored_files(uploads_dir) == []


def test_request_over_the_app_limit_gets_the_russian_413(database, teacher, teacher_client, uploads_dir):
    huge = PDF + b"\x00" * (9 * 1024 * 1024)
    response = post_external(teacher_client, file=(huge, "huge.pdf", "application/pdf"))
    assert response.status_code == 413 and "Слишком большой файл" in text(response)
    assert records_of(database, teacher) == []


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("hours", "0", "от 1 до 2000"),
        ("hours", "2001", "от 1 до 2000"),
        ("hours", "много", "целое число"),
        ("completed_on", "", "Укажите дату окончания"),
        ("completed_on", "31.02.2025", "дд.мм.гггг"),
        ("title", "", "Укажите название"),
        ("certificate_number", "", "Укажите номер"),
    ],
)
def test_invalid_external_course_is_refused_in_russian(
    database, teacher, teacher_client, uploads_dir, field, value, message
):
    response = post_external(teacher_client, file=(PDF, "c.pdf", "application/pdf"), **{field: value})
    assert response.status_code == 200 and message in text(response)
    assert records_of(database, teacher) == []
    assert stored_files(uploads_dir) == [], "a refused form leaves no file behind"


def test_completion_date_in_the_future_is_refused(database, teacher, teacher_client):
    tomorrow = (local_today() + timedelta(days=1)).isoformat()
    response = post_external(teacher_client, completed_on=tomorrow)
    assert "не может быть позже сегодняшнего дня" in text(response)
    assert records_of(database, teacher) == []
    assert post_external(teacher_client, completed_on=local_today().strftime("%d.%m.%Y")).status_code == 302


def test_external_course_without_csrf_token_changes_nothing(database, teacher, teacher_client, uploads_dir):
    data = {**external_form(), "certificate": (io.BytesIO(PDF), "c.pdf", "application/pdf")}
    response = teacher_client.post("/cabinet/courses/external/new", data=data, content_type="multipart/form-data")
    assert response.status_code == 400
    assert records_of(database, teacher) == [] and stored_files(uploads_dir) == []
    assert "Цифровая дидактика" in text(response), "the typed values are shown again"


def test_editing_changes_the_record_and_clears_verification(database, teacher, teacher_client, make_user):
    methodologist = make_user(role=Role.METHODOLOGIST)
    record = external_course_record(database, teacher, verified_at=utcnow(), verified_by_id=methodologist.id)
    page = text(teacher_client.get(f"/cabinet/courses/{record.id}/edit"))
    assert "Курс другой организации" in page and "проверит их заново" in page
    response = edit_external(teacher_client, record, title="Новое название", hours="48")
    assert response.status_code == 302
    [record] = records_of(database, teacher)
    assert (record.title, record.hours) == ("Новое название", 48)
    assert record.verified_at is None and record.verified_by_id is None


def test_saving_unchanged_record_keeps_verification(database, teacher, teacher_client, make_user):
    methodologist = make_user(role=Role.METHODOLOGIST)
    record = external_course_record(database, teacher, verified_at=utcnow(), verified_by_id=methodologist.id)
    form = dict(title=record.title, provider=record.provider, hours=str(record.hours),
                completed_on=record.completed_on.isoformat(), certificate_number=record.certificate_number)
    assert edit_external(teacher_client, record, **form).status_code == 302
    [record] = records_of(database, teacher)
    assert record.verified_at is not None
    assert "проверено методистом" in text(teacher_client.get("/cabinet/courses"))


def test_replacing_the_certificate_removes_the_old_file(database, teacher, teacher_client, uploads_dir):
    record = external_course_record(database, teacher, certificate=PDF)
    old = record.certificate_file
    response = edit_external(teacher_client, record, file=(JPEG, "new.jpg", "image/jpeg"))
    assert response.status_code == 302
    [record] = records_of(database, teacher)
    assert record.certificate_file != old and record.certificate_mime == "image/jpeg"
    assert stored_files(uploads_dir) == [record.certificate_file]


def test_refused_replacement_keeps_the_old_file(database, teacher, teacher_client, uploads_dir):
    record = external_course_record(database, teacher, certificate=PDF)
    old = record.certificate_file
    response = edit_external(teacher_client, record, file=(EXE, "new.pdf", "application/pdf"))
    assert response.status_code == 200
    [record] = records_of(database, teacher)
    assert record.certificate_file == old and stored_files(uploads_dir) == [old]


def test_removing_the_certificate_file(database, teacher, teacher_client, uploads_dir):
    record = external_course_record(database, teacher, certificate=PNG)
    response = edit_external(teacher_client, record, remove_certificate="y")
    assert response.status_code == 302
    [record] = records_of(database, teacher)
    assert record.certificate_file is None and record.certificate_mime is None
    assert stored_files(uploads_dir) == []


def test_deleting_asks_first_and_removes_the_file(database, teacher, teacher_client, uploads_dir):
    record = external_course_record(database, teacher, certificate=PDF)
    page = teacher_client.get(f"/cabinet/courses/{record.id}/delete")
    assert page.status_code == 200 and "Удалить курс из профиля?" in text(page)
    assert len(records_of(database, teacher)) == 1, "the confirmation page deletes nothing"
    response = teacher_client.post(f"/cabinet/courses/{record.id}/delete", data={"csrf_token": extract_csrf(page)})
    assert response.status_code == 302
    assert records_of(database, teacher) == [] and stored_files(uploads_dir) == []


def test_deleting_without_csrf_token_changes_nothing(database, teacher, teacher_client, uploads_dir):
    record = external_course_record(database, teacher, certificate=PDF)
    assert teacher_client.post(f"/cabinet/courses/{record.id}/delete", data={}).status_code == 400
    assert len(records_of(database, teacher)) == 1 and len(stored_files(uploads_dir)) == 1


def test_catalogue_records_are_not_edited_or_deleted_here(database, teacher, teacher_client):
    course = open_courses(database)[0]
    record = CourseRecord(user_id=teacher.id, course_id=course.id, status=CourseStatus.COMPLETED)
    database.session.add(record)
    database.session.commit()
    assert teacher_client.get(f"/cabinet/courses/{record.id}/edit").status_code == 404
    response = teacher_client.post(f"/cabinet/courses/{record.id}/delete", data={"csrf_token": token(teacher_client)})
    assert response.status_code == 404
    assert len(records_of(database, teacher)) == 1


def test_another_teachers_record_is_404_for_edit_and_delete(database, make_user, teacher_client, uploads_dir):
    owner = make_user()
    record = external_course_record(database, owner, certificate=PDF)
    csrf = token(teacher_client)
    assert teacher_client.get(f"/cabinet/courses/{record.id}/edit").status_code == 404
    assert edit_external(teacher_client, record, title="Чужое").status_code == 404
    assert teacher_client.get(f"/cabinet/courses/{record.id}/delete").status_code == 404
    assert teacher_client.post(f"/cabinet/courses/{record.id}/delete", data={"csrf_token": csrf}).status_code == 404
    [kept] = records_of(database, owner)
    assert kept.title == "Курс другой организации" and len(stored_files(uploads_dir)) == 1


# ------------------------------------------------------------------------------------------- certificates


def test_owner_downloads_the_certificate_as_an_attachment(database, teacher, teacher_client):
    record = external_course_record(database, teacher, certificate=PDF)
    response = teacher_client.get(f"/cabinet/courses/{record.id}/certificate")
    assert response.status_code == 200
    assert response.data == PDF
    assert response.headers["Content-Type"] == "application/pdf"
    assert response.headers["Content-Disposition"].startswith("attachment")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Cache-Control"] == "no-store"


def test_certificate_access_by_role_and_organisation(app, database, make_user, teacher, other_organization):
    record = external_course_record(database, teacher, certificate=PNG)
    url = f"/cabinet/courses/{record.id}/certificate"
    allowed = [
        make_user(role=Role.SCHOOL_ADMIN),  # the teacher's organisation
        make_user(role=Role.METHODOLOGIST),
        make_user(role=Role.ADMIN),
    ]
    refused = [
        make_user(),  # another teacher of the same organisation
        make_user(role=Role.SCHOOL_ADMIN, organization=other_organization),
        make_user(role=Role.SCHOOL_ADMIN, organization=None),
    ]
    for user in allowed:
        response = signed_in(app, user).get(url)
        assert response.status_code == 200 and response.data == PNG, user.role
    for user in refused:
        assert signed_in(app, user).get(url).status_code == 404, user.role
    assert app.test_client().get(url).status_code == 302  # anonymous: sign in first


def test_certificate_of_a_record_without_file_is_404(database, teacher, teacher_client):
    record = external_course_record(database, teacher)
    assert teacher_client.get(f"/cabinet/courses/{record.id}/certificate").status_code == 404


@pytest.mark.parametrize(
    "path",
    [
        "/cabinet/courses/..%2F..%2Fsecret_key/certificate",
        "/cabinet/courses/../../secret_key/certificate",
        "/cabinet/courses/%2e%2e/certificate",
        "/cabinet/courses/{id}%2F..%2F..%2Fsecret_key/certificate",
        "/cabinet/courses/-{id}/certificate",
        "/cabinet/courses/{id}/certificate/../../../../secret_key",
        "/cabinet/courses/{id}/certificate/..%2F..%2F..%2Fsecret_key",
        "/cabinet/courses/{id}/certificate%00.pdf",
    ],
)
def test_path_traversal_on_the_certificate_route(database, teacher, teacher_client, uploads_dir, path):
    record = external_course_record(database, teacher, certificate=PDF)  # a real file next door: the route must not leak another
    uploads_dir.parent.parent.joinpath("secret_key").write_text("top secret")
    assert teacher_client.get(f"/cabinet/courses/{record.id}/certificate").status_code == 200
    response = teacher_client.get(path.format(id=record.id))
    assert response.status_code == 404 and b"top secret" not in response.data


@pytest.mark.parametrize("stored_name", ["../../secret_key", "../secret_key", "/etc/passwd", "..", "secret_key"])
def test_a_tampered_stored_name_never_leaves_the_uploads_folder(
    database, teacher, teacher_client, uploads_dir, stored_name
):
    uploads_dir.mkdir(parents=True, exist_ok=True)
    uploads_dir.parent.parent.joinpath("secret_key").write_text("top secret")
    uploads_dir.joinpath("secret_key").write_text("top secret")
    record = external_course_record(database, teacher, certificate_file=stored_name, certificate_mime="application/pdf")
    response = teacher_client.get(f"/cabinet/courses/{record.id}/certificate")
    assert response.status_code == 404 and b"top secret" not in response.data
