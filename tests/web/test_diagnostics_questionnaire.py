"""The school's self-diagnostic questionnaire: start, steps, revisions and conflicts, suggestions from the staff
data, autosave, answers kept across an ended session, «Проверить и отправить» and the lock after submission."""
import re
from datetime import datetime, timedelta
from html.parser import HTMLParser
from urllib.parse import unquote

import pytest
from sqlalchemy import func, select, update

from cpp_app.blueprints.diagnostics.services import return_for_rework
from cpp_app.domain.workflow import school_year
from cpp_app.kernel.actor import Actor
from cpp_app.kernel.clock import KRASNOYARSK_TIME, local_today
from cpp_app.models import (
    AccountStatus,
    AuditEvent,
    AuthSession,
    Diagnostic,
    DiagnosticAnswer,
    DiagnosticStatus,
    FormStash,
    PlatformAccount,
    Role,
    utcnow,
)
from tests.conftest import TEST_PASSWORD, extract_csrf
from tests.factories import fresh, row_count, sign_in, unescaped

YEAR = school_year(datetime.now(KRASNOYARSK_TIME).date())
COS = ("cos.mobile_phones", "cos.high_speed_internet", "cos.safe_internet", "cos.moya_shkola", "cos.sferum",
       "cos.it_equipment", "cos.management_system")
EIOS = ("eios.internet", "eios.local_act", "eios.ebs", "eios.e_journal", "eios.e_portfolio", "eios.curricula")


# ------------------------------------------------------------------------------------------------ helpers


class QuestionnaireForm(HTMLParser):
    """The fields of the page's questionnaire form as a browser would post them (checked radios only)."""

    def __init__(self):
        super().__init__()
        self.inside = False
        self.fields: dict[str, str] = {}
        self.textarea: str | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and "questionnaire" in (attrs.get("class") or ""):
            self.inside = True
        elif self.inside and tag == "input" and attrs.get("name"):
            if attrs.get("type") == "radio" and "checked" not in attrs:
                return
            self.fields[attrs["name"]] = attrs.get("value") or ""
        elif self.inside and tag == "textarea":
            self.textarea = attrs["name"]
            self.fields[self.textarea] = ""

    def handle_data(self, data):
        if self.textarea:
            self.fields[self.textarea] += data

    def handle_endtag(self, tag):
        if tag == "textarea":
            self.textarea = None
        elif tag == "form":
            self.inside = False


def form_fields(response) -> dict[str, str]:
    parser = QuestionnaireForm()
    parser.feed(response.get_data(as_text=True))
    assert parser.fields, "the page has no questionnaire form"
    return parser.fields


def sign_out(client):
    page = client.get("/cabinet/")
    assert client.post("/logout", data={"csrf_token": extract_csrf(page)}).status_code == 302


def start(client) -> int:
    response = client.post("/diagnostics/start", data={"csrf_token": extract_csrf(client.get("/diagnostics/"))})
    assert response.status_code == 302, response.get_data(as_text=True)
    return int(re.search(r"/diagnostics/(\d+)", response.headers["Location"]).group(1))


def step_url(diagnostic_id, section=None):
    return f"/diagnostics/{diagnostic_id}" + (f"?section={section}" if section else "")


def post_step(client, diagnostic_id, section=None, action="save", **changes):
    """Loads the step, changes fields like a user would, posts the form."""
    fields = form_fields(client.get(step_url(diagnostic_id, section)))
    fields.update({name.replace("__", "-"): str(value) for name, value in changes.items()})
    return client.post(step_url(diagnostic_id, section), data={**fields, "action": action})


def answers(database, diagnostic_id) -> dict[str, DiagnosticAnswer]:
    database.session.rollback()
    database.session.expire_all()
    return {a.indicator_code: a for a in database.session.scalars(
        select(DiagnosticAnswer).where(DiagnosticAnswer.diagnostic_id == diagnostic_id))}


def score_field(code):
    return f"score-{code}"


# ----------------------------------------------------------------------------------------------- fixtures


@pytest.fixture
def admin(make_user, organizations):
    return make_user(role=Role.SCHOOL_ADMIN, email="director@school.example", last_name="Директорова",
                     organization=organizations[0], confirmed_at=utcnow())


@pytest.fixture
def colleague(make_user, organizations):
    return make_user(role=Role.SCHOOL_ADMIN, email="deputy@school.example", last_name="Завучева",
                     first_name="Ольга", middle_name="Петровна", organization=organizations[0], confirmed_at=utcnow())


@pytest.fixture
def signed_in(client, admin):
    sign_in(client, admin)
    return client


def staff(make_user, organization, last_name, confirmed=True):
    staff.counter = getattr(staff, "counter", 0) + 1
    return make_user(last_name=last_name, email=f"t{staff.counter}@school.example", phone=f"+7913{staff.counter:07d}",
                     organization=organization, confirmed_at=utcnow() if confirmed else None)


def account(database, user, platform, status, confirmed=True):
    database.session.add(PlatformAccount(user_id=user.id, platform_id=platform.id, status=status,
                                         confirmed_at=utcnow() if confirmed else None))
    database.session.commit()


# --------------------------------------------------------------------------------------- list and start


def test_empty_list_then_start_is_idempotent_per_year(signed_in, database):
    page = signed_in.get("/diagnostics/")
    assert page.status_code == 200
    assert "Самодиагностик пока нет" in unescaped(page)
    assert f"Начать самодиагностику {YEAR}" in unescaped(page)

    first = start(signed_in)
    second = start(signed_in)
    assert first == second
    assert database.session.scalar(select(func.count(Diagnostic.id))) == 1
    started = database.session.scalars(select(AuditEvent).where(AuditEvent.action == "diagnostic.started")).all()
    assert len(started) == 1

    listing = unescaped(signed_in.get("/diagnostics/"))
    assert f"Открыть самодиагностику {YEAR}" in listing and "Начать самодиагностику" not in listing
    assert f'<tr data-diagnostic-id="{first}">' in listing and "черновик" in listing


