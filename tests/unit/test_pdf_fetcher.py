"""The PDF URL fetcher serves the shipped fonts and stylesheets and nothing else."""
import base64
import logging
import os

import pytest
from weasyprint.urls import URLFetchingError

from cpp_app import pdf
from cpp_app.pdf import (
    DATA_URL_MAX_LENGTH,
    STATIC_DIR,
    LocalAssetFetcher,
    ResourceRefused,
    render_document,
)
from tests.factories import pdf_page_texts

FONT = STATIC_DIR / "fonts" / "DejaVuSans.ttf"
BASE_CSS = STATIC_DIR / "pdf" / "base.css"
# A 1×1 transparent PNG.
PIXEL = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII="
)


@pytest.fixture
def fetcher():
    return LocalAssetFetcher()


class SpyFetcher(LocalAssetFetcher):
    """Records every URL WeasyPrint asks for, and whether it was served."""

    def __init__(self):
        super().__init__()
        self.asked: list[str] = []
        self.served: list[str] = []

    def fetch(self, url, headers=None):
        self.asked.append(url)
        response = super().fetch(url, headers)
        self.served.append(url)
        return response


def read(response) -> bytes:
    try:
        return response.read()
    finally:
        response.close()


def test_shipped_font_and_stylesheet_are_served(fetcher):
    font = fetcher.fetch("cpp-static:fonts/DejaVuSans.ttf")
    assert font.content_type == "font/ttf"
    assert read(font) == FONT.read_bytes()
    css = fetcher.fetch("cpp-static:pdf/base.css")
    assert css.content_type == "text/css"
    assert b"@font-face" in read(css)
    # The same files by absolute file URL, and by the scheme with a leading slash.
    assert read(fetcher.fetch(FONT.as_uri())) == FONT.read_bytes()
    assert read(fetcher.fetch("cpp-static:/fonts/DejaVuSans-Bold.ttf"))[:4] == b"\x00\x01\x00\x00"


def test_licence_and_every_shipped_font_exist():
    fonts = STATIC_DIR / "fonts"
    assert (fonts / "LICENSE-DejaVu.txt").read_text(encoding="utf-8").count("Bitstream") > 0
    for name in ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf"):
        assert (fonts / name).read_bytes()[:4] == b"\x00\x01\x00\x00", name


@pytest.mark.parametrize(
    "url",
    [
        "http://example.com/font.ttf",
        "https://example.com/style.css",
        "HTTPS://example.com/style.css",
        "ftp://example.com/x.png",
        "//example.com/x.png",
        "file:///etc/passwd",
        "file://localhost/etc/passwd",
        "file://example.com/etc/passwd",
        "FILE:///etc/passwd",
        "file:etc/passwd",
        f"file://{STATIC_DIR / 'fonts'}/../../../../../../etc/passwd",
        f"file://{STATIC_DIR / 'fonts'}/%2e%2e/%2e%2e/%2e%2e/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
        f"file://{STATIC_DIR / 'fonts'}/DejaVuSans.ttf%00.css",
        # Inside the static directory, but not in an allowed one.
        (STATIC_DIR / "css" / "main.css").as_uri(),
        f"file://{STATIC_DIR / 'pdf'}/../css/main.css",
        "cpp-static:css/main.css",
        "cpp-static:../../etc/passwd",
        "cpp-static:fonts/../../../../../../../etc/passwd",
        "cpp-static:fonts/%2e%2e/%2e%2e/%2e%2e/%2e%2e/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
        "cpp-static://fonts/DejaVuSans.ttf",
        "cpp-static:fonts/",
        "cpp-static:fonts/missing.ttf",
        "data:text/html,<p>x</p>",
        "data:text/css,body{}",
        "data:,plain",
        "data:font/ttf;base64,AAEAAA==",
        "data:image/png;base64",
        "javascript:alert(1)",
        "about:blank",
        "jar:file:///etc/passwd!/x",
        "/etc/passwd",
        "etc/passwd",
    ],
)
def test_everything_else_is_refused(fetcher, url):
    with pytest.raises(ResourceRefused):
        fetcher.fetch(url)


def test_symlink_out_of_an_allowed_directory_is_refused(tmp_path):
    allowed = tmp_path / "static" / "pdf"
    allowed.mkdir(parents=True)
    secret = tmp_path / "secret.css"
    secret.write_text("body { color: red }")
    (allowed / "link.css").symlink_to(secret)
    (allowed / "own.css").write_text("p {}")
    (allowed / "notes.txt").write_text("not a kind of file we ship")
    fetcher = LocalAssetFetcher(allowed_dirs=[allowed], static_dir=tmp_path / "static")

    assert read(fetcher.fetch("cpp-static:pdf/own.css")) == b"p {}"
    assert read(fetcher.fetch((allowed / "own.css").as_uri())) == b"p {}"
    for url in ("cpp-static:pdf/link.css", (allowed / "link.css").as_uri(), "cpp-static:pdf/notes.txt"):
        with pytest.raises(ResourceRefused):
            fetcher.fetch(url)


def test_an_allowed_directory_that_is_itself_a_symlink_still_confines(tmp_path):
    real = tmp_path / "real"
    real.mkdir()
    (real / "a.css").write_text("a {}")
    link = tmp_path / "static" / "pdf"
    link.parent.mkdir()
    os.symlink(real, link)
    fetcher = LocalAssetFetcher(allowed_dirs=[link], static_dir=tmp_path / "static")
    assert read(fetcher.fetch("cpp-static:pdf/a.css")) == b"a {}"
    with pytest.raises(ResourceRefused):
        fetcher.fetch("cpp-static:pdf/../../../etc/passwd")


