"""The cabinet's overview and profile pages: what a teacher sees and may change of their own data."""
import re
from datetime import date

import pytest
from sqlalchemy import select

from cpp_app.blueprints.cabinet.profile_services import progress
from cpp_app.kernel.clock import local_today
from cpp_app.mail import outbox
from cpp_app.models import (
    AccountStatus,
    AuditEvent,
    Course,
    CourseRecord,
    CourseStatus,
    Organization,
    Platform,
    PlatformAccount,
    Role,
    utcnow,
)
from tests.conftest import TEST_PASSWORD, extract_csrf
from tests.factories import fresh, platforms_in_order


def organizations(database) -> list[Organization]:
    return list(database.session.scalars(select(Organization).where(Organization.is_active).order_by(Organization.id)))


def profile_data(client, **overrides):
    """The profile form as the page renders it for the signed-in user, with the given changes."""
    page = client.get("/cabinet/profile").get_data(as_text=True)
    data = {"csrf_token": extract_csrf_from(page)}
    for name, value in re.findall(r'<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"', page):
        data.setdefault(name, value)
    for name in ("position", "qualification_category"):
        select_html = re.search(rf'<select[^>]*name="{name}".*?</select>', page, re.S).group(0)
        chosen = re.search(r'<option selected value="([^"]*)"', select_html)
        data[name] = chosen.group(1) if chosen else ""
    data.pop("new_email", None)
    data.update(overrides)
    return data


def extract_csrf_from(html: str) -> str:
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)


def unescape(html: str) -> str:
    return html.replace("&#34;", '"').replace("&quot;", '"').replace("&#39;", "'").replace("&amp;", "&")


# ---------------------------------------------------------------------------------------------- access


@pytest.mark.parametrize("path", ["/cabinet/", "/cabinet/profile", "/cabinet/platforms"])
def test_pages_need_sign_in(client, path):
    response = client.get(path)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")


