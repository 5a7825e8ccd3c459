"""Assessment campaigns: who is in scope, the figures, the draft a teacher starts, and the letters — each once, at
most a batch per run, the reminder a week before the end and only to those who have not submitted."""
from datetime import timedelta

import pytest
from sqlalchemy import select

from cpp_app.blueprints.campaigns.schedule import Letter, Phase
from cpp_app.blueprints.campaigns.services import (
    CampaignInput,
    campaign_errors,
    campaign_rows,
    current_campaign_for,
    list_campaigns,
    notice_for,
)
from cpp_app.blueprints.campaigns.services_mail import send_due_mail
from cpp_app.blueprints.privacy.services_requests import withdraw_consent
from cpp_app.blueprints.selfassessment.services import start
from cpp_app.kernel.actor import Actor
from cpp_app.kernel.clock import local_today
from cpp_app.mail import outbox
from cpp_app.models import (
    AssessmentCampaign,
    CampaignMailing,
    CampaignMunicipality,
    MethodologyVersion,
    Role,
    SelfAssessment,
    utcnow,
)
from tests.conftest import TEST_PASSWORD
from tests.factories import fresh, municipality, organization, row_count, statements_run

TODAY = local_today()


def teacher_version(database) -> MethodologyVersion:
    return database.session.scalar(select(MethodologyVersion).where(MethodologyVersion.subject == "teacher",
                                                                     MethodologyVersion.is_active))


def campaign(database, starts_on=TODAY - timedelta(days=1), ends_on=TODAY + timedelta(days=30), municipalities=(),
             title="Весна", closed=False) -> AssessmentCampaign:
    made = AssessmentCampaign(title=title, methodology=teacher_version(database), starts_on=starts_on,
                              ends_on=ends_on, whole_region=not municipalities,
                              closed_at=utcnow() if closed else None)
    made.municipalities = [CampaignMunicipality(municipality_id=m.id) for m in municipalities]
    database.session.add(made)
    database.session.commit()
    return made


@pytest.fixture
def places(database):
    north, south = municipality(database, "Северный район"), municipality(database, "Южный район")
    database.session.commit()
    return organization(database, north, "МБОУ Северная СОШ"), organization(database, south, "МБОУ Южная СОШ")


def submitted(database, user, in_campaign) -> SelfAssessment:
    assessment = SelfAssessment(user_id=user.id, methodology=teacher_version(database), status="submitted",
                                answers={}, submitted_at=utcnow(), campaign_id=in_campaign.id)
    database.session.add(assessment)
    database.session.commit()
    return assessment


def sent_to(database, kind=None) -> set[int]:
    fresh(database)
    statement = select(CampaignMailing.user_id)
    if kind:
        statement = statement.where(CampaignMailing.kind == kind)
    return set(database.session.scalars(statement))


def run_mail(database, today=TODAY, batch=500):
    result = send_due_mail(today, batch)
    database.session.commit()
    return result


# ------------------------------------------------------------------------------------------------ scope


def test_a_municipal_campaign_reaches_only_people_working_there(database, make_user, places):
    north, south = places
    here = make_user(organization=north)
    director_here = make_user(role=Role.SCHOOL_ADMIN, organization=north)
    elsewhere = make_user(organization=south)
    nowhere = make_user(organization=None)
    methodologist = make_user(role=Role.METHODOLOGIST)
    running = campaign(database, municipalities=[north.municipality])
    assert current_campaign_for(here, TODAY).id == running.id
    assert current_campaign_for(director_here, TODAY).id == running.id
    assert current_campaign_for(elsewhere, TODAY) is None
    assert current_campaign_for(nowhere, TODAY) is None
    assert current_campaign_for(methodologist, TODAY) is None


def test_a_regional_campaign_reaches_every_teacher_but_not_the_institutes_staff(database, make_user, places):
    teacher_without_school = make_user(organization=None)
    methodologist = make_user(role=Role.METHODOLOGIST)
    running = campaign(database)
    assert current_campaign_for(teacher_without_school, TODAY).id == running.id
    assert current_campaign_for(methodologist, TODAY) is None


