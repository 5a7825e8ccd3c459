"""Shared test helpers: reading responses and PDFs, signing in, and factories for the objects most tests need.

Factories add their rows through the session of the `database` fixture and commit, so a request made
afterwards by the test client sees them. Users made here have consented to the current document and,
as the model defaults, a confirmed e-mail address.
"""
import io

from pypdf import PdfReader

# ------------------------------------------------------------------------------------------ reading


def pdf_page_texts(data: bytes) -> list[str]:
    """The text of each page of a PDF, as a reader extracts it."""
    return [page.extract_text() for page in PdfReader(io.BytesIO(data)).pages]
