"""Placeholder routes so that the cabinet tabs render while the feature is written."""
from . import bp


@bp.get("/profile.pdf")
def profile_pdf():
    return "pdf"