@pytest.mark.parametrize("role", [Role.TEACHER, Role.SCHOOL_ADMIN, Role.METHODOLOGIST, Role.ADMIN])
def test_every_role_has_its_own_cabinet(client, make_user, login, role):
    user = make_user(role=role, last_name="Кузнецова")
    login(user)
    for path in ("/cabinet/", "/cabinet/profile", "/cabinet/platforms"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert "Разделы личного кабинета" in response.get_data(as_text=True)


def test_a_teacher_never_sees_another_users_data(client, make_user, login, database):
    other = make_user(last_name="Чужакова", email="other@school.example", phone="+79991234567",
                      position="директор", subjects="астрономия")
    sferum = platforms_in_order(database)[0]
    database.session.add(PlatformAccount(user_id=other.id, platform_id=sferum.id, status=AccountStatus.ACTIVE,
                                         profile_url="https://sferum.ru/other-profile"))
    database.session.commit()
    me = make_user(last_name="Своя")
    login(me)
    for path in ("/cabinet/", "/cabinet/profile", "/cabinet/platforms"):
        html = client.get(path).get_data(as_text=True)
        for secret in ("Чужакова", "other@school.example", "+7 999 123", "астрономия", "other-profile"):
            assert secret not in html, (path, secret)
    # Saving my profile touches my row only.
    client.post("/cabinet/profile", data=profile_data(client, last_name="Своя-Новая"))
    assert fresh(database, other).last_name == "Чужакова"
    assert fresh(database, me).last_name == "Своя-Новая"


# -------------------------------------------------------------------------------------------- overview


def test_overview_of_a_new_teacher(client, make_user, login, database):
    teacher = make_user(last_name="Новикова", first_name="Ольга", middle_name="Петровна")
    login(teacher)
    html = unescape(client.get("/cabinet/").get_data(as_text=True))
    assert "Новикова Ольга Петровна" in html
    assert organizations(database)[0].short_name in html
    assert "ожидает подтверждения от организации" in html
    total = len(platforms_in_order(database))
    assert re.search(rf"Зарегистрированы на платформах</dt><dd>0 из {total}</dd>", html)
    assert re.search(rf"Активно используете</dt><dd>0 из {total}</dd>", html)
    assert "Завершённых курсов пока нет" in html
    # Every platform is a next step, with its link opened safely in a new tab and its one-line how-to.
    for platform in platforms_in_order(database):
        link = re.search(rf'<a href="([^"]+)"([^>]*)><strong>Зарегистрируйтесь: {re.escape(platform.name)}</strong>', html)
        assert link, platform.name
        assert link.group(1) == platform.url
        assert 'rel="noopener"' in link.group(2) and 'target="_blank"' in link.group(2)
        assert platform.howto in html
    # Position, subjects, category and experience are empty.
    assert "Заполните профиль" in html
    assert "должность, преподаваемые предметы, квалификационная категория, педагогический стаж" in html


@pytest.mark.parametrize(
    ("fields", "label"),
    [
        ({"confirmed_at": utcnow()}, "подтверждён организацией"),
        ({}, "ожидает подтверждения от организации"),
        ({"organization": None, "workplace_text": "МБОУ СОШ № 999 с. Неведомое"}, "ожидает сопоставления с реестром"),
        ({"organization": None}, "место работы не указано"),
    ],
)
def test_overview_names_the_staff_state(client, make_user, login, fields, label):
    login(make_user(**fields))
    html = client.get("/cabinet/").get_data(as_text=True)
    assert re.search(rf'<span class="badge[^"]*" id="staff-state">{label}</span>', html)


def add_course_record(database, user, status, completed_on=None, course=None, hours=None, title=None):
    record = CourseRecord(user_id=user.id, course_id=course.id if course else None, status=status,
                          completed_on=completed_on, external_title=title, external_hours=hours,
                          external_provider="Другой провайдер" if course is None else None)
    database.session.add(record)
    return record


def test_progress_counts_platforms_courses_and_this_years_hours(client, make_user, login, database):
    teacher = make_user()
    other = make_user()
    sferum, vk, myschool, *_ = platforms_in_order(database)
    courses = list(database.session.scalars(select(Course).order_by(Course.id)))
    year = local_today().year
    database.session.add_all([
        PlatformAccount(user_id=teacher.id, platform_id=sferum.id, status=AccountStatus.ACTIVE),
        PlatformAccount(user_id=teacher.id, platform_id=vk.id, status=AccountStatus.REGISTERED),
        PlatformAccount(user_id=teacher.id, platform_id=myschool.id, status=AccountStatus.NOT_REGISTERED),
        PlatformAccount(user_id=other.id, platform_id=myschool.id, status=AccountStatus.ACTIVE),
    ])
    add_course_record(database, teacher, CourseStatus.COMPLETED, date(year, 3, 1), course=courses[0])
    add_course_record(database, teacher, CourseStatus.COMPLETED, date(year, 12, 31), hours=18, title="Внешний курс")
    add_course_record(database, teacher, CourseStatus.COMPLETED, date(year - 1, 12, 31), course=courses[1])
    add_course_record(database, teacher, CourseStatus.ENROLLED, None, course=courses[2])
    add_course_record(database, teacher, CourseStatus.COMPLETED, date(year, 1, 1), hours=None, title="Без часов")
    add_course_record(database, other, CourseStatus.COMPLETED, date(year, 5, 5), course=courses[3])
    database.session.commit()

    result = progress(teacher, today=date(year, 6, 1))
    assert (result.platforms_total, result.platforms_registered, result.platforms_active) == (len(platforms_in_order(database)), 2, 1)
    assert result.courses_completed == 4
    assert result.hours_this_year == courses[0].hours + 18
    assert progress(teacher, today=date(year - 1, 6, 1)).hours_this_year == courses[1].hours
    assert progress(other).courses_completed == 1

    login(teacher)
    html = client.get("/cabinet/").get_data(as_text=True)
    assert f"Часов обучения в {year} году</dt><dd>{courses[0].hours + 18}</dd>" in html
    assert "Завершено курсов</dt><dd>4</dd>" in html
    assert "Зарегистрируйтесь: Сферум" not in html and "Зарегистрируйтесь: VK Мессенджер" not in html
    assert "Зарегистрируйтесь: ФГИС «Моя школа»" in unescape(html)


def test_overview_when_everything_is_done(client, make_user, login, database):
    teacher = make_user(position="учитель", subjects="физика", qualification_category="высшая", experience_years=0,
                        confirmed_at=utcnow())
    for platform in platforms_in_order(database):
        database.session.add(PlatformAccount(user_id=teacher.id, platform_id=platform.id, status=AccountStatus.REGISTERED))
    database.session.commit()
    login(teacher)
    html = client.get("/cabinet/").get_data(as_text=True)
    assert "Всё сделано" in html
    assert "Заполните профиль" not in html and "Зарегистрируйтесь:" not in html


# --------------------------------------------------------------------------------------------- profile


def test_profile_form_has_labelled_prefilled_fields(client, make_user, login, database):
    teacher = make_user(position="методист", experience_years=12, subjects="история, обществознание")
    login(teacher)
    html = unescape(client.get("/cabinet/profile").get_data(as_text=True))
    for field_id in ("last_name", "first_name", "middle_name", "phone", "settlement", "workplace", "position",
                     "subjects", "qualification_category", "experience_years", "new_email", "current_password"):
        assert f'<label for="{field_id}"' in html, field_id
    assert organizations(database)[0].label in html
    assert f'name="organization_id" type="hidden" value="{organizations(database)[0].id}"' in html
    assert '<option selected value="методист">методист</option>' in html
    assert 'value="12"' in html and 'value="история, обществознание"' in html
    assert '<option value="педагог-наставник">педагог-наставник</option>' in html
    assert "workplace.js" in html


def test_profile_is_saved(client, make_user, login, database):
    teacher = make_user(confirmed_at=utcnow())
    login(teacher)
    response = client.post("/cabinet/profile", data=profile_data(
        client, last_name="Иванова", first_name="Мария", middle_name="", phone="8 (913) 555-12-34",
        settlement="Канск", position="учитель", subjects=" математика,физика ,, Математика ",
        qualification_category="первая", experience_years="7",
    ))
    assert response.status_code == 302 and response.headers["Location"] == "/cabinet/profile"
    user = fresh(database, teacher)
    assert (user.last_name, user.first_name, user.middle_name) == ("Иванова", "Мария", None)
    assert user.phone == "+79135551234"
    assert (user.settlement, user.position, user.qualification_category) == ("Канск", "учитель", "первая")
    assert user.subjects == "математика, физика"
    assert user.experience_years == 7
    # The workplace was not touched, so the confirmation stays.
    assert user.confirmed_at is not None
    assert database.session.scalar(select(AuditEvent).where(AuditEvent.action == "user.workplace_changed")) is None
    assert "Профиль сохранён" in client.get("/cabinet/profile").get_data(as_text=True)


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"phone": "12345"}, "phone", "Пример: +7 912 345-67-89"),
        ({"experience_years": "abc"}, "experience_years", "целым числом лет от 0 до 70"),
        ({"experience_years": "71"}, "experience_years", "целым числом лет от 0 до 70"),
        ({"experience_years": "-1"}, "experience_years", "целым числом лет от 0 до 70"),
        ({"experience_years": "5.5"}, "experience_years", "целым числом лет от 0 до 70"),
        ({"position": "космонавт"}, "position", "Выберите должность из списка"),
        ({"qualification_category": "наивысшая"}, "qualification_category", "Выберите категорию из списка"),
        ({"subjects": "м" * 501}, "subjects", "Не более 500 символов"),
        ({"last_name": "  "}, "last_name", "Укажите фамилию"),
    ],
)
def test_errors_are_shown_next_to_the_field_and_values_kept(client, make_user, login, database, overrides, field, message):
    teacher = make_user(last_name="Прежняя")
    login(teacher)
    data = profile_data(client, first_name="Новое-Имя", settlement="Ачинск", **overrides)
    response = client.post("/cabinet/profile", data=data)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    error = re.search(rf'<p class="error" id="{field}-error">([^<]*)</p>', html)
    assert error and message in error.group(1)
    assert f'aria-describedby="{field}-error"' in html or f'{field}-error"' in html
    assert 'value="Новое-Имя"' in html and 'value="Ачинск"' in html
    assert fresh(database, teacher).first_name != "Новое-Имя"


