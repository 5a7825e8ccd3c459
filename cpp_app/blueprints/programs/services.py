"""Changing development programs: created from a diagnostic's deficits, edited in the constructor, approved into
frozen revisions, and followed through the road map's action statuses (what the pages show is in pages.py).

An approved revision is read-only: changing it takes an explicit new revision (a draft), and the approved one
stays the program's document until the draft is approved in turn.

The target of a deficit is not stored on its own: it is the highest `to_score` of the deficit's actions (the
documents read it the same way), and a deficit without actions has the default target, the next level.
"""
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select

from ... import audit
from ...domain.program import (
    DeficitProposal,
    MeasureOption,
    default_due_dates,
    draft_texts,
    measures_for,
    propose,
)
from ...domain.program_parts import default_stages
from ...domain.workflow import TransitionRefused
from ...extensions import db
from ...kernel.actor import Actor
from ...kernel.clock import local_today
from ...models import (
    ActionStatus,
    DevelopmentProgram,
    Diagnostic,
    Organization,
    ProgramAction,
    ProgramActionEvent,
    ProgramRevision,
    ProgramStage,
    ProgramStatus,
    utcnow,
)
from ...service_errors import FieldErrors
from ..admin.measure_services import measure_options
from ..diagnostics.services import result_of
from ..methodology.services_versions import methodology_of
from .document import build_document
from .jobs import queue_revision_documents
from .pages import BASE_STATUSES, approval_missing, ordered_actions, program_context
from .parts import drafts as part_drafts

SECTIONS = ("goal", "tasks", "causes", "decisions", "mechanisms")
SECTION_LIMIT = 20_000
TEXT_LIMIT = 2_000
NAME_LIMIT = 200  # the columns' length
NOTE_LIMIT = 2_000
MAX_PERIOD_YEARS = 10
EDIT_APPROVED = ("Программа утверждена, её редакция не меняется. Чтобы внести изменения, нажмите «Начать новую "
                 "редакцию»: утверждённая останется действующей, пока вы не утвердите новую.")
START_YEARS_AROUND = 5  # a period may start this many years before or after the current one


# ------------------------------------------------------------------------------------------- field names
# The constructor posts one form; services key their errors by the names of its fields.


def action_field(action_id: int, name: str) -> str:
    return f"action-{action_id}-{name}"


def target_field(code: str) -> str:
    return f"target-{code}"


def new_field(code: str, name: str) -> str:
    return f"new-{code}-{name}"


# ----------------------------------------------------------------------------------------------- creating


def check_period(start: int | None, end: int | None, today: date) -> tuple[int, int]:
    errors = {}
    if start is None:
        errors["period_start"] = "Укажите год начала программы."
    elif not today.year - START_YEARS_AROUND <= start <= today.year + START_YEARS_AROUND:
        errors["period_start"] = (
            f"Год начала — от {today.year - START_YEARS_AROUND} до {today.year + START_YEARS_AROUND}."
        )
    if end is None:
        errors["period_end"] = "Укажите год окончания программы."
    elif start is not None and end < start:
        errors["period_end"] = "Год окончания не может быть раньше года начала."
    elif start is not None and end - start + 1 > MAX_PERIOD_YEARS:
        errors["period_end"] = f"Программа рассчитывается не более чем на {MAX_PERIOD_YEARS} лет."
    if errors:
        raise FieldErrors(errors)
    return start, end


def _check_base(organization: Organization, diagnostic: Diagnostic | None) -> Diagnostic:
    if diagnostic is None or diagnostic.organization_id != organization.id:
        raise FieldErrors({"diagnostic_id": "Выберите самодиагностику из списка."})
    if diagnostic.status not in BASE_STATUSES:
        raise FieldErrors({"diagnostic_id": "Программу можно построить только по самодиагностике, отправленной "
                                            "на проверку или принятой КК ИПК."})
    existing = db.session.scalar(select(DevelopmentProgram.id).where(
        DevelopmentProgram.diagnostic_id == diagnostic.id).limit(1))
    if existing is not None:
        raise FieldErrors({"diagnostic_id": f"По самодиагностике {diagnostic.school_year} программа уже создана: "
                                            "откройте её в списке выше."})
    return diagnostic


