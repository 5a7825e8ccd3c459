"""The school admin's pages: the staff list, the staff register, confirmations (one or many) and detachment."""
from urllib.parse import quote

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from ...exports import FORMATS, Column, export_response
from ...kernel.actor import request_actor
from ...kernel.forms import EmptyForm
from ...kernel.plural import plural
from ...kernel.transaction import discard_changes
from ...models import Role
from ...security import rerender_on_csrf_failure, role_required, upload_rate_limit
from ...uploads import display_name
from ...urls import public_url_for
from . import bp
from .forms import RegisterApplyForm, RegisterImportForm, StaffFilterForm, StaffSelectionForm
from .register_import import RegisterError, read_register
from .services import (
    BulkResult,
    StaffActionError,
    bulk_confirmation_plan,
    confirm_account,
    confirm_member,
    confirm_selected,
    detach_member,
    get_member,
    get_member_account,
    get_unregistered_entry,
    import_register,
    invitation,
    keep_previewed_register,
    member_accounts,
    preview_register,
    register_state,
    staff_counts,
    staff_export_rows,
    staff_page,
    take_previewed_register,
    unregistered_entries,
    unregistered_preview,
)

REGISTER_PREVIEW = 20
MISMATCH_NAMES = 10


def _organization_id() -> int:
    # A school admin without an organisation has no school pages.
    if current_user.organization_id is None:
        abort(404)
    return current_user.organization_id


def _member_or_404(user_id: int):
    return get_member(_organization_id(), user_id) or abort(404)


def _page_arg() -> int:
    return request.args.get("page", 1, type=int)


@bp.get("/")
@role_required(Role.SCHOOL_ADMIN)
def index():
    return redirect(url_for("school.staff"))


@bp.get("/staff")
@role_required(Role.SCHOOL_ADMIN)
def staff():
    organization_id = _organization_id()
    counts = staff_counts(organization_id)
    filters = StaffFilterForm(request.args, platforms=counts.platforms)
    filters.validate()
    register = register_state(organization_id)
    listing = staff_page(organization_id, filters.filters, _page_arg(), counts=counts)
    list_args = {**filters.link_args(), **({"page": listing.result.page} if listing.result.page > 1 else {})}
    return render_template(
        "school/staff.html",
        counts=counts,
        filters=filters,
        listing=listing,
        # «Выбрать все на странице» without JS: the same page with every row ticked.
        select_all=request.args.get("select") == "all",
        list_url=url_for("school.staff", **list_args),
        select_all_url=url_for("school.staff", select="all", **list_args),
        register=register,
        unregistered=unregistered_preview(organization_id, REGISTER_PREVIEW) if register.unregistered else [],
        button=EmptyForm(),
    )


@bp.get("/staff.<fmt>")
@role_required(Role.SCHOOL_ADMIN)
def staff_export(fmt: str):
    """The staff list with the page's filters, as CSV or XLSX."""
    if fmt not in FORMATS:
        abort(404)
    organization_id = _organization_id()
    filters = StaffFilterForm(request.args, platforms=staff_counts(organization_id).platforms)
    filters.validate()
    platform_names, rows = staff_export_rows(organization_id, filters.filters)
    columns = [Column(title) for title in ("Фамилия", "Имя", "Отчество", "Email", "Должность", "Подтверждение",
                                           *platform_names)]
    return export_response("Сотрудники", fmt, columns, rows)


@bp.get("/staff/unregistered")
@role_required(Role.SCHOOL_ADMIN)
def unregistered():
    organization_id = _organization_id()
    return render_template("school/unregistered.html", register=register_state(organization_id),
                           result=unregistered_entries(organization_id, _page_arg()))


@bp.get("/staff/<int:user_id>")
@role_required(Role.SCHOOL_ADMIN)
def member(user_id: int):
    member = _member_or_404(user_id)
    return render_template("school/member.html", member=member, accounts=member_accounts(member), button=EmptyForm())


def _back(default: str, target: str | None = None) -> str:
    """Where a button returns to: the page it was pressed on, if that is a staff page."""
    target = request.form.get("next", "") if target is None else target
    return target if target.startswith("/school/staff") else default


