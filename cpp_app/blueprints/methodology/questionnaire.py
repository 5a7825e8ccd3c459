"""The questionnaire engine: a diagnostic's indicator set walked step by step, what each indicator block shows
(stored, posted or stashed answers, suggestions, conflicts), the check page, the list and the autosave answer.
Plain data for the templates; the loading is done by the services."""
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime

from ...domain.methodology import Indicator, Level, Methodology, Section
from ...domain.scoring import Result, Suggestion, next_level_plan, plan_sentence
from ...domain.workflow import is_editable
from ...kernel.plural import points_word
from ...models import Diagnostic, DiagnosticAnswer, DiagnosticStatus
from ..diagnostics.forms import (
    COMMENT,
    DATE_FIELDS,
    EVIDENCE,
    GENERAL_LABELS,
    ORIGINAL,
    REVISION,
    SCORE,
    PostedAnswer,
    PostedStep,
    answer_digest,
    field_name,
    parse_general,
    parse_section,
)
from ..diagnostics.services import (
    Conflict,
    LiveData,
    PlatformGap,
    SaveOutcome,
    answers_by_code,
    live_data,
    result_of,
    rule_platforms,
    user_names,
)
from ..school.services import StaffCounts, staff_counts
from .services_versions import methodology_of

GENERAL = "general"
GENERAL_TITLE = "Общие сведения"
MAX_NAMES = 30  # names listed per platform; the staff page has the rest


def level_label(level: Level) -> str:
    """«2 балла — соответствует в полной мере»: the text of a radio choice."""
    return f"{level.score} {points_word(level.score)} — {level.text}"


def html_key(code: str) -> str:
    """An indicator code as a part of an element id (ids with dots need escaping in CSS selectors)."""
    return code.replace(".", "-")


# ----------------------------------------------------------------------------------------------- steps


@dataclass(frozen=True)
class Step:
    code: str
    title: str
    nav_title: str  # shorter, for the list of steps
    answered: int | None = None  # None for «Общие сведения»
    total: int | None = None


def _steps(methodology: Methodology, stored: Mapping[str, DiagnosticAnswer]) -> tuple[Step, ...]:
    steps = [Step(GENERAL, GENERAL_TITLE, GENERAL_TITLE)]
    for section in methodology.sections:
        answered = sum(
            1 for indicator in section.indicators
            if indicator.code in stored and stored[indicator.code].score is not None
        )
        # «Ключевое условие … — Критерий «…»» is too long for the list of steps: the part after the last dash.
        nav_title = f"Критерий «{section.criterion}»" if section.criterion else section.title.split(" — ")[-1]
        steps.append(Step(section.code, section.title, nav_title, answered, len(section.indicators)))
    return tuple(steps)


@dataclass(frozen=True)
class Questionnaire:
    """One diagnostic opened at one step."""

    diagnostic: Diagnostic
    methodology: Methodology
    steps: tuple[Step, ...]
    step: Step
    section: Section | None  # None for «Общие сведения»

    @property
    def general(self) -> bool:
        return self.section is None

    @property
    def editable(self) -> bool:
        return is_editable(self.diagnostic.status)

    @property
    def next_step(self) -> Step | None:
        index = self.steps.index(self.step)
        return self.steps[index + 1] if index + 1 < len(self.steps) else None

    def parse(self, formdata) -> PostedStep:
        return parse_general(formdata) if self.general else parse_section(self.section, formdata)


def open_questionnaire(diagnostic: Diagnostic, step_code: str | None) -> Questionnaire | None:
    """The diagnostic at the step `step_code` (the first step when not given); None for an unknown step."""
    methodology = methodology_of(diagnostic)
    steps = _steps(methodology, answers_by_code(diagnostic))
    step = next((step for step in steps if step.code == (step_code or GENERAL)), None)
    if step is None:
        return None
    section = None if step.code == GENERAL else methodology.section(step.code)
    return Questionnaire(diagnostic, methodology, steps, step, section)


# ----------------------------------------------------------------------------------- indicator blocks


@dataclass(frozen=True)
class GapView:
    """The confirmed teachers keeping one platform's figure down, as the school admin sees them."""

    code: str
    name: str
    not_registered: tuple[str, ...]
    not_registered_more: int
    unconfirmed: tuple[str, ...]
    unconfirmed_more: int

    @classmethod
    def of(cls, gap: PlatformGap) -> "GapView":
        return cls(
            gap.code, gap.name,
            gap.not_registered, gap.not_registered_count - len(gap.not_registered),
            gap.unconfirmed, gap.unconfirmed_count - len(gap.unconfirmed),
        )


