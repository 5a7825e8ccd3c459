"""Development programs: creating one from a submitted or accepted diagnostic, the constructor (deficits, targets,
actions, sections), approval into frozen revisions, road-map statuses, and who may see or change what."""
import html
import re
from datetime import date
from html.parser import HTMLParser

import pytest
from sqlalchemy import func, select

from cpp_app.blueprints.admin.measure_services import measure_options
from cpp_app.blueprints.diagnostics.services import accept, result_of, return_for_rework
from cpp_app.blueprints.methodology.services_versions import methodology_of
from cpp_app.blueprints.programs import pages as program_pages
from cpp_app.domain.program import default_due_dates, default_period, draft_texts, propose
from cpp_app.kernel.clock import local_today
from cpp_app.models import (
    ActionStatus,
    AuditEvent,
    DevelopmentProgram,
    DiagnosticAnswer,
    DiagnosticStatus,
    ProgramAction,
    ProgramActionEvent,
    ProgramRevision,
    ProgramStatus,
    Role,
)
from tests.conftest import extract_csrf
from tests.factories import (
    actor_of,
    diagnostic_row,
    diagnostic_through_services,
    download,
    fresh,
    municipality,
    organization,
    sign_in,
    unescaped,
)

THIS_YEAR = date.today().year
# 5 of 14, «ниже базового»: a critical indicator at 0, gaps of 1 to 3, and the ЭИОС check failing on one item.
SCORES = {
    "cos.mobile_phones": 1,
    "cos.high_speed_internet": 0,
    "cos.safe_internet": 1,
    "cos.moya_shkola": 1,
    "cos.sferum": 2,
    "cos.it_equipment": 0,
    "cos.management_system": 1,
    "eios.internet": 1,
    "eios.local_act": 1,
    "eios.ebs": 1,
    "eios.e_journal": 1,
    "eios.e_portfolio": 0,
    "eios.curricula": 1,
}
# Critical first, then by gap (largest first), then methodology order.
DEFICIT_ORDER = ["cos.high_speed_internet", "cos.it_equipment", "cos.moya_shkola", "cos.sferum",
                 "cos.management_system", "eios.e_portfolio"]


# ------------------------------------------------------------------------------------------------ fixtures


@pytest.fixture
def submitted(database, school, director):
    return diagnostic_through_services(database, school, director, scores=SCORES)


@pytest.fixture
def school_client(app, database, director):
    return sign_in(app.test_client(), director)


def create(client, diagnostic_id, start=THIS_YEAR, end=THIS_YEAR + 4, token=True):
    page = client.get("/programs/")
    data = {"diagnostic_id": str(diagnostic_id), "period_start": str(start), "period_end": str(end)}
    if token:
        data["csrf_token"] = extract_csrf(page)
    return client.post("/programs/", data=data)


@pytest.fixture
def program_id(school_client, submitted):
    response = create(school_client, submitted.id)
    assert response.status_code == 302, response.get_data(as_text=True)
    return int(re.search(r"/programs/(\d+)$", response.headers["Location"]).group(1))


def actions_of(database, program_id, code=None) -> list[ProgramAction]:
    program = fresh(database, DevelopmentProgram, program_id)
    found = sorted(program.actions, key=lambda a: (a.sort_order, a.id))
    return [a for a in found if code is None or a.indicator_code == code]


def exists(database, action_id) -> bool:
    database.session.rollback()
    return database.session.scalar(select(func.count(ProgramAction.id)).where(ProgramAction.id == action_id)) == 1


class ProgramForm(HTMLParser):
    """The constructor's fields as a browser posts them (buttons only when pressed, the selected option)."""

    def __init__(self):
        super().__init__()
        self.inside = False
        self.fields: dict[str, str] = {}
        self.textarea: str | None = None
        self.select: str | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and "program-form" in (attrs.get("class") or ""):
            self.inside = True
        if not self.inside:
            return
        if tag == "input" and attrs.get("name"):
            if attrs.get("type") == "checkbox" and "checked" not in attrs:
                return  # a browser posts only ticked boxes
            self.fields[attrs["name"]] = attrs.get("value") or ""
        elif tag == "textarea":
            self.textarea = attrs["name"]
            self.fields[self.textarea] = ""
        elif tag == "select":
            self.select = attrs["name"]
            self.fields.setdefault(self.select, "")
        elif tag == "option" and self.select:
            if "selected" in attrs or not self.fields[self.select]:
                self.fields[self.select] = attrs.get("value") or ""

    def handle_data(self, data):
        if self.textarea:
            self.fields[self.textarea] += data

    def handle_endtag(self, tag):
        if tag == "textarea":
            self.textarea = None
        elif tag == "select":
            self.select = None
        elif tag == "form":
            self.inside = False


def form_fields(response) -> dict[str, str]:
    parser = ProgramForm()
    parser.feed(response.get_data(as_text=True))
    assert parser.fields, "the page has no constructor form"
    return {name: html.unescape(value) for name, value in parser.fields.items()}


def post_program(client, program_id, op="save", url=None, token=True, **changes):
    """Loads the constructor, changes fields like a user would, presses a button."""
    fields = form_fields(client.get(f"/programs/{program_id}"))
    fields.update(changes)
    if not token:
        fields.pop("csrf_token")
    return client.post(url or f"/programs/{program_id}", data={**fields, "op": op})


