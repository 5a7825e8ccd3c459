"""The inactive organisations list: each reason, the filters, the counts, access, and its CSV and XLSX downloads."""
import csv
import io

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from cpp_app.blueprints.monitoring import figures
from cpp_app.domain.workflow import school_year
from cpp_app.kernel.clock import local_today
from cpp_app.models import (
    AccountStatus,
    DiagnosticStatus,
    Municipality,
    Organization,
    OrganizationKind,
    Platform,
    PlatformAccount,
    Role,
    utcnow,
)
from tests.factories import diagnostic_row

HOSTILE_NAME = "=HYPERLINK(\"http://evil.example\",\"Школа\")"


@pytest.fixture
def world(database, make_user):
    """Three schools of one municipality: A active in every way, B half-way, C with nothing this year."""
    municipality_id = database.session.scalar(
        select(Organization.municipality_id).group_by(Organization.municipality_id)
        .having(func.count(Organization.id) >= 3).order_by(Organization.municipality_id).limit(1)
    )
    a, b, c = database.session.scalars(
        select(Organization).where(Organization.municipality_id == municipality_id).order_by(Organization.id).limit(3)
    )
    sferum = database.session.scalar(select(Platform).where(Platform.code == "sferum"))
    year = school_year(local_today())

    teacher_a = make_user(organization=a, confirmed_at=utcnow())
    database.session.add(PlatformAccount(user=teacher_a, platform=sferum, status=AccountStatus.ACTIVE))
    teacher_b = make_user(organization=b)  # not confirmed
    database.session.add(PlatformAccount(user=teacher_b, platform=sferum, status=AccountStatus.REGISTERED))
    c.short_name = HOSTILE_NAME
    database.session.commit()
    diagnostic_row(database, a, 9, status=DiagnosticStatus.ACCEPTED, year=year)
    diagnostic_row(database, b, None, status=DiagnosticStatus.DRAFT, year=year)
    previous = f"{int(year[:4]) - 1}/{year[:4]}"
    diagnostic_row(database, c, 9, status=DiagnosticStatus.ACCEPTED, year=previous)
    figures.refresh()  # the list reads the stored per-organisation figures, as the timer leaves them
    database.session.commit()
    in_municipality = database.session.scalar(
        select(func.count(Organization.id)).where(Organization.municipality_id == municipality_id, Organization.is_active)
    )
    return {"municipality": municipality_id, "a": a.id, "b": b.id, "c": c.id, "count": in_municipality}


def _ids(response) -> set[int]:
    import re

    return {int(n) for n in re.findall(r'data-organization-id="(\d+)"', response.get_data(as_text=True))}


def _total_active(database) -> int:
    return database.session.scalar(select(func.count(Organization.id)).where(Organization.is_active))


@pytest.mark.parametrize(
    ("query", "inactive"),
    [
        ({"reason": "no_confirmed"}, {"b", "c"}),
        ({"reason": "no_active", "platform": "sferum"}, {"b", "c"}),
        ({"reason": "no_active", "platform": "vk_messenger"}, {"a", "b", "c"}),
        ({"reason": "no_diagnostic"}, {"b", "c"}),
    ],
)
def test_each_reason_lists_the_right_organisations(client, world, signed_in_methodologist, query, inactive):
    response = client.get("/monitoring/inactive", query_string={**query, "municipality": world["municipality"]})
    assert response.status_code == 200
    shown = _ids(response)
    for key in ("a", "b", "c"):
        assert (world[key] in shown) == (key in inactive), key
    expected = world["count"] - (3 - len(inactive))
    assert f"Не активных ОО — {expected}</strong> из {world['count']}" in response.get_data(as_text=True)


def test_default_reason_counts_the_whole_region_and_paginates_by_50(client, database, world, signed_in_methodologist):
    total = _total_active(database)
    first = client.get("/monitoring/inactive")
    assert f"Не активных ОО — {total - 1}</strong> из {total}" in first.get_data(as_text=True)
    assert len(_ids(first)) == min(50, total - 1)
    if total - 1 > 50:
        second = client.get("/monitoring/inactive", query_string={"page": 2})
        assert len(_ids(second)) == total - 1 - 50
        assert not _ids(first) & _ids(second)