@dataclass(frozen=True)
class ConflictView:
    who: str
    when: datetime | None
    theirs: str
    yours: str


def suggested_label_of(suggestion: Suggestion | None) -> str | None:
    """«2 балла»: the score the teachers' confirmed profiles support, in words; None when there is none."""
    if suggestion is None or suggestion.score is None:
        return None
    return f"{suggestion.score} {points_word(suggestion.score)}"


def is_over_claim(score: int | None, suggestion: Suggestion | None) -> bool:
    """The chosen score is above what the teachers' confirmed profiles support."""
    suggested = suggestion.score if suggestion is not None else None
    return suggested is not None and score is not None and score > suggested


@dataclass(frozen=True)
class IndicatorView:
    indicator: Indicator
    number: int
    shown: PostedAnswer  # what the inputs show (stored, posted or stashed values)
    reviewer_comment: str | None
    errors: Mapping[str, str]  # "score", "comment", "evidence_url"
    suggestion: Suggestion | None
    gaps: tuple[GapView, ...]
    conflict: ConflictView | None

    @property
    def key(self) -> str:
        return html_key(self.indicator.code)

    def name(self, kind: str) -> str:
        return field_name(kind, self.indicator.code)

    # The posted fields of this indicator's inputs.
    score_name = property(lambda self: self.name(SCORE))
    comment_name = property(lambda self: self.name(COMMENT))
    evidence_name = property(lambda self: self.name(EVIDENCE))
    revision_name = property(lambda self: self.name(REVISION))
    original_name = property(lambda self: self.name(ORIGINAL))

    @property
    def choices(self) -> tuple[tuple[int, str, str], ...]:
        """(score, label, element id) of each radio choice."""
        return tuple(
            (level.score, level_label(level), f"score-{self.key}-{level.score}") for level in self.indicator.levels
        )

    @property
    def suggested_label(self) -> str | None:
        return suggested_label_of(self.suggestion)

    @property
    def suggested_score(self) -> int | None:
        return self.suggestion.score if self.suggestion is not None else None

    @property
    def over_claim(self) -> bool:
        return is_over_claim(self.shown.score, self.suggestion)

    @property
    def shown_label(self) -> str | None:
        if self.shown.score is None or self.shown.score not in self.indicator.scores:
            return None
        return level_label(self.indicator.level(self.shown.score))


def stored_answer(answer: DiagnosticAnswer | None) -> PostedAnswer:
    if answer is None:
        return PostedAnswer(None, "", "", None, answer_digest(None, "", ""))
    return PostedAnswer(
        answer.score, answer.comment or "", answer.evidence_url or "", answer.revision,
        answer_digest(answer.score, answer.comment, answer.evidence_url),
    )


def describe(indicator: Indicator, answer) -> str:
    """An answer in words, for the conflict notice: «2 балла — text; комментарий: «…»; ссылка: …»."""
    parts = [
        level_label(indicator.level(answer.score)) if answer.score in indicator.scores else "уровень не выбран"
    ]
    if answer.comment:
        parts.append(f"комментарий: «{answer.comment}»")
    if answer.evidence_url:
        parts.append(f"ссылка: {answer.evidence_url}")
    return "; ".join(parts)


@dataclass(frozen=True)
class GeneralView:
    values: dict[str, str]  # field name → shown text
    labels: dict[str, str]
    errors: Mapping[str, str]
    staff: StaffCounts  # the organisation's staff in ЦПП, for comparison
    date_fields: frozenset[str] = frozenset()


@dataclass(frozen=True)
class PageView:
    questionnaire: Questionnaire
    indicators: tuple[IndicatorView, ...]
    general: GeneralView | None
    live: LiveData | None
    return_note: str | None  # the reviewer's note when the diagnostic came back for rework
    conflicts: int = 0
    errors: bool = False
    after_save: bool = False  # the answers not shown as conflicting or refused are saved

    @property
    def diagnostic(self) -> Diagnostic:
        return self.questionnaire.diagnostic


def _return_note(diagnostic: Diagnostic) -> str | None:
    if diagnostic.status != DiagnosticStatus.RETURNED:
        return None
    returned = [event for event in diagnostic.events if event.to_status == DiagnosticStatus.RETURNED]
    return returned[-1].note if returned else None


