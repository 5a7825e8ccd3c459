"""Monitoring downloads next to every table, the one-platform switch, and the links between the lists and the
organisation card (issue 13, points 2 and 3)."""
import csv
import io
import re
from urllib.parse import parse_qsl, urlsplit

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from cpp_app.models import Organization, OrganizationKind, Role
from tests.factories import sign_in, statements_run
from tests.web import test_monitoring_pages as pages
from tests.web.test_monitoring_pages import _add_municipalities, _cell, _row, _text

region = pages.region  # the same hand-built region as the pages' tests

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _sheet(response):
    assert response.status_code == 200, response.status_code
    assert response.content_type == XLSX
    assert response.headers["Content-Disposition"].startswith("attachment;")
    rows = list(load_workbook(io.BytesIO(response.data)).active.iter_rows(values_only=True))
    return rows[0], rows[1:]


def _csv(response):
    assert response.status_code == 200, response.status_code
    assert response.content_type == "text/csv; charset=utf-8"
    assert response.data.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"), newline=""), delimiter=";"))
    return rows[0], rows[1:]


def _by_first(rows) -> dict:
    return {row[0]: row for row in rows}


def _links(html: str) -> list[tuple[str, dict]]:
    """Every link as (path, query), so the order of the query's arguments does not matter."""
    return [_link(href.replace("&amp;", "&")) for href in re.findall(r'href="([^"]+)"', html)]


def _link(url: str) -> tuple[str, dict]:
    parts = urlsplit(url)
    return parts.path, dict(parse_qsl(parts.query))


# ----------------------------------------------------------------------------------------------- the files


def test_region_platforms_download(client, signed_in_methodologist, database, region):
    header, rows = _sheet(client.get("/monitoring/platforms.xlsx"))
    assert header[:4] == ("Платформа", "Организации, где хотя бы один педагог активен", "Организаций всего",
                          "Доля организаций")
    # The organisation share leaves out organisations of additional education, as the seed's monitoring does.
    organizations = database.session.scalar(select(func.count(Organization.id)).where(
        Organization.is_active, Organization.kind != OrganizationKind.ADDITIONAL))
    sferum = _by_first(rows)["Сферум"]
    assert sferum[1:5] == (2, organizations, pytest.approx(2 / organizations), "ниже нормы")
    assert sferum[5:9] == (4, 8, 0.5, "порог не задан") and sferum[9:12] == (3, 0.375, "хорошо")
    assert sferum[12:] == (0, 0, None, "нет данных")  # the kindergarten has no staff in ЦПП
    assert _by_first(rows)["VK Мессенджер"][9:12] == (0, 0, "ниже нормы")
    assert _by_first(rows)["РЭШ"][9:12] == (1, 0.125, "порог не задан")

    header, rows = _csv(client.get("/monitoring/platforms.csv"))
    assert header[0] == "Платформа" and len(header) == 16
    assert _by_first(rows)["Сферум"][5:9] == ["4", "8", "50,0", "порог не задан"]


def test_municipality_platforms_download(client, signed_in_methodologist, region):
    _, rows = _sheet(client.get(f"/monitoring/municipalities/{region['alpha'].id}/platforms.xlsx"))
    assert _by_first(rows)["Сферум"][1:3] == (1, 3) and _by_first(rows)["Сферум"][5:7] == (3, 6)
    assert client.get("/monitoring/municipalities/999999/platforms.xlsx").status_code == 404
    assert client.get(f"/monitoring/municipalities/{region['alpha'].id}/platforms.pdf").status_code == 404


def test_deficits_download(client, signed_in_methodologist, region):
    header, rows = _sheet(client.get("/monitoring/deficits.xlsx"))
    assert header == ("№", "Показатель", "Организаций с дефицитом", "Самодиагностик подано и принято",
                      "Доля организаций с дефицитом")
    assert rows[0] == (1, region["first"].label, 2, 2, 1)
    assert rows[1][1:4] == (region["second"].label, 1, 2)
    _, csv_rows = _csv(client.get("/monitoring/deficits.csv"))
    assert csv_rows[0] == ["1", region["first"].label, "2", "2", "100,0"]