def test_a_school_admin_without_organisation_is_told_why(client, make_user):
    sign_in(client, make_user(role=Role.SCHOOL_ADMIN, organization=None))
    page = client.get("/diagnostics/")
    assert page.status_code == 200 and "не привязана к образовательной организации" in unescaped(page)
    token = extract_csrf(page)
    assert client.post("/diagnostics/start", data={"csrf_token": token}).status_code == 404


# ------------------------------------------------------------------------------------------------- steps


def test_general_step_and_a_section_are_saved_step_by_step(signed_in, database):
    diagnostic_id = start(signed_in)
    general = signed_in.get(step_url(diagnostic_id))
    assert general.status_code == 200
    body = unescaped(general)
    assert "Общие сведения" in body and 'for="staff_count">Численность педагогических работников' in body
    assert 'aria-current="step"' in body and "Проверить и отправить" in body

    response = post_step(signed_in, diagnostic_id, action="next", staff_count="24", student_count="310")
    assert response.status_code == 302 and response.headers["Location"].endswith(step_url(diagnostic_id, "cos"))
    saved = fresh(database, Diagnostic, diagnostic_id)
    assert (saved.staff_count, saved.student_count) == (24, 310)

    section = unescaped(signed_in.get(step_url(diagnostic_id, "cos")))
    # Each indicator is a fieldset with its title as legend and its levels as labelled radios.
    assert re.search(r'<fieldset class="indicator" id="ind-cos-it_equipment">\s*<legend>6\. Оснащение', section)
    assert '<label for="score-cos-it_equipment-2">2 балла — соответствует в полной мере</label>' in section
    assert '<label for="score-cos-mobile_phones-1">1 балл — да</label>' in section
    assert '<label for="score-cos-sferum-0">0 баллов — отсутствие регистрации' in section

    response = post_step(signed_in, diagnostic_id, "cos", **{
        score_field("cos.mobile_phones"): "1", "comment-cos.mobile_phones": "Приказ № 12\r\nот 01.09.2026",
        "evidence-cos.mobile_phones": "https://school.example/docs/12.pdf", score_field("cos.it_equipment"): "2",
    })
    assert response.status_code == 302 and response.headers["Location"].endswith(step_url(diagnostic_id, "cos"))
    stored = answers(database, diagnostic_id)
    assert set(stored) == {"cos.mobile_phones", "cos.it_equipment"}  # untouched indicators stay without a row
    phones = stored["cos.mobile_phones"]
    assert (phones.score, phones.comment, phones.evidence_url, phones.revision) == (
        1, "Приказ № 12\nот 01.09.2026", "https://school.example/docs/12.pdf", 1)
    assert "Ответы сохранены." in unescaped(signed_in.get(response.headers["Location"]))

    # Saving the same page again changes nothing: no new revision.
    assert post_step(signed_in, diagnostic_id, "cos").status_code == 302
    assert answers(database, diagnostic_id)["cos.mobile_phones"].revision == 1

    # «Сохранить и далее» from the last section leads to the check page.
    response = post_step(signed_in, diagnostic_id, "eios", action="next", **{score_field("eios.internet"): "1"})
    assert response.headers["Location"].endswith(f"/diagnostics/{diagnostic_id}/check")


def test_students_on_sferum_are_saved_with_the_date_of_the_figure(signed_in, database):
    diagnostic_id = start(signed_in)
    body = unescaped(signed_in.get(step_url(diagnostic_id)))
    assert 'for="sferum_students">Обучающихся зарегистрировано в Сферуме' in body
    assert 'for="sferum_students_on">На дату (ДД.ММ.ГГГГ)' in body
    yesterday = local_today() - timedelta(days=1)

    response = post_step(signed_in, diagnostic_id, staff_count="24", student_count="310", sferum_students="1 20",
                         sferum_students_on=yesterday.strftime("%d.%m.%Y"))
    assert response.status_code == 302
    saved = fresh(database, Diagnostic, diagnostic_id)
    assert (saved.sferum_students, saved.sferum_students_on) == (120, yesterday)
    body = unescaped(signed_in.get(step_url(diagnostic_id)))
    assert 'value="120"' in body and f'value="{yesterday.strftime("%d.%m.%Y")}"' in body
    check = unescaped(signed_in.get(f"/diagnostics/{diagnostic_id}/check"))
    assert f"<dt>На дату (ДД.ММ.ГГГГ)</dt><dd>{yesterday.strftime('%d.%m.%Y')}</dd>" in check

    # All of it may be cleared again; the ISO form a date picker posts is read too.
    assert post_step(signed_in, diagnostic_id, sferum_students="", sferum_students_on="").status_code == 302
    assert fresh(database, Diagnostic, diagnostic_id).sferum_students is None
    assert post_step(signed_in, diagnostic_id, student_count="310", sferum_students="310",
                     sferum_students_on=yesterday.isoformat()).status_code == 302
    assert fresh(database, Diagnostic, diagnostic_id).sferum_students_on == yesterday