def field(action_id, name):
    return f"action-{action_id}-{name}"


def deficit_order(response) -> list[str]:
    return re.findall(r'data-indicator="([^"]+)"', response.get_data(as_text=True))


# --------------------------------------------------------------------------------------------------- access


def test_teachers_get_404_and_anonymous_visitors_sign_in(app, database, make_user, program_id, school):
    teacher = sign_in(app.test_client(), make_user(role=Role.TEACHER, organization=school))
    assert teacher.get("/programs/").status_code == 404
    assert teacher.get(f"/programs/{program_id}").status_code == 404
    anonymous = app.test_client().get(f"/programs/{program_id}")
    assert anonymous.status_code == 302 and "/login" in anonymous.headers["Location"]


def test_another_organisations_admin_gets_404_everywhere(app, database, make_user, district, program_id):
    other_school = organization(database, district, "МБОУ Другая СОШ № 2")
    other = sign_in(app.test_client(), make_user(role=Role.SCHOOL_ADMIN, organization=other_school))
    action = actions_of(database, program_id)[0]
    token = extract_csrf(other.get("/programs/"))
    assert other.get(f"/programs/{program_id}").status_code == 404
    assert other.get(f"/programs/{program_id}/actions/{action.id}/delete").status_code == 404
    for url, data in (
        (f"/programs/{program_id}", {"goal": "Чужая цель", "op": "save"}),
        (f"/programs/{program_id}/autosave", {"goal": "Чужая цель"}),
        (f"/programs/{program_id}/approve", {}),
        (f"/programs/{program_id}/actions/{action.id}/delete", {}),
        (f"/programs/{program_id}/actions/{action.id}/status", {"status": "done"}),
    ):
        assert other.post(url, data={**data, "csrf_token": token}).status_code == 404, url
    assert other.get(f"/programs/{program_id}.docx").status_code == 404
    program = fresh(database, DevelopmentProgram, program_id)
    assert program.goal != "Чужая цель" and len(program.actions) > 0
    assert all(a.status == ActionStatus.PLANNED for a in program.actions)
    assert "Чужая" not in unescaped(other.get("/programs/")) and f'data-program-id="{program_id}"' not in unescaped(
        other.get("/programs/"))


def test_methodologists_see_every_program_read_only(app, database, make_user, district, program_id, school):
    methodologist = sign_in(app.test_client(), make_user(role=Role.METHODOLOGIST))
    listing = methodologist.get("/programs/")
    assert listing.status_code == 200 and f'data-program-id="{program_id}"' in unescaped(listing)
    assert "МБОУ Тестовая СОШ № 1" in unescaped(listing)
    elsewhere = municipality(database, "Другой район")
    database.session.commit()
    assert f'data-program-id="{program_id}"' in unescaped(methodologist.get(f"/programs/?municipality={district.id}"))
    assert f'data-program-id="{program_id}"' not in unescaped(methodologist.get(f"/programs/?municipality={elsewhere.id}"))

    page = methodologist.get(f"/programs/{program_id}")
    assert page.status_code == 200
    body = unescaped(page)
    assert 'name="op"' not in body and "program-form" not in body and "program-status-form" not in body
    assert "Просмотр" in body and "Дорожная карта" in body
    action = actions_of(database, program_id)[0]
    token = extract_csrf(methodologist.get("/cabinet/"))
    for url in (f"/programs/{program_id}", f"/programs/{program_id}/approve", "/programs/",
                f"/programs/{program_id}/actions/{action.id}/status", f"/programs/{program_id}/actions/{action.id}/delete",
                f"/programs/{program_id}/autosave"):
        assert methodologist.post(url, data={"csrf_token": token, "goal": "x", "status": "done",
                                             "diagnostic_id": "1", "period_start": "2026", "period_end": "2027"}
                                  ).status_code == 404, url
    assert fresh(database, DevelopmentProgram, program_id).goal != "x"


def test_the_region_list_is_paginated(app, database, make_user, district, submitted, monkeypatch):
    monkeypatch.setattr(program_pages, "REGION_PAGE_SIZE", 2)
    for number in range(5):  # one program per diagnostic: five years of diagnostics
        diagnostic = diagnostic_row(database, submitted.organization, 7, status=DiagnosticStatus.ACCEPTED,
                                    year=f"{2015 + number}/{2016 + number}")
        database.session.add(DevelopmentProgram(organization_id=submitted.organization_id, diagnostic_id=diagnostic.id,
                                                period_start=THIS_YEAR, period_end=THIS_YEAR + 4))
    database.session.commit()
    admin = sign_in(app.test_client(), make_user(role=Role.ADMIN))
    first = unescaped(admin.get(f"/programs/?municipality={district.id}"))
    assert first.count("data-program-id=") == 2 and "Найдено: 5" in first
    assert f"municipality={district.id}&page=2" in first or f"page=2&municipality={district.id}" in first
    assert unescaped(admin.get("/programs/?page=3")).count("data-program-id=") == 1


# ------------------------------------------------------------------------------------------------- creating


