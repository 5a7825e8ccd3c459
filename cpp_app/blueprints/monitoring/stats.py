"""Monitoring figures: the areas' (region, municipalities) and deficits as stored by the last rebuild (figures.py),
the rows of one municipality's organisations from grouped queries. A fixed number of queries whatever the number of
municipalities, organisations or teachers; Python only merges grouped rows into plain figures."""
from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass, field

from sqlalchemy import and_, case, func, literal, select, true

from ...domain.methodology import Methodology
from ...domain.monitoring import (
    KINDS_OUTSIDE_ORGANIZATION_SHARE,
    SUBMITTED_STATUSES,
    AreaFigures,
    OrganizationFigures,
    PlatformFigures,
    StudentFigures,
    Thresholds,
    sum_areas,
)
from ...domain.program import progress
from ...extensions import db
from ...kernel.request_cache import once_per_request
from ...models import (
    DevelopmentProgram,
    Diagnostic,
    DiagnosticAnswer,
    MethodologyVersion,
    MonitoringAreaFigures,
    MonitoringAreaPlatformFigures,
    MonitoringDeficitFigures,
    MonitoringThreshold,
    Municipality,
    Organization,
    OrganizationKind,
    OrganizationPlatformFigures,
    OrganizationStaffFigures,
    Platform,
    ProgramAction,
)
from ..methodology.services_versions import SCHOOL, methodology_of

REGION_NAME = "Красноярский край"


# ------------------------------------------------------------------------------------------- reference data


@once_per_request
def thresholds() -> Thresholds:
    rule = MonitoringThreshold
    return Thresholds.from_rows(db.session.execute(
        select(rule.platform_code, rule.measure, rule.organization_kind, rule.below_max, rule.good_min, rule.source)
    ).all())


@once_per_request
def platform_list() -> list[tuple[int, str, str]]:
    """(id, code, name) of every platform in display order."""
    return [tuple(row) for row in db.session.execute(
        select(Platform.id, Platform.code, Platform.name).order_by(Platform.sort_order, Platform.id)
    )]


@once_per_request
def active_methodologies() -> dict[str, Methodology]:
    versions = db.session.scalars(
        select(MethodologyVersion)
        .where(MethodologyVersion.is_active, MethodologyVersion.subject == SCHOOL)
        .order_by(MethodologyVersion.version)
    )
    return {version.code: methodology_of(version) for version in versions}


def level_titles(methodologies: dict[str, Methodology]) -> dict[str, str]:
    return {t.code: t.title for methodology in methodologies.values() for t in methodology.thresholds}


# ------------------------------------------------------------------------------------------ grouped queries


@dataclass
class _Grouped:
    """The grouped rows of one area key (a municipality id or an organisation id)."""

    by_kind: dict
    teachers: tuple[int, int, int]  # teachers, confirmed, preschool teachers
    # platform id → (orgs active, registered, active, orgs active confirmed, active confirmed, preschool active)
    platforms: dict
    statuses: dict
    levels: dict
    students: StudentFigures = field(default_factory=StudentFigures)


_PRESCHOOL = Organization.kind == OrganizationKind.PRESCHOOL
# The organisations the organisation share counts (the seed leaves out those of additional education).
_IN_ORGANIZATION_SHARE = Organization.kind.not_in(KINDS_OUTSIDE_ORGANIZATION_SHARE)


