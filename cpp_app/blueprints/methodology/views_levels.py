"""The page that explains the self-diagnostic's levels to everyone who sees one: the thresholds and the critical
indicators of a published school methodology version, read from the version itself."""
from flask import abort, render_template, request

from ...converters import parse_id
from ...models import Role
from ...security import role_required
from . import bp
from .description import describe
from .services_versions import SCHOOL, active_school_version, get_version, methodology_of, platform_names


@bp.get("/methodology/levels")
@role_required(Role.SCHOOL_ADMIN, Role.METHODOLOGIST, Role.ADMIN)
def levels():
    """?version=<id>: the version a shown level was computed with; without it, the one new diagnostics use."""
    version_id = request.args.get("version", type=parse_id)
    version = get_version(version_id) if version_id is not None else active_school_version()
    if version_id is not None and (version is None or version.subject != SCHOOL):
        abort(404)
    if version is None:
        return render_template("methodology/levels.html", version=None, view=None, critical=())
    view = describe(methodology_of(version), platform_names())
    critical = tuple(indicator for indicator in view.methodology.indicators if indicator.critical)
    return render_template("methodology/levels.html", version=version, view=view, critical=critical,
                           current=version.is_active)
