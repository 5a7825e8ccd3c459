from flask import jsonify, request

from ...extensions import limiter
from . import bp
from .services import search_organizations


@bp.get("/search")
@limiter.limit("120/minute")
def search():
    """Suggestions for the workplace field; public, since registration needs it."""
    found = search_organizations(request.args.get("q", "")[:100])
    return jsonify([{"id": org.id, "label": org.label} for org in found])
