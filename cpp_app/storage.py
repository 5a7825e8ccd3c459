"""Where stored files live: uploads and the documents the service makes, behind one small interface.

Every read, write, deletion and download of a stored file goes through `current()`, so that several app servers
can share the files: `LocalStorage` keeps them in a directory — `CPP_STORAGE_DIR`, `<instance>/uploads` by default —
which may be a mount of shared storage (NFS) on every app server and queue worker. An object store would be another
class with the same methods (deploy/README.md, «Если одного сервера мало»).

Names and kinds are checked by `cpp_app.uploads` before they get here; a backend still refuses anything that is not
a plain file name, so a tampered name can never reach outside its kind's folder.
"""
import os
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Protocol

from flask import Response, current_app, send_file

# A file name without any folder: what uploads.NAME_PATTERN allows, and nothing that could climb out.
_PLAIN_NAME = re.compile(r"[0-9A-Za-z_-][0-9A-Za-z_.-]*")


class Storage(Protocol):
    def write(self, kind: str, name: str, chunks: Iterable[bytes]) -> None:
        """Creates the file from the pieces; refuses to replace an existing one."""

    def read(self, kind: str, name: str) -> bytes | None:
        """The file's content, or None if it is not there."""

    def size(self, kind: str, name: str) -> int | None:
        """The file's size in bytes, or None if it is not there."""

    def delete(self, kind: str, name: str) -> None:
        """Removes the file; a file already gone is not an error."""

    def send(self, kind: str, name: str, **options) -> Response | None:
        """A response sending the file (options as flask.send_file's), or None if it is not there."""


class LocalStorage:
    """Files in `<root>/<kind>/<name>`, written once and never changed."""

    def __init__(self, root: Path):
        self.root = Path(root)

    def _file(self, kind: str, name: str) -> Path | None:
        """The file's path, if the name is a plain name inside the kind's folder and the file is there."""
        if not _PLAIN_NAME.fullmatch(kind) or not _PLAIN_NAME.fullmatch(name):
            return None
        directory = (self.root / kind).resolve()
        target = (directory / name).resolve()
        if target.parent != directory or not target.is_file():
            return None
        return target

    def write(self, kind: str, name: str, chunks: Iterable[bytes]) -> None:
        if not _PLAIN_NAME.fullmatch(kind) or not _PLAIN_NAME.fullmatch(name):
            raise ValueError(f"not a stored file's name: {kind!r}/{name!r}")
        directory = self.root / kind
        directory.mkdir(parents=True, exist_ok=True, mode=0o750)
        descriptor = os.open(directory / name, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o640)
        with os.fdopen(descriptor, "wb") as file:
            for chunk in chunks:
                file.write(chunk)

    def read(self, kind: str, name: str) -> bytes | None:
        target = self._file(kind, name)
        try:
            return target.read_bytes() if target is not None else None
        except FileNotFoundError:  # deleted between the check and the read
            return None

    def size(self, kind: str, name: str) -> int | None:
        target = self._file(kind, name)
        try:
            return target.stat().st_size if target is not None else None
        except FileNotFoundError:
            return None

    def delete(self, kind: str, name: str) -> None:
        if not _PLAIN_NAME.fullmatch(kind) or not _PLAIN_NAME.fullmatch(name):
            return
        try:
            (self.root / kind / name).unlink()
        except FileNotFoundError:
            pass

    def send(self, kind: str, name: str, **options) -> Response | None:
        target = self._file(kind, name)
        return send_file(target, **options) if target is not None else None


def directory() -> Path:
    """The configured root of the stored files (CPP_STORAGE_DIR, `<instance>/uploads` by default)."""
    return Path(current_app.config.get("STORAGE_DIR") or Path(current_app.instance_path) / "uploads")


def current() -> Storage:
    return LocalStorage(directory())
