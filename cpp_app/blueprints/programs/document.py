"""What a development program's documents show, gathered once into plain JSON-able data.

`build_document(program)` is the single source of the PDF, the DOCX and the frozen snapshot of an approved
revision (`ProgramRevision.snapshot`): strings, ints, lists and dicts only, no ORM objects, no floats, no
time of rendering. So `document_hash(doc)` of unchanged content is always the same, also after a JSON round
trip through the database, and a stored rendering can be found again by it.

Dates are Russian-formatted strings (dd.mm.yyyy), because the documents print nothing else; years are ints.
User text is cleaned of characters XML cannot hold, so both renderers get text they can write.
"""
import hashlib
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from datetime import date

from ...domain.methodology import Methodology
from ...domain.program import ChosenAction, expected_outcome, roadmap_by_year
from ...domain.scoring import Result
from ...formatting import local_date
from ...kernel.plural import genitive, points_word
from ...kernel.xml_text import xml_safe
from ...models import DevelopmentProgram, ProgramAction
from ..diagnostics.services import answers_by_code
from ..methodology.services_versions import methodology_of
from ..school.services import staff_profile

SCHEMA = 2  # bump when the shape changes: old snapshots keep theirs, renderers may branch on it
DASH = "\u2013"
NBSP = "\u00a0"

# The letter's own title; the recommendations it sends are named after it.
LETTER_03_877 = (
    "Письмо Министерства просвещения Российской Федерации от 17.06.2024 № 03-877 «О направлении методических "
    "рекомендаций» (методические рекомендации по разработке, утверждению и согласованию программ развития "
    "общеобразовательных организаций)"
)
BASIS = (
    "Федеральный закон от 29.12.2012 № 273-ФЗ «Об образовании в Российской Федерации»",
    LETTER_03_877,
    "Результаты самодиагностики цифровой образовательной среды образовательной организации",
)

_BULLET = re.compile(r"^\s*(?:[-–—•*·]|\d{1,2}[.)])\s+")


def clean(value) -> str:
    """User or registry text as a plain string XML can carry: invalid characters removed, ends stripped."""
    return xml_safe(value).replace("\r\n", "\n").replace("\r", "\n").strip()


def paragraphs(value) -> list[str]:
    """A free-text section as paragraphs: one per non-empty line."""
    return [line for line in (" ".join(part.split()) for part in clean(value).split("\n")) if line]


def lines_without_bullets(value) -> list[str]:
    """«Задачи» typed as a list («- …», «1) …») become list items without their markers."""
    return [_BULLET.sub("", line, count=1) for line in paragraphs(value)]


def russian_date(day: date | None) -> str | None:
    return day.strftime("%d.%m.%Y") if day else None


def percent(part: int, whole: int) -> str:
    return f"{round(part * 100 / whole) if whole else 0}{NBSP}%"


def period_text(start: int, end: int) -> str:
    return f"{start}{DASH}{end} годы" if start != end else f"{start} год"


def program_title(full_name: str, start: int, end: int) -> str:
    return f"Программа развития {full_name} на {period_text(start, end)}"


# --------------------------------------------------------------------------------------------- domain


def _targets(actions: Iterable[ProgramAction]) -> dict[str, int]:
    """Per indicator, the highest score the program's actions aim at."""
    targets: dict[str, int] = {}
    for action in actions:
        targets[action.indicator_code] = max(targets.get(action.indicator_code, 0), action.to_score)
    return targets


def _valid_targets(methodology: Methodology, targets: Mapping[str, int]) -> dict[str, int]:
    """Targets the methodology has a level for: a stale action (edited methodology code) must not break printing."""
    valid = {}
    for code, target in targets.items():
        indicator = methodology.indicator(code)
        if indicator is not None and target in indicator.scores:
            valid[code] = target
    return valid


# ------------------------------------------------------------------------------------------- building