def test_a_program_is_built_only_from_a_submitted_or_accepted_diagnostic(school_client, database, school, director):
    draft = diagnostic_row(database, school, None, status=DiagnosticStatus.DRAFT, year="2023/2024")
    returned = diagnostic_row(database, school, 7, status=DiagnosticStatus.RETURNED, year="2024/2025")
    page = unescaped(school_client.get("/programs/"))
    assert "Заполните и отправьте" in page and 'name="diagnostic_id"' not in page
    for refused in (draft, returned):
        response = create(school_client, refused.id)
        assert response.status_code == 400
        assert "Выберите самодиагностику из списка" in unescaped(response) or "отправленной" in unescaped(response)
    assert database.session.scalar(select(func.count(DevelopmentProgram.id))) == 0

    accepted = diagnostic_through_services(database, school, director, scores=SCORES)
    accept(accepted, actor_of(director), "methodologist", None)
    database.session.commit()
    listing = unescaped(school_client.get("/programs/"))
    choices = re.search(r'<select[^>]*name="diagnostic_id".*?</select>', listing, re.S).group(0)
    assert f'value="{accepted.id}"' in choices and f'value="{draft.id}"' not in choices
    start, end = default_period(local_today())  # from 1 September on, the next year
    assert f'value="{start}"' in listing and f'value="{end}"' in listing
    assert create(school_client, accepted.id).status_code == 302
    again = create(school_client, accepted.id)
    assert again.status_code == 400 and "уже создана" in unescaped(again)


def test_a_returned_diagnostic_is_refused_even_if_it_was_submitted_before(school_client, database, submitted, director):
    return_for_rework(submitted, actor_of(director), "methodologist", "Исправьте", {})
    database.session.commit()
    response = create(school_client, submitted.id)
    assert response.status_code == 400 and "отправленной на проверку или принятой" in unescaped(response)


@pytest.mark.parametrize("start, end, message", [
    (THIS_YEAR + 2, THIS_YEAR + 1, "не может быть раньше года начала"),
    (THIS_YEAR, THIS_YEAR + 10, "не более чем на 10 лет"),
    (THIS_YEAR + 20, THIS_YEAR + 21, "Год начала"),
    ("две тысячи", THIS_YEAR, "Введите целое число"),
])
def test_the_period_is_checked_and_the_values_kept(school_client, database, submitted, start, end, message):
    response = create(school_client, submitted.id, start, end)
    assert response.status_code == 400 and message in unescaped(response)
    assert f'value="{start}"' in unescaped(response)
    assert database.session.scalar(select(func.count(DevelopmentProgram.id))) == 0


def test_a_double_click_that_loses_the_race_is_told_the_program_exists(school_client, database, submitted,
                                                                         monkeypatch):
    from sqlalchemy.exc import IntegrityError

    from cpp_app.blueprints.programs import views as program_views

    def lost_race(*args, **kwargs):
        raise IntegrityError("INSERT INTO development_programs", {}, Exception("unique diagnostic_id"))

    monkeypatch.setattr(program_views, "create_program", lost_race)
    response = create(school_client, submitted.id)
    assert response.status_code == 302 and response.headers["Location"].endswith("/programs/")
    assert "уже создана" in unescaped(school_client.get("/programs/"))


def test_ten_years_is_the_longest_period(school_client, database, submitted):
    assert create(school_client, submitted.id, THIS_YEAR, THIS_YEAR + 9).status_code == 302


def test_creating_proposes_the_deficits_preselects_their_measures_and_drafts_the_sections(
        school_client, database, submitted, program_id):
    program = fresh(database, DevelopmentProgram, program_id)
    methodology, result = methodology_of(submitted), result_of(submitted)
    proposals = propose(methodology, result, measure_options("cos"))
    assert [p.indicator_code for p in proposals] == DEFICIT_ORDER
    due = default_due_dates((THIS_YEAR, THIS_YEAR + 4), proposals)
    expected = [(p.indicator_code, m.id, p.current, p.target, m.text, m.expected_result, m.responsible_role,
                 due[p.indicator_code]) for p in proposals for m in p.measures]
    assert [(a.indicator_code, a.measure_id, a.from_score, a.to_score, a.text, a.expected_result,
             a.responsible_position, a.due_date) for a in actions_of(database, program_id)] == expected
    assert len(expected) >= 8 and all(a.status == ActionStatus.PLANNED for a in program.actions)

    drafts = draft_texts(program.organization.short_name, methodology, result, proposals, (THIS_YEAR, THIS_YEAR + 4))
    assert (program.goal, program.tasks, program.causes, program.decisions, program.mechanisms) == (
        drafts.goal, drafts.tasks, drafts.causes, drafts.decisions, drafts.mechanisms)
    assert (program.status, program.revision, program.period_start, program.period_end) == (
        ProgramStatus.DRAFT, 1, THIS_YEAR, THIS_YEAR + 4)
    event = database.session.scalar(select(AuditEvent).where(AuditEvent.action == "program.created"))
    assert event.target_id == program_id and event.actor_id == program.created_by_id

    page = school_client.get(f"/programs/{program_id}")
    assert deficit_order(page) == DEFICIT_ORDER
    body = unescaped(page)
    assert "критический показатель" in body and "Сейчас: <strong>0 из 1</strong>" in body
    assert body.index("Дефициты и мероприятия") < body.index("Разделы программы") < body.index("Дорожная карта")
    listing = unescaped(school_client.get("/programs/"))
    assert f'data-program-id="{program_id}"' in listing and "черновик" in listing


# --------------------------------------------------------------------------------------------- the constructor


