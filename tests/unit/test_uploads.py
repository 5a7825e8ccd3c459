"""Uploaded files are judged by their content (storing them: tests/integration/test_upload_storage.py)."""
import io

import pytest
from pypdf import PdfWriter

from cpp_app import uploads
from tests.security.uploads_common import sample_image, sample_pdf

PDF = sample_pdf()
JPEG = sample_image("JPEG")
PNG = sample_image("PNG")
EXE = b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 64
LIMIT = 5 * 1024 * 1024


@pytest.mark.parametrize(("data", "mime"), [(PDF, "application/pdf"), (JPEG, "image/jpeg"), (PNG, "image/png")])
def test_known_content_is_accepted_with_its_own_type(data, mime):
    assert uploads.check(data, "certificates") == mime


@pytest.mark.parametrize(
    "data",
    [
        EXE,
        b"<html><script>alert(1)</script></html>",
        b"GIF89a" + b"\x00" * 20,
        b" %PDF-1.7",  # the signature must start the file
        b"%PD",  # a truncated signature
        b"\xff\xd8",  # a truncated JPEG signature
        b"\x89PNG\r\n",  # a truncated PNG signature
        b"PK\x03\x04" + b"\x00" * 20,  # DOCX, ZIP
    ],
)
def test_other_content_is_refused_in_russian(data):
    with pytest.raises(uploads.UploadRefused, match="PDF, JPG или PNG"):
        uploads.check(data, "certificates")


def pdf_without_pages() -> bytes:
    buffer = io.BytesIO()
    PdfWriter().write(buffer)
    return buffer.getvalue()


SCRIPT = b"<html><body><script>fetch('/cabinet/profile').then(r => r.text()).then(alert)</script></body></html>"


@pytest.mark.parametrize(
    ("data", "label"),
    [
        (b"%PDF-1.7\n" + SCRIPT, "PDF"),
        (b"%PDF-1.4\n" + SCRIPT + b"\n%%EOF\n", "PDF"),
        (b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n", "PDF"),  # no xref
        (pdf_without_pages(), "PDF"),
        (b"\x89PNG\r\n\x1a\n" + SCRIPT, "PNG"),
        (b"\xff\xd8\xff\xe0" + SCRIPT, "JPG"),
        (PNG[:len(PNG) // 2], "PNG"),  # truncated
        (PNG[:40] + bytes([PNG[40] ^ 1]) + PNG[41:], "PNG"),  # one bit of the pixel data flipped: its checksum fails
        (JPEG[:len(JPEG) // 2], "JPG"),  # truncated
    ],
)
def test_content_behind_a_borrowed_signature_is_refused(data, label):
    with pytest.raises(uploads.UploadRefused, match=f"начинается как {label}, но не открывается"):
        uploads.check(data, "certificates")


@pytest.mark.parametrize("size", [(1, 1), (7, 9), (4960, 7016)])  # the last: an A4 page scanned at 600 dpi
@pytest.mark.parametrize(("format_name", "mime"), [("JPEG", "image/jpeg"), ("PNG", "image/png")])
def test_images_of_any_size_are_accepted(size, format_name, mime):
    assert uploads.check(sample_image(format_name, size), "certificates") == mime


def test_empty_file_is_refused():
    with pytest.raises(uploads.UploadRefused, match="пустой"):
        uploads.check(b"", "certificates")


def test_size_limit_is_five_megabytes():
    assert uploads.check(PDF + b"\x00" * (LIMIT - len(PDF)), "certificates") == "application/pdf"
    with pytest.raises(uploads.UploadRefused, match="5 МБ"):
        uploads.check(PDF + b"\x00" * (LIMIT - len(PDF) + 1), "certificates")


def test_unknown_kind_is_a_programming_error():
    with pytest.raises(KeyError):
        uploads.check(PDF, "avatars")
