"""Monitoring pages for the institute: region → municipality → organisation."""
from flask import abort, make_response, render_template, request, url_for

from ...domain import charts
from ...domain.monitoring import sort_columns, sorted_rows
from ...domain.workflow import school_year
from ...extensions import db
from ...kernel.clock import local_today
from ...models import ORGANIZATION_KIND_LABELS, DiagnosticStatus, Organization, Role
from ...queries import Page
from ...security import role_required
from ..school.services import staff_counts
from . import bp, figures, stats, targets

ROWS_PER_PAGE = 50
# The page shown until the first rebuild of the figures has finished reloads itself this often.
PREPARING_REFRESH_SECONDS = 10
MUNICIPALITY_EXTRA_COLUMNS = {
    "organizations": lambda f: f.organizations_total,
    "diagnostics": lambda f: f.diagnostics_submitted,
}
ORGANIZATION_EXTRA_COLUMNS = {
    "kind": lambda f: f.kind,
    "diagnostic": lambda f: f.diagnostic_status,
    "level": lambda f: f.level_code,
}
monitoring_roles = role_required(Role.METHODOLOGIST, Role.ADMIN)
# The wide tables show one platform at a time; the federal monitoring starts from Сферум.
DEFAULT_PLATFORM = "sferum"


def _common(year: str, as_of=None) -> dict:
    """What every monitoring page shows: thresholds, platforms, labels, the time its stored figures are of."""
    methodologies = stats.active_methodologies()
    return {
        "year": year, "thresholds": stats.thresholds(), "levels": stats.level_titles(methodologies),
        "kind_labels": {str(kind): label for kind, label in ORGANIZATION_KIND_LABELS.items()},
        "status_labels": {str(status): status.label for status in DiagnosticStatus},
        "figures_as_of": as_of,
        # «Моя школа» against the federal targets of the calendar year (the order's values are by year).
        "federal": targets.federal_targets(), "target_year": local_today().year,
    }


def preparing():
    """What a page of stored figures shows before the first rebuild (which as_of() has just asked for): a message
    that reloads itself, not an empty table that would pass for data."""
    response = make_response(render_template("monitoring/preparing.html", seconds=PREPARING_REFRESH_SECONDS))
    response.headers["Refresh"] = str(PREPARING_REFRESH_SECONDS)
    return response


def table_sorting(extra: dict, default_dir: str = "asc") -> tuple[dict, str, bool]:
    """The table's sort columns, and the column and direction ?sort= and ?dir= ask for (unknown ones: by name)."""
    columns = sort_columns([code for _, code, _ in stats.platform_list()], extra)
    sort = request.args.get("sort", "name")
    sort = sort if sort in columns else "name"
    descending = request.args.get("dir", default_dir) == "desc"
    return columns, sort, descending


def _chosen_platform(platforms: list[tuple[int, str, str]]) -> tuple[int, str, str] | None:
    """The platform the table shows: ?platform=<code>; an unknown code falls back to the default, never an error."""
    by_code = {platform[1]: platform for platform in platforms}
    return by_code.get(request.args.get("platform", "")) or by_code.get(DEFAULT_PLATFORM) or \
        (platforms[0] if platforms else None)


def _shown_codes(chosen: tuple[int, str, str] | None, sort: str) -> set[str]:
    """The platforms a wide table needs: the one it shows and the one it is sorted by."""
    code, dot, _ = sort.partition(".")
    shown = {chosen[1]} if chosen else set()
    return shown | {code} if dot else shown


def _platform_switch(endpoint: str, platforms, chosen, sort: str, descending: bool, **args) -> list[tuple]:
    """(name, url, is current) per platform; a sort by the shown platform's column moves to the same column of the
    next one, so switching keeps the order the user chose."""
    code, _, metric = sort.partition(".")
    links = []
    for _, platform_code, name in platforms:
        link_sort = f"{platform_code}.{metric}" if metric else sort
        url = url_for(endpoint, platform=platform_code, sort=link_sort, dir="desc" if descending else "asc", **args)
        links.append((name, url, chosen is not None and platform_code == chosen[1]))
    return links


def _platform_chart(figures) -> str:
    bars = [charts.Bar(p.name, p.organizations_with_active, p.organizations_total) for p in figures.platforms]
    return charts.bar_chart(
        bars, title="Организации с активными педагогами по платформам",
        description="Число организаций, где хотя бы один педагог активно использует платформу, из всех организаций; "
                    "те же числа — в таблице «Платформы».", chart_id="platforms-chart")


@bp.get("/")
@monitoring_roles
def overview():
    as_of = figures.as_of()
    region = stats.region_figures() if as_of else None
    if region is None:
        return preparing()
    return render_template("monitoring/overview.html", figures=region, deficits=stats.top_deficits(),
                           chart=_platform_chart(region), **_common(school_year(local_today()), as_of))


@bp.get("/municipalities")
@monitoring_roles
def municipalities():
    as_of = figures.as_of()
    if as_of is None:
        return preparing()
    columns, sort, descending = table_sorting(MUNICIPALITY_EXTRA_COLUMNS)
    platforms = stats.platform_list()
    chosen = _chosen_platform(platforms)
    rows = sorted_rows(stats.municipality_rows(_shown_codes(chosen, sort)), columns, sort, descending)
    page = _page(rows, request.args.get("page", 1, type=int))
    return render_template(
        "monitoring/municipalities.html", result=page, sort=sort, descending=descending, platform=chosen,
        platform_links=_platform_switch("monitoring.municipalities", platforms, chosen, sort, descending),
        **_common(school_year(local_today()), as_of))


@bp.get("/municipalities/<int:municipality_id>")
@monitoring_roles
def municipality(municipality_id: int):
    year = school_year(local_today())
    as_of = figures.as_of()
    if as_of is None:  # before the first rebuild no municipality has figures: not a 404
        return preparing()
    area = stats.municipality_figures(municipality_id) or abort(404)
    columns, sort, descending = table_sorting(ORGANIZATION_EXTRA_COLUMNS)
    platforms = stats.platform_list()
    chosen = _chosen_platform(platforms)
    rows = sorted_rows(stats.organization_rows(municipality_id, year, _shown_codes(chosen, sort)), columns, sort,
                       descending)
    page = _page(rows, request.args.get("page", 1, type=int))
    return render_template(
        "monitoring/municipality.html", figures=area, result=page, sort=sort, descending=descending,
        platform=chosen, platform_links=_platform_switch("monitoring.municipality", platforms, chosen, sort, descending,
                                                         municipality_id=municipality_id),
        **_common(year, as_of))


@bp.get("/organizations/<int:organization_id>")
@monitoring_roles
def organization(organization_id: int):
    year = school_year(local_today())
    found = db.session.get(Organization, organization_id) or abort(404)
    diagnostics = stats.organization_diagnostics(found.id)
    return render_template(
        "monitoring/organization.html", organization=found, counts=staff_counts(found.id), diagnostics=diagnostics,
        student_figure=stats.latest_student_figure(diagnostics), programs=stats.organization_programs(found.id),
        **_common(year))


def _page(rows: list, number: int) -> Page:
    """A page of an already computed list; a number past the end shows the last page."""
    pages = max(1, -(-len(rows) // ROWS_PER_PAGE))
    number = min(max(number, 1), pages)
    start = (number - 1) * ROWS_PER_PAGE
    return Page(items=rows[start:start + ROWS_PER_PAGE], total=len(rows), page=number, per_page=ROWS_PER_PAGE)