@pytest.mark.parametrize(("fields", "messages"), [
    ({"student_count": "300", "sferum_students": "301", "sferum_students_on": "{tomorrow}"},
     {"sferum_students": "Больше, чем обучающихся в школе (300)",
      "sferum_students_on": "Дата не может быть позже сегодняшней."}),
    ({"student_count": "300", "sferum_students": "-5", "sferum_students_on": "31.02.2026"},
     {"sferum_students": "Число не может быть отрицательным.",
      "sferum_students_on": "Введите дату в виде ДД.ММ.ГГГГ"}),
    ({"staff_count": "двадцать", "sferum_students": "40"},
     {"staff_count": "Введите целое число", "sferum_students_on": "Укажите дату, на которую дано число"}),
    ({"sferum_students_on": "{yesterday}"},
     {"sferum_students": "Укажите, сколько обучающихся зарегистрировано в Сферуме на эту дату."}),
])
def test_students_on_sferum_errors_come_all_at_once_with_the_values_kept(signed_in, database, fields, messages):
    diagnostic_id = start(signed_in)
    today = local_today()
    dates = {"tomorrow": (today + timedelta(days=1)).strftime("%d.%m.%Y"),
             "yesterday": (today - timedelta(days=1)).strftime("%d.%m.%Y")}
    fields = {name: value.format(**dates) for name, value in fields.items()}

    response = post_step(signed_in, diagnostic_id, **fields)

    assert response.status_code == 400
    body = unescaped(response)
    assert "Исправьте ошибки:" in body
    for name, message in messages.items():
        assert re.search(rf'<a href="#{name}">[^<]*{re.escape(message)}', body), name
        assert re.search(rf'id="{name}"[^>]*aria-invalid="true"', body), name
    for name, value in fields.items():
        assert f'value="{value}"' in body
    saved = fresh(database, Diagnostic, diagnostic_id)
    assert (saved.student_count, saved.sferum_students, saved.sferum_students_on) == (None, None, None)


def test_bad_input_is_shown_back_and_the_sections_other_answers_are_saved(signed_in, database):
    diagnostic_id = start(signed_in)
    response = post_step(signed_in, diagnostic_id, staff_count="двадцать", student_count="300")
    assert response.status_code == 400
    body = unescaped(response)
    assert "Введите целое число" in body and 'value="двадцать"' in body
    assert 'Исправьте ошибки:' in body and 'href="#staff_count"' in body
    assert fresh(database, Diagnostic, diagnostic_id).student_count is None

    response = post_step(signed_in, diagnostic_id, "cos", **{
        score_field("cos.sferum"): "2", "evidence-cos.sferum": "https://school.example:8080/plan.pdf",
        score_field("cos.mobile_phones"): "1", "comment-cos.mobile_phones": "Приказ № 12"})
    assert response.status_code == 400
    body = unescaped(response)
    # The refused answer comes back as typed, its message in the summary with a link to the input …
    assert "номер порта" in body and 'value="https://school.example:8080/plan.pdf"' in body
    assert re.search(r'<a href="#evidence-cos-sferum">[^<]*номер порта', body)
    assert re.search(r'id="evidence-cos-sferum"[^>]*aria-invalid="true"', body)
    assert re.search(r'id="score-cos-sferum-2"[^>]*checked', body)
    assert "остальные ответы" in body
    # … while the section's other answer is saved, and the page carries its new revision.
    stored = answers(database, diagnostic_id)
    assert set(stored) == {"cos.mobile_phones"}
    assert (stored["cos.mobile_phones"].score, stored["cos.mobile_phones"].comment) == (1, "Приказ № 12")
    fields = form_fields(response)
    assert fields["rev-cos.mobile_phones"] == "1"

    # Saving the page again with the link fixed saves it, without a conflict for the answer saved before.
    fields.update({"evidence-cos.sferum": "school.example/plan.pdf", "action": "save"})
    assert signed_in.post(step_url(diagnostic_id, "cos"), data=fields).status_code == 302
    stored = answers(database, diagnostic_id)
    assert stored["cos.sferum"].evidence_url == "https://school.example/plan.pdf"
    assert stored["cos.mobile_phones"].revision == 1

    assert signed_in.get(step_url(diagnostic_id, "nonexistent")).status_code == 404


def test_a_failed_csrf_token_shows_the_posted_answers_again(signed_in, database):
    diagnostic_id = start(signed_in)
    fields = form_fields(signed_in.get(step_url(diagnostic_id, "cos")))
    fields.update({"csrf_token": "stale", score_field("cos.sferum"): "1", "comment-cos.sferum": "Есть структура"})
    response = signed_in.post(step_url(diagnostic_id, "cos"), data=fields)
    assert response.status_code == 400
    body = unescaped(response)
    assert "Срок действия страницы истёк" in body and "Есть структура" in body
    assert re.search(r'id="score-cos-sferum-1"[^>]*checked', body)
    assert answers(database, diagnostic_id) == {}
    # The re-rendered form carries a fresh token: sending it again saves.
    again = form_fields(response)
    assert signed_in.post(step_url(diagnostic_id, "cos"), data=again).status_code == 302
    assert answers(database, diagnostic_id)["cos.sferum"].comment == "Есть структура"


# ------------------------------------------------------------------------------------- revisions, conflicts