def page_view(
    questionnaire: Questionnaire,
    posted: PostedStep | None = None,
    conflicts: tuple[Conflict, ...] = (),
    errors: Mapping[str, str] | None = None,
    after_save: bool = False,
) -> PageView:
    """The step with stored answers, or with `posted` ones (stashed, refused, or — after a save with conflicts —
    only the conflicting ones, their revision moved on so that saving again deliberately overwrites)."""
    diagnostic = questionnaire.diagnostic
    errors = dict(errors or {})
    if posted is not None:
        errors = {**posted.errors, **errors}
    if questionnaire.general:
        return PageView(questionnaire, (), _general_view(diagnostic, posted, errors), None, _return_note(diagnostic),
                        errors=bool(errors))
    stored = answers_by_code(diagnostic)
    live = live_data(diagnostic, questionnaire.methodology, questionnaire.section, gap_names=MAX_NAMES)
    conflict_by_code = {conflict.indicator_code: conflict for conflict in conflicts}
    names = user_names(conflict.changed_by_id for conflict in conflicts)
    returned = diagnostic.status == DiagnosticStatus.RETURNED
    views = []
    for number, indicator in enumerate(questionnaire.section.indicators, start=1):
        code = indicator.code
        answer = stored.get(code)
        shown = stored_answer(answer)
        conflict = conflict_by_code.get(code)
        own_errors = {key: errors[name] for key, name in (("score", code), ("comment", f"{code}.comment"),
                                                          ("evidence_url", f"{code}.evidence_url")) if name in errors}
        if posted is not None and code in posted.answers and (conflict is not None or own_errors or not after_save):
            shown = posted.answers[code]
        if conflict is not None:
            shown = replace(shown, revision=answer.revision, original=stored_answer(answer).original)
        views.append(IndicatorView(
            indicator=indicator,
            number=number,
            shown=shown,
            reviewer_comment=answer.reviewer_comment if returned and answer is not None else None,
            errors=own_errors,
            suggestion=live.suggestions.get(code) if live else None,
            gaps=_gaps(indicator, live),
            conflict=_conflict_view(indicator, conflict, answer, names),
        ))
    return PageView(questionnaire, tuple(views), None, live, _return_note(diagnostic), len(conflicts),
                    errors=bool(errors), after_save=after_save)


def _gaps(indicator: Indicator, live: LiveData | None) -> tuple[GapView, ...]:
    if live is None or indicator.auto is None:
        return ()
    return tuple(GapView.of(live.gaps[code]) for code in rule_platforms(indicator) if code in live.gaps)


def _conflict_view(indicator, conflict: Conflict | None, answer, names) -> ConflictView | None:
    if conflict is None:
        return None
    return ConflictView(
        who=names.get(conflict.changed_by_id, "неизвестный пользователь"),
        when=answer.updated_at if answer is not None else None,
        theirs=describe(indicator, conflict.theirs),
        yours=describe(indicator, conflict.yours),
    )


def _general_view(diagnostic: Diagnostic, posted: PostedStep | None, errors: Mapping[str, str]) -> GeneralView:
    if posted is not None and posted.general:
        values = dict(posted.raw_counts)
    else:
        stored = {name: getattr(diagnostic, name) for name in GENERAL_LABELS}
        values = {name: "" if value is None else value.strftime("%d.%m.%Y") if name in DATE_FIELDS else str(value)
                  for name, value in stored.items()}
    return GeneralView(values, GENERAL_LABELS, {name: errors[name] for name in GENERAL_LABELS if name in errors},
                       staff_counts(diagnostic.organization_id), DATE_FIELDS)


# --------------------------------------------------------------------------------------------- check page


@dataclass(frozen=True)
class CheckRow:
    indicator: Indicator
    number: int
    section_code: str
    answer: DiagnosticAnswer | None
    reviewer_comment: str | None
    suggestion: Suggestion | None = None

    @property
    def key(self) -> str:
        return html_key(self.indicator.code)

    @property
    def suggested_label(self) -> str | None:
        return suggested_label_of(self.suggestion)

    @property
    def over_claim(self) -> bool:
        return is_over_claim(None if self.answer is None else self.answer.score, self.suggestion)

    @property
    def missing(self) -> bool:
        return self.answer is None or self.answer.score is None

    @property
    def level_text(self) -> str | None:
        return None if self.missing else level_label(self.indicator.level(self.answer.score))