def test_municipalities_download_keeps_every_platform_and_the_page_order(client, signed_in_methodologist, region):
    header, rows = _sheet(client.get("/monitoring/municipalities.xlsx?sort=teachers&dir=desc"))
    assert header[:6] == ("Муниципалитет", "ОО всего", "Педагогов в ЦПП", "Подтверждено ОО", "Самодиагностик подано",
                          "Самодиагностик принято")
    assert "РЭШ: педагоги активны" in header and "Сферум: доля ОО" in header
    assert [row[0] for row in rows[:2]] == ["Аа-тест Альфа", "Аа-тест Бета"]
    alpha = rows[0]
    assert alpha[1:6] == (3, 6, 3, 1, 1)
    assert alpha[header.index("Сферум: ОО, где педагоги активны")] == 1
    assert alpha[header.index("РЭШ: педагоги активны")] == 1
    assert rows[-1][0] == "Край, всего" and rows[-1][2] == 8

    _, by_name = _csv(client.get("/monitoring/municipalities.csv?sort=name&dir=desc"))
    names = [row[0] for row in by_name]
    assert names.index("Аа-тест Бета") < names.index("Аа-тест Альфа") and names[-1] == "Край, всего"


def test_organisations_download(client, signed_in_methodologist, region):
    alpha = region["alpha"].id
    header, rows = _sheet(client.get(f"/monitoring/municipalities/{alpha}/organizations.xlsx?sort=teachers&dir=desc"))
    assert header[:6] == ("Организация", "Тип ОО", "Педагогов в ЦПП", "Подтверждено ОО", "Самодиагностика", "Уровень")
    assert [row[0] for row in rows] == ["Альфа школа 1", "Альфа школа 2", "Альфа детсад"]
    a1 = rows[0]
    assert a1[1:6] == ("Школа", 5, 3, "принята", "базовый")
    assert a1[header.index("Сферум: педагоги зарегистрированы")] == 3
    assert a1[header.index("Сферум: доля активных")] == pytest.approx(0.4)
    assert rows[2][header.index("Сферум: доля активных")] is None  # no staff, no share

    header, rows = _csv(client.get(f"/monitoring/municipalities/{alpha}/organizations.csv"))
    assert [row[0] for row in rows] == ["Альфа детсад", "Альфа школа 1", "Альфа школа 2"]  # by name by default
    assert rows[1][header.index("Сферум: доля активных")] == "40,0"


EXPORTS = ["/monitoring/platforms.xlsx", "/monitoring/deficits.csv", "/monitoring/municipalities.xlsx",
           "/monitoring/municipalities/{m}/platforms.csv", "/monitoring/municipalities/{m}/organizations.xlsx",
           "/monitoring/inactive?format=xlsx"]


@pytest.mark.parametrize("path", EXPORTS)
def test_downloads_are_for_the_institute_only(client, make_user, login, region, path):
    path = path.format(m=region["alpha"].id)
    response = client.get(path)
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    for role in (Role.TEACHER, Role.SCHOOL_ADMIN):
        visitor = client.application.test_client()
        sign_in(visitor, make_user(role=role, organization=region["a1"]))
        assert visitor.get(path).status_code == 404, (role, path)
    login(make_user(role=Role.ADMIN))
    assert client.get(path).status_code == 200


def _queries(database, client, path) -> int:
    with statements_run(database.engine) as statements:
        assert client.get(path).status_code == 200
    return len(statements)


def test_download_queries_do_not_grow_with_municipalities(client, signed_in_methodologist, database, region):
    paths = ["/monitoring/municipalities.xlsx", "/monitoring/platforms.csv", "/monitoring/deficits.xlsx",
             f"/monitoring/municipalities/{region['alpha'].id}/organizations.csv"]
    _add_municipalities(database, 2, 0)
    before = [_queries(database, client, path) for path in paths]
    _add_municipalities(database, 4, 2)
    assert [_queries(database, client, path) for path in paths] == before


# -------------------------------------------------------------------------------------- the platform switch


def test_one_platform_at_a_time_sferum_first(client, signed_in_methodologist, region):
    html = _text(client.get("/monitoring/municipalities"))
    alpha = _row(html, "data-municipality-id", region["alpha"].id)
    assert _cell(alpha, "sferum.organizations") == "33 % ниже нормы" and "resh." not in alpha
    assert re.search(r'<a href="[^"]*platform=sferum[^"]*" aria-current="true" class="current">Сферум</a>', html)
    assert 'Платформа «Сферум»' in html

    resh = _text(client.get("/monitoring/municipalities?platform=resh"))
    assert _cell(_row(resh, "data-municipality-id", region["alpha"].id), "resh.active") == "17 %"
    assert re.search(r'aria-current="true" class="current">РЭШ</a>', resh)
    # Sorting keeps the platform, and switching keeps a platform column's sort on the same column.
    assert _link("/monitoring/municipalities?platform=resh&sort=teachers&dir=asc") in _links(resh)
    sorted_page = _text(client.get("/monitoring/municipalities?platform=resh&sort=resh.active&dir=desc"))
    assert _link("/monitoring/municipalities?platform=sferum&sort=sferum.active&dir=desc") in _links(sorted_page)