def _grouped(key, condition, school_year: str) -> dict[int, _Grouped]:
    """Five grouped queries keyed by `key` (a column of Organization) over the active organisations where
    `condition` holds, the fifth for the schools' Сферум student figures."""
    area = and_(Organization.is_active, condition)
    groups: dict[int, _Grouped] = defaultdict(lambda: _Grouped({}, (0, 0, 0), {}, {}, {}))

    for value, kind, count in db.session.execute(
        select(key, Organization.kind, func.count(Organization.id)).where(area).group_by(key, Organization.kind)
    ):
        groups[value].by_kind[str(kind)] = count

    # Teachers and accounts come pre-aggregated per organisation (see figures.py).
    staff = OrganizationStaffFigures
    for value, teachers, confirmed, preschool in db.session.execute(
        select(key, func.sum(staff.teachers), func.sum(staff.confirmed),
               func.sum(case((_PRESCHOOL, staff.teachers), else_=0)))
        .join(Organization, Organization.id == staff.organization_id).where(area).group_by(key)
    ):
        groups[value].teachers = (int(teachers), int(confirmed), int(preschool))

    figures = OrganizationPlatformFigures
    for value, platform_id, *counts in db.session.execute(
        select(
            key, figures.platform_id,
            func.count(case((and_(figures.active > 0, _IN_ORGANIZATION_SHARE), 1))),
            func.sum(figures.registered),
            func.sum(figures.active),
            func.count(case((and_(figures.active_confirmed > 0, _IN_ORGANIZATION_SHARE), 1))),
            func.sum(figures.active_confirmed),
            func.sum(case((_PRESCHOOL, figures.active), else_=0)),
        )
        .join(Organization, Organization.id == figures.organization_id)
        .where(area).group_by(key, figures.platform_id)
    ):
        groups[value].platforms[platform_id] = tuple(int(count) for count in counts)

    for value, status, level_code, count in db.session.execute(
        select(key, Diagnostic.status, Diagnostic.level_code, func.count(Diagnostic.id))
        .join(Organization, Organization.id == Diagnostic.organization_id)
        .where(area, Diagnostic.school_year == school_year)
        .group_by(key, Diagnostic.status, Diagnostic.level_code)
    ):
        group = groups[value]
        group.statuses[str(status)] = group.statuses.get(str(status), 0) + count
        if level_code and str(status) in SUBMITTED_STATUSES:
            group.levels[level_code] = group.levels.get(level_code, 0) + count

    for value, schools, count, registered, earliest, latest in db.session.execute(
        select(key, func.count(Diagnostic.id), func.sum(Diagnostic.student_count), func.sum(Diagnostic.sferum_students),
               func.min(Diagnostic.sferum_students_on), func.max(Diagnostic.sferum_students_on))
        .join(Organization, Organization.id == Diagnostic.organization_id)
        .where(area, Diagnostic.id.in_(_latest_student_figures())).group_by(key)
    ):
        groups[value].students = StudentFigures(schools, int(count), int(registered), earliest, latest)
    return groups


def _latest_student_figures():
    """Each organisation's latest diagnostic that states both its student count and its students on Сферум."""
    return (select(func.max(Diagnostic.id))
            .where(Diagnostic.sferum_students.is_not(None), Diagnostic.student_count > 0)
            .group_by(Diagnostic.organization_id))


def _platform_figures(group: _Grouped, platforms, organizations_total: int,
                      split_preschool: bool = True) -> tuple[PlatformFigures, ...]:
    """One organisation's row is judged by its kind's band, so only areas count their preschool teachers apart."""
    teachers, _, preschool = group.teachers
    figures = []
    for platform_id, code, name in platforms:
        orgs_active, registered, active, orgs_confirmed, active_confirmed, preschool_active = \
            group.platforms.get(platform_id, (0,) * 6)
        figures.append(PlatformFigures(
            code, name, organizations_total, orgs_active, teachers, registered, active, orgs_confirmed,
            active_confirmed, preschool if split_preschool else 0, preschool_active if split_preschool else 0))
    return tuple(figures)


def _area(name: str, municipality_id: int | None, group: _Grouped, platforms) -> AreaFigures:
    in_share = sum(count for kind, count in group.by_kind.items() if kind not in KINDS_OUTSIDE_ORGANIZATION_SHARE)
    return AreaFigures(
        name=name, municipality_id=municipality_id, organizations_by_kind=dict(group.by_kind),
        organizations_total=sum(group.by_kind.values()), teachers_registered=group.teachers[0],
        teachers_confirmed=group.teachers[1], platforms=_platform_figures(group, platforms, in_share),
        diagnostics_by_status=dict(group.statuses), levels=dict(group.levels), students=group.students,
        teachers_preschool=group.teachers[2],
    )


