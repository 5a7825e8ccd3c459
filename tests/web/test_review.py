"""The methodologist's review: the queue, the answers next to the live data, return and accept, the letters to
the school and the banner on its next visit."""
import re
from datetime import datetime

import pytest
from sqlalchemy import select

from cpp_app.blueprints.diagnostics.services import submit
from cpp_app.blueprints.review import services as review_services
from cpp_app.extensions import db
from cpp_app.mail import outbox
from cpp_app.models import (
    AccountStatus,
    AuditEvent,
    Diagnostic,
    DiagnosticAnswer,
    DiagnosticEvent,
    DiagnosticStatus,
    Platform,
    PlatformAccount,
    Role,
    utcnow,
)
from tests.conftest import extract_csrf
from tests.factories import (
    actor_of,
    diagnostic_row,
    diagnostic_through_services,
    fresh,
    municipality,
    organization,
    row_ids,
    sign_in,
    statements_run,
    text,
)

BANNER = "Открыть результаты"


@pytest.fixture
def submitted(database, school, director):
    return diagnostic_through_services(
        database, school, director,
        comments={"cos.sferum": "Структура создана в сентябре."},
        evidence={"cos.sferum": "https://school.example/sferum.pdf", "cos.moya_shkola": "http://school.example/a"},
    )


@pytest.fixture
def reviewer_client(app, database, methodologist):
    return sign_in(app.test_client(), methodologist)


def decide(client, diagnostic_id, action, note="", comments=None, token=True):
    page = client.get(f"/review/{diagnostic_id}")
    data = {"note": note, **(comments or {})}
    if token:
        data["csrf_token"] = extract_csrf(page)
    return client.post(f"/review/{diagnostic_id}/{action}", data=data)


def queue_ids(response) -> list[int]:
    return row_ids(response, "diagnostic")


def comment_field(html: str, index: int) -> str:
    return re.search(rf'<textarea[^>]*name="comment_{index}"[^>]*>(.*?)</textarea>', html, re.S).group(1).strip()


# ---------------------------------------------------------------------------------------------- access


@pytest.mark.parametrize("role", [Role.TEACHER, Role.SCHOOL_ADMIN])
def test_schools_and_teachers_get_404(client, login, make_user, school, submitted, role):
    login(make_user(role=role, email=f"{role.value}@school.example", organization=school))
    for path in ("/review/", f"/review/{submitted.id}"):
        assert client.get(path).status_code == 404, path
    token = extract_csrf(client.get("/cabinet/", follow_redirects=True))
    for action in ("return", "accept"):
        response = client.post(f"/review/{submitted.id}/{action}", data={"csrf_token": token, "note": "x"})
        assert response.status_code == 404
    assert db.session.get(Diagnostic, submitted.id).status == DiagnosticStatus.SUBMITTED


def test_anonymous_visitors_are_sent_to_sign_in(client, submitted):
    for path in ("/review/", f"/review/{submitted.id}"):
        response = client.get(path)
        assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_a_draft_is_not_the_reviewers_to_see_or_decide(reviewer_client, database, district):
    draft = diagnostic_row(database, organization(database, district, "МБОУ Черновая СОШ"), None,
                           status=DiagnosticStatus.DRAFT)
    assert reviewer_client.get(f"/review/{draft.id}").status_code == 404
    token = extract_csrf(reviewer_client.get("/review/"))
    response = reviewer_client.post(f"/review/{draft.id}/accept", data={"csrf_token": token})
    assert response.status_code == 404
    assert fresh(database, Diagnostic, draft.id).status == DiagnosticStatus.DRAFT


# ------------------------------------------------------------------------------------------------ queue


