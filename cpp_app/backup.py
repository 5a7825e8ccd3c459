"""Backups: one tar.gz holding a consistent database dump, the uploaded files and a manifest.

    manifest.json         format, created_at, backend, Alembic revision, file count, sha256 of every member
    database.sqlite3      SQLite: a copy made with the online backup API (safe while the service runs)
    database.dump         PostgreSQL: `pg_dump --format=custom`
    uploads/<kind>/<name> the stored files (CPP_STORAGE_DIR, <instance>/uploads by default)

The database is dumped before the files are copied: a certificate uploaded in between is in
the archive without its row (harmless), one deleted in between is missing (run backups at night).
A restore checks every checksum and the backend before it changes anything.
"""
import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess  # nosec B404 # runs pg_dump/pg_restore only, with a fixed argument list
import tarfile
import tempfile
import zlib
from contextlib import closing, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import click
from flask import current_app
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError, ProgrammingError

from . import storage, uploads
from .extensions import db
from .kernel.cli import CliError

FORMAT_VERSION = 1
MANIFEST = "manifest.json"
DATABASE_MEMBERS = {"sqlite": "database.sqlite3", "postgresql": "database.dump"}
BACKEND_LABELS = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}
ARCHIVE_PREFIX = "cpp-backup-"
PG_BIN_DIR = Path(os.environ.get("CPP_PG_BIN_DIR", "/usr/bin"))
CHUNK = 1024 * 1024
MANIFEST_MAX_BYTES = 64 * 1024 * 1024  # a SHA-256 line per file: room for hundreds of thousands


class BackupError(Exception):
    """Backup or restore refused; the message is for the operator, in Russian."""


@dataclass(frozen=True)
class Manifest:
    format: int
    created_at: str
    backend: str
    alembic_revision: str | None
    file_count: int
    sha256: dict[str, str]

    def to_json(self) -> bytes:
        return json.dumps(vars(self), ensure_ascii=False, indent=2, sort_keys=True).encode()


# ------------------------------------------------------------------------------------------ where things are


def backend() -> str:
    name = make_url(current_app.config["SQLALCHEMY_DATABASE_URI"]).get_backend_name()
    if name not in DATABASE_MEMBERS:
        raise BackupError(f"Резервное копирование базы {name} не поддерживается (только SQLite и PostgreSQL).")
    return name


def default_directory() -> Path:
    return Path(current_app.instance_path) / "backups"


def uploads_directory() -> Path | None:
    """The stored files' directory; None when they are in an object store, which keeps its own versions: the
    archive then holds the database alone."""
    return storage.directory()


def _upload_kinds() -> set[str]:
    return set(uploads.KINDS) | set(uploads.GENERATED_KINDS)


def _is_upload_member(name: str) -> bool:
    """Only <kind>/<name> as uploads.py makes them: nothing else is written to or read from the archive."""
    parts = name.split("/")
    return (
        len(parts) == 3 and parts[0] == "uploads" and parts[1] in _upload_kinds()
        and uploads.NAME_PATTERN.fullmatch(parts[2]) is not None
    )


def _libpq_url() -> tuple[str, dict[str, str]]:
    """The configured URL for pg_dump/pg_restore: no +psycopg driver, the password in the environment
    (a command line is visible to every user of the machine)."""
    url = make_url(current_app.config["SQLALCHEMY_DATABASE_URI"])
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    return url.set(drivername="postgresql", password=None).render_as_string(hide_password=False), env


def _sqlite_path() -> Path:
    database = make_url(current_app.config["SQLALCHEMY_DATABASE_URI"]).database
    if not database or database == ":memory:":
        raise BackupError("База SQLite в памяти не сохраняется в резервную копию.")
    return Path(database)


def _alembic_revision() -> str | None:
    with db.engine.connect() as connection:
        try:
            return connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
        except (OperationalError, ProgrammingError):  # a database never migrated has no version table
            return None