def test_saving_changes_actions_and_sections(school_client, database, program_id):
    action = actions_of(database, program_id, "cos.it_equipment")[0]
    response = post_program(school_client, program_id, **{
        "goal": "Наша цель\r\nв две строки", field(action.id, "text"): "Закупить ноутбуки",
        field(action.id, "responsible_name"): "Иванов И. И.", field(action.id, "responsible_position"): "завхоз",
        field(action.id, "due_date"): f"{THIS_YEAR + 1}-06-30", field(action.id, "expected_result"): "Ноутбуки есть",
    })
    assert response.status_code == 302
    saved = fresh(database, DevelopmentProgram, program_id)
    assert saved.goal == "Наша цель\nв две строки"
    changed = database.session.get(ProgramAction, action.id)
    assert (changed.text, changed.responsible_name, changed.responsible_position, changed.due_date,
            changed.expected_result) == ("Закупить ноутбуки", "Иванов И. И.", "завхоз", date(THIS_YEAR + 1, 6, 30),
                                         "Ноутбуки есть")
    assert "Изменения сохранены" in unescaped(school_client.get(f"/programs/{program_id}"))
    # Saving the unchanged page changes nothing and writes no audit event.
    before = database.session.scalar(select(func.count(AuditEvent.id)).where(AuditEvent.action == "program.updated"))
    post_program(school_client, program_id)
    assert database.session.scalar(
        select(func.count(AuditEvent.id)).where(AuditEvent.action == "program.updated")) == before


def test_invalid_fields_are_shown_next_to_them_with_the_typed_values_and_nothing_is_saved(
        school_client, database, program_id):
    first, second = actions_of(database, program_id, "cos.it_equipment")[:2]
    original = (first.text, second.due_date)
    response = post_program(school_client, program_id, **{
        "goal": "Новая цель, которую нельзя потерять", field(first.id, "text"): "",
        field(second.id, "due_date"): "31.02.2027", field(second.id, "text"): "Изменённый текст мероприятия",
    })
    assert response.status_code == 400
    body = unescaped(response)
    assert "Изменения не сохранены" in body
    assert re.search(rf'id="{field(first.id, "text")}-error">Опишите мероприятие', body)
    assert re.search(rf'id="{field(second.id, "due_date")}-error">Введите дату', body)
    assert "Новая цель, которую нельзя потерять" in body and 'value="31.02.2027"' in body
    assert "Изменённый текст мероприятия" in body
    assert fresh(database, DevelopmentProgram, program_id).goal != "Новая цель, которую нельзя потерять"
    assert (database.session.get(ProgramAction, first.id).text,
            database.session.get(ProgramAction, second.id).due_date) == original


@pytest.mark.parametrize("due", [f"{THIS_YEAR - 1}-12-31", f"{THIS_YEAR + 5}-01-01"])
def test_a_due_date_outside_the_period_is_refused(school_client, database, program_id, due):
    action = actions_of(database, program_id)[0]
    response = post_program(school_client, program_id, **{field(action.id, "due_date"): due})
    assert response.status_code == 400
    assert f"с 01.01.{THIS_YEAR} по 31.12.{THIS_YEAR + 4}" in unescaped(response)
    assert database.session.get(ProgramAction, action.id).due_date != date.fromisoformat(due)


def test_changing_a_target_proposes_the_measures_again(school_client, database, program_id):
    code = "cos.it_equipment"  # 0 of 3; the library has measures for 1, 2 and 3
    options = [m for m in measure_options("cos") if m.indicator_code == code]
    assert [a.measure_id for a in actions_of(database, program_id, code)] == [m.id for m in options
                                                                              if m.target_score == 1]
    # An own action stays whatever the target.
    post_program(school_client, program_id, "add_text:" + code, **{f"new-{code}-text": "Провести инвентаризацию"})
    response = post_program(school_client, program_id, **{f"target-{code}": "3"})
    assert response.status_code == 302
    actions = actions_of(database, program_id, code)
    assert {a.measure_id for a in actions} == {m.id for m in options} | {None}
    assert {a.to_score for a in actions} == {3} and {a.from_score for a in actions} == {0}
    assert "подобраны заново" in unescaped(school_client.get(f"/programs/{program_id}"))
    page = school_client.get(f"/programs/{program_id}")
    assert re.search(r'<option value="3" selected>3 из 3', page.get_data(as_text=True))

    # Back to 1: measures for 2 and 3 go, unless they are already under way.
    kept = next(a for a in actions if a.measure_id and next(m for m in options if m.id == a.measure_id).target_score == 3)
    kept.status = ActionStatus.IN_PROGRESS
    database.session.commit()
    post_program(school_client, program_id, **{f"target-{code}": "1"})
    actions = actions_of(database, program_id, code)
    assert {a.measure_id for a in actions} == {m.id for m in options if m.target_score == 1} | {None, kept.measure_id}
    assert {a.to_score for a in actions} == {1}


def test_a_target_that_is_no_level_above_the_current_one_is_refused(school_client, database, program_id):
    response = post_program(school_client, program_id, **{"target-cos.sferum": "1"})
    assert response.status_code == 400 and "Выберите цель из списка" in unescaped(response)
    assert {a.to_score for a in actions_of(database, program_id, "cos.sferum")} == {3}


