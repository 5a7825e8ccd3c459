"""Stored files in an S3-compatible object store (CPP_STORAGE_URL): the same behaviour as the local directory,
tested against moto's in-process S3 (no network)."""
import boto3
import pytest
from moto import mock_aws

from cpp_app import uploads
from cpp_app.extensions import db
from tests.factories import external_course_record
from tests.integration.test_backup import fill, run_backup, run_restore
from tests.security.uploads_common import sample_pdf

PDF = sample_pdf()
BUCKET = "cpp-files"


def use_object_store(app, monkeypatch):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.setitem(app.config, "STORAGE_URL", f"s3://{BUCKET}/cpp")
    app.extensions.pop("cpp_object_stores", None)  # a client made outside this test's mock would reach the network


@pytest.fixture
def bucket(app, monkeypatch, tmp_path):
    monkeypatch.setattr(app, "instance_path", str(tmp_path))
    use_object_store(app, monkeypatch)
    with mock_aws():
        client = boto3.client("s3")
        client.create_bucket(Bucket=BUCKET)
        yield client
    app.extensions.pop("cpp_object_stores", None)


def keys(client) -> list[str]:
    return [item["Key"] for item in client.list_objects_v2(Bucket=BUCKET).get("Contents", [])]


def test_a_file_is_stored_read_sent_and_deleted_as_an_object(app, database, bucket, tmp_path):
    name, _ = uploads.save(PDF, "certificates")
    database.session.commit()
    assert keys(bucket) == [f"cpp/certificates/{name}"]
    assert not (tmp_path / "uploads").exists()
    assert uploads.read(name, "certificates") == PDF
    assert uploads.size(name, "certificates") == len(PDF)
    with app.test_request_context():
        sent = uploads.send(name, "certificates", mimetype="application/pdf", as_attachment=True,
                            download_name="certificate.pdf")
        sent.direct_passthrough = False
        assert sent.status_code == 200 and sent.get_data() == PDF and sent.content_length == len(PDF)
        assert sent.headers["Content-Disposition"] == "attachment; filename=certificate.pdf"

    uploads.delete(name, "certificates")
    assert keys(bucket) != [], "nothing is removed before the commit"
    database.session.commit()
    assert keys(bucket) == [] and uploads.read(name, "certificates") is None


def test_a_file_saved_in_a_rolled_back_transaction_is_removed(database, bucket):
    uploads.save(PDF, "certificates")
    assert len(keys(bucket)) == 1
    database.session.rollback()
    assert keys(bucket) == []


def test_a_generated_file_is_uploaded_from_its_pieces(database, bucket):
    name = uploads.write_generated((f"{row};строка\n".encode() for row in range(50_000)), "exports", ".csv")
    database.session.commit()
    data = uploads.read(name, "exports")
    assert data.count(b"\n") == 50_000 and data.startswith("0;строка\n".encode())


@pytest.mark.parametrize("name", ["../secret_key", "/etc/passwd", "..", "a/../../x.pdf", None, ""])
def test_names_it_did_not_make_reach_no_object(app, bucket, name):
    bucket.put_object(Bucket=BUCKET, Key="secret_key", Body=b"secret")
    assert uploads.read(name, "certificates") is None
    assert uploads.size(name, "certificates") is None
    with app.test_request_context():
        assert uploads.send(name, "certificates") is None


def test_the_certificate_downloads_from_the_object_store(database, bucket, make_user, login, client):
    teacher = make_user()
    record = external_course_record(database, teacher, certificate=PDF)
    login(teacher)
    response = client.get(f"/cabinet/courses/{record.id}/certificate")
    assert response.status_code == 200 and response.data == PDF
    assert response.headers["Content-Security-Policy"] == "default-src 'none'; sandbox"
    assert client.get(f"/cabinet/courses/{record.id + 1}/certificate").status_code == 404


def test_a_backup_holds_the_database_alone_and_refuses_to_restore_files_into_the_store(backup_app, monkeypatch,
                                                                                       tmp_path):
    fill(backup_app)  # two certificates in the local directory
    with_files = run_backup(backup_app)
    use_object_store(backup_app, monkeypatch)
    without_files = run_backup(backup_app, "--output", str(tmp_path / "other"))  # the same second: another folder
    with backup_app.app_context():
        from cpp_app.backup import verified_backup

        with verified_backup(without_files) as verified:
            assert verified.manifest.file_count == 0
    refused = run_restore(backup_app, with_files, "--yes")
    assert refused.exit_code != 0 and "объектном хранилище" in refused.output
    with backup_app.app_context():
        db.session.remove()