def _act(action, target, success: str, back: str, failed_back: str | None = None):
    """Runs one staff action: commit and report, or report why not."""
    try:
        action(target, request_actor())
    except StaffActionError as error:
        discard_changes()
        flash(str(error), "error")
        return redirect(failed_back or back)
    flash(success, "success")
    return redirect(back)


@bp.post("/staff/<int:user_id>/confirm")
@role_required(Role.SCHOOL_ADMIN)
def confirm(user_id: int):
    member = _member_or_404(user_id)
    success = f"{member.full_name}: работа в организации подтверждена."
    return _act(confirm_member, member, success, _back(url_for("school.member", user_id=member.id)))


@bp.route("/staff/<int:user_id>/detach", methods=["GET", "POST"])
@role_required(Role.SCHOOL_ADMIN)
def detach(user_id: int):
    """GET asks for confirmation; the POST from that page (its CSRF token checked globally) detaches."""
    member = _member_or_404(user_id)
    if request.method == "GET":
        return render_template("school/detach.html", member=member, form=EmptyForm())
    return _act(detach_member, member, f"{member.full_name} откреплён(а) от организации.", url_for("school.staff"),
                failed_back=url_for("school.member", user_id=member.id))


@bp.post("/staff/accounts/<int:account_id>/confirm")
@role_required(Role.SCHOOL_ADMIN)
def confirm_platform(account_id: int):
    account = get_member_account(_organization_id(), account_id) or abort(404)
    success = f"{account.user.full_name}: статус на платформе «{account.platform.name}» подтверждён."
    return _act(confirm_account, account, success, _back(url_for("school.member", user_id=account.user_id)))


# ------------------------------------------------------------------------------------------- bulk confirmation


def _bulk_text(result: BulkResult) -> str:
    done = []
    if result.members:
        done.append(f"{result.members} {plural(result.members, 'педагог', 'педагога', 'педагогов')} "
                    "(работа в организации)")
    if result.accounts:
        done.append(f"{result.accounts} {plural(result.accounts, 'статус', 'статуса', 'статусов')} на платформах")
    text = ("Подтверждено: " + ", ".join(done) + ".") if done else (
        "Подтверждать было нечего: работа выбранных педагогов и их статусы на платформах уже подтверждены.")
    if result.skipped:
        text += (f" Пропущено отмеченных: {result.skipped} — их нет среди сотрудников вашей организации "
                 "(возможно, их открепили).")
    return text


def _selection_error(selection: StaffSelectionForm) -> str | None:
    errors = selection.user_ids.errors
    if errors:
        return errors[0]
    return None if selection.user_ids.data else "Отметьте в списке хотя бы одного педагога."


@bp.get("/staff/confirm-selected")
@role_required(Role.SCHOOL_ADMIN)
def confirm_selected_check():
    """What confirming the ticked staff would do, before it happens; the list's form sends the ticks here."""
    organization_id = _organization_id()
    selection = StaffSelectionForm(request.args, meta={"csrf": False})
    selection.validate()
    back = _back(url_for("school.staff"), selection.next.data or "")
    if error := _selection_error(selection):
        flash(error, "error")
        return redirect(back)
    plan = bulk_confirmation_plan(organization_id, selection.user_ids.data)
    return render_template("school/confirm_selected.html", plan=plan, back=back, form=EmptyForm())


@bp.post("/staff/confirm-selected")
@role_required(Role.SCHOOL_ADMIN)
def confirm_selected_apply():
    organization_id = _organization_id()
    selection = StaffSelectionForm()
    selection.validate_on_submit()
    back = _back(url_for("school.staff"), selection.next.data or "")
    if error := _selection_error(selection):
        flash(error, "error")
        return redirect(back)
    try:
        result = confirm_selected(organization_id, selection.user_ids.data, request_actor())
    except StaffActionError as error:
        discard_changes()
        flash(str(error), "error")
        return redirect(back)
    flash(_bulk_text(result), "success" if result.members or result.accounts else "info")
    return redirect(back)


# ------------------------------------------------------------------------------------------------ register