def test_actions_move_up_and_down_within_their_deficit(school_client, database, program_id):
    code = "cos.high_speed_internet"
    first, second = actions_of(database, program_id, code)
    response = post_program(school_client, program_id, f"down:{first.id}")
    assert response.status_code == 302 and response.headers["Location"].endswith(f"#action-{first.id}")
    assert [a.id for a in actions_of(database, program_id, code)] == [second.id, first.id]
    post_program(school_client, program_id, f"up:{first.id}")
    assert [a.id for a in actions_of(database, program_id, code)] == [first.id, second.id]
    # The first cannot go higher; the order of the other deficits is untouched.
    others = [a.id for a in actions_of(database, program_id) if a.indicator_code != code]
    post_program(school_client, program_id, f"up:{first.id}")
    assert [a.id for a in actions_of(database, program_id, code)] == [first.id, second.id]
    assert [a.id for a in actions_of(database, program_id) if a.indicator_code != code] == others


def test_delete_asks_for_confirmation_and_saves_the_form_first(school_client, database, program_id):
    action_id = actions_of(database, program_id, "cos.sferum")[0].id
    response = post_program(school_client, program_id, f"delete:{action_id}", goal="Цель перед удалением")
    assert response.status_code == 302 and response.headers["Location"].endswith(
        f"/programs/{program_id}/actions/{action_id}/delete")
    assert fresh(database, DevelopmentProgram, program_id).goal == "Цель перед удалением"
    confirm = school_client.get(response.headers["Location"])
    assert confirm.status_code == 200 and "Удалить мероприятие из программы?" in unescaped(confirm)
    assert exists(database, action_id)
    done = school_client.post(response.headers["Location"], data={"csrf_token": extract_csrf(confirm)})
    assert done.status_code == 302
    assert not exists(database, action_id)


def test_a_measure_is_added_from_the_library_or_as_free_text(school_client, database, program_id):
    code = "cos.sferum"
    removed = actions_of(database, program_id, code)[0]
    measure_id, measure_text, due = removed.measure_id, removed.text, removed.due_date
    page = unescaped(school_client.get(f"/programs/{program_id}"))
    assert f'<option value="{measure_id}"' not in page  # already chosen
    school_client.post(f"/programs/{program_id}/actions/{removed.id}/delete",
                       data={"csrf_token": extract_csrf(school_client.get(f"/programs/{program_id}"))})
    page = unescaped(school_client.get(f"/programs/{program_id}"))
    assert f'<option value="{measure_id}"' in page  # offered again

    response = post_program(school_client, program_id, f"add_measure:{code}", **{f"new-{code}-measure": str(measure_id)})
    assert response.status_code == 302
    added = actions_of(database, program_id, code)[-1]
    assert (added.measure_id, added.from_score, added.to_score, added.text) == (measure_id, 2, 3, measure_text)
    assert added.due_date == due  # the deficit's default, as when the program was created

    empty = post_program(school_client, program_id, f"add_text:{code}", **{f"new-{code}-text": "  "})
    assert empty.status_code == 400 and "Опишите мероприятие, которое хотите добавить" in unescaped(empty)
    count = len(actions_of(database, program_id, code))
    own = post_program(school_client, program_id, f"add_text:{code}", **{f"new-{code}-text": "Создать сообщество"})
    assert own.status_code == 302
    actions = actions_of(database, program_id, code)
    assert len(actions) == count + 1
    assert (actions[-1].text, actions[-1].measure_id, actions[-1].to_score) == ("Создать сообщество", None, 3)


def test_autosave_keeps_texts_and_leaves_targets_for_the_save_button(school_client, database, program_id):
    page = school_client.get(f"/programs/{program_id}")
    fields = form_fields(page)
    fields.update({"goal": "Автосохранённая цель", "target-cos.it_equipment": "3"})
    response = school_client.post(f"/programs/{program_id}/autosave", data=fields,
                                  headers={"X-CSRFToken": fields["csrf_token"]})
    assert response.status_code == 200 and response.get_json()["saved"] == 1
    assert fresh(database, DevelopmentProgram, program_id).goal == "Автосохранённая цель"
    assert {a.to_score for a in actions_of(database, program_id, "cos.it_equipment")} == {1}
    fields[next(name for name in fields if name.endswith("-due_date"))] = "1999-01-01"
    refused = school_client.post(f"/programs/{program_id}/autosave", data=fields)
    assert refused.status_code == 422 and "Автосохранение не удалось" in refused.get_json()["error"]
    assert database.session.scalar(
        select(func.count(AuditEvent.id)).where(AuditEvent.action == "program.updated")) == 0  # routine typing


def test_autosave_answers_an_ended_session_and_a_missing_token_in_its_own_way(app, school_client, database,
                                                                              program_id):
    fields = form_fields(school_client.get(f"/programs/{program_id}"))
    stranger = app.test_client()
    token = extract_csrf(stranger.get("/login"))  # a valid token of a session that is not signed in
    anonymous = stranger.post(f"/programs/{program_id}/autosave",
                              data={**fields, "goal": "Чужая цель", "csrf_token": token})
    assert anonymous.status_code == 401 and "Сессия истекла" in anonymous.get_json()["error"]
    fields.pop("csrf_token")
    assert school_client.post(f"/programs/{program_id}/autosave", data={**fields, "goal": "Без токена"}).status_code == 400
    assert fresh(database, DevelopmentProgram, program_id).goal not in ("Чужая цель", "Без токена")


