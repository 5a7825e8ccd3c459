"""The service operator's pages: users, their roles, blocking and unblocking."""
from flask import abort, flash, redirect, render_template, request, url_for

from ...kernel.actor import request_actor
from ...kernel.forms import EmptyForm, show_field_errors, validate_all
from ...kernel.transaction import discard_changes
from ...models import Role, User
from ...security import rerender_on_csrf_failure, role_required
from . import bp
from .forms import BlockForm, RoleForm, UserFilterForm
from .services import (
    FieldErrors,
    block_user,
    change_role,
    get_user,
    list_users,
    organization_by_inn,
    role_change_problems,
    unblock_user,
    user_history,
)


def _user_or_404(user_id: int) -> User:
    user = get_user(user_id)
    if user is None:
        abort(404)
    return user


def _render_user(user: User, form: RoleForm | None = None, block_form: BlockForm | None = None):
    return render_template(
        "admin/user.html",
        user=user,
        form=RoleForm(formdata=None, role=user.role.value) if form is None else form,
        block_form=BlockForm(formdata=None) if block_form is None else block_form,
        unblock_form=EmptyForm(formdata=None),
        history=user_history(user),
    )


@bp.get("/")
@role_required(Role.ADMIN)
def index():
    return redirect(url_for("admin.users"))


@bp.get("/users")
@role_required(Role.ADMIN)
def users():
    filters = UserFilterForm(request.args)
    filters.validate()
    result = list_users(filters.query, filters.selected_role, request.args.get("page", 1, type=int))
    return render_template("admin/users.html", filters=filters, result=result)


@bp.get("/users/<int:user_id>")
@role_required(Role.ADMIN)
def user(user_id: int):
    return _render_user(_user_or_404(user_id))


@bp.post("/users/<int:user_id>/role")
@role_required(Role.ADMIN)
@rerender_on_csrf_failure
def change_user_role(user_id: int):
    user = _user_or_404(user_id)
    form = RoleForm()
    if validate_all(form, lambda: role_change_problems(user, form.role.data, form.organization_inn.data,
                                                       request_actor().user_id)):
        try:
            organization = organization_by_inn(form.organization_inn.data) if form.organization_inn.data else None
            change_role(user, Role(form.role.data), organization, request_actor())
        except FieldErrors as error:
            discard_changes()
            for name, message in error.errors.items():
                form[name].errors = [*form[name].errors, message]
        else:
            where = f" ({user.organization.short_name})" if user.role == Role.SCHOOL_ADMIN else ""
            flash(f"Роль пользователя {user.full_name or user.email} изменена: {user.role.label}{where}.", "success")
            return redirect(url_for("admin.user", user_id=user.id))
    return _render_user(user, form)


@bp.post("/users/<int:user_id>/block")
@role_required(Role.ADMIN)
@rerender_on_csrf_failure
def block(user_id: int):
    user = _user_or_404(user_id)
    form = BlockForm()
    if form.validate_on_submit():
        try:
            ended = block_user(user, form.reason.data, request_actor())
        except FieldErrors as error:
            show_field_errors(form, error.errors)
        else:
            flash(f"Учётная запись {user.full_name or user.email} заблокирована, завершено сеансов: {ended}.", "success")
            return redirect(url_for("admin.user", user_id=user.id))
    return _render_user(user, block_form=form)


@bp.post("/users/<int:user_id>/unblock")
@role_required(Role.ADMIN)
def unblock(user_id: int):
    user = _user_or_404(user_id)
    try:
        unblock_user(user, request_actor())
    except FieldErrors as error:
        discard_changes()
        flash(error.errors["unblock"], "error")
    else:
        flash(f"Учётная запись {user.full_name or user.email} разблокирована.", "success")
    return redirect(url_for("admin.user", user_id=user.id))
