"""What the development-program pages show: a school's and the region's programs, the constructor's deficits
and proposals, the road map and what the next diagnostic closed. Reads only; services.py changes programs."""
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import defer, joinedload, selectinload

from ...domain.methodology import Methodology
from ...domain.program import (
    DeficitProposal,
    MeasureOption,
    expected_outcome,
    measures_for,
    progress,
    propose,
    roadmap_by_year,
)
from ...domain.program import closed_deficits as closed_codes
from ...domain.scoring import Result
from ...extensions import db
from ...models import (
    DevelopmentProgram,
    Diagnostic,
    DiagnosticStatus,
    MethodologyVersion,
    Organization,
    ProgramAction,
    ProgramActionEvent,
    ProgramRevision,
)
from ...queries import Page, paginate
from ..admin.measure_services import measure_options
from ..diagnostics.services import answers_by_code, result_of
from ..methodology.services_versions import methodology_of

BASE_STATUSES = (DiagnosticStatus.SUBMITTED, DiagnosticStatus.ACCEPTED)
REGION_PAGE_SIZE = 25
# The lists show each program's approved revisions (numbers and links), never their content snapshots.
REVISION_NUMBERS = selectinload(DevelopmentProgram.revisions).options(defer(ProgramRevision.snapshot))
# Everything the constructor and the road map read, in a fixed number of queries however many actions and events.
WHOLE_PROGRAM = (
    joinedload(DevelopmentProgram.organization),
    joinedload(DevelopmentProgram.diagnostic).options(joinedload(Diagnostic.methodology),
                                                       selectinload(Diagnostic.answers)),
    selectinload(DevelopmentProgram.actions).selectinload(ProgramAction.events)
    .joinedload(ProgramActionEvent.actor),
    REVISION_NUMBERS,
)


# ------------------------------------------------------------------------------------------------ lookups


def programs_of(organization_id: int) -> list[DevelopmentProgram]:
    return list(db.session.scalars(
        select(DevelopmentProgram)
        .options(selectinload(DevelopmentProgram.actions), selectinload(DevelopmentProgram.diagnostic),
                 REVISION_NUMBERS)
        .where(DevelopmentProgram.organization_id == organization_id)
        .order_by(DevelopmentProgram.period_start.desc(), DevelopmentProgram.id.desc())
    ))


def base_diagnostics(organization_id: int) -> list[Diagnostic]:
    """The diagnostics a program may be built from: submitted or accepted, newest first."""
    return list(db.session.scalars(
        select(Diagnostic)
        .options(selectinload(Diagnostic.methodology))
        .where(Diagnostic.organization_id == organization_id, Diagnostic.status.in_(BASE_STATUSES))
        .order_by(Diagnostic.school_year.desc(), Diagnostic.id.desc())
    ))


def school_program(organization_id: int | None, program_id: int) -> DevelopmentProgram | None:
    """The organisation's own program; another organisation's is None (and so a 404)."""
    if organization_id is None:
        return None
    return db.session.scalar(select(DevelopmentProgram).options(*WHOLE_PROGRAM).where(
        DevelopmentProgram.id == program_id, DevelopmentProgram.organization_id == organization_id
    ))


def region_program(program_id: int) -> DevelopmentProgram | None:
    return db.session.scalar(select(DevelopmentProgram).options(*WHOLE_PROGRAM)
                             .where(DevelopmentProgram.id == program_id))


def region_programs(municipality_id: int | None, page: int) -> Page[DevelopmentProgram]:
    """Every program of the region, the latest changed first, for the institute's read-only list."""
    statement = (
        select(DevelopmentProgram)
        .join(DevelopmentProgram.organization)
        .options(selectinload(DevelopmentProgram.organization).selectinload(Organization.municipality),
                 selectinload(DevelopmentProgram.actions), REVISION_NUMBERS)
        .order_by(DevelopmentProgram.updated_at.desc(), DevelopmentProgram.id.desc())
    )
    if municipality_id is not None:
        statement = statement.where(Organization.municipality_id == municipality_id)
    return paginate(statement, page, REGION_PAGE_SIZE)


def find_action(program: DevelopmentProgram, action_id: int) -> ProgramAction | None:
    return next((action for action in program.actions if action.id == action_id), None)


# ------------------------------------------------------------------------------------------ the constructor


def ordered_actions(program: DevelopmentProgram) -> list[ProgramAction]:
    # The relationship's order holds when loaded; actions changed in this session may need sorting again.
    return sorted(program.actions, key=lambda action: (action.sort_order, action.id or 0))


