from flask import jsonify, request

from ...extensions import limiter
from . import bp
from .lookup import find_organizations

QUERY_LIMIT = 100  # characters read from each parameter: no name is longer, and the search stays cheap


@bp.get("/search")
@limiter.limit("120/minute")
def search():
    """Suggestions for the workplace field; public, since registration needs it. Registry data only."""
    text = request.args.get("q", "")[:QUERY_LIMIT]
    if len(text.strip()) < 2:
        return jsonify([])
    found = find_organizations(text, request.args.get("settlement", "")[:QUERY_LIMIT])
    return jsonify([{"id": f.organization.id, "label": f.organization.label, "name": f.organization.full_name,
                     "municipality": f.organization.municipality.name} for f in found])
