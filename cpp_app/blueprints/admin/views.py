"""The service operator's pages: users and their roles."""
from flask import abort, flash, redirect, render_template, request, url_for

from ...extensions import db
from ...models import Role, User
from ...security import request_actor, rerender_on_csrf_failure, role_required
from . import bp
from .forms import RoleForm, UserFilterForm
from .services import (
    FieldErrors,
    change_role,
    get_user,
    list_users,
    organization_by_inn,
    user_history,
)


def _user_or_404(user_id: int) -> User:
    user = get_user(user_id)
    if user is None:
        abort(404)
    return user


def _render_user(user: User, form: RoleForm):
    return render_template("admin/user.html", user=user, form=form, history=user_history(user))


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
    user = _user_or_404(user_id)
    return _render_user(user, RoleForm(role=user.role.value))


@bp.post("/users/<int:user_id>/role")
@role_required(Role.ADMIN)
@rerender_on_csrf_failure
def change_user_role(user_id: int):
    user = _user_or_404(user_id)
    form = RoleForm()
    if form.validate_on_submit():
        try:
            organization = organization_by_inn(form.organization_inn.data) if form.organization_inn.data else None
            change_role(user, Role(form.role.data), organization, request_actor())
        except FieldErrors as error:
            for name, message in error.errors.items():
                form[name].errors = [*form[name].errors, message]
        else:
            db.session.commit()
            where = f" ({user.organization.short_name})" if user.role == Role.SCHOOL_ADMIN else ""
            flash(f"Роль пользователя {user.full_name or user.email} изменена: {user.role.label}{where}.", "success")
            return redirect(url_for("admin.user", user_id=user.id))
    return _render_user(user, form)
