import re

from sqlalchemy import func, select

from cpp_app.mail import outbox
from cpp_app.models import AuditEvent, ConsentAction, ConsentEvent, Organization, User
from tests.conftest import extract_csrf
from tests.factories import current_edition

STRONG_PASSWORD = "Енисей-течёт-на-север"


def form_data(client, **overrides):
    data = {
        "last_name": "Сидорова",
        "first_name": "Елена",
        "middle_name": "",
        "phone": "8 (912) 345-67-89",
        "email": "Sidorova.E@School.example",
        "settlement": "Абан",
        "workplace": "",
        "organization_id": "",
        "password": STRONG_PASSWORD,
        "password_confirm": STRONG_PASSWORD,
        "consent": "y",
    }
    page = client.get("/register")
    data["csrf_token"] = extract_csrf(page)
    data["consent_version"] = re.search(r'name="consent_version"[^>]*value="(\d+)"', page.get_data(as_text=True)).group(1)
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def user_count(database):
    return database.session.scalar(select(func.count(User.id)))


def first_school(database) -> Organization:
    return database.session.scalars(select(Organization).where(Organization.inn.is_not(None)).order_by(Organization.id)).first()


def test_form_has_the_seed_fields_with_labels(client):
    html = client.get("/register").get_data(as_text=True)
    for label in (
        "Фамилия", "Имя", "Отчество", "Контактный номер телефона", "Адрес электронной почты", "Населённый пункт",
        "Место работы", "Пароль", "Подтверждение пароля",
        "Даю согласие на обработку персональных данных",
    ):
        assert label in html
    for field_id in ("last_name", "first_name", "middle_name", "phone", "email", "settlement", "workplace",
                     "password", "password_confirm", "consent"):
        assert f'<label for="{field_id}"' in html, field_id
    consent_box = re.search(r'<input[^>]*id="consent"[^>]*>', html).group(0)
    assert "checked" not in consent_box
    assert f'href="/privacy/consent/{current_edition()}"' in html


def test_registration_with_registry_workplace(client, database):
    school = first_school(database)
    response = client.post(
        "/register", data=form_data(client, workplace=school.label, organization_id=str(school.id))
    )
    assert response.status_code == 302
    user = database.session.scalar(select(User).where(User.email == "sidorova.e@school.example"))
    assert user.phone == "+79123456789"
    assert user.middle_name is None
    assert user.organization_id == school.id and user.workplace_text is None
    assert user.role == "teacher"
    assert user.password_hash.startswith("$argon2id$")
    event = database.session.scalar(select(ConsentEvent).where(ConsentEvent.user_id == user.id))
    assert event.action == ConsentAction.GRANTED
    assert event.document.version == current_edition() and event.document_sha256 == event.document.sha256
    assert event.ip == "127.0.0.1" and event.user_agent is not None
    assert database.session.scalar(select(AuditEvent).where(AuditEvent.action == "user.registered")) is not None
    # Not signed in by registering: the same answer must follow for an address that already has an account.
    assert response.headers["Location"] == "/login"
    assert user.email_confirmed_at is None
    assert [m["Subject"] for m in outbox()] == ["Подтвердите адрес электронной почты в ЦПП"]
    html = client.get("/login").get_data(as_text=True)
    assert "Мы отправили письмо на адрес sidorova.e@school.example" in html
    assert "Сидорова Е." not in html


def test_typed_workplace_without_js_resolves_by_inn(client, database):
    school = first_school(database)
    client.post("/register", data=form_data(client, workplace=school.inn))
    user = database.session.scalar(select(User))
    assert user.organization_id == school.id


def test_unknown_workplace_is_kept_for_a_methodologist(client, database, login):
    typed = "МБОУ «Новая школа» пос. Таёжный"
    asked = client.post("/register", data=form_data(client, workplace=typed))
    assert asked.status_code == 200 and user_count(database) == 0
    client.post("/register", data=form_data(client, workplace=typed, workplace_asked=typed, workplace_choice="none"))
    user = database.session.scalar(select(User))
    assert user.organization_id is None
    assert user.workplace_text == "МБОУ «Новая школа» пос. Таёжный"
    login(user, password=STRONG_PASSWORD)
    assert "ожидает сопоставления" in client.get("/", follow_redirects=True).get_data(as_text=True)