def test_two_admins_of_one_school_never_overwrite_each_other_silently(app, signed_in, admin, colleague, database):
    signed_in_user_id = admin.id
    diagnostic_id = start(signed_in)
    other = app.test_client()
    sign_in(other, colleague)

    mine = form_fields(signed_in.get(step_url(diagnostic_id, "cos")))
    theirs = form_fields(other.get(step_url(diagnostic_id, "cos")))

    theirs.update({score_field("cos.it_equipment"): "2", "comment-cos.it_equipment": "Всё по рекомендациям"})
    assert other.post(step_url(diagnostic_id, "cos"), data=theirs).status_code == 302

    # My page was loaded before their save: my different answer is a conflict, my other answer is saved.
    mine.update({score_field("cos.it_equipment"): "1", score_field("cos.mobile_phones"): "1"})
    response = signed_in.post(step_url(diagnostic_id, "cos"), data=mine)
    assert response.status_code == 409
    body = unescaped(response)
    assert "Этот показатель изменил другой пользователь (Завучева О.П.," in body
    assert "его ответ: 2 балла — соответствует в полной мере; комментарий: «Всё по рекомендациям»" in body
    assert "ваш ответ: 1 балл — частично соответствует" in body
    assert re.search(r'id="score-cos-it_equipment-1"[^>]*checked', body)  # my value kept in the form
    stored = answers(database, diagnostic_id)
    assert (stored["cos.it_equipment"].score, stored["cos.it_equipment"].revision) == (2, 1)
    assert stored["cos.mobile_phones"].score == 1

    # The re-rendered form carries their revision: a second «Сохранить» writes my whole answer deliberately.
    resolved = form_fields(response)
    assert resolved["rev-cos.it_equipment"] == "1"
    assert signed_in.post(step_url(diagnostic_id, "cos"), data=resolved).status_code == 302
    stored = answers(database, diagnostic_id)["cos.it_equipment"]
    assert (stored.score, stored.comment, stored.revision, stored.updated_by_id) == (1, None, 2, signed_in_user_id)


def test_an_untouched_answer_on_an_old_page_is_neither_a_conflict_nor_an_overwrite(app, signed_in, colleague, database):
    diagnostic_id = start(signed_in)
    post_step(signed_in, diagnostic_id, "cos", **{score_field("cos.sferum"): "1"})
    other = app.test_client()
    sign_in(other, colleague)

    mine = form_fields(signed_in.get(step_url(diagnostic_id, "cos")))
    assert post_step(other, diagnostic_id, "cos", **{score_field("cos.sferum"): "3"}).status_code == 302

    # My old page still shows 1 for «Сферум», but I changed only another indicator.
    mine[score_field("cos.mobile_phones")] = "1"
    assert signed_in.post(step_url(diagnostic_id, "cos"), data=mine).status_code == 302
    stored = answers(database, diagnostic_id)
    assert (stored["cos.sferum"].score, stored["cos.sferum"].revision) == (3, 2)
    assert stored["cos.mobile_phones"].score == 1


# ------------------------------------------------------------------------------------ suggestions and names


@pytest.fixture
def school_with_staff(make_user, database, organizations, platforms, admin):
    """4 confirmed teachers (with the admin: 5 confirmed staff), a pending one and a teacher of another school."""
    first, second = organizations
    a = staff(make_user, first, "Абрамова")
    b = staff(make_user, first, "Борисов")
    c = staff(make_user, first, "Васильева")
    d = staff(make_user, first, "Григорьев")
    staff(make_user, first, "Ожидающая", confirmed=False)
    stranger = staff(make_user, second, "Чужакова")
    moya, cok, sferum = platforms["moya_shkola"], platforms["cok_library"], platforms["sferum"]
    account(database, admin, moya, AccountStatus.ACTIVE)
    account(database, a, moya, AccountStatus.REGISTERED)
    account(database, b, moya, AccountStatus.ACTIVE)
    account(database, c, moya, AccountStatus.REGISTERED, confirmed=False)  # the school has not confirmed it
    account(database, d, moya, AccountStatus.NOT_REGISTERED)
    account(database, b, cok, AccountStatus.ACTIVE)
    account(database, stranger, moya, AccountStatus.NOT_REGISTERED)
    for person in (admin, a, b, c, d):
        account(database, person, sferum, AccountStatus.ACTIVE)
    return {"a": a, "b": b, "c": c, "d": d}


def indicator_block(body: str, key: str) -> str:
    return re.search(rf'<fieldset class="indicator[^"]*" id="ind-{key}">(.*?)</fieldset>', body, re.S).group(1)


def test_suggestion_with_its_figures_and_the_over_claim_warning(signed_in, school_with_staff, database):
    diagnostic_id = start(signed_in)
    post_step(signed_in, diagnostic_id, staff_count="5")
    response = post_step(signed_in, diagnostic_id, "cos", **{score_field("cos.moya_shkola"): "3",
                                                             score_field("cos.sferum"): "3"})
    assert response.status_code == 302
    body = unescaped(signed_in.get(step_url(diagnostic_id, "cos")))

    moya = indicator_block(body, "cos-moya_shkola")
    assert "По данным профилей педагогов:</strong>\n      0 баллов" in moya
    assert "Зарегистрированы во ФГИС «Моя школа»: 3 из 5 педагогов (60\u00a0%), нужно 100\u00a0% для 1 балла" in moya
    warning = re.search(r'<p class="alert alert-warning overclaim"[^>]*>', moya).group(0)
    assert 'data-overclaim-for="cos.moya_shkola"' in warning and 'data-suggested="0"' in warning
    assert "hidden" not in warning
    assert "Выбранный балл выше, чем подтверждают данные профилей педагогов (0 баллов)" in moya

    # Every confirmed staff member is active in «Сферум», confirmed: 3 points, no warning.
    sferum = indicator_block(body, "cos-sferum")
    assert "По данным профилей педагогов:</strong>\n      3 балла" in sferum
    assert re.search(r'<p class="alert alert-warning overclaim"[^>]*\bhidden>', sferum)

    # No auto rule, no suggestion.
    assert "По данным профилей" not in indicator_block(body, "cos-it_equipment")


