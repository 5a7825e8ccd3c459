"""«Цифровая готовность педагогов» for a school admin: who of the school's staff has completed the self-assessment
(in the running campaign, or else in the last 12 months), who has not started (names only, for a reminder), the
school's level distribution per area when at least five have answered, the routes teachers chose to share, and the
weakest areas copied into the draft development program as staff deficits.

Nothing personal beyond names and the shared routes: no one's answers or levels are shown. Every figure is one
grouped query, so the page costs the same for 10 teachers or 3,000."""
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from fractions import Fraction

from sqlalchemy import and_, case, func, or_, select

from ... import audit
from ...domain.methodology import exact_share
from ...domain.readiness import mean_text
from ...domain.research import MIN_GROUP, Share, share
from ...domain.workflow import TransitionRefused
from ...extensions import db
from ...kernel.actor import Actor
from ...models import (
    AssessmentCampaign,
    DevelopmentProgram,
    ProgramStatus,
    SelfAssessment,
    SelfAssessmentArea,
    SelfAssessmentStatus,
    User,
    utcnow,
)
from ..campaigns.services import current_campaign_of_organization
from ..methodology.services_versions import methodology_of
from ..programs.services import SECTION_LIMIT
from ..selfassessment.services import active_instrument

WINDOW_DAYS = 365
NAMES_SHOWN = 500  # a school of thousands still gets a page that opens; the count says how many more
WEAKEST = 3
SUBMITTED = SelfAssessmentStatus.SUBMITTED.value


@dataclass(frozen=True)
class Period:
    campaign: AssessmentCampaign | None
    since: datetime  # UTC, naive, as stored

    @property
    def label(self) -> str:
        if self.campaign is not None:
            return f"кампания «{self.campaign.title}»"
        return "последние 12 месяцев"


@dataclass(frozen=True)
class Level:
    title: str
    count: Share


@dataclass(frozen=True)
class AreaFigures:
    code: str
    title: str
    respondents: int
    levels: list[Level]  # lowest first; every count suppressed below MIN_GROUP respondents
    mean_score: float | None  # None when suppressed
    mean_level: str | None

    @property
    def suppressed(self) -> bool:
        return self.respondents < MIN_GROUP


@dataclass(frozen=True)
class Readiness:
    period: Period
    staff: int
    completed: int
    in_progress: int
    not_started: int
    not_started_names: list[str]
    areas: list[AreaFigures]
    respondents: int

    @property
    def weakest(self) -> list[AreaFigures]:
        """The areas with the lowest mean score among those shown (five respondents or more)."""
        shown = [area for area in self.areas if not area.suppressed]
        return sorted(shown, key=lambda area: area.mean_score)[:WEAKEST]


def period_of(organization_id: int, today: date) -> Period:
    campaign = current_campaign_of_organization(organization_id, today)
    since = datetime.combine(today - timedelta(days=WINDOW_DAYS), datetime.min.time())
    return Period(campaign, since)


def _in_period(period: Period):
    """Over self-assessments: those that count for the period."""
    if period.campaign is not None:
        return SelfAssessment.campaign_id == period.campaign.id
    return or_(SelfAssessment.submitted_at >= period.since,
               and_(SelfAssessment.status != SUBMITTED, SelfAssessment.updated_at >= period.since))


def _staff(organization_id: int):
    """Over users: the school's confirmed, active staff."""
    return and_(User.organization_id == organization_id, User.confirmed_at.is_not(None), User.blocked_at.is_(None),
                User.anonymized_at.is_(None))


def _states(organization_id: int, period: Period):
    """Per member of staff: 2 — submitted in the period, 1 — began, 0 — nothing."""
    state = func.max(case((SelfAssessment.id.is_(None), 0), (SelfAssessment.status == SUBMITTED, 2), else_=1))
    return (
        select(User.id.label("user_id"), state.label("state"))
        .outerjoin(SelfAssessment, and_(SelfAssessment.user_id == User.id, _in_period(period)))
        .where(_staff(organization_id))
        .group_by(User.id)
        .subquery()
    )


def _respondents(organization_id: int, period: Period):
    """The latest submitted assessment of each person made at this school in the period."""
    return (
        select(func.max(SelfAssessment.id).label("assessment_id"))
        .where(SelfAssessment.organization_id == organization_id, SelfAssessment.status == SUBMITTED,
               _in_period(period))
        .group_by(SelfAssessment.user_id)
        .subquery()
    )


def _instrument(period: Period):
    version = period.campaign.methodology if period.campaign is not None else active_instrument()
    return methodology_of(version) if version is not None else None