def build_document(program: DevelopmentProgram) -> dict:
    """Everything the program's documents show, as plain data; see the module docstring.

    Call it after status, revision and approved_at are set: they are part of the content."""
    organization = program.organization
    diagnostic = program.diagnostic
    methodology = methodology_of(diagnostic)
    answers = {code: answer.score for code, answer in answers_by_code(diagnostic).items()}
    actions = list(program.actions)  # ordered by sort_order, id
    targets = _targets(actions)
    before, after = expected_outcome(methodology, answers, _valid_targets(methodology, targets))

    full_name = clean(organization.full_name)
    start, end = program.period_start, program.period_end
    title = program_title(full_name, start, end)
    labels = {indicator.code: clean(indicator.label) for indicator in methodology.indicators}

    deficits = _deficits(before, targets)
    expected = _expected(methodology, before, after, targets)
    doc = {
        "schema": SCHEMA,
        "program_id": program.id,
        "revision": program.revision,
        "status": program.status.value,
        "status_label": program.status.label,
        "approved_at": local_date(program.approved_at) or None,
        "period": {"start": start, "end": end, "text": period_text(start, end)},
        "title": title,
        "organization": _organization(program),
        "passport": {
            "name": title,
            "basis": list(BASIS),
            "developer": f"Администрация {clean(organization.short_name) or full_name}",
            "goal": " ".join(paragraphs(program.goal)),
            "tasks": lines_without_bullets(program.tasks),
            "period": period_text(start, end),
            "expected_results": expected["summary"],
        },
        "approval": _approval(program),
        "information": {
            "school_year": clean(diagnostic.school_year),
            "teachers": diagnostic.staff_count,
            "students": diagnostic.student_count,
            "founder": clean(program.founder_name) or None,
            "licence": paragraphs(program.licence),
            "accreditation": paragraphs(program.accreditation),
            "programs": lines_without_bullets(program.programs_offered),
            "contacts": paragraphs(program.contacts),
            "staff": _staff(program.organization_id),
        },
        "analysis": {name: lines_without_bullets(getattr(program, name))
                     for name in ("strengths", "weaknesses", "opportunities", "risks")},
        "mission": paragraphs(program.mission),
        "resources": paragraphs(program.resources),
        "stages": [
            {"number": number, "title": " ".join(paragraphs(stage.title)), "start": russian_date(stage.starts_on),
             "end": russian_date(stage.ends_on)}
            for number, stage in enumerate(program.stages, start=1)
        ],
        "monitoring": lines_without_bullets(program.monitoring),
        "results": _results(methodology, diagnostic.school_year, before),
        "deficits": deficits,
        "causes": paragraphs(program.causes),
        "possible_actions": _actions_by_deficit(deficits, actions, labels),
        "decisions": paragraphs(program.decisions),
        "expected": expected,
        "mechanisms": paragraphs(program.mechanisms),
        "roadmap": _roadmap(actions, labels, start, end),
        "totals": {"deficits": len(deficits), "actions": len(actions)},
    }
    return doc


def _approval(program: DevelopmentProgram) -> dict:
    """The title page's «СОГЛАСОВАНО» (the founder) and the collegial bodies' marks; None where not filled in,
    so the document leaves a line to fill by hand."""
    return {
        "founder_name": clean(program.founder_name) or None,
        "founder_position": clean(program.founder_position) or None,
        "founder_signatory": clean(program.founder_signatory) or None,
        "councils": [
            {"body": body, "protocol": clean(protocol) or None, "date": russian_date(day)}
            for body, protocol, day in (
                ("педагогического совета", program.teachers_council_protocol, program.teachers_council_date),
                ("управляющего совета", program.governing_council_protocol, program.governing_council_date),
            )
        ],
    }


def _staff(organization_id: int) -> dict:
    profile = staff_profile(organization_id)
    return {"total": profile.total,
            "by_position": [[clean(name), count] for name, count in profile.by_position],
            "by_category": [[clean(name), count] for name, count in profile.by_category]}


def _organization(program: DevelopmentProgram) -> dict:
    organization = program.organization
    head = organization.head
    return {
        "full_name": clean(organization.full_name),
        "short_name": clean(organization.short_name),
        "kind": organization.kind.label,
        "address": clean(organization.address) or None,
        "inn": clean(organization.inn) or None,
        "ogrn": clean(organization.ogrn) or None,
        "municipality": clean(organization.municipality.name),
        "head": clean(head.full_name) if head is not None else None,
    }


def _level_text(result: Result) -> str:
    return f"«{result.level.title}» ({result.total} из {result.maximum} {points_word(result.maximum)}, " \
           f"{percent(result.total, result.maximum)})"


def _results(methodology: Methodology, school_year: str, result: Result) -> dict:
    sections = []
    for section in methodology.sections:
        points = result.section(section.code)
        rows = []
        for indicator in section.indicators:
            scored = result.indicator(indicator.code)
            rows.append({
                "code": indicator.code,
                "label": clean(indicator.label),
                "score": scored.score,
                "max": scored.max_score,
                "level_text": clean(scored.text),
                "critical": indicator.critical,
                "answered": scored.answered,
            })
        sections.append({
            "code": section.code,
            "title": clean(section.title),
            "points": points.points,
            "max": points.max_points,
            "counts_towards_level": section.counts_towards_level,
            "all_or_nothing": section.scoring == "all_or_nothing",
            "indicators": rows,
        })
    failed = [clean(methodology.indicator(code).label) for code in result.failed_critical]
    cap_note = None
    if result.capped:
        cap_note = (
            f"Уровень ограничен: критический показатель с 0 баллов ({', '.join(f'«{label}»' for label in failed)}); "
            f"по сумме баллов был бы «{result.level_by_share.title}»."
        )
    return {
        "school_year": clean(school_year),
        "methodology_title": clean(methodology.title),
        "methodology_version": methodology.version,
        "sections": sections,
        "total": result.total,
        "max": result.maximum,
        "percent": percent(result.total, result.maximum),
        "level_title": clean(result.level.title),
        "level_text": _level_text(result),
        "cap_note": cap_note,
        "levels_note": clean(methodology.levels_note) or None,
    }