def _run(command: list[str], env: dict[str, str], what: str) -> None:
    result = subprocess.run(command, env=env, capture_output=True, text=True)  # nosec B603 # fixed argv, no shell
    if result.returncode != 0:
        raise BackupError(f"{what} завершился с ошибкой:\n{result.stderr.strip()}")


# ------------------------------------------------------------------------------------------ backup


def create_backup(output_dir: Path | None = None) -> tuple[Path, Manifest]:
    """Writes the archive (mode 0600) into output_dir, instance/backups by default."""
    kind = backend()
    output_dir = Path(output_dir or default_directory())
    output_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    created = datetime.now(UTC)
    target = output_dir / f"{ARCHIVE_PREFIX}{created:%Y%m%dT%H%M%SZ}.tar.gz"
    if target.exists():
        raise BackupError(f"Архив {target} уже существует; повторите через секунду.")

    with tempfile.TemporaryDirectory(dir=output_dir, prefix=".backup-") as work:
        dump = Path(work) / DATABASE_MEMBERS[kind]
        revision = _alembic_revision()
        if kind == "sqlite":
            _sqlite_copy(_sqlite_path(), dump)
        else:
            url, env = _libpq_url()
            _run([str(PG_BIN_DIR / "pg_dump"), "--format=custom", "--no-password", f"--file={dump}", url], env,
                 "pg_dump")
        members = {DATABASE_MEMBERS[kind]: dump}
        root = uploads_directory()
        if root is not None and root.is_dir():
            for path in sorted(root.rglob("*")):
                name = "uploads/" + path.relative_to(root).as_posix()
                if path.is_file() and _is_upload_member(name):
                    members[name] = path
        partial = Path(work) / "archive.tar.gz"
        descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        checksums = {}
        with os.fdopen(descriptor, "wb") as file, tarfile.open(fileobj=file, mode="w:gz") as archive:
            for name, path in members.items():
                try:
                    source = path.open("rb")
                except FileNotFoundError:
                    continue  # deleted since the listing (its row went with it): nothing to keep
                # Stored files are written once and never changed, so the size read now is the size read next.
                with source:
                    reader = _HashingReader(source)
                    archive.addfile(_member_info(name, os.fstat(source.fileno()).st_size, created), reader)
                checksums[name] = reader.digest.hexdigest()
            manifest = Manifest(
                format=FORMAT_VERSION,
                created_at=created.isoformat(timespec="seconds").replace("+00:00", "Z"),
                backend=kind,
                alembic_revision=revision,
                file_count=len(checksums) - 1,
                sha256=checksums,
            )
            _add_bytes(archive, MANIFEST, manifest.to_json(), created)
        os.replace(partial, target)  # the archive appears complete or not at all
    return target, manifest


class _HashingReader:
    """A file as tarfile reads it, hashed on the way: every byte is read once."""

    def __init__(self, file):
        self._file = file
        self.digest = hashlib.sha256()

    def read(self, size=-1) -> bytes:
        data = self._file.read(size)
        self.digest.update(data)
        return data


def _sqlite_copy(source: Path, target: Path) -> None:
    # Read-only, so that a backup can never write to the live database.
    with closing(sqlite3.connect(f"{source.resolve().as_uri()}?mode=ro", uri=True)) as src, closing(
        sqlite3.connect(target)
    ) as dst:
        src.backup(dst)


def _member_info(name: str, size: int, created: datetime) -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.size = size
    info.mode = 0o600
    info.mtime = int(created.timestamp())
    return info


def _add_bytes(archive: tarfile.TarFile, name: str, data: bytes, created: datetime) -> None:
    archive.addfile(_member_info(name, len(data), created), io.BytesIO(data))


# ------------------------------------------------------------------------------------------ restore


@dataclass(frozen=True)
class VerifiedBackup:
    manifest: Manifest
    directory: Path  # the archive's members, extracted and checked

    @property
    def database(self) -> Path:
        return self.directory / DATABASE_MEMBERS[self.manifest.backend]


