"""An address counts once its owner opened the link mailed to it: registration, e-mail change, squatting."""
import re
from datetime import timedelta

from sqlalchemy import func, select

from cpp_app.blueprints.admin.workplace_services import unmatched_workplaces
from cpp_app.blueprints.auth.addresses import confirmation_token
from cpp_app.blueprints.monitoring.figures import refresh
from cpp_app.blueprints.school.register_import import RegisterRecord
from cpp_app.blueprints.school.services import import_register, staff_counts
from cpp_app.kernel.actor import Actor
from cpp_app.mail import outbox
from cpp_app.models import (
    AccountStatus,
    ConsentEvent,
    CourseRecord,
    CourseStatus,
    Organization,
    OrganizationStaffFigures,
    Platform,
    PlatformAccount,
    Role,
    User,
    utcnow,
)
from tests.conftest import extract_csrf
from tests.web.test_registration import STRONG_PASSWORD, first_school, form_data

ADDRESS = "sidorova.e@school.example"


def register(client, school=None, **overrides):
    fields = ({"workplace": school.label, "organization_id": str(school.id)} if school
              else {"workplace": "Школа", "workplace_asked": "Школа", "workplace_choice": "none"})
    return client.post("/register", data=form_data(client, **{**fields, **overrides}))


def confirmation_link(to: str = ADDRESS) -> str:
    message = next(m for m in reversed(outbox()) if m["To"] == to and "Подтвердите адрес" in m["Subject"])
    return re.search(r"http://localhost(/email/confirm/\S+)", message.get_content()).group(1)


def accounts(database, email=ADDRESS) -> list[User]:
    database.session.expire_all()
    return list(database.session.scalars(select(User).where(User.email == email).order_by(User.id)))


def sign_in(client, email=ADDRESS, password=STRONG_PASSWORD):
    return client.post("/login", data={"email": email, "password": password,
                                       "csrf_token": extract_csrf(client.get("/login"))})


def test_an_unconfirmed_account_signs_in_sees_the_notice_and_confirms_by_the_link(client, database):
    register(client)
    (user,) = accounts(database)
    assert user.email_confirmed_at is None
    assert sign_in(client).status_code == 302
    html = client.get("/cabinet/", follow_redirects=True).get_data(as_text=True)
    assert "Подтвердите адрес почты" in html and "Отправить письмо ещё раз" in html
    link = confirmation_link()
    response = client.get(link)
    assert response.status_code == 302 and response.headers["Location"] == "/cabinet/"
    assert accounts(database)[0].email_confirmed_at is not None
    assert "Подтвердите адрес почты" not in client.get("/cabinet/", follow_redirects=True).get_data(as_text=True)
    # Single use: the same link a second time confirms nothing more and says so.
    again = client.get(link, follow_redirects=True).get_data(as_text=True)
    assert "Ссылка для подтверждения адреса недействительна" in again


def test_a_tampered_or_expired_link_confirms_nothing(app, client, database, monkeypatch):
    register(client)
    link = confirmation_link()
    client.get(link[:-3] + "abc")
    assert accounts(database)[0].email_confirmed_at is None
    monkeypatch.setitem(app.config, "EMAIL_CONFIRMATION_MAX_AGE", -1)
    client.get(link)
    assert accounts(database)[0].email_confirmed_at is None


def test_an_unconfirmed_account_counts_nowhere_until_confirmed(client, database, make_user):
    school = first_school(database)
    register(client, school)
    register(client, email="typed@school.example", workplace="Школа, которой нет в реестре",
             workplace_asked="Школа, которой нет в реестре")
    (user,) = accounts(database)
    assert staff_counts(school.id).teachers == 0
    record = RegisterRecord(line=2, full_name="Сидорова Елена", surname="Сидорова", email=ADDRESS, phone=None,
                            position="учитель")
    # The probe's attack: an account registered first with a teacher's address is confirmed by the register.
    summary = import_register(school.id, [record], Actor(None, None, None))
    assert summary.confirmed_now == 0 and accounts(database)[0].confirmed_at is None
    refresh()
    database.session.commit()
    assert database.session.scalar(select(func.coalesce(func.sum(OrganizationStaffFigures.teachers), 0))) == 0
    assert unmatched_workplaces().result.total == 0

    client.get(confirmation_link())
    client.get(confirmation_link("typed@school.example"))
    assert staff_counts(school.id).teachers == 1
    assert import_register(school.id, [record], Actor(None, None, None)).confirmed_now == 1
    refresh()
    database.session.commit()
    assert database.session.scalar(select(func.sum(OrganizationStaffFigures.teachers))) == 1
    assert unmatched_workplaces().result.total == 1
    assert user.id in {u.id for u in accounts(database)}


def test_the_owner_takes_her_address_back_from_whoever_registered_it_first(app, database):
    squatter, owner = app.test_client(), app.test_client()
    register(squatter, last_name="Захватов", password="Чужой-пароль-2026", password_confirm="Чужой-пароль-2026")
    sign_in(squatter, password="Чужой-пароль-2026")
    squatter_link = confirmation_link()  # mailed to the owner's inbox: the squatter never sees it
    outbox().clear()
    response = register(owner)
    assert response.status_code == 302 and response.headers["Location"] == "/login"
    first, second = [(u.id, u.last_name) for u in accounts(database)]
    assert (first[1], second[1]) == ("Захватов", "Сидорова")
    # Each signs in with their own password while neither has confirmed.
    assert sign_in(owner).status_code == 302
    owner.get(confirmation_link())
    (kept,) = accounts(database)
    assert kept.id == second[0] and kept.email_confirmed_at is not None
    assert database.session.get(User, first[0]) is None
    assert database.session.scalar(select(func.count()).where(ConsentEvent.user_id == first[0])) == 0
    # The squatter's session and link are gone with the account.
    assert "Сидорова" not in squatter.get("/cabinet/", follow_redirects=True).get_data(as_text=True)
    assert "недействительна" in owner.get(squatter_link, follow_redirects=True).get_data(as_text=True)


