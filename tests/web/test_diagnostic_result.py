"""The result page: who sees it, its figures, the comparison with the municipality and region, the chart."""
import re

import pytest

from cpp_app.models import DiagnosticStatus, Role
from tests.factories import (
    SCORES,
    YEAR,
    diagnostic_row,
    diagnostic_through_services,
    municipality,
    organization,
    text,
)


def page_of(client, diagnostic_id):
    return client.get(f"/diagnostics/{diagnostic_id}/result")


def average_cells(html: str) -> list[str]:
    """The «average» cells of the municipality and region rows, tags stripped."""
    rows = re.findall(r'<tr data-average="\d">(.*?)</tr>', html, re.S)
    return [re.sub(r"[ \t\n]+", " ", re.sub(r"<[^>]+>", " ", re.findall(r"<td>(.*?)</td>", row, re.S)[-1])).strip()
            for row in rows]


# ---------------------------------------------------------------------------------------------- access


def test_the_school_sees_its_result(client, login, database, school, director):
    diagnostic = diagnostic_through_services(database, school, director)
    login(director)
    response = page_of(client, diagnostic.id)
    assert response.status_code == 200
    html = text(response)
    assert 'data-total="9"' in html and "9 из 14 (64\u00a0%)" in html
    assert 'data-level="basic"' in html and "базовый" in html
    assert "Не имеется — 0 баллов, нет: Электронный портфолио обучающегося" in html
    assert "Чтобы перейти на уровень «средний», достаточно:" in html
    assert "История" in html and "на проверке" in html
    for code in SCORES:
        assert f'data-indicator="{code}"' in html
    # Deficits: the critical ones would come first; here the largest gap (2 of 3 → 1 step left is 1, it 2).
    deficits = re.findall(r'data-deficit="([^"]+)"', html)
    assert deficits[0] == "cos.it_equipment" and set(deficits) == {
        "cos.it_equipment", "cos.moya_shkola", "cos.sferum", "cos.management_system", "eios.e_portfolio"}


def test_the_chart_and_its_table_alternative(client, login, database, school, director):
    diagnostic = diagnostic_through_services(database, school, director)
    login(director)
    for accessible in (False, True):
        client.set_cookie("a11y", "1" if accessible else "0")
        html = text(page_of(client, diagnostic.id))
        svg = re.search(r"<svg[^>]*>.*?</svg>", html, re.S).group(0)
        assert 'role="img"' in svg and 'class="chart keep"' in svg  # kept in the accessible version
        assert "<script" not in svg and "href" not in svg
        assert svg.count('class="chart-bar"') == 7  # the ЦОС indicators; ЭИОС is a check, not bars
        assert "Платформа «Сферум»: 2 из 3" in svg
        assert '<table class="data result-indicators" data-section="cos">' in html
        assert ('class="a11y"' in html) == accessible


def test_a_draft_is_shown_to_its_school_as_preliminary(client, login, database, school, director):
    diagnostic = diagnostic_through_services(database, school, director,
                                             scores={"cos.sferum": 3}, submitted=False)
    login(director)
    html = text(page_of(client, diagnostic.id))
    assert "Результат предварительный" in html and "Без ответа 12 из 13 показателей" in html
    assert "3 из 14" in html and "нет ответа" in html


def test_another_organisations_admin_gets_404(client, login, make_user, database, district, school, director):
    diagnostic = diagnostic_through_services(database, school, director)
    other = organization(database, district, "МБОУ Соседняя СОШ")
    login(make_user(role=Role.SCHOOL_ADMIN, email="neighbour@school.example", organization=other))
    assert page_of(client, diagnostic.id).status_code == 404


def test_a_school_admin_without_organisation_gets_404(client, login, make_user, database, school, director):
    diagnostic = diagnostic_through_services(database, school, director)
    login(make_user(role=Role.SCHOOL_ADMIN, email="nowhere@school.example", organization=None))
    assert page_of(client, diagnostic.id).status_code == 404


def test_a_teacher_of_the_school_gets_404(client, login, make_user, database, school, director):
    diagnostic = diagnostic_through_services(database, school, director)
    login(make_user(role=Role.TEACHER, email="teacher@school.example", organization=school))
    assert page_of(client, diagnostic.id).status_code == 404