@contextmanager
def verified_backup(archive_path: Path):
    """Extracts the archive into a private directory and checks it all before anything is changed.

    Raises BackupError when the archive is damaged, altered, of another format or of another backend."""
    archive_path = Path(archive_path)
    instance = Path(current_app.instance_path)
    instance.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=instance, prefix=".restore-") as work:
        manifest = _extract_and_check(archive_path, Path(work))
        if manifest.backend != backend():
            raise BackupError(
                f"Архив сделан с базы {BACKEND_LABELS.get(manifest.backend, manifest.backend)}, а сервис настроен "
                f"на {BACKEND_LABELS[backend()]}; восстановление в базу другого типа невозможно."
            )
        if manifest.file_count and uploads_directory() is None:
            raise BackupError(
                "В архиве есть файлы, а сервис хранит файлы в объектном хранилище (CPP_STORAGE_URL): восстановите "
                "архив с локальным каталогом файлов и перенесите файлы в хранилище отдельно."
            )
        yield VerifiedBackup(manifest, Path(work))


def _extract_and_check(archive_path: Path, work: Path) -> Manifest:
    """One pass over the compressed stream (seeking back in a .tar.gz would decompress it again for
    every member): each allowed member is written under `work` and hashed; then all is compared."""
    damaged = f"Архив {archive_path.name} повреждён или изменён"
    allowed_names = set(DATABASE_MEMBERS.values())
    digests: dict[str, str] = {}
    manifest_data = None
    try:
        with tarfile.open(archive_path, mode="r|gz") as archive:
            for member in archive:
                duplicate = member.name in digests or (member.name == MANIFEST and manifest_data is not None)
                allowed = member.name in allowed_names or member.name == MANIFEST or _is_upload_member(member.name)
                if duplicate or not allowed or not member.isfile():
                    raise BackupError(f"{damaged}: лишний файл {member.name!r}.")
                source = archive.extractfile(member)
                if member.name == MANIFEST:
                    manifest_data = source.read(MANIFEST_MAX_BYTES + 1)
                    continue
                target = work / member.name
                target.parent.mkdir(parents=True, exist_ok=True)
                digest = hashlib.sha256()
                with target.open("wb") as out:
                    while chunk := source.read(CHUNK):
                        digest.update(chunk)
                        out.write(chunk)
                digests[member.name] = digest.hexdigest()
    except (tarfile.TarError, OSError, EOFError, zlib.error) as error:
        raise BackupError(f"{damaged}: {type(error).__name__}.") from None

    manifest = _parse_manifest(manifest_data, damaged)
    missing = set(manifest.sha256) - set(digests)
    if missing:
        raise BackupError(f"{damaged}: нет файлов {', '.join(sorted(missing))}.")
    unlisted = set(digests) - set(manifest.sha256)
    if unlisted:
        raise BackupError(f"{damaged}: лишний файл {sorted(unlisted)[0]!r}.")
    for name, digest in digests.items():
        if digest != manifest.sha256[name]:
            raise BackupError(f"{damaged}: не совпадает контрольная сумма {name}.")
    databases = [name for name in digests if name in allowed_names]
    if databases != [DATABASE_MEMBERS[manifest.backend]]:
        raise BackupError(f"{damaged}: копия базы не соответствует описанию.")
    return manifest


def _parse_manifest(data: bytes | None, damaged: str) -> Manifest:
    try:
        if data is None or len(data) > MANIFEST_MAX_BYTES:
            raise ValueError
        manifest = Manifest(**json.loads(data))
    except (TypeError, ValueError):
        raise BackupError(f"{damaged}: нет описания (manifest.json) или оно нечитаемо.") from None
    if manifest.format != FORMAT_VERSION:
        raise BackupError(f"Архив формата {manifest.format}, эта версия сервиса читает формат {FORMAT_VERSION}.")
    if manifest.backend not in DATABASE_MEMBERS or not isinstance(manifest.sha256, dict):
        raise BackupError(f"{damaged}: неизвестный тип базы в описании.")
    if manifest.file_count != len(manifest.sha256) - 1:
        raise BackupError(f"{damaged}: число файлов не совпадает с описанием.")
    return manifest


