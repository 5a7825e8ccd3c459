"""Placeholder route while the questionnaire is written."""
from . import bp


@bp.get("/")
def index():
    return "diagnostics"
