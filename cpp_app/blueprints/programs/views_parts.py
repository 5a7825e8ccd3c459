"""The program's document parts (letter 03-877), a page each: read by everyone who reads the program, edited by
the school while the revision is a draft."""
from flask import abort, flash, redirect, render_template, request, url_for

from ...domain.program_parts import Stage, default_stages
from ...kernel.actor import request_actor
from ...kernel.transaction import discard_changes
from ...models import ProgramStatus
from ...security import rerender_on_csrf_failure, role_required
from ...service_errors import FieldErrors
from ..school.services import staff_profile
from . import bp
from .access import READERS, is_school, own_or_404, readable_or_404
from .forms_parts import FORMS, STAGE_ROWS_MAX, STAGE_ROWS_MIN
from .pages import ordered_actions, program_context
from .parts import BY_SLUG, PARTS, Part, drafts
from .services import EDIT_APPROVED
from .services_parts import check_stages, save_part

HINTS = {
    "founder_name": "Например: «Главное управление образования администрации города Красноярска».",
    "founder_position": "Например: «Руководитель главного управления образования».",
    "teachers_council_protocol": "Номер и дата протокола заседания, на котором рассмотрена программа.",
    "governing_council_protocol": "Если в организации есть управляющий совет: номер и дата протокола.",
    "licence": "Номер и дата лицензии (записи в реестре лицензий), кем выдана.",
    "accreditation": "Номер и дата свидетельства (записи в реестре аккредитации), срок действия.",
    "programs_offered": "Например: «основная образовательная программа начального общего образования».",
    "contacts": "Телефон, электронная почта, сайт — по одному в строке.",
    "strengths": "Что у организации уже получается: показатели на максимальном уровне, кадры, опыт.",
    "weaknesses": "Дефициты самодиагностики и их причины внутри организации.",
    "opportunities": "Внешние возможности: федеральные и региональные проекты, курсы, партнёры.",
    "risks": "Что может помешать программе и как это учесть.",
    "mission": "Какой будет организация в конце периода программы: для кого она, чем отличается, каких "
               "результатов достигают обучающиеся и педагоги. Три–пять предложений своими словами.",
    "resources": "Кадровые, материально-технические, информационные и финансовые ресурсы; источники "
                 "финансирования: бюджет (муниципальный, краевой), федеральные проекты, внебюджетные средства.",
    "monitoring": "Что проверяется, кто проверяет и когда. Черновик составлен по показателям дорожной карты.",
}


@bp.route("/<int:program_id>/parts/<slug>", methods=["GET", "POST"])
@role_required(*READERS)
@rerender_on_csrf_failure
def part(program_id: int, slug: str):
    chosen = BY_SLUG.get(slug) or abort(404)
    program = readable_or_404(program_id) if request.method == "GET" else own_or_404(program_id)
    editable = is_school() and program.status == ProgramStatus.DRAFT
    if request.method == "POST" and not editable:  # a page opened before the approval: nothing is changed
        flash(EDIT_APPROVED, "error")
        return redirect(url_for("programs.part", program_id=program.id, slug=slug))
    drafted = _drafted(program, chosen) if request.method == "GET" and editable else {}
    form = FORMS[slug]() if request.method == "POST" else FORMS[slug](data=_stored(program, chosen, drafted))
    rows = _label_rows(form)
    if request.method == "POST" and _validate(form, program, rows):
        stages = rows if chosen.slug == "stages" else None
        try:
            changed = save_part(program, chosen, {name: form[name].data for name in chosen.fields}, stages,
                                request_actor())
        except FieldErrors as error:  # the same checks as _validate's: only a race gets here
            discard_changes()
            _add_errors(form, error.errors)
        else:
            flash(f"Раздел «{chosen.title}» сохранён." if changed else "Изменений нет.", "success")
            return redirect(url_for("programs.part", program_id=program.id, slug=slug))
    staff = staff_profile(program.organization_id) if slug in ("analysis", "information") else None
    return render_template("programs/part.html", program=program, part=chosen, parts=PARTS, form=form,
                           editable=editable, school=is_school(), drafted=drafted, hints=HINTS, staff=staff,
                           first_day=f"01.01.{program.period_start}", last_day=f"31.12.{program.period_end}"), \
        400 if request.method == "POST" else 200


def _drafted(program, chosen: Part) -> dict[str, str]:
    """Drafts for the part's empty fields (a program made before the part existed), shown until saved."""
    empty = [name for name in chosen.drafted if not getattr(program, name)]
    if not empty:
        return {}
    methodology, result, _, proposals = program_context(program)
    made = drafts(program.organization_id, program.diagnostic.staff_count, methodology, result, proposals,
                  ordered_actions(program))
    return {name: made[name] for name in empty}


def _stored(program, chosen: Part, drafted: dict[str, str]) -> dict:
    data = {name: drafted.get(name, getattr(program, name)) for name in chosen.fields}
    if chosen.slug == "stages":
        stages = [Stage(s.title, s.starts_on, s.ends_on) for s in program.stages] or \
            default_stages((program.period_start, program.period_end))
        rows = [{"title": s.title, "starts_on": s.starts_on, "ends_on": s.ends_on} for s in stages]
        data["stages"] = rows + [{}] * max(STAGE_ROWS_MIN - len(rows), 1 if len(rows) < STAGE_ROWS_MAX else 0)
    return data


def _label_rows(form) -> dict[int, Stage]:
    """Numbers each stage row's labels (the error summary names the row) and returns the filled rows."""
    if "stages" not in form:
        return {}
    rows = {}
    for index, entry in enumerate(form.stages):
        row = entry.form
        for field, label in ((row.title, "название"), (row.starts_on, "начало"), (row.ends_on, "окончание")):
            field.label.text = f"Этап {index + 1}: {label}"
        if not row.empty:
            rows[index] = Stage(row.title.data or "", row.starts_on.data, row.ends_on.data)
    return rows


def _fields_by_name(form) -> dict:
    found = {}
    for field in form:
        if field.type == "FieldList":
            for entry in field:
                found.update(_fields_by_name(entry.form))
        else:
            found[field.name] = field
    return found


def _add_errors(form, errors) -> None:
    fields = _fields_by_name(form)
    for name, message in errors.items():
        field = fields[name]
        if not field.errors:
            field.errors = [*field.errors, message]
    if "stages" in form:  # a FieldList lists its rows' errors as of its own validation: list them again
        form.stages.errors = [entry.errors for entry in form.stages if entry.errors]


def _validate(form, program, rows: dict[int, Stage]) -> bool:
    """The form's own checks and the stages' domain checks in one round, so every message comes at once; a
    failed CSRF token runs no check (the page only comes back)."""
    valid = form.validate_on_submit()
    if form.csrf_token.errors or "stages" not in form:
        return valid
    fields = _fields_by_name(form)
    problems = {name: message for name, message in check_stages(program, rows).items() if not fields[name].errors}
    _add_errors(form, problems)
    return valid and not problems