@pytest.mark.parametrize("role", [Role.METHODOLOGIST, Role.ADMIN])
def test_reviewers_see_submitted_diagnostics_but_not_drafts(client, login, make_user, database, district, school,
                                                            director, role):
    submitted = diagnostic_through_services(database, school, director)
    other = organization(database, district, "МБОУ Черновая СОШ")
    draft = diagnostic_row(database, other, None, status=DiagnosticStatus.DRAFT)
    login(make_user(role=role))
    response = page_of(client, submitted.id)
    assert response.status_code == 200 and "К проверке самодиагностики" in text(response)
    assert page_of(client, draft.id).status_code == 404
    assert page_of(client, 999_999).status_code == 404


def test_anonymous_visitors_are_sent_to_sign_in(client, database, school, director):
    diagnostic = diagnostic_through_services(database, school, director)
    response = page_of(client, diagnostic.id)
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_a_failed_critical_indicator_caps_the_level(client, login, database, school, director):
    scores = {**SCORES, "cos.high_speed_internet": 0, "cos.it_equipment": 3, "cos.management_system": 2}
    diagnostic = diagnostic_through_services(database, school, director, scores=scores)  # 11 of 14
    login(director)
    html = text(page_of(client, diagnostic.id))
    assert 'data-level="below_basic"' in html
    assert "ограничен: критический показатель «Высокоскоростной интернет» — 0 баллов" in html
    assert "по сумме баллов был бы «средний»" in html
    deficits = re.findall(r'data-deficit="([^"]+)"', html)
    assert deficits[0] == "cos.high_speed_internet"  # critical first


def test_a_complete_eios_check_reads_present(client, login, database, school, director):
    diagnostic = diagnostic_through_services(database, school, director, scores={**SCORES, "eios.e_portfolio": 1})
    login(director)
    assert "Имеется — 5 баллов" in text(page_of(client, diagnostic.id))


# ------------------------------------------------------------------------------------------- comparison


def test_averages_are_hidden_below_five_organisations(client, login, database, district, school, director):
    diagnostic = diagnostic_through_services(database, school, director)
    for number, total in enumerate((7, 8, 10), start=2):
        diagnostic_row(database, organization(database, district, f"МБОУ СОШ № {number}"), total)
    elsewhere = municipality(database, "Другой муниципальный район")
    diagnostic_row(database, organization(database, elsewhere, "МБОУ Дальняя СОШ"), 4)
    login(director)
    html = text(page_of(client, diagnostic.id))
    municipal, regional = average_cells(html)
    assert municipal == "недостаточно данных (меньше 5 организаций)"  # 4 organisations
    assert regional == "7,6 из 14 (54\u00a0%)"  # 9, 7, 8, 10, 4 → 38 / 5


def test_averages_with_five_organisations_count_submitted_and_accepted_of_the_same_year(
        client, login, database, district, school, director):
    diagnostic = diagnostic_through_services(database, school, director)  # 9
    for number, (total, status) in enumerate(
            ((7, DiagnosticStatus.SUBMITTED), (8, DiagnosticStatus.ACCEPTED), (10, DiagnosticStatus.ACCEPTED),
             (7, DiagnosticStatus.SUBMITTED)), start=2):
        diagnostic_row(database, organization(database, district, f"МБОУ СОШ № {number}"), total, status=status)
    # Not counted: a returned one, a draft, last year's.
    diagnostic_row(database, organization(database, district, "МБОУ Возвращённая СОШ"), 14,
                   status=DiagnosticStatus.RETURNED)
    diagnostic_row(database, organization(database, district, "МБОУ Черновая СОШ"), 14,
                   status=DiagnosticStatus.DRAFT)
    start_year = int(YEAR[:4]) - 1
    diagnostic_row(database, organization(database, district, "МБОУ Прошлогодняя СОШ"), 14,
                   year=f"{start_year}/{start_year + 1}")
    elsewhere = municipality(database, "Другой муниципальный район")
    for number, total in ((1, 4), (2, 5)):
        diagnostic_row(database, organization(database, elsewhere, f"МБОУ Дальняя СОШ № {number}"), total)
    login(director)
    html = text(page_of(client, diagnostic.id))
    municipal, regional = average_cells(html)
    assert municipal == "8,2 из 14 (59\u00a0%)"  # (9 + 7 + 8 + 10 + 7) / 5
    assert regional == "7,1 из 14 (51\u00a0%)"  # (41 + 4 + 5) / 7
    assert re.search(r"Тестовый муниципальный район</th>\s*<td>5</td>", html)
    assert re.search(r"Красноярский край</th>\s*<td>7</td>", html)