def test_the_check_page_shows_the_general_facts_and_repeats_the_over_claim_warnings(signed_in, school_with_staff):
    diagnostic_id = start(signed_in)
    post_step(signed_in, diagnostic_id, staff_count="5", student_count="120")
    post_step(signed_in, diagnostic_id, "cos", **{score_field("cos.moya_shkola"): "3", score_field("cos.sferum"): "3"})
    body = unescaped(signed_in.get(f"/diagnostics/{diagnostic_id}/check"))
    general = body[body.index('<h2 id="general-title">Общие сведения</h2>'):]
    general = general[:general.index("</section>")]
    assert "Численность педагогических работников</dt><dd>5</dd>" in general
    assert "Численность обучающихся</dt><dd>120</dd>" in general
    assert f'href="/diagnostics/{diagnostic_id}">Изменить общие сведения</a>' in general
    # The questionnaire's warning, word for word, for «Моя школа» (3 chosen, 0 supported) and not for «Сферум».
    warnings = body[body.index('id="over-claims"'):body.index('<h2 id="general-title">')]
    assert "Балл выше данных профилей педагогов:\n      1 показатель." in warnings
    assert f'href="/diagnostics/{diagnostic_id}?section=cos#ind-cos-moya_shkola">ФГИС «Моя школа» и Библиотека ЦОК</a>' \
        in warnings
    assert "Выбранный балл выше, чем подтверждают данные профилей педагогов (0 баллов)" in warnings
    assert "Сферум" not in warnings
    row = re.search(r'<tr class="" data-indicator="cos.moya_shkola">.*?</tr>', body, re.S).group(0)
    assert "Выше данных профилей" in row and "по данным ЦПП — 0 баллов" in row


def test_without_a_staff_count_the_confirmed_staff_is_used_and_said_so(signed_in, school_with_staff):
    diagnostic_id = start(signed_in)
    body = unescaped(signed_in.get(step_url(diagnostic_id, "cos")))
    assert "доли посчитаны от числа сотрудников,\n        подтверждённых в ЦПП (5)" in body
    assert "3 из 5 педагогов" in indicator_block(body, "cos-moya_shkola")


def test_the_admin_sees_who_is_not_registered_by_name(signed_in, school_with_staff, database):
    diagnostic_id = start(signed_in)
    moya = indicator_block(unescaped(signed_in.get(step_url(diagnostic_id, "cos"))), "cos-moya_shkola")
    gap = re.search(r'<div class="gap" data-platform="moya_shkola">(.*?)</div>', moya, re.S).group(1)
    assert re.search(r"ФГИС «Моя школа»:</strong> не зарегистрированы\s*\(1\)", gap)
    assert "<li>Григорьев" in gap  # an account marked «не зарегистрирован»
    assert re.search(r"регистрацию отметили, но ОО её ещё не подтвердила\s*\(1\)", gap) and "<li>Васильева" in gap
    for name in ("Абрамова", "Борисов", "Директорова", "Ожидающая", "Чужакова"):
        assert name not in gap, name
    cok = re.search(r'<div class="gap" data-platform="cok_library">(.*?)</div>', moya, re.S).group(1)
    assert re.search(r"не зарегистрированы\s*\(4\)", cok) and "Борисов" not in cok


# ------------------------------------------------------------------------------------------------ access


def test_another_schools_admin_and_a_teacher_get_404_everywhere(app, client, make_user, organizations, admin):
    owner = app.test_client()
    sign_in(owner, admin)
    diagnostic_id = start(owner)
    outsider = make_user(role=Role.SCHOOL_ADMIN, email="other@school.example", organization=organizations[1])
    teacher = make_user(email="teacher@school.example", organization=organizations[0])
    for user in (outsider, teacher):
        visitor = app.test_client()
        sign_in(visitor, user)
        token = extract_csrf(visitor.get("/cabinet/"))
        for path in (step_url(diagnostic_id), step_url(diagnostic_id, "cos"), f"/diagnostics/{diagnostic_id}/check"):
            assert visitor.get(path).status_code == 404, (user.email, path)
            assert visitor.post(path, data={"csrf_token": token, score_field("cos.sferum"): "3"}).status_code == 404
        response = visitor.post(f"/diagnostics/{diagnostic_id}/autosave?section=cos",
                                data={score_field("cos.sferum"): "3"}, headers={"X-CSRFToken": token})
        assert response.status_code == 404
    visitor = app.test_client()
    sign_in(visitor, teacher)
    assert visitor.get("/diagnostics/").status_code == 404
    token = extract_csrf(visitor.get("/cabinet/"))
    assert visitor.post("/diagnostics/start", data={"csrf_token": token}).status_code == 404


# ---------------------------------------------------------------------------------------------- autosave


def autosave(client, diagnostic_id, section, fields, token=None):
    headers = {"X-CSRFToken": token} if token else {}
    return client.post(f"/diagnostics/{diagnostic_id}/autosave" + (f"?section={section}" if section else ""),
                       data=fields, headers={**headers, "Accept": "application/json"})


def test_autosave_answers_json_with_revisions(signed_in, database):
    diagnostic_id = start(signed_in)
    fields = form_fields(signed_in.get(step_url(diagnostic_id, "cos")))
    token = fields.pop("csrf_token")
    fields[score_field("cos.sferum")] = "2"
    response = autosave(signed_in, diagnostic_id, "cos", fields, token)
    assert response.status_code == 200
    data = response.get_json()
    assert data["saved"] == 1 and data["revisions"] == {"cos.sferum": 1} and data["conflicts"] == []
    assert re.fullmatch(r"\d\d:\d\d", data["saved_at"])
    assert answers(database, diagnostic_id)["cos.sferum"].score == 2

    # The page updates its hidden fields from the answer; the next autosave is not a conflict with itself.
    fields["rev-cos.sferum"], fields["orig-cos.sferum"] = "1", data["digests"]["cos.sferum"]
    fields["comment-cos.sferum"] = "Структура создана"
    data = autosave(signed_in, diagnostic_id, "cos", fields, token).get_json()
    assert data["saved"] == 1 and data["revisions"] == {"cos.sferum": 2}

    # A stale revision is reported as a conflict and leaves the stored answer alone.
    fields["rev-cos.sferum"] = "1"
    fields[score_field("cos.sferum")] = "3"
    data = autosave(signed_in, diagnostic_id, "cos", fields, token).get_json()
    assert data["saved"] == 0 and data["revisions"] == {}
    [conflict] = data["conflicts"]
    assert conflict["code"] == "cos.sferum" and conflict["who"].startswith("Директорова")
    assert answers(database, diagnostic_id)["cos.sferum"].score == 2

    # «Общие сведения» autosave too.
    data = autosave(signed_in, diagnostic_id, None, {"staff_count": "31", "student_count": ""}, token).get_json()
    assert data["saved"] == 1 and fresh(database, Diagnostic, diagnostic_id).staff_count == 31

    # Bad input: 422 with the field errors, nothing saved.
    response = autosave(signed_in, diagnostic_id, None, {"staff_count": "много"}, token)
    assert response.status_code == 422 and "staff_count" in response.get_json()["errors"]


