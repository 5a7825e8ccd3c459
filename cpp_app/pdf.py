"""PDF rendering: WeasyPrint behind a deny-by-default URL fetcher.

Every resource WeasyPrint asks for (stylesheets, fonts, images, SVG references,
`<a rel="attachment">` files) goes through `LocalAssetFetcher`, which serves only files
shipped in an allow-list of the app's static directories and small inline images.
Everything else raises `ResourceRefused`; WeasyPrint then skips the resource.

Templates address shipped files with the private scheme, independent of where the app
is installed: `cpp-static:fonts/DejaVuSans.ttf`, `cpp-static:pdf/logo.png`.
`file://` URLs are accepted only when they resolve inside the allow-list.

User text must still reach the HTML escaped (Jinja autoescape): the fetcher limits what
a tag could read, escaping keeps users from writing tags at all.
"""
import base64
import gc
import logging
import os
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import unquote, unquote_to_bytes, urlsplit
from urllib.request import url2pathname

from weasyprint import CSS, HTML, Document
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher, URLFetcherResponse

logger = logging.getLogger(__name__)

STATIC_DIR = Path(__file__).resolve().parent / "static"
ASSET_SCHEME = "cpp-static"
# Only these directories are readable, and nothing the app does not ship lives in them.
ALLOWED_DIRS = (STATIC_DIR / "fonts", STATIC_DIR / "pdf")
BASE_STYLESHEET = "pdf/base.css"

# The media type comes from our own file name, never from the file: an unknown extension is refused.
CONTENT_TYPES = {
    ".css": "text/css",
    ".ttf": "font/ttf",
    ".otf": "font/otf",
    ".woff": "font/woff",
    ".woff2": "font/woff2",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".svg": "image/svg+xml",
}

# data: URLs read nothing outside the document, so the only risks are size and what they
# are used as. Small inline images (a chart, a QR code, a logo) are allowed; inline
# stylesheets, fonts, HTML or attachments of other types are not.
DATA_URL_MAX_LENGTH = 64 * 1024
DATA_URL_TYPES = frozenset({"image/png", "image/jpeg", "image/gif", "image/svg+xml"})


class ResourceRefused(ValueError):
    """A resource the PDF may not load. The message names the reason, never the URL."""

    def __init__(self, scheme: str, reason: str):
        super().__init__(f"{scheme or 'no scheme'}: {reason}")
        self.scheme = scheme
        self.reason = reason


