"""The result page of a diagnostic: who may see it, its figures, the comparison with the municipality and
the region, and its chart."""
from dataclasses import dataclass

from markupsafe import Markup
from sqlalchemy import case, distinct, func, select
from sqlalchemy.orm import selectinload

from ...domain.charts import Bar, bar_chart
from ...domain.methodology import Methodology
from ...domain.scoring import Deficit, Result, next_level_plan, plan_sentence
from ...extensions import db
from ...kernel.plural import points_word
from ...models import Diagnostic, DiagnosticEvent, DiagnosticStatus, Organization, Role
from ..methodology.services_versions import methodology_of
from .services import answers_by_code, result_of

# An average of fewer organisations would let a school work out its neighbours' figures.
MIN_GROUP = 5
COMPARED_STATUSES = (DiagnosticStatus.SUBMITTED, DiagnosticStatus.ACCEPTED)
REVIEWER_ROLES = (Role.METHODOLOGIST, Role.ADMIN)


def visible_diagnostic(diagnostic_id: int, role: Role, organization_id: int | None) -> Diagnostic | None:
    """The diagnostic if this user may see its result: the school its own in any status, reviewers any but a
    draft. None otherwise, which the view turns into a 404."""
    query = select(Diagnostic).where(Diagnostic.id == diagnostic_id).options(
        selectinload(Diagnostic.answers),
        selectinload(Diagnostic.events).selectinload(DiagnosticEvent.actor),
        selectinload(Diagnostic.organization).selectinload(Organization.municipality),
        selectinload(Diagnostic.methodology),
    )
    if role == Role.SCHOOL_ADMIN and organization_id is not None:
        query = query.where(Diagnostic.organization_id == organization_id)
    elif role in REVIEWER_ROLES:
        query = query.where(Diagnostic.status != DiagnosticStatus.DRAFT)
    else:
        return None
    return db.session.scalar(query)


def _number(value: float) -> str:
    return f"{value:.1f}".replace(".", ",").removesuffix(",0")


def _percent(share: float) -> str:
    return f"{round(share * 100)}\u00a0%"


@dataclass(frozen=True)
class IndicatorRow:
    code: str
    label: str
    score: int
    max_score: int
    text: str  # the text of the level reached
    critical: bool
    answered: bool
    reviewer_comment: str | None


@dataclass(frozen=True)
class SectionBlock:
    code: str
    title: str
    points: int
    max_points: int
    counts_towards_level: bool
    all_or_nothing: bool
    rows: tuple[IndicatorRow, ...]


@dataclass(frozen=True)
class CheckResult:
    """An all-or-nothing section such as the ЭИОС check: present only when every component is."""

    title: str
    points: int
    max_points: int
    missing: tuple[str, ...]

    @property
    def present(self) -> bool:
        return not self.missing

    @property
    def text(self) -> str:
        if self.present:
            return f"Имеется — {self.points} {points_word(self.points)}"
        return f"Не имеется — 0 баллов, нет: {', '.join(self.missing)}"


@dataclass(frozen=True)
class Average:
    title: str
    organizations: int
    average: float | None  # None: too few organisations to show one
    maximum: int

    @property
    def text(self) -> str:
        if self.average is None:
            return f"недостаточно данных (меньше {MIN_GROUP} организаций)"
        if not self.maximum:
            return _number(self.average)
        return f"{_number(self.average)} из {self.maximum} ({_percent(self.average / self.maximum)})"


@dataclass(frozen=True)
class ResultPage:
    diagnostic: Diagnostic
    result: Result
    sections: tuple[SectionBlock, ...]
    failed_critical: tuple[str, ...]  # labels
    deficits: tuple[Deficit, ...]
    plan: str | None  # None at the top level
    checks: tuple[CheckResult, ...]
    averages: tuple[Average, ...]
    chart: Markup

    @property
    def preliminary(self) -> bool:
        """Drafts and returned diagnostics can still change: their figures are computed, not final."""
        return self.diagnostic.status in (DiagnosticStatus.DRAFT, DiagnosticStatus.RETURNED)

    @property
    def total_text(self) -> str:
        return f"{self.result.total} из {self.result.maximum} ({_percent(self.result.share)})"

    @property
    def cap_text(self) -> str | None:
        if not self.result.capped:
            return None
        many = len(self.failed_critical) > 1
        names = ", ".join(f"«{label}»" for label in self.failed_critical)
        return (
            f"ограничен: {'критические показатели' if many else 'критический показатель'} {names} — 0 баллов; "
            f"по сумме баллов был бы «{self.result.level_by_share.title}»"
        )


