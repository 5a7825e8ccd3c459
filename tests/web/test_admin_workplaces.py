"""Typed workplaces waiting for a methodologist to match them with the registry."""
import re

import pytest
from sqlalchemy import select

from cpp_app.blueprints.admin.workplace_services import search_words, suggest_organizations
from cpp_app.domain.inn import inn10_with_check_digit
from cpp_app.models import AuditEvent, Municipality, Organization, OrganizationKind, Role
from tests.conftest import extract_csrf
from tests.factories import fresh, row_ids

INN_5 = inn10_with_check_digit("246600005")
INN_15 = inn10_with_check_digit("246600015")


@pytest.fixture
def schools(database):
    municipality = database.session.scalars(select(Municipality).order_by(Municipality.id)).first()

    def school(number, inn, name="Берёзовская", active=True):
        organization = Organization(
            full_name=f"Муниципальное бюджетное общеобразовательное учреждение «{name} средняя школа № {number}»",
            short_name=f"МБОУ {name} СОШ № {number}", kind=OrganizationKind.SCHOOL, inn=inn,
            municipality=municipality, is_active=active,
        )
        database.session.add(organization)
        return organization

    found = {5: school(5, INN_5), 15: school(15, INN_15),
             "closed": school(7, inn10_with_check_digit("246600007"), name="Закрытая", active=False)}
    database.session.commit()
    return found


def unmatched(make_user, database, text, **fields):
    user = make_user(organization=None, workplace_text=text, **fields)
    return user


def suggestion_ids(response, user) -> list[int]:
    html = response.get_data(as_text=True)
    row = re.search(rf'<tr data-user-id="{user.id}".*?</tr>', html, re.S).group(0)
    return [int(value) for value in re.findall(r'data-organization-id="(\d+)"', row)]


# ------------------------------------------------------------------------------------------------ access


def test_anonymous_is_sent_to_sign_in(client):
    response = client.get("/admin/workplaces")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


@pytest.mark.parametrize("role", [Role.TEACHER, Role.SCHOOL_ADMIN])
def test_other_roles_get_404(client, make_user, login, database, schools, role):
    waiting = unmatched(make_user, database, "Берёзовская школа № 5")
    login(make_user(role=role))
    assert client.get("/admin/workplaces").status_code == 404
    token = extract_csrf(client.get("/", follow_redirects=True))
    response = client.post(f"/admin/workplaces/{waiting.id}/match",
                           data={"organization_id": schools[5].id, "csrf_token": token})
    assert response.status_code == 404
    assert fresh(database, waiting).organization_id is None


@pytest.mark.parametrize("role", [Role.METHODOLOGIST, Role.ADMIN])
def test_methodologist_and_admin_see_the_list(client, make_user, login, database, schools, role):
    waiting = unmatched(make_user, database, "МБОУ Берёзовская СОШ № 5", last_name="Ждущева")
    make_user(last_name="Сопоставленова")  # already in an organisation
    make_user(organization=None, last_name="Безместова")  # typed nothing
    login(make_user(role=role))
    response = client.get("/admin/workplaces")
    assert response.status_code == 200
    assert row_ids(response, "user") == [waiting.id]
    html = response.get_data(as_text=True)
    assert "Ожидают сопоставления: 1" in html and "МБОУ Берёзовская СОШ № 5" in html


def test_empty_state(client, make_user, login):
    login(make_user(role=Role.METHODOLOGIST))
    html = client.get("/admin/workplaces").get_data(as_text=True)
    assert "Все указанные педагогами места работы сопоставлены" in html


# ------------------------------------------------------------------------------------------- suggestions


def test_suggestions_rank_the_right_number_first_and_skip_inactive(client, make_user, login, database, schools):
    five = unmatched(make_user, database, "берёзовской школе №5")
    fifteen = unmatched(make_user, database, "Березовская СОШ 15, г. Березовка")
    nothing = unmatched(make_user, database, "МБОУ СОШ")
    closed = unmatched(make_user, database, "Закрытая школа 7")
    login(make_user(role=Role.METHODOLOGIST))
    response = client.get("/admin/workplaces")
    assert suggestion_ids(response, five)[0] == schools[5].id
    assert suggestion_ids(response, fifteen)[0] == schools[15].id
    assert suggestion_ids(response, nothing) == []
    assert schools["closed"].id not in suggestion_ids(response, closed)
    assert len(suggestion_ids(response, five)) <= 3


def test_search_words_leave_generic_words_out():
    assert search_words("МБОУ Берёзовская СОШ № 5") == ["березовская"[:-2]]
    assert search_words("МБОУ СОШ 15") == ["15"]
    assert search_words("Средняя школа") == ["средн", "школа"]


