"""Monitoring pages for the institute: region → municipality → organisation."""
from flask import abort, render_template, request

from ...domain import charts
from ...domain.monitoring import sort_columns, sorted_rows
from ...domain.workflow import school_year
from ...extensions import db
from ...kernel.clock import local_today
from ...models import ORGANIZATION_KIND_LABELS, DiagnosticStatus, Organization, Role
from ...queries import Page
from ...security import role_required
from ..school.services import staff_counts
from . import bp, stats
from .figures import refreshed_at

ORGANIZATIONS_PER_PAGE = 50
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


def _common(year: str) -> dict:
    """What every monitoring page shows: thresholds, platforms, labels."""
    methodologies = stats.active_methodologies()
    return {
        "year": year, "thresholds": stats.thresholds(), "levels": stats.level_titles(methodologies),
        "kind_labels": {str(kind): label for kind, label in ORGANIZATION_KIND_LABELS.items()},
        "status_labels": {str(status): status.label for status in DiagnosticStatus},
        "figures_as_of": refreshed_at(),
    }


def _sorting(extra: dict, default_dir: str = "asc") -> tuple[dict, str, bool]:
    columns = sort_columns([code for _, code, _ in stats.platform_list()], extra)
    sort = request.args.get("sort", "name")
    sort = sort if sort in columns else "name"
    descending = request.args.get("dir", default_dir) == "desc"
    return columns, sort, descending


def _platform_chart(figures) -> str:
    bars = [charts.Bar(p.name, p.organizations_with_active, p.organizations_total) for p in figures.platforms]
    return charts.bar_chart(
        bars, title="Организации с активными педагогами по платформам",
        description="Число организаций, где хотя бы один педагог активно использует платформу, из всех организаций; "
                    "те же числа — в таблице «Платформы».", chart_id="platforms-chart")


@bp.get("/")
@monitoring_roles
def overview():
    year = school_year(local_today())
    figures = stats.region_figures(year)
    return render_template("monitoring/overview.html", figures=figures, deficits=stats.top_deficits(year),
                           chart=_platform_chart(figures), **_common(year))


@bp.get("/municipalities")
@monitoring_roles
def municipalities():
    year = school_year(local_today())
    columns, sort, descending = _sorting(MUNICIPALITY_EXTRA_COLUMNS)
    rows = sorted_rows(stats.municipality_rows(year), columns, sort, descending)
    platforms = stats.platform_list()
    return render_template("monitoring/municipalities.html", rows=rows, sort=sort, descending=descending,
                           platforms=platforms, **_common(year))


@bp.get("/municipalities/<int:municipality_id>")
@monitoring_roles
def municipality(municipality_id: int):
    year = school_year(local_today())
    figures = stats.municipality_figures(municipality_id, year) or abort(404)
    columns, sort, descending = _sorting(ORGANIZATION_EXTRA_COLUMNS)
    rows = sorted_rows(stats.organization_rows(municipality_id, year), columns, sort, descending)
    page = _page(rows, request.args.get("page", 1, type=int))
    return render_template("monitoring/municipality.html", figures=figures, result=page, sort=sort,
                           descending=descending, platforms=stats.platform_list(), **_common(year))


@bp.get("/organizations/<int:organization_id>")
@monitoring_roles
def organization(organization_id: int):
    year = school_year(local_today())
    found = db.session.get(Organization, organization_id) or abort(404)
    return render_template(
        "monitoring/organization.html", organization=found, counts=staff_counts(found.id),
        diagnostics=stats.organization_diagnostics(found.id), programs=stats.organization_programs(found.id),
        **_common(year))


def _page(rows: list, number: int) -> Page:
    """A page of an already computed list; a number past the end shows the last page."""
    pages = max(1, -(-len(rows) // ORGANIZATIONS_PER_PAGE))
    number = min(max(number, 1), pages)
    start = (number - 1) * ORGANIZATIONS_PER_PAGE
    return Page(items=rows[start:start + ORGANIZATIONS_PER_PAGE], total=len(rows), page=number,
                per_page=ORGANIZATIONS_PER_PAGE)