def test_the_queue_shows_the_longest_waiting_first_and_only_submitted_by_default(reviewer_client, database, district):
    def row(name, status, when):
        return diagnostic_row(database, organization(database, district, name), 9, status=status, submitted_at=when)

    late = row("МБОУ Поздняя СОШ", DiagnosticStatus.SUBMITTED, datetime(2026, 3, 12, 3, 0))
    early = row("МБОУ Ранняя СОШ", DiagnosticStatus.SUBMITTED, datetime(2026, 3, 1, 3, 0))
    middle = row("МБОУ Средняя СОШ", DiagnosticStatus.SUBMITTED, datetime(2026, 3, 5, 3, 0))
    returned = row("МБОУ Возвращённая СОШ", DiagnosticStatus.RETURNED, datetime(2026, 2, 1, 3, 0))
    accepted = row("МБОУ Принятая СОШ", DiagnosticStatus.ACCEPTED, datetime(2026, 2, 2, 3, 0))
    row("МБОУ Черновая СОШ", DiagnosticStatus.DRAFT, None)

    response = reviewer_client.get("/review/")
    assert response.status_code == 200
    assert queue_ids(response) == [early.id, middle.id, late.id]
    html = text(response)
    assert "МБОУ Ранняя СОШ" in html and "Тестовый муниципальный район" in html and "9 из 14 · базовый" in html
    assert queue_ids(reviewer_client.get("/review/?status=returned")) == [returned.id]
    assert queue_ids(reviewer_client.get("/review/?status=accepted")) == [accepted.id]
    assert queue_ids(reviewer_client.get("/review/?status=all")) == [returned.id, accepted.id, early.id, middle.id,
                                                                      late.id]
    # A draft is never listed; an unknown status falls back to the default.
    assert queue_ids(reviewer_client.get("/review/?status=draft")) == [early.id, middle.id, late.id]


def test_the_queue_filters_by_municipality_and_local_submission_dates(reviewer_client, database, district):
    elsewhere = municipality(database, "Другой муниципальный район")
    # 18:30 UTC on 10 March is 01:30 on 11 March in Krasnoyarsk.
    evening = diagnostic_row(database, organization(database, district, "МБОУ Вечерняя СОШ"), 8,
                             submitted_at=datetime(2026, 3, 10, 18, 30))
    morning = diagnostic_row(database, organization(database, district, "МБОУ Утренняя СОШ"), 8,
                             submitted_at=datetime(2026, 3, 10, 2, 0))
    far = diagnostic_row(database, organization(database, elsewhere, "МБОУ Дальняя СОШ"), 8,
                         submitted_at=datetime(2026, 3, 20, 2, 0))

    assert queue_ids(reviewer_client.get(f"/review/?municipality={elsewhere.id}")) == [far.id]
    assert queue_ids(reviewer_client.get(f"/review/?municipality={district.id}")) == [morning.id, evening.id]
    assert queue_ids(reviewer_client.get("/review/?submitted_from=2026-03-11")) == [evening.id, far.id]
    assert queue_ids(reviewer_client.get("/review/?submitted_to=10.03.2026")) == [morning.id]
    assert queue_ids(reviewer_client.get("/review/?submitted_from=2026-03-11&submitted_to=2026-03-11")) == [evening.id]
    # A date that is no date is reported next to its field and ignored.
    response = reviewer_client.get("/review/?submitted_from=31.02.2026&municipality=nonsense")
    assert "Введите дату в виде дд.мм.гггг." in text(response)
    assert queue_ids(response) == [morning.id, evening.id, far.id]


def test_the_queue_is_paginated_and_keeps_its_filters(reviewer_client, database, district, monkeypatch):
    monkeypatch.setattr(review_services, "PER_PAGE", 2)
    rows = [
        diagnostic_row(database, organization(database, district, f"МБОУ СОШ № {n}"), 7,
                       status=DiagnosticStatus.ACCEPTED, submitted_at=datetime(2026, 3, n, 3, 0))
        for n in range(1, 6)
    ]
    first = reviewer_client.get("/review/?status=accepted")
    assert queue_ids(first) == [rows[0].id, rows[1].id]
    assert "status=accepted&amp;page=2" in text(first) or "page=2&amp;status=accepted" in text(first)
    assert queue_ids(reviewer_client.get("/review/?status=accepted&page=3")) == [rows[4].id]


# ------------------------------------------------------------------------------------------- the diagnostic


