"""The measures library: what a school does to lift one indicator to one score.

Seeded from seeds/measures.yaml (only missing rows are added: methodologists' edits stay), edited by
methodologists, offered to directors building a development program (`measure_options`).
"""
from collections.abc import Mapping
from dataclasses import dataclass, fields
from pathlib import Path

import yaml
from sqlalchemy import func, select

from ... import audit
from ...config import BASE_DIR
from ...domain.methodology import Indicator, Methodology
from ...domain.program import MeasureOption
from ...extensions import db
from ...kernel.actor import Actor
from ...kernel.plural import genitive
from ...models import Course, Measure, MethodologyVersion, ProgramAction
from ...service_errors import FieldErrors
from ..methodology.services_versions import SCHOOL, active_school_version, methodology_of

MEASURES_FILE = BASE_DIR / "seeds" / "measures.yaml"
REQUIRED_KEYS = ("methodology_code", "indicator_code", "target_score", "text", "responsible_role", "duration",
                 "expected_result")
OPTIONAL_KEYS = ("course",)
# Column widths of `measures` (text and expected_result are Text; kept sane for the forms anyway).
MAX_LENGTHS = {"methodology_code": 50, "indicator_code": 100, "responsible_role": 200, "duration": 100,
               "text": 2000, "expected_result": 2000, "course": 300}


# ------------------------------------------------------------------------------------------ for the constructor


def measure_options(methodology_code: str) -> list[MeasureOption]:
    """Active measures of the methodology with their course titles (one query), in library order:
    indicator, target score, then the library's own order."""
    statement = (
        select(
            Measure.id, Measure.indicator_code, Measure.target_score, Measure.text, Measure.responsible_role,
            Measure.duration, Measure.expected_result, Course.title,
        )
        .outerjoin(Course, Course.id == Measure.course_id)
        .where(Measure.methodology_code == methodology_code, Measure.is_active)
        .order_by(Measure.indicator_code, Measure.target_score, Measure.sort_order, Measure.id)
    )
    return [MeasureOption(*row) for row in db.session.execute(statement)]


# ------------------------------------------------------------------------------------------------ the seed file


class MeasureFileError(ValueError):
    """Every problem of a measures file, in Russian."""

    def __init__(self, source: str, problems: list[str]):
        self.problems = list(problems)
        super().__init__(f"Файл мер {source} не прошёл проверку:\n" + "\n".join(f"- {p}" for p in self.problems))


def load_measures(
    path: str | Path, methodologies: Mapping[str, Methodology] | None = None
) -> list[dict]:
    """The measures of a YAML file as plain dicts (keys REQUIRED_KEYS, `course` title or None), checked:
    types, lengths, target_score ≥ 1, no duplicates; with `methodologies` (code → Methodology) also that
    the indicator exists and has a level `target_score`. Raises MeasureFileError listing every problem."""
    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8-sig"))
    except yaml.YAMLError as error:
        raise MeasureFileError(path.name, [f"ошибка синтаксиса YAML: {error}"]) from None
    if not isinstance(data, list):
        raise MeasureFileError(path.name, ["ожидается список мер (каждая — словарь ключ: значение)"])
    problems: list[str] = []
    rows: list[dict] = []
    seen: set[tuple] = set()
    for number, item in enumerate(data, start=1):
        where = f"мера {number}"
        if not isinstance(item, dict):
            problems.append(f"{where}: ожидается словарь (ключ: значение)")
            continue
        bad = len(problems)
        for key in item:
            if key not in REQUIRED_KEYS + OPTIONAL_KEYS:
                problems.append(f"{where}: неизвестный ключ «{key}»")
        for key in REQUIRED_KEYS:
            if key not in item:
                problems.append(f"{where}: нет ключа «{key}»")
        row = {key: item.get(key) for key in REQUIRED_KEYS}
        row["course"] = item.get("course")
        score = row["target_score"]
        if "target_score" in item and (isinstance(score, bool) or not isinstance(score, int) or score < 1):
            problems.append(f"{where}: target_score — целое число не меньше 1")
        for key, limit in MAX_LENGTHS.items():
            value = row.get(key)
            if value is None and (key == "course" or key not in item):
                continue
            if not isinstance(value, str) or not value.strip():
                problems.append(f"{where}: «{key}» — непустая строка")
            elif len(value.strip()) > limit:
                problems.append(f"{where}: «{key}» длиннее {limit} {genitive(limit, 'символа', 'символов')}")
            else:
                row[key] = " ".join(value.split())  # folded YAML lines and stray spaces: one clean line
        if len(problems) > bad:
            continue
        where = f"{where} ({row['indicator_code']}, {score})"
        if methodologies is not None:
            methodology = methodologies.get(row["methodology_code"])
            indicator = methodology.indicator(row["indicator_code"]) if methodology else None
            if methodology is None:
                problems.append(f"{where}: методика «{row['methodology_code']}» не опубликована")
            elif indicator is None:
                problems.append(f"{where}: в методике нет показателя «{row['indicator_code']}»")
            elif score not in indicator.scores:
                allowed = ", ".join(str(s) for s in indicator.scores if s >= 1)
                problems.append(f"{where}: у показателя нет уровня {score}; допустимо: {allowed}")
        key = (row["methodology_code"], row["indicator_code"], score, row["text"])
        if key in seen:
            problems.append(f"{where}: мера повторяется")
        seen.add(key)
        rows.append(row)
    if problems:
        raise MeasureFileError(path.name, problems)
    return rows