def test_forged_organization_id_is_not_trusted(client, database):
    school, other = database.session.scalars(select(Organization).order_by(Organization.id).limit(2)).all()
    client.post("/register", data=form_data(client, workplace="Школа, которой нет", organization_id=str(other.id),
                                            workplace_asked="Школа, которой нет", workplace_choice="none"))
    user = database.session.scalar(select(User))
    assert user.organization_id is None and user.workplace_text == "Школа, которой нет"


def test_without_consent_nothing_is_created(client, database):
    response = client.post("/register", data=form_data(client, consent=None, workplace="Школа"))
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Без согласия на обработку персональных данных регистрация невозможна." in html
    assert user_count(database) == 0
    assert 'value="Сидорова"' in html and 'value="Абан"' in html


def test_errors_next_to_fields_and_values_kept(client, database):
    response = client.post(
        "/register",
        data=form_data(client, phone="12345", email="не-почта", password_confirm="другой", last_name="", workplace="Школа"),
    )
    html = response.get_data(as_text=True)
    assert user_count(database) == 0
    assert 'id="last_name-error"' in html and "Укажите фамилию." in html
    assert 'id="email-error"' in html
    assert "Пароли не совпадают." in html
    assert 'value="не-почта"' in html and 'value="Школа"' in html


def test_phone_and_password_checked_by_the_service(client, database):
    response = client.post(
        "/register", data=form_data(client, phone="8 (000) 000-00-00", password="qwerty123", password_confirm="qwerty123", workplace="Школа")
    )
    html = response.get_data(as_text=True)
    assert "Такого номера телефона не существует" in html
    assert "слишком распространён" in html
    assert user_count(database) == 0


def test_email_unique_regardless_of_case(client, database, make_user):
    make_user(email="sidorova.e@school.example")
    response = client.post("/register", data=form_data(client, email="SIDOROVA.E@SCHOOL.EXAMPLE", workplace="Элитовская"))
    # The same answer as for a new address; the owner is told instead of the form saying the address is taken.
    assert response.status_code == 302 and response.headers["Location"] == "/login"
    assert "Этот адрес уже зарегистрирован" not in client.get("/login").get_data(as_text=True)
    assert user_count(database) == 1
    assert [(m["To"], m["Subject"]) for m in outbox()] == [
        ("sidorova.e@school.example", "Попытка регистрации в ЦПП с вашим адресом")]


def test_stale_consent_version_asks_again(client, database):
    from cpp_app.blueprints.privacy.services import publish_document

    data = form_data(client, workplace="Школа")
    publish_document("Согласие, редакция 2", "# Согласие, редакция 2\n\nНовый текст.")
    database.session.commit()
    response = client.post("/register", data=data)
    assert "Текст согласия обновился" in response.get_data(as_text=True)
    assert user_count(database) == 0


def test_missing_csrf_token_keeps_the_input(client, database):
    data = form_data(client, workplace="Школа")
    del data["csrf_token"]
    response = client.post("/register", data=data)
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Срок действия страницы истёк" in html
    assert 'value="Сидорова"' in html
    assert user_count(database) == 0


def test_organization_search_suggests_by_name_and_inn(client, database):
    school = first_school(database)
    fragment = school.short_name.split()[-1].strip('"«»').lower()[:5]
    by_name = client.get("/organizations/search", query_string={"q": fragment}).get_json()
    assert any(item["id"] == school.id for item in by_name)
    by_inn = client.get("/organizations/search", query_string={"q": school.inn[:6]}).get_json()
    assert any(item["id"] == school.id and item["label"] == school.label for item in by_inn)
    assert client.get("/organizations/search", query_string={"q": "%"}).get_json() == []


def test_label_typed_without_js_resolves(client, database):
    school = first_school(database)
    client.post("/register", data=form_data(client, workplace=school.label))
    user = database.session.scalar(select(User))
    assert user.organization_id == school.id and user.workplace_text is None


def test_an_organization_id_beyond_the_id_range_is_a_typed_workplace_not_a_500(client, database):
    response = client.post("/register", data=form_data(client, workplace="Элитовская СОШ",
                                                       organization_id="99999999999999999999"))
    assert response.status_code == 302
    user = database.session.scalar(select(User))
    assert user.organization.short_name == "МБОУ Элитовская СОШ" and user.workplace_text is None