def create_program(organization: Organization, diagnostic: Diagnostic | None, period: tuple[int | None, int | None],
                   actor: Actor, today: date | None = None) -> DevelopmentProgram:
    """A draft with every proposed measure preselected and the free-text sections drafted from the data."""
    diagnostic = _check_base(organization, diagnostic)
    today = today or local_today()
    start, end = check_period(*period, today)
    methodology, result = methodology_of(diagnostic), result_of(diagnostic)
    proposals = propose(methodology, result, measure_options(methodology.code))
    drafts = draft_texts(organization.short_name or organization.full_name, methodology, result, proposals,
                         (start, end))
    program = DevelopmentProgram(
        organization=organization, diagnostic=diagnostic, period_start=start, period_end=end,
        status=ProgramStatus.DRAFT, revision=1, created_by_id=actor.user_id,
        **{name: getattr(drafts, name) for name in SECTIONS},
    )
    db.session.add(program)
    due = default_due_dates((start, end), proposals, today)
    order = 0
    for proposal in proposals:
        for option in proposal.measures:
            program.actions.append(_action_from(proposal, option, proposal.target, due[proposal.indicator_code], order))
            order += 1
    for name, text in part_drafts(organization.id, diagnostic.staff_count, methodology, result, proposals,
                             program.actions).items():
        setattr(program, name, text)
    program.stages = [ProgramStage(sort_order=number, title=stage.title, starts_on=stage.starts_on,
                                   ends_on=stage.ends_on) for number, stage in enumerate(default_stages((start, end)))]
    db.session.flush()
    audit.record(actor, "program.created", program, diagnostic_id=diagnostic.id, period=f"{start}-{end}",
                 actions=len(program.actions))
    return program


def _action_from(proposal: DeficitProposal, option: MeasureOption, target: int, due: date | None,
                 order: int) -> ProgramAction:
    return ProgramAction(
        indicator_code=proposal.indicator_code, from_score=proposal.current, to_score=target,
        measure_id=option.id, text=option.text, responsible_position=option.responsible_role[:NAME_LIMIT],
        responsible_name="", due_date=due, expected_result=option.expected_result, sort_order=order,
        status=ActionStatus.PLANNED,
    )


# ---------------------------------------------------------------------------------------------- editing


@dataclass(frozen=True)
class ActionInput:
    text: str
    responsible_name: str
    responsible_position: str
    due_date: date | None
    expected_result: str
    responsible_unassigned: bool = False  # «Ответственный не назначен», ticked explicitly


@dataclass(frozen=True)
class ProgramInput:
    """What the constructor posted; absent parts are left as they are."""

    sections: dict[str, str] = field(default_factory=dict)
    targets: dict[str, int] = field(default_factory=dict)
    actions: dict[int, ActionInput] = field(default_factory=dict)


@dataclass(frozen=True)
class EditOutcome:
    changed: bool = False
    reproposed: tuple[str, ...] = ()  # labels of deficits whose measures were proposed again for a new target
    without_measures: tuple[str, ...] = ()  # of those, deficits for whose target the library has nothing


def _length_error(value: str, limit: int) -> str | None:
    return f"Не более {limit} символов." if len(value) > limit else None


def program_errors(program: DevelopmentProgram, data: ProgramInput,
                   proposals: list[DeficitProposal] | None = None) -> dict[str, str]:
    """Every problem of the posted constructor, keyed by field name; empty when it may be saved."""
    if proposals is None:
        proposals = program_context(program)[3]
    errors: dict[str, str] = {}
    for name, value in data.sections.items():
        if problem := _length_error(value, SECTION_LIMIT):
            errors[name] = problem
    by_code = {p.indicator_code: p for p in proposals}
    for code, target in data.targets.items():
        proposal = by_code.get(code)
        if proposal is None or target not in proposal.targets:
            errors[target_field(code)] = "Выберите цель из списка."
    first, last = date(program.period_start, 1, 1), date(program.period_end, 12, 31)
    existing = {action.id for action in program.actions}
    for action_id, given in data.actions.items():
        if action_id not in existing:
            continue  # deleted meanwhile (another tab): nothing to correct, nothing to save
        errors.update({action_field(action_id, name): problem
                       for name, problem in _action_problems(given, first, last).items()})
    return errors


def _action_problems(given: ActionInput, first: date, last: date) -> dict[str, str]:
    problems = {}
    if not given.text:
        problems["text"] = "Опишите мероприятие."
    for name, limit in (("text", TEXT_LIMIT), ("expected_result", TEXT_LIMIT),
                        ("responsible_name", NAME_LIMIT), ("responsible_position", NAME_LIMIT)):
        if name not in problems and (problem := _length_error(getattr(given, name), limit)):
            problems[name] = problem
    if given.responsible_unassigned and given.responsible_name:
        problems["responsible_unassigned"] = ("Укажите ФИО ответственного или отметьте «Ответственный не назначен» "
                                              "— не то и другое сразу.")
    if given.due_date is None:
        problems["due_date"] = "Укажите срок выполнения."
    elif not first <= given.due_date <= last:
        problems["due_date"] = f"Срок должен быть в пределах периода программы: с {first:%d.%m.%Y} по {last:%d.%m.%Y}."
    return problems


