"""A teacher's self-assessment as stored: starting one, saving an area's answers, suggestions and disagreements
from the platform profile, submitting, and the overview card."""
from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy import func, select

from ...domain.methodology import Methodology
from ...domain.readiness import Readiness, assess
from ...domain.self_rating import Disagreement, PlatformFact, RatedItem, disagreements
from ...extensions import db
from ...kernel.clock import local_today
from ...models import (
    AccountStatus,
    LearningRoute,
    LearningRouteItem,
    MethodologyVersion,
    Platform,
    PlatformAccount,
    Role,
    SelfAssessment,
    SelfAssessmentArea,
    SelfAssessmentScore,
    SelfAssessmentStatus,
    User,
    utcnow,
)
from ...service_errors import FieldErrors
from ..campaigns.services import current_campaign_for
from ..methodology.services_versions import TEACHER, methodology_of


def may_take(user: User) -> bool:
    """Teachers, and anyone else who works at a school (a director rates their own teaching too)."""
    return user.role == Role.TEACHER or user.organization_id is not None


def active_instrument() -> MethodologyVersion | None:
    """The teacher instrument new self-assessments use: the active version published last."""
    return db.session.scalar(
        select(MethodologyVersion)
        .where(MethodologyVersion.subject == TEACHER, MethodologyVersion.is_active)
        .order_by(MethodologyVersion.published_at.desc(), MethodologyVersion.id.desc())
        .limit(1)
    )


def own(user: User, assessment_id: int) -> SelfAssessment | None:
    return db.session.scalar(
        select(SelfAssessment).where(SelfAssessment.id == assessment_id, SelfAssessment.user_id == user.id)
    )


def draft_of(user: User) -> SelfAssessment | None:
    return db.session.scalar(
        select(SelfAssessment)
        .where(SelfAssessment.user_id == user.id, SelfAssessment.status == SelfAssessmentStatus.DRAFT.value)
        .order_by(SelfAssessment.id.desc()).limit(1)
    )


def last_submitted(user: User) -> SelfAssessment | None:
    return db.session.scalar(
        select(SelfAssessment)
        .where(SelfAssessment.user_id == user.id, SelfAssessment.status == SelfAssessmentStatus.SUBMITTED.value)
        .order_by(SelfAssessment.submitted_at.desc(), SelfAssessment.id.desc()).limit(1)
    )


def start(user: User) -> SelfAssessment | None:
    """The user's draft, or a new one on the active instrument; None when no instrument is published. During a
    campaign in the user's scope the assessment answers it, on the campaign's instrument."""
    campaign = current_campaign_for(user, local_today())
    draft = draft_of(user)
    if draft is not None:
        if campaign is not None and draft.campaign_id is None and draft.methodology_id == campaign.methodology_id:
            draft.campaign_id = campaign.id  # begun before the campaign, finished within it
        return draft
    version = campaign.methodology if campaign is not None else active_instrument()
    if version is None:
        return None
    assessment = SelfAssessment(user_id=user.id, methodology=version, status=SelfAssessmentStatus.DRAFT.value,
                                answers={}, campaign_id=campaign.id if campaign is not None else None)
    db.session.add(assessment)
    db.session.flush()
    return assessment


def instrument_of(assessment: SelfAssessment) -> Methodology:
    return methodology_of(assessment.methodology)


def parse_area_answers(instrument: Methodology, area_code: str, posted: Mapping[str, str]) -> dict[str, int | None]:
    """The posted answers of one area: item code → score, None for an item left unanswered. FieldErrors (by item
    code, all at once) for a score the item does not have."""
    section = instrument.section(area_code)
    parsed, errors = {}, {}
    for indicator in section.indicators:
        raw = (posted.get(indicator.code) or "").strip()
        if not raw:
            parsed[indicator.code] = None
            continue
        score = int(raw) if raw.isdigit() and len(raw) < 3 else None
        if score is None or score not in indicator.scores:
            errors[indicator.code] = f"«{indicator.label}»: выберите одно из утверждений с баллом от 0 до 5."
            continue
        parsed[indicator.code] = score
    if errors:
        raise FieldErrors(errors)
    return parsed


def save_area(assessment: SelfAssessment, answers: Mapping[str, int | None]) -> None:
    """Replaces the area's answers (an item left blank loses its answer); a new dict, so the JSON column sees it."""
    merged = {code: score for code, score in assessment.answers.items() if code not in answers}
    merged |= {code: score for code, score in answers.items() if score is not None}
    assessment.answers = merged
    assessment.updated_at = utcnow()


def result(assessment: SelfAssessment) -> Readiness:
    instrument = instrument_of(assessment)
    known = {indicator.code for indicator in instrument.indicators}
    # Answers to items a later edit of the stored version would not have cannot happen (versions never change);
    # still, only known codes are scored.
    return assess(instrument, {code: score for code, score in assessment.answers.items() if code in known})


def submit(assessment: SelfAssessment) -> list[str]:
    """Submits a complete draft; the codes of unanswered items otherwise (nothing changes)."""
    readiness = result(assessment)
    missing = [code for area in readiness.areas for code in area.missing]
    if missing:
        return missing
    now = utcnow()
    assessment.status = SelfAssessmentStatus.SUBMITTED.value
    assessment.submitted_at = now
    assessment.updated_at = now
    assessment.organization_id = db.session.get(User, assessment.user_id).organization_id
    record_results(assessment, readiness)
    return []


