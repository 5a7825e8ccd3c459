"""Oversized, empty and malformed uploads on every upload endpoint, content checked by magic bytes, hostile
spreadsheets bounded, formula cells stored as text, and the per-user upload rate limit."""
import re
import time
from html.parser import HTMLParser

import pytest
from pypdf.actions import JavaScript
from sqlalchemy import select

from cpp_app.models import CourseRecord, StaffRegisterEntry
from tests.factories import download, text
from tests.security.uploads_common import (
    HUGE_DIMENSIONS,
    UPLOADS,
    files_under,
    post_file,
    sample_image,
    sample_pdf,
    xlsx_with_sheet,
)
from tests.security.world import (
    concrete_path,
    csrf_token,
    database_state,
    id_factories,
    int_arguments,
    switch_user,
)

TOO_LARGE = "Слишком большой файл"
TOO_MANY = "Слишком много запросов"


class MultipartForms(HTMLParser):
    def __init__(self):
        super().__init__()
        self.actions = set()

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "form" and (attributes.get("enctype") or "").lower() == "multipart/form-data":
            self.actions.add(attributes.get("action") or "")


def test_every_form_with_a_file_field_is_probed(app, client, login, database, world):
    factories = id_factories(world, database)
    adapter = app.url_map.bind("localhost")
    found = set()
    for user in ("teacher_a", "director_a", "methodologist", "admin"):
        switch_user(client, login, getattr(world, user))
        for rule in app.url_map.iter_rules():
            if "GET" not in rule.methods or rule.endpoint in ("static", "auth.logout") or "fmt" in rule.arguments:
                continue
            path = concrete_path(rule, {name: factories[name]() for name in int_arguments(rule)})
            response = client.get(path)
            if response.status_code == 200 and response.mimetype == "text/html":
                parser = MultipartForms()
                parser.feed(text(response))
                for action in parser.actions:
                    found.add(adapter.match(action.split("?")[0] or path, method="POST")[0])
    assert found, "no upload form found"
    assert found <= UPLOADS.keys(), f"upload forms without probes: add them to UPLOADS: {found - UPLOADS.keys()}"


@pytest.mark.parametrize("endpoint", UPLOADS)
def test_a_body_over_the_app_limit_gets_the_russian_413_and_nothing_is_stored(app, client, login, database, world,
                                                                              tmp_path, endpoint):
    upload = UPLOADS[endpoint]
    switch_user(client, login, getattr(world, upload.user))
    before, files = database_state(database), files_under(tmp_path)
    content, name = upload.good
    response = post_file(client, world, upload, content + b"\0" * app.config["MAX_CONTENT_LENGTH"], name)
    assert response.status_code == 413 and TOO_LARGE in text(response)
    assert database_state(database) == before and files_under(tmp_path) == files


@pytest.mark.parametrize("endpoint", UPLOADS)
@pytest.mark.parametrize("size", ["over the file's limit", "empty"])
def test_a_file_over_its_own_limit_or_empty_is_refused_with_a_message(app, client, login, database, world, tmp_path,
                                                                      endpoint, size):
    upload = UPLOADS[endpoint]
    switch_user(client, login, getattr(world, upload.user))
    before, files = database_state(database), files_under(tmp_path)
    content, name = upload.good
    content = b"" if size == "empty" else content + b"\n" * upload.file_limit
    response = post_file(client, world, upload, content, name)
    assert response.status_code in (200, 400), response.status_code
    assert ("пуст" if size == "empty" else "Файл больше") in text(response), text(response)[:3000]
    assert database_state(database) == before and files_under(tmp_path) == files


@pytest.mark.parametrize(("content", "name"), [
    (b"<html><script>alert(1)</script></html>", "certificate.pdf"),
    (b"MZ\x90\x00\x03\x00\x00\x00\x04\x00" + b"\0" * 200, "certificate.pdf"),
    (b"#!/bin/sh\nrm -rf /\n", "certificate.jpg"),
    (b"GIF89a" + b"\0" * 50, "certificate.png"),
])
def test_a_certificate_is_checked_by_its_content_not_its_name(client, login, database, world, tmp_path, content, name):
    upload = UPLOADS["cabinet.course_external_new"]
    switch_user(client, login, world.teacher_a)
    files = files_under(tmp_path)
    response = post_file(client, world, upload, content, name, "application/pdf")
    assert response.status_code == 200 and "Формат определяется по содержимому файла" in text(response)
    assert files_under(tmp_path) == files