@dataclass(frozen=True)
class CheckSection:
    section: Section
    rows: tuple[CheckRow, ...]
    points: int
    max_points: int


@dataclass(frozen=True)
class CheckView:
    diagnostic: Diagnostic
    methodology: Methodology
    sections: tuple[CheckSection, ...]
    result: Result
    plan: str | None
    failed_critical: tuple[Indicator, ...]
    general: GeneralView  # «Общие сведения»: the counts the shares are computed from

    @property
    def missing(self) -> tuple[CheckRow, ...]:
        return tuple(row for section in self.sections for row in section.rows if row.missing)

    @property
    def over_claims(self) -> tuple[CheckRow, ...]:
        """Answers above what the teachers' profiles support, the same warning as in the questionnaire."""
        return tuple(row for section in self.sections for row in section.rows if row.over_claim)

    @property
    def editable(self) -> bool:
        return is_editable(self.diagnostic.status)


def check_view(diagnostic: Diagnostic) -> CheckView:
    methodology = methodology_of(diagnostic)
    stored = answers_by_code(diagnostic)
    result = result_of(diagnostic)
    returned = diagnostic.status == DiagnosticStatus.RETURNED
    live = live_data(diagnostic, methodology) if is_editable(diagnostic.status) else None
    suggestions = live.suggestions if live else {}
    sections = []
    for section in methodology.sections:
        rows = tuple(
            CheckRow(indicator, number, section.code, stored.get(indicator.code),
                     stored[indicator.code].reviewer_comment if returned and indicator.code in stored else None,
                     suggestions.get(indicator.code))
            for number, indicator in enumerate(section.indicators, start=1)
        )
        scored = result.section(section.code)
        sections.append(CheckSection(section, rows, scored.points, scored.max_points))
    plan = next_level_plan(methodology, {code: answer.score for code, answer in stored.items()})
    return CheckView(
        diagnostic=diagnostic,
        methodology=methodology,
        sections=tuple(sections),
        result=result,
        plan=plan_sentence(plan) if plan is not None else None,
        failed_critical=tuple(methodology.indicator(code) for code in result.failed_critical),
        general=_general_view(diagnostic, None, {}),
    )


# ------------------------------------------------------------------------------------------------ the list


@dataclass(frozen=True)
class DiagnosticRow:
    diagnostic: Diagnostic
    methodology_title: str
    level_title: str | None  # cached at submission


def diagnostic_rows(diagnostics: list[Diagnostic]) -> list[DiagnosticRow]:
    parsed: dict[int, Methodology] = {}
    rows = []
    for diagnostic in diagnostics:
        if diagnostic.methodology_id not in parsed:
            parsed[diagnostic.methodology_id] = methodology_of(diagnostic)
        methodology = parsed[diagnostic.methodology_id]
        level = None
        if diagnostic.level_code:
            level = next((t.title for t in methodology.thresholds if t.code == diagnostic.level_code), None)
        rows.append(DiagnosticRow(diagnostic, methodology.title, level))
    return rows


# ------------------------------------------------------------------------------------------------ autosave


def autosave_result(questionnaire: Questionnaire, posted: PostedStep, outcome: SaveOutcome, now: datetime) -> dict:
    """The autosave answer: new revisions and digests of the answers now in line with the page, and conflicts
    (their revision is left alone, so the next save of that answer is a conflict again, never an overwrite)."""
    stored = answers_by_code(questionnaire.diagnostic)
    conflicted = {conflict.indicator_code for conflict in outcome.conflicts}
    names = user_names(conflict.changed_by_id for conflict in outcome.conflicts)
    refused = {code for code in posted.answers
               if any(key == code or key.startswith(code + ".") for key in (*outcome.errors, *posted.errors))}
    in_line = [code for code in posted.step_input().answers
               if code not in conflicted and code not in refused and code in stored]
    conflicts = []
    for conflict in outcome.conflicts:
        indicator = questionnaire.methodology.indicator(conflict.indicator_code)
        conflicts.append({
            "code": indicator.code,
            "title": indicator.label,
            "who": names.get(conflict.changed_by_id, "неизвестный пользователь"),
            "theirs": describe(indicator, conflict.theirs),
            "yours": describe(indicator, conflict.yours),
        })
    return {
        "saved": outcome.saved,
        "revisions": {code: stored[code].revision for code in in_line},
        "digests": {code: stored_answer(stored[code]).original for code in in_line},
        "conflicts": conflicts,
        "saved_at": now.strftime("%H:%M"),
    }