def test_experience_zero_and_empty_are_allowed(client, make_user, login, database):
    teacher = make_user(experience_years=5)
    login(teacher)
    client.post("/cabinet/profile", data=profile_data(client, experience_years="0"))
    assert fresh(database, teacher).experience_years == 0
    client.post("/cabinet/profile", data=profile_data(client, experience_years=""))
    assert fresh(database, teacher).experience_years is None


def test_missing_csrf_token_keeps_the_input(client, make_user, login, database):
    teacher = make_user(last_name="Прежняя")
    login(teacher)
    data = profile_data(client, last_name="Несохранённая", subjects="химия, биология")
    del data["csrf_token"]
    response = client.post("/cabinet/profile", data=data)
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "Введённые данные сохранены ниже" in html
    assert 'value="Несохранённая"' in html and 'value="химия, биология"' in html
    assert fresh(database, teacher).last_name == "Прежняя"


def test_workplace_change_resets_confirmation_and_is_audited(client, make_user, login, database):
    first, second = organizations(database)[:2]
    teacher = make_user(confirmed_at=utcnow())
    login(teacher)
    response = client.post("/cabinet/profile", data=profile_data(
        client, workplace=second.label, organization_id=str(second.id)))
    assert response.status_code == 302
    user = fresh(database, teacher)
    assert user.organization_id == second.id and user.workplace_text is None
    assert user.confirmed_at is None
    event = database.session.scalar(select(AuditEvent).where(AuditEvent.action == "user.workplace_changed"))
    assert event.actor_id == teacher.id and event.target_id == teacher.id
    assert event.details["from_organization_id"] == first.id and event.details["to_organization_id"] == second.id
    assert "ожидает подтверждения от организации" in client.get("/cabinet/").get_data(as_text=True)