def test_a_png_named_pdf_is_stored_and_served_as_png_an_attachment_never_sniffed(client, login, database, world):
    upload = UPLOADS["cabinet.course_external_new"]
    switch_user(client, login, world.teacher_a)
    png = sample_image("PNG")
    assert post_file(client, world, upload, png, "certificate.pdf", "application/pdf").status_code == 302
    record = database.session.scalars(select(CourseRecord).where(CourseRecord.user_id == world.teacher_a.id)
                                      .order_by(CourseRecord.id.desc())).first()
    assert record.certificate_mime == "image/png" and record.certificate_file.endswith(".png")
    response = client.get(f"/cabinet/courses/{record.id}/certificate")
    assert response.mimetype == "image/png" and response.data == png
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Content-Disposition"].startswith("attachment;")


def test_a_pdf_with_javascript_is_only_ever_downloaded(client, login, database, world):
    """A PDF may carry JavaScript for the reader's viewer: it is accepted as a PDF, and never shown inline."""
    upload = UPLOADS["cabinet.course_external_new"]
    switch_user(client, login, world.teacher_a)
    pdf = sample_pdf(open_action=JavaScript("app.alert(1)"))
    assert post_file(client, world, upload, pdf, "c.pdf", "application/pdf").status_code == 302
    record = database.session.scalars(select(CourseRecord).where(CourseRecord.user_id == world.teacher_a.id)
                                      .order_by(CourseRecord.id.desc())).first()
    response = client.get(f"/cabinet/courses/{record.id}/certificate")
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response.headers["Content-Security-Policy"]


@pytest.mark.parametrize(("content", "name", "message"), [
    (bytes(range(256)) * 40, "register.csv", "не похож на текстовый CSV"),
    (b"PK\x03\x04" + bytes(range(256)) * 40, "register.xlsx", "повреждён"),
    (bytes(range(256)) * 40, "register.xlsx", "повреждён"),
    (xlsx_with_sheet(HUGE_DIMENSIONS), "register.xlsx", "В файле больше 100 000 строк"),
    (xlsx_with_sheet(b"<worksheet"), "register.xlsx", "повреждён"),
    (b"\n" * 200_001 + "ФИО;Email\n".encode(), "register.csv", "В файле больше 100 000 строк"),
    ('ФИО;Email\n"Иванова Мария;a@school.example\n'.encode() + b"x" * 200_000, "register.csv", "проверьте кавычки"),
])
def test_malformed_and_hostile_registers_are_refused_quickly(client, login, database, world, content, name, message):
    upload = UPLOADS["school.import_staff"]
    switch_user(client, login, world.director_a)
    before = database_state(database)
    started = time.monotonic()
    response = post_file(client, world, upload, content, name)
    assert time.monotonic() - started < 10
    assert response.status_code == 400 and message in text(response), text(response)[:3000]
    assert database_state(database) == before


def test_formula_cells_of_a_register_are_stored_and_shown_as_text(client, login, database, world):
    upload = UPLOADS["school.import_staff"]
    switch_user(client, login, world.director_a)
    register = ('ФИО;Email;Должность\n'
                'Сидорова Анна Петровна;sidorova@school.example;=HYPERLINK("https://evil.example","x")\n'
                'Петров Пётр Петрович;petrov@school.example;@SUM(1+1)\n').encode()
    preview = post_file(client, world, upload, register, "register.csv")
    assert preview.status_code == 200, text(preview)[:2000]
    token = re.search(r'name="token" type="hidden" value="([^"]+)"', text(preview)).group(1)
    response = client.post("/school/staff/import/apply", data={"csrf_token": csrf_token(client), "token": token})
    assert response.status_code == 302
    positions = set(database.session.scalars(select(StaffRegisterEntry.position)))
    assert positions == {'=HYPERLINK("https://evil.example","x")', "@SUM(1+1)"}
    page = text(client.get("/school/staff/unregistered"))
    assert "=HYPERLINK(&#34;https://evil.example&#34;,&#34;x&#34;)" in page and "@SUM(1+1)" in page


def test_a_yaml_bomb_methodology_is_refused_quickly(client, login, database, world):
    upload = UPLOADS["admin.methodology_preview"]
    switch_user(client, login, world.methodologist)
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]" for i in range(1, 10)]
    before = database_state(database)
    started = time.monotonic()
    response = post_file(client, world, upload, "\n".join(lines).encode(), "methodology.yaml")
    assert time.monotonic() - started < 10
    assert response.status_code == 400
    assert database_state(database) == before


# ------------------------------------------------------------------------------------------------ rate limits


