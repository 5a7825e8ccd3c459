"""The monitoring tables as downloads (XLSX and CSV): the same grouped queries as the pages, every platform at once,
rows in the order the page's ?sort= and ?dir= show them."""
from flask import abort

from ...domain.monitoring import ORGANIZATIONS, TEACHERS, sorted_rows, sum_areas
from ...domain.workflow import school_year
from ...exports import FORMATS, Column, export_response
from ...extensions import db
from ...kernel.clock import local_today
from ...models import DIAGNOSTIC_STATUS_LABELS, ORGANIZATION_KIND_LABELS, Municipality, OrganizationKind
from . import bp, stats
from .views import MUNICIPALITY_EXTRA_COLUMNS, ORGANIZATION_EXTRA_COLUMNS, monitoring_roles, table_sorting

NO_DATA = "нет данных"
NO_THRESHOLD = "порог не задан"
PRESCHOOL = str(OrganizationKind.PRESCHOOL)


def _format_or_404(fmt: str) -> str:
    if fmt not in FORMATS:
        abort(404)
    return fmt


def _file_year(year: str) -> str:
    return year.replace("/", "-")  # a slash cannot be in a file name


def _band(threshold, value) -> str:
    if threshold is None:
        return NO_THRESHOLD
    band = threshold.band(value)
    return band.label if band else NO_DATA


# --- the platforms table of the region or of one municipality ------------------------------


PLATFORM_COLUMNS = [
    Column("Платформа"),
    Column("Организации, где хотя бы один педагог активен", "int"),
    Column("Организаций всего", "int"),
    Column("Доля организаций", "percent"),
    Column("Уровень: организации"),
    Column("Педагоги зарегистрированы", "int"),
    Column("Педагогов всего", "int"),
    Column("Доля зарегистрированных", "percent"),
    Column("Уровень: зарегистрированы"),
    Column("Педагоги активны (кроме дошкольных ОО)", "int"),
    Column("Доля активных (кроме дошкольных ОО)", "percent"),
    Column("Уровень: активны (кроме дошкольных ОО)"),
    Column("Педагоги дошкольных ОО", "int"),
    Column("Педагоги дошкольных ОО активны", "int"),
    Column("Доля активных педагогов дошкольных ОО", "percent"),
    Column("Уровень: педагоги дошкольных ОО"),
]


def _platforms_response(figures, fmt: str, year: str):
    thresholds = stats.thresholds()
    rows = [
        [p.name, p.organizations_with_active, p.organizations_total, p.organizations_share,
         _band(thresholds.of(p.code, ORGANIZATIONS), p.organizations_share), p.teachers_registered, p.teachers_total,
         p.registered_share, NO_THRESHOLD, p.teachers_active - p.preschool_teachers_active, p.other_active_share,
         _band(thresholds.of(p.code, TEACHERS), p.other_active_share), p.preschool_teachers_total,
         p.preschool_teachers_active, p.preschool_active_share,
         _band(thresholds.of(p.code, TEACHERS, PRESCHOOL), p.preschool_active_share)]
        for p in figures.platforms
    ]
    return export_response(f"Платформы {figures.name} {_file_year(year)}", fmt, PLATFORM_COLUMNS, rows)


@bp.get("/platforms.<fmt>")
@monitoring_roles
def export_region_platforms(fmt: str):
    _format_or_404(fmt)
    year = school_year(local_today())
    return _platforms_response(stats.region_figures() or abort(404), fmt, year)


@bp.get("/municipalities/<int:municipality_id>/platforms.<fmt>")
@monitoring_roles
def export_municipality_platforms(municipality_id: int, fmt: str):
    _format_or_404(fmt)
    year = school_year(local_today())
    figures = stats.municipality_figures(municipality_id) or abort(404)
    return _platforms_response(figures, fmt, year)


# --- the overview's deficits ----------------------------------------------------------------


DEFICIT_COLUMNS = [
    Column("№", "int"),
    Column("Показатель"),
    Column("Организаций с дефицитом", "int"),
    Column("Самодиагностик подано и принято", "int"),
    Column("Доля организаций с дефицитом", "percent"),
]