def check_editable(program: DevelopmentProgram) -> None:
    """An approved revision is frozen: the constructor refuses to change it (road-map statuses excepted)."""
    if program.status == ProgramStatus.APPROVED:
        raise TransitionRefused(EDIT_APPROVED)


def _touch(program: DevelopmentProgram) -> None:
    program.updated_at = utcnow()


def start_new_revision(program: DevelopmentProgram, actor: Actor) -> int:
    """Approved revision N → draft N+1, asked for explicitly; revision N stays frozen and downloadable."""
    if program.status != ProgramStatus.APPROVED:
        raise TransitionRefused(f"Редакция {program.revision} — черновик: её можно менять, новая не нужна.")
    program.status = ProgramStatus.DRAFT
    program.revision += 1
    _touch(program)
    audit.record(actor, "program.reopened", program, revision=program.revision)
    db.session.flush()
    return program.revision


def save_program(program: DevelopmentProgram, data: ProgramInput, actor: Actor, *, apply_targets: bool = True,
                 record: bool = True) -> EditOutcome:
    """Saves what changed (all or nothing: any invalid field raises FieldErrors and nothing is changed).

    A changed target proposes the deficit's measures again: library actions not yet started that do not lead
    to the new target are dropped, the missing ones added; own actions and started ones stay. `record=False`
    (autosave) keeps routine edits out of the audit log. An approved program is refused (TransitionRefused)."""
    check_editable(program)
    methodology, result, options, proposals = program_context(program)
    if errors := program_errors(program, data, proposals):
        raise FieldErrors(errors)
    changed = False
    for name, value in data.sections.items():
        if getattr(program, name) != value:
            setattr(program, name, value)
            changed = True
    actions = {action.id: action for action in program.actions}
    for action_id, given in data.actions.items():
        action = actions.get(action_id)
        if action is None:
            continue  # deleted meanwhile (another tab): nothing to save it to
        for name in ActionInput.__dataclass_fields__:
            if getattr(action, name) != getattr(given, name):
                setattr(action, name, getattr(given, name))
                changed = True
    reproposed, empty = [], []
    if apply_targets:
        reproposed, empty = _apply_targets(program, data.targets, methodology, result, options, proposals)
    changed = changed or bool(reproposed)
    if changed:
        _touch(program)
    if changed and record:
        audit.record(actor, "program.updated", program, revision=program.revision,
                     reproposed=list(reproposed))
    db.session.flush()
    labels = {p.indicator_code: p.label for p in proposals}
    return EditOutcome(changed, tuple(labels[c] for c in reproposed), tuple(labels[c] for c in empty))


def _apply_targets(program, targets, methodology, result, options, proposals) -> tuple[list[str], list[str]]:
    current = {p.indicator_code: p for p in proposals}
    changed = {code: value for code, value in targets.items() if current[code].target != value}
    if not changed:
        return [], []
    wanted = {p.indicator_code: p.target for p in proposals} | changed
    renewed = {p.indicator_code: p for p in propose(methodology, result, options, wanted)}
    due = default_due_dates((program.period_start, program.period_end), list(renewed.values()), local_today())
    order = max((action.sort_order for action in program.actions), default=-1) + 1
    empty = []
    for code, target in changed.items():
        offered = {option.id: option for option in renewed[code].measures}
        kept = []
        for action in [a for a in ordered_actions(program) if a.indicator_code == code]:
            planned_library = action.measure_id is not None and action.status == ActionStatus.PLANNED
            if planned_library and action.measure_id not in offered:
                program.actions.remove(action)
                continue
            action.to_score = target
            kept.append(action)
        present = {action.measure_id for action in kept}
        for option in offered.values():
            if option.id not in present:
                program.actions.append(_action_from(renewed[code], option, target, due[code], order))
                order += 1
        if not offered and not kept:
            empty.append(code)
    return list(changed), empty


def _renumber(actions: list[ProgramAction]) -> None:
    for order, action in enumerate(actions):
        action.sort_order = order


def move_action(program: DevelopmentProgram, action: ProgramAction, step: int, actor: Actor) -> bool:
    """Moves the action one place up (-1) or down (+1) among the actions of its deficit."""
    check_editable(program)
    actions = ordered_actions(program)
    siblings = [a for a in actions if a.indicator_code == action.indicator_code]
    position = siblings.index(action)
    if not 0 <= position + step < len(siblings):
        return False
    other = siblings[position + step]
    i, j = actions.index(action), actions.index(other)
    actions[i], actions[j] = actions[j], actions[i]
    _renumber(actions)
    _touch(program)
    audit.record(actor, "program.updated", program, revision=program.revision, moved_action=action.id)
    db.session.flush()
    return True