def test_planned_finished_and_closed_campaigns_are_not_shown(database, make_user, places):
    teacher = make_user(organization=places[0])
    campaign(database, starts_on=TODAY + timedelta(days=1), ends_on=TODAY + timedelta(days=9))
    campaign(database, starts_on=TODAY - timedelta(days=9), ends_on=TODAY - timedelta(days=1))
    campaign(database, closed=True)
    assert current_campaign_for(teacher, TODAY) is None
    assert [len(rows) for rows in list_campaigns(TODAY).values()] == [1, 0, 2]  # planned, current, finished


def test_the_notice_says_when_the_teacher_has_submitted(database, make_user, places):
    teacher = make_user(organization=places[0])
    running = campaign(database)
    assert notice_for(teacher, TODAY).submitted is False
    submitted(database, teacher, running)
    assert notice_for(teacher, TODAY).submitted is True


# ------------------------------------------------------------------------------------------------ starting


def test_a_draft_started_in_a_campaign_answers_it_on_its_instrument(database, make_user, places):
    teacher = make_user(organization=places[0])
    running = campaign(database)
    draft = start(teacher)
    assert draft.campaign_id == running.id and draft.methodology_id == running.methodology_id


def test_outside_a_campaign_a_draft_answers_none(database, make_user, places):
    teacher = make_user(organization=places[1])
    campaign(database, municipalities=[places[0].municipality])
    assert start(teacher).campaign_id is None


def test_a_draft_begun_before_the_campaign_joins_it(database, make_user, places):
    teacher = make_user(organization=places[0])
    draft = start(teacher)
    database.session.commit()
    running = campaign(database)
    assert start(teacher).id == draft.id
    database.session.commit()
    assert fresh(database, draft).campaign_id == running.id


# ------------------------------------------------------------------------------------------------ figures


def test_figures_count_scope_submitted_and_in_progress(database, make_user, places):
    north, south = places
    teachers = [make_user(organization=north) for _ in range(4)]
    make_user(organization=south)
    make_user(organization=north, blocked_at=utcnow())  # blocked: not counted
    running = campaign(database, municipalities=[north.municipality])
    submitted(database, teachers[0], running)
    submitted(database, teachers[1], running)
    database.session.add(SelfAssessment(user_id=teachers[1].id, methodology=teacher_version(database),
                                        status="draft", answers={}, campaign_id=running.id))  # began again
    database.session.add(SelfAssessment(user_id=teachers[2].id, methodology=teacher_version(database),
                                        status="draft", answers={}, campaign_id=running.id))
    database.session.commit()
    row = campaign_rows([running], TODAY)[0]
    assert (row.in_scope, row.submitted, row.in_progress, row.not_started) == (4, 2, 1, 1)
    assert row.phase == Phase.CURRENT and row.municipalities == ["Северный район"]


def test_the_list_takes_as_many_queries_for_many_campaigns_and_teachers(database, make_user, places):
    def queries() -> int:
        with statements_run(database.engine) as statements:
            list_campaigns(TODAY)
        return len(statements)

    first = campaign(database, municipalities=[places[0].municipality])
    make_user(organization=places[0])
    few = queries()
    for index in range(5):
        other = campaign(database, municipalities=list(m.municipality for m in places), title=f"К{index}")
        submitted(database, make_user(organization=places[index % 2]), other)
    submitted(database, make_user(organization=places[0]), first)
    assert queries() == few


# ------------------------------------------------------------------------------------------------ opening


def test_every_problem_of_a_campaign_is_found_at_once(database, places):
    errors = campaign_errors(CampaignInput("Т", 999_999, TODAY, TODAY - timedelta(days=1), False, []), TODAY)
    assert set(errors) == {"methodology_id", "ends_on", "municipality_ids"}
    assert "раньше даты начала" in errors["ends_on"]
    past = campaign_errors(CampaignInput("Т", teacher_version(database).id, TODAY - timedelta(days=9),
                                         TODAY - timedelta(days=2), False, [2_000_000]), TODAY)
    assert "уже прошла" in past["ends_on"] and "из списка" in past["municipality_ids"]
    assert campaign_errors(CampaignInput("Т", teacher_version(database).id, TODAY, TODAY, True, []), TODAY) == {}


# ------------------------------------------------------------------------------------------------ mail


