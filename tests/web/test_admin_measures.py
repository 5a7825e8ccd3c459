"""The methodologist's measures library: access, list, create, edit, deactivate, CSRF."""
import re

import pytest
from sqlalchemy import select

from cpp_app.blueprints.admin.measure_services import measure_options
from cpp_app.models import Course, Measure, Role
from tests.conftest import extract_csrf
from tests.factories import audit_events, fresh, row_count, signed_in, text


def first_measure(database, code="cos.sferum") -> Measure:
    return database.session.scalars(
        select(Measure).where(Measure.indicator_code == code).order_by(Measure.id)
    ).first()


def course_id(database, title) -> int:
    return database.session.scalar(select(Course.id).where(Course.title == title))


MOYA_COURSE = "Использование ФГИС «Моя школа» и Библиотеки ЦОК в образовательной деятельности"


def measure_form(**overrides):
    data = {
        "indicator_code": "cos.moya_shkola",
        "target_score": "2",
        "text": "Провести серию мастер-классов по Библиотеке ЦОК для педагогов начальной школы.",
        "responsible_role": "руководитель МО начальных классов",
        "duration": "полугодие",
        "expected_result": "Не менее 30 % педагогов используют Библиотеку ЦОК; подтверждено в ЦПП.",
        "course_id": "",
    }
    data.update(overrides)
    return data


def post_new(client, token=None, **overrides):
    if token is None:
        token = extract_csrf(client.get("/admin/measures/new"))
    return client.post("/admin/measures/new", data={"csrf_token": token, **measure_form(**overrides)})


# ------------------------------------------------------------------------------------------- access


@pytest.mark.parametrize("role", [Role.TEACHER, Role.SCHOOL_ADMIN])
def test_library_does_not_exist_for_teachers_and_school_admins(app, database, make_user, role):
    measure = first_measure(database)
    client = signed_in(app, make_user(role=role))
    for url in ("/admin/measures", "/admin/measures/new", f"/admin/measures/{measure.id}/edit"):
        assert client.get(url).status_code == 404, url
    token = extract_csrf(client.get("/cabinet/courses"))
    for url in (f"/admin/measures/{measure.id}/deactivate", f"/admin/measures/{measure.id}/edit",
                "/admin/measures/new"):
        assert client.post(url, data={"csrf_token": token, **measure_form()}).status_code == 404, url
    assert row_count(database, Measure) == len(measure_options("cos"))  # all still active, nothing added


def test_anonymous_visitors_are_sent_to_sign_in(client):
    response = client.get("/admin/measures")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


@pytest.mark.parametrize("role", [Role.METHODOLOGIST, Role.ADMIN])
def test_list_is_grouped_by_indicator_and_level(app, database, make_user, role):
    client = signed_in(app, make_user(role=role))
    page = text(client.get("/admin/measures"))
    assert "Библиотека мер для программ развития" in page
    # Every indicator of the active methodology, by its label, in methodology order.
    headings = re.findall(r'<section class="card measures-indicator" id="indicator-([a-z._]+)"', page)
    assert headings[:3] == ["cos.mobile_phones", "cos.high_speed_internet", "cos.safe_internet"]
    assert len(headings) == 13
    assert "ФГИС «Моя школа» и Библиотека ЦОК" in page
    assert "До 3 баллов" in page and "не менее 95% педагогических работников" in page
    assert "Включённых мер нет" not in page  # the seeded library covers every level
    assert f'id="measure-{first_measure(database).id}"' in page


def test_filter_by_indicator(staff_client, database):
    page = text(staff_client.get("/admin/measures?indicator=cos.sferum"))
    assert re.findall(r'id="indicator-([a-z._]+)"', page) == ["cos.sferum"]
    assert f'id="measure-{first_measure(database).id}"' in page
    assert f'id="measure-{first_measure(database, "cos.moya_shkola").id}"' not in page
    # An unknown filter shows everything.
    assert len(re.findall(r'class="card measures-indicator"', text(staff_client.get("/admin/measures?indicator=x")))) == 13


