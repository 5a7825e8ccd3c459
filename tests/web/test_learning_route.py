"""The teacher's individual educational route (ИОМ): built from the feedback page, edited, closed by course
completion and platform confirmation, downloaded as PDF and DOCX, shared with the school admin, and growth."""
import io
import json
import re
from datetime import date, timedelta

import pytest
from docx import Document
from sqlalchemy import select

from cpp_app.blueprints.courses.services_admin import complete as complete_course
from cpp_app.blueprints.school.services import confirm_account
from cpp_app.blueprints.selfassessment.services_route import shared_routes
from cpp_app.domain.route import school_year_end
from cpp_app.kernel.clock import local_today
from cpp_app.models import (
    AccountStatus,
    Course,
    CourseFormat,
    CourseRecord,
    CourseStatus,
    LearningRoute,
    LearningRouteItem,
    PlatformAccount,
    Role,
    SelfAssessment,
    User,
    utcnow,
)
from tests.conftest import extract_csrf
from tests.factories import actor_of, organization, pdf_page_texts
from tests.security.world import switch_user
from tests.web.test_self_assessment import START, complete, started

# Platform work rated 1 (level «начальный»), the rest 4: the platforms area is the only growth area.
SCORES = (1, 4, 4, 4, 4, 4, 4)


@pytest.fixture
def teacher(make_user, school, login):
    user = make_user(email="route.teacher@school.example", organization=school, confirmed_at=utcnow(),
                     last_name="Маршрутова", first_name="Анна", middle_name="Петровна")
    login(user)
    return user


def course(database, title, areas, is_open=True, starts_in=40) -> Course:
    row = Course(title=title, hours=36, format=CourseFormat.DISTANCE, topic="ЦОС", is_open=is_open,
                 starts_on=local_today() + timedelta(days=starts_in), readiness_areas=areas)
    database.session.add(row)
    database.session.commit()
    return row


def submitted(client, scores=SCORES) -> int:
    assessment_id = started(client)
    assert complete(client, assessment_id, scores).status_code == 302
    return assessment_id


def built(client, assessment_id) -> str:
    feedback = client.get(f"{START}/{assessment_id}/feedback")
    assert "Построить маршрут" in feedback.get_data(as_text=True)
    response = client.post(f"{START}/{assessment_id}/route", data={"csrf_token": extract_csrf(feedback)})
    assert response.status_code == 302
    return response.headers["Location"].split("#")[0]


def route_of(database, assessment_id) -> LearningRoute:
    database.session.expire_all()
    return database.session.scalar(select(LearningRoute).where(LearningRoute.assessment_id == assessment_id))


def test_the_route_is_built_from_the_growth_areas_with_open_courses_platform_steps_and_self_study(
        client, teacher, database, platforms):
    tagged = course(database, "Сферум и ФГИС «Моя школа» в работе учителя", ["platforms"])
    closed = course(database, "Закрытый курс о платформах", ["platforms"], is_open=False)
    other_area = course(database, "Курс об оценивании", ["assessment"])
    assessment_id = submitted(client)
    url = built(client, assessment_id)
    route = route_of(database, assessment_id)
    assert route.period_start == local_today() and route.period_end == school_year_end(local_today())
    assert [(area.area_code, area.current_level, area.target_level) for area in route.areas] == [("platforms", 0, 1)]
    course_ids = {item.course_id for item in route.items if item.kind == "course"}
    assert tagged.id in course_ids and closed.id not in course_ids and other_area.id not in course_ids
    kinds = {item.kind for item in route.items}
    assert kinds == {"course", "platform", "self_study"}
    assert any(item.title.startswith("Зарегистрироваться на платформе «Сферум»") for item in route.items)

    page = client.get(url).get_data(as_text=True)
    assert "Индивидуальный образовательный маршрут" in page and "Работа на государственных платформах" in page
    assert "начальный" in page and "базовый" in page
    assert f"Выполнено 0 из {len(route.items)}" in page
    # Building again opens the same route; the feedback page now offers to open it.
    feedback = client.get(f"{START}/{assessment_id}/feedback")
    assert "Открыть маршрут" in feedback.get_data(as_text=True)
    again = client.post(f"{START}/{assessment_id}/route", data={"csrf_token": extract_csrf(feedback)})
    assert again.headers["Location"].split("#")[0] == url
    assert database.session.query(LearningRoute).count() == 1
    assert url in client.get(START).get_data(as_text=True)
    overview = client.get("/cabinet/").get_data(as_text=True)
    assert f"выполнено 0 из {len(route.items)}" in overview and url in overview