def readiness(organization_id: int, today: date) -> Readiness:
    period = period_of(organization_id, today)
    states = _states(organization_id, period)
    counts = dict(db.session.execute(select(states.c.state, func.count()).group_by(states.c.state)).tuples().all())
    names = list(db.session.execute(
        select(User.last_name, User.first_name, User.middle_name)
        .join(states, states.c.user_id == User.id).where(states.c.state == 0)
        .order_by(User.last_name, User.first_name, User.id).limit(NAMES_SHOWN)
    ).tuples())
    respondents = _respondents(organization_id, period)
    rows = db.session.execute(
        select(SelfAssessmentArea.area_code, SelfAssessmentArea.level_rank, func.count(),
               func.sum(SelfAssessmentArea.mean))
        .join(respondents, respondents.c.assessment_id == SelfAssessmentArea.assessment_id)
        .group_by(SelfAssessmentArea.area_code, SelfAssessmentArea.level_rank)
    ).all()
    areas = _areas(rows, _instrument(period))
    return Readiness(
        period=period, staff=sum(counts.values()), completed=counts.get(2, 0), in_progress=counts.get(1, 0),
        not_started=counts.get(0, 0),
        not_started_names=[" ".join(part for part in name if part) for name in names],
        areas=areas, respondents=max((area.respondents for area in areas), default=0),
    )


def _areas(rows, instrument) -> list[AreaFigures]:
    by_area: dict[str, dict[int, tuple[int, Fraction]]] = defaultdict(dict)
    for code, rank, count, mean_sum in rows:
        by_area[code][rank] = (count, Fraction(str(mean_sum or 0)))
    sections = [(s.code, s.title) for s in instrument.sections] if instrument else []
    level_titles = [t.title for t in instrument.thresholds] if instrument else []
    known = {code for code, _ in sections}
    order = sections + [(code, code) for code in sorted(by_area) if code not in known]
    top = max([len(level_titles) - 1, *(rank for ranks in by_area.values() for rank in ranks)], default=-1)
    titles = level_titles + [f"уровень {rank}" for rank in range(len(level_titles), top + 1)]
    figures = []
    for code, title in order:
        ranks = by_area.get(code, {})
        respondents = sum(count for count, _ in ranks.values())
        levels = [Level(titles[rank], share(ranks.get(rank, (0, 0))[0], respondents)) for rank in range(top + 1)]
        mean_score = mean_level = None
        if respondents >= MIN_GROUP:
            mean = sum((total for _, total in ranks.values()), Fraction(0)) / respondents
            mean_score = float(mean)
            mean_level = _level_word(instrument, mean) if instrument else None
        figures.append(AreaFigures(code, title, respondents, levels, mean_score, mean_level))
    return figures


def _level_word(instrument, mean: Fraction) -> str:
    """The level the school's mean score reaches, by the instrument's thresholds, as a teacher's own area level is."""
    top = max(indicator.max_score for indicator in instrument.indicators)
    return [t for t in instrument.thresholds if mean / top >= exact_share(t.min_share)][-1].title


# ------------------------------------------------------------------------------------------------ the program


def draft_program(organization_id: int) -> DevelopmentProgram | None:
    """The school's program being edited: the newest one in draft."""
    return db.session.scalar(
        select(DevelopmentProgram)
        .where(DevelopmentProgram.organization_id == organization_id,
               DevelopmentProgram.status == ProgramStatus.DRAFT)
        .order_by(DevelopmentProgram.updated_at.desc(), DevelopmentProgram.id.desc()).limit(1)
    )


def deficits_text(figures: Readiness, today: date) -> str:
    """The paragraph added to the program's analysis: a title line, then one line per weakest area."""
    weakest = figures.weakest
    if not weakest:
        return ""
    lines = [f"Кадровые дефициты по результатам самооценки цифровой готовности педагогов "
             f"({figures.period.label}, на {today:%d.%m.%Y}; ответили {figures.respondents} чел.):"]
    lines += [f"— {area.title}: средний уровень «{area.mean_level}», средний балл {mean_text(area.mean_score)} "
              f"из 5 (ответили {area.respondents} чел.);" for area in weakest]
    lines[-1] = lines[-1][:-1] + "."
    return "\n".join(lines)


def add_deficits(program: DevelopmentProgram, text: str, actor: Actor) -> None:
    """Appends the paragraph to the program's «Причины дефицитов» (section 3 of the document, the analysis)."""
    if program.status != ProgramStatus.DRAFT:
        raise TransitionRefused("Программа утверждена: начните её новую редакцию, чтобы добавить дефициты.")
    if not text:
        raise TransitionRefused("Нет областей, по которым ответили хотя бы 5 педагогов: добавлять нечего.")
    causes = f"{program.causes.rstrip()}\n\n{text}" if program.causes.strip() else text
    if len(causes) > SECTION_LIMIT:
        raise TransitionRefused(f"Раздел «Причины дефицитов» превысил бы {SECTION_LIMIT} символов. Сократите его "
                                "в программе и повторите.")
    program.causes = causes
    program.updated_at = utcnow()
    audit.record(actor, "program.staff_deficits_added", program, revision=program.revision)
    db.session.flush()
