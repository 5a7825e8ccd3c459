"""The workplace is chosen from the registry: one match is taken, several or none ask, free text only when the
person says their organisation is not in the list."""
import re

from sqlalchemy import select

from cpp_app.models import Organization, OrganizationKind, User, utcnow
from tests.factories import municipality
from tests.web.test_cabinet_profile import fresh, profile_data
from tests.web.test_registration import form_data, user_count


def elita(database) -> Organization:
    return database.session.scalar(select(Organization).where(Organization.short_name == "МБОУ Элитовская СОШ"))


def two_first_schools(database) -> tuple[Organization, Organization]:
    places = [municipality(database, name) for name in ("г. Ачинск", "г. Канск")]
    made = [Organization(short_name="МБОУ СОШ № 1", full_name=f"Средняя общеобразовательная школа № 1 ({place.name})",
                         kind=OrganizationKind.SCHOOL, municipality=place) for place in places]
    database.session.add_all(made)
    database.session.commit()
    return made[0], made[1]


def radios(html: str) -> list[str]:
    return re.findall(r'<input type="radio" id="workplace_choice-[^"]+" name="workplace_choice" value="([^"]+)"', html)


def registered(database) -> User:
    return database.session.scalar(select(User))


def test_a_unique_match_is_taken_with_its_id(client, database):
    response = client.post("/register", data=form_data(client, workplace="Элитовская"))
    assert response.status_code == 302
    user = registered(database)
    assert user.organization_id == elita(database).id and user.workplace_text is None


def test_several_matches_ask_to_choose_and_keep_the_other_values(client, database):
    achinsk, kansk = two_first_schools(database)
    response = client.post("/register", data=form_data(client, workplace="СОШ №1", last_name=""))
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and user_count(database) == 0
    assert "Выберите вашу организацию" in html and "Моей организации нет в списке" in html
    assert 'id="workplace-error"' in html and "подходят несколько организаций" in html
    assert re.search(r'<input[^>]*aria-invalid="true"[^>]*id="workplace"|<input[^>]*id="workplace"[^>]*aria-invalid="true"', html)
    assert radios(html) == [str(achinsk.id), str(kansk.id), "none"]
    assert "г. Канск" in html and 'value="Абан"' in html and "Укажите фамилию." in html
    assert 'name="workplace_asked" type="hidden" value="СОШ №1"' in html

    # The choice made while another field is still wrong stays chosen on the next round.
    response = client.post("/register", data=form_data(client, workplace="СОШ №1", last_name="", workplace_asked="СОШ №1",
                                                       workplace_choice=str(kansk.id)))
    html = response.get_data(as_text=True)
    assert 'id="workplace-error"' not in html
    assert re.search(rf'value="{kansk.id}"\s+checked', html)

    response = client.post("/register", data=form_data(client, workplace="СОШ №1", workplace_asked="СОШ №1",
                                                       workplace_choice=str(kansk.id)))
    assert response.status_code == 302
    assert registered(database).organization_id == kansk.id


def test_no_match_needs_the_explicit_not_in_the_list(client, database):
    typed = "Гимназия имени Несуществующего"
    html = client.post("/register", data=form_data(client, workplace=typed)).get_data(as_text=True)
    assert "Проверьте написание" in html and radios(html) == ["none"]
    # Submitting again without the answer saves nothing.
    client.post("/register", data=form_data(client, workplace=typed, workplace_asked=typed))
    assert user_count(database) == 0
    # The answer counts only for the text it was given about.
    client.post("/register", data=form_data(client, workplace=typed + " 2", workplace_asked=typed, workplace_choice="none"))
    assert user_count(database) == 0
    client.post("/register", data=form_data(client, workplace=typed, workplace_asked=typed, workplace_choice="none"))
    user = registered(database)
    assert user.organization_id is None and user.workplace_text == typed


def test_profile_asks_the_same_way(client, database, make_user, login):
    achinsk, kansk = two_first_schools(database)
    teacher = make_user(confirmed_at=utcnow())
    login(teacher)
    html = client.post("/cabinet/profile", data=profile_data(client, workplace="школа 1", organization_id="")
                       ).get_data(as_text=True)
    assert radios(html) == [str(achinsk.id), str(kansk.id), "none"]
    assert fresh(database, teacher).organization_id == teacher.organization_id
    client.post("/cabinet/profile", data=profile_data(client, workplace="школа 1", organization_id="",
                                                      workplace_asked="школа 1", workplace_choice=str(achinsk.id)))
    assert fresh(database, teacher).organization_id == achinsk.id


def test_the_cabinet_offers_the_registry_match_of_a_typed_workplace(client, database, make_user, login):
    school = elita(database)
    teacher = make_user(organization=None, workplace_text="Элитовская школа")
    login(teacher)
    overview = client.get("/cabinet/").get_data(as_text=True)
    assert "нет в реестре" not in overview and "не удалось найти" not in overview
    assert "Похоже, ваша организация есть в реестре: МБОУ Элитовская СОШ" in overview
    profile = client.get("/cabinet/profile").get_data(as_text=True)
    assert radios(profile) == [str(school.id), "none"]
    assert re.search(r'value="none"\s+aria-describedby="workplace_choice-none-hint" checked', profile)
    # Saving the page as it is keeps the typed workplace; picking the organisation binds the profile to it.
    data = profile_data(client)
    data["workplace_choice"] = "none"
    client.post("/cabinet/profile", data=data)
    assert fresh(database, teacher).workplace_text == "Элитовская школа"
    data["workplace_choice"] = str(school.id)
    client.post("/cabinet/profile", data=data)
    user = fresh(database, teacher)
    assert user.organization_id == school.id and user.workplace_text is None


def test_the_cabinet_says_when_nothing_in_the_registry_resembles_it(client, make_user, login):
    login(make_user(organization=None, workplace_text="Частная школа «Радуга»"))
    overview = client.get("/cabinet/").get_data(as_text=True)
    assert "не удалось найти в реестре" in overview and "Похоже" not in overview


def test_search_endpoint_is_bounded_registry_only_and_rate_limited(client, database):
    for number in range(15):
        place = municipality(database, f"Район {number}")
        database.session.add(Organization(short_name="МБОУ СОШ № 5", full_name="Средняя школа № 5",
                                          kind=OrganizationKind.SCHOOL, municipality=place))
    database.session.commit()
    found = client.get("/organizations/search", query_string={"q": "СОШ 5"}).get_json()
    assert len(found) == 10
    assert all(set(item) == {"id", "label", "name", "municipality"} for item in found)
    school = elita(database)
    assert client.get("/organizations/search", query_string={"q": "элитовская школа", "settlement": "Элита"}
                      ).get_json() == [{"id": school.id, "label": school.label, "name": school.full_name,
                                        "municipality": "Емельяновский муниципальный район"}]
    assert client.get("/organizations/search", query_string={"q": "э"}).get_json() == []
    assert client.get("/organizations/search", query_string={"q": "э" * 5000}).status_code == 200
    statuses = [client.get("/organizations/search", query_string={"q": "Элитовская"}).status_code for _ in range(120)]
    assert statuses[-1] == 429 and statuses.count(200) == 120 - 4