def test_autosave_saves_the_other_answers_when_one_is_refused(signed_in, database):
    diagnostic_id = start(signed_in)
    fields = form_fields(signed_in.get(step_url(diagnostic_id, "cos")))
    token = fields.pop("csrf_token")
    fields.update({score_field("cos.sferum"): "2", "evidence-cos.sferum": "localhost/plan",
                   score_field("cos.mobile_phones"): "1", "evidence-cos.mobile_phones": "school.example/order"})
    response = autosave(signed_in, diagnostic_id, "cos", fields, token)
    assert response.status_code == 422
    data = response.get_json()
    assert set(data["errors"]) == {"cos.sferum.evidence_url"} and "Автосохранение не удалось" in data["error"]
    # The saved answer's revision goes back to the page, so its next save is not a conflict with itself.
    assert data["saved"] == 1 and data["revisions"] == {"cos.mobile_phones": 1}
    stored = answers(database, diagnostic_id)
    assert set(stored) == {"cos.mobile_phones"}
    assert stored["cos.mobile_phones"].evidence_url == "https://school.example/order"


def test_autosave_refuses_a_missing_csrf_header_and_an_ended_session(signed_in, database):
    diagnostic_id = start(signed_in)
    fields = form_fields(signed_in.get(step_url(diagnostic_id, "cos")))
    token = fields.pop("csrf_token")
    fields[score_field("cos.sferum")] = "2"
    assert autosave(signed_in, diagnostic_id, "cos", fields).status_code == 400

    sign_out(signed_in)
    response = autosave(signed_in, diagnostic_id, "cos", fields, token)
    assert response.status_code == 401  # not Flask-Login's redirect to /login
    assert response.is_json and "Сессия истекла" in response.get_json()["error"]
    assert answers(database, diagnostic_id) == {}


# ------------------------------------------------------------------------------------- the ended session


def test_answers_posted_after_sign_out_come_back_after_sign_in(signed_in, admin, database):
    diagnostic_id = start(signed_in)
    fields = form_fields(signed_in.get(step_url(diagnostic_id, "cos")))
    sign_out(signed_in)

    fields.update({score_field("cos.sferum"): "2", "comment-cos.sferum": "Все классы в «Сферуме»"})
    response = signed_in.post(step_url(diagnostic_id, "cos"), data={**fields, "action": "save"})
    assert response.status_code == 302
    assert unquote(response.headers["Location"]) == f"/login?next=/diagnostics/{diagnostic_id}?section=cos"
    cookie = signed_in.get_cookie("cpp_form_stash", path="/diagnostics/")
    assert cookie is not None and cookie.http_only and cookie.same_site == "Lax"
    [stash] = database.session.scalars(select(FormStash)).all()
    assert "csrf_token" not in stash.payload and stash.payload["comment-cos.sferum"] == "Все классы в «Сферуме»"
    assert answers(database, diagnostic_id) == {}

    # After signing in, the section shows the answers once — not saved yet — and the stash is gone.
    response = signed_in.post("/login?next=" + f"/diagnostics/{diagnostic_id}%3Fsection%3Dcos", data={
        "email": admin.email, "password": TEST_PASSWORD, "csrf_token": extract_csrf(signed_in.get("/login"))})
    assert response.headers["Location"] == step_url(diagnostic_id, "cos")
    page = signed_in.get(step_url(diagnostic_id, "cos"))
    body = unescaped(page)
    assert "Мы сохранили ответы, которые вы ввели перед окончанием сеанса" in body
    assert "Все классы в «Сферуме»" in body and re.search(r'id="score-cos-sferum-2"[^>]*checked', body)
    assert signed_in.get_cookie("cpp_form_stash", path="/diagnostics/") is None
    database.session.rollback()
    assert database.session.scalar(select(func.count(FormStash.id))) == 0
    assert answers(database, diagnostic_id) == {}

    # «Сохранить» saves them; a reload no longer shows the notice.
    assert signed_in.post(step_url(diagnostic_id, "cos"), data=form_fields(page)).status_code == 302
    assert answers(database, diagnostic_id)["cos.sferum"].comment == "Все классы в «Сферуме»"
    assert "перед окончанием сеанса" not in unescaped(signed_in.get(step_url(diagnostic_id, "cos")))


