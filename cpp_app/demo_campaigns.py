"""A demo assessment campaign for `flask seed --demo`: a planned regional one, opened by the demo methodologist, so
that the campaign pages have something to show without changing what the demo teachers see today (a planned
campaign neither shows in the cabinet nor sends mail). Idempotent: a second run creates nothing."""
from datetime import date, timedelta

from sqlalchemy import select

from .blueprints.campaigns.services import CampaignInput, instruments, open_campaign
from .extensions import db
from .kernel.actor import Actor
from .models import AssessmentCampaign, User

DEMO_TITLE = "Самооценка цифровой готовности педагогов края — второй этап исследования"
STARTS_IN_DAYS, LASTS_DAYS = 14, 30


def seed_demo_campaign(today: date, methodologist: User | None = None) -> dict[str, int]:
    versions = instruments()
    if not versions or db.session.scalar(select(AssessmentCampaign.id).where(AssessmentCampaign.title == DEMO_TITLE)):
        return {"demo_campaigns": 0}
    starts_on = today + timedelta(days=STARTS_IN_DAYS)
    actor = Actor(user_id=methodologist.id if methodologist else None, ip=None, user_agent="flask seed --demo")
    open_campaign(CampaignInput(DEMO_TITLE, versions[0].id, starts_on, starts_on + timedelta(days=LASTS_DAYS), True,
                                []), actor)
    return {"demo_campaigns": 1}
