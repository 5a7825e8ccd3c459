"""Uploaded files: checked by content, stored outside static/ under random names.

Files are kept by `cpp_app.storage` (`<instance>/uploads/<kind>/` by default). A file saved during a transaction
that never commits is removed again, and a file deleted during a transaction disappears only when it commits, so
the database and the stored files agree either way.
"""
import io
import re
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from functools import partial
from pathlib import PurePosixPath

from flask import Response
from PIL import Image
from pypdf import PdfReader
from pypdf.errors import DependencyError

from . import storage
from .kernel.transaction import after_commit, on_rollback

PDF = "application/pdf"
JPEG = "image/jpeg"
PNG = "image/png"

# Magic bytes: the browser's content type and the file name are the uploader's to choose.
SIGNATURES = (
    (b"%PDF-", PDF),
    (b"\xff\xd8\xff", JPEG),
    (b"\x89PNG\r\n\x1a\n", PNG),
)
EXTENSIONS = {PDF: ".pdf", JPEG: ".jpg", PNG: ".png"}
TYPE_LABELS = {PDF: "PDF", JPEG: "JPG", PNG: "PNG"}
PILLOW_FORMATS = {JPEG: "JPEG", PNG: "PNG"}

# Only names this module makes: hex and a known extension, so no path can be smuggled in.
NAME_PATTERN = re.compile(r"[0-9a-f]{32}\.(pdf|jpg|png|docx|csv)")


@dataclass(frozen=True)
class Kind:
    max_bytes: int
    types: tuple[str, ...]


KINDS = {
    "certificates": Kind(max_bytes=5 * 1024 * 1024, types=(PDF, JPEG, PNG)),
}
# Files the service makes itself (rendered documents, prepared exports): stored the same way, never checked as
# uploads.
GENERATED_KINDS = {"rendered", "exports"}


class UploadRefused(ValueError):
    """The file is not accepted; the message is for the user."""


def max_bytes(kind: str) -> int:
    return KINDS[kind].max_bytes


def sniff(data: bytes) -> str | None:
    """The MIME type the content says, of the types we know, or None."""
    for signature, mime in SIGNATURES:
        if data.startswith(signature):
            return mime
    return None


def check(data: bytes, kind: str) -> str:
    """The file's MIME type, or UploadRefused with the reason in Russian."""
    rules = KINDS[kind]
    if not data:
        raise UploadRefused("Файл пустой. Выберите другой файл.")
    if len(data) > rules.max_bytes:
        raise UploadRefused(
            f"Файл больше {rules.max_bytes // (1024 * 1024)} МБ. "
            "Уменьшите его, например отсканируйте с меньшим разрешением."
        )
    mime = sniff(data)
    if mime not in rules.types:
        raise UploadRefused(
            f"Загрузите файл в формате {allowed_label(kind)}. "
            "Формат определяется по содержимому файла, а не по его имени."
        )
    # The signature is a few bytes anyone can put in front of an HTML page or a script: the rest must parse too.
    readable = _pdf_readable(data) if mime == PDF else _image_readable(data, mime)
    if not readable:
        raise UploadRefused(
            f"Файл начинается как {TYPE_LABELS[mime]}, но не открывается: он повреждён или это файл другого типа. "
            "Сохраните или отсканируйте документ заново."
        )
    return mime


def _pdf_readable(data: bytes) -> bool:
    """pypdf finds the cross-reference table, the trailer and the document's page tree."""
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            return True  # the structure is read; the pages need the file's key
        # The root of the page tree, not every page: walking 40,000 empty pages in 5 MB takes seconds.
        return int(reader.root_object["/Pages"].get_object()["/Count"]) > 0
    except DependencyError:
        return True  # AES-encrypted: the structure is read, only checking the key needs a cipher library
    except Exception:  # pypdf raises a dozen kinds on a damaged file; each means "not a PDF"
        return False


def _image_readable(data: bytes, mime: str) -> bool:
    """Pillow reads the whole image without holding it at full size (a small PNG may declare gigapixels): a PNG by
    checking every chunk's checksum, pixel data included, a JPEG by decoding it at an eighth of its size."""
    try:
        with Image.open(io.BytesIO(data), formats=[PILLOW_FORMATS[mime]]) as image:
            if mime == PNG:
                image.verify()
            else:
                image.draft("RGB", (max(image.width // 8, 1), max(image.height // 8, 1)))
                image.load()
        return True
    except Exception:  # as above: Pillow's errors for a damaged image are of many kinds
        return False


def allowed_label(kind: str) -> str:
    """«PDF, JPG или PNG»."""
    labels = [TYPE_LABELS[t] for t in KINDS[kind].types]
    return labels[0] if len(labels) == 1 else ", ".join(labels[:-1]) + " или " + labels[-1]


def _known(kind: str) -> str:
    if kind not in KINDS and kind not in GENERATED_KINDS:
        raise ValueError(f"unknown upload kind {kind!r}")
    return kind


def save(data: bytes, kind: str) -> tuple[str, str]:
    """Checks and stores the file; returns its stored name and MIME type.

    Raises UploadRefused. Removed again unless the current transaction commits."""
    mime = check(data, kind)
    return _store(data, kind, EXTENSIONS[mime]), mime


def save_generated(data: bytes, kind: str, suffix: str) -> str:
    """Stores a file the service made (a rendered document); removed again unless the transaction commits."""
    if kind not in GENERATED_KINDS:
        raise ValueError(f"{kind!r} is not a kind of generated file")
    return _store(data, kind, suffix)


def write_generated(chunks: Iterable[bytes], kind: str, suffix: str) -> str:
    """Stores a large generated file piece by piece (an export of many rows), never holding it whole; removed
    again unless the transaction commits."""
    if kind not in GENERATED_KINDS:
        raise ValueError(f"{kind!r} is not a kind of generated file")
    return _store(chunks, kind, suffix)


def _store(data: bytes | Iterable[bytes], kind: str, suffix: str) -> str:
    store = storage.current()
    name = secrets.token_hex(16) + suffix
    on_rollback(partial(store.delete, _known(kind), name))  # the row naming it was never committed (or writing failed)
    store.write(kind, name, [data] if isinstance(data, bytes) else data)
    return name


def _ours(name: str | None) -> bool:
    """Only names this module makes: a tampered stored name never reaches the storage."""
    return bool(name) and NAME_PATTERN.fullmatch(name) is not None


def size(name: str | None, kind: str) -> int | None:
    """The stored file's size, or None if the name is not one of ours or the file is gone."""
    return storage.current().size(_known(kind), name) if _ours(name) else None


def read(name: str | None, kind: str) -> bytes | None:
    """The stored file's content, or None if the name is not one of ours or the file is gone."""
    return storage.current().read(_known(kind), name) if _ours(name) else None


def send(name: str | None, kind: str, **options) -> Response | None:
    """A response sending the stored file (options as flask.send_file's), or None if the name is not one of ours or
    the file is gone."""
    return storage.current().send(_known(kind), name, **options) if _ours(name) else None


def delete(name: str | None, kind: str) -> None:
    """Removes the stored file when the current transaction commits (a rollback keeps it)."""
    if _ours(name):
        after_commit(partial(storage.current().delete, _known(kind), name))


def display_name(filename: str | None) -> str:
    """The uploaded file's own name, without any folder the browser sent, for messages."""
    name = PurePosixPath((filename or "").replace("\\", "/")).name.strip()
    return name[:120] or "файл"