def test_workplace_change_drops_the_old_schools_platform_confirmations(client, make_user, login, database):
    from cpp_app.models import AccountStatus, PlatformAccount, StaffRegisterEntry

    first, second = organizations(database)[:2]
    teacher = make_user(confirmed_at=utcnow())
    platform = database.session.scalars(select(Platform).order_by(Platform.sort_order)).first()
    database.session.add(PlatformAccount(user_id=teacher.id, platform_id=platform.id, status=AccountStatus.ACTIVE,
                                         confirmed_at=utcnow()))
    database.session.add(StaffRegisterEntry(organization_id=first.id, line=2, full_name="Петрова Анна",
                                            user_id=teacher.id))
    database.session.commit()
    login(teacher)
    client.post("/cabinet/profile", data=profile_data(client, workplace=second.label, organization_id=str(second.id)))
    database.session.expire_all()
    account = database.session.scalar(select(PlatformAccount).where(PlatformAccount.user_id == teacher.id))
    assert account.status == AccountStatus.ACTIVE and account.confirmed_at is None
    assert database.session.scalar(select(StaffRegisterEntry.user_id)) is None


def test_unknown_workplace_waits_for_a_match(client, make_user, login, database):
    teacher = make_user(confirmed_at=utcnow())
    login(teacher)
    typed = "МБОУ «Школа, которой нет в реестре»"
    asked = client.post("/cabinet/profile", data=profile_data(client, workplace=typed, organization_id=""))
    assert "В реестре нет организации с таким названием" in asked.get_data(as_text=True)
    assert fresh(database, teacher).workplace_text is None
    client.post("/cabinet/profile", data=profile_data(client, workplace=typed, organization_id="",
                                                      workplace_asked=typed, workplace_choice="none"))
    user = fresh(database, teacher)
    assert user.organization_id is None and user.workplace_text == "МБОУ «Школа, которой нет в реестре»"
    assert user.staff_state.label == "ожидает сопоставления с реестром"
    assert user.confirmed_at is None


def test_unchanged_workplace_keeps_the_confirmation_without_javascript(client, make_user, login, database):
    first = organizations(database)[0]
    teacher = make_user(confirmed_at=utcnow())
    login(teacher)
    # With and without the hidden id (a browser without scripts still posts the prefilled one; a stripped form may not).
    for organization_id in (str(first.id), ""):
        client.post("/cabinet/profile", data=profile_data(client, workplace=first.label, organization_id=organization_id,
                                                          settlement="Енисейск"))
        user = fresh(database, teacher)
        assert user.organization_id == first.id and user.confirmed_at is not None
    assert database.session.scalar(select(AuditEvent).where(AuditEvent.action == "user.workplace_changed")) is None


def test_forged_organization_id_is_not_trusted(client, make_user, login, database):
    first, second = organizations(database)[:2]
    teacher = make_user(confirmed_at=utcnow())
    login(teacher)
    client.post("/cabinet/profile", data=profile_data(client, workplace=first.label, organization_id=str(second.id)))
    user = fresh(database, teacher)
    assert user.organization_id == first.id and user.confirmed_at is not None