def restore(verified: VerifiedBackup) -> None:
    """Replaces the database, then the uploaded files. Stop the service first: open connections
    would hold locks (PostgreSQL) or keep serving the old data."""
    db.session.remove()
    db.engine.dispose()
    if verified.manifest.backend == "sqlite":
        _restore_sqlite(verified.database)
    else:
        url, env = _libpq_url()
        script = verified.directory / "restore.sql"
        _run([str(PG_BIN_DIR / "pg_restore"), "--no-owner", f"--file={script}", str(verified.database)], env,
             "pg_restore")
        # pg_restore --clean drops only what the dump holds: tables added since (a newer schema) would keep foreign
        # keys into the ones it replaces and stop it. So the schema is emptied first, in the same transaction as
        # the restore: a failure leaves the database as it was.
        _run(
            [str(PG_BIN_DIR / "psql"), "--no-password", "--quiet", "--single-transaction", "--set=ON_ERROR_STOP=1",
             f"--dbname={url}", "--command=DROP SCHEMA public CASCADE; CREATE SCHEMA public;",
             f"--file={script}"],
            env, "psql",
        )
    if uploads_directory() is not None:
        _replace_uploads(verified.directory / "uploads")


def _restore_sqlite(dump: Path) -> None:
    with closing(sqlite3.connect(dump)) as source:
        if source.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
            raise BackupError("Копия базы SQLite в архиве повреждена (integrity_check).")
        target_path = _sqlite_path()
        target_path.parent.mkdir(parents=True, exist_ok=True)
        with closing(sqlite3.connect(target_path)) as target:
            source.backup(target)  # page by page under the target's lock: no reader sees half a database


def _replace_uploads(restored: Path) -> None:
    """Swaps each <kind> directory by renames. The staging directory sits inside uploads/ itself,
    so this works when uploads/ is a mount of shared storage (renames cannot cross file systems)."""
    current = uploads_directory()
    current.mkdir(parents=True, exist_ok=True, mode=0o750)
    staging = Path(tempfile.mkdtemp(dir=current, prefix=".restoring-"))
    try:
        for kind in sorted(_upload_kinds()):
            staged = staging / kind
            if (restored / kind).is_dir():
                shutil.copytree(restored / kind, staged)
            else:
                staged.mkdir()
            staged.chmod(0o750)
            for path in staged.iterdir():
                path.chmod(0o640)
        for kind in sorted(_upload_kinds()):
            live = current / kind
            if live.exists():
                live.rename(staging / f"{kind}.replaced")
            (staging / kind).rename(live)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


# ------------------------------------------------------------------------------------------ commands


@click.command("backup")
@click.option("--output", "output_dir", type=click.Path(file_okay=False, path_type=Path),
              help="Directory for the archive (default: instance/backups).")
def backup_command(output_dir: Path | None):
    """Write the database and the uploaded files into one archive (run it nightly from a timer)."""
    try:
        path, manifest = create_backup(output_dir)
    except BackupError as error:
        raise CliError(str(error)) from None
    size = path.stat().st_size / (1024 * 1024)
    click.echo(
        f"Резервная копия: {path} (база {BACKEND_LABELS[manifest.backend]}, "
        f"файлов: {manifest.file_count}, {size:.1f} МБ)"
    )


@click.command("restore")
@click.argument("archive", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def restore_command(archive: Path, yes: bool):
    """Replace the database and the uploaded files with those of a `flask backup` archive."""
    try:
        with verified_backup(archive) as verified:
            manifest = verified.manifest
            click.echo(
                f"Архив проверен: создан {manifest.created_at}, база {BACKEND_LABELS[manifest.backend]}, "
                f"ревизия схемы {manifest.alembic_revision or '—'}, файлов: {manifest.file_count}."
            )
            if not yes and not click.confirm(
                "Текущая база и загруженные файлы будут заменены содержимым архива. Продолжить?", default=False
            ):
                raise CliError("Восстановление отменено, ничего не изменено.")
            restore(verified)
    except BackupError as error:
        raise CliError(str(error)) from None
    click.echo("Восстановлено. Если код сервиса новее архива, выполните `flask db upgrade`.")
