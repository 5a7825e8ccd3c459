"""Assessment campaigns as stored: opening one, closing it early, the list with its response figures, who is in
its scope, and the campaign a teacher is asked to answer now."""
from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from sqlalchemy import ColumnElement, and_, case, exists, func, or_, select

from ... import audit
from ...domain.workflow import TransitionRefused
from ...extensions import db
from ...kernel.actor import Actor
from ...models import (
    AssessmentCampaign,
    CampaignMunicipality,
    MethodologyVersion,
    Municipality,
    Organization,
    Role,
    SelfAssessment,
    SelfAssessmentStatus,
    User,
    utcnow,
)
from ..methodology.services_versions import TEACHER
from .schedule import Phase, phase, reminder_from

TITLE_LIMIT = 300  # the column's length
MAX_MUNICIPALITIES = 200  # one request stays bounded; the krai has 61


@dataclass(frozen=True)
class CampaignInput:
    title: str
    methodology_id: int | None
    starts_on: date | None
    ends_on: date | None
    whole_region: bool
    municipality_ids: list[int]


# ------------------------------------------------------------------------------------------------ choices


def instruments() -> list[MethodologyVersion]:
    """The teacher instruments a campaign may use: the active version of each."""
    return list(db.session.scalars(
        select(MethodologyVersion)
        .where(MethodologyVersion.subject == TEACHER, MethodologyVersion.is_active)
        .order_by(MethodologyVersion.title, MethodologyVersion.id)
    ))


def municipalities() -> list[Municipality]:
    return list(db.session.scalars(select(Municipality).order_by(Municipality.name, Municipality.id)))


# ------------------------------------------------------------------------------------------------ opening


def campaign_errors(data: CampaignInput, today: date) -> dict[str, str]:
    """Every problem of the posted campaign the form's own validators do not see, keyed by field name."""
    errors = {}
    active = {version.id for version in instruments()}
    if data.methodology_id not in active:
        errors["methodology_id"] = "Выберите действующую методику самооценки из списка."
    if data.ends_on is not None:
        if data.starts_on is not None and data.ends_on < data.starts_on:
            errors["ends_on"] = "Дата окончания не может быть раньше даты начала."
        elif data.ends_on < today:
            errors["ends_on"] = f"Дата окончания уже прошла: укажите {today:%d.%m.%Y} или позже."
    if not data.whole_region:
        known = set(db.session.scalars(select(Municipality.id).where(Municipality.id.in_(data.municipality_ids))))
        if not data.municipality_ids:
            errors["municipality_ids"] = "Отметьте хотя бы один муниципалитет или выберите «Весь край»."
        elif known != set(data.municipality_ids):
            errors["municipality_ids"] = "Выберите муниципалитеты из списка."
    return errors


def open_campaign(data: CampaignInput, actor: Actor) -> AssessmentCampaign:
    """A new campaign from input `campaign_errors` found nothing wrong with."""
    campaign = AssessmentCampaign(
        title=data.title, methodology_id=data.methodology_id, starts_on=data.starts_on, ends_on=data.ends_on,
        whole_region=data.whole_region, created_by_id=actor.user_id,
    )
    if not data.whole_region:
        campaign.municipalities = [CampaignMunicipality(municipality_id=id_) for id_ in data.municipality_ids]
    db.session.add(campaign)
    db.session.flush()
    audit.record(actor, "campaign.opened", campaign, title=campaign.title, starts_on=str(campaign.starts_on),
                 ends_on=str(campaign.ends_on), whole_region=campaign.whole_region)
    return campaign


def close_campaign(campaign: AssessmentCampaign, actor: Actor, today: date) -> None:
    """Ends a planned or running campaign now: no more letters, teachers no longer see it."""
    if campaign_phase(campaign, today) == Phase.FINISHED:
        raise TransitionRefused("Кампания уже завершена.")
    campaign.closed_at = utcnow()
    audit.record(actor, "campaign.closed", campaign, title=campaign.title)
    db.session.flush()


def get_campaign(campaign_id: int) -> AssessmentCampaign | None:
    return db.session.get(AssessmentCampaign, campaign_id)


def campaign_phase(campaign: AssessmentCampaign, today: date) -> Phase:
    return phase(campaign.starts_on, campaign.ends_on, campaign.closed_at is not None, today)


# ------------------------------------------------------------------------------------------------ scope

# May take a self-assessment: a teacher, or anyone working at an organisation (selfassessment.services.may_take).
MAY_TAKE = or_(User.role == Role.TEACHER, User.organization_id.is_not(None))
ACTIVE = and_(User.blocked_at.is_(None), User.anonymized_at.is_(None))


def scope_of(campaign_id: int, whole_region: bool) -> ColumnElement[bool]:
    """Over users: who the campaign asks. Outside the whole region, whoever works at an organisation of one of its
    municipalities."""
    if whole_region:
        return MAY_TAKE
    chosen = select(CampaignMunicipality.municipality_id).where(CampaignMunicipality.campaign_id == campaign_id)
    return User.organization_id.in_(select(Organization.id).where(Organization.municipality_id.in_(chosen)))


def current_campaign_for(user: User, today: date) -> AssessmentCampaign | None:
    """The running campaign whose scope includes the user (the one ending first when several do); None for
    someone who may not take a self-assessment."""
    if user.organization_id is not None:
        return current_campaign_of_organization(user.organization_id, today)
    return _running(AssessmentCampaign.whole_region, today) if user.role == Role.TEACHER else None


