"""Submitted teacher self-assessments in bulk — with their per-area and per-item rows, individual routes built from
the growth areas and some applications to the routes' courses — for the demo (a few hundred teachers) and the bench
(500,000 assessments). Rows are generated in batches and written with COPY on PostgreSQL (executemany elsewhere):
never one INSERT per row, never everything in memory at once.

The scoring is `domain.readiness.assess` computed on integers: an area's level depends only on how many of its
items were answered and their sum, so it is looked up per (count, sum); a test checks it against assess."""
import json
import random
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from fractions import Fraction
from functools import cache

from sqlalchemy import JSON, and_, func, insert, select, update

from .blueprints.methodology.services_versions import methodology_of
from .domain.methodology import Methodology, exact_share
from .domain.route import CourseOffer, offered_courses, school_year_end, spread_due_dates
from .extensions import db
from .kernel.clock import local_today
from .models import (
    AccountStatus,
    Course,
    CourseRecord,
    CourseStatus,
    LearningRoute,
    LearningRouteArea,
    LearningRouteItem,
    MethodologyVersion,
    Platform,
    PlatformAccount,
    RouteItemKind,
    SelfAssessment,
    SelfAssessmentArea,
    SelfAssessmentScore,
    SelfAssessmentStatus,
    User,
    utcnow,
)

BATCH = 10_000
ROUTE_SHARE = 0.8  # of the assessments with growth areas; the others have not opened their route yet
# What a teacher has done about a course in their route: cumulative chances of applied, enrolled, completed.
COURSE_STEPS = ((0.25, CourseStatus.APPLIED), (0.35, CourseStatus.ENROLLED), (0.45, CourseStatus.COMPLETED))


@dataclass(frozen=True)
class AreaScore:
    code: str
    level_rank: int
    mean: Fraction


class FastScorer:
    """Area levels and growth areas of complete answers, as `assess` gives them, without building its objects."""

    def __init__(self, instrument: Methodology):
        self.sections = [(s.code, [i.code for i in s.indicators]) for s in instrument.sections]
        self.top = max(indicator.max_score for indicator in instrument.indicators)
        self.shares = [exact_share(t.min_share) for t in instrument.thresholds]
        self.growth_below = len(self.shares) // 2  # assess's default: below the middle level
        self.rank = cache(self._rank)

    def _rank(self, answered: int, total: int) -> int:
        share = Fraction(total, answered * self.top)
        return max(index for index, minimum in enumerate(self.shares) if share >= minimum)

    def areas(self, answers: dict[str, int]) -> list[AreaScore]:
        result = []
        for code, items in self.sections:
            scores = [answers[item] for item in items if answers.get(item) is not None]
            if scores:
                total = sum(scores)
                result.append(AreaScore(code, self.rank(len(scores), total), Fraction(total, len(scores))))
        return result

    def growth(self, areas: list[AreaScore]) -> list[AreaScore]:
        """The areas below the growth threshold, weakest first (ties in the instrument's order, as assess)."""
        return sorted((a for a in areas if a.level_rank < self.growth_below), key=lambda a: a.mean)


# ------------------------------------------------------------------------------------------------ writing


def _copy_value(value, is_json: bool):
    return json.dumps(value, ensure_ascii=False) if is_json and value is not None else value