def test_course_completion_and_platform_confirmation_close_items_by_themselves(
        client, teacher, database, platforms, make_user, methodologist):
    tagged = course(database, "Госплатформы для учителя", ["platforms"])
    assessment_id = submitted(client)
    url = built(client, assessment_id)
    record = CourseRecord(user_id=teacher.id, course_id=tagged.id, status=CourseStatus.ENROLLED)
    sferum = PlatformAccount(user_id=teacher.id, platform_id=platforms["sferum"].id, status=AccountStatus.ACTIVE)
    database.session.add_all([record, sferum])
    database.session.commit()
    complete_course(tagged, [record.id], actor_of(methodologist))
    director = make_user(role=Role.SCHOOL_ADMIN, email="route.director@school.example",
                         organization=teacher.organization, confirmed_at=utcnow())
    confirm_account(database.session.get(PlatformAccount, sferum.id), actor_of(director))
    database.session.commit()
    route = route_of(database, assessment_id)
    done = {item.title: item.done_automatically for item in route.items if item.done_at is not None}
    assert done["Госплатформы для учителя"] is True
    assert any("Сферум" in title for title in done)
    assert "выполнено (автоматически)" in client.get(url).get_data(as_text=True)


def test_the_route_page_refreshes_items_closed_elsewhere(client, teacher, database, platforms):
    assessment_id = submitted(client)
    url = built(client, assessment_id)
    database.session.add(PlatformAccount(user_id=teacher.id, platform_id=platforms["resh"].id,
                                         status=AccountStatus.ACTIVE, confirmed_at=utcnow()))
    database.session.commit()
    client.get(url)
    route = route_of(database, assessment_id)
    resh = [item for item in route.items if item.platform_code == "resh"]
    assert resh and all(item.done_automatically for item in resh)


def test_due_date_outside_the_period_is_refused_in_russian_and_the_value_kept(client, teacher, database):
    assessment_id = submitted(client)
    url = built(client, assessment_id)
    route = route_of(database, assessment_id)
    item = route.items[0]
    page = client.get(f"{url}/items/{item.id}")
    late = route.period_end + timedelta(days=1)
    response = client.post(f"{url}/items/{item.id}",
                           data={"csrf_token": extract_csrf(page), "due_on": late.strftime("%d.%m.%Y")})
    text = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Срок должен быть в пределах периода маршрута" in text and "Исправьте ошибки" in text
    assert late.strftime("%d.%m.%Y") in text or late.isoformat() in text
    good = route.period_start + timedelta(days=10)
    response = client.post(f"{url}/items/{item.id}", data={"csrf_token": extract_csrf(page),
                                                          "due_on": good.isoformat()})
    assert response.status_code == 302
    database.session.expire_all()
    assert database.session.get(LearningRouteItem, item.id).due_on == good


