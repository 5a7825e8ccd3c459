"""The school admin's pages: the staff list, the staff register, confirmations and detachment."""
from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from ...exports import FORMATS, Column, export_response
from ...kernel.actor import request_actor
from ...kernel.forms import EmptyForm
from ...kernel.transaction import discard_changes
from ...models import Role
from ...security import rerender_on_csrf_failure, role_required, upload_rate_limit
from . import bp
from .forms import RegisterImportForm, StaffFilterForm
from .register_import import RegisterError, read_register
from .services import (
    StaffActionError,
    confirm_account,
    confirm_member,
    detach_member,
    get_member,
    get_member_account,
    import_register,
    member_accounts,
    register_state,
    staff_counts,
    staff_export_rows,
    staff_page,
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
    return render_template(
        "school/staff.html",
        counts=counts,
        filters=filters,
        listing=staff_page(organization_id, filters.filters, _page_arg()),
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


def _back(default: str) -> str:
    """Where a button returns to: the page it was pressed on, if that is a staff page."""
    target = request.form.get("next", "")
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


@bp.route("/staff/import", methods=["GET", "POST"])
@role_required(Role.SCHOOL_ADMIN)
@upload_rate_limit
@rerender_on_csrf_failure
def import_staff():
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
            summary = import_register(organization_id, records, request_actor())
            flash(_summary_text(summary), "success")
            return redirect(url_for("school.staff", _anchor="unregistered"))
    status = 400 if errors or form.errors else 200
    return render_template("school/import.html", form=form, errors=errors, register=register_state(organization_id)), status


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
