"""Inactive organisations (and their download), and the trends drawn from stored month-end figures."""
from flask import abort, render_template, request

from ...converters import parse_id
from ...domain.charts import TargetLine, trend_chart
from ...domain.federal_targets import FederalTargets, YearTarget
from ...domain.workflow import school_year
from ...exports import FORMATS, Column, export_response
from ...extensions import db
from ...kernel.clock import local_today
from ...models import Municipality, OrganizationKind, Role
from ...security import role_required
from . import bp, figures, targets
from .inactive import (
    NO_ACTIVE,
    NO_CONFIRMED,
    REASON_CHOICES,
    REASONS,
    InactiveFilters,
    inactive_page,
    inactive_rows,
    municipalities,
    organizations_count,
    platforms,
)
from .snapshots import TREND_METRICS, trend_series
from .views import preparing

STAFF = (Role.METHODOLOGIST, Role.ADMIN)
PER_PAGE = 50

INACTIVE_COLUMNS = [
    Column("Краткое название"),
    Column("Полное название"),
    Column("Тип ОО"),
    Column("Муниципалитет"),
    Column("ИНН"),
    Column("Учителей в ЦПП", "int"),
    Column("Подтверждено", "int"),
    Column("Причина"),
]


def _filters(platform_list) -> tuple[InactiveFilters, dict[str, str]]:
    """Filters from the query string; an unknown value is ignored, not an error page. Also returns the link args."""
    args = request.args
    reason = args.get("reason") if args.get("reason") in REASONS else NO_CONFIRMED
    by_code = {p.code: p for p in platform_list}
    platform = by_code.get(args.get("platform", "")) or (platform_list[0] if platform_list else None)
    if reason == NO_ACTIVE and platform is None:
        reason = NO_CONFIRMED
    municipality_id = args.get("municipality", type=parse_id)
    if municipality_id is not None and db.session.get(Municipality, municipality_id) is None:
        municipality_id = None
    kind = args.get("kind") if args.get("kind") in {k.value for k in OrganizationKind} else None
    filters = InactiveFilters(
        reason=reason,
        school_year=school_year(local_today()),
        platform=platform if reason == NO_ACTIVE else None,
        municipality_id=municipality_id,
        kind=OrganizationKind(kind) if kind else None,
    )
    link_args = {"reason": reason}
    if reason == NO_ACTIVE:
        link_args["platform"] = platform.code
    if municipality_id is not None:
        link_args["municipality"] = str(municipality_id)
    if kind:
        link_args["kind"] = kind
    return filters, link_args


@bp.get("/inactive")
@role_required(*STAFF)
def inactive():
    as_of = figures.as_of()
    if as_of is None:
        return preparing()
    platform_list = platforms()
    filters, link_args = _filters(platform_list)
    fmt = request.args.get("format")
    if fmt is not None:
        if fmt not in FORMATS:
            abort(404)
        reason = filters.reason_text
        rows = (
            [r.organization.short_name, r.organization.full_name, r.organization.kind.label, r.municipality_name,
             r.organization.inn, r.teachers, r.confirmed, reason]
            for r in inactive_rows(filters)
        )
        return export_response("Неактивные ОО", fmt, INACTIVE_COLUMNS, rows)
    result = inactive_page(filters, request.args.get("page", 1, type=int), PER_PAGE)
    return render_template(
        "monitoring/inactive.html",
        filters=filters,
        link_args=link_args,
        result=result,
        covered=organizations_count(filters),
        reasons=REASON_CHOICES,
        platforms=platform_list,
        municipalities=municipalities(),
        kinds=list(OrganizationKind),
        filtered=any(request.args.get(name) for name in ("reason", "platform", "municipality", "kind")),
        figures_as_of=as_of,
    )


# --- trends ---------------------------------------------------------------------------------


@bp.get("/trends")
@role_required(*STAFF)
def trends():
    municipality_id = request.args.get("municipality", type=parse_id)
    municipality = db.session.get(Municipality, municipality_id) if municipality_id is not None else None
    if municipality_id is not None and municipality is None:
        abort(404)
    series = trend_series("municipality" if municipality else "region", municipality.id if municipality else None)
    federal, year = targets.federal_targets(), local_today().year
    charts = []
    for number, (metric, title, points) in enumerate(series):
        if not points:
            continue
        target = _trend_target(federal, metric, year)
        line = TargetLine(target.value * 100, target.label) if target else None
        charts.append((metric, title, points, trend_chart(points, title, chart_id=f"trend-{number}", target=line),
                       target))
    return render_template(
        "monitoring/trends.html",
        municipality=municipality,
        municipalities=municipalities(),
        charts=charts,
        metric_count=len(TREND_METRICS),
        federal=federal,
    )


def _trend_target(federal: FederalTargets, metric: str, year: int) -> YearTarget | None:
    """The federal target of the year for a trend of the targets' platform («moya_shkola.active_share»), else None."""
    platform, _, measure = metric.partition(".")
    if platform != federal.platform or measure not in targets.TREND_METRICS:
        return None
    return federal.for_year(targets.TREND_METRICS[measure], year)
