"""`flask backup` / `flask restore` round trips on the backend under test, in a database of their own."""
import io
import json
import re
import stat
import tarfile
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import inspect, select, text

from cpp_app.extensions import db
from cpp_app.models import CourseRecord, Role, User
from tests.conftest import BACKEND
from tests.security.uploads_common import sample_image, sample_pdf

PDF = sample_pdf()  # the first teacher's certificate
PNG = sample_image("PNG")  # the second teacher's scan


def add_user(email: str, last_name: str, role=Role.TEACHER) -> User:
    from cpp_app.security import hash_password

    user = User(email=email, password_hash=hash_password("Krasnoyarsk-2026"), last_name=last_name,
                first_name="Анна", middle_name="Ивановна", role=role)
    db.session.add(user)
    db.session.flush()
    return user


def add_certificate(user: User, data: bytes) -> CourseRecord:
    from cpp_app.blueprints.courses.services import ExternalCourse, add_external_course
    from cpp_app.kernel.actor import Actor

    course = ExternalCourse(title="Цифровая школа", provider="КК ИПК", hours=36, completed_on=date(2025, 5, 20),
                            certificate_number="№ 1", certificate=data)
    return add_external_course(user.id, course, Actor(user.id, None, None))


def fill(app) -> None:
    with app.app_context():
        first = add_user("ivanova@school.example", "Иванова")
        second = add_user("petrov@school.example", "Петров")
        add_user("admin@ipk.example", "Сидорова", role=Role.ADMIN)
        add_certificate(first, PDF)
        add_certificate(second, PNG)
        db.session.commit()


def database_state(app) -> dict:
    """Every row of every table, in primary-key order, and the schema revision."""
    with app.app_context():
        state = {}
        for table in db.metadata.sorted_tables:
            rows = db.session.execute(select(table).order_by(*table.primary_key.columns)).all()
            state[table.name] = [tuple(row) for row in rows]
        state["alembic_version"] = db.session.execute(text("SELECT version_num FROM alembic_version")).all()
        db.session.remove()
        return state


def files_state(app) -> dict[str, bytes]:
    root = Path(app.instance_path) / "uploads"
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def run_backup(app, *args) -> Path:
    with app.app_context():  # as `flask` gives every command
        result = app.test_cli_runner().invoke(args=["backup", *args])
    assert result.exit_code == 0, result.output
    match = re.search(r"Резервная копия: (\S+\.tar\.gz)", result.output)
    assert match, result.output
    return Path(match.group(1))


def run_restore(app, archive: Path, *args, input=None):
    with app.app_context():
        return app.test_cli_runner().invoke(args=["restore", str(archive), *args], input=input)


def damage(app) -> None:
    """Changes, deletes and adds rows and files after the backup."""
    with app.app_context():
        ivanova = db.session.scalar(select(User).where(User.email == "ivanova@school.example"))
        ivanova.last_name = "Изменённая"
        for record in db.session.scalars(select(CourseRecord)):
            db.session.delete(record)
        add_user("intruder@school.example", "Новиков")
        db.session.commit()
    root = Path(app.instance_path) / "uploads" / "certificates"
    for path in root.iterdir():
        path.unlink()
    (root / ("f" * 32 + ".pdf")).write_bytes(b"%PDF- stray file")


def test_backup_and_restore_round_trip(backup_app):
    fill(backup_app)
    before_rows, before_files = database_state(backup_app), files_state(backup_app)
    assert len(before_files) == 2

    archive = run_backup(backup_app)

    assert archive.parent == Path(backup_app.instance_path) / "backups"
    assert re.fullmatch(r"cpp-backup-\d{8}T\d{6}Z\.tar\.gz", archive.name)
    assert stat.S_IMODE(archive.stat().st_mode) == 0o600
    with tarfile.open(archive) as tar:
        manifest = json.loads(tar.extractfile("manifest.json").read())
        names = set(tar.getnames())
    assert manifest["backend"] == BACKEND
    assert manifest["format"] == 1 and manifest["file_count"] == 2
    assert manifest["alembic_revision"] == before_rows["alembic_version"][0][0]
    database_member = "database.sqlite3" if BACKEND == "sqlite" else "database.dump"
    assert names == {"manifest.json", database_member, *(f"uploads/{name}" for name in before_files)}
    assert set(manifest["sha256"]) == names - {"manifest.json"}

    damage(backup_app)
    assert database_state(backup_app) != before_rows and files_state(backup_app) != before_files

    result = run_restore(backup_app, archive, "--yes")

    assert result.exit_code == 0, result.output
    assert "Архив проверен" in result.output
    assert database_state(backup_app) == before_rows
    assert files_state(backup_app) == before_files
    with backup_app.app_context():
        # Sequences came back too: new rows get fresh ids.
        newcomer = add_user("newcomer@school.example", "Кузнецова")
        db.session.commit()
        assert newcomer.id > max(row[0] for row in before_rows["users"])


