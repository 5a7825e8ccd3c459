"""Placeholder module while the PDF and DOCX downloads are written."""
from . import bp  # noqa: F401
