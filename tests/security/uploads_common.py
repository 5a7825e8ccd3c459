"""The upload endpoints and how to post to them, shared by the upload, traversal and rate-limit probes."""
import io
import zipfile
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from openpyxl import Workbook
from PIL import Image
from pypdf import PdfWriter
from pypdf.actions import Action

from cpp_app.kernel.clock import local_today
from tests.security.world import World, csrf_token

SEEDED_METHODOLOGY = Path(__file__).resolve().parents[2] / "seeds" / "methodology" / "cos-2025.yaml"
REGISTER_CSV = "ФИО;Email;Должность\nИванова Мария Петровна;ivanova@school.example;учитель\n".encode()
MB = 1024 * 1024


def sample_pdf(*, open_action: Action | None = None) -> bytes:
    """A real one-page PDF, as pypdf writes it: certificates are parsed, not only sniffed."""
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    if open_action is not None:
        writer.add_open_action(open_action)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def sample_image(format_name: str, size: tuple[int, int] = (40, 30)) -> bytes:
    """A real small image (PNG or JPEG), as Pillow writes it."""
    buffer = io.BytesIO()
    Image.new("RGB", size, (30, 90, 160)).save(buffer, format_name)
    return buffer.getvalue()


CERTIFICATE_PDF = sample_pdf()


@dataclass(frozen=True)
class Upload:
    user: str  # the World attribute of who may upload here
    path: object  # World → the URL
    field: str  # the file field's name
    good: tuple[bytes, str]  # an acceptable file and its name
    file_limit: int  # bytes; more is refused by the view with a message
    form: dict = field(default_factory=dict)
    form_page: object = None  # World → the page with the form, when it is not `path`

    def page(self, world: World) -> str:
        return (self.form_page or self.path)(world)


def external_course_form() -> dict:
    return {"title": "Цифровая дидактика", "provider": "Академия Минпросвещения", "hours": "72",
            "completed_on": (local_today() - timedelta(days=30)).isoformat(), "certificate_number": "77-1"}


# Every form with a file field, by the endpoint it posts to (test_uploads checks that none is missing).
UPLOADS = {
    "cabinet.course_external_new": Upload("teacher_a", lambda w: "/cabinet/courses/external/new", "certificate",
                                          (CERTIFICATE_PDF, "certificate.pdf"), 5 * MB, external_course_form()),
    "cabinet.course_external_edit": Upload("teacher_a", lambda w: f"/cabinet/courses/{w.record_a.id}/edit",
                                           "certificate", (CERTIFICATE_PDF, "certificate.pdf"), 5 * MB,
                                           external_course_form()),
    "school.import_staff": Upload("director_a", lambda w: "/school/staff/import", "file", (REGISTER_CSV, "register.csv"),
                                  5 * MB),
    "admin.methodology_preview": Upload("methodologist", lambda w: "/admin/methodologies/preview", "file",
                                        (SEEDED_METHODOLOGY.read_bytes(), "methodology.yaml"), 1 * MB,
                                        form_page=lambda w: "/admin/methodologies/upload"),
}


def post_file(client, world: World, upload: Upload, content: bytes, filename: str, content_type="application/octet-stream"):
    data = {**upload.form, "csrf_token": csrf_token(client), upload.field: (io.BytesIO(content), filename, content_type)}
    return client.post(upload.path(world), data=data, content_type="multipart/form-data")


def files_under(directory: Path) -> set[str]:
    return {str(path.relative_to(directory)) for path in directory.rglob("*") if path.is_file()}


def xlsx_with_sheet(sheet_xml: bytes) -> bytes:
    """A real workbook whose first sheet's XML is replaced: how a hostile file says what it likes."""
    book = Workbook()
    book.active["A1"] = "ФИО"
    buffer = io.BytesIO()
    book.save(buffer)
    source = zipfile.ZipFile(io.BytesIO(buffer.getvalue()))
    result = io.BytesIO()
    with zipfile.ZipFile(result, "w", zipfile.ZIP_DEFLATED) as archive:
        for item in source.infolist():
            content = sheet_xml if item.filename == "xl/worksheets/sheet1.xml" else source.read(item.filename)
            archive.writestr(item, content, compress_type=zipfile.ZIP_DEFLATED)
    return result.getvalue()


SHEET = b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
# A few kilobytes that declare a million rows of 16,384 columns: read naively, gigabytes of empty cells.
HUGE_DIMENSIONS = SHEET + (
    b'<dimension ref="A1:XFD1048576"/><sheetData>'
    b'<row r="1"><c r="A1" t="inlineStr"><is><t>x</t></is></c></row>'
    b'<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>y</t></is></c></row></sheetData></worksheet>'
)
