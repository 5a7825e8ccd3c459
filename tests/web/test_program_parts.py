"""The program's document parts (letter 03-877): a page each in the constructor — the title page's approvals, the
information page's details, the SWOT analysis, the mission and resources, the stages, monitoring — and what the
PDF and the DOCX make of them."""
from datetime import date, datetime

import pytest

from cpp_app.blueprints.programs import rendering
from cpp_app.blueprints.programs.document import build_document
from cpp_app.models import DevelopmentProgram, ProgramStage, ProgramStatus, Role
from tests.conftest import extract_csrf
from tests.factories import download, fresh, program_through_models, school_with_address, sign_in, unescaped
from tests.web.test_program_documents import docx_text, pdf_pages

SLUGS = ("title-page", "information", "analysis", "mission", "stages", "monitoring")


@pytest.fixture
def program(database, school):
    return program_through_models(database, school)


@pytest.fixture
def school_client(app, director):
    return sign_in(app.test_client(), director)


def url(program, slug):
    return f"/programs/{program.id}/parts/{slug}"


def post(client, program, slug, token=True, **data):
    if token:
        data["csrf_token"] = extract_csrf(client.get(url(program, slug)))
    return client.post(url(program, slug), data=data)


def test_the_constructor_links_every_part_and_each_page_opens(school_client, program):
    page = " ".join(unescaped(school_client.get(f"/programs/{program.id}")).split())
    assert "Разделы документа" in page and "№ 03-877" in page
    assert "по разработке, утверждению и согласованию программ развития общеобразовательных организаций" in page
    for slug in SLUGS:
        assert f'href="/programs/{program.id}/parts/{slug}"' in page, slug
        response = school_client.get(url(program, slug))
        assert response.status_code == 200, slug
        assert 'name="csrf_token"' in response.get_data(as_text=True)
    assert school_client.get(url(program, "unknown")).status_code == 404


def test_title_page_errors_come_all_at_once_with_the_typed_values_and_nothing_is_saved(school_client, database,
                                                                                      program):
    response = post(school_client, program, "title-page", founder_name="Г" * 501, founder_position="Руководитель",
                    founder_signatory="Иванов И. И.", teachers_council_protocol="5", teachers_council_date="",
                    governing_council_protocol="", governing_council_date="31.02.2025")

    assert response.status_code == 400
    body = unescaped(response)
    assert "Исправьте ошибки:" in body
    for target, message in (("founder_name", "Не более 500 символов."),
                            ("teachers_council_date", "Укажите дату протокола."),
                            ("governing_council_date", "Введите дату в виде дд.мм.гггг.")):
        assert f'<a href="#{target}">{message}</a>' in body, message
    assert 'value="Руководитель"' in body and 'value="Иванов И. И."' in body and 'value="5"' in body
    saved = fresh(database, DevelopmentProgram, program.id)
    assert saved.founder_position == "" and saved.teachers_council_protocol == ""


def test_a_protocol_date_without_its_number_is_refused(school_client, database, program):
    response = post(school_client, program, "title-page", governing_council_date="2025-08-28")
    assert response.status_code == 400
    assert '<a href="#governing_council_protocol">Укажите номер протокола.</a>' in unescaped(response)


def test_the_title_page_is_saved_and_printed_in_the_pdf_and_the_docx(school_client, database, program):
    response = post(school_client, program, "title-page", founder_name="Главное управление образования",
                    founder_position="Руководитель главного управления", founder_signatory="Петров П. П.",
                    teachers_council_protocol="5", teachers_council_date="2025-08-28",
                    governing_council_protocol="", governing_council_date="")
    assert response.status_code == 302
    saved = fresh(database, DevelopmentProgram, program.id)
    assert (saved.founder_name, saved.teachers_council_protocol, saved.teachers_council_date) == (
        "Главное управление образования", "5", date(2025, 8, 28))
    assert "сохранён" in unescaped(school_client.get(response.headers["Location"]))

    pages = pdf_pages(download(school_client, f"/programs/{program.id}.pdf").data)
    cover = pages[0]
    assert "СОГЛАСОВАНО" in cover and "УТВЕРЖДАЮ" in cover
    assert "Руководитель главного управления" in cover and "Главное управление образования (учредитель)" in cover
    assert "Петров П. П." in cover
    assert "Рассмотрено на заседании педагогического совета, протокол № 5 от 28.08.2025" in cover
    assert "Рассмотрено на заседании управляющего совета, протокол № _____ от" in cover  # a line to fill by hand
    letter = " ".join(pages)
    assert "от 17.06.2024 № 03-877 «О направлении методических рекомендаций»" in letter
    docx = docx_text(download(school_client, f"/programs/{program.id}.docx").data)
    assert "СОГЛАСОВАНО" in docx and "Главное управление образования (учредитель)" in docx
    assert "Рассмотрено на заседании педагогического совета, протокол № 5 от 28.08.2025" in docx
    assert "«О направлении методических рекомендаций»" in docx


