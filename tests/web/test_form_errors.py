"""Forms say everything at once (issue 13, points 5 and 6): every check runs on the first submit, an error summary
with a link per message heads the page, invalid inputs are marked, and passwords survive other fields' errors."""
import html as html_lib
import io
import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from cpp_app.kernel.clock import local_today
from cpp_app.models import CourseRecord, Platform, PlatformAccount, Role, User
from tests.conftest import TEST_PASSWORD, extract_csrf
from tests.factories import current_edition, signed_in
from tests.web.test_registration import STRONG_PASSWORD, first_school, form_data
from tests.web.test_review import decide, reviewer_client, submitted  # noqa: F401 # fixtures

pytestmark = pytest.mark.usefixtures("uploads_dir")


@pytest.fixture
def registration_data(database):
    """The registration form, filled in right (a school from the registry) unless told otherwise."""
    school = first_school(database)
    return lambda client, **overrides: form_data(
        client, **{"workplace": school.label, "organization_id": str(school.id), **overrides})


def summary_links(page: str) -> list[tuple[str, str]]:
    """(target id, message) of each link of the error summary."""
    summary = re.search(r'<div class="error-summary"(.*?)</div>', page, re.S)
    assert summary, "no error summary on the page"
    assert 'tabindex="-1"' in summary.group(1) and "autofocus" in summary.group(1)
    assert "Исправьте ошибки:" in summary.group(1)
    return [(target, html_lib.unescape(message).strip())
            for target, message in re.findall(r'<a href="#([^"]+)">(.*?)</a>', summary.group(1), re.S)]


def input_tag(page: str, element_id: str) -> str:
    tag = re.search(rf'<(?:input|select|textarea)\b[^>]*\bid="{re.escape(element_id)}"[^>]*>', page)
    assert tag, f"no input with id {element_id}"
    return tag.group(0)


def value_of(page: str, element_id: str) -> str | None:
    found = re.search(r'\bvalue="([^"]*)"', input_tag(page, element_id))
    return html_lib.unescape(found.group(1)) if found else None


# ------------------------------------------------------------------------------------------------ registration


def test_registration_reports_four_wrong_fields_in_one_response(client, database, registration_data):
    response = client.post("/register", data=registration_data(
        client, email="sidorova(at)school", password="qwerty123", password_confirm="qwerty123",
        phone="8 (000) 000", consent=None))
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    links = summary_links(page)
    assert [target for target, _ in links] == ["phone", "email", "password", "consent"]
    messages = dict(links)
    assert "Номер телефона" in messages["phone"] or "номер" in messages["phone"].lower()
    assert "name@example.ru" in messages["email"]
    assert "распространён" in messages["password"]
    assert "Без согласия" in messages["consent"]
    for target, message in links:
        # Each link leads to an input of the page, marked invalid and described by its message.
        tag = input_tag(page, target)
        assert 'aria-invalid="true"' in tag
        assert f"{target}-error" in tag
        assert message in html_lib.unescape(page.split(f'id="{target}-error">', 1)[1].split("</p>", 1)[0])
    assert database.session.scalar(select(func.count(User.id)).where(User.email.like("sidorova%"))) == 0


def test_phone_and_password_are_checked_with_the_empty_fields(client, registration_data):
    """The service's checks used to come in a second round, once the required fields were filled."""
    page = client.post("/register", data=registration_data(
        client, last_name="", phone="123", password="short", password_confirm="short")).get_data(as_text=True)
    assert [target for target, _ in summary_links(page)] == ["last_name", "phone", "password"]


def test_a_valid_password_is_filled_in_again_when_other_fields_fail(client, registration_data):
    page = client.post("/register", data=registration_data(client, phone="12", consent=None)).get_data(as_text=True)
    assert value_of(page, "password") == STRONG_PASSWORD
    assert value_of(page, "password_confirm") == STRONG_PASSWORD
    assert 'type="password"' in input_tag(page, "password")


def test_a_refused_password_is_not_filled_in_again(client, registration_data):
    page = client.post("/register", data=registration_data(
        client, phone="12", password="12345678", password_confirm="12345678")).get_data(as_text=True)
    assert value_of(page, "password") in (None, "")
    assert value_of(page, "password_confirm") in (None, "")  # it repeats the refused one
    # A mismatch empties the confirmation only.
    page = client.post("/register", data=registration_data(
        client, password_confirm=STRONG_PASSWORD + "!")).get_data(as_text=True)
    assert value_of(page, "password") == STRONG_PASSWORD
    assert value_of(page, "password_confirm") in (None, "")
    assert [target for target, _ in summary_links(page)] == ["password_confirm"]


def test_a_page_with_typed_passwords_is_not_stored_by_the_browser(client, registration_data):
    response = client.post("/register", data=registration_data(client, phone="12"))
    assert response.headers["Cache-Control"] == "no-store"


def test_an_address_already_registered_is_not_revealed_by_the_form(client, make_user, registration_data):
    make_user(email="taken@school.example")
    response = client.post("/register", data=registration_data(client, email="taken@school.example"))
    assert response.status_code == 302
    assert "Мы отправили письмо на адрес taken@school.example" in client.get("/login").get_data(as_text=True)


