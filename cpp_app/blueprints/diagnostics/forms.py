"""The questionnaire's posted fields: their names, parsing into service inputs, and what may be stashed.

Indicator fields are named «<kind>-<indicator code>»: `score-cos.sferum`, `comment-…`, `evidence-…`, and two
hidden ones per indicator: `rev-…` (the answer's revision the page showed) and `orig-…` (a digest of the answer
as the page loaded it). Only an answer whose posted values differ from `orig` counts as changed by the user:
an untouched answer on a page opened before someone else's save is neither a conflict nor an overwrite.
"""
import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field

from ...domain.methodology import Section
from ...kernel.clock import local_today
from ...kernel.forms import parse_date
from .services import (
    MAX_COMMENT_LENGTH,
    MAX_EVIDENCE_LENGTH,
    AnswerInput,
    GeneralFacts,
    StepInput,
    general_facts_errors,
)

SCORE, COMMENT, EVIDENCE, REVISION, ORIGINAL = "score", "comment", "evidence", "rev", "orig"
STAFF_COUNT, STUDENT_COUNT = "staff_count", "student_count"
SFERUM_STUDENTS, SFERUM_STUDENTS_ON = "sferum_students", "sferum_students_on"
GENERAL_LABELS = {
    STAFF_COUNT: "Численность педагогических работников",
    STUDENT_COUNT: "Численность обучающихся",
    SFERUM_STUDENTS: "Обучающихся зарегистрировано в Сферуме",
    SFERUM_STUDENTS_ON: "На дату (ДД.ММ.ГГГГ)",
}
DATE_FIELDS = frozenset({SFERUM_STUDENTS_ON})
MAX_COUNT_LENGTH = 12
MAX_SCORE_LENGTH = 3
DIGEST_LENGTH = 16
# The longest value each field of a step carries when typed in the real form (a count may have spaces).
_FIELD_BOUNDS = {SCORE: MAX_SCORE_LENGTH, COMMENT: MAX_COMMENT_LENGTH, EVIDENCE: MAX_EVIDENCE_LENGTH,
                 REVISION: MAX_COUNT_LENGTH, ORIGINAL: DIGEST_LENGTH}
_COUNT_BOUND = 2 * MAX_COUNT_LENGTH


def field_name(kind: str, code: str) -> str:
    return f"{kind}-{code}"


def normalize_text(value: str | None) -> str:
    # Browsers post textarea line breaks as CRLF: one form keeps digests stable across round trips.
    return (value or "").replace("\r\n", "\n").strip()


def answer_digest(score: int | None, comment: str | None, evidence_url: str | None) -> str:
    raw = json.dumps([score, comment or "", evidence_url or ""], ensure_ascii=False)
    return hashlib.sha256(raw.encode()).hexdigest()[:DIGEST_LENGTH]


def _int_or_none(value: str | None) -> int | None:
    value = (value or "").strip()
    return int(value) if value.isdigit() and len(value) <= MAX_COUNT_LENGTH else None


@dataclass(frozen=True)
class PostedAnswer:
    """One indicator's fields as posted (or as the page shows them)."""

    score: int | None
    comment: str
    evidence_url: str
    revision: int | None
    original: str | None  # digest of the answer the page loaded; None when the page did not say

    @property
    def changed(self) -> bool:
        return self.original is None or self.original != answer_digest(self.score, self.comment, self.evidence_url)

    def as_input(self) -> AnswerInput:
        return AnswerInput(self.score, self.comment, self.evidence_url, self.revision)


@dataclass(frozen=True)
class PostedStep:
    answers: dict[str, PostedAnswer] = field(default_factory=dict)
    general: bool = False
    facts: GeneralFacts = GeneralFacts()
    raw_counts: dict[str, str] = field(default_factory=dict)  # as typed, to show a wrong value back
    errors: dict[str, str] = field(default_factory=dict)  # keyed like the services' FieldErrors

    def step_input(self) -> StepInput:
        """What the service saves: the counts, or only the answers the user changed (one that could not be read,
        such as an unknown level, stays out: it comes back with its message while the others are saved)."""
        return StepInput(
            answers={code: answer.as_input() for code, answer in self.answers.items()
                     if answer.changed and code not in self.errors},
            general=self.general,
            facts=self.facts,
        )


def parse_section(section: Section, formdata: Mapping[str, str]) -> PostedStep:
    answers, errors = {}, {}
    for indicator in section.indicators:
        code = indicator.code
        raw_score = (formdata.get(field_name(SCORE, code)) or "").strip()
        score = int(raw_score) if raw_score.isdigit() and len(raw_score) <= MAX_SCORE_LENGTH else None
        if raw_score and score is None:
            errors[code] = "Выберите один из уровней показателя."
        answers[code] = PostedAnswer(
            score=score,
            comment=normalize_text(formdata.get(field_name(COMMENT, code))),
            evidence_url=(formdata.get(field_name(EVIDENCE, code)) or "").strip(),
            revision=_int_or_none(formdata.get(field_name(REVISION, code))),
            original=formdata.get(field_name(ORIGINAL, code)) or None,
        )
    return PostedStep(answers=answers, errors=errors)


def parse_general(formdata: Mapping[str, str]) -> PostedStep:
    raw = {name: (formdata.get(name) or "").strip() for name in GENERAL_LABELS}
    values, errors = {}, {}
    for name, text in raw.items():
        if name in DATE_FIELDS:
            values[name] = parse_date(text)
            if text and values[name] is None:
                errors[name] = "Введите дату в виде ДД.ММ.ГГГГ, например 01.09.2026."
            continue
        digits = text.replace(" ", "").replace("\u00a0", "")
        values[name] = _int_or_none(digits)
        if digits.startswith(("-", "−")) and _int_or_none(digits[1:]) is not None:
            errors[name] = "Число не может быть отрицательным."
        elif digits and values[name] is None:
            errors[name] = "Введите целое число, например 42."
    facts = GeneralFacts(**values)
    # Every message at once: the facts' rules for the fields that could be read.
    errors = {**general_facts_errors(facts, local_today()), **errors}
    return PostedStep(general=True, facts=facts, raw_counts=raw, errors=errors)


def step_fields(section: Section | None) -> dict[str, int]:
    """Every field the form of a step posts (the section's, or «Общие сведения» for None), with its bound."""
    if section is None:
        return {name: _COUNT_BOUND for name in GENERAL_LABELS}
    return {field_name(kind, indicator.code): bound
            for indicator in section.indicators for kind, bound in _FIELD_BOUNDS.items()}


def stash_payload(formdata, section: Section | None) -> dict[str, str] | None:
    """The step's fields of a POST that arrived after the session ended, each cut to its bound; the rest (the
    CSRF token, anything the form does not have) is dropped. None for more than the real form can hold: that
    is not someone's answers, and it is not stored."""
    fields = step_fields(section)
    posted = {name: (formdata.get(name) or "").replace("\r\n", "\n") for name in fields if name in formdata}
    if sum(map(len, posted.values())) > sum(fields.values()):
        return None
    return {name: value[:fields[name]] for name, value in posted.items()}