def seed_measures(path: str | Path = MEASURES_FILE) -> int:
    """Adds the file's measures that are missing, by (methodology, indicator, target score, text); existing
    rows, edited or deactivated by methodologists, are left alone. Needs the methodologies published and
    the courses seeded. Returns how many were added."""
    codes = {
        code for code in db.session.scalars(
            select(MethodologyVersion.code).where(MethodologyVersion.is_active, MethodologyVersion.subject == SCHOOL)
        )
    }
    methodologies = {code: methodology_of(active_school_version(code)) for code in codes}
    rows = load_measures(path, methodologies)
    titles = {row["course"] for row in rows if row["course"]}
    # Titles are not unique in the catalogue; the earliest course (the seeded one) wins.
    found = db.session.execute(
        select(Course.title, Course.id).where(Course.title.in_(titles)).order_by(Course.id.desc())
    ).all() if titles else []
    course_ids = dict(found)
    missing = sorted(titles - course_ids.keys())
    if missing:
        raise MeasureFileError(Path(path).name, [f"курса «{title}» нет в каталоге" for title in missing])
    existing = set(
        db.session.execute(
            select(Measure.methodology_code, Measure.indicator_code, Measure.target_score, Measure.text)
        ).tuples()
    )
    created = 0
    for order, row in enumerate(rows):
        key = (row["methodology_code"], row["indicator_code"], row["target_score"], row["text"])
        if key in existing:
            continue
        db.session.add(
            Measure(
                **{name: row[name] for name in REQUIRED_KEYS},
                course_id=course_ids.get(row["course"]),
                sort_order=order,  # the file's order is the library's order
            )
        )
        existing.add(key)
        created += 1
    db.session.flush()
    return created


# ------------------------------------------------------------------------------------------------ the library


@dataclass(frozen=True)
class MeasureData:
    methodology_code: str
    indicator_code: str
    target_score: int
    text: str
    responsible_role: str
    duration: str
    expected_result: str
    course_id: int | None


@dataclass(frozen=True)
class MeasureRow:
    measure: Measure
    course_title: str | None
    used: int  # road-map actions made from it


@dataclass(frozen=True)
class ScoreGroup:
    score: int
    text: str  # the level text; "" for a score the indicator does not have
    rows: list[MeasureRow]


@dataclass(frozen=True)
class IndicatorGroup:
    code: str
    title: str  # the indicator's label, or the code when the active methodology lacks it
    known: bool
    scores: list[ScoreGroup]


def active_methodology(code: str) -> Methodology | None:
    version = active_school_version(code)
    return methodology_of(version) if version else None


def active_codes() -> list[str]:
    return list(
        db.session.scalars(
            select(MethodologyVersion.code)
            .where(MethodologyVersion.is_active, MethodologyVersion.subject == SCHOOL)
            .distinct()
            .order_by(MethodologyVersion.code)
        )
    )


def measure_rows(methodology_code: str, indicator_code: str | None = None) -> list[MeasureRow]:
    """Every measure (active and not), with its course title and use count, in one grouped query."""
    usage = (
        select(ProgramAction.measure_id, func.count(ProgramAction.id).label("used"))
        .where(ProgramAction.measure_id.is_not(None))
        .group_by(ProgramAction.measure_id)
        .subquery()
    )
    statement = (
        select(Measure, Course.title, func.coalesce(usage.c.used, 0))
        .outerjoin(Course, Course.id == Measure.course_id)
        .outerjoin(usage, usage.c.measure_id == Measure.id)
        .where(Measure.methodology_code == methodology_code)
        .order_by(Measure.target_score, Measure.is_active.desc(), Measure.sort_order, Measure.id)
    )
    if indicator_code:
        statement = statement.where(Measure.indicator_code == indicator_code)
    return [MeasureRow(measure, title, used) for measure, title, used in db.session.execute(statement)]


