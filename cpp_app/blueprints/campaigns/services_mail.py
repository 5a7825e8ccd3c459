"""The campaigns' letters: one at the start, one reminder a week before the end to those who have not submitted.
Each is recorded in campaign_mailings, so a rerun (or a second timer firing) never sends a letter twice."""
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import exists, select

from ...extensions import db
from ...mail import send_mail
from ...models import AssessmentCampaign, CampaignMailing, SelfAssessment, SelfAssessmentStatus, User, utcnow
from ...urls import public_url_for
from .schedule import Letter, due_letter
from .services import ACTIVE, running_on, scope_of

SIGNATURE = ("Письмо отправлено автоматически сервисом «Цифровой профиль педагога» (ЦПП) КК ИПК, отвечать на него "
             "не нужно.")


@dataclass
class MailRun:
    sent: dict[tuple[int, str], int] = field(default_factory=dict)  # (campaign id, letter) → letters

    @property
    def total(self) -> int:
        return sum(self.sent.values())


def _recipients(campaign: AssessmentCampaign, letter: Letter, limit: int) -> list[tuple[int, str, str, str | None]]:
    """(id, e-mail, first name, patronymic) of people in scope who may be written to and have not had this letter;
    for the reminder, only those who have not submitted in the campaign."""
    already = exists().where(CampaignMailing.campaign_id == campaign.id, CampaignMailing.user_id == User.id,
                             CampaignMailing.kind == letter.value)
    statement = (
        select(User.id, User.email, User.first_name, User.middle_name)
        .where(ACTIVE, User.email_confirmed_at.is_not(None), User.consent_withdrawn_at.is_(None),
               scope_of(campaign.id, campaign.whole_region), ~already)
        .order_by(User.id).limit(limit)
    )
    if letter == Letter.REMINDER:
        statement = statement.where(~exists().where(
            SelfAssessment.campaign_id == campaign.id, SelfAssessment.user_id == User.id,
            SelfAssessment.status == SelfAssessmentStatus.SUBMITTED.value,
        ))
    return list(db.session.execute(statement).tuples())


def letter_text(campaign: AssessmentCampaign, letter: Letter, first_name: str, middle_name: str | None
                ) -> tuple[str, str]:
    """The subject and body of one letter."""
    name = " ".join(part for part in (first_name, middle_name) if part)
    link = public_url_for("cabinet.self_assessment")
    ends = f"{campaign.ends_on:%d.%m.%Y}"
    if letter == Letter.START:
        subject = f"Самооценка цифровой готовности педагогов: «{campaign.title}»"
        lines = [
            f"Здравствуйте, {name}!",
            "",
            f"КК ИПК проводит кампанию самооценки цифровой готовности педагогов «{campaign.title}» "
            f"с {campaign.starts_on:%d.%m.%Y} по {ends}.",
            "",
            "Самооценка займёт около 20 минут: вы оцените свою работу на государственных платформах, с цифровым "
            "контентом, в обучении, оценивании и общении, в защите данных и в собственном развитии. Сразу после "
            "отправки вы получите личную обратную связь и индивидуальный образовательный маршрут. Ответы видите "
            "только вы; школа видит лишь, прошли ли вы самооценку.",
        ]
    else:
        subject = f"Напоминание: самооценка цифровой готовности до {ends}"
        lines = [
            f"Здравствуйте, {name}!",
            "",
            f"Кампания самооценки цифровой готовности педагогов «{campaign.title}» заканчивается {ends}. "
            "Вы ещё не отправили самооценку — на неё уйдёт около 20 минут, ответы сохраняются после каждого шага.",
        ]
    lines += ["", f"Пройти самооценку: {link}", "", SIGNATURE]
    return subject, "\n".join(lines)


def send_due_mail(today: date, batch: int) -> MailRun:
    """Sends at most `batch` letters that are due today, each recorded before it goes (after the commit)."""
    run = MailRun()
    left = batch
    running = db.session.scalars(
        select(AssessmentCampaign).where(running_on(today))
        .order_by(AssessmentCampaign.ends_on, AssessmentCampaign.id)
    ).all()
    for campaign in running:
        letter = due_letter(campaign.starts_on, campaign.ends_on, False, today)
        if letter is None or left <= 0:
            continue
        people = _recipients(campaign, letter, left)
        now = utcnow()
        for user_id, email, first_name, middle_name in people:
            db.session.add(CampaignMailing(campaign_id=campaign.id, user_id=user_id, kind=letter.value, sent_at=now))
            send_mail(email, *letter_text(campaign, letter, first_name, middle_name))
        db.session.flush()
        left -= len(people)
        if people:
            run.sent[(campaign.id, letter.value)] = len(people)
    return run
