"""The research view's grouped queries against figures counted row by row in Python from the stored answers (with
domain.readiness.assess), on SQLite and PostgreSQL."""
from collections import Counter
from datetime import timedelta

import pytest
from sqlalchemy import select

from cpp_app.blueprints.methodology.services_versions import methodology_of
from cpp_app.blueprints.research import dataset, queries
from cpp_app.blueprints.research.queries import Filters
from cpp_app.domain.readiness import assess
from cpp_app.domain.research import OTHERS
from cpp_app.kernel.clock import local_today
from cpp_app.models import (
    AccountStatus,
    AssessmentCampaign,
    Course,
    CourseRecord,
    LearningRoute,
    PlatformAccount,
    SelfAssessment,
    SelfAssessmentArea,
    SelfAssessmentScore,
)
from tests import research_world
from tests.research_world import BIG_SCHOOL, KINDERGARTEN, SMALL_SCHOOL


@pytest.fixture
def world(database, make_user):
    return research_world.build(database, make_user)


def _filters(world, **fields) -> Filters:
    return Filters(version=world.version, **fields)


def test_response_rate_counts_teachers_and_those_who_submitted(world):
    rate = queries.response_rate(Filters())
    by_name = {row.name: row for row in rate.by_municipality}
    big = by_name[world.big.name]
    assert (big.teachers, big.respondents) == (BIG_SCHOOL + KINDERGARTEN + 1, BIG_SCHOOL + KINDERGARTEN)  # + the silent
    assert (by_name[world.small.name].teachers, by_name[world.small.name].respondents) == (SMALL_SCHOOL,) * 2
    kinds = {row.key: row for row in rate.by_kind}
    assert kinds["preschool"].respondents == KINDERGARTEN
    assert kinds["school"].respondents == BIG_SCHOOL + SMALL_SCHOOL
    assert rate.total.respondents == BIG_SCHOOL + KINDERGARTEN + SMALL_SCHOOL
    assert rate.total.teachers == sum(row.teachers for row in rate.by_municipality)


def _expected_levels(database, world, municipality=None):
    instrument = methodology_of(world.version)
    ranks = {t.code: index for index, t in enumerate(instrument.thresholds)}
    counts = Counter()
    for assessment in research_world.submitted(database):
        if municipality is not None and assessment.organization_id not in \
                {o.id for o in world.organizations if o.municipality_id == municipality.id}:
            continue
        for area in assess(instrument, assessment.answers).areas:
            counts[(area.code, ranks[area.level.code])] += 1
    return counts


def test_area_levels_are_those_assess_gives_each_assessment(database, world):
    instrument = methodology_of(world.version)
    expected = _expected_levels(database, world)
    areas = queries.area_levels(_filters(world), instrument)
    assert [a.code for a in areas] == [s.code for s in instrument.sections]
    for area in areas:
        assert area.respondents == BIG_SCHOOL + KINDERGARTEN + SMALL_SCHOOL
        assert [cell.count for cell in area.cells] == [expected[(area.code, rank)] for rank in range(len(area.cells))]
        assert sum(area.fraction(cell) for cell in area.cells) == pytest.approx(1)


def test_item_scores_count_every_answer(database, world):
    instrument = methodology_of(world.version)
    expected = Counter((code, score) for a in research_world.submitted(database) for code, score in a.answers.items())
    for item in queries.item_scores(_filters(world), instrument):
        assert [cell.count for cell in item.cells] == [expected[(item.code, score)] for score in range(6)]


def test_a_municipality_of_fewer_than_five_respondents_is_hidden(database, world):
    instrument = methodology_of(world.version)
    small = queries.area_levels(_filters(world, municipality=world.small), instrument)
    assert all(area.respondents == SMALL_SCHOOL and area.suppressed for area in small)
    assert all(cell.count is None and cell.suppressed for area in small for cell in area.cells)
    assert all(item.suppressed for item in queries.item_scores(_filters(world, municipality=world.small), instrument))
    big = queries.area_levels(_filters(world, municipality=world.big), instrument)
    expected = _expected_levels(database, world, world.big)
    assert all(not area.suppressed for area in big)
    assert [cell.count for cell in big[0].cells] == [expected[(big[0].code, r)] for r in range(len(big[0].cells))]


def test_platform_ratings_split_by_a_confirmed_active_account(database, world):
    instrument = methodology_of(world.version)
    ratings = {r.item_code: r for r in queries.platform_ratings(_filters(world), instrument)}
    assert set(ratings) == {i.code for i in instrument.indicators if i.platform}
    with_sferum = {a.user_id for a in database.session.scalars(select(PlatformAccount).where(
        PlatformAccount.status == AccountStatus.ACTIVE, PlatformAccount.confirmed_at.is_not(None)))}
    answers = {a.user_id: a.answers["platforms.sferum"] for a in research_world.submitted(database)}
    sferum = ratings["platforms.sferum"]
    assert sferum.with_account.respondents == len(with_sferum)
    assert sferum.with_account.count == sum(1 for u in with_sferum if answers[u] >= 3)
    assert sferum.without_account.respondents == len(answers) - len(with_sferum)
    assert sferum.without_account.count == sum(1 for u, s in answers.items() if u not in with_sferum and s >= 3)
    # Nobody has an account on another platform: everyone is «without».
    assert ratings["platforms.resh"].with_account.respondents == 0
    assert ratings["platforms.resh"].without_account.respondents == len(answers)


