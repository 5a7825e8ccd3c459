"""Path traversal on every download and upload: crafted paths, names and stored file names never reach a file
outside the uploads folder, and uploads are stored under random names inside it, whatever the browser sent."""
import re

import pytest
from sqlalchemy import select

from cpp_app import uploads
from cpp_app.models import CourseRecord, RenderedDocument
from tests.factories import download
from tests.security.uploads_common import UPLOADS, files_under, post_file
from tests.security.world import switch_user

TRAVERSALS = ("../../../../etc/passwd", "..%2F..%2F..%2Fetc%2Fpasswd", "%2e%2e%2f%2e%2e%2fetc%2fpasswd",
              "..%252f..%252fetc%252fpasswd", "/etc/passwd", "%2Fetc%2Fpasswd", "..\\..\\cpp_app\\config.py",
              "1%00", "%00../../etc/passwd", "....//....//etc/passwd")
SECRET_MARKERS = ("root:x:0:0", "CPP_SECRET_KEY", "def load_config")


def assert_nothing_leaked(response, where):
    assert response.status_code in (400, 404, 308), (where, response.status_code)
    body = response.get_data(as_text=True)
    assert not any(marker in body for marker in SECRET_MARKERS), where


def test_crafted_download_paths_are_404(client, login, world):
    switch_user(client, login, world.methodologist)
    program, record = world.program_a.id, world.record_a.id
    for attack in TRAVERSALS:
        for path in (f"/cabinet/courses/{attack}/certificate", f"/static/{attack}", f"/static/css/{attack}",
                     f"/school/staff.{attack}", f"/monitoring/municipalities.{attack}",
                     f"/monitoring/municipalities/{world.school_a.municipality_id}/organizations.{attack}",
                     f"/programs/{attack}.pdf", f"/privacy/consent/{attack}"):
            assert_nothing_leaked(client.get(path), path)
        for path in (f"/programs/{program}.pdf?revision={attack}", f"/programs/{program}.docx?revision={attack}",
                     f"/cabinet/courses/{record}/certificate?file={attack}"):
            response = client.get(path)
            assert response.status_code in (200, 400, 404), (path, response.status_code)
            assert not any(marker.encode() in response.data for marker in SECRET_MARKERS), path


@pytest.mark.parametrize("stored_name", ["../../../../etc/passwd", "/etc/passwd", "..\\..\\secret_key",
                                         "../certificates/../../secret_key", "a" * 32 + ".pdf/../../secret_key"])
def test_a_tampered_stored_name_is_never_followed(client, login, database, world, tmp_path, stored_name):
    (tmp_path / "secret_key").write_text("CPP_SECRET_KEY=do-not-leak")
    record = database.session.get(CourseRecord, world.record_a.id)
    record.certificate_file = stored_name
    database.session.commit()
    switch_user(client, login, world.teacher_a)
    assert_nothing_leaked(client.get(f"/cabinet/courses/{record.id}/certificate"), stored_name)
    assert uploads.read(stored_name, "certificates") is None


def test_a_tampered_rendered_document_name_is_rendered_again_not_followed(client, login, database, world, tmp_path):
    (tmp_path / "secret_key").write_text("CPP_SECRET_KEY=do-not-leak")
    switch_user(client, login, world.director_a)
    assert download(client, f"/programs/{world.program_a.id}.pdf").status_code == 200
    row = database.session.scalar(select(RenderedDocument).where(RenderedDocument.program_id == world.program_a.id))
    row.file_name = "../../secret_key"
    database.session.commit()
    response = download(client, f"/programs/{world.program_a.id}.pdf")
    assert response.status_code == 200 and response.data.startswith(b"%PDF-")
    assert b"do-not-leak" not in response.data


NAMES = ("../../../../etc/passwd", "..\\..\\..\\x.pdf", "/tmp/evil.pdf", "C:\\Windows\\evil.pdf", "evil\0.pdf",
         "evil\n.pdf", "evil\r\nX-Injected: 1.pdf", ".htaccess", "~/.bashrc", "%2e%2e%2fx.pdf", "con.pdf", "a" * 300 + ".pdf")


@pytest.mark.parametrize("name", NAMES)
def test_a_certificate_with_a_hostile_name_is_stored_under_a_random_name_inside_the_uploads(
        client, login, database, world, tmp_path, name):
    upload = UPLOADS["cabinet.course_external_new"]
    switch_user(client, login, world.teacher_a)
    before = files_under(tmp_path)
    content, _ = upload.good
    response = post_file(client, world, upload, content, name, "application/pdf")
    assert response.status_code == 302
    added = files_under(tmp_path) - before
    record = database.session.scalars(select(CourseRecord).where(CourseRecord.user_id == world.teacher_a.id)
                                      .order_by(CourseRecord.id.desc())).first()
    if "\n" in name:  # a line break ends the part's header: the part arrives as a plain field, not a file
        assert not added and record.certificate_file is None
        return
    assert len(added) == 1, added
    stored = added.pop()
    assert re.fullmatch(r"uploads/certificates/[0-9a-f]{32}\.pdf", stored), stored
    download = client.get(f"/cabinet/courses/{record.id}/certificate")
    assert download.data == content
    assert download.headers["Content-Disposition"] == f"attachment; filename=certificate-{record.id}.pdf"


@pytest.mark.parametrize("endpoint", ["school.import_staff", "admin.methodology_preview"])
@pytest.mark.parametrize("name", ["../../../../tmp/evil", "..\\..\\evil", "/etc/evil", "evil\0"])
def test_imports_with_hostile_names_write_no_file(client, login, database, world, tmp_path, endpoint, name):
    upload = UPLOADS[endpoint]
    switch_user(client, login, getattr(world, upload.user))
    content, good_name = upload.good
    suffix = good_name[good_name.rindex("."):]
    before = files_under(tmp_path)
    response = post_file(client, world, upload, content, name + suffix)
    assert response.status_code in (200, 302, 400), response.status_code
    assert files_under(tmp_path) == before
    page = response.get_data(as_text=True)
    assert "/etc/evil" not in page and "tmp/evil" not in page  # only the file's own name is ever shown
