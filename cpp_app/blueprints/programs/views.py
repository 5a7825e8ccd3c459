"""Development programs: the list (the school's own, or the region's read-only), creating one from a diagnostic,
the constructor (one form, saved on every POST and by autosave), approval through a check page, an explicit new
revision of an approved program, and the road map's statuses."""

from flask import abort, flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy.exc import IntegrityError

from ...domain.program import default_period
from ...domain.workflow import TransitionRefused
from ...kernel.actor import request_actor
from ...kernel.clock import local_now, local_today
from ...kernel.forms import EmptyForm, show_field_errors
from ...kernel.transaction import commit_now, discard_changes
from ...models import ActionStatus, DevelopmentProgram, ProgramStatus, Role
from ...security import json_sign_in_required, rerender_on_csrf_failure, role_required
from ...service_errors import FieldErrors
from ..diagnostics.services import school_diagnostic
from ..review.services import municipalities
from . import bp
from .access import READERS, is_school, own_or_404, readable_or_404
from .forms import ActionStatusForm, CreateProgramForm, PostedProgram, RegionFilterForm, field_value, parse_program
from .pages import (
    approval_check,
    base_diagnostics,
    constructor,
    find_action,
    programs_of,
    region_programs,
    roadmap,
)
from .parts import PARTS, filled
from .services import (
    EDIT_APPROVED,
    action_field,
    add_library_action,
    add_own_action,
    approve_program,
    check_editable,
    create_program,
    delete_action,
    move_action,
    new_field,
    program_errors,
    save_program,
    set_action_status,
    start_new_revision,
    target_field,
)

AUTOSAVE_FAILED = "Автосохранение не удалось: проверьте поля и нажмите «Сохранить»."


def _edit_url(program: DevelopmentProgram, anchor: str | None = None) -> str:
    return url_for("programs.edit", program_id=program.id, _anchor=anchor)


def _render(program: DevelopmentProgram, form=None, posted: PostedProgram | None = None, errors=None,
            status_form: ActionStatusForm | None = None, status_action_id: int | None = None, code: int = 200):
    return render_template(
        "programs/edit.html", page=constructor(program), roadmap=roadmap(program), school=is_school(),
        editable=is_school() and program.status == ProgramStatus.DRAFT,
        form=form or EmptyForm(), values=posted.values if posted else None, errors=errors or {},
        status_form=status_form, status_action_id=status_action_id, statuses=[(s.value, s.label) for s in ActionStatus],
        value=lambda name, stored: field_value(posted.values if posted else None, name, stored),
        action_field=action_field, target_field=target_field, new_field=new_field, parts=PARTS, part_filled=filled,
    ), code


# ------------------------------------------------------------------------------------------------ the list


@bp.route("/", methods=["GET", "POST"])
@role_required(*READERS)
@rerender_on_csrf_failure
def index():
    if not is_school():
        if request.method == "POST":
            abort(404)
        filters = RegionFilterForm(request.args, municipalities())
        result = region_programs(filters.municipality_id, request.args.get("page", 1, type=int))
        return render_template("programs/region.html", filters=filters, result=result)
    return _school_index()


def _school_index():
    organization = current_user.organization
    diagnostics = base_diagnostics(organization.id) if organization else []
    start, end = default_period(local_today())
    form = CreateProgramForm(period_start=start, period_end=end)
    form.set_diagnostics(diagnostics)
    if request.method == "POST" and organization is None:
        abort(404)
    if form.validate_on_submit():
        try:
            program = create_program(organization, _chosen_diagnostic(form),
                                     (form.period_start.data, form.period_end.data), request_actor(), local_today())
            commit_now()  # a double click's loser must see its IntegrityError here, not as a 500
        except FieldErrors as error:
            show_field_errors(form, error.errors)
        except IntegrityError:  # a double click: the other request created the program first
            discard_changes()
            flash("Программа по этой самодиагностике уже создана — она в списке ниже.", "info")
            return redirect(url_for("programs.index"))
        else:
            flash("Программа развития создана: дефициты и мероприятия из библиотеки уже подобраны, разделы "
                  "заполнены черновиками. Проверьте и дополните их.", "success")
            return redirect(_edit_url(program))
    programs = programs_of(organization.id) if organization else []
    return render_template("programs/index.html", organization=organization, programs=programs,
                           diagnostics=diagnostics, form=form), 400 if request.method == "POST" else 200


