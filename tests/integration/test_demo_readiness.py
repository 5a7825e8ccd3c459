"""`flask seed --demo`: a few hundred generated teachers across municipalities have submitted self-assessments with
results consistent with the instrument, routes with catalogue courses and some applications; idempotent."""
import pytest
from sqlalchemy import func, select

from cpp_app.blueprints.methodology.services_versions import methodology_of
from cpp_app.blueprints.research import queries
from cpp_app.blueprints.research.queries import Filters
from cpp_app.demo_readiness import DEMO_ASSESSMENTS
from cpp_app.domain.readiness import assess
from cpp_app.models import (
    CourseRecord,
    LearningRoute,
    LearningRouteItem,
    Organization,
    SelfAssessment,
    SelfAssessmentArea,
    SelfAssessmentStatus,
)
from tests.factories import row_counts

COUNTED = (SelfAssessment, SelfAssessmentArea, LearningRoute, LearningRouteItem, CourseRecord)


@pytest.fixture
def seeded(app, database):
    result = app.test_cli_runner().invoke(args=["seed", "--demo"])
    assert result.exit_code == 0, result.output
    assert f"demo_readiness_assessments: +{DEMO_ASSESSMENTS}" in result.output
    database.session.expire_all()
    return database


def test_hundreds_of_teachers_across_municipalities_have_submitted(seeded):
    submitted = list(seeded.session.scalars(
        select(SelfAssessment).where(SelfAssessment.status == SelfAssessmentStatus.SUBMITTED.value)))
    assert len(submitted) >= DEMO_ASSESSMENTS
    municipalities = seeded.session.scalar(
        select(func.count(func.distinct(Organization.municipality_id)))
        .join(SelfAssessment, SelfAssessment.organization_id == Organization.id))
    assert municipalities >= 10
    areas = {(a.assessment_id, a.area_code): a.level_rank for a in seeded.session.scalars(select(SelfAssessmentArea))}
    for assessment in submitted[:50]:
        instrument = methodology_of(assessment.methodology)
        ranks = {t.code: index for index, t in enumerate(instrument.thresholds)}
        for area in assess(instrument, assessment.answers).areas:
            assert areas[(assessment.id, area.code)] == ranks[area.level.code]


def test_the_research_view_and_course_demand_look_real(seeded):
    rate = queries.response_rate(Filters())
    assert rate.total.respondents >= DEMO_ASSESSMENTS and rate.total.teachers > rate.total.respondents
    demand = queries.course_demand(Filters())
    busiest = demand.by_course[0]
    assert busiest.routes > 50 and busiest.applied and busiest.completed and busiest.not_yet
    assert len({d.municipality for d in demand.by_course_and_municipality}) >= 10


def test_seeding_again_adds_nothing(app, seeded):
    before = row_counts(seeded, COUNTED)
    result = app.test_cli_runner().invoke(args=["seed", "--demo"])
    assert result.exit_code == 0, result.output
    assert "demo_readiness_assessments: +0" in result.output
    assert row_counts(seeded, COUNTED) == before
