"""Where stored files live: uploads and the documents the service makes, behind one small interface.

Every read, write, deletion and download of a stored file goes through `current()`, so that several app servers
can share the files: `LocalStorage` keeps them in a directory — `CPP_STORAGE_DIR`, `<instance>/uploads` by default —
which may be a mount of shared storage (NFS) on every app server and queue worker; `S3Storage` keeps them in an
S3-compatible object store when `CPP_STORAGE_URL=s3://bucket/prefix` is set (deploy/README.md, «Если одного
сервера мало»).

Names and kinds are checked by `cpp_app.uploads` before they get here; a backend still refuses anything that is not
a plain file name, so a tampered name can never reach outside its kind's folder.
"""
import os
import re
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import Protocol
from urllib.parse import urlsplit

from flask import Flask, Response, current_app, send_file

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


class S3Storage:
    """Objects `<prefix><kind>/<name>` in a bucket of an S3-compatible store (boto3). The credentials and region come
    from boto3's usual sources (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_DEFAULT_REGION or its files), the
    endpoint of a store other than Amazon's from CPP_S3_ENDPOINT_URL. Downloads pass through the app, so that the
    views' headers (the certificate's sandbox CSP, no-store) stay what they are with local files."""

    SPOOL_BYTES = 8 * 1024 * 1024  # a generated file larger than this waits on disk, not in memory, for its upload

    def __init__(self, client, bucket: str, prefix: str = ""):
        self.client = client
        self.bucket = bucket
        self.prefix = prefix

    def _key(self, kind: str, name: str) -> str | None:
        if not _PLAIN_NAME.fullmatch(kind) or not _PLAIN_NAME.fullmatch(name):
            return None
        return f"{self.prefix}{kind}/{name}"

    def _missing(self, error) -> bool:
        return error.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound")

    def write(self, kind: str, name: str, chunks: Iterable[bytes]) -> None:
        key = self._key(kind, name)
        if key is None:
            raise ValueError(f"not a stored file's name: {kind!r}/{name!r}")
        with tempfile.SpooledTemporaryFile(max_size=self.SPOOL_BYTES) as spool:
            for chunk in chunks:
                spool.write(chunk)
            spool.seek(0)
            self.client.upload_fileobj(spool, self.bucket, key)  # multipart beyond boto3's threshold

    def _get(self, kind: str, name: str):
        from botocore.exceptions import ClientError

        key = self._key(kind, name)
        if key is None:
            return None
        try:
            return self.client.get_object(Bucket=self.bucket, Key=key)
        except ClientError as error:
            if self._missing(error):
                return None
            raise

    def read(self, kind: str, name: str) -> bytes | None:
        found = self._get(kind, name)
        return found["Body"].read() if found is not None else None

    def size(self, kind: str, name: str) -> int | None:
        from botocore.exceptions import ClientError

        key = self._key(kind, name)
        if key is None:
            return None
        try:
            return self.client.head_object(Bucket=self.bucket, Key=key)["ContentLength"]
        except ClientError as error:
            if self._missing(error):
                return None
            raise

    def delete(self, kind: str, name: str) -> None:
        key = self._key(kind, name)
        if key is not None:
            self.client.delete_object(Bucket=self.bucket, Key=key)  # a key already gone is no error in S3

    def send(self, kind: str, name: str, **options) -> Response | None:
        found = self._get(kind, name)
        if found is None:
            return None
        response = send_file(found["Body"], **options)
        response.content_length = found["ContentLength"]
        return response


def directory() -> Path | None:
    """The local root of the stored files (CPP_STORAGE_DIR, `<instance>/uploads` by default); None when they are in
    an object store."""
    if current_app.config.get("STORAGE_URL"):
        return None
    return Path(current_app.config.get("STORAGE_DIR") or Path(current_app.instance_path) / "uploads")


def current() -> Storage:
    url = current_app.config.get("STORAGE_URL")
    return _object_store(current_app._get_current_object(), url) if url else LocalStorage(directory())


def _object_store(app: Flask, url: str) -> S3Storage:
    """One client per app and URL: making a boto3 client costs tens of milliseconds."""
    stores = app.extensions.setdefault("cpp_object_stores", {})
    if url not in stores:
        import boto3

        parts = urlsplit(url)
        if parts.scheme != "s3" or not parts.netloc:
            raise RuntimeError(f"CPP_STORAGE_URL must look like s3://bucket/prefix, not {url!r}")
        prefix = parts.path.strip("/")
        client = boto3.client("s3", endpoint_url=app.config.get("S3_ENDPOINT_URL") or None)
        stores[url] = S3Storage(client, parts.netloc, f"{prefix}/" if prefix else "")
    return stores[url]