def _chosen_diagnostic(form: CreateProgramForm):
    chosen = form.chosen_id
    return school_diagnostic(current_user.organization_id, chosen) if chosen is not None else None


# ------------------------------------------------------------------------------------------- the constructor


@bp.route("/<int:program_id>", methods=["GET", "POST"])
@role_required(*READERS)
@rerender_on_csrf_failure
def edit(program_id: int):
    if request.method == "GET":
        return _render(readable_or_404(program_id))
    program = own_or_404(program_id)
    form, posted = EmptyForm(), parse_program(request.form)
    if posted is None:
        return redirect(_edit_url(program))
    if program.status == ProgramStatus.APPROVED:  # a page opened before the approval: nothing is changed
        flash(EDIT_APPROVED, "error")
        return redirect(_edit_url(program))
    if not form.validate() or posted.errors:  # a failed CSRF token (global re-render) or garbage: nothing saved
        return _render(program, form, posted, _all_errors(program, posted), code=400)
    try:
        message, target = _apply(program, posted)
    except FieldErrors as error:
        discard_changes()
        return _render(own_or_404(program_id), form, posted, error.errors, code=400)
    except TransitionRefused as refusal:
        discard_changes()
        flash(str(refusal), "error")
        return redirect(_edit_url(program))
    flash(message, "success")
    return redirect(target)


def _all_errors(program: DevelopmentProgram, posted: PostedProgram | None) -> dict[str, str]:
    """What the parser refused and what the service would refuse, so that one round trip shows every problem."""
    if posted is None or not posted.errors:
        return {}
    return {**program_errors(program, posted.data), **posted.errors}


def _apply(program: DevelopmentProgram, posted: PostedProgram) -> tuple[str, str]:
    """Saves the form, then does what the pressed button asks; returns the message and where to go."""
    actor, command = request_actor(), posted.command
    outcome = save_program(program, posted.data, actor)
    saved = _saved_message(outcome)
    action = find_action(program, command.action_id) if command.action_id is not None else None
    if command.name in ("up", "down") and action is not None:
        move_action(program, action, -1 if command.name == "up" else 1, actor)
        return "Порядок мероприятий изменён. " + saved, _edit_url(program, f"action-{action.id}")
    if command.name == "delete" and action is not None:
        return saved, url_for("programs.delete", program_id=program.id, action_id=action.id)
    if command.name == "add_measure":
        added = add_library_action(program, command.argument, posted.new_measure_id(command.argument), actor)
        return "Мероприятие из библиотеки добавлено. " + saved, _edit_url(program, f"action-{added.id}")
    if command.name == "approve":
        return saved + " Проверьте, что будет утверждено.", url_for("programs.approve", program_id=program.id)
    if command.name == "add_text":
        added = add_own_action(program, command.argument, posted.new_text(command.argument), actor)
        return "Мероприятие добавлено: укажите ответственного и срок. " + saved, _edit_url(program, f"action-{added.id}")
    return saved, _edit_url(program)


def _saved_message(outcome) -> str:
    parts = ["Изменения сохранены." if outcome.changed else "Изменений нет."]
    if outcome.reproposed:
        parts.append("Мероприятия подобраны заново под новую цель: " + ", ".join(f"«{x}»" for x in outcome.reproposed)
                     + ".")
    if outcome.without_measures:
        parts.append("В библиотеке нет мероприятий под выбранную цель для " + ", ".join(
            f"«{x}»" for x in outcome.without_measures) + " — добавьте своё мероприятие, иначе цель не сохранится.")
    return " ".join(parts)