@pytest.mark.parametrize("autosave_first", [False, True], ids=["post", "autosave-then-post"])
def test_answers_posted_after_the_session_went_idle_come_back_after_sign_in(signed_in, admin, database,
                                                                           autosave_first):
    diagnostic_id = start(signed_in)
    fields = form_fields(signed_in.get(step_url(diagnostic_id)))
    database.session.execute(update(AuthSession).values(last_seen_at=utcnow() - timedelta(days=1)))
    database.session.commit()
    if autosave_first:  # it finds the session ended first; the «Сохранить» that follows still keeps the answers
        assert autosave(signed_in, diagnostic_id, None, fields, fields["csrf_token"]).status_code == 401
    response = signed_in.post(step_url(diagnostic_id), data={**fields, "staff_count": "17"})
    assert response.status_code == 302 and response.headers["Location"].startswith("/login?next=")
    [stash] = database.session.scalars(select(FormStash)).all()
    assert stash.user_id == admin.id and stash.payload == {"staff_count": "17", "student_count": "", "sferum_students": "",
                                                            "sferum_students_on": ""}

    sign_in(signed_in, admin)
    assert 'value="17"' in signed_in.get(step_url(diagnostic_id)).get_data(as_text=True)
    assert row_count(database, FormStash) == 0


def test_a_post_without_any_session_stores_nothing(app, admin, database):
    owner = app.test_client()
    sign_in(owner, admin)
    diagnostic_id = start(owner)
    fields = form_fields(owner.get(step_url(diagnostic_id)))
    # A new browser: no session cookie, so nobody's session has ended here.
    stranger = app.test_client()
    response = stranger.post(step_url(diagnostic_id), data={**fields, "staff_count": "17"})
    assert response.status_code == 302 and response.headers["Location"].startswith("/login?next=")
    assert row_count(database, FormStash) == 0


def test_a_made_up_session_token_stores_nothing(app, signed_in, admin, database):
    diagnostic_id = start(signed_in)
    fields = form_fields(signed_in.get(step_url(diagnostic_id)))
    for place in ("_user_id", "cpp_ended_session"):
        stranger = app.test_client()
        with stranger.session_transaction() as session:
            session[place] = "a-token-no-session-ever-had"
        assert stranger.post(step_url(diagnostic_id), data=fields).status_code == 302
    stranger = app.test_client()
    stranger.set_cookie("remember_token", "a-token-no-session-ever-had|0123456789abcdef")
    assert stranger.post(step_url(diagnostic_id), data=fields).status_code == 302
    assert row_count(database, FormStash) == 0


def test_after_the_session_ended_only_the_users_own_diagnostic_is_stashed(app, make_user, organizations, admin,
                                                                         database):
    owner = app.test_client()
    sign_in(owner, admin)
    diagnostic_id = start(owner)
    fields = form_fields(owner.get(step_url(diagnostic_id)))
    other = app.test_client()
    sign_in(other, make_user(role=Role.SCHOOL_ADMIN, email="other@school.example", organization=organizations[1]))
    sign_out(other)
    sign_out(owner)
    assert other.post(step_url(diagnostic_id), data=fields).status_code == 302  # another school's
    assert owner.post(step_url(diagnostic_id + 1000), data=fields).status_code == 302  # no such diagnostic
    assert owner.post(step_url(diagnostic_id, "no-such-step"), data=fields).status_code == 302
    assert row_count(database, FormStash) == 0
    assert owner.post(step_url(diagnostic_id), data=fields).status_code == 302
    assert row_count(database, FormStash) == 1


def test_more_than_the_form_can_hold_is_not_stashed(signed_in, database):
    diagnostic_id = start(signed_in)
    fields = form_fields(signed_in.get(step_url(diagnostic_id, "cos")))
    sign_out(signed_in)
    stuffed = {**fields, **{f"comment-{code}": "щ" * 5000 for code in COS}, "comment-cos.sferum": "щ" * 200_000}
    assert signed_in.post(step_url(diagnostic_id, "cos"), data=stuffed).status_code == 302
    assert signed_in.get_cookie("cpp_form_stash", path="/diagnostics/") is None
    assert row_count(database, FormStash) == 0

    # What the real form can hold is kept; a field that is not the step's is not.
    full = {**fields, **{f"comment-{code}": "щ" * 5000 for code in COS}, "comment-eios.ebs": "чужое поле"}
    assert signed_in.post(step_url(diagnostic_id, "cos"), data=full).status_code == 302
    [stash] = database.session.scalars(select(FormStash)).all()
    assert len(stash.payload["comment-cos.sferum"]) == 5000 and "comment-eios.ebs" not in stash.payload


def test_a_stash_is_shown_only_to_its_user(app, admin, colleague, database):
    browser = app.test_client()
    sign_in(browser, admin)
    diagnostic_id = start(browser)
    fields = form_fields(browser.get(step_url(diagnostic_id)))
    sign_out(browser)
    browser.post(step_url(diagnostic_id), data={**fields, "staff_count": "17"})
    # A colleague of the same school signs in on this browser: the stash cookie is there, the answers are not hers.
    sign_in(browser, colleague)
    page = browser.get(step_url(diagnostic_id)).get_data(as_text=True)
    assert 'value="17"' not in page and "перед окончанием сеанса" not in page
    assert row_count(database, FormStash) == 1


def test_a_foreign_page_cannot_plant_a_stash(app, admin, database):
    owner = app.test_client()
    sign_in(owner, admin)
    diagnostic_id = start(owner)
    response = app.test_client().post(step_url(diagnostic_id), data={"staff_count": "1"},
                                      headers={"Origin": "https://evil.example"})
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")
    assert database.session.scalar(select(func.count(FormStash.id))) == 0