def bulk_insert(model, rows: list[dict]) -> None:
    """Rows (dicts with the same keys) into the model's table: COPY on PostgreSQL, executemany elsewhere."""
    if not rows:
        return
    connection = db.session.connection()
    if connection.dialect.name != "postgresql":
        db.session.execute(insert(model), rows)
        return
    table = model.__table__
    names = list(rows[0])
    is_json = [isinstance(table.c[name].type, JSON) for name in names]
    cursor = connection.connection.driver_connection.cursor()
    with cursor.copy(f"COPY {table.name} ({', '.join(names)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row([_copy_value(row[name], flag) for name, flag in zip(names, is_json, strict=True)])


def _next_id(model) -> int:
    return (db.session.scalar(select(func.coalesce(func.max(model.id), 0))) or 0) + 1


def _sync_sequence(model) -> None:
    """Ids were given explicitly: move PostgreSQL's sequence past them (SQLite takes max + 1 by itself)."""
    if db.session.connection().dialect.name == "postgresql":
        highest = select(func.coalesce(func.max(model.id), 1)).scalar_subquery()
        db.session.execute(select(func.setval(func.pg_get_serial_sequence(model.__table__.name, "id"), highest)))


# --------------------------------------------------------------------------------------------- generating


def _answers(instrument: Methodology, rng: random.Random, platforms_in_use: set[str]) -> dict[str, int]:
    """A teacher's answers around a level of their own; platform items higher where the teacher's account is
    active and confirmed, so the research view finds the relation it looks for."""
    ability = rng.gauss(2.3, 0.9)
    answers = {}
    for indicator in instrument.indicators:
        lift = 1.2 if indicator.platform in platforms_in_use else (-0.6 if indicator.platform else 0)
        score = round(ability + lift + rng.gauss(0, 0.8))
        answers[indicator.code] = min(max(score, indicator.scores[0]), indicator.scores[-1])
    return answers


def _confirmed_active(user_ids: set[int]) -> dict[int, set[str]]:
    in_use: dict[int, set[str]] = {}
    for user_id, code in db.session.execute(
        select(PlatformAccount.user_id, Platform.code).join(Platform, Platform.id == PlatformAccount.platform_id)
        .where(PlatformAccount.status == AccountStatus.ACTIVE, PlatformAccount.confirmed_at.is_not(None))
    ):
        if user_id in user_ids:
            in_use.setdefault(user_id, set()).add(code)
    return in_use


def _batches(items: Sequence, size: int) -> Iterator[Sequence]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


def add_assessments(teachers: Sequence[tuple[int, int | None]], version: MethodologyVersion, rng: random.Random,
                    *, campaign_id: int | None = None, days_back: int = 60, today: date | None = None
                    ) -> dict[str, int]:
    """One submitted assessment per (user id, organisation id), submitted over the last `days_back` days, most
    with a route of courses and self-study for their growth areas and some course applications."""
    instrument = methodology_of(version)
    scorer = FastScorer(instrument)
    today = today or local_today()
    now = utcnow()
    titles = {section.code: section.title for section in instrument.sections}
    offers = [CourseOffer(course_id, title, frozenset(areas or ()), is_open, starts_on)
              for course_id, title, areas, is_open, starts_on in db.session.execute(
                  select(Course.id, Course.title, Course.readiness_areas, Course.is_open, Course.starts_on))]
    courses_for = {code: offered_courses(code, offers, frozenset(), today) for code in titles}
    taken = set(db.session.execute(select(CourseRecord.user_id, CourseRecord.course_id)
                                   .where(CourseRecord.course_id.is_not(None))).tuples())
    in_use = _confirmed_active({user_id for user_id, _ in teachers})
    period_end = school_year_end(today)
    counts = dict.fromkeys(("assessments", "routes", "route_items", "course_records"), 0)
    assessment_id, route_id = _next_id(SelfAssessment), _next_id(LearningRoute)
    for batch in _batches(teachers, BATCH):
        assessments, areas, scores, routes, route_areas, items, records = [], [], [], [], [], [], []
        for user_id, organization_id in batch:
            answers = _answers(instrument, rng, in_use.get(user_id, set()))
            submitted = now - timedelta(days=rng.random() * days_back)
            assessments.append({
                "id": assessment_id, "user_id": user_id, "methodology_id": version.id, "campaign_id": campaign_id,
                "organization_id": organization_id, "status": SelfAssessmentStatus.SUBMITTED.value,
                "answers": answers, "started_at": submitted - timedelta(minutes=25), "updated_at": submitted,
                "submitted_at": submitted})
            area_scores = scorer.areas(answers)
            areas += [{"assessment_id": assessment_id, "area_code": a.code, "level_rank": a.level_rank,
                       "mean": round(float(a.mean), 2)} for a in area_scores]
            scores += [{"assessment_id": assessment_id, "item_code": code, "score": score}
                       for code, score in answers.items()]
            growth = scorer.growth(area_scores)
            if growth and rng.random() < ROUTE_SHARE:
                routes.append({"id": route_id, "user_id": user_id, "assessment_id": assessment_id,
                               "period_start": submitted.date(), "period_end": period_end,
                               "shared_with_school": False, "created_at": submitted, "updated_at": submitted})
                planned = []
                for position, area in enumerate(growth):
                    route_areas.append({"route_id": route_id, "area_code": area.code, "position": position,
                                        "current_level": area.level_rank,
                                        "target_level": min(area.level_rank + 1, len(scorer.shares) - 1),
                                        "goal": ""})
                    planned += [(area.code, offer) for offer in courses_for[area.code]]
                    planned.append((area.code, None))
                for (area_code, offer), due in zip(planned, _due_dates(len(planned), today), strict=True):
                    status = _course_step(rng) if offer and (user_id, offer.course_id) not in taken else None
                    if status is not None:
                        taken.add((user_id, offer.course_id))
                        records.append({"user_id": user_id, "course_id": offer.course_id, "status": status.value,
                                        "completed_on": due if status == CourseStatus.COMPLETED else None,
                                        "created_at": submitted})
                    done = status == CourseStatus.COMPLETED
                    items.append({
                        "route_id": route_id, "area_code": area_code,
                        "kind": (RouteItemKind.COURSE if offer else RouteItemKind.SELF_STUDY).value,
                        "title": offer.title if offer else f"Самостоятельное изучение: {titles[area_code].lower()}",
                        "due_on": (offer.starts_on or due) if offer else due,
                        "course_id": offer.course_id if offer else None, "platform_code": None, "step": None,
                        "done_at": now if done else None, "done_automatically": done})
                route_id += 1
            assessment_id += 1
        for model, rows in ((SelfAssessment, assessments), (SelfAssessmentArea, areas), (SelfAssessmentScore, scores),
                            (LearningRoute, routes), (LearningRouteArea, route_areas), (LearningRouteItem, items),
                            (CourseRecord, records)):
            bulk_insert(model, rows)
        counts["assessments"] += len(assessments)
        counts["routes"] += len(routes)
        counts["route_items"] += len(items)
        counts["course_records"] += len(records)
    _sync_sequence(SelfAssessment)
    _sync_sequence(LearningRoute)
    return counts


@cache
def _due_dates(count: int, today: date) -> tuple[date, ...]:
    return tuple(spread_due_dates(count, today))


def _course_step(rng: random.Random) -> CourseStatus | None:
    roll = rng.random()
    return next((status for chance, status in COURSE_STEPS if roll < chance), None)


# ---------------------------------------------------------------------------------------------------- demo

DEMO_ASSESSMENTS = 400
DEMO_POSITIONS = ("учитель", "учитель", "учитель", "воспитатель", "педагог дополнительного образования",
                  "заместитель директора", "педагог-психолог")


def seed_demo_readiness(today: date, prefix: str = "demo-region") -> dict[str, int]:
    """A few hundred of the generated region teachers with submitted assessments and routes, so the research
    view and the course demand look real on first start. Idempotent: nothing is added once they have any."""
    from .blueprints.selfassessment.services import active_instrument

    teachers_of_demo = and_(User.email.like(f"{prefix}%"), User.organization_id.is_not(None))
    done = db.session.scalar(select(SelfAssessment.id).join(User, User.id == SelfAssessment.user_id)
                             .where(teachers_of_demo).limit(1))
    version = active_instrument()
    if done is not None or version is None:
        return {"demo_readiness_assessments": 0}
    teachers = list(db.session.execute(select(User.id, User.organization_id).where(teachers_of_demo)
                                       .order_by(User.id)).tuples())
    rng = random.Random(2026)  # nosec B311 # the same demo data on every machine, not secrets
    chosen = sorted(rng.sample(teachers, k=min(DEMO_ASSESSMENTS, len(teachers))))
    # The generated teachers have no profile details; the dataset's experience and position bands need some.
    db.session.execute(update(User), [
        {"id": user_id, "experience_years": rng.randint(0, 35), "position": rng.choice(DEMO_POSITIONS)}
        for user_id, _ in chosen])
    counts = add_assessments(chosen, version, rng, today=today)
    return {f"demo_readiness_{name}": count for name, count in counts.items()}