def test_adding_items_shows_every_error_at_once_then_adds_self_study_and_a_course(client, teacher, database):
    open_course = course(database, "Открытый курс по ЦОК", [])
    closed = course(database, "Закрытый курс", [], is_open=False)
    assessment_id = submitted(client)
    url = built(client, assessment_id)
    count = len(route_of(database, assessment_id).items)
    page = client.get(f"{url}/items/new")
    token = extract_csrf(page)
    assert closed.title not in page.get_data(as_text=True)
    response = client.post(f"{url}/items/new", data={"csrf_token": token, "area_code": "platforms",
                                                     "kind": "self_study", "title": "", "due_on": "01.01.2001"})
    text = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Опишите, что вы сделаете самостоятельно." in text and "Срок должен быть в пределах" in text
    response = client.post(f"{url}/items/new", data={"csrf_token": token, "area_code": "platforms",
                                                     "kind": "course", "course_id": str(closed.id),
                                                     "due_on": local_today().isoformat()})
    assert response.status_code == 400
    assert "Выберите курс из открытых курсов каталога." in response.get_data(as_text=True)
    due = local_today().isoformat()
    assert client.post(f"{url}/items/new", data={"csrf_token": token, "area_code": "platforms", "kind": "self_study",
                                                 "title": "Провести урок с ЦОК", "due_on": due}).status_code == 302
    assert client.post(f"{url}/items/new", data={"csrf_token": token, "area_code": "platforms", "kind": "course",
                                                 "course_id": str(open_course.id), "due_on": due}).status_code == 302
    items = route_of(database, assessment_id).items
    assert len(items) == count + 2
    assert {"Провести урок с ЦОК", "Открытый курс по ЦОК"} <= {item.title for item in items}


def test_removing_an_item_asks_first_and_marking_own_items_done(client, teacher, database):
    assessment_id = submitted(client)
    url = built(client, assessment_id)
    route = route_of(database, assessment_id)
    own = next(item for item in route.items if item.kind == "self_study")
    platform = next(item for item in route.items if item.kind == "platform")
    platform_id = platform.id
    confirm = client.get(f"{url}/items/{platform_id}/remove")
    assert "Убрать пункт из маршрута?" in confirm.get_data(as_text=True)
    assert client.post(f"{url}/items/{platform_id}/remove",
                       data={"csrf_token": extract_csrf(confirm)}).status_code == 302
    token = extract_csrf(client.get(url))
    client.post(f"{url}/items/{own.id}/done", data={"csrf_token": token, "done": "1"})
    page = client.get(url).get_data(as_text=True)
    assert "выполнено (отмечено вами)" in page
    route = route_of(database, assessment_id)
    assert platform_id not in {item.id for item in route.items}
    assert database.session.get(LearningRouteItem, own.id).done_at is not None
    client.post(f"{url}/items/{own.id}/done", data={"csrf_token": token, "done": "0"})
    database.session.expire_all()
    assert database.session.get(LearningRouteItem, own.id).done_at is None


def test_target_level_and_goal_per_area(client, teacher, database):
    assessment_id = submitted(client)
    url = built(client, assessment_id)
    page = client.get(f"{url}/areas")
    token = extract_csrf(page)
    response = client.post(f"{url}/areas", data={"csrf_token": token, "areas-0-target": "9",
                                                 "areas-0-goal": "x" * 1001})
    text = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Выберите целевой уровень не ниже текущего." in text and "Не более 1000 символов" in text
    response = client.post(f"{url}/areas", data={"csrf_token": token, "areas-0-target": "3",
                                                 "areas-0-goal": "Вести уроки в Сферуме"})
    assert response.status_code == 302
    area = route_of(database, assessment_id).areas[0]
    assert (area.target_level, area.goal) == (3, "Вести уроки в Сферуме")
    assert "продвинутый" in client.get(url).get_data(as_text=True)


