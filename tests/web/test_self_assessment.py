"""The teacher's self-assessment in the cabinet: start, steps saved on the server, check, submit, feedback."""
import json
import re

import pytest
from sqlalchemy import select

from cpp_app.models import (
    AccountStatus,
    PlatformAccount,
    Role,
    SelfAssessment,
    SelfAssessmentArea,
    SelfAssessmentScore,
    utcnow,
)
from tests.conftest import extract_csrf
from tests.security.world import switch_user

START = "/cabinet/self-assessment"


def started(client) -> SelfAssessment:
    token = extract_csrf(client.get(START))
    response = client.post(f"{START}/start", data={"csrf_token": token})
    assert response.status_code == 302
    assessment_id = int(re.search(r"/self-assessment/(\d+)/step/1", response.headers["Location"]).group(1))
    return assessment_id


def area_codes(client, assessment_id: int, step: int) -> list[str]:
    page = client.get(f"{START}/{assessment_id}/step/{step}").get_data(as_text=True)
    return list(dict.fromkeys(re.findall(r'type="radio" id="[^"]+" name="([^"]+)"', page)))


def fill(client, assessment_id: int, step: int, score: int = 3, **overrides):
    page = client.get(f"{START}/{assessment_id}/step/{step}")
    codes = list(dict.fromkeys(re.findall(r'type="radio" id="[^"]+" name="([^"]+)"', page.get_data(as_text=True))))
    data = {code: str(score) for code in codes} | overrides | {"csrf_token": extract_csrf(page)}
    return client.post(f"{START}/{assessment_id}/step/{step}", data=data), codes


@pytest.fixture
def teacher(make_user, school, login):
    user = make_user(email="self.teacher@school.example", organization=school, confirmed_at=utcnow())
    login(user)
    return user


def stored(database, assessment_id) -> SelfAssessment:
    database.session.expire_all()
    return database.session.get(SelfAssessment, assessment_id)


def test_start_page_explains_and_starts_a_draft(client, teacher, database):
    page = client.get(START).get_data(as_text=True)
    assert "около 20 минут" in page and "не официальный федеральный инструмент" in page
    assert "не проверка вашей работы" in page
    assessment_id = started(client)
    again = started(client)  # starting again continues the same draft
    assert again == assessment_id
    assert stored(database, assessment_id).status == "draft"
    assert "Продолжить самооценку" in client.get(START).get_data(as_text=True)


def test_a_step_saves_answers_and_shows_progress(client, teacher, database):
    assessment_id = started(client)
    response, codes = fill(client, assessment_id, 1, score=4)
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/{assessment_id}/step/2")
    assert stored(database, assessment_id).answers == {code: 4 for code in codes}
    page = client.get(f"{START}/{assessment_id}/step/1").get_data(as_text=True)
    assert f"Отвечено {len(codes)} из 25" in page
    assert page.count("checked") == len(codes)


def test_out_of_range_and_junk_answers_are_refused_with_every_error_and_nothing_saved(client, teacher, database):
    assessment_id = started(client)
    codes = area_codes(client, assessment_id, 1)
    response, _ = fill(client, assessment_id, 1, **{codes[0]: "6", codes[1]: "abc", codes[2]: "-1"})
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert page.count("выберите одно из утверждений с баллом от 0 до 5") >= 2 * 3  # summary and next to each item
    assert stored(database, assessment_id).answers == {}
    # The other answers the teacher chose are still ticked.
    assert page.count("checked") == len(codes) - 3


def test_unknown_item_codes_in_the_post_are_ignored(client, teacher, database):
    assessment_id = started(client)
    response, codes = fill(client, assessment_id, 1, **{"safety.pdn": "5", "nonsense": "2"})
    assert response.status_code == 302
    assert set(stored(database, assessment_id).answers) == set(codes)


def test_another_users_assessment_is_404(client, teacher, make_user, login, school, database):
    assessment_id = started(client)
    other = make_user(email="other.teacher@school.example", organization=school, confirmed_at=utcnow())
    switch_user(client, login, other)
    for path in (f"{START}/{assessment_id}/step/1", f"{START}/{assessment_id}/check",
                 f"{START}/{assessment_id}/feedback"):
        assert client.get(path).status_code == 404, path
    token = extract_csrf(client.get(START))
    assert client.post(f"{START}/{assessment_id}/step/1", data={"csrf_token": token}).status_code == 404
    assert client.post(f"{START}/{assessment_id}/submit", data={"csrf_token": token}).status_code == 404
    assert stored(database, assessment_id).status == "draft"


def test_a_step_beyond_the_areas_is_404(client, teacher):
    assessment_id = started(client)
    assert client.get(f"{START}/{assessment_id}/step/8").status_code == 404
    assert client.get(f"{START}/{assessment_id}/step/0").status_code == 404


def test_staff_without_a_school_may_not_take_it(client, make_user, login):
    login(make_user(role=Role.ADMIN, email="admin.self@kipk.example"))
    assert client.get(START).status_code == 404