def current_campaign_of_organization(organization_id: int, today: date) -> AssessmentCampaign | None:
    """The running campaign that asks the people of the organisation (the one ending first when several do)."""
    municipality = select(Organization.municipality_id).where(Organization.id == organization_id)
    return _running(or_(AssessmentCampaign.whole_region, exists().where(
        CampaignMunicipality.campaign_id == AssessmentCampaign.id,
        CampaignMunicipality.municipality_id == municipality.scalar_subquery(),
    )), today)


def running_on(today: date) -> ColumnElement[bool]:
    """Over campaigns: those running today (started, not ended, not closed early)."""
    return and_(AssessmentCampaign.starts_on <= today, AssessmentCampaign.ends_on >= today,
                AssessmentCampaign.closed_at.is_(None))


def _running(in_scope: ColumnElement[bool], today: date) -> AssessmentCampaign | None:
    return db.session.scalar(
        select(AssessmentCampaign).where(running_on(today), in_scope)
        .order_by(AssessmentCampaign.ends_on, AssessmentCampaign.id).limit(1)
    )


# ------------------------------------------------------------------------------------------------ the list


@dataclass(frozen=True)
class CampaignRow:
    campaign: AssessmentCampaign
    phase: Phase
    municipalities: list[str]
    in_scope: int
    submitted: int
    in_progress: int

    @property
    def not_started(self) -> int:
        return max(self.in_scope - self.submitted - self.in_progress, 0)

    @property
    def reminder_from(self) -> date | None:
        return reminder_from(self.campaign.starts_on, self.campaign.ends_on)


def _chosen_municipalities(campaign_ids: list[int]) -> dict[int, list[tuple[int, str]]]:
    chosen: dict[int, list[tuple[int, str]]] = defaultdict(list)
    rows = db.session.execute(
        select(CampaignMunicipality.campaign_id, Municipality.id, Municipality.name)
        .join(Municipality, Municipality.id == CampaignMunicipality.municipality_id)
        .where(CampaignMunicipality.campaign_id.in_(campaign_ids))
        .order_by(Municipality.name)
    )
    for campaign_id, municipality_id, name in rows:
        chosen[campaign_id].append((municipality_id, name))
    return chosen


def _people_by_municipality() -> tuple[int, dict[int, int]]:
    """Who may take a self-assessment: in the whole region, and by municipality (two grouped counts)."""
    region = db.session.scalar(select(func.count(User.id)).where(ACTIVE, MAY_TAKE))
    per = dict(db.session.execute(
        select(Organization.municipality_id, func.count(User.id))
        .join(Organization, Organization.id == User.organization_id)
        .where(ACTIVE).group_by(Organization.municipality_id)
    ).tuples().all())
    return region or 0, per


def _responses(campaign_ids: list[int]) -> dict[tuple[int, bool], int]:
    """(campaign, submitted) → people who submitted in the campaign, and who only started (a person who submitted
    and began again counts as submitted)."""
    per_person = (
        select(SelfAssessment.campaign_id,
               func.max(case((SelfAssessment.status == SelfAssessmentStatus.SUBMITTED.value, 1), else_=0))
               .label("done"))
        .where(SelfAssessment.campaign_id.in_(campaign_ids))
        .group_by(SelfAssessment.campaign_id, SelfAssessment.user_id)
        .subquery()
    )
    rows = db.session.execute(
        select(per_person.c.campaign_id, per_person.c.done, func.count())
        .group_by(per_person.c.campaign_id, per_person.c.done)
    )
    return {(campaign_id, bool(done)): count for campaign_id, done, count in rows}


def campaign_rows(campaigns: list[AssessmentCampaign], today: date) -> list[CampaignRow]:
    """Campaigns with their figures, in five queries however many campaigns and teachers there are."""
    ids = [campaign.id for campaign in campaigns]
    chosen_by_campaign = _chosen_municipalities(ids)
    region, per_municipality = _people_by_municipality()
    responses = _responses(ids)
    rows = []
    for campaign in campaigns:
        chosen = chosen_by_campaign.get(campaign.id, [])
        scope = region if campaign.whole_region else sum(per_municipality.get(id_, 0) for id_, _ in chosen)
        rows.append(CampaignRow(campaign, campaign_phase(campaign, today), [name for _, name in chosen], scope,
                                responses.get((campaign.id, True), 0), responses.get((campaign.id, False), 0)))
    return rows


def list_campaigns(today: date) -> dict[Phase, list[CampaignRow]]:
    """Every campaign by phase: running ones ending first, planned ones starting first, finished ones newest first."""
    campaigns = list(db.session.scalars(select(AssessmentCampaign).order_by(AssessmentCampaign.id)))
    grouped: dict[Phase, list[CampaignRow]] = {phase_: [] for phase_ in Phase}
    for row in campaign_rows(campaigns, today):
        grouped[row.phase].append(row)
    grouped[Phase.CURRENT].sort(key=lambda row: (row.campaign.ends_on, row.campaign.id))
    grouped[Phase.PLANNED].sort(key=lambda row: (row.campaign.starts_on, row.campaign.id))
    grouped[Phase.FINISHED].sort(key=lambda row: (row.campaign.ends_on, row.campaign.id), reverse=True)
    return grouped


def campaign_row(campaign: AssessmentCampaign, today: date) -> CampaignRow:
    return campaign_rows([campaign], today)[0]


@dataclass(frozen=True)
class Notice:
    """What a teacher in scope reads about the running campaign on their pages."""

    campaign: AssessmentCampaign
    submitted: bool


def notice_for(user: User, today: date) -> Notice | None:
    campaign = current_campaign_for(user, today)
    if campaign is None:
        return None
    submitted = db.session.scalar(select(exists().where(
        SelfAssessment.campaign_id == campaign.id, SelfAssessment.user_id == user.id,
        SelfAssessment.status == SelfAssessmentStatus.SUBMITTED.value,
    )))
    return Notice(campaign, bool(submitted))