def test_an_archive_from_before_a_schema_change_restores_over_the_newer_schema(backup_app):
    fill(backup_app)
    before_rows = database_state(backup_app)
    archive = run_backup(backup_app)
    with backup_app.app_context():
        # A table added by a later migration, with a foreign key into a table the archive replaces.
        db.session.execute(text("CREATE TABLE later_feature (id INTEGER PRIMARY KEY, "
                                "user_id INTEGER NOT NULL REFERENCES users (id))"))
        db.session.execute(text("INSERT INTO later_feature (id, user_id) SELECT 1, min(id) FROM users"))
        db.session.commit()

    result = run_restore(backup_app, archive, "--yes")

    assert result.exit_code == 0, result.output
    assert database_state(backup_app) == before_rows
    with backup_app.app_context():
        assert "later_feature" not in inspect(db.engine).get_table_names()  # `flask db upgrade` brings it back


def test_backup_to_a_chosen_directory(backup_app, tmp_path):
    fill(backup_app)
    archive = run_backup(backup_app, "--output", str(tmp_path / "nightly"))
    assert archive.parent == tmp_path / "nightly"
    assert stat.S_IMODE(archive.parent.stat().st_mode) == 0o700


def test_restore_asks_for_confirmation(backup_app):
    fill(backup_app)
    archive = run_backup(backup_app)
    damage(backup_app)
    after_rows, after_files = database_state(backup_app), files_state(backup_app)

    result = run_restore(backup_app, archive, input="n\n")

    assert result.exit_code == 1
    assert "Продолжить?" in result.output and "Ошибка: Восстановление отменено" in result.output
    assert database_state(backup_app) == after_rows and files_state(backup_app) == after_files


def members_of(archive: Path) -> dict[str, bytes]:
    with tarfile.open(archive) as tar:
        return {member.name: tar.extractfile(member).read() for member in tar}


def write_archive(target: Path, members: dict[str, bytes]) -> Path:
    with tarfile.open(target, "w:gz") as tar:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return target


def changed_certificate(members):
    name = next(n for n in members if n.startswith("uploads/certificates/"))
    members[name] += b"tampered"


def missing_files(members):
    for name in [n for n in members if n.startswith("uploads/")]:
        del members[name]


def other_backend(members):
    manifest = json.loads(members["manifest.json"])
    ours = "database.sqlite3" if BACKEND == "sqlite" else "database.dump"
    theirs = "database.dump" if BACKEND == "sqlite" else "database.sqlite3"
    manifest["backend"] = "postgresql" if BACKEND == "sqlite" else "sqlite"
    manifest["sha256"][theirs] = manifest["sha256"].pop(ours)
    members["manifest.json"] = json.dumps(manifest).encode()
    members[theirs] = members.pop(ours)


def path_outside_uploads(members):
    manifest = json.loads(members["manifest.json"])
    name = next(n for n in members if n.startswith("uploads/"))
    manifest["sha256"]["../../escaped.txt"] = manifest["sha256"].pop(name)
    members["manifest.json"] = json.dumps(manifest).encode()
    members["../../escaped.txt"] = members.pop(name)


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        (changed_certificate, "не совпадает контрольная сумма"),
        (missing_files, "нет файлов"),
        (other_backend, "восстановление в базу другого типа невозможно"),
        (path_outside_uploads, "лишний файл '../../escaped.txt'"),
        (None, "повреждён"),  # cut in half
    ],
    ids=["changed-file", "missing-files", "other-backend", "path-outside-uploads", "truncated"],
)
def test_a_damaged_archive_is_refused_and_changes_nothing(backup_app, tmp_path, change, reason):
    fill(backup_app)
    archive = run_backup(backup_app)
    bad = tmp_path / "bad.tar.gz"
    if change is None:
        bad.write_bytes(archive.read_bytes()[: archive.stat().st_size // 2])
    else:
        members = members_of(archive)
        change(members)
        write_archive(bad, members)
    damage(backup_app)
    after_rows, after_files = database_state(backup_app), files_state(backup_app)

    result = run_restore(backup_app, bad, "--yes")

    assert result.exit_code == 1
    assert result.output.startswith("Ошибка: ") and reason in result.output, result.output
    assert database_state(backup_app) == after_rows
    assert files_state(backup_app) == after_files
    instance = Path(backup_app.instance_path)
    assert not any(p.name.startswith(".restore") for p in instance.iterdir())
    assert not (instance.parent / "escaped.txt").exists()
