"""Placeholder routes so that the cabinet tabs render while the feature is written."""
from . import bp


@bp.get("/")
def overview():
    return "overview"


@bp.get("/profile")
def profile():
    return "profile"


@bp.get("/platforms")
def platforms():
    return "platforms"