def test_the_review_page_shows_answers_evidence_and_mismatches_with_live_data(
        reviewer_client, make_user, database, school, director, submitted):
    teacher = make_user(role=Role.TEACHER, email="teacher@school.example", organization=school,
                        confirmed_at=utcnow())
    sferum = database.session.scalar(select(Platform).where(Platform.code == "sferum"))
    for user in (director, teacher):  # both confirmed staff, both active in «Сферум»: it supports 3
        database.session.add(PlatformAccount(user_id=user.id, platform_id=sferum.id, status=AccountStatus.ACTIVE,
                                             confirmed_at=utcnow(), confirmed_by_id=director.id))
    hostile = database.session.scalar(select(DiagnosticAnswer).where(
        DiagnosticAnswer.diagnostic_id == submitted.id, DiagnosticAnswer.indicator_code == "cos.it_equipment"))
    hostile.evidence_url = "javascript:alert(1)"  # older data or a direct write: never a link
    database.session.commit()

    html = text(reviewer_client.get(f"/review/{submitted.id}"))
    assert "Структура создана в сентябре." in html
    assert ('<a href="https://school.example/sferum.pdf" rel="noopener noreferrer nofollow" target="_blank">'
            in html)
    assert '<a href="http://school.example/a" rel="noopener noreferrer nofollow" target="_blank">' in html
    assert 'href="javascript:' not in html and "javascript:alert(1)" in html
    # «Моя школа»: the school says 2, no profile has an account — flagged; «Сферум»: 2 ≤ 3 — not flagged.
    moya = re.search(r'data-indicator="cos.moya_shkola">(.*?)</article>', html, re.S).group(1)
    sferum_block = re.search(r'data-indicator="cos.sferum">(.*?)</article>', html, re.S).group(1)
    assert "оценка школы выше данных профилей" in moya and "<strong>0 из 3</strong>" in moya
    assert "оценка школы выше данных профилей" not in sferum_block and "<strong>3 из 3</strong>" in sferum_block
    assert "Расхождений с данными профилей педагогов: 1." in html
    assert "подтверждённые ОО педагоги в ЦПП" in html  # no staff count stated: the confirmed staff is used
    assert "Вернуть на доработку" in html and "Принять" in html and "История" in html


def test_the_schools_stated_staff_count_is_used(reviewer_client, database, submitted):
    diagnostic = database.session.get(Diagnostic, submitted.id)
    diagnostic.staff_count = 40
    database.session.commit()
    html = text(reviewer_client.get(f"/review/{submitted.id}"))
    assert "указана школой в диагностике" in html and "0 из 40 педагогов" in html


# --------------------------------------------------------------------------------------------- decisions


def test_a_return_needs_a_note_and_keeps_what_was_typed(reviewer_client, database, submitted):
    response = decide(reviewer_client, submitted.id, "return", note="  ", comments={"comment_4": "Проверьте долю."})
    assert response.status_code == 400
    html = text(response)
    assert "Напишите, что нужно исправить" in html
    assert comment_field(html, 4) == "Проверьте долю."
    assert fresh(database, Diagnostic, submitted.id).status == DiagnosticStatus.SUBMITTED
    assert outbox() == []


def test_a_post_without_token_changes_nothing_and_shows_the_typed_text(reviewer_client, database, submitted):
    response = decide(reviewer_client, submitted.id, "return", note="Исправьте", comments={"comment_0": "Черновик"},
                      token=False)
    assert response.status_code == 400
    html = text(response)
    assert "Срок действия страницы истёк" in html and comment_field(html, 0) == "Черновик"
    assert fresh(database, Diagnostic, submitted.id).status == DiagnosticStatus.SUBMITTED