def test_at_most_three_unconfirmed_accounts_share_an_address(app, database):
    for number in range(5):
        register(app.test_client(), last_name=f"Попытка{'аб'[number % 2]}")
    assert len(accounts(database)) == 3


def test_registering_with_a_confirmed_address_creates_nothing_and_tells_the_owner(client, database, make_user):
    owner = make_user(email=ADDRESS)
    response = register(client)
    assert response.status_code == 302 and response.headers["Location"] == "/login"
    assert [u.id for u in accounts(database)] == [owner.id]
    (notice,) = outbox()
    assert notice["Subject"] == "Попытка регистрации в ЦПП с вашим адресом"
    assert "http://localhost/password/forgot" in notice.get_content()


def test_resending_the_link_is_rate_limited(client, database):
    register(client)
    sign_in(client)
    outbox().clear()
    statuses = []
    for _ in range(4):
        token = extract_csrf(client.get("/cabinet/"))
        statuses.append(client.post("/email/confirm/resend", data={"csrf_token": token}).status_code)
    assert statuses == [302, 302, 302, 429]
    # Three mails an hour to one address at most, the one sent on registering included.
    assert len(outbox()) == 2


def test_an_address_confirmed_meanwhile_by_another_account_is_not_taken_over(client, database, make_user, login):
    teacher = make_user(email="mine@school.example")
    login(teacher)
    client.post("/cabinet/profile/email", data={"csrf_token": extract_csrf(client.get("/cabinet/profile")),
                                                "new_email": ADDRESS, "current_password": "Krasnoyarsk-teacher-2026"})
    link = confirmation_link()
    make_user(email=ADDRESS)  # confirmed by the operator before the teacher opened the link
    html = client.get(link, follow_redirects=True).get_data(as_text=True)
    assert "уже подтверждён другой учётной записью" in html
    database.session.expire_all()
    assert database.session.get(User, teacher.id).email == "mine@school.example"


def test_a_link_for_a_replaced_address_request_stops_working(client, database, make_user, login):
    teacher = make_user(email="mine@school.example")
    login(teacher)
    for address in ("first@school.example", "second@school.example"):
        client.post("/cabinet/profile/email", data={"csrf_token": extract_csrf(client.get("/cabinet/profile")),
                                                    "new_email": address, "current_password": "Krasnoyarsk-teacher-2026"})
    client.get(confirmation_link("first@school.example"))
    database.session.expire_all()
    assert database.session.get(User, teacher.id).email == "mine@school.example"
    client.get(confirmation_link("second@school.example"))
    database.session.expire_all()
    assert database.session.get(User, teacher.id).email == "second@school.example"


def test_housekeeping_removes_accounts_unconfirmed_for_a_week_with_their_data(app, client, database, make_user):
    register(client)
    (stale,) = accounts(database)
    database.session.add_all([
        PlatformAccount(user_id=stale.id, platform_id=database.session.scalar(select(Platform.id).limit(1)),
                        status=AccountStatus.REGISTERED),
        CourseRecord(user_id=stale.id, external_title="Курс", external_provider="Другая организация",
                     status=CourseStatus.COMPLETED, completed_on=utcnow().date()),
    ])
    stale.created_at = utcnow() - timedelta(days=8)
    register(client, email="fresh@school.example")
    old_but_confirmed = make_user(email="old@school.example")
    old_but_confirmed.created_at = utcnow() - timedelta(days=30)
    database.session.commit()
    result = app.test_cli_runner().invoke(args=["housekeeping"])
    assert result.exit_code == 0, result.output
    assert "учётных записей с неподтверждённым адресом — 1" in result.output
    database.session.expire_all()
    assert database.session.get(User, stale.id) is None
    assert database.session.scalar(select(func.count()).select_from(PlatformAccount)) == 0
    assert database.session.scalar(select(func.count()).select_from(CourseRecord)) == 0
    assert {u.email for u in database.session.scalars(select(User))} == {"fresh@school.example", "old@school.example"}


def test_accounts_made_by_the_operator_and_the_seeds_are_confirmed(database, make_user):
    assert make_user(role=Role.METHODOLOGIST).email_confirmed_at is not None
    assert database.session.scalar(select(func.count()).where(User.email_confirmed_at.is_(None))) == 0
    assert database.session.scalar(select(func.count(Organization.id))) > 0


def test_a_forged_token_for_another_account_is_refused(app, client, database, make_user):
    victim = make_user(email="victim@school.example")
    with app.test_request_context():
        token = confirmation_token(victim, "attacker@evil.example")
    client.get(f"/email/confirm/{token}")
    database.session.expire_all()
    assert database.session.get(User, victim.id).email == "victim@school.example"


def test_a_password_reset_by_mail_confirms_the_address(client, database):
    register(client)
    client.post("/password/forgot", data={"email": ADDRESS, "csrf_token": extract_csrf(client.get("/password/forgot"))})
    reset = next(m for m in outbox() if m["Subject"] == "Восстановление пароля в ЦПП")
    link = re.search(r"http://localhost(/password/reset/\S+)", reset.get_content()).group(1)
    new_password = "Новый-пароль-Енисей-2026"
    response = client.post(link, data={"password": new_password, "password_confirm": new_password,
                                       "csrf_token": extract_csrf(client.get(link))})
    assert response.status_code == 302
    assert accounts(database)[0].email_confirmed_at is not None