def targets_of(program: DevelopmentProgram) -> dict[str, int]:
    targets: dict[str, int] = {}
    for action in program.actions:
        targets[action.indicator_code] = max(targets.get(action.indicator_code, 0), action.to_score)
    return targets


def proposals_for(methodology: Methodology, result: Result, options, targets: dict[str, int]) -> list[DeficitProposal]:
    """Proposals for the program's targets; a stored target that no longer fits is left at the default."""
    defaults = {p.indicator_code: p for p in propose(methodology, result, options)}
    valid = {code: value for code, value in targets.items()
             if code in defaults and value in defaults[code].targets}
    return propose(methodology, result, options, valid) if valid else list(defaults.values())


@dataclass(frozen=True)
class DeficitView:
    proposal: DeficitProposal
    actions: list[ProgramAction]
    library: tuple[MeasureOption, ...]  # measures that may be added: up to the target, not yet in the program
    level_texts: dict[int, str]  # score → level text, for the target choice


@dataclass(frozen=True)
class Constructor:
    program: DevelopmentProgram
    methodology: Methodology
    result: Result
    expected: Result  # when every target is reached
    deficits: list[DeficitView]
    others: list[ProgramAction]  # actions on indicators that are no deficit (none unless data was edited by hand)
    first_day: date
    last_day: date


def program_context(program: DevelopmentProgram):
    methodology = methodology_of(program.diagnostic)
    result = result_of(program.diagnostic)
    options = measure_options(methodology.code)
    proposals = proposals_for(methodology, result, options, targets_of(program))
    return methodology, result, options, proposals


def constructor(program: DevelopmentProgram) -> Constructor:
    methodology, result, options, proposals = program_context(program)
    actions = ordered_actions(program)
    chosen = {action.measure_id for action in actions if action.measure_id is not None}
    deficits = []
    for proposal in proposals:
        code = proposal.indicator_code
        indicator = methodology.indicator(code)
        deficits.append(DeficitView(
            proposal=proposal,
            actions=[action for action in actions if action.indicator_code == code],
            library=tuple(m for m in measures_for(code, proposal.current, proposal.target, options)
                          if m.id not in chosen),
            level_texts={level.score: level.text for level in indicator.levels},
        ))
    codes = {proposal.indicator_code for proposal in proposals}
    answers = {code: answer.score for code, answer in answers_by_code(program.diagnostic).items()}
    _, expected = expected_outcome(methodology, answers, targets_of(program))
    return Constructor(
        program=program, methodology=methodology, result=result, expected=expected, deficits=deficits,
        others=[action for action in actions if action.indicator_code not in codes],
        first_day=date(program.period_start, 1, 1), last_day=date(program.period_end, 12, 31),
    )


# ------------------------------------------------------------------------------------------------ road map


@dataclass(frozen=True)
class Progress:
    planned: int
    in_progress: int
    done: int
    share_done: float

    @property
    def total(self) -> int:
        return self.planned + self.in_progress + self.done

    @property
    def percent(self) -> int:
        return round(self.share_done * 100)


def progress_of(actions) -> Progress:
    return Progress(*progress([action.status.value for action in actions]))


@dataclass(frozen=True)
class RoadmapYear:
    year: int
    actions: list[ProgramAction]
    progress: Progress


@dataclass(frozen=True)
class Closure:
    """What a later diagnostic of the organisation says about the program's deficits."""

    diagnostic: Diagnostic
    closed: list[str]  # labels
    open: list[str]


@dataclass(frozen=True)
class Roadmap:
    overall: Progress
    years: list[RoadmapYear]
    closure: Closure | None
    labels: dict[str, str]  # indicator code → label


def roadmap(program: DevelopmentProgram) -> Roadmap:
    actions = ordered_actions(program)
    period = (program.period_start, program.period_end)
    # ProgramAction has every field of ChosenAction under the same name, so the domain takes it as it is.
    years = [RoadmapYear(year, list(items), progress_of(items)) for year, items in roadmap_by_year(actions, period)]
    methodology = methodology_of(program.diagnostic)
    labels = {indicator.code: indicator.label for indicator in methodology.indicators}
    return Roadmap(progress_of(actions), years, _closure(program, methodology, labels), labels)