# ------------------------------------------------------------------------------------------------- approving


def named(client, program_id) -> dict[str, str]:
    """Every empty «Ответственный (ФИО)» of the constructor filled in."""
    return {name: "Иванова И. И." for name, value in form_fields(client.get(f"/programs/{program_id}")).items()
            if name.endswith("-responsible_name") and not value}


def approve(client, program_id, fill=True, **changes):
    """«Сохранить и перейти к утверждению» in the constructor, then «Утвердить программу» on the check page."""
    response = post_program(client, program_id, "approve", **{**(named(client, program_id) if fill else {}), **changes})
    assert response.status_code == 302, unescaped(response)
    assert response.headers["Location"].endswith(f"/programs/{program_id}/approve")
    check = client.get(response.headers["Location"])
    return client.post(f"/programs/{program_id}/approve", data={"csrf_token": extract_csrf(check)})


def test_approving_freezes_the_revision(school_client, database, program_id):
    response = approve(school_client, program_id, goal="Утверждённая цель")
    assert response.status_code == 302
    program = fresh(database, DevelopmentProgram, program_id)
    assert (program.status, program.revision, program.goal) == (ProgramStatus.APPROVED, 1, "Утверждённая цель")
    assert program.approved_at is not None and program.approved_by_id is not None
    revision = database.session.scalar(select(ProgramRevision).where(ProgramRevision.program_id == program_id))
    assert revision.revision == 1 and revision.snapshot["revision"] == 1
    assert revision.snapshot["status"] == "approved" and revision.snapshot["passport"]["goal"] == "Утверждённая цель"
    assert database.session.scalar(select(AuditEvent.target_id).where(AuditEvent.action == "program.approved")) == program_id
    page = unescaped(school_client.get(f"/programs/{program_id}"))
    assert "Программа утверждена" in page and "Утверждённые редакции" in page and "revision=1" in page


def test_the_first_click_shows_the_check_page_and_approves_nothing(school_client, database, program_id):
    own_code = "cos.sferum"
    post_program(school_client, program_id, f"add_text:{own_code}", **{f"new-{own_code}-text": "Своё мероприятие"})
    own = actions_of(database, program_id, own_code)[-1]
    response = post_program(school_client, program_id, "approve", goal="Цель, сохранённая кнопкой")
    assert response.status_code == 302
    program = fresh(database, DevelopmentProgram, program_id)
    assert (program.status, program.goal) == (ProgramStatus.DRAFT, "Цель, сохранённая кнопкой")
    check = school_client.get(f"/programs/{program_id}/approve")
    body = unescaped(check)
    assert check.status_code == 200 and "Проверьте программу перед утверждением" in body
    assert f"{THIS_YEAR}–{THIS_YEAR + 4} годы" in body and "Цель, сохранённая кнопкой" in body
    total = len(program.actions)
    assert re.search(rf"<dd>{total} мероприяти", body)
    # Every action without a name is listed with a link to its field; the confirm button is not offered yet.
    unnamed = [a for a in program.actions if not a.responsible_name]
    assert body.count("Не указан ответственный</a>") == len(unnamed) > 0
    assert f'href="/programs/{program_id}#action-{own.id}-responsible_name"' in body
    assert "Своё мероприятие" in body and "Утвердить программу</button>" not in body
    refused = school_client.post(f"/programs/{program_id}/approve", data={"csrf_token": extract_csrf(check)})
    assert refused.status_code == 400 and "не указан ответственный" in unescaped(refused)
    assert fresh(database, DevelopmentProgram, program_id).status == ProgramStatus.DRAFT
    assert database.session.scalar(select(func.count(ProgramRevision.id))) == 0


def test_a_responsible_person_is_named_or_explicitly_not_assigned(school_client, database, program_id):
    first, second, *rest = actions_of(database, program_id)
    changes = {**named(school_client, program_id), field(first.id, "responsible_name"): "",
               field(first.id, "responsible_unassigned"): "1"}
    both = post_program(school_client, program_id, **{**changes, field(second.id, "responsible_unassigned"): "1"})
    assert both.status_code == 400 and "не то и другое сразу" in unescaped(both)
    assert post_program(school_client, program_id, "approve", **changes).status_code == 302
    database.session.rollback()
    assert database.session.get(ProgramAction, first.id).responsible_unassigned is True
    check = unescaped(school_client.get(f"/programs/{program_id}/approve"))
    assert "Не указан ответственный" not in check and "не назначен" in check and "Иванова И. И." in check
    assert "Утвердить программу</button>" in check
    constructor = school_client.get(f"/programs/{program_id}").get_data(as_text=True)
    assert re.search(rf'id="{field(first.id, "responsible_unassigned")}"[^>]*checked', constructor)
    assert approve(school_client, program_id, fill=False).status_code == 302
    assert fresh(database, DevelopmentProgram, program_id).status == ProgramStatus.APPROVED
    snapshot = database.session.scalar(select(ProgramRevision.snapshot))
    rows = [a for group in snapshot["possible_actions"] for a in group["actions"]]
    assert [a["responsible_name"] for a in rows].count("не назначен") == 1  # what the documents print