TEMPLATE_COLUMNS = [Column("ФИО"), Column("Email"), Column("Телефон"), Column("Должность")]
TEMPLATE_EXAMPLE = ["Иванова Мария Петровна", "ivanova@example.ru", "+7 912 345-67-89", "учитель математики"]


@bp.get("/staff/import/template.<fmt>")
@role_required(Role.SCHOOL_ADMIN)
def import_template(fmt: str):
    """An empty register with the columns the import reads and one example row."""
    if fmt not in FORMATS:
        abort(404)
    return export_response("Образец реестра сотрудников", fmt, TEMPLATE_COLUMNS, [TEMPLATE_EXAMPLE])


@bp.route("/staff/import", methods=["GET", "POST"])
@role_required(Role.SCHOOL_ADMIN)
@upload_rate_limit
@rerender_on_csrf_failure
def import_staff():
    """Checks the uploaded register and shows what loading it would change; nothing changes until confirmed."""
    organization_id = _organization_id()
    form, errors = RegisterImportForm(), []
    if form.validate_on_submit():
        try:
            records = read_register(form.file.data.stream, form.file.data.filename,
                                    seconds=current_app.config["TABULAR_PARSE_SECONDS"])
        except RegisterError as error:
            discard_changes()
            errors = error.errors
        else:
            return render_template(
                "school/import_preview.html", preview=preview_register(organization_id, records),
                register=register_state(organization_id), filename=display_name(form.file.data.filename),
                form=RegisterApplyForm(token=keep_previewed_register(organization_id, current_user.id, records)),
            )
    status = 400 if errors or form.errors else 200
    return render_template("school/import.html", form=form, errors=errors, register=register_state(organization_id),
                           example_name=TEMPLATE_EXAMPLE[0]), status


@bp.post("/staff/import/apply")
@role_required(Role.SCHOOL_ADMIN)
def import_apply():
    """Loads the register the admin previewed («Заменить реестр»), or drops it («Отмена»)."""
    organization_id = _organization_id()
    form = RegisterApplyForm()
    form.validate_on_submit()
    records = take_previewed_register(form.token.data, organization_id, current_user.id)
    if "cancel" in request.form:
        flash("Реестр не загружен: ничего не изменено.", "info")
        return redirect(url_for("school.staff"))
    if records is None:
        flash("Проверка реестра устарела (прошло больше двух дней, реестр уже загружен или его заменили после "
              "проверки). Ничего не изменено — загрузите файл ещё раз.", "error")
        return redirect(url_for("school.import_staff"))
    summary = import_register(organization_id, records, request_actor())
    flash(_summary_text(summary), "success")
    return redirect(url_for("school.staff", _anchor="unregistered"))


@bp.get("/staff/unregistered/<int:entry_id>/invite")
@role_required(Role.SCHOOL_ADMIN)
def invite(entry_id: int):
    """A prepared invitation for a person on the register who has not registered yet, to copy or open in mail."""
    organization_id = _organization_id()
    entry = get_unregistered_entry(organization_id, entry_id) or abort(404)
    letter = invitation(entry, current_user.organization, current_user, public_url_for("auth.register"))
    mailto = (f"mailto:{quote(entry.email or '', safe='@')}?subject={quote(letter.subject, safe='')}"
              f"&body={quote(letter.body, safe='')}")
    return render_template("school/invite.html", entry=entry, letter=letter, mailto=mailto)


def _summary_text(summary) -> str:
    text = (f"Реестр загружен: строк — {summary.rows}. Подтверждены сейчас: {summary.confirmed_now}; "
            f"уже были подтверждены: {summary.already_confirmed}; "
            f"не зарегистрированы в ЦПП: {summary.unregistered}.")
    if summary.surname_mismatch:
        names = ", ".join(summary.surname_mismatch[:MISMATCH_NAMES])
        more = len(summary.surname_mismatch) - MISMATCH_NAMES
        text += (" Email или телефон совпал, но фамилия в ЦПП другая — проверьте и подтвердите вручную: "
                 + names + (f" и ещё {more}" if more > 0 else "") + ".")
    return text