def record_results(assessment: SelfAssessment, readiness: Readiness) -> None:
    """The submitted result as rows the research view and the school's figures count in SQL."""
    ranks = {threshold.code: index for index, threshold in enumerate(instrument_of(assessment).thresholds)}
    db.session.add_all(
        SelfAssessmentArea(assessment_id=assessment.id, area_code=area.code, level_rank=ranks[area.level.code],
                           mean=round(float(area.mean), 2))
        for area in readiness.areas
    )
    db.session.add_all(
        SelfAssessmentScore(assessment_id=assessment.id, item_code=item.code, score=item.score)
        for area in readiness.areas for item in area.items
    )


# ------------------------------------------------------------------------------------------------- platforms


def platform_facts(user: User) -> dict[str, PlatformFact]:
    """Every platform with what the user's profile says about it (no account: status None)."""
    rows = db.session.execute(
        select(Platform.code, Platform.name, PlatformAccount.status, PlatformAccount.confirmed_at)
        .outerjoin(PlatformAccount, (PlatformAccount.platform_id == Platform.id) & (PlatformAccount.user_id == user.id))
    )
    return {
        code: PlatformFact(name, status.value if status else None, confirmed_at is not None)
        for code, name, status, confirmed_at in rows
    }


def suggestion(fact: PlatformFact | None) -> str | None:
    """«По данным вашего профиля: Сферум — активно использую, подтверждено организацией»."""
    if fact is None:
        return None
    if fact.status is None:
        state = "не отмечен"
    else:
        state = AccountStatus(fact.status).label
        if fact.status != AccountStatus.NOT_REGISTERED.value:
            state += ", подтверждено организацией" if fact.confirmed else ", не подтверждено организацией"
    return f"По данным вашего профиля: {fact.name} — {state}."


def suggestions(user: User, instrument: Methodology) -> dict[str, str]:
    facts = platform_facts(user)
    return {
        indicator.code: text
        for indicator in instrument.indicators
        if indicator.platform and (text := suggestion(facts.get(indicator.platform)))
    }


def platform_disagreements(user: User, instrument: Methodology, answers: Mapping[str, int]) -> list[Disagreement]:
    items = [RatedItem(indicator.code, indicator.label, indicator.platform, answers.get(indicator.code))
             for indicator in instrument.indicators if indicator.platform]
    return disagreements(items, platform_facts(user))


# ------------------------------------------------------------------------------------------------- overview card


def current_route_id(user_id: int) -> int | None:
    """The route of the teacher's latest assessment that has one: a newer assessment's route replaces the older
    as the current one (assessments are submitted in the order of their ids: a teacher has one draft at most)."""
    return db.session.scalar(
        select(LearningRoute.id).where(LearningRoute.user_id == user_id)
        .order_by(LearningRoute.assessment_id.desc()).limit(1)
    )


@dataclass(frozen=True)
class Progress:
    route_id: int
    done: int
    total: int


def progress(route_id: int) -> Progress:
    """Items done and all items of a route, counted in SQL."""
    done, total = db.session.execute(
        select(func.count(LearningRouteItem.done_at), func.count(LearningRouteItem.id))
        .where(LearningRouteItem.route_id == route_id)
    ).one()
    return Progress(route_id, done, total)


@dataclass(frozen=True)
class Card:
    draft: SelfAssessment | None
    submitted: SelfAssessment | None
    answered: int
    total: int
    route: Progress | None


def card(user: User) -> Card | None:
    """What the cabinet overview says about the self-assessment; None when the user may not take one."""
    if not may_take(user):
        return None
    draft, submitted = _draft_and_last_submitted(user.id)
    answered = total = 0
    if draft is not None:
        total = len(instrument_of(draft).indicators)
        answered = len(draft.answers)
    return Card(draft, submitted, answered, total, _current_route_progress(user.id))


def _draft_and_last_submitted(user_id: int) -> tuple[SelfAssessment | None, SelfAssessment | None]:
    """`draft_of` and `last_submitted` in one statement: the overview is the page a teacher opens most."""
    mine = SelfAssessment.user_id == user_id
    draft = (select(SelfAssessment.id).where(mine, SelfAssessment.status == SelfAssessmentStatus.DRAFT.value)
             .order_by(SelfAssessment.id.desc()).limit(1).scalar_subquery())
    submitted = (select(SelfAssessment.id)
                 .where(mine, SelfAssessment.status == SelfAssessmentStatus.SUBMITTED.value)
                 .order_by(SelfAssessment.submitted_at.desc(), SelfAssessment.id.desc()).limit(1).scalar_subquery())
    found = {assessment.status: assessment for assessment in db.session.scalars(
        select(SelfAssessment).where(SelfAssessment.id.in_([draft, submitted])))}
    return found.get(SelfAssessmentStatus.DRAFT.value), found.get(SelfAssessmentStatus.SUBMITTED.value)


def _current_route_progress(user_id: int) -> Progress | None:
    """`progress(current_route_id(user_id))` in one statement."""
    route = (select(LearningRoute.id).where(LearningRoute.user_id == user_id)
             .order_by(LearningRoute.assessment_id.desc()).limit(1).scalar_subquery())
    row = db.session.execute(
        select(LearningRoute.id, func.count(LearningRouteItem.done_at), func.count(LearningRouteItem.id))
        .outerjoin(LearningRouteItem, LearningRouteItem.route_id == LearningRoute.id)
        .where(LearningRoute.id == route)
        .group_by(LearningRoute.id)
    ).first()
    return Progress(*row) if row is not None else None
