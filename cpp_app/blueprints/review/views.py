"""Placeholder route while the review queue is written."""
from . import bp


@bp.get("/")
def queue():
    return "review"