def test_small_inline_images_are_served_large_ones_refused(fetcher):
    small = "data:image/png;base64," + base64.b64encode(PIXEL).decode()
    response = fetcher.fetch(small)
    assert response.content_type == "image/png" and read(response) == PIXEL
    assert read(fetcher.fetch("data:image/svg+xml,%3Csvg%2F%3E")) == b"<svg/>"
    large = "data:image/png;base64," + "A" * DATA_URL_MAX_LENGTH
    with pytest.raises(ResourceRefused):
        fetcher.fetch(large)


def test_refusal_is_logged_without_the_url(fetcher, caplog):
    with caplog.at_level(logging.WARNING, logger="cpp_app.pdf"), pytest.raises(ResourceRefused) as refused:
        fetcher.fetch("https://example.com/petrova-anna-ivanovna.png")
    assert "petrova" not in str(refused.value)
    messages = [record.getMessage() for record in caplog.records if record.name == "cpp_app.pdf"]
    assert messages and all("petrova" not in message and "example.com" not in message for message in messages)
    assert "https" in messages[0]


HOSTILE_HTML = """<!doctype html>
<html lang="ru"><head><meta charset="utf-8"><title>Проверка</title>
<link rel="stylesheet" href="https://example.com/remote.css">
<link rel="stylesheet" href="file:///etc/passwd">
<style>
  @import url("https://example.com/imported.css");
  @font-face { font-family: Remote; src: url("https://example.com/remote.ttf"), local("DejaVu Sans"); }
  p { background: url("file:///etc/passwd"); }
</style></head>
<body>
  <div class="page-footer">Нижний колонтитул</div>
  <h1>Заголовок</h1>
  <p style="font-family: Remote">Текст</p>
  <img src="file:///etc/passwd"><img src="http://169.254.169.254/latest/meta-data/">
  <img src="data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg' xmlns:xlink='http://www.w3.org/1999/xlink'
    width='10' height='10'%3E%3Cimage xlink:href='file:///etc/passwd' width='10' height='10'/%3E%3C/svg%3E">
  <object data="file:///etc/passwd"></object>
  <embed src="file:///etc/passwd">
  <a rel="attachment" href="file:///etc/passwd">вложение</a>
</body></html>"""


def test_hostile_document_renders_without_reading_anything_outside(caplog):
    spy = SpyFetcher()
    with caplog.at_level(logging.WARNING):
        document = render_document(HOSTILE_HTML, url_fetcher=spy)
        pdf_bytes = document.write_pdf()
    assert pdf_bytes.startswith(b"%PDF-")
    assert b"/EmbeddedFile" not in pdf_bytes
    assert "file:///etc/passwd" in spy.asked  # asked, and …
    assert all(url.startswith(("cpp-static:fonts/", "cpp-static:pdf/", "data:")) for url in spy.served)  # … refused
    # The bundled fonts are what the text is set in; base.css, footer and page numbers apply.
    assert {"cpp-static:fonts/DejaVuSans.ttf", "cpp-static:fonts/DejaVuSans-Bold.ttf"} <= set(spy.served)
    assert document.metadata.title == "Проверка"
    first_page = pdf_page_texts(pdf_bytes)[0]
    assert "стр. 1 из 1" in first_page and "Нижний колонтитул" in first_page


def test_an_allowed_attachment_is_embedded(tmp_path):
    # The control for the check above: the /EmbeddedFile marker is visible in the bytes when a file is embedded.
    document = render_document('<a rel="attachment" href="cpp-static:pdf/base.css">стили</a>')
    assert b"/EmbeddedFile" in document.write_pdf()


def test_extra_stylesheets_are_shipped_files_by_name():
    with pytest.raises(URLFetchingError):
        render_document("<p>x</p>", stylesheets=["../../../../etc/passwd"])
    document = render_document("<h1>Один</h1><h2>Два</h2>", stylesheets=["base.css"])
    assert [entry[0] for entry in document.make_bookmark_tree()] == ["Один"]
    assert document.make_bookmark_tree()[0][2][0][0] == "Два"


def test_render_pdf_returns_pdf_bytes():
    pdf_bytes = pdf.render_pdf('<html lang="ru"><head><title>Т</title></head><body><h1>Раздел</h1></body></html>')
    assert pdf_bytes.startswith(b"%PDF-") and pdf_bytes.rstrip().endswith(b"%%EOF")


def test_same_html_gives_the_same_bytes():
    # Bundled fonts and no timestamps: a PDF can be compared with the one printed before.
    html = '<html lang="ru"><head><title>Т</title></head><body><h1>Привет, <b>мир</b></h1></body></html>'
    assert pdf.render_pdf(html) == pdf.render_pdf(html)


def test_the_cyclic_collector_is_paused_only_while_a_pdf_renders(monkeypatch):
    import gc

    seen = []
    original = pdf.render_document

    def render_document(*args, **kwargs):
        seen.append(gc.isenabled())
        return original(*args, **kwargs)

    monkeypatch.setattr(pdf, "render_document", render_document)
    assert gc.isenabled()
    assert pdf.render_pdf('<html lang="ru"><body><p>Текст</p></body></html>').startswith(b"%PDF-")
    assert seen == [False] and gc.isenabled()

    monkeypatch.setattr(pdf, "render_document", lambda *args, **kwargs: 1 / 0)
    with pytest.raises(ZeroDivisionError):
        pdf.render_pdf("<p>x</p>")
    assert gc.isenabled()
    gc.disable()
    try:
        with pdf.cyclic_gc_paused():
            pass
        assert not gc.isenabled(), "a collector someone else paused stays paused"
    finally:
        gc.enable()