def test_check_page_lists_missing_items_and_submit_refuses_until_complete(client, teacher, database):
    assessment_id = started(client)
    fill(client, assessment_id, 1)
    page = client.get(f"{START}/{assessment_id}/check").get_data(as_text=True)
    assert "Отвечено 7 из 25" in page
    assert f"/{assessment_id}/step/2#item-content-" in page
    assert "Отправить самооценку" not in page
    token = extract_csrf(client.get(START))
    response = client.post(f"{START}/{assessment_id}/submit", data={"csrf_token": token})
    assert response.headers["Location"].endswith(f"/{assessment_id}/check")
    assert stored(database, assessment_id).status == "draft"


def complete(client, assessment_id, scores=(1, 2, 3, 4, 5, 2, 3)):
    for step, score in enumerate(scores, start=1):
        response, _ = fill(client, assessment_id, step, score=score)
        assert response.status_code == 302
    page = client.get(f"{START}/{assessment_id}/check")
    assert "Отправить самооценку" in page.get_data(as_text=True)
    return client.post(f"{START}/{assessment_id}/submit", data={"csrf_token": extract_csrf(page)})


def test_submit_and_feedback(client, teacher, database, platforms):
    database.session.add(PlatformAccount(user_id=teacher.id, platform_id=platforms["moya_shkola"].id,
                                         status=AccountStatus.ACTIVE, confirmed_at=utcnow()))
    database.session.commit()
    assessment_id = started(client)
    step_one = client.get(f"{START}/{assessment_id}/step/1").get_data(as_text=True)
    assert "По данным вашего профиля: ФГИС «Моя школа» — активно использую, подтверждено организацией" in step_one
    assert "По данным вашего профиля: Сферум — не отмечен" in step_one
    assert "checked" not in step_one  # suggestions are never ticked
    response = complete(client, assessment_id)
    assert response.headers["Location"].endswith(f"/{assessment_id}/feedback")
    assessment = stored(database, assessment_id)
    assert assessment.status == "submitted" and assessment.submitted_at is not None
    assert assessment.organization_id == teacher.organization_id
    # The result as rows for the research view: one per area, one per item.
    areas = dict(database.session.execute(
        select(SelfAssessmentArea.area_code, SelfAssessmentArea.level_rank)
        .where(SelfAssessmentArea.assessment_id == assessment_id)).all())
    assert len(areas) == 7 and areas["platforms"] == 0 and areas["content"] == 1  # 1 of 5: «начальный»; 2 of 5: «базовый»
    scores = database.session.scalars(
        select(SelfAssessmentScore.score).where(SelfAssessmentScore.assessment_id == assessment_id)).all()
    assert len(scores) == 25
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert '<svg' in page and 'id="levels-table"' in page
    assert "начальный" in page and "эксперт" in page and "уверенный" in page  # words, not only numbers
    assert "Следующий уровень — «базовый»" in page
    assert 'id="strengths"' in page and 'id="growth"' in page
    # Platforms rated 1 everywhere: «Моя школа» is active and confirmed — a disagreement.
    assert "а в профиле ФГИС «Моя школа» — «активно использую»" in page
    # Submitted: the steps lead to the feedback, nothing more changes.
    assert client.get(f"{START}/{assessment_id}/step/1").headers["Location"].endswith("/feedback")
    overview = client.get("/cabinet/").get_data(as_text=True)
    assert "Самооценка цифровой готовности" in overview and f"/{assessment_id}/feedback" in overview


def test_high_platform_rating_without_an_account_is_pointed_out(client, teacher):
    assessment_id = started(client)
    complete(client, assessment_id, scores=(4, 2, 3, 4, 5, 2, 3))
    page = client.get(f"{START}/{assessment_id}/feedback").get_data(as_text=True)
    assert "на 4, а в профиле Сферум не отмечен" in page


def test_overview_card_shows_the_draft(client, teacher):
    assert "Пройти самооценку" in client.get("/cabinet/").get_data(as_text=True)
    assessment_id = started(client)
    fill(client, assessment_id, 1)
    assert "отвечено 7 из 25" in client.get("/cabinet/").get_data(as_text=True)


def test_a_csrf_failure_keeps_the_posted_answers(app, client, teacher, database):
    assessment_id = started(client)
    codes = area_codes(client, assessment_id, 1)
    app.config["WTF_CSRF_ENABLED"] = True
    response = client.post(f"{START}/{assessment_id}/step/1", data={codes[0]: "5", "csrf_token": "stale"})
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Введённые данные сохранены ниже" in page
    assert re.search(rf'name="{re.escape(codes[0])}" value="5"\s+checked', page)
    assert stored(database, assessment_id).answers == {}


def test_my_data_export_holds_the_answers(client, teacher):
    assessment_id = started(client)
    _, codes = fill(client, assessment_id, 1, score=2)
    data = json.loads(client.get("/cabinet/data.json").get_data(as_text=True))
    [exported] = data["self_assessments"]
    assert exported["status_label"] == "черновик" and exported["answers"] == {code: 2 for code in codes}
    assert "Самооценка цифровой готовности" in exported["instrument"]
    assert client.get("/cabinet/data.pdf").status_code == 200
