"""Placeholder routes so that the cabinet tabs render while the feature is written."""
from . import bp


@bp.get("/courses")
def courses():
    return "courses"