# ------------------------------------------------------------------------------------------- create


def test_create_a_measure(staff_client, database):
    before = row_count(database, Measure)
    response = post_new(staff_client, course_id=str(course_id(database, MOYA_COURSE)))
    assert response.status_code == 302
    assert row_count(database, Measure) == before + 1
    measure = database.session.scalars(select(Measure).order_by(Measure.id.desc())).first()
    assert (measure.methodology_code, measure.indicator_code, measure.target_score) == ("cos", "cos.moya_shkola", 2)
    assert measure.is_active and measure.course.title == MOYA_COURSE
    assert response.headers["Location"].endswith(f"indicator=cos.moya_shkola#measure-{measure.id}")
    # Last of its level in the library's order, offered to the constructor.
    options = [o for o in measure_options("cos") if (o.indicator_code, o.target_score) == ("cos.moya_shkola", 2)]
    assert options[-1].id == measure.id and options[-1].course_title == MOYA_COURSE
    [event] = audit_events(database, "measure.created")
    assert event.target_id == measure.id and event.details["indicator_code"] == "cos.moya_shkola"
    assert "Мера добавлена" in text(staff_client.get(response.headers["Location"]))


def test_new_form_from_a_level_link_offers_that_indicators_levels(staff_client):
    page = text(staff_client.get("/admin/measures/new?indicator=cos.management_system&score=2"))
    assert re.search(r'<option selected value="cos.management_system">', page)
    target = re.search(r'<select[^>]*id="target_score".*?</select>', page, re.S).group(0)
    assert re.findall(r'value="(\d+)"', target) == ["1", "2"]
    assert re.search(r'<option selected value="2">', target)


def test_validation_errors_are_shown_next_to_the_fields_and_values_kept(staff_client, database):
    before = row_count(database, Measure)
    response = post_new(staff_client, indicator_code="cos.mobile_phones", target_score="3", text="",
                        course_id="999999", duration="д" * 101)
    page = text(response)
    assert response.status_code == 200
    assert "Исправьте ошибки:" in page and 'href="#text"' in page and 'href="#target_score"' in page
    assert re.search(r'id="target_score-error">У показателя «Локальные акты об ограничении мобильных телефонов» '
                     r'нет такого уровня; допустимо: 1\.</p>', page)
    assert 'id="text-error">Опишите, что нужно сделать.</p>' in page
    assert 'id="duration-error">Не более 100 символов.</p>' in page
    assert 'id="course_id-error">Выберите курс из каталога или «без курса».</p>' in page
    assert "руководитель МО начальных классов" in page  # the other values stay
    assert row_count(database, Measure) == before


def test_unknown_indicator_is_refused(staff_client, database):
    before = row_count(database, Measure)
    page = text(post_new(staff_client, indicator_code="cos.nothing"))
    assert 'id="indicator_code-error">Выберите показатель из списка.</p>' in page
    assert "target_score-error" not in page  # no indicator, no levels to check against
    assert row_count(database, Measure) == before


def test_create_without_csrf_changes_nothing_and_keeps_the_values(staff_client, database):
    before = row_count(database, Measure)
    response = staff_client.post("/admin/measures/new", data=measure_form())
    assert response.status_code == 400
    assert "Срок действия страницы истёк" in text(response)
    assert "руководитель МО начальных классов" in text(response)
    assert row_count(database, Measure) == before
    assert audit_events(database, "measure.created") == []


# ------------------------------------------------------------------------------------------- edit