def _deficits(result: Result, targets: Mapping[str, int]) -> list[dict]:
    """In the scoring's order: critical first, then by gap (largest first), then methodology order."""
    rows = []
    for deficit in result.deficits:
        target = targets.get(deficit.code)
        rows.append({
            "code": deficit.code,
            "label": clean(deficit.label),
            "critical": deficit.critical,
            "current": deficit.current,
            "max": deficit.maximum,
            "gap": deficit.gap,
            "target": target if target is not None and target > deficit.current else None,
            "next_text": clean(deficit.next_text),
        })
    return rows


def _action(action: ProgramAction, labels: Mapping[str, str]) -> dict:
    return {
        "indicator_code": action.indicator_code,
        "indicator_label": labels.get(action.indicator_code, clean(action.indicator_code)),
        "from_score": action.from_score,
        "to_score": action.to_score,
        "text": " ".join(paragraphs(action.text)),
        "responsible_name": " ".join(paragraphs(action.responsible_name))
        or ("не назначен" if action.responsible_unassigned else ""),
        "responsible_position": " ".join(paragraphs(action.responsible_position)),
        "due_date": russian_date(action.due_date),
        "expected_result": " ".join(paragraphs(action.expected_result)),
        "status": action.status.value,
        "status_label": action.status.label,
    }


def _actions_by_deficit(deficits: Sequence[dict], actions: Sequence[ProgramAction], labels) -> list[dict]:
    """4.1: the chosen actions under their deficit, deficits in 3.2's order; actions on other indicators last."""
    groups = [
        {"code": d["code"], "label": d["label"], "critical": d["critical"], "current": d["current"],
         "target": d["target"], "actions": []}
        for d in deficits
    ]
    by_code = {group["code"]: group for group in groups}
    for action in actions:
        group = by_code.get(action.indicator_code)
        if group is None:
            group = {"code": action.indicator_code, "label": labels.get(action.indicator_code, clean(action.indicator_code)),
                     "critical": False, "current": action.from_score, "target": action.to_score, "actions": []}
            by_code[action.indicator_code] = group
            groups.append(group)
        group["actions"].append(_action(action, labels))
    return [group for group in groups if group["actions"]]


def _expected(methodology: Methodology, before: Result, after: Result, targets: Mapping[str, int]) -> dict:
    rows = []
    for indicator in methodology.indicators:
        if indicator.code not in targets:
            continue
        was, will = before.indicator(indicator.code), after.indicator(indicator.code)
        if will.score <= was.score:
            continue
        rows.append({
            "code": indicator.code,
            "label": clean(indicator.label),
            "current": was.score,
            "target": will.score,
            "max": will.max_score,
            "target_text": clean(will.text),
        })
    summary = [
        f"Уровень цифровой образовательной среды по результатам самодиагностики: "
        f"{_level_text(before)} — в начале реализации программы, {_level_text(after)} — ожидаемый.",
    ]
    if rows:
        summary.append(
            f"Повышение {len(rows)} {genitive(len(rows), 'показателя', 'показателей')} "
            "самодиагностики до запланированных значений (раздел 5)."
        )
    if after.failed_critical:
        summary.append("Критические показатели с 0 баллов, не охваченные программой, ограничивают уровень.")
    return {
        "before": {"total": before.total, "max": before.maximum, "level_title": clean(before.level.title),
                   "percent": percent(before.total, before.maximum)},
        "after": {"total": after.total, "max": after.maximum, "level_title": clean(after.level.title),
                  "percent": percent(after.total, after.maximum)},
        "indicators": rows,
        "summary": summary,
    }


def _roadmap(actions: Sequence[ProgramAction], labels, start: int, end: int) -> list[dict]:
    """Every year of the period with its actions by due date (the domain's rule: undated ones in the last year,
    dates outside the period in its nearest year); actions are numbered through the whole road map."""
    chosen = [
        ChosenAction(action.indicator_code, action.from_score, action.to_score, action.text, action.responsible_name,
                     action.responsible_position, action.due_date, action.expected_result)
        for action in actions
    ]
    # Equal actions are equal ChosenActions: the row is found again by identity, not by value.
    rows = {id(item): action for item, action in zip(chosen, actions, strict=True)}
    groups, number = [], 0
    for year, items in roadmap_by_year(chosen, (start, end)):
        entries = []
        for item in items:
            number += 1
            entries.append({"number": number, **_action(rows[id(item)], labels)})
        groups.append({"year": year, "title": f"{year} год", "actions": entries})
    return groups


def document_hash(doc: Mapping) -> str:
    """sha256 of the canonical JSON: equal content, equal hash, whatever the key order or JSON round trip."""
    canonical = json.dumps(doc, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()