@pytest.mark.parametrize("value", ["nope", "", "<script>", "sferum'--", "x" * 300])
def test_an_unknown_platform_shows_the_default(client, signed_in_methodologist, region, value):
    for path in ("/monitoring/municipalities", f"/monitoring/municipalities/{region['alpha'].id}"):
        response = client.get(path, query_string={"platform": value})
        assert response.status_code == 200
        assert "Платформа «Сферум»" in response.get_data(as_text=True)


def test_municipality_page_switch_and_pages_keep_the_platform(client, signed_in_methodologist, region):
    alpha = region["alpha"].id
    html = _text(client.get(f"/monitoring/municipalities/{alpha}?platform=resh"))
    a2 = _row(html, "data-organization-id", region["a2"].id)
    assert _cell(a2, "resh.active") == "100 %" and "sferum." not in a2
    assert _link(f"/monitoring/municipalities/{alpha}?platform=resh&sort=teachers&dir=asc") in _links(html)


# ------------------------------------------------------------------------------------------------- the links


def test_overview_links_the_lists_and_its_downloads(client, signed_in_methodologist, region):
    links = _links(_text(client.get("/monitoring/")))
    for href in ("/monitoring/municipalities", "/monitoring/inactive", "/monitoring/trends",
                 "/monitoring/platforms.xlsx", "/monitoring/platforms.csv", "/monitoring/deficits.xlsx",
                 "/monitoring/deficits.csv"):
        assert _link(href) in links, href
    assert "Скачать: <a" in _text(client.get("/monitoring/"))


def test_tables_link_their_downloads_in_the_shown_order(client, signed_in_methodologist, region):
    alpha = region["alpha"].id
    links = _links(_text(client.get("/monitoring/municipalities?sort=teachers&dir=desc&platform=resh")))
    assert _link("/monitoring/municipalities.xlsx?sort=teachers&dir=desc") in links
    assert _link("/monitoring/municipalities.csv?sort=teachers&dir=desc") in links
    links = _links(_text(client.get(f"/monitoring/municipalities/{alpha}")))
    for href in (f"/monitoring/municipalities/{alpha}/organizations.xlsx?sort=name&dir=asc",
                 f"/monitoring/municipalities/{alpha}/organizations.csv?sort=name&dir=asc",
                 f"/monitoring/municipalities/{alpha}/platforms.xlsx",
                 f"/monitoring/inactive?municipality={alpha}", f"/monitoring/trends?municipality={alpha}"):
        assert _link(href) in links, href


def test_inactive_list_downloads_keep_the_filters_and_names_open_the_card(client, signed_in_methodologist, region):
    alpha = region["alpha"].id
    html = _text(client.get("/monitoring/inactive", query_string={"reason": "no_active", "platform": "resh",
                                                                 "municipality": alpha, "kind": "school"}))
    links = _links(html)
    assert _link(f"/monitoring/inactive?format=xlsx&reason=no_active&platform=resh&municipality={alpha}&kind=school") in links
    assert _link(f"/monitoring/inactive?format=csv&reason=no_active&platform=resh&municipality={alpha}&kind=school") in links
    row = _row(html, "data-organization-id", region["a1"].id)  # a1 has no teacher active on РЭШ
    assert f'href="/monitoring/organizations/{region["a1"].id}"' in row and "Альфа школа 1</a>" in row


def test_review_queue_and_programs_list_link_the_card(client, signed_in_methodologist, region):
    b1, a1 = region["b1"].id, region["a1"].id
    queue = _text(client.get("/review/"))
    assert re.search(rf'<a href="/monitoring/organizations/{b1}"[^>]*>Бета школа</a>', queue)
    assert re.search(r'<a href="/review/\d+">Проверить<span class="sr-only"> самодиагностику: Бета школа', queue)
    programs = _text(client.get(f"/programs/?municipality={region['alpha'].id}"))
    assert re.search(rf'<a href="/monitoring/organizations/{a1}"[^>]*>Альфа школа 1</a>', programs)
    assert f'href="/programs/{region["program"].id}"' in programs
