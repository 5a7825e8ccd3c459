"""`flask seed --demo` gives the demo school self-assessments to look at: the demo teacher's submitted one, enough
submitted in the school for the director's distribution, some half-way — once, however often it runs."""
from sqlalchemy import func, select

from cpp_app.models import SelfAssessment, SelfAssessmentArea, User
from cpp_app.seeding import seed_demo_data


def test_demo_self_assessments_are_seeded_once(database):
    first = seed_demo_data(password="Demo-Self-2026!")
    second = seed_demo_data(password="Demo-Self-2026!")
    assert (first["demo_self_assessments"], first["demo_self_assessment_drafts"]) == (9, 2)
    assert (second["demo_self_assessments"], second["demo_self_assessment_drafts"]) == (0, 0)

    teacher = database.session.scalar(select(User).where(User.email == "teacher@demo.example"))
    own = database.session.scalars(select(SelfAssessment).where(SelfAssessment.user_id == teacher.id)).all()
    assert [assessment.status for assessment in own] == ["submitted"]
    # The demo teacher has areas to grow in: levels below «уверенный» (rank 2).
    ranks = database.session.scalars(
        select(SelfAssessmentArea.level_rank).where(SelfAssessmentArea.assessment_id == own[0].id)).all()
    assert len(ranks) == 7 and min(ranks) < 2
    school_submitted = database.session.scalar(
        select(func.count(SelfAssessment.id))
        .where(SelfAssessment.organization_id == teacher.organization_id, SelfAssessment.status == "submitted"))
    assert school_submitted >= 5