def test_someone_elses_stash_cookie_shows_nothing_at_another_school(app, make_user, organizations, admin, database):
    owner = app.test_client()
    sign_in(owner, admin)
    diagnostic_id = start(owner)
    fields = form_fields(owner.get(step_url(diagnostic_id, "cos")))
    sign_out(owner)
    owner.post(step_url(diagnostic_id, "cos"), data={**fields, score_field("cos.sferum"): "3"})
    # Another school's admin signs in on the same browser: the page is not theirs, the stash stays untouched.
    sign_in(owner, make_user(role=Role.SCHOOL_ADMIN, email="other@school.example", organization=organizations[1]))
    assert owner.get(step_url(diagnostic_id, "cos")).status_code == 404
    assert database.session.scalar(select(func.count(FormStash.id))) == 1


# --------------------------------------------------------------------------------------- check and submit


def fill_everything(client, diagnostic_id, skip=()):
    post_step(client, diagnostic_id, staff_count="20", student_count="250")
    post_step(client, diagnostic_id, "cos", **{score_field(code): "1" for code in COS if code not in skip})
    post_step(client, diagnostic_id, "eios", **{score_field(code): "1" for code in EIOS if code not in skip})


def test_check_page_lists_missing_answers_and_refuses_to_submit(signed_in, database):
    diagnostic_id = start(signed_in)
    fill_everything(signed_in, diagnostic_id, skip=("cos.sferum", "eios.ebs"))
    page = signed_in.get(f"/diagnostics/{diagnostic_id}/check")
    assert page.status_code == 200
    body = unescaped(page)
    assert "Без ответа 2 показателя" in body
    assert f'href="/diagnostics/{diagnostic_id}?section=cos#ind-cos-sferum">Платформа «Сферум»</a>' in body
    assert f'href="/diagnostics/{diagnostic_id}?section=eios#ind-eios-ebs">Доступ к ЭБС</a>' in body
    assert re.search(r'<tr class="missing" data-indicator="cos.sferum">', body)
    assert "6 из 14" in body and "ниже базового" in body
    assert "Чтобы перейти на уровень «базовый», достаточно" in body

    response = signed_in.post(f"/diagnostics/{diagnostic_id}/check", data={"csrf_token": extract_csrf(page)})
    assert response.status_code == 302
    assert "Ответьте на все показатели: без ответа осталось 2" in unescaped(signed_in.get(response.headers["Location"]))
    assert fresh(database, Diagnostic, diagnostic_id).status == DiagnosticStatus.DRAFT


def test_submission_locks_the_questionnaire(signed_in, database):
    diagnostic_id = start(signed_in)
    fill_everything(signed_in, diagnostic_id)
    page = signed_in.get(f"/diagnostics/{diagnostic_id}/check")
    assert "Без ответа" not in unescaped(page) and "7 из 14" in unescaped(page)
    fields = form_fields(signed_in.get(step_url(diagnostic_id, "cos")))

    response = signed_in.post(f"/diagnostics/{diagnostic_id}/check", data={"csrf_token": extract_csrf(page)})
    assert response.status_code == 302 and response.headers["Location"] == "/diagnostics/"
    listing = unescaped(signed_in.get("/diagnostics/"))
    assert "на проверке" in listing and "7 из 14, уровень «базовый»" in listing
    saved = fresh(database, Diagnostic, diagnostic_id)
    assert saved.status == DiagnosticStatus.SUBMITTED and saved.total_points == 7

    # Read-only page, no form, no autosave script.
    body = unescaped(signed_in.get(step_url(diagnostic_id, "cos")))
    assert "на проверке в КК ИПК — изменить ответы нельзя" in body
    assert 'name="score-' not in body and "autosave.js" not in body
    assert "1 балл — да" in body

    # A POST from a page opened before the submission is refused and changes nothing.
    fields[score_field("cos.sferum")] = "3"
    response = signed_in.post(step_url(diagnostic_id, "cos"), data=fields)
    assert response.status_code == 302
    assert "изменить ответы нельзя" in unescaped(signed_in.get(response.headers["Location"]))
    token = fields.pop("csrf_token")
    response = autosave(signed_in, diagnostic_id, "cos", fields, token)
    assert response.status_code == 409 and "нельзя" in response.get_json()["error"]
    assert answers(database, diagnostic_id)["cos.sferum"].score == 1


def test_returned_diagnostic_shows_the_comments_and_can_be_resubmitted(signed_in, make_user, database):
    diagnostic_id = start(signed_in)
    fill_everything(signed_in, diagnostic_id)
    signed_in.post(f"/diagnostics/{diagnostic_id}/check",
                   data={"csrf_token": extract_csrf(signed_in.get(f"/diagnostics/{diagnostic_id}/check"))})
    reviewer = make_user(role=Role.METHODOLOGIST, email="metod@kipk.example")
    saved = fresh(database, Diagnostic, diagnostic_id)
    return_for_rework(saved, Actor(reviewer.id, None, None), "methodologist", "Уточните оснащение",
                      {"cos.it_equipment": "Приложите паспорт кабинета"})
    database.session.commit()

    body = unescaped(signed_in.get(step_url(diagnostic_id, "cos")))
    assert "возвращена на доработку" in body and "Уточните оснащение" in body
    assert "Комментарий проверяющего:</strong>\n      <p>Приложите паспорт кабинета" in indicator_block(body, "cos-it_equipment")
    assert "Приложите паспорт кабинета" in unescaped(signed_in.get(f"/diagnostics/{diagnostic_id}/check"))

    assert post_step(signed_in, diagnostic_id, "cos", **{
        score_field("cos.it_equipment"): "2", "evidence-cos.it_equipment": "https://school.example/passport"}
    ).status_code == 302
    page = signed_in.get(f"/diagnostics/{diagnostic_id}/check")
    signed_in.post(f"/diagnostics/{diagnostic_id}/check", data={"csrf_token": extract_csrf(page)})
    saved = fresh(database, Diagnostic, diagnostic_id)
    assert saved.status == DiagnosticStatus.SUBMITTED and saved.total_points == 8
