"""The research view's pages and downloads: who may open them, what the tables and files hold, the «< 5» mark,
the anonymised dataset (no teacher's e-mail, name or school in it) and a query count that does not grow."""
import csv
import io
import re

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from cpp_app.models import Role, utcnow
from tests import research_world
from tests.factories import download, signed_in, statements_run
from tests.research_world import BIG_SCHOOL, KINDERGARTEN, SMALL_SCHOOL

PAGES = ["/research/", "/research/levels", "/research/platforms", "/research/courses", "/research/codebook"]
TABLES = ["response-municipalities", "response-kinds", "area-levels", "item-scores", "platform-ratings",
          "course-demand", "course-demand-municipalities", "codebook"]
DOWNLOADS = [f"/research/{table}.{fmt}" for table in TABLES for fmt in ("xlsx", "csv")] + ["/research/dataset.csv"]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
EVERYONE = BIG_SCHOOL + KINDERGARTEN + SMALL_SCHOOL


@pytest.fixture
def world(database, make_user):
    return research_world.build(database, make_user)


def _text(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.get_data(as_text=True)


def _csv(response):
    assert response.status_code == 200, response.status_code
    assert response.content_type == "text/csv; charset=utf-8"
    rows = list(csv.reader(io.StringIO(response.get_data().decode("utf-8-sig"), newline=""), delimiter=";"))
    return rows[0], rows[1:]


def _sheet(response):
    assert response.status_code == 200, response.status_code
    assert response.content_type == XLSX
    rows = list(load_workbook(io.BytesIO(response.data)).active.iter_rows(values_only=True))
    return rows[0], rows[1:]


@pytest.mark.parametrize("role", [Role.TEACHER, Role.SCHOOL_ADMIN])
def test_teachers_and_school_admins_find_no_research_page(app, make_user, world, role):
    client = signed_in(app, make_user(role=role, confirmed_at=utcnow()))
    for path in PAGES + DOWNLOADS:
        assert client.get(path).status_code == 404, path


def test_signed_out_visitors_are_sent_to_sign_in(client, world):
    for path in PAGES + DOWNLOADS:
        response = client.get(path)
        assert response.status_code == 302 and response.headers["Location"].startswith("/login"), path


def test_every_page_opens_for_the_institute(client, signed_in_methodologist, world):
    for path in PAGES:
        html = _text(client.get(path))
        assert 'aria-current="page"' in html and "Самооценка педагогов" in html
    response = _text(client.get("/research/"))
    assert f"ответили {EVERYONE} из {EVERYONE + 1}" in response
    assert world.big.name in response and world.small.name in response
    courses = _text(client.get("/research/courses"))
    assert "Ещё не записались" in courses and "data-course-id" in courses


def test_the_admin_opens_them_too(app, make_user, world):
    client = signed_in(app, make_user(role=Role.ADMIN, email="admin@kipk.example"))
    assert client.get("/research/levels").status_code == 200


def test_a_small_municipality_is_marked_and_its_figures_are_hidden(client, signed_in_methodologist, world):
    html = _text(client.get(f"/research/levels?municipality={world.small.id}"))
    rows = re.findall(r'<tr data-area="[^"]+" data-suppressed="true">', html)
    assert len(rows) == 7
    assert "&lt; 5" in html
    header, rows = _csv(client.get(f"/research/area-levels.csv?municipality={world.small.id}"))
    assert header[:2] == ["Область", "Респондентов"]
    assert all(set(row[1:]) == {"< 5"} for row in rows)
    header, rows = _sheet(client.get(f"/research/item-scores.xlsx?municipality={world.small.id}"))
    assert all(set(row[1:]) == {"< 5"} for row in rows)
    big = _text(client.get(f"/research/levels?municipality={world.big.id}"))
    assert 'data-suppressed="true"' not in big


def test_downloads_hold_the_tables(client, signed_in_methodologist, world):
    header, rows = _sheet(client.get("/research/response-municipalities.xlsx"))
    assert header == ("Муниципалитет", "Педагогов в ЦПП", "Подали самооценку", "Доля ответивших")
    by_name = {row[0]: row for row in rows}
    assert by_name[world.small.name][1:3] == (SMALL_SCHOOL, SMALL_SCHOOL)
    assert by_name["Край, всего"][2] == EVERYONE
    header, rows = _csv(client.get("/research/response-kinds.csv"))
    assert {row[0]: row[2] for row in rows}["Дошкольная ОО"] == str(KINDERGARTEN)
    header, rows = _sheet(client.get("/research/area-levels.xlsx"))
    assert header[2:4] == ("начальный: чел.", "начальный: доля")
    assert all(row[1] == EVERYONE for row in rows) and len(rows) == 7
    assert all(sum(row[2::2]) == EVERYONE for row in rows)
    header, rows = _csv(client.get("/research/platform-ratings.csv"))
    assert {row[1] for row in rows} >= {"Сферум"}
    header, rows = _sheet(client.get("/research/course-demand.xlsx"))
    assert header[:3] == ("Курс", "Набор", "В маршрутах")
    header, rows = _csv(client.get("/research/course-demand-municipalities.csv"))
    assert header[:2] == ["Курс", "Муниципалитет"] and rows
    header, rows = _csv(client.get("/research/codebook.csv"))
    assert header == ["Столбец", "Что означает", "Значения"]


def test_the_dataset_names_no_teacher_and_no_school(client, signed_in_methodologist, database, world):
    response = download(client, "/research/dataset.csv")
    assert response.mimetype == "text/csv"
    text = response.get_data().decode("utf-8-sig")
    header, rows = _csv(response)
    assert len(rows) == EVERYONE
    folded = text.lower()
    for teacher in world.teachers:
        assert teacher.email.lower() not in folded
        assert teacher.last_name.lower() not in folded
        assert teacher.first_name.lower() not in folded
    for organization in world.organizations:
        assert organization.short_name.lower() not in folded
        assert organization.full_name.lower() not in folded
    assert "@" not in text
    # The small village school's municipality is not named either: its cell has three respondents.
    assert world.small.name not in text
    assert sum(1 for row in rows if row[1] == "прочие" and row[2] == "прочие") == SMALL_SCHOOL
    codebook = _text(client.get("/research/codebook"))
    for column in header:
        assert f'data-column="{column}"' in codebook


def test_a_date_that_is_no_date_is_reported_not_an_error(client, signed_in_methodologist, world):
    html = _text(client.get("/research/levels?since=31.02.2026&until=2020-01-01"))
    assert "Исправьте ошибки" in html and "«Подано с»" in html
    assert 'type="text" id="since" name="since" value="31.02.2026"' in html  # the typed value stays, as typed
    assert 'type="date" id="until"' in html
    typed = _text(client.get("/research/?since=01.01.2020"))
    assert "Исправьте ошибки" not in typed and f"ответили {EVERYONE} из" in typed
    html = _text(client.get("/research/?since=2026-05-01&until=2026-04-01"))
    assert "раньше" in html
    assert client.get("/research/levels?version=999999999999&campaign=abc&municipality=-1").status_code == 200


def _statements(client, path: str) -> int:
    from cpp_app.extensions import db

    download(client, path).get_data()
    with statements_run(db.engine) as statements:
        response = client.get(path)
        assert response.status_code == 200 and response.get_data()
    return len(statements)


def test_the_query_count_does_not_grow_with_the_rows(app, database, make_user):
    client = signed_in(app, make_user(role=Role.METHODOLOGIST, email="counter@kipk.example"))
    research_world.build(database, make_user, scale=1, seed=1)
    before = {path: _statements(client, path) for path in PAGES + ["/research/dataset.csv"]}
    research_world.build(database, make_user, scale=3, seed=2, tag="more")
    after = {path: _statements(client, path) for path in PAGES + ["/research/dataset.csv"]}
    assert after == before


def test_a_filtered_page_links_its_downloads_with_the_same_filters(client, signed_in_methodologist, world):
    html = _text(client.get(f"/research/courses?municipality={world.big.id}"))
    assert f"/research/course-demand.xlsx?municipality={world.big.id}" in html


def test_the_dataset_is_prepared_in_the_background_once_and_then_served(client, signed_in_methodologist, database,
                                                                        world, monkeypatch):
    from cpp_app import jobs
    from cpp_app.models import BackgroundJob

    dispatched = []
    monkeypatch.setattr(jobs, "_dispatch_after_commit", dispatched.append)  # the worker has not got to it yet
    for _ in range(2):
        waiting = client.get("/research/dataset.csv")
        assert waiting.status_code == 200 and waiting.headers["Refresh"] == "5"
        assert "<h1>Набор данных готовится…</h1>" in _text(waiting)
    assert len(dispatched) == 1, "queued once, however often the page refreshes"
    monkeypatch.undo()
    jobs.perform(dispatched[0])  # the worker runs it
    ready = client.get("/research/dataset.csv")
    assert ready.status_code == 200 and ready.mimetype == "text/csv"
    header, rows = _csv(ready)
    assert len(rows) == EVERYONE
    assert database.session.scalar(select(func.count(BackgroundJob.id))) == 1, "a fresh file is served, not remade"


def test_a_dataset_that_cannot_be_prepared_is_reported(client, signed_in_methodologist, world, monkeypatch):
    from cpp_app.blueprints.research import dataset

    def broken(*args):
        raise RuntimeError("база недоступна")

    monkeypatch.setattr(dataset, "stream", broken)
    assert client.get("/research/dataset.csv").headers["Refresh"] == "5"  # queued; inline it fails after this
    failed = client.get("/research/dataset.csv")
    assert failed.status_code == 503 and "Набор данных не удалось подготовить" in failed.get_data(as_text=True)