def test_return_saves_comments_records_the_transition_and_writes_to_the_schools_admins_only(
        app, reviewer_client, make_user, database, district, school, director, methodologist, submitted):
    deputy = make_user(role=Role.SCHOOL_ADMIN, email="deputy@school.example", organization=school)
    make_user(role=Role.SCHOOL_ADMIN, email="blocked@school.example", organization=school, blocked_at=utcnow())
    make_user(role=Role.TEACHER, email="teacher@school.example", organization=school)
    make_user(role=Role.SCHOOL_ADMIN, email="other@school.example",
              organization=organization(database, district, "МБОУ Соседняя СОШ"))

    response = decide(reviewer_client, submitted.id, "return", note="Уточните долю педагогов в «Моей школе».",
                      comments={"comment_3": "Нет подтверждения регистрации 100 % педагогов."})
    assert response.status_code == 302 and response.headers["Location"] == f"/review/{submitted.id}"

    diagnostic = fresh(database, Diagnostic, submitted.id)
    assert diagnostic.status == DiagnosticStatus.RETURNED and diagnostic.reviewed_at is not None
    comments = {a.indicator_code: a.reviewer_comment for a in diagnostic.answers if a.reviewer_comment}
    assert comments == {"cos.moya_shkola": "Нет подтверждения регистрации 100 % педагогов."}
    last = diagnostic.events[-1]
    assert (last.from_status, last.to_status, last.actor_id, last.seen_at) == (
        DiagnosticStatus.SUBMITTED, DiagnosticStatus.RETURNED, methodologist.id, None)
    assert last.note == "Уточните долю педагогов в «Моей школе»."
    assert "diagnostic.return" in database.session.scalars(select(AuditEvent.action)).all()

    letters = outbox()
    assert sorted(message["To"] for message in letters) == sorted([director.email, deputy.email])
    body = letters[0].get_content()
    assert letters[0]["Subject"] == f"Самодиагностика за {submitted.school_year} учебный год возвращена на доработку"
    assert "Методист КК ИПК вернул на доработку самодиагностику «МБОУ Тестовая СОШ № 1»" in body
    assert f"http://localhost/diagnostics/{submitted.id}/result" in body
    assert "Уточните долю педагогов в «Моей школе»." in body

    page = text(reviewer_client.get(f"/review/{submitted.id}"))
    assert "Самодиагностика возвращена школе на доработку." in page
    assert "Уточните долю педагогов" in page  # in the history
    assert "Решение можно принять только по самодиагностике" in page

    school_client = sign_in(app.test_client(), director)
    result = text(school_client.get(f"/diagnostics/{submitted.id}/result"))
    assert "Комментарий методиста" in result and "Нет подтверждения регистрации 100 % педагогов." in result
    assert "Уточните долю педагогов в «Моей школе»." in result


def test_the_comment_fields_are_prefilled_with_earlier_reviewer_comments(reviewer_client, database, director,
                                                                        submitted):
    decide(reviewer_client, submitted.id, "return", note="Исправьте", comments={"comment_3": "Первое замечание"})
    submit(fresh(database, Diagnostic, submitted.id), actor_of(director), "school_admin")
    database.session.commit()
    html = text(reviewer_client.get(f"/review/{submitted.id}"))
    assert comment_field(html, 3) == "Первое замечание" and comment_field(html, 0) == ""


def test_accept(reviewer_client, database, director, submitted):
    response = decide(reviewer_client, submitted.id, "accept", comments={"comment_5": "На следующий год — оснащение."})
    assert response.status_code == 302
    diagnostic = fresh(database, Diagnostic, submitted.id)
    assert diagnostic.status == DiagnosticStatus.ACCEPTED
    assert diagnostic.events[-1].to_status == DiagnosticStatus.ACCEPTED and diagnostic.events[-1].note is None
    # Comments typed with an acceptance are kept, not dropped.
    assert {a.indicator_code: a.reviewer_comment for a in diagnostic.answers if a.reviewer_comment} == {
        "cos.it_equipment": "На следующий год — оснащение."}
    letters = outbox()
    assert [message["To"] for message in letters] == [director.email]
    assert "принята" in letters[0]["Subject"] and "принял" in letters[0].get_content()
    assert "Самодиагностика принята." in text(reviewer_client.get(f"/review/{submitted.id}"))


