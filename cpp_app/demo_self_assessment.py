"""The demo school's self-assessments after `flask seed --demo`: the demo teacher has a submitted one with a route
in progress, most of teacher1…12 have submitted theirs (enough for the director to see the school's distribution),
two are half-way and two have not started. Built through the services, idempotent.
"""
import random
from datetime import date, datetime, time, timedelta

from sqlalchemy import select

from .blueprints.selfassessment import services as self_assessment
from .extensions import db
from .models import SelfAssessment, User

SEED = 2026_14
SUBMITTED = tuple(f"teacher{number}@demo.example" for number in range(1, 9))
HALF_WAY = ("teacher9@demo.example", "teacher10@demo.example")


def seed_demo_self_assessments(teacher: User | None, today: date) -> dict[str, int]:
    rng = random.Random(SEED)  # nosec B311 # deterministic demo data, not secrets
    people = {user.email: user for user in db.session.scalars(
        select(User).where(User.email.in_((*SUBMITTED, *HALF_WAY)))
    )}
    if teacher is not None:
        people[teacher.email] = teacher
    started = set(db.session.scalars(
        select(SelfAssessment.user_id).where(SelfAssessment.user_id.in_([user.id for user in people.values()]))
    ))
    submitted = drafts = 0
    for email in sorted(people):
        # Drawn for everyone, so one person's answers never depend on who else exists.
        leaning = rng.randint(1, 4)
        if teacher is not None and email == teacher.email:
            leaning = 2  # the demo teacher has growth areas, so the route has something in it
        draws = [rng.choice((-1, 0, 0, 1)) for _ in range(40)]
        user = people[email]
        if user.id in started:
            continue
        assessment = self_assessment.start(user)
        if assessment is None:
            return {}
        instrument = self_assessment.instrument_of(assessment)
        sections = instrument.sections if email not in HALF_WAY else instrument.sections[:3]
        index = 0
        for section in sections:
            answers = {}
            for indicator in section.indicators:
                answers[indicator.code] = min(max(leaning + draws[index % len(draws)], 0), 5)
                index += 1
            self_assessment.save_area(assessment, answers)
        if email in HALF_WAY:
            drafts += 1
            continue
        if self_assessment.submit(assessment):
            raise RuntimeError(f"demo self-assessment of {email} left items unanswered")
        # Submitted some weeks ago, so the route has a history.
        assessment.submitted_at = datetime.combine(today - timedelta(days=rng.randint(20, 60)), time(9))
        submitted += 1
    db.session.flush()
    return {"demo_self_assessments": submitted, "demo_self_assessment_drafts": drafts}