@pytest.mark.parametrize("endpoint", UPLOADS)
def test_uploads_are_rate_limited_per_user(app, client, login, database, world, monkeypatch, endpoint):
    monkeypatch.setitem(app.config, "UPLOAD_RATE_LIMIT", "3/hour")
    upload = UPLOADS[endpoint]
    switch_user(client, login, getattr(world, upload.user))
    content, name = upload.good
    for _ in range(3):
        assert post_file(client, world, upload, b"", name).status_code != 429
    refused = post_file(client, world, upload, content, name)
    assert refused.status_code == 429 and TOO_MANY in text(refused)
    assert client.get(upload.page(world)).status_code == 200  # opening the form is not limited


def test_the_upload_limit_counts_each_user_separately(app, client, login, database, world, monkeypatch):
    monkeypatch.setitem(app.config, "UPLOAD_RATE_LIMIT", "1/hour")
    upload = UPLOADS["cabinet.course_external_new"]
    switch_user(client, login, world.teacher_a)
    assert post_file(client, world, upload, b"", "c.pdf").status_code == 200
    assert post_file(client, world, upload, b"", "c.pdf").status_code == 429
    switch_user(client, login, world.teacher_b)
    assert post_file(client, world, upload, b"", "c.pdf").status_code == 200


def test_profile_pdf_renders_are_rate_limited_per_user(app, client, login, database, world, monkeypatch):
    monkeypatch.setitem(app.config, "RENDER_RATE_LIMIT", "2/minute")
    switch_user(client, login, world.teacher_a)
    assert [client.get("/cabinet/profile.pdf").status_code for _ in range(3)] == [200, 200, 429]
    assert TOO_MANY in text(client.get("/cabinet/profile.pdf"))
    switch_user(client, login, world.teacher_b)
    assert client.get("/cabinet/profile.pdf").status_code == 200


def test_document_renders_share_one_budget_and_stored_copies_are_free(app, client, login, database, world,
                                                                      monkeypatch):
    monkeypatch.setitem(app.config, "RENDER_RATE_LIMIT", "3/minute")
    switch_user(client, login, world.director_a)
    program = f"/programs/{world.program_a.id}"
    assert download(client, f"{program}.pdf").status_code == 200  # asked for: 1 of 3 (the refresh is free)
    assert [client.get(f"{program}.pdf").status_code for _ in range(10)] == [200] * 10  # stored copies
    assert download(client, f"{program}.docx").status_code == 200  # 2 of 3: one budget for every document
    assert client.get("/cabinet/profile.pdf").status_code == 200  # 3 of 3
    refused = client.get("/cabinet/data.pdf")
    assert refused.status_code == 429 and TOO_MANY in text(refused)
    world.program_a.goal = "Новая цель"
    database.session.commit()
    assert client.get(f"{program}.pdf").status_code == 429  # changed content is a new rendering: refused too


def test_the_limits_are_generous_enough_for_real_use(app):
    assert app.config["RENDER_RATE_LIMIT"] == "20/minute" and app.config["UPLOAD_RATE_LIMIT"] == "30/hour"



# ------------------------------------------------------------------------------------------ request size limits


def test_form_text_over_the_form_memory_limit_gets_the_russian_413(app, client, login, world):
    switch_user(client, login, world.director_a)
    limit = app.config["MAX_FORM_MEMORY_SIZE"]
    assert limit < app.config["MAX_CONTENT_LENGTH"]
    response = client.post(f"/programs/{world.program_a.id}", data={"goal": "ц" * limit, "op": "save"})
    assert response.status_code == 413 and TOO_LARGE in text(response)
    assert world.program_a.goal != "ц" * limit


def test_a_program_with_every_section_full_is_within_the_form_limits(app, client, login, database, world):
    from cpp_app.blueprints.programs.services import SECTION_LIMIT, SECTIONS
    from tests.security.world import csrf_token

    switch_user(client, login, world.director_a)
    sections = {name: "ц" * SECTION_LIMIT for name in SECTIONS}
    response = client.post(f"/programs/{world.program_a.id}/autosave",
                           data={**sections, "csrf_token": csrf_token(client)})
    assert response.status_code == 200, response.status_code
    database.session.refresh(world.program_a)
    assert world.program_a.goal == "ц" * SECTION_LIMIT


def test_too_many_form_parts_get_the_russian_413(app, client, login, world):
    switch_user(client, login, world.teacher_a)
    parts = {f"field{number}": "x" for number in range(app.config["MAX_FORM_PARTS"] + 1)}
    response = client.post("/cabinet/profile", data=parts, content_type="multipart/form-data")
    assert response.status_code == 413 and TOO_LARGE in text(response)