def test_course_demand_counts_current_routes_and_what_their_teachers_did(database, world):
    demand = queries.course_demand(Filters())
    routes = list(database.session.scalars(select(LearningRoute)))
    assert routes, "the generator built routes"
    records = {(r.user_id, r.course_id): r.status for r in database.session.scalars(select(CourseRecord))}
    by_course = {d.course_id: d for d in demand.by_course}
    assert set(by_course) == set(database.session.scalars(select(Course.id)))
    for course_id, row in by_course.items():
        with_course = [r for r in routes if any(i.course_id == course_id for i in r.items)]
        assert row.routes == len(with_course)
        statuses = Counter(records.get((r.user_id, course_id)) for r in with_course)
        assert (row.applied, row.enrolled, row.completed) == (statuses["applied"], statuses["enrolled"],
                                                               statuses["completed"])
    cells = [d for d in demand.by_course_and_municipality if d.routes]
    assert {d.municipality for d in cells} <= {world.big.name, world.small.name}
    assert sum(d.routes for d in cells) == sum(d.routes for d in demand.by_course)
    # An ended route is no longer demand.
    for route in routes:
        route.period_end = local_today() - timedelta(days=1)
    database.session.flush()
    assert sum(d.routes for d in queries.course_demand(Filters()).by_course) == 0


def test_campaign_and_period_filters(database, world):
    campaign = AssessmentCampaign(title="Весна", methodology_id=world.version.id, starts_on=local_today(),
                                  ends_on=local_today() + timedelta(days=30))
    database.session.add(campaign)
    database.session.flush()
    some = research_world.submitted(database)[:4]
    for assessment in some:
        assessment.campaign_id = campaign.id
    database.session.flush()
    assert queries.response_rate(Filters(campaign=campaign)).total.respondents == 4
    instrument = methodology_of(world.version)
    assert queries.area_levels(_filters(world, campaign=campaign), instrument)[0].respondents == 4
    tomorrow = local_today() + timedelta(days=1)
    assert queries.response_rate(Filters(since=tomorrow)).total.respondents == 0
    everyone = BIG_SCHOOL + KINDERGARTEN + SMALL_SCHOOL
    assert queries.response_rate(Filters(until=local_today())).total.respondents == everyone


def test_dataset_merges_small_cells_and_has_every_answer(database, world):
    instrument = methodology_of(world.version)
    platforms = dataset.platform_list()
    rows = list(dataset.dataset_rows(database.session, dataset.plan(_filters(world), instrument, world.version,
                                                                    platforms)))
    assert len(rows) == BIG_SCHOOL + KINDERGARTEN + SMALL_SCHOOL
    header = [c.title for c in dataset.columns(instrument, platforms)]
    assert all(len(row) == len(header) for row in rows)
    cells = Counter((row[1], row[2]) for row in rows)
    assert cells == {(world.big.name, "Школа"): BIG_SCHOOL, (world.big.name, "Дошкольная ОО"): KINDERGARTEN,
                     (OTHERS, OTHERS): SMALL_SCHOOL}
    answers = Counter(tuple(a.answers[i.code] for i in instrument.indicators)
                      for a in research_world.submitted(database))
    assert Counter(tuple(row[5:5 + len(instrument.indicators)]) for row in rows) == answers
    flags = header.index("sferum_confirmed")
    assert sum(row[flags] for row in rows) == (BIG_SCHOOL + KINDERGARTEN + SMALL_SCHOOL + 1) // 2
    assert {e.column for e in dataset.codebook(instrument, world.version)} == set(header)


def test_stored_rows_follow_the_instrument(database, world):
    """The generator's fast scoring wrote what submitting through the service would (record_results)."""
    instrument = methodology_of(world.version)
    ranks = {t.code: index for index, t in enumerate(instrument.thresholds)}
    stored = {(a.assessment_id, a.area_code): a.level_rank for a in database.session.scalars(select(SelfAssessmentArea))}
    for assessment in research_world.submitted(database):
        for area in assess(instrument, assessment.answers).areas:
            assert stored[(assessment.id, area.code)] == ranks[area.level.code]
    assert database.session.scalar(select(SelfAssessmentScore).limit(1)) is not None
    assert database.session.scalar(select(SelfAssessment.id).where(SelfAssessment.organization_id.is_(None))) is None
    # Ids were given explicitly in bulk: the next one the database hands out does not collide.
    later = SelfAssessment(user_id=world.teachers[0].id, methodology_id=world.version.id, answers={})
    route = LearningRoute(user_id=world.teachers[0].id, assessment=later, period_start=local_today(),
                          period_end=local_today())
    database.session.add_all([later, route])
    database.session.flush()
    assert later.id > max(a.id for a in research_world.submitted(database))