# ------------------------------------------------------------------------------------------------ the areas


def computed_municipality_rows(school_year: str) -> list[AreaFigures]:
    """One row per municipality (also those without organisations), by name, grouped from the per-organisation
    figures: what the rebuild stores. Seven queries in all."""
    platforms = platform_list()
    groups = _grouped(Organization.municipality_id, true(), school_year)
    municipalities = db.session.execute(select(Municipality.id, Municipality.name).order_by(Municipality.name))
    return [_area(name, municipality_id, groups[municipality_id], platforms) for municipality_id, name in municipalities]


def sum_municipalities(rows: list[AreaFigures]) -> AreaFigures:
    """The region as the sum of its municipalities: every organisation belongs to exactly one."""
    return sum_areas(REGION_NAME, rows, [(code, name) for _, code, name in platform_list()])


def _only(platforms, codes: Collection[str] | None):
    """The platforms a page shows: building every platform's figures of 1,600 municipalities costs more than
    reading them."""
    return platforms if codes is None else [platform for platform in platforms if platform[1] in codes]


def _stored(condition, codes: Collection[str] | None = None) -> list[AreaFigures]:
    """The stored figures of the municipalities where `condition` holds (a municipality added since the last
    rebuild shows zeros), by name, with the platforms of `codes` (all by default): three queries."""
    platforms = _only(platform_list(), codes)
    area = MonitoringAreaFigures
    rows = db.session.execute(
        select(Municipality.id, Municipality.name, *_stored_columns())
        .outerjoin(area, area.municipality_id == Municipality.id).where(condition).order_by(Municipality.name)
    ).all()
    return _stored_areas(rows, platforms, select(Municipality.id).where(condition))


def _stored_columns():
    area = MonitoringAreaFigures
    return (area.id, area.organizations_by_kind, area.teachers, area.confirmed, area.preschool_teachers,
            area.diagnostics_by_status, area.levels, area.student_schools, area.students, area.sferum_students,
            area.sferum_students_earliest, area.sferum_students_latest)


def _stored_areas(rows, platforms, municipality_ids) -> list[AreaFigures]:
    counts: dict[int, dict] = defaultdict(dict)
    figures = MonitoringAreaPlatformFigures
    for area_id, platform_id, *values in db.session.execute(
        select(figures.area_id, figures.platform_id, figures.organizations_active, figures.registered, figures.active,
               figures.organizations_active_confirmed, figures.active_confirmed, figures.preschool_active)
        .join(MonitoringAreaFigures, MonitoringAreaFigures.id == figures.area_id)
        .where(MonitoringAreaFigures.municipality_id.in_(municipality_ids)
               if municipality_ids is not None else MonitoringAreaFigures.municipality_id.is_(None),
               figures.platform_id.in_([platform_id for platform_id, _, _ in platforms]))
    ):
        counts[area_id][platform_id] = tuple(values)
    areas = []
    for municipality_id, name, area_id, by_kind, teachers, confirmed, preschool, statuses, levels, *students in rows:
        group = _Grouped(dict(by_kind or {}), (teachers or 0, confirmed or 0, preschool or 0), counts.get(area_id, {}),
                         dict(statuses or {}), dict(levels or {}),
                         StudentFigures(*students) if area_id is not None else StudentFigures())
        areas.append(_area(name, municipality_id, group, platforms))
    return areas


def municipality_rows(codes: Collection[str] | None = None) -> list[AreaFigures]:
    """Every municipality's stored figures, by name, with the platforms of `codes` (all by default)."""
    return _stored(true(), codes)


def region_figures() -> AreaFigures | None:
    """The region's stored figures; None before the first rebuild."""
    area = MonitoringAreaFigures
    rows = db.session.execute(
        select(area.municipality_id, literal(REGION_NAME), *_stored_columns()).where(area.municipality_id.is_(None))
    ).all()
    return _stored_areas(rows, platform_list(), None)[0] if rows else None