def grouped(methodology: Methodology | None, rows: list[MeasureRow], indicator_code: str | None = None
            ) -> list[IndicatorGroup]:
    """Rows grouped by indicator (methodology order) and target score; every level ≥ 1 of the methodology
    appears, empty ones too, so gaps in the library show. Codes the methodology lacks come last."""
    by_key: dict[tuple[str, int], list[MeasureRow]] = {}
    for row in rows:
        by_key.setdefault((row.measure.indicator_code, row.measure.target_score), []).append(row)
    groups = []
    indicators = methodology.indicators if methodology else ()
    for indicator in indicators:
        if indicator_code and indicator.code != indicator_code:
            continue
        scores = [
            ScoreGroup(level.score, level.text, by_key.pop((indicator.code, level.score), []))
            for level in indicator.levels
            if level.score >= 1
        ]
        # Measures for a score the indicator no longer has (a newer methodology version).
        scores += [
            ScoreGroup(score, "", by_key.pop((code, score)))
            for code, score in sorted(by_key)
            if code == indicator.code
        ]
        groups.append(IndicatorGroup(indicator.code, indicator.label, True, scores))
    for code in sorted({code for code, _ in by_key}):
        scores = [ScoreGroup(score, "", by_key[(c, score)]) for c, score in sorted(by_key) if c == code]
        groups.append(IndicatorGroup(code, code, False, scores))
    return groups


def get_measure(measure_id: int) -> Measure | None:
    return db.session.get(Measure, measure_id)


def course_choices() -> list[tuple[int, str]]:
    """The catalogue, open courses first, for the measure's optional course."""
    rows = db.session.execute(
        select(Course.id, Course.title, Course.is_open).order_by(Course.is_open.desc(), Course.title, Course.id)
    )
    return [(id_, title if is_open else f"{title} (запись закрыта)") for id_, title, is_open in rows]


def _check(data: MeasureData, methodology: Methodology | None) -> Indicator:
    errors = {}
    indicator = methodology.indicator(data.indicator_code) if methodology else None
    if indicator is None:
        errors["indicator_code"] = "Выберите показатель из списка."
    elif data.target_score not in indicator.scores or data.target_score < 1:
        allowed = ", ".join(str(s) for s in indicator.scores if s >= 1)
        errors["target_score"] = f"У показателя «{indicator.label}» нет уровня {data.target_score}; допустимо: {allowed}."
    if data.course_id is not None and db.session.get(Course, data.course_id) is None:
        errors["course_id"] = "Выберите курс из каталога."
    if errors:
        raise FieldErrors(errors)
    return indicator


def _next_sort_order(data: MeasureData) -> int:
    current = db.session.scalar(
        select(func.max(Measure.sort_order)).where(
            Measure.methodology_code == data.methodology_code,
            Measure.indicator_code == data.indicator_code,
            Measure.target_score == data.target_score,
        )
    )
    return 0 if current is None else current + 1


def create_measure(data: MeasureData, methodology: Methodology | None, actor: Actor) -> Measure:
    _check(data, methodology)
    measure = Measure(**{f.name: getattr(data, f.name) for f in fields(data)}, sort_order=_next_sort_order(data))
    db.session.add(measure)
    db.session.flush()
    audit.record(actor, "measure.created", measure, indicator_code=measure.indicator_code,
                 target_score=measure.target_score)
    return measure


def update_measure(measure: Measure, data: MeasureData, methodology: Methodology | None, actor: Actor) -> bool:
    """True if anything changed. Programs keep their own copy of the text, so editing never rewrites them."""
    _check(data, methodology)
    changed = sorted(f.name for f in fields(data) if getattr(measure, f.name) != getattr(data, f.name))
    moved = "indicator_code" in changed or "target_score" in changed
    for name in changed:
        setattr(measure, name, getattr(data, name))
    if moved:
        measure.sort_order = _next_sort_order(data)  # to the end of its new group
    db.session.flush()
    if changed:
        audit.record(actor, "measure.updated", measure, fields=changed)
    return bool(changed)


def set_measure_active(measure: Measure, is_active: bool, actor: Actor) -> bool:
    """Measures are never deleted (programs refer to them); True if the state changed."""
    if measure.is_active == is_active:
        return False
    measure.is_active = is_active
    db.session.flush()
    audit.record(actor, "measure.reactivated" if is_active else "measure.deactivated", measure)
    return True
