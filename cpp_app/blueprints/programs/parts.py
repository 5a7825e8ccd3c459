"""The program's document parts beyond the deficits and the road map (letter 03-877): the title page's approvals,
the information page's details, the current-state analysis, the mission and resources, the stages and the
monitoring section — what each part holds, and their drafts from the data."""
from dataclasses import dataclass

from ...domain.program import DeficitProposal
from ...domain.program_parts import monitoring_draft, swot_draft
from ...domain.scoring import Result
from ..school.services import staff_profile


@dataclass(frozen=True)
class Part:
    slug: str
    title: str
    fields: tuple[str, ...]  # the program's columns the part's form edits (the stages are rows of their own)
    drafted: tuple[str, ...] = ()  # of those, the ones drafted from the data when left empty


PARTS = (
    Part("title-page", "Титульный лист: согласование и рассмотрение",
         ("founder_name", "founder_position", "founder_signatory", "teachers_council_protocol",
          "teachers_council_date", "governing_council_protocol", "governing_council_date")),
    Part("information", "Сведения об организации", ("licence", "accreditation", "programs_offered", "contacts")),
    Part("analysis", "Анализ текущего состояния", ("strengths", "weaknesses", "opportunities", "risks"),
         ("strengths", "weaknesses", "opportunities", "risks")),
    Part("mission", "Миссия, образ будущего и ресурсы", ("mission", "resources")),
    Part("stages", "Этапы реализации", ()),
    Part("monitoring", "Мониторинг и контроль реализации", ("monitoring",), ("monitoring",)),
)
BY_SLUG = {part.slug: part for part in PARTS}


def filled(program, part: Part) -> bool:
    """Whether the part holds anything yet: what the constructor's list of parts marks."""
    if part.slug == "stages":
        return bool(program.stages)
    return any(getattr(program, name) for name in part.fields)


def drafts(organization_id: int, teachers_stated: int | None, methodology, result: Result,
           proposals: list[DeficitProposal], actions) -> dict[str, str]:
    """The analysis and the monitoring section drafted from the diagnostic, the staff figures and the road map
    (ProgramActions: they have every field of the domain's ChosenAction under the same name)."""
    swot = swot_draft(methodology, result, proposals, staff_profile(organization_id), teachers_stated)
    labels = {indicator.code: indicator.label for indicator in methodology.indicators}
    maxima = {indicator.code: indicator.max_score for indicator in methodology.indicators}
    return {"strengths": swot.strengths, "weaknesses": swot.weaknesses, "opportunities": swot.opportunities,
            "risks": swot.risks, "monitoring": monitoring_draft(actions, labels, maxima)}
