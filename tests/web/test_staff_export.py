"""The staff list exports: numbers and text survive, a formula-looking surname stays text."""
import csv
import io

from openpyxl import load_workbook

from cpp_app.models import Role, utcnow

HOSTILE = '=HYPERLINK("http://x")'


def test_xlsx_and_csv_keep_a_formula_like_surname_as_text(client, make_user, login, database):
    director = make_user(role=Role.SCHOOL_ADMIN, confirmed_at=utcnow())
    make_user(last_name=HOSTILE, first_name="Ирина", organization=director.organization)
    login(director)

    response = client.get("/school/staff.xlsx")
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    sheet = load_workbook(io.BytesIO(response.data)).active
    header = [cell.value for cell in sheet[1]]
    assert header[:6] == ["Фамилия", "Имя", "Отчество", "Email", "Должность", "Подтверждение"]
    assert "Сферум" in header
    hostile = next(row for row in sheet.iter_rows(min_row=2) if row[1].value == "Ирина")
    assert hostile[0].value == HOSTILE and hostile[0].data_type == "s"
    assert sheet.max_row == 3  # the director and the teacher

    response = client.get("/school/staff.csv")
    text = response.data.decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff")), delimiter=";"))
    assert any(row[0] == "'" + HOSTILE for row in rows)


def test_export_is_the_admins_own_organisation_only(client, make_user, login, database):
    from sqlalchemy import select

    from cpp_app.models import Organization

    first, second = database.session.scalars(select(Organization).order_by(Organization.id).limit(2)).all()
    director = make_user(role=Role.SCHOOL_ADMIN, organization=first, confirmed_at=utcnow())
    make_user(last_name="Чужая", organization=second)
    login(director)
    assert "Чужая" not in client.get("/school/staff.csv").data.decode("utf-8")
    assert client.get("/school/staff.pdf").status_code == 404


def test_teacher_cannot_export(client, make_user, login):
    login(make_user())
    assert client.get("/school/staff.xlsx").status_code == 404