def _sections(methodology: Methodology, result: Result, diagnostic: Diagnostic) -> tuple[SectionBlock, ...]:
    answers = answers_by_code(diagnostic)
    blocks = []
    for section in methodology.sections:
        rows = []
        for indicator in section.indicators:
            scored = result.indicator(indicator.code)
            answer = answers.get(indicator.code)
            rows.append(
                IndicatorRow(
                    indicator.code, indicator.label, scored.score, scored.max_score, scored.text, indicator.critical,
                    scored.answered, answer.reviewer_comment if answer is not None else None,
                )
            )
        points = result.section(section.code)
        blocks.append(
            SectionBlock(section.code, section.title, points.points, points.max_points, section.counts_towards_level,
                         section.scoring == "all_or_nothing", tuple(rows))
        )
    return tuple(blocks)


def _checks(sections: tuple[SectionBlock, ...]) -> tuple[CheckResult, ...]:
    return tuple(
        CheckResult(block.title, block.points, block.max_points,
                    tuple(row.label for row in block.rows if row.score != row.max_score))
        for block in sections
        if block.all_or_nothing
    )


def averages(diagnostic: Diagnostic, maximum: int) -> tuple[Average, Average]:
    """Average cached totals of submitted and accepted diagnostics of the same methodology version and school
    year, in the diagnostic's municipality and in the whole region: one aggregate query."""
    municipality = diagnostic.organization.municipality
    local = Organization.municipality_id == municipality.id
    local_count, local_average, region_count, region_average = db.session.execute(
        select(
            func.count(distinct(case((local, Diagnostic.organization_id)))),
            func.avg(case((local, Diagnostic.total_points))),
            func.count(distinct(Diagnostic.organization_id)),
            func.avg(Diagnostic.total_points),
        )
        .join(Organization, Organization.id == Diagnostic.organization_id)
        .where(
            Diagnostic.methodology_id == diagnostic.methodology_id,
            Diagnostic.school_year == diagnostic.school_year,
            Diagnostic.status.in_(COMPARED_STATUSES),
            Diagnostic.total_points.is_not(None),
        )
    ).one()

    def average(title: str, count: int, value) -> Average:
        # PostgreSQL's avg() of integers is a Decimal, SQLite's a float.
        shown = float(value) if count >= MIN_GROUP and value is not None else None
        return Average(title, count, shown, maximum)

    return (
        average(municipality.name, local_count, local_average),
        average("Красноярский край", region_count, region_average),
    )


def chart_for(sections: tuple[SectionBlock, ...], diagnostic_id: int) -> Markup:
    """Bars for the indicators that count towards the level; an all-or-nothing check has its own line."""
    rows = [row for block in sections if block.counts_towards_level and not block.all_or_nothing for row in block.rows]
    bars = [Bar(row.label, row.score, row.max_score) for row in rows]
    description = "; ".join(f"{row.label}: {row.score} из {row.max_score}" for row in rows)
    svg = bar_chart(bars, title="Баллы по показателям", description=description or "Нет показателей",
                    chart_id=f"result-chart-{diagnostic_id}")
    return Markup(svg)  # nosec B704 # built from escaped text only, see domain/charts.py


def result_page(diagnostic: Diagnostic) -> ResultPage:
    methodology = methodology_of(diagnostic)
    result = result_of(diagnostic)
    scores = {item.code: (item.score if item.answered else None) for item in result.indicators}
    plan = next_level_plan(methodology, scores)
    sections = _sections(methodology, result, diagnostic)
    return ResultPage(
        diagnostic=diagnostic,
        result=result,
        sections=sections,
        failed_critical=tuple(methodology.indicator(code).label for code in result.failed_critical),
        deficits=result.deficits,
        plan=plan_sentence(plan) if plan is not None else None,
        checks=_checks(sections),
        averages=averages(diagnostic, result.maximum),
        chart=chart_for(sections, diagnostic.id),
    )