def test_pdf_and_docx(client, teacher, database):
    assessment_id = submitted(client)
    url = built(client, assessment_id)
    response = client.get(f"{url}/iom.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    pages = pdf_page_texts(response.data)
    assert 1 <= len(pages) <= 3
    text = re.sub(r"\s+", " ", " ".join(pages))
    for expected in ("Индивидуальный образовательный маршрут педагога", "Маршрутова Анна Петровна",
                     "Согласовано: руководитель ОО", "начальный", "базовый", "Период"):
        assert expected in text, expected
    response = client.get(f"{url}/iom.docx")
    assert response.status_code == 200
    document = Document(io.BytesIO(response.data))
    body = "\n".join(paragraph.text for paragraph in document.paragraphs)
    cells = " ".join(cell.text for table in document.tables for row in table.rows for cell in row.cells)
    assert "Индивидуальный образовательный маршрут педагога" in body and "Согласовано: руководитель ОО" in body
    assert "Маршрутова Анна Петровна" in cells and "начальный" in cells


def test_sharing_with_the_school_admin_only(client, teacher, database, make_user, login, district):
    assessment_id = submitted(client)
    url = built(client, assessment_id)
    route = route_of(database, assessment_id)
    director = make_user(role=Role.SCHOOL_ADMIN, email="share.director@school.example",
                         organization=teacher.organization, confirmed_at=utcnow())
    elsewhere = organization(database, district, "МБОУ СОШ другая")
    stranger = make_user(role=Role.SCHOOL_ADMIN, email="stranger.director@school.example", organization=elsewhere,
                         confirmed_at=utcnow())
    assert shared_routes(teacher.organization_id) == []
    page = client.get(url)
    assert "Показать маршрут руководителю моей организации" in page.get_data(as_text=True)
    client.post(f"{url}/share", data={"csrf_token": extract_csrf(page), "shared": "y"})
    [shared] = shared_routes(teacher.organization_id)
    assert (shared.route_id, shared.teacher) == (route.id, "Маршрутова А.П.")
    switch_user(client, login, director)
    response = client.get(f"/school/routes/{route.id}")
    assert response.status_code == 200 and "Маршрутова Анна Петровна" in response.get_data(as_text=True)
    switch_user(client, login, stranger)
    assert client.get(f"/school/routes/{route.id}").status_code == 404
    switch_user(client, login, teacher)
    page = client.get(url)
    client.post(f"{url}/share", data={"csrf_token": extract_csrf(page)})
    switch_user(client, login, director)
    assert client.get(f"/school/routes/{route.id}").status_code == 404


def test_another_teachers_route_is_404(client, teacher, database, make_user, login, school):
    assessment_id = submitted(client)
    url = built(client, assessment_id)
    item = route_of(database, assessment_id).items[0]
    switch_user(client, login, make_user(email="nosy.teacher@school.example", organization=school, confirmed_at=utcnow()))
    for path in (url, f"{url}/iom.pdf", f"{url}/areas", f"{url}/items/{item.id}", f"{url}/items/{item.id}/remove"):
        assert client.get(path).status_code == 404, path


def test_a_later_assessment_shows_growth_and_its_route_becomes_current(client, teacher, database):
    first = submitted(client)
    first_url = built(client, first)
    second = submitted(client, (3, 4, 4, 4, 4, 3, 4))
    feedback = client.get(f"{START}/{second}/feedback").get_data(as_text=True)
    assert "Изменения с прошлой самооценки" in feedback
    table = feedback.split('id="growth-table"')[1].split("</table>")[0]
    assert "начальный (1)" in table and "уверенный (3)" in table and "↑" in table and "выше" in table
    assert "ниже" in table  # safety went from 4 to 3
    # The older feedback offers no new route; the new one does, and it becomes the current route.
    second_url = built(client, second)
    assert second_url != first_url
    old = client.get(first_url).get_data(as_text=True)
    assert "Это прежний маршрут" in old and second_url in old
    assert client.get(f"{first_url}/items/new").status_code == 404


def test_my_data_export_holds_the_route(client, teacher, database):
    assessment_id = submitted(client)
    built(client, assessment_id)
    data = json.loads(client.get("/cabinet/data.json").get_data(as_text=True))
    [exported] = data["learning_routes"]
    assert exported["areas"][0]["area_code"] == "platforms" and exported["items"]
    pdf = " ".join(pdf_page_texts(client.get("/cabinet/data.pdf").data))
    assert "Индивидуальные образовательные маршруты" in pdf


def test_autosave_saves_the_step_and_answers_with_the_time_and_progress(client, teacher, database):
    assessment_id = started(client)
    page = client.get(f"{START}/{assessment_id}/step/1")
    text = page.get_data(as_text=True)
    assert "data-autosave-url" in text and "js/autosave.js" in text
    codes = list(dict.fromkeys(re.findall(r'type="radio" id="[^"]+" name="([^"]+)"', text)))
    token = extract_csrf(page)
    response = client.post(f"{START}/{assessment_id}/step/1/autosave",
                           data={"csrf_token": token, codes[0]: "3", codes[1]: "2"},
                           headers={"X-CSRFToken": token})
    assert response.status_code == 200
    body = response.get_json()
    assert re.fullmatch(r"\d\d:\d\d", body["saved_at"]) and body["progress"] == "Отвечено 2 из 25."
    database.session.expire_all()
    assert database.session.get(SelfAssessment, assessment_id).answers == {codes[0]: 3, codes[1]: 2}
    # A reload shows the saved answers.
    assert client.get(f"{START}/{assessment_id}/step/1").get_data(as_text=True).count("checked") == 2
    refused = client.post(f"{START}/{assessment_id}/step/1/autosave", data={"csrf_token": token, codes[0]: "9"},
                          headers={"X-CSRFToken": token})
    assert refused.status_code == 422 and "выберите одно из утверждений" in refused.get_json()["error"]


def test_autosave_after_the_session_ended_is_a_401_and_the_step_post_is_stashed(client, teacher, database, login):
    assessment_id = started(client)
    page = client.get(f"{START}/{assessment_id}/step/1")
    text = page.get_data(as_text=True)
    codes = list(dict.fromkeys(re.findall(r'type="radio" id="[^"]+" name="([^"]+)"', text)))
    token = extract_csrf(page)
    client.post("/logout", data={"csrf_token": extract_csrf(client.get("/logout"))})
    response = client.post(f"{START}/{assessment_id}/step/1/autosave", data={"csrf_token": token, codes[0]: "4"},
                           headers={"X-CSRFToken": token})
    assert response.status_code == 401
    response = client.post(f"{START}/{assessment_id}/step/1", data={"csrf_token": token, codes[0]: "4"},
                           headers={"Origin": "http://localhost"})
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    switch_user(client, login, teacher)
    shown = client.get(f"{START}/{assessment_id}/step/1").get_data(as_text=True)
    assert "ответы, выбранные до окончания сеанса" in shown
    assert re.search(rf'name="{re.escape(codes[0])}" value="4"\s+checked', shown)
    # Shown once: the stash is gone after that.
    assert "до окончания сеанса" not in client.get(f"{START}/{assessment_id}/step/1").get_data(as_text=True)


def test_items_are_due_within_the_period(client, teacher, database):
    assessment_id = submitted(client)
    built(client, assessment_id)
    route = route_of(database, assessment_id)
    assert all(route.period_start <= item.due_on <= route.period_end for item in route.items)
    assert route.period_end.month == 5 and route.period_end >= date.today() - timedelta(days=1)


def test_the_overview_card_reads_a_new_draft_and_the_current_routes_progress(app, client, teacher, database):
    from cpp_app.blueprints.selfassessment.services import card

    first = submitted(client)
    route_url = built(client, first)
    route_id = int(route_url.rstrip("/").rsplit("/", 1)[1])
    item = database.session.scalars(select(LearningRouteItem).where(LearningRouteItem.route_id == route_id)).first()
    item.done_at = utcnow()
    database.session.commit()
    assert client.post(f"{START}/start", data={"csrf_token": extract_csrf(client.get(START))}).status_code == 302
    with app.test_request_context():
        overview = card(database.session.get(User, teacher.id))
    assert overview.draft is not None and overview.draft.status == "draft"
    assert overview.submitted is not None and overview.submitted.id == first
    assert (overview.route.route_id, overview.route.done) == (route_id, 1) and overview.route.total >= 1