def test_at_most_three_suggestions(database):
    municipality = database.session.scalars(select(Municipality)).first()
    for number in range(1, 6):
        database.session.add(Organization(full_name=f"Лесная школа {number}", short_name=f"Лесная школа {number}",
                                          kind=OrganizationKind.SCHOOL, inn=inn10_with_check_digit(f"24660010{number}"),
                                          municipality=municipality))
    database.session.flush()
    assert len(suggest_organizations("Лесная школа")) == 3


# ---------------------------------------------------------------------------------------------- matching


def test_one_click_match(client, make_user, login, database, schools):
    waiting = unmatched(make_user, database, "берёзовской школе №5", last_name="Ждущева", first_name="Анна",
                        middle_name=None)
    methodologist = make_user(role=Role.METHODOLOGIST)
    login(methodologist)
    page = client.get("/admin/workplaces")
    response = client.post(f"/admin/workplaces/{waiting.id}/match",
                           data={"organization_id": schools[5].id, "page": "1", "csrf_token": extract_csrf(page)})
    assert response.status_code == 302 and response.headers["Location"].endswith("/admin/workplaces?page=1")
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "«берёзовской школе №5» сопоставлено: Ждущева Анна — МБОУ Берёзовская СОШ № 5" in html
    assert "Все указанные педагогами места работы сопоставлены" in html

    user = fresh(database, waiting)
    assert user.organization_id == schools[5].id and user.workplace_text is None and user.confirmed_at is None
    event = database.session.scalar(select(AuditEvent).where(AuditEvent.action == "user.workplace_matched"))
    assert event.actor_id == methodologist.id and event.target_id == waiting.id
    assert event.details == {"organization_id": schools[5].id, "workplace_text": "берёзовской школе №5"}

    # Pressing again (a second tab) changes nothing.
    again = client.post(f"/admin/workplaces/{waiting.id}/match",
                        data={"organization_id": schools[15].id, "csrf_token": extract_csrf(page)}, follow_redirects=True)
    assert "уже сопоставлено" in again.get_data(as_text=True)
    assert fresh(database, waiting).organization_id == schools[5].id


def test_match_by_inn(client, make_user, login, database, schools):
    waiting = unmatched(make_user, database, "Школа у реки")
    login(make_user(role=Role.ADMIN))
    token = extract_csrf(client.get("/admin/workplaces"))

    def post(inn):
        return client.post(f"/admin/workplaces/{waiting.id}/match", data={"inn": inn, "csrf_token": token},
                           follow_redirects=True).get_data(as_text=True)

    assert "ИНН состоит из 10 или 12 цифр" in post("12345")
    assert "не найдена в реестре" in post("2400000000")
    assert "Выберите организацию из предложенных или укажите её ИНН" in post("")
    assert fresh(database, waiting).organization_id is None
    assert "сопоставлено" in post(INN_15)
    assert fresh(database, waiting).organization_id == schools[15].id


def test_an_inactive_organisation_cannot_be_chosen(client, make_user, login, database, schools):
    waiting = unmatched(make_user, database, "Закрытая школа 7")
    login(make_user(role=Role.METHODOLOGIST))
    token = extract_csrf(client.get("/admin/workplaces"))
    html = client.post(f"/admin/workplaces/{waiting.id}/match",
                       data={"organization_id": schools["closed"].id, "csrf_token": token},
                       follow_redirects=True).get_data(as_text=True)
    assert "исключена" in html and fresh(database, waiting).organization_id is None


def test_missing_csrf_token_changes_nothing(client, make_user, login, database, schools):
    waiting = unmatched(make_user, database, "берёзовской школе №5")
    login(make_user(role=Role.METHODOLOGIST))
    response = client.post(f"/admin/workplaces/{waiting.id}/match", data={"organization_id": schools[5].id})
    assert response.status_code == 400
    assert fresh(database, waiting).organization_id is None
    assert client.post("/admin/workplaces/999999/match", data={"organization_id": schools[5].id,
                       "csrf_token": extract_csrf(client.get("/admin/workplaces"))}).status_code == 404


def test_pagination(client, make_user, login, database):
    for n in range(27):
        unmatched(make_user, database, f"Неизвестная школа {n}")
    login(make_user(role=Role.METHODOLOGIST))
    first = client.get("/admin/workplaces")
    assert len(row_ids(first, "user")) == 25 and "Ожидают сопоставления: 27" in first.get_data(as_text=True)
    assert len(row_ids(client.get("/admin/workplaces?page=2"), "user")) == 2