def municipality_figures(municipality_id: int) -> AreaFigures | None:
    """The municipality's stored figures; None for an unknown municipality."""
    found = _stored(Municipality.id == municipality_id)
    return found[0] if found else None


def organization_rows(municipality_id: int, school_year: str,
                      codes: Collection[str] | None = None) -> list[OrganizationFigures]:
    """Every active organisation of the municipality with its staff, diagnostic and platform figures (those of
    `codes`, all by default), by name."""
    platforms = _only(platform_list(), codes)
    in_municipality = and_(Organization.municipality_id == municipality_id, Organization.is_active)
    # The stored figures are per organisation already: read as they are, nothing to group.
    staff, figures = OrganizationStaffFigures, OrganizationPlatformFigures
    organizations = db.session.execute(
        select(Organization.id, Organization.short_name, Organization.kind, func.coalesce(staff.teachers, 0),
               func.coalesce(staff.confirmed, 0))
        .outerjoin(staff, staff.organization_id == Organization.id)
        .where(in_municipality).order_by(Organization.short_name, Organization.id)
    ).all()
    accounts: dict[int, dict[int, tuple]] = defaultdict(dict)
    for organization_id, platform_id, registered, active, active_confirmed in db.session.execute(
        select(figures.organization_id, figures.platform_id, figures.registered, figures.active,
               figures.active_confirmed)
        .join(Organization, Organization.id == figures.organization_id).where(in_municipality)
    ):
        accounts[organization_id][platform_id] = (registered, active, active_confirmed)
    diagnostics = {
        organization_id: (diagnostic_id, str(status), level_code)
        for organization_id, diagnostic_id, status, level_code in db.session.execute(
            select(Diagnostic.organization_id, Diagnostic.id, Diagnostic.status, Diagnostic.level_code)
            .join(Organization, Organization.id == Diagnostic.organization_id)
            .where(in_municipality, Diagnostic.school_year == school_year)
            .order_by(Diagnostic.id)  # the latest of several methodologies wins
        )
    }
    rows = []
    for organization_id, name, kind, teachers, confirmed in organizations:
        in_share = kind not in KINDS_OUTSIDE_ORGANIZATION_SHARE
        group = _Grouped({}, (teachers, confirmed, 0), {
            platform_id: (int(in_share and active > 0), registered, active, int(in_share and active_confirmed > 0),
                          active_confirmed, 0)
            for platform_id, (registered, active, active_confirmed) in accounts[organization_id].items()
        }, {}, {})
        rows.append(OrganizationFigures(
            id=organization_id, name=name, kind=str(kind), teachers_registered=teachers, teachers_confirmed=confirmed,
            platforms=_platform_figures(group, platforms, int(in_share), split_preschool=False),
            **dict(zip(("diagnostic_id", "diagnostic_status", "level_code"),
                       diagnostics.get(organization_id, (None, None, None)), strict=True)),
        ))
    return rows


# ---------------------------------------------------------------------------------------------- deficits


@dataclass(frozen=True)
class DeficitCount:
    code: str
    title: str
    organizations: int  # diagnostics (one per organisation and methodology) scoring it below its maximum
    diagnostics: int  # submitted and accepted diagnostics of the year with that methodology

    @property
    def share(self) -> float | None:
        return self.organizations / self.diagnostics if self.diagnostics else None