@pytest.mark.parametrize("status", [DiagnosticStatus.RETURNED, DiagnosticStatus.ACCEPTED])
def test_only_a_submitted_diagnostic_can_be_decided(reviewer_client, database, submitted, status):
    diagnostic = database.session.get(Diagnostic, submitted.id)
    diagnostic.status = status
    database.session.commit()
    events_before = len(diagnostic.events)
    for action in ("accept", "return"):
        token = extract_csrf(reviewer_client.get("/review/"))
        response = reviewer_client.post(f"/review/{submitted.id}/{action}",
                                        data={"csrf_token": token, "note": "Ещё раз", "comment_0": "x"})
        assert response.status_code == 302
        page = text(reviewer_client.get(response.headers["Location"]))
        refusal = "Принять можно только" if action == "accept" else "Вернуть на доработку можно только"
        assert f"{refusal} самодиагностику, которая находится на проверке." in page
    diagnostic = fresh(database, Diagnostic, submitted.id)
    assert diagnostic.status == status and len(diagnostic.events) == events_before
    assert all(answer.reviewer_comment is None for answer in diagnostic.answers)
    assert outbox() == []


# ------------------------------------------------------------------------------------------------ the banner


def banners(html: str) -> int:
    return html.count(BANNER)


def test_the_school_sees_the_outcome_once_until_it_opens_the_result(app, reviewer_client, make_user, database,
                                                                    school, director, submitted):
    decide(reviewer_client, submitted.id, "return", note="Исправьте")
    teacher_client = sign_in(app.test_client(), make_user(role=Role.TEACHER, email="t@school.example",
                                                          organization=school))
    assert banners(text(teacher_client.get("/cabinet/", follow_redirects=True))) == 0
    # The reviewer opening the result does not count as the school having seen it.
    assert reviewer_client.get(f"/diagnostics/{submitted.id}/result").status_code == 200

    school_client = sign_in(app.test_client(), director)
    home = text(school_client.get("/", follow_redirects=True))
    assert banners(home) == 1
    assert "вернул самодиагностику" in home and f'href="/diagnostics/{submitted.id}/result"' in home
    assert banners(text(school_client.get("/cabinet/", follow_redirects=True))) == 1  # every page until opened

    result = text(school_client.get(f"/diagnostics/{submitted.id}/result"))
    assert banners(result) == 0
    assert banners(text(school_client.get("/", follow_redirects=True))) == 0
    seen = [event.seen_at for event in fresh(database, Diagnostic, submitted.id).events
            if event.to_status == DiagnosticStatus.RETURNED]
    assert seen and all(seen)


def test_one_banner_per_diagnostic_with_its_current_outcome(app, reviewer_client, database, director, submitted):
    decide(reviewer_client, submitted.id, "return", note="Исправьте")
    submit(fresh(database, Diagnostic, submitted.id), actor_of(director), "school_admin")  # resubmitted without opening
    database.session.commit()
    school_client = sign_in(app.test_client(), director)
    assert banners(text(school_client.get("/", follow_redirects=True))) == 0  # the return is answered: not news any more
    decide(reviewer_client, submitted.id, "accept")
    home = text(school_client.get("/", follow_redirects=True))
    assert banners(home) == 1 and "принял самодиагностику" in home


def test_the_banner_costs_one_query_for_school_admins_and_none_for_others(app, reviewer_client, database, director,
                                                                         submitted):
    school_client = sign_in(app.test_client(), director)
    with statements_run(db.engine) as statements:
        assert school_client.get("/cabinet/").status_code == 200
        school_queries = [s for s in statements if "diagnostic_events" in s]
        statements.clear()
        assert reviewer_client.get("/cabinet/").status_code == 200
        reviewer_queries = [s for s in statements if "diagnostic_events" in s]
    assert len(school_queries) == 1 and reviewer_queries == []


def test_no_admin_no_letter_but_a_warning(reviewer_client, database, district, methodologist):
    orphan = diagnostic_row(database, organization(database, district, "МБОУ Безадминная СОШ"), 8)
    response = decide(reviewer_client, orphan.id, "accept")
    assert response.status_code == 302
    assert "нет администратора в ЦПП" in text(reviewer_client.get(response.headers["Location"]))
    assert outbox() == [] and fresh(database, Diagnostic, orphan.id).status == DiagnosticStatus.ACCEPTED
    assert database.session.scalar(select(DiagnosticEvent.actor_id).where(
        DiagnosticEvent.diagnostic_id == orphan.id)) == methodologist.id