def test_edit_a_measure(staff_client, database):
    measure = first_measure(database)
    page = staff_client.get(f"/admin/measures/{measure.id}/edit")
    assert measure.text in text(page)
    token = extract_csrf(page)
    data = measure_form(indicator_code=measure.indicator_code, target_score=str(measure.target_score),
                        text="Зарегистрировать школу в «Сферуме» и создать структуру классов за 2 недели.",
                        responsible_role=measure.responsible_role, duration=measure.duration,
                        expected_result=measure.expected_result, course_id="")
    response = staff_client.post(f"/admin/measures/{measure.id}/edit", data={"csrf_token": token, **data})
    assert response.status_code == 302
    fresh(database)
    measure = database.session.get(Measure, measure.id)
    assert measure.text.startswith("Зарегистрировать школу") and measure.course_id is None
    [event] = audit_events(database, "measure.updated")
    assert event.details["fields"] == ["course_id", "text"]
    # Saving again without changes says so and records nothing.
    response = staff_client.post(f"/admin/measures/{measure.id}/edit", data={"csrf_token": token, **data},
                                 follow_redirects=True)
    assert "Изменений нет." in text(response)
    assert len(audit_events(database, "measure.updated")) == 1


def test_edit_to_a_level_the_indicator_lacks_is_refused(staff_client, database):
    measure = first_measure(database, "cos.mobile_phones")
    token = extract_csrf(staff_client.get(f"/admin/measures/{measure.id}/edit"))
    response = staff_client.post(f"/admin/measures/{measure.id}/edit",
                                 data={"csrf_token": token, **measure_form(indicator_code="cos.mobile_phones",
                                                                           target_score="2")})
    assert 'id="target_score-error"' in text(response)
    fresh(database)
    assert database.session.get(Measure, measure.id).target_score == 1


def test_edit_without_csrf_changes_nothing(staff_client, database):
    measure = first_measure(database)
    original = measure.text
    response = staff_client.post(f"/admin/measures/{measure.id}/edit", data=measure_form(text="Другое."))
    assert response.status_code == 400
    fresh(database)
    assert database.session.get(Measure, measure.id).text == original


def test_unknown_measure_is_404(staff_client):
    assert staff_client.get("/admin/measures/999999/edit").status_code == 404


# ------------------------------------------------------------------------------------------- (de)activate


def test_deactivate_and_reactivate(staff_client, database):
    measure = first_measure(database)
    page = staff_client.get("/admin/measures?indicator=cos.sferum")
    token = extract_csrf(page)
    response = staff_client.post(f"/admin/measures/{measure.id}/deactivate", data={"csrf_token": token})
    assert response.status_code == 302 and response.headers["Location"].endswith(f"#measure-{measure.id}")
    fresh(database)
    assert not database.session.get(Measure, measure.id).is_active
    assert measure.id not in {o.id for o in measure_options("cos")}
    page = text(staff_client.get("/admin/measures?indicator=cos.sferum"))
    row = re.search(rf'<tr id="measure-{measure.id}".*?</tr>', page, re.S).group(0)
    assert "отключена" in row and "Включить" in row
    # Twice: no second event.
    staff_client.post(f"/admin/measures/{measure.id}/deactivate", data={"csrf_token": token})
    assert len(audit_events(database, "measure.deactivated")) == 1
    staff_client.post(f"/admin/measures/{measure.id}/reactivate", data={"csrf_token": token})
    fresh(database)
    assert database.session.get(Measure, measure.id).is_active
    assert len(audit_events(database, "measure.reactivated")) == 1


def test_deactivate_without_csrf_changes_nothing(staff_client, database):
    measure = first_measure(database)
    response = staff_client.post(f"/admin/measures/{measure.id}/deactivate")
    assert response.status_code == 400
    fresh(database)
    assert database.session.get(Measure, measure.id).is_active
    assert audit_events(database, "measure.deactivated") == []


def test_measures_cannot_be_deleted(app):
    rules = [rule for rule in app.url_map.iter_rules() if rule.endpoint.startswith("admin.measure")]
    assert {rule.endpoint for rule in rules} == {
        "admin.measures", "admin.measure_new", "admin.measure_edit", "admin.measure_deactivate",
        "admin.measure_reactivate",
    }
    assert not any("DELETE" in rule.methods or "delete" in rule.rule for rule in rules)
