"""The methodologists' campaign pages, and the notice teachers in scope see in their cabinet."""
from datetime import timedelta

import pytest
from sqlalchemy import select

from cpp_app.kernel.clock import local_today
from cpp_app.models import AssessmentCampaign, Role, utcnow
from tests.conftest import extract_csrf
from tests.factories import audit_events, fresh, municipality, organization, signed_in, text, unescaped
from tests.integration.test_campaign_services import campaign, teacher_version

TODAY = local_today()
NEW = "/admin/campaigns/new"


@pytest.fixture
def north(database):
    place = municipality(database, "Северный район")
    database.session.commit()
    return organization(database, place, "МБОУ Северная СОШ")


def form_data(client, **overrides):
    version = teacher_version(client.application.extensions["sqlalchemy"])
    data = {"title": "Самооценка, весна", "methodology_id": str(version.id), "starts_on": TODAY.isoformat(),
            "ends_on": (TODAY + timedelta(days=30)).isoformat(), "scope": "region",
            "csrf_token": extract_csrf(client.get(NEW))}
    return data | overrides


def test_a_methodologist_opens_a_campaign_for_chosen_municipalities(staff_client, database, north):
    page = staff_client.get("/admin/campaigns")
    assert page.status_code == 200 and 'href="/admin/campaigns/new"' in text(page)
    form = staff_client.get(NEW)
    assert form.status_code == 200 and "Северный район" in text(form)
    response = staff_client.post(NEW, data=form_data(staff_client, scope="chosen",
                                                     municipality_ids=[str(north.municipality_id)]))
    assert response.status_code == 302
    made = database.session.scalar(select(AssessmentCampaign))
    assert response.headers["Location"] == f"/admin/campaigns/{made.id}"
    assert made.whole_region is False and [m.municipality_id for m in made.municipalities] == [north.municipality_id]
    assert len(audit_events(database, "campaign.opened")) == 1
    page = unescaped(staff_client.get(f"/admin/campaigns/{made.id}"))
    assert "Самооценка, весна" in page and "Северный район" in page and 'id="campaign-phase">идёт' in page
    listing = text(staff_client.get("/admin/campaigns"))
    assert f'data-campaign-id="{made.id}"' in listing


def test_a_bad_campaign_comes_back_with_every_error_and_the_values(staff_client, database, north):
    response = staff_client.post(NEW, data=form_data(
        staff_client, title="Моя кампания", starts_on=(TODAY + timedelta(days=5)).isoformat(),
        ends_on=(TODAY + timedelta(days=2)).isoformat(), scope="chosen", methodology_id="abc"))
    page = unescaped(response)
    assert response.status_code == 400
    assert "Исправьте ошибки:" in page
    for message in ("Выберите действующую методику", "Дата окончания не может быть раньше даты начала",
                    "Отметьте хотя бы один муниципалитет"):
        assert message in page, message
    assert 'value="Моя кампания"' in page
    assert 'checked id="scope-1"' in page  # «Выбранные муниципалитеты» stays chosen
    empty = unescaped(staff_client.post(NEW, data=form_data(staff_client, title="", starts_on="", ends_on="x",
                                                            scope="nonsense")))
    for message in ("Укажите название кампании", "Укажите дату начала", "Введите дату в виде дд.мм.гггг",
                    "Выберите, кого приглашаем"):
        assert message in empty, message
    past = unescaped(staff_client.post(NEW, data=form_data(
        staff_client, starts_on=(TODAY - timedelta(days=9)).isoformat(),
        ends_on=(TODAY - timedelta(days=1)).isoformat())))
    assert "Дата окончания уже прошла" in past
    assert database.session.scalar(select(AssessmentCampaign)) is None


def test_the_chosen_municipalities_stay_ticked_after_an_error(staff_client, north):
    response = staff_client.post(NEW, data=form_data(staff_client, title="", scope="chosen",
                                                     municipality_ids=[str(north.municipality_id)]))
    assert response.status_code == 400
    assert f'value="{north.municipality_id}" id="municipality-{north.municipality_id}" checked' in text(response)


def test_closing_early_asks_first_then_closes(staff_client, database):
    running = campaign(database)
    page = staff_client.get(f"/admin/campaigns/{running.id}")
    assert f'href="/admin/campaigns/{running.id}/close"' in text(page)
    confirm = staff_client.get(f"/admin/campaigns/{running.id}/close")
    assert confirm.status_code == 200 and "Завершить кампанию досрочно?" in text(confirm)
    assert fresh(database, running).closed_at is None
    response = staff_client.post(f"/admin/campaigns/{running.id}/close", data={"csrf_token": extract_csrf(confirm)})
    assert response.status_code == 302
    assert fresh(database, running).closed_at is not None
    assert len(audit_events(database, "campaign.closed")) == 1
    again = staff_client.get(f"/admin/campaigns/{running.id}/close")
    assert again.status_code == 302
    assert "Завершить досрочно" not in text(staff_client.get(f"/admin/campaigns/{running.id}"))


def test_unknown_campaigns_are_404(staff_client):
    assert staff_client.get("/admin/campaigns/12345").status_code == 404
    assert staff_client.get("/admin/campaigns/12345/close").status_code == 404


@pytest.mark.parametrize("role", [Role.TEACHER, Role.SCHOOL_ADMIN])
def test_campaign_pages_are_not_there_for_schools(app, database, make_user, role):
    running = campaign(database)
    client = signed_in(app, make_user(role=role))
    for path in ("/admin/campaigns", NEW, f"/admin/campaigns/{running.id}", f"/admin/campaigns/{running.id}/close"):
        assert client.get(path).status_code == 404, path


def test_teachers_in_scope_see_the_campaign_in_their_cabinet(app, database, make_user, north):
    running = campaign(database, municipalities=[north.municipality])
    inside = signed_in(app, make_user(organization=north, confirmed_at=utcnow()))
    overview = unescaped(inside.get("/cabinet/"))
    assert 'id="campaign-notice"' in overview and running.title in overview
    assert f"{running.ends_on:%d.%m.%Y}" in overview and 'href="/cabinet/self-assessment"' in overview
    assert 'id="campaign-notice"' in text(inside.get("/cabinet/self-assessment"))
    outside = signed_in(app, make_user())
    assert 'id="campaign-notice"' not in text(outside.get("/cabinet/"))