@bp.get("/deficits.<fmt>")
@monitoring_roles
def export_deficits(fmt: str):
    _format_or_404(fmt)
    year = school_year(local_today())
    rows = [[number, d.title, d.organizations, d.diagnostics, d.share]
            for number, d in enumerate(stats.top_deficits(), start=1)]
    return export_response(f"Дефициты {_file_year(year)}", fmt, DEFICIT_COLUMNS, rows)


# --- the municipalities and a municipality's organisations -----------------------------------


def _platform_columns(platforms, with_organizations: bool) -> list[Column]:
    columns = []
    for _, _, name in platforms:
        if with_organizations:
            columns += [Column(f"{name}: ОО, где педагоги активны", "int"), Column(f"{name}: доля ОО", "percent")]
        columns += [
            Column(f"{name}: педагоги зарегистрированы", "int"),
            Column(f"{name}: доля зарегистрированных", "percent"),
            Column(f"{name}: педагоги активны", "int"),
            Column(f"{name}: доля активных", "percent"),
        ]
    return columns


def _platform_values(figures, platforms, with_organizations: bool) -> list:
    values = []
    for _, code, _ in platforms:
        p = figures.platform(code)
        if with_organizations:
            values += [p.organizations_with_active, p.organizations_share] if p else [None] * 2
        values += [p.teachers_registered, p.registered_share, p.teachers_active, p.active_share] if p else [None] * 4
    return values


@bp.get("/municipalities.<fmt>")
@monitoring_roles
def export_municipalities(fmt: str):
    _format_or_404(fmt)
    year = school_year(local_today())
    platforms = stats.platform_list()
    columns, sort, descending = table_sorting(MUNICIPALITY_EXTRA_COLUMNS)
    rows = sorted_rows(stats.municipality_rows(), columns, sort, descending)
    # The region's total is the sum of the rows: summed here, not queried again.
    figures = [*rows, sum_areas(stats.REGION_NAME, rows, [(code, name) for _, code, name in platforms])]
    header = [
        Column("Муниципалитет"),
        Column("ОО всего", "int"),
        Column("Педагогов в ЦПП", "int"),
        Column("Подтверждено ОО", "int"),
        Column("Самодиагностик подано", "int"),
        Column("Самодиагностик принято", "int"),
        *_platform_columns(platforms, with_organizations=True),
    ]
    values = [
        [f.name if f.municipality_id else "Край, всего", f.organizations_total, f.teachers_registered,
         f.teachers_confirmed, f.diagnostics_submitted, f.diagnostics_by_status.get("accepted", 0),
         *_platform_values(f, platforms, with_organizations=True)]
        for f in figures
    ]
    return export_response(f"Муниципалитеты {_file_year(year)}", fmt, header, values)


@bp.get("/municipalities/<int:municipality_id>/organizations.<fmt>")
@monitoring_roles
def export_organizations(municipality_id: int, fmt: str):
    _format_or_404(fmt)
    municipality = db.session.get(Municipality, municipality_id) or abort(404)
    year = school_year(local_today())
    platforms = stats.platform_list()
    levels = stats.level_titles(stats.active_methodologies())
    columns, sort, descending = table_sorting(ORGANIZATION_EXTRA_COLUMNS)
    rows = sorted_rows(stats.organization_rows(municipality_id, year), columns, sort, descending)
    header = [
        Column("Организация"),
        Column("Тип ОО"),
        Column("Педагогов в ЦПП", "int"),
        Column("Подтверждено ОО", "int"),
        Column("Самодиагностика"),
        Column("Уровень"),
        *_platform_columns(platforms, with_organizations=False),
    ]
    values = [
        [f.name, ORGANIZATION_KIND_LABELS.get(f.kind, f.kind), f.teachers_registered, f.teachers_confirmed,
         DIAGNOSTIC_STATUS_LABELS.get(f.diagnostic_status, "нет") if f.diagnostic_status else "нет",
         levels.get(f.level_code, f.level_code) if f.level_code else "—",
         *_platform_values(f, platforms, with_organizations=False)]
        for f in rows
    ]
    return export_response(f"ОО {municipality.name} {_file_year(year)}", fmt, header, values)