def test_approval_needs_a_goal_and_keeps_what_was_posted(school_client, database, program_id):
    response = post_program(school_client, program_id, "approve", goal="", tasks="Задача, которую нельзя потерять")
    assert response.status_code == 302
    program = fresh(database, DevelopmentProgram, program_id)
    assert program.status == ProgramStatus.DRAFT and program.tasks == "Задача, которую нельзя потерять"
    check = unescaped(school_client.get(f"/programs/{program_id}/approve"))
    assert f'href="/programs/{program_id}#goal">Не заполнена цель программы</a>' in check
    assert database.session.scalar(select(func.count(ProgramRevision.id))) == 0


def test_an_approved_program_is_read_only_until_a_new_revision_is_started(school_client, database, program_id):
    approve(school_client, program_id, goal="Цель первой редакции")
    page = unescaped(school_client.get(f"/programs/{program_id}"))
    assert "program-form" not in page and f'href="/programs/{program_id}/new-revision"' in page
    # Editing (a page opened before the approval, or by hand) is refused and nothing changes.
    token = extract_csrf(school_client.get(f"/programs/{program_id}/new-revision"))
    action = actions_of(database, program_id)[0]
    refused = school_client.post(f"/programs/{program_id}", data={"csrf_token": token, "goal": "Тихая правка",
                                                                 "op": "save"})
    assert refused.status_code == 302 and refused.headers["Location"].endswith(f"/programs/{program_id}")
    assert "Начать новую редакцию" in unescaped(school_client.get(f"/programs/{program_id}"))
    autosave = school_client.post(f"/programs/{program_id}/autosave", data={"csrf_token": token, "goal": "Тихая"})
    assert autosave.status_code == 409
    assert school_client.get(f"/programs/{program_id}/actions/{action.id}/delete").status_code == 302
    assert school_client.post(f"/programs/{program_id}/actions/{action.id}/delete",
                              data={"csrf_token": token}).status_code == 302
    program = fresh(database, DevelopmentProgram, program_id)
    assert (program.status, program.revision, program.goal) == (ProgramStatus.APPROVED, 1, "Цель первой редакции")
    assert exists(database, action.id)
    assert database.session.scalar(select(func.count(AuditEvent.id)).where(AuditEvent.action == "program.reopened")) == 0


def test_a_new_revision_is_a_draft_and_the_approved_one_stays_the_default_download(school_client, database,
                                                                                   program_id):
    approve(school_client, program_id, goal="Цель первой редакции")
    confirm = school_client.get(f"/programs/{program_id}/new-revision")
    assert confirm.status_code == 200 and "Начать редакцию 2?" in unescaped(confirm)
    assert fresh(database, DevelopmentProgram, program_id).revision == 1  # asking changes nothing
    without_token = school_client.post(f"/programs/{program_id}/new-revision")
    assert without_token.status_code == 400 and fresh(database, DevelopmentProgram, program_id).revision == 1
    started = school_client.post(f"/programs/{program_id}/new-revision", data={"csrf_token": extract_csrf(confirm)})
    assert started.status_code == 302
    program = fresh(database, DevelopmentProgram, program_id)
    assert (program.status, program.revision) == (ProgramStatus.DRAFT, 2)
    assert database.session.scalar(select(func.count(AuditEvent.id)).where(AuditEvent.action == "program.reopened")) == 1

    assert post_program(school_client, program_id, goal="Цель второй редакции").status_code == 302
    # The approved revision 1 is still the program's document; the draft is downloaded by its number.
    default = download(school_client, f"/programs/{program_id}.docx")
    assert default.status_code == 200 and "-r1.docx" in default.headers["Content-Disposition"]
    draft = download(school_client, f"/programs/{program_id}.docx?revision=2")
    assert draft.status_code == 200 and "-r2.docx" in draft.headers["Content-Disposition"]
    assert download(school_client, f"/programs/{program_id}.docx?revision=3").status_code == 404
    listing = unescaped(school_client.get("/programs/"))
    assert "утверждена, ред. 1" in listing and "черновик ред. 2" in listing
    assert f"/programs/{program_id}.pdf?revision=1" in listing and f'href="/programs/{program_id}">черновик ред. 2' in listing

    assert approve(school_client, program_id).status_code == 302
    revisions = list(database.session.scalars(
        select(ProgramRevision).where(ProgramRevision.program_id == program_id).order_by(ProgramRevision.revision)))
    assert [(r.revision, r.snapshot["passport"]["goal"]) for r in revisions] == [
        (1, "Цель первой редакции"), (2, "Цель второй редакции")]
    assert "-r2.docx" in download(school_client, f"/programs/{program_id}.docx").headers["Content-Disposition"]
    listing = unescaped(school_client.get("/programs/"))
    assert "утверждена, ред. 2" in listing and "черновик ред." not in listing
    # Approving twice is refused.
    again = school_client.post(f"/programs/{program_id}/approve",
                               data={"csrf_token": extract_csrf(school_client.get("/programs/"))})
    assert again.status_code == 302 and "уже утверждена" in unescaped(school_client.get(f"/programs/{program_id}"))