def test_the_start_letter_goes_once_to_confirmed_active_consenting_people(app, database, make_user, places):
    north, south = places
    reached = make_user(organization=north, email="reached@school.example")
    unconfirmed = make_user(organization=north)
    unconfirmed.email_confirmed_at = None  # the model's default fills in a None given to the constructor
    make_user(organization=north, blocked_at=utcnow())
    make_user(organization=north, consent_withdrawn_at=utcnow())
    make_user(organization=south)
    running = campaign(database, municipalities=[north.municipality])
    result = run_mail(database)
    assert result.sent == {(running.id, "start"): 1}
    assert sent_to(database) == {reached.id}
    letters = [m for m in outbox() if m["To"] == "reached@school.example"]
    assert len(letters) == 1
    body = letters[0].get_content()
    assert "Весна" in body and f"{running.ends_on:%d.%m.%Y}" in body
    assert app.config["PUBLIC_URL"] + "/cabinet/self-assessment" in body
    assert run_mail(database).total == 0 and len(outbox()) == 1  # a rerun sends nothing


def test_a_run_sends_at_most_a_batch_and_the_next_run_the_rest(database, make_user, places):
    people = {make_user(organization=places[0]).id for _ in range(5)}
    campaign(database)
    assert run_mail(database, batch=3).total == 3
    assert run_mail(database, batch=3).total == 2
    assert run_mail(database, batch=3).total == 0
    assert sent_to(database) == people and len(outbox()) == 5


def test_the_batch_is_shared_between_campaigns(database, make_user, places):
    for _ in range(3):
        make_user(organization=places[0])
    campaign(database, title="А")
    campaign(database, title="Б")
    assert run_mail(database, batch=4).total == 4
    assert row_count(database, CampaignMailing) == 4


def test_the_reminder_is_due_a_week_before_the_end_and_spares_those_who_submitted(database, make_user, places):
    done, waiting = make_user(organization=places[0]), make_user(organization=places[0])
    ends = TODAY + timedelta(days=20)
    running = campaign(database, starts_on=TODAY, ends_on=ends)
    run_mail(database, today=TODAY)
    submitted(database, done, running)
    assert run_mail(database, today=ends - timedelta(days=8)).total == 0  # not yet
    result = run_mail(database, today=ends - timedelta(days=7))
    assert result.sent == {(running.id, Letter.REMINDER.value): 1}
    assert sent_to(database, "reminder") == {waiting.id}
    reminder = outbox()[-1]
    assert reminder["To"] == waiting.email and "Напоминание" in reminder["Subject"]
    assert run_mail(database, today=ends).total == 0  # once
    assert run_mail(database, today=ends + timedelta(days=1)).total == 0


def test_a_closed_campaign_sends_nothing(database, make_user, places):
    make_user(organization=places[0])
    campaign(database, closed=True)
    assert run_mail(database).total == 0 and outbox() == []


def test_the_cli_command_sends_and_reports(app, database, make_user, places):
    make_user(organization=places[0])
    campaign(database)
    result = app.test_cli_runner().invoke(args=["send-campaign-mail", "--batch", "10"])
    assert result.exit_code == 0, result.output
    assert "отправлено: 1" in result.output
    assert row_count(database, CampaignMailing) == 1 and len(outbox()) == 1


def test_the_default_batch_comes_from_the_configuration(app, database, make_user, places, monkeypatch):
    for _ in range(3):
        make_user(organization=places[0])
    campaign(database)
    monkeypatch.setitem(app.config, "CAMPAIGN_MAIL_BATCH", 2)
    result = app.test_cli_runner().invoke(args=["send-campaign-mail"])
    assert "отправлено: 2" in result.output


def test_the_purge_of_a_withdrawn_person_removes_their_campaign_letters(app, database, make_user, places):
    leaving, staying = make_user(organization=places[0]), make_user(organization=places[0])
    campaign(database)
    run_mail(database)
    withdraw_consent(leaving, TEST_PASSWORD, Actor(leaving.id, "127.0.0.1", "pytest"),
                     now=utcnow() - timedelta(days=1))
    database.session.commit()
    result = app.test_cli_runner().invoke(args=["purge-withdrawn"])
    assert result.exit_code == 0, result.output
    assert sent_to(database) == {staying.id}