def test_school_admin_cannot_move_to_another_organisation(client, make_user, login, database):
    first, second = organizations(database)[:2]
    admin = make_user(role=Role.SCHOOL_ADMIN, confirmed_at=utcnow())
    login(admin)
    html = client.get("/cabinet/profile").get_data(as_text=True)
    assert 'id="workplace"' not in html and "Сменить её может только администратор ЦПП" in html
    response = client.post("/cabinet/profile", data=profile_data(
        client, workplace=second.label, organization_id=str(second.id), settlement="Норильск"))
    assert response.status_code == 200
    assert "Место работы администратора ОО меняет администратор ЦПП" in response.get_data(as_text=True)
    user = fresh(database, admin)
    assert user.organization_id == first.id and user.settlement != "Норильск"
    # Other fields still save when the workplace is left alone.
    client.post("/cabinet/profile", data=profile_data(client, settlement="Норильск"))
    assert fresh(database, admin).settlement == "Норильск"


# ----------------------------------------------------------------------------------------------- e-mail


def email_data(client, **overrides):
    return {"csrf_token": extract_csrf(client.get("/cabinet/profile")), "new_email": "New.Address@School.Example",
            "current_password": TEST_PASSWORD, **overrides}


def test_email_change_needs_the_right_password(client, make_user, login, database):
    teacher = make_user(email="old@school.example")
    login(teacher)
    response = client.post("/cabinet/profile/email", data=email_data(client, current_password="wrong-password-1"))
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert re.search(r'<p class="error" id="current_password-error">Неверный пароль.</p>', html)
    assert 'value="New.Address@School.Example"' in html or 'value="New.Address@school.example"' in html
    assert fresh(database, teacher).email == "old@school.example"
    assert database.session.scalar(select(AuditEvent).where(AuditEvent.action == "user.email_changed")) is None
    assert outbox() == []


def test_email_change_with_the_password(client, make_user, login, database):
    teacher = make_user(email="old@school.example")
    login(teacher)
    response = client.post("/cabinet/profile/email", data=email_data(client))
    assert response.status_code == 302
    # Nothing changes until the new address's owner opens the link mailed to it.
    assert fresh(database, teacher).email == "old@school.example"
    assert fresh(database, teacher).pending_email == "new.address@school.example"
    (confirmation,) = outbox()
    assert confirmation["To"] == "new.address@school.example"
    link = re.search(r"http://localhost(/email/confirm/\S+)", confirmation.get_content()).group(1)
    outbox().clear()
    assert client.get(link).status_code == 302
    assert fresh(database, teacher).email == "new.address@school.example"
    event = database.session.scalar(select(AuditEvent).where(AuditEvent.action == "user.email_changed"))
    assert event.actor_id == teacher.id and event.target_id == teacher.id
    assert event.details == {"from_email": "old@school.example", "to_email": "new.address@school.example"}
    (message,) = outbox()
    assert message["To"] == "old@school.example" and "new.address@school.example" in message.get_content()
    assert "new.address@school.example" in client.get("/cabinet/profile").get_data(as_text=True)
    # The new address signs in; the old one no longer does.
    client.post("/logout", data={"csrf_token": extract_csrf(client.get("/logout"))})
    token = extract_csrf(client.get("/login"))
    assert client.post("/login", data={"email": "old@school.example", "password": TEST_PASSWORD,
                                       "csrf_token": token}).status_code == 200
    assert client.post("/login", data={"email": "NEW.address@school.example", "password": TEST_PASSWORD,
                                       "csrf_token": token}).status_code == 302


def test_email_must_be_unique_regardless_of_case(client, make_user, login, database):
    make_user(email="taken@school.example")
    teacher = make_user(email="mine@school.example")
    login(teacher)
    response = client.post("/cabinet/profile/email", data=email_data(client, new_email="TAKEN@School.Example"))
    assert re.search(r'id="new_email-error">Этот адрес уже используется', response.get_data(as_text=True))
    assert fresh(database, teacher).email == "mine@school.example"


def test_email_change_rejects_a_malformed_address_and_a_missing_token(client, make_user, login, database):
    teacher = make_user(email="mine@school.example")
    login(teacher)
    response = client.post("/cabinet/profile/email", data=email_data(client, new_email="not-an-address"))
    assert 'id="new_email-error"' in response.get_data(as_text=True)
    data = email_data(client, new_email="kept@school.example")
    del data["csrf_token"]
    response = client.post("/cabinet/profile/email", data=data)
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "Введённые данные сохранены ниже" in html and 'value="kept@school.example"' in html
    assert fresh(database, teacher).email == "mine@school.example"