def test_the_consent_box_links_the_consent_and_the_policy_separately(client):
    page = client.get("/register").get_data(as_text=True)
    label = re.search(r'<label for="consent">(.*?)</label>', page, re.S).group(1)
    assert " ".join(label.split()).startswith("Даю согласие на обработку персональных данных")
    assert f'href="/privacy/consent/{current_edition()}"' in label and 'href="/privacy/"' not in label
    assert 'href="/privacy/"' in page.split('<label for="consent">', 1)[1].split("</form>", 1)[0]


# ---------------------------------------------------------------------------------------------- other forms


def test_password_change_reports_a_wrong_current_and_a_weak_new_password_together(app, make_user):
    client = signed_in(app, make_user())
    token = extract_csrf(client.get("/cabinet/security"))
    page = client.post("/cabinet/security/password", data={
        "current_password": "not-my-password", "new_password": "short", "new_password_confirm": "short",
        "csrf_token": token}).get_data(as_text=True)
    assert dict(summary_links(page)) == {
        "current_password": "Неверный текущий пароль.",
        "new_password": "Пароль должен быть не короче 8 символов.",
    }
    assert value_of(page, "current_password") in (None, "")


def test_email_change_reports_a_wrong_password_with_the_address_format(app, make_user):
    client = signed_in(app, make_user())
    page = client.post("/cabinet/profile/email", data={
        "csrf_token": extract_csrf(client.get("/cabinet/profile")), "new_email": "not an address",
        "current_password": "not-my-password"}).get_data(as_text=True)
    assert [target for target, _ in summary_links(page)] == ["new_email", "current_password"]


def test_external_course_reports_every_problem_at_once(app, make_user, database):
    teacher = make_user()
    client = signed_in(app, teacher)
    response = client.post("/cabinet/courses/external/new", content_type="multipart/form-data", data={
        "csrf_token": extract_csrf(client.get("/cabinet/courses")),
        "title": "", "provider": "КК ИПК", "hours": "72", "certificate_number": "12",
        "completed_on": (local_today() + timedelta(days=3)).isoformat(),
        "certificate": (io.BytesIO(b"MZ\x90\x00 not a document"), "scan.pdf", "application/pdf"),
    })
    page = response.get_data(as_text=True)
    messages = dict(summary_links(page))
    assert set(messages) == {"title", "completed_on", "certificate"}
    assert "позже сегодняшнего" in messages["completed_on"] and "формате" in messages["certificate"]
    assert database.session.scalar(select(func.count(CourseRecord.id))) == 0


def test_the_review_note_error_is_in_the_summary(reviewer_client, submitted):  # noqa: F811
    response = decide(reviewer_client, submitted.id, "return", note="")
    assert response.status_code == 400
    assert dict(summary_links(response.get_data(as_text=True))) == {
        "note": "Напишите, что нужно исправить: школа увидит этот комментарий."}


# --------------------------------------------------------------------------------------- platform profile links


def platforms_form(client, database, **links) -> dict[str, str]:
    data = {"csrf_token": extract_csrf(client.get("/cabinet/platforms"))}
    for platform in database.session.scalars(select(Platform)):
        prefix = f"platform-{platform.id}-"
        link = links.get(platform.code)
        data.update({prefix + "status": "registered" if link else "not_registered", prefix + "since": "",
                     prefix + "profile_url": link or ""})
    return data


def test_a_profile_link_without_https_gets_it_added(app, make_user, database):
    teacher = make_user()
    client = signed_in(app, teacher)
    response = client.post("/cabinet/platforms", data=platforms_form(client, database, sferum="Sferum.ru/?p=42"))
    assert response.status_code == 302
    database.session.expire_all()
    account = database.session.scalar(select(PlatformAccount).where(PlatformAccount.user_id == teacher.id))
    assert account.profile_url == "https://sferum.ru/?p=42"


def test_a_profile_link_to_another_site_is_in_the_summary_with_its_platform(app, make_user, database):
    client = signed_in(app, make_user())
    sferum = database.session.scalar(select(Platform).where(Platform.code == "sferum"))
    page = client.post("/cabinet/platforms", data=platforms_form(
        client, database, sferum="evil.example/sferum.ru")).get_data(as_text=True)
    [(target, message)] = summary_links(page)
    assert target == f"platform-{sferum.id}-profile_url"
    assert message.startswith(f"Ссылка на профиль: {sferum.name} — ") and "sferum.ru" in message
    assert 'aria-invalid="true"' in input_tag(page, target)
    assert "Изменения не сохранены" in page


def test_login_keeps_no_password_after_a_refusal(client, make_user):
    user = make_user()
    page = client.post("/login", data={"email": user.email, "password": TEST_PASSWORD + "x",
                                       "csrf_token": extract_csrf(client.get("/login"))}).get_data(as_text=True)
    assert value_of(page, "password") in (None, "")


def test_the_role_form_reports_a_wrong_role_and_an_unknown_inn_together(client, make_user, login):
    admin, teacher = make_user(role=Role.ADMIN), make_user()
    login(admin)
    token = extract_csrf(client.get(f"/admin/users/{teacher.id}"))
    page = client.post(f"/admin/users/{teacher.id}/role", data={
        "role": "superuser", "organization_inn": "0000000000", "csrf_token": token}).get_data(as_text=True)
    assert dict(summary_links(page)) == {
        "role": "Выберите роль из списка.",
        "organization_inn": "Организация с ИНН 0000000000 не найдена в реестре.",
    }