def test_stages_are_checked_inside_the_period_and_in_order_all_at_once(school_client, database, program):
    response = post(school_client, program, "stages", **{
        "stages-0-title": "Подготовительный", "stages-0-starts_on": "2025-01-01", "stages-0-ends_on": "2025-12-31",
        "stages-1-title": "Основной", "stages-1-starts_on": "2025-06-01", "stages-1-ends_on": "2028-12-31",
        "stages-2-title": "", "stages-2-starts_on": "2029-01-01", "stages-2-ends_on": "2030-06-30",
        "stages-3-title": "", "stages-3-starts_on": "", "stages-3-ends_on": "",
    })

    assert response.status_code == 400
    body = unescaped(response)
    for target, message in (
        ("stages-1-starts_on", "Этап должен начинаться после окончания предыдущего (31.12.2025)."),
        ("stages-2-title", "Укажите название этапа."),
        ("stages-2-ends_on", "Дата должна быть в пределах периода программы: с 01.01.2025 по 31.12.2029."),
    ):
        assert f'<a href="#{target}">{message}</a>' in body, message
    assert 'value="Основной"' in body and 'value="2030-06-30"' in body
    assert fresh(database, DevelopmentProgram, program.id).stages == []

    response = post(school_client, program, "stages", **{
        "stages-0-title": "Подготовительный", "stages-0-starts_on": "01.01.2025", "stages-0-ends_on": "31.12.2025",
        "stages-1-title": "", "stages-1-starts_on": "", "stages-1-ends_on": "",
        "stages-2-title": "Основной", "stages-2-starts_on": "2026-01-01", "stages-2-ends_on": "2029-12-31",
    })
    assert response.status_code == 302
    stages = fresh(database, DevelopmentProgram, program.id).stages
    assert [(s.sort_order, s.title, s.starts_on, s.ends_on) for s in stages] == [
        (0, "Подготовительный", date(2025, 1, 1), date(2025, 12, 31)),
        (1, "Основной", date(2026, 1, 1), date(2029, 12, 31)),
    ]


def test_a_program_without_stages_is_offered_the_default_ones(school_client, program):
    body = unescaped(school_client.get(url(program, "stages")))
    assert 'value="2025-01-01"' in body and 'value="2029-12-31"' in body and "Подготовительный этап" in body


def test_empty_analysis_and_monitoring_are_offered_drafts_from_the_data(school_client, database, program):
    body = unescaped(school_client.get(url(program, "analysis")))
    assert "заполнены черновиком" in body
    assert "(критический показатель)" in body  # the safe-internet deficit, a weakness
    assert "Кадровый состав по данным ЦПП" in body
    body = unescaped(school_client.get(url(program, "monitoring")))
    assert "Проверяет: заместитель директора" in body
    assert fresh(database, DevelopmentProgram, program.id).monitoring == ""  # a draft until saved


def test_texts_are_saved_and_the_new_sections_are_in_the_pdf_and_the_docx(school_client, database, school, make_user):
    program = program_through_models(
        database, school, strengths="Сильная команда педагогов", weaknesses="- Нет электронного портфолио",
        opportunities="Курсы КК ИПК", risks="Задержка поставок", resources="Краевой бюджет и внебюджетные средства",
        licence="Лицензия № Л035-01 от 01.02.2016", accreditation="Свидетельство № 4321",
        programs_offered="ООП НОО\nООП ООО", contacts="+7 391 000-00-00\nschool7@example.ru",
        founder_name="Главное управление образования")
    program.stages = [ProgramStage(sort_order=0, title="Подготовительный", starts_on=date(2025, 1, 1),
                                   ends_on=date(2025, 12, 31))]
    database.session.commit()
    for position, category in (("учитель", "высшая"), ("учитель", "первая"), ("педагог-психолог", None)):
        make_user(organization=school, position=position, qualification_category=category,
                  confirmed_at=datetime(2025, 9, 1))
    make_user(organization=school, position="учитель", qualification_category="высшая")  # not confirmed

    assert post(school_client, program, "mission", mission="Школа равных возможностей.",
                resources="Краевой бюджет").status_code == 302
    assert post(school_client, program, "monitoring",
                monitoring="Сферум — заместитель директора — ежегодно").status_code == 302

    text = " ".join(pdf_pages(download(school_client, f"/programs/{program.id}.pdf").data))
    docx = docx_text(download(school_client, f"/programs/{program.id}.docx").data)
    for document in (text, docx):
        for expected in (
            "3.4. Сильные и слабые стороны, возможности и риски", "Сильная команда педагогов",
            "Нет электронного портфолио", "Курсы КК ИПК", "Задержка поставок",
            "4.1. Миссия и образ будущего", "Школа равных возможностей.",
            "6.1. Ресурсное обеспечение и источники финансирования", "Краевой бюджет",
            "7. Этапы реализации программы", "1. Подготовительный: 01.01.2025 – 31.12.2025",
            "8. Мониторинг и контроль реализации", "Сферум — заместитель директора — ежегодно",
            "Учредитель: Главное управление образования", "Лицензия № Л035-01 от 01.02.2016",
            "Свидетельство № 4321", "ООП НОО; ООП ООО", "school7@example.ru",
            # The staff profile: confirmed people only (the director among them), by position and by category.
            "(педагоги, подтверждённые организацией): 4. По должностям: учитель — 2; не указана — 1; "
            "педагог-психолог — 1.",
            "По квалификационным категориям: не указана — 2; высшая — 1; первая — 1.",
        ):
            assert expected in document, expected