def computed_deficits(school_year: str) -> list[dict]:
    """Per indicator of an active methodology, the year's submitted and accepted diagnostics scoring it below its
    maximum (and all of them of that methodology): what the rebuild stores. The answers are counted by score in
    SQL, the maxima (a few dozen indicators) come from the active methodology versions."""
    submitted = and_(Diagnostic.school_year == school_year, Diagnostic.status.in_(SUBMITTED_STATUSES))
    rows = db.session.execute(
        select(MethodologyVersion.code, DiagnosticAnswer.indicator_code, DiagnosticAnswer.score,
               func.count(DiagnosticAnswer.id))
        .join(Diagnostic, Diagnostic.id == DiagnosticAnswer.diagnostic_id)
        .join(MethodologyVersion, MethodologyVersion.id == Diagnostic.methodology_id)
        .where(submitted, DiagnosticAnswer.score.is_not(None))
        .group_by(MethodologyVersion.code, DiagnosticAnswer.indicator_code, DiagnosticAnswer.score)
    ).all()
    totals = dict(db.session.execute(
        select(MethodologyVersion.code, func.count(Diagnostic.id))
        .join(MethodologyVersion, MethodologyVersion.id == Diagnostic.methodology_id)
        .where(submitted).group_by(MethodologyVersion.code)
    ).all())
    methodologies = active_methodologies()
    counts: dict[tuple[str, str], int] = defaultdict(int)
    for methodology_code, indicator_code, score, count in rows:
        methodology = methodologies.get(methodology_code)
        indicator = methodology.indicator(indicator_code) if methodology else None
        if indicator is not None and score < indicator.max_score:
            counts[methodology_code, indicator_code] += count
    return [{"methodology_code": methodology_code, "indicator_code": code, "organizations": count,
             "diagnostics": totals.get(methodology_code, 0)}
            for (methodology_code, code), count in counts.items()]


def top_deficits(limit: int = 10) -> list[DeficitCount]:
    """The indicators most often below their maximum, as of the last rebuild; one query (and the methodologies,
    for the indicators' titles)."""
    methodologies = active_methodologies()
    deficits = []
    for methodology_code, code, organizations, diagnostics in db.session.execute(
        select(MonitoringDeficitFigures.methodology_code, MonitoringDeficitFigures.indicator_code,
               MonitoringDeficitFigures.organizations, MonitoringDeficitFigures.diagnostics)
        .order_by(MonitoringDeficitFigures.organizations.desc(), MonitoringDeficitFigures.indicator_code)
    ):
        methodology = methodologies.get(methodology_code)
        indicator = methodology.indicator(code) if methodology else None
        if indicator is not None:  # a methodology retired since the rebuild is left out
            deficits.append(DeficitCount(code, indicator.label, organizations, diagnostics))
        if len(deficits) == limit:
            break
    return deficits


# ------------------------------------------------------------------------------------------ one organisation


@dataclass(frozen=True)
class ProgramProgress:
    id: int
    status: str
    period: str
    planned: int
    in_progress: int
    done: int
    done_share: float


def organization_diagnostics(organization_id: int) -> list[Diagnostic]:
    return list(db.session.scalars(
        select(Diagnostic).where(Diagnostic.organization_id == organization_id)
        .order_by(Diagnostic.school_year.desc(), Diagnostic.id.desc())
    ))


def latest_student_figure(diagnostics: list[Diagnostic]) -> Diagnostic | None:
    """The diagnostic whose Сферум student figure the organisation's card shows: the latest stating it and a
    student count, as the rebuild's sums take it."""
    return max((d for d in diagnostics if d.sferum_students is not None and d.student_count),
               key=lambda d: d.id, default=None)


def organization_programs(organization_id: int) -> list[ProgramProgress]:
    """The organisation's programs with their road-map progress: one query, the actions counted by status."""
    program = DevelopmentProgram
    programs: dict[int, tuple] = {}
    statuses: dict[int, list[str]] = defaultdict(list)
    for program_id, status, start, end, action_status, count in db.session.execute(
        select(program.id, program.status, program.period_start, program.period_end, ProgramAction.status,
               func.count(ProgramAction.id))
        .outerjoin(ProgramAction, ProgramAction.program_id == program.id)
        .where(program.organization_id == organization_id)
        .group_by(program.id, program.status, program.period_start, program.period_end, ProgramAction.status)
        .order_by(program.id.desc())
    ):
        programs[program_id] = (program_id, status, start, end)
        if action_status is not None:
            statuses[program_id].extend([str(action_status)] * count)
    return [
        ProgramProgress(program_id, str(status), f"{start}–{end}", *progress(statuses[program_id]))
        for program_id, status, start, end in programs.values()
    ]