def test_the_constructor_renders_its_attributes_once_escaped(school_client, database, program_id):
    body = school_client.get(f"/programs/{program_id}").get_data(as_text=True)
    action = actions_of(database, program_id)[0]
    assert re.search(rf'id="{field(action.id, "responsible_name")}"[^>]* maxlength="200" autocomplete="off"', body)
    assert re.search(rf'id="{field(action.id, "due_date")}"[^>]* min="{THIS_YEAR}-01-01" max="{THIS_YEAR + 4}-12-31"',
                     body)
    assert "maxlength=&" not in body and "min=&" not in body and "autocomplete=&" not in body


# ------------------------------------------------------------------------------------------------ road map


def set_status(client, program_id, action_id, status, note="", token=True):
    page = client.get(f"/programs/{program_id}")
    data = {"status": status, "note": note}
    if token:
        data["csrf_token"] = extract_csrf(page)
    return client.post(f"/programs/{program_id}/actions/{action_id}/status", data=data)


def test_action_statuses_have_a_history_and_do_not_start_a_revision(school_client, database, program_id, director):
    approve(school_client, program_id)
    first, second = actions_of(database, program_id)[:2]
    assert set_status(school_client, program_id, first.id, "in_progress", "Начали в сентябре").status_code == 302
    assert set_status(school_client, program_id, first.id, "done", "Акт подписан").status_code == 302
    assert set_status(school_client, program_id, second.id, "in_progress").status_code == 302
    program = fresh(database, DevelopmentProgram, program_id)
    assert (program.status, program.revision) == (ProgramStatus.APPROVED, 1)
    events = list(database.session.scalars(
        select(ProgramActionEvent).where(ProgramActionEvent.action_id == first.id).order_by(ProgramActionEvent.id)))
    assert [(e.from_status, e.to_status, e.note, e.actor_id) for e in events] == [
        (ActionStatus.PLANNED, ActionStatus.IN_PROGRESS, "Начали в сентябре", director.id),
        (ActionStatus.IN_PROGRESS, ActionStatus.DONE, "Акт подписан", director.id),
    ]
    assert database.session.scalar(
        select(func.count(AuditEvent.id)).where(AuditEvent.action == "program.action_status")) == 3
    page = unescaped(school_client.get(f"/programs/{program_id}"))
    total = len(program.actions)
    assert f"Всего: выполнено 1 из {total} ({round(100 / total)} %), выполняется 1" in page.replace("\xa0", " ")
    assert "Акт подписан" in page and "Директорова" in page and "История (2)" in page
    assert f"{THIS_YEAR} год" in page

    same = set_status(school_client, program_id, first.id, "done", "ещё раз")
    assert same.status_code == 400 and "уже в статусе «выполнено»" in unescaped(same) and "ещё раз" in unescaped(same)
    unknown = set_status(school_client, program_id, first.id, "cancelled")
    assert unknown.status_code == 400 and "Выберите статус из списка" in unescaped(unknown)


def test_a_later_diagnostic_shows_which_deficits_the_program_closed(school_client, database, program_id, submitted):
    program = fresh(database, DevelopmentProgram, program_id)
    start_year = int(submitted.school_year[:4])
    later = diagnostic_row(database, program.organization, 9, status=DiagnosticStatus.ACCEPTED,
                           year=f"{start_year + 1}/{start_year + 2}")
    improved = {**SCORES, "cos.high_speed_internet": 1, "cos.it_equipment": 1, "cos.sferum": 3}
    for code, value in improved.items():
        database.session.add(DiagnosticAnswer(diagnostic_id=later.id, indicator_code=code, score=value))
    database.session.commit()
    page = unescaped(school_client.get(f"/programs/{program_id}"))
    closed = page[page.index("Закрыты дефициты"):page.index("Ещё не достигли цели")]
    assert "Высокоскоростной интернет" in closed and "Платформа «Сферум»" in closed
    assert "Оснащение IT-оборудованием" in closed  # its target was 1
    rest = page[page.index("Ещё не достигли цели"):]
    assert "ФГИС «Моя школа» и Библиотека ЦОК" in rest[:rest.index("</ul>")]


# ----------------------------------------------------------------------------------------------------- CSRF


def test_posts_without_a_token_change_nothing_and_keep_what_was_typed(school_client, database, program_id, submitted):
    action = actions_of(database, program_id)[0]
    response = post_program(school_client, program_id, token=False, goal="Цель без токена")
    assert response.status_code == 400
    body = unescaped(response)
    assert "Срок действия страницы истёк" in body and "Цель без токена" in body
    approve_response = post_program(school_client, program_id, "approve", token=False, goal="Цель без токена")
    assert approve_response.status_code == 400 and "Цель без токена" in unescaped(approve_response)
    assert school_client.post(f"/programs/{program_id}/approve").status_code == 400
    status = set_status(school_client, program_id, action.id, "done", "Заметка без токена", token=False)
    assert status.status_code == 400 and "Заметка без токена" in unescaped(status)
    assert school_client.post(f"/programs/{program_id}/actions/{action.id}/delete").status_code == 400
    assert create(school_client, submitted.id, token=False).status_code == 400
    program = fresh(database, DevelopmentProgram, program_id)
    assert (program.goal != "Цель без токена", program.status, len(program.actions)) == (
        True, ProgramStatus.DRAFT, len(actions_of(database, program_id)))
    assert database.session.get(ProgramAction, action.id).status == ActionStatus.PLANNED
    assert database.session.scalar(select(func.count(DevelopmentProgram.id))) == 1
    assert database.session.scalar(select(func.count(ProgramRevision.id))) == 0