class LocalAssetFetcher(URLFetcher):
    """Serves allow-listed local files and small inline images; refuses everything else."""

    def __init__(self, allowed_dirs=ALLOWED_DIRS, static_dir: Path = STATIC_DIR):
        # No protocol is allowed to urllib: should anything reach the parent's fetch(), it refuses.
        super().__init__(allowed_protocols=(), allow_redirects=False, fail_on_errors=False)
        self._static_dir = Path(static_dir).resolve()
        self._roots = tuple(Path(directory).resolve() for directory in allowed_dirs)

    def fetch(self, url, headers=None):
        try:
            return self._serve(url)
        except ResourceRefused as refusal:
            # Scheme and reason only: a URL may carry anything, including personal data.
            logger.warning("PDF resource refused (%s): %s", refusal.scheme or "no scheme", refusal.reason)
            raise

    def _serve(self, url: str) -> URLFetcherResponse:
        scheme, colon, _ = url.partition(":")
        scheme = scheme.lower() if colon else ""
        if scheme == "data":
            return self._serve_data(url)
        if scheme == ASSET_SCHEME:
            parts = urlsplit(url)
            if parts.netloc:
                raise ResourceRefused(scheme, "host part in an asset URL")
            return self._serve_file(scheme, self._static_dir / unquote(parts.path).lstrip("/"), url)
        if scheme == "file":
            parts = urlsplit(url)
            if parts.netloc not in ("", "localhost"):
                raise ResourceRefused(scheme, "remote file URL")
            path = url2pathname(parts.path)
            if not os.path.isabs(path):
                raise ResourceRefused(scheme, "relative file path")
            return self._serve_file(scheme, Path(path), url)
        raise ResourceRefused(scheme, "scheme not allowed")

    def resolve(self, path: Path) -> Path | None:
        """The real path of an allowed file, or None: symlinks and `..` are resolved first."""
        if "\x00" in str(path):
            return None
        real = Path(os.path.realpath(path))
        if not any(real.is_relative_to(root) for root in self._roots):
            return None
        if real.suffix.lower() not in CONTENT_TYPES or not real.is_file():
            return None
        return real

    def _serve_file(self, scheme: str, path: Path, url: str) -> URLFetcherResponse:
        real = self.resolve(path)
        if real is None:
            raise ResourceRefused(scheme, "path outside the allowed directories or not a shipped file")
        content_type = CONTENT_TYPES[real.suffix.lower()]
        # The file URL as base, so that relative references inside shipped CSS/SVG resolve (and are checked).
        return URLFetcherResponse(real.as_uri(), real.read_bytes(), {"Content-Type": content_type})

    def _serve_data(self, url: str) -> URLFetcherResponse:
        if len(url) > DATA_URL_MAX_LENGTH:
            raise ResourceRefused("data", f"inline data over {DATA_URL_MAX_LENGTH} characters")
        header, comma, payload = url[len("data:"):].partition(",")
        if not comma:
            raise ResourceRefused("data", "malformed data URL")
        params = [part.strip().lower() for part in header.split(";")]
        media_type = params[0] or "text/plain"
        if media_type not in DATA_URL_TYPES:
            raise ResourceRefused("data", "inline data of a type other than an image")
        raw = unquote_to_bytes(payload)
        try:
            body = base64.b64decode(raw) if params[-1] == "base64" else raw
        except ValueError:
            raise ResourceRefused("data", "invalid base64") from None
        return URLFetcherResponse(url, body, {"Content-Type": media_type})


def asset_url(relative_path: str) -> str:
    """The private-scheme URL of a shipped asset, e.g. asset_url("pdf/base.css")."""
    return f"{ASSET_SCHEME}:{relative_path}"


def render_document(
    html: str,
    *,
    stylesheets: list[str] | None = None,
    base_url=None,
    url_fetcher: LocalAssetFetcher | None = None,
) -> Document:
    """Lay the HTML out into pages; `render_pdf` writes them. Tests inspect the pages.

    `stylesheets` are extra stylesheets shipped in static/pdf/, by name ("program.css"),
    applied after base.css (fonts, A4 page, footer, tables). Document-specific styles
    may also sit in a `<style>` element of the HTML. `base_url` resolves relative URLs;
    without one, shipped assets are addressed as `cpp-static:…`.
    """
    fetcher = url_fetcher or LocalAssetFetcher()
    # @font-face needs the same font configuration at parse and at layout time.
    font_config = FontConfiguration()
    # A stylesheet we ship that fails to load is a bug: CSS(url=…) raises rather than skips.
    sheets = [
        CSS(url=asset_url(path), url_fetcher=fetcher, font_config=font_config)
        for path in [BASE_STYLESHEET, *(f"pdf/{name}" for name in stylesheets or ())]
    ]
    return HTML(string=html, base_url=base_url, url_fetcher=fetcher).render(
        stylesheets=sheets, font_config=font_config
    )


@contextmanager
def cyclic_gc_paused():
    """WeasyPrint allocates hundreds of thousands of objects for a document, which sets off collections of the
    oldest generation, and each of those walks every object of the worker (the app, SQLAlchemy's registries):
    10–15 % of a 30-page program. Reference counting frees most of the rendering's garbage as it goes; the
    cycles left (a few tens of MB at most) are collected once the collector runs again."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def render_pdf(html: str, *, stylesheets: list[str] | None = None, base_url=None) -> bytes:
    """The PDF of a complete HTML document whose user-supplied text is already escaped."""
    with cyclic_gc_paused():
        # Tagged (a structure tree with headings, lists, tables in reading order) for screen readers; the
        # document's `lang` and its headings' bookmarks come from the HTML.
        return render_document(html, stylesheets=stylesheets, base_url=base_url).write_pdf(pdf_tags=True)