def _deficit(program: DevelopmentProgram, code: str) -> tuple[DeficitProposal, list[MeasureOption], date]:
    """The deficit's proposal, the library, and the due date an addition to it gets by default."""
    _, _, options, proposals = program_context(program)
    proposal = next((p for p in proposals if p.indicator_code == code), None)
    if proposal is None:
        raise TransitionRefused("Такого дефицита в программе нет.")
    due = default_due_dates((program.period_start, program.period_end), proposals, local_today())[code]
    return proposal, options, due


def _add(program: DevelopmentProgram, action: ProgramAction, actor: Actor) -> ProgramAction:
    check_editable(program)
    action.sort_order = max((a.sort_order for a in program.actions), default=-1) + 1
    program.actions.append(action)
    _touch(program)
    db.session.flush()
    audit.record(actor, "program.updated", program, revision=program.revision, added_action=action.id)
    return action


def add_library_action(program: DevelopmentProgram, code: str, measure_id: int | None, actor: Actor) -> ProgramAction:
    proposal, options, due = _deficit(program, code)
    option = next((m for m in measures_for(code, proposal.current, proposal.target, options) if m.id == measure_id),
                  None)
    if option is None:
        raise FieldErrors({new_field(code, "measure"): "Выберите мероприятие из библиотеки."})
    return _add(program, _action_from(proposal, option, proposal.target, due, 0), actor)


def add_own_action(program: DevelopmentProgram, code: str, text: str, actor: Actor) -> ProgramAction:
    proposal, _, due = _deficit(program, code)
    if not text:
        raise FieldErrors({new_field(code, "text"): "Опишите мероприятие, которое хотите добавить."})
    if problem := _length_error(text, TEXT_LIMIT):
        raise FieldErrors({new_field(code, "text"): problem})
    action = ProgramAction(indicator_code=code, from_score=proposal.current, to_score=proposal.target, text=text,
                           responsible_name="", responsible_position="", expected_result="",
                           due_date=due, status=ActionStatus.PLANNED)
    return _add(program, action, actor)


def delete_action(program: DevelopmentProgram, action: ProgramAction, actor: Actor) -> None:
    check_editable(program)
    program.actions.remove(action)
    _renumber(ordered_actions(program))
    _touch(program)
    audit.record(actor, "program.updated", program, revision=program.revision, deleted_action=action.id)
    db.session.flush()


# ------------------------------------------------------------------------------------------------ approving


def approve_program(program: DevelopmentProgram, actor: Actor) -> ProgramRevision:
    """Draft → approved; the revision's content is frozen as the documents' snapshot."""
    if program.status != ProgramStatus.DRAFT:
        raise TransitionRefused(f"Редакция {program.revision} программы уже утверждена.")
    missing = approval_missing(program)
    if missing:
        raise TransitionRefused("Программу пока нельзя утвердить: " + "; ".join(
            dict.fromkeys(item.problem for item in missing)) + ".")
    program.status = ProgramStatus.APPROVED
    program.approved_at, program.approved_by_id = utcnow(), actor.user_id
    db.session.flush()
    revision = ProgramRevision(program=program, revision=program.revision, snapshot=build_document(program),
                               approved_at=program.approved_at, approved_by_id=actor.user_id)
    db.session.add(revision)
    db.session.flush()
    audit.record(actor, "program.approved", program, revision=program.revision)
    queue_revision_documents(program, revision)
    return revision


# ------------------------------------------------------------------------------------------------ road map


def set_action_status(action: ProgramAction, status: str | None, note: str, actor: Actor) -> ProgramActionEvent:
    """A road-map status change with its note; allowed in any revision, it does not start a new one."""
    try:
        target = ActionStatus(status or "")
    except ValueError:
        raise FieldErrors({"status": "Выберите статус из списка."}) from None
    if target == action.status:
        raise FieldErrors({"status": f"Мероприятие уже в статусе «{target.label}»."})
    if problem := _length_error(note, NOTE_LIMIT):
        raise FieldErrors({"note": problem})
    event = ProgramActionEvent(action=action, from_status=action.status, to_status=target, note=note or None,
                               actor_id=actor.user_id)
    db.session.add(event)
    source, action.status = action.status, target
    db.session.flush()
    audit.record(actor, "program.action_status", action.program, action_id=action.id, from_status=source.value,
                 to_status=target.value)
    return event
