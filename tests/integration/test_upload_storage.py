"""Uploaded files are stored under random names in the instance folder and follow the transaction."""
import pytest

from cpp_app import uploads
from tests.security.uploads_common import sample_image, sample_pdf

PDF = sample_pdf()
JPEG = sample_image("JPEG")
PNG = sample_image("PNG")


@pytest.fixture
def instance(uploads_dir, database):
    """Uploads go to a throw-away instance folder, never the repository's: its certificates' folder."""
    return uploads_dir


def test_saved_file_has_a_random_name_and_the_sniffed_type(instance, database):
    name, mime = uploads.save(PNG, "certificates")
    database.session.commit()
    assert mime == "image/png"
    assert uploads.NAME_PATTERN.fullmatch(name) and name.endswith(".png")
    assert (instance / name).read_bytes() == PNG
    assert uploads.read(name, "certificates") == PNG
    assert uploads.size(name, "certificates") == len(PNG)
    other, _ = uploads.save(PNG, "certificates")
    assert other != name


@pytest.mark.parametrize(
    "name",
    [None, "", "../secret_key", "../../secret_key", "/etc/passwd", "..", "certificate.pdf",
     "0123456789abcdef0123456789abcdef.exe", "0123456789ABCDEF0123456789ABCDEF.pdf",
     "0123456789abcdef0123456789abcdef.pdf/../../secret_key", "0123456789abcdef0123456789abcdef.pdf\x00"],
)
def test_only_names_it_made_are_read(app, instance, name):
    instance.mkdir(parents=True)
    (instance.parent.parent / "secret_key").write_text("secret")
    assert uploads.read(name, "certificates") is None
    assert uploads.size(name, "certificates") is None
    with app.test_request_context():
        assert uploads.send(name, "certificates") is None


def test_a_missing_file_is_none(app, instance):
    missing = "0123456789abcdef0123456789abcdef.pdf"
    assert uploads.read(missing, "certificates") is None
    with app.test_request_context():
        assert uploads.send(missing, "certificates") is None


def test_the_storage_directory_is_configurable(app, instance, database, tmp_path, monkeypatch):
    """CPP_STORAGE_DIR: a directory several app servers share, outside the instance folder."""
    shared = tmp_path / "shared"
    monkeypatch.setitem(app.config, "STORAGE_DIR", str(shared))
    name, _ = uploads.save(PDF, "certificates")
    database.session.commit()
    assert (shared / "certificates" / name).read_bytes() == PDF
    assert not instance.exists()
    assert uploads.read(name, "certificates") == PDF
    with app.test_request_context():
        assert uploads.send(name, "certificates", mimetype="application/pdf").status_code == 200
    uploads.delete(name, "certificates")
    database.session.commit()
    assert not (shared / "certificates" / name).exists()


def test_a_file_saved_in_a_rolled_back_transaction_is_removed(instance, database):
    name, _ = uploads.save(PDF, "certificates")
    assert (instance / name).exists()
    database.session.rollback()
    assert not (instance / name).exists()


def test_delete_waits_for_the_commit(instance, database):
    name, _ = uploads.save(JPEG, "certificates")
    database.session.commit()

    uploads.delete(name, "certificates")
    database.session.rollback()
    assert (instance / name).exists(), "a rolled-back deletion keeps the file"

    uploads.delete(name, "certificates")
    assert (instance / name).exists(), "nothing is removed before the commit"
    database.session.commit()
    assert not (instance / name).exists()


def test_delete_ignores_names_it_did_not_make(instance, database):
    secret = instance.parent.parent / "secret_key"
    secret.parent.mkdir(parents=True, exist_ok=True)
    secret.write_text("secret")
    uploads.delete("../../secret_key", "certificates")
    database.session.commit()
    assert secret.exists()