def test_another_schools_admin_gets_404_and_changes_nothing(app, database, make_user, program):
    other_school = school_with_address(database, short_name="МБОУ СШ № 8")
    database.session.commit()
    other = sign_in(app.test_client(), make_user(role=Role.SCHOOL_ADMIN, organization=other_school))
    token = extract_csrf(other.get("/programs/"))
    for slug in SLUGS:
        assert other.get(url(program, slug)).status_code == 404
        assert other.post(url(program, slug), data={"csrf_token": token, "mission": "Чужая"}).status_code == 404
    assert fresh(database, DevelopmentProgram, program.id).mission == ""


def test_methodologists_read_the_parts_and_cannot_post(app, database, make_user, program):
    program.founder_name = "Главное управление образования"
    database.session.commit()
    methodologist = sign_in(app.test_client(), make_user(role=Role.METHODOLOGIST))
    page = methodologist.get(url(program, "title-page"))
    assert page.status_code == 200
    body = unescaped(page)
    assert "Главное управление образования" in body and "Просмотр" in body
    assert f'action="/programs/{program.id}/parts/' not in body
    token = extract_csrf(methodologist.get("/cabinet/"))
    assert methodologist.post(url(program, "mission"), data={"csrf_token": token, "mission": "x"}).status_code == 404


def test_an_approved_revision_refuses_changes(school_client, database, program):
    token = extract_csrf(school_client.get(url(program, "mission")))
    program.status = ProgramStatus.APPROVED
    database.session.commit()
    response = school_client.post(url(program, "mission"), data={"csrf_token": token, "mission": "Новая миссия"})
    assert response.status_code == 302
    assert "новую редакцию" in unescaped(school_client.get(response.headers["Location"]))
    assert fresh(database, DevelopmentProgram, program.id).mission == ""


def test_a_post_without_a_token_changes_nothing_and_keeps_what_was_typed(school_client, database, program):
    response = post(school_client, program, "mission", token=False, mission="Школа, где учиться интересно")
    assert response.status_code == 400
    body = unescaped(response)
    assert "Школа, где учиться интересно" in body and "Срок действия страницы истёк" in body
    assert fresh(database, DevelopmentProgram, program.id).mission == ""


def test_the_check_page_before_approval_says_which_parts_are_empty(school_client, database, program):
    program.mission = "Школа равных возможностей."
    database.session.commit()
    body = " ".join(unescaped(school_client.get(f"/programs/{program.id}/approve")).split())
    assert f'<a href="/programs/{program.id}/parts/mission">Миссия, образ будущего и ресурсы</a> — заполнено' in body
    assert (f'<a href="/programs/{program.id}/parts/title-page">Титульный лист: согласование и рассмотрение</a> — '
            "не заполнено: в документе останутся пустые строки") in body


def test_a_snapshot_approved_before_the_parts_existed_renders_as_it_was(app, database, program):
    doc = build_document(program)
    for key in ("approval", "analysis", "mission", "resources", "stages", "monitoring"):
        del doc[key]
    for key in ("founder", "licence", "accreditation", "programs", "contacts", "staff"):
        del doc["information"][key]
    doc["schema"] = 1

    with app.test_request_context():
        pages = pdf_pages(rendering.render_program_pdf(doc))
        docx = docx_text(rendering.render_program_docx(doc))
    for text in (" ".join(pages), docx):
        assert "7. Дорожная карта" in text and "4.1. Возможные действия" in text
        assert "СОГЛАСОВАНО" not in text and "Мониторинг и контроль реализации" not in text