def later_diagnostic(program: DevelopmentProgram) -> Diagnostic | None:
    """The organisation's newest submitted or accepted diagnostic of a later school year, same methodology."""
    base = program.diagnostic
    return db.session.scalar(
        select(Diagnostic)
        .join(MethodologyVersion, Diagnostic.methodology_id == MethodologyVersion.id)
        .where(
            Diagnostic.organization_id == program.organization_id,
            Diagnostic.status.in_(BASE_STATUSES),
            Diagnostic.school_year > base.school_year,
            MethodologyVersion.code == base.methodology.code,
        )
        .order_by(Diagnostic.school_year.desc(), Diagnostic.id.desc())
        .limit(1)
    )


def _closure(program: DevelopmentProgram, methodology: Methodology, labels: dict[str, str]) -> Closure | None:
    later = later_diagnostic(program)
    if later is None:
        return None
    before, after = result_of(program.diagnostic), result_of(later)
    targets = targets_of(program)
    closed = closed_codes(before, after, targets)
    planned = [d.code for d in before.deficits if d.code in targets]  # the deficits the program worked on
    return Closure(
        diagnostic=later,
        closed=[labels.get(code, code) for code in closed],
        open=[labels.get(code, code) for code in planned if code not in closed],
    )


# ------------------------------------------------------------------------------------------------ approval


@dataclass(frozen=True)
class Missing:
    """A required field left empty, with the constructor field that fixes it."""

    problem: str  # the same for every field of its kind: «не указан ответственный»
    where: str  # which part of the program, for the check page's link
    anchor: str  # the field's id in the constructor


def _action_name(action: ProgramAction, labels: dict[str, str]) -> str:
    text = " ".join(action.text.split())
    short = text if len(text) <= 90 else text[:89].rstrip() + "…"
    return f"«{labels.get(action.indicator_code, action.indicator_code)}»: {short or 'мероприятие без описания'}"


def approval_missing(program: DevelopmentProgram, labels: dict[str, str] | None = None) -> list[Missing]:
    """What must be filled before the program may be approved, in the constructor's order. The responsible
    person is required: a name, or «Ответственный не назначен» ticked explicitly."""
    if labels is None:
        labels = {i.code: i.label for i in methodology_of(program.diagnostic).indicators}
    missing = []
    if not program.goal.strip():
        missing.append(Missing("не заполнена цель программы", "Цель программы", "goal"))
    if not program.tasks.strip():
        missing.append(Missing("не заполнены задачи программы", "Задачи", "tasks"))
    actions = ordered_actions(program)
    if not actions:
        missing.append(Missing("в программе нет ни одного мероприятия", "Дефициты и мероприятия", "deficits-title"))
    for action in actions:
        name = _action_name(action, labels)
        if not action.responsible_name.strip() and not action.responsible_unassigned:
            missing.append(Missing("не указан ответственный", name, f"action-{action.id}-responsible_name"))
        if action.due_date is None:
            missing.append(Missing("не указан срок", name, f"action-{action.id}-due_date"))
    return missing


@dataclass(frozen=True)
class Responsible:
    name: str  # «Павлова Е. Н.» or «не назначен»
    positions: tuple[str, ...]
    actions: int


@dataclass(frozen=True)
class ApprovalCheck:
    """What approving the current draft will freeze, and what is still missing."""

    program: DevelopmentProgram
    deficits: list[DeficitProposal]  # the goals by indicator: current → target
    actions: int
    years: list[tuple[int, int]]  # (year, road-map items due in it)
    responsible: list[Responsible]
    missing: list[Missing]


def approval_check(program: DevelopmentProgram) -> ApprovalCheck:
    methodology, _, _, proposals = program_context(program)
    labels = {indicator.code: indicator.label for indicator in methodology.indicators}
    actions = ordered_actions(program)
    by_year = roadmap_by_year(actions, (program.period_start, program.period_end))
    people: dict[str, tuple[list[str], int]] = {}
    for action in actions:
        name = action.responsible_name.strip() or ("не назначен" if action.responsible_unassigned else "")
        if not name:
            continue  # listed among the missing fields
        positions, count = people.get(name, ([], 0))
        position = action.responsible_position.strip()
        if position and position not in positions:
            positions.append(position)
        people[name] = (positions, count + 1)
    return ApprovalCheck(
        program=program, deficits=proposals, actions=len(actions),
        years=[(year, len(items)) for year, items in by_year],
        responsible=[Responsible(name, tuple(positions), count) for name, (positions, count) in people.items()],
        missing=approval_missing(program, labels),
    )