@bp.post("/<int:program_id>/autosave")
@json_sign_in_required
@role_required(Role.SCHOOL_ADMIN)
def autosave(program_id: int):
    """Texts only: targets and buttons wait for «Сохранить», so the page never falls behind the server."""
    program = own_or_404(program_id)
    posted = parse_program(request.form)
    try:
        if posted is None or posted.errors:
            raise FieldErrors(posted.errors if posted else {})
        outcome = save_program(program, posted.data, request_actor(), apply_targets=False, record=False)
    except TransitionRefused as refusal:  # approved meanwhile (another tab): nothing to save into
        discard_changes()
        return jsonify(saved=0, error=str(refusal)), 409
    except FieldErrors as error:
        discard_changes()
        return jsonify(saved=0, errors=error.errors, error=AUTOSAVE_FAILED), 422
    return jsonify(saved=int(outcome.changed), saved_at=local_now().strftime("%H:%M"),
                   conflicts=[])


@bp.route("/<int:program_id>/actions/<int:action_id>/delete", methods=["GET", "POST"])
@role_required(Role.SCHOOL_ADMIN)
def delete(program_id: int, action_id: int):
    program = own_or_404(program_id)
    action = find_action(program, action_id) or abort(404)
    try:
        check_editable(program)
    except TransitionRefused as refusal:
        flash(str(refusal), "error")
        return redirect(_edit_url(program))
    form = EmptyForm()
    if not form.validate_on_submit():
        return render_template("programs/delete.html", program=program, action=action, form=form,
                               label=roadmap(program).labels.get(action.indicator_code, action.indicator_code))
    code = action.indicator_code
    delete_action(program, action, request_actor())
    flash("Мероприятие удалено из программы.", "success")
    return redirect(_edit_url(program, f"deficit-{code}"))


# ------------------------------------------------------------------------------------------ approval, road map


@bp.route("/<int:program_id>/approve", methods=["GET", "POST"])
@role_required(Role.SCHOOL_ADMIN)
@rerender_on_csrf_failure
def approve(program_id: int):
    """The check page: what approving will freeze and what is still missing; only its button approves."""
    program = own_or_404(program_id)
    if program.status != ProgramStatus.DRAFT:
        flash(f"Редакция {program.revision} программы уже утверждена.", "info")
        return redirect(_edit_url(program))
    form = EmptyForm()
    if form.validate_on_submit():
        try:
            revision = approve_program(program, request_actor())
        except TransitionRefused as refusal:
            discard_changes()
            flash(str(refusal), "error")
        else:
            flash(f"Программа утверждена (редакция {revision.revision}). Её документы можно скачать.", "success")
            return redirect(_edit_url(program))
    return render_template("programs/approve.html", check=approval_check(program), form=form,
                           edit_url=_edit_url, parts=PARTS, part_filled=filled), 400 if request.method == "POST" else 200


@bp.route("/<int:program_id>/new-revision", methods=["GET", "POST"])
@role_required(Role.SCHOOL_ADMIN)
@rerender_on_csrf_failure
def new_revision(program_id: int):
    """Asks before an approved program becomes editable again as the next revision's draft."""
    program = own_or_404(program_id)
    if program.status != ProgramStatus.APPROVED:
        return redirect(_edit_url(program))
    form = EmptyForm()
    if form.validate_on_submit():
        number = start_new_revision(program, request_actor())
        flash(f"Начата редакция {number} — черновик. Утверждённая редакция {number - 1} остаётся действующей и "
              "скачивается по умолчанию, пока вы не утвердите новую.", "success")
        return redirect(_edit_url(program))
    return render_template("programs/new_revision.html", program=program, form=form)


@bp.post("/<int:program_id>/actions/<int:action_id>/status")
@role_required(Role.SCHOOL_ADMIN)
@rerender_on_csrf_failure
def action_status(program_id: int, action_id: int):
    program = own_or_404(program_id)
    action = find_action(program, action_id) or abort(404)
    form = ActionStatusForm()
    if form.validate_on_submit():
        try:
            set_action_status(action, form.status.data, form.note.data or "", request_actor())
        except FieldErrors as error:
            show_field_errors(form, error.errors)
        else:
            flash(f"Статус мероприятия: «{action.status.label}».", "success")
            return redirect(_edit_url(program, f"roadmap-{action.id}"))
    return _render(program, status_form=form, status_action_id=action.id, code=400)
