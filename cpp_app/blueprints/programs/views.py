"""Placeholder route while the constructor is written."""
from . import bp


@bp.get("/")
def index():
    return "programs"
