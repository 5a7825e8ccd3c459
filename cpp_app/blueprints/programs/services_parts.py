"""Saving the program's document parts (parts.PARTS) into the draft revision; an approved one is refused."""
from collections.abc import Mapping

from ... import audit
from ...domain.program_parts import Stage, stage_problems
from ...extensions import db
from ...kernel.actor import Actor
from ...models import DevelopmentProgram, ProgramStage, utcnow
from ...service_errors import FieldErrors
from .parts import Part
from .services import check_editable


def stage_field(row: int, name: str) -> str:
    """The stages form's input name (WTForms FieldList of FormField)."""
    return f"stages-{row}-{name}"


def check_stages(program: DevelopmentProgram, rows: Mapping[int, Stage]) -> dict[str, str]:
    """The domain's problems of the filled rows, keyed by their inputs' names."""
    positions = list(rows)
    problems = stage_problems(list(rows.values()), (program.period_start, program.period_end))
    return {stage_field(positions[index], name): message for (index, name), message in problems.items()}


def save_part(program: DevelopmentProgram, part: Part, values: Mapping, stages: Mapping[int, Stage] | None,
              actor: Actor) -> bool:
    """Saves the part's values (and, for the stages part, the filled rows in their order); True when anything
    changed. All or nothing: FieldErrors for any invalid stage, TransitionRefused for an approved revision."""
    check_editable(program)
    changed = False
    for name in part.fields:
        if getattr(program, name) != values[name]:
            setattr(program, name, values[name])
            changed = True
    if stages is not None:
        if errors := check_stages(program, stages):
            raise FieldErrors(errors)
        given = [(stage.title, stage.starts_on, stage.ends_on) for stage in stages.values()]
        if given != [(stage.title, stage.starts_on, stage.ends_on) for stage in program.stages]:
            program.stages = [ProgramStage(sort_order=order, title=title, starts_on=start, ends_on=end)
                              for order, (title, start, end) in enumerate(given)]
            changed = True
    if changed:
        program.updated_at = utcnow()
        audit.record(actor, "program.updated", program, revision=program.revision, part=part.slug)
    db.session.flush()
    return changed