def test_kind_filter_and_unknown_values_are_ignored(client, database, world, signed_in_methodologist):
    kind = database.session.get(Organization, world["b"]).kind
    response = client.get("/monitoring/inactive", query_string={"kind": kind.value, "municipality": world["municipality"]})
    kinds = {database.session.get(Organization, i).kind for i in _ids(response)}
    assert kinds == {kind} and world["b"] in _ids(response)
    assert "Сбросить фильтры" in response.get_data(as_text=True)
    assert "Сбросить фильтры" not in client.get("/monitoring/inactive").get_data(as_text=True)
    other = next(k for k in OrganizationKind if k != kind)
    assert world["b"] not in _ids(client.get("/monitoring/inactive", query_string={"kind": other.value}))
    bogus = client.get("/monitoring/inactive", query_string={"reason": "x", "kind": "x", "municipality": "999999",
                                                           "platform": "nope"})
    assert bogus.status_code == 200
    total = _total_active(database)
    assert f"Не активных ОО — {total - 1}</strong>" in bogus.get_data(as_text=True)


@pytest.mark.parametrize("role", [Role.TEACHER, Role.SCHOOL_ADMIN])
def test_other_roles_get_404(client, make_user, login, role):
    login(make_user(role=role))
    assert client.get("/monitoring/inactive").status_code == 404
    assert client.get("/monitoring/inactive?format=csv").status_code == 404
    assert client.get("/monitoring/trends").status_code == 404


def test_anonymous_is_sent_to_sign_in(client, database):
    response = client.get("/monitoring/inactive")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_admin_may_open_it(client, make_user, login, world):
    login(make_user(role=Role.ADMIN))
    assert client.get("/monitoring/inactive").status_code == 200


def test_csv_download_has_bom_semicolons_and_escapes_formulas(client, world, signed_in_methodologist):
    response = client.get("/monitoring/inactive", query_string={"format": "csv", "municipality": world["municipality"]})
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert response.headers["Cache-Control"] == "no-store"
    assert "filename*=UTF-8''" in response.headers["Content-Disposition"]
    assert response.data.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"), newline=""), delimiter=";"))
    assert rows[0] == ["Краткое название", "Полное название", "Тип ОО", "Муниципалитет", "ИНН", "Учителей в ЦПП",
                       "Подтверждено", "Причина"]
    assert len(rows) == 1 + world["count"] - 1
    hostile = next(row for row in rows if HOSTILE_NAME in row[0])
    assert hostile[0] == "'" + HOSTILE_NAME
    b_row = next(row for row in rows[1:] if row[5] == "1")
    assert b_row[6] == "0" and b_row[7] == "Нет подтверждённых педагогов"


def test_xlsx_download_is_typed_and_safe(client, database, world, signed_in_methodologist):
    response = client.get("/monitoring/inactive", query_string={
        "format": "xlsx", "reason": "no_active", "platform": "sferum", "municipality": world["municipality"]})
    assert response.status_code == 200
    assert response.mimetype.endswith("spreadsheetml.sheet")
    sheet = load_workbook(io.BytesIO(response.data)).active
    assert sheet.freeze_panes == "A2"
    assert all(cell.font.bold for cell in sheet[1])
    assert sheet.max_row == 1 + world["count"] - 1
    rows = list(sheet.iter_rows(min_row=2))
    hostile = next(row for row in rows if row[0].value == HOSTILE_NAME)
    assert hostile[0].data_type == "s"
    assert all(row[5].data_type == "n" and isinstance(row[5].value, int) for row in rows)
    sferum = database.session.scalar(select(Platform.name).where(Platform.code == "sferum"))
    assert {row[7].value for row in rows} == {f"Нет педагогов, активно использующих «{sferum}»"}


def test_unknown_format_is_404(client, world, signed_in_methodologist):
    assert client.get("/monitoring/inactive?format=pdf").status_code == 404


def test_dashboard_tables_download(client, database, world, signed_in_methodologist):
    response = client.get("/monitoring/municipalities.xlsx")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.data)).active
    assert sheet["A1"].value == "Муниципалитет"
    assert sheet.cell(row=sheet.max_row, column=1).value == "Край, всего"
    assert sheet.cell(row=sheet.max_row, column=2).value == _total_active(database)

    csv_response = client.get(f"/monitoring/municipalities/{world['municipality']}/organizations.csv")
    assert csv_response.status_code == 200
    rows = list(csv.reader(io.StringIO(csv_response.data.decode("utf-8-sig"), newline=""), delimiter=";"))
    assert rows[0][0] == "Организация" and len(rows) == 1 + world["count"]
    assert "'" + HOSTILE_NAME in [row[0] for row in rows]
    name = database.session.get(Municipality, world["municipality"]).name
    assert "filename*=UTF-8''" in csv_response.headers["Content-Disposition"] and name

    assert client.get("/monitoring/municipalities/999999/organizations.csv").status_code == 404
    assert client.get("/monitoring/municipalities.pdf").status_code == 404
