"""The cabinet's «Безопасность» tab: sessions on the user's devices, signing out everywhere, the password."""
from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user, login_required, logout_user

from ...extensions import limiter
from ...kernel.actor import request_actor
from ...kernel.forms import EmptyForm, show_field_errors, validate_all
from ...security import rerender_on_csrf_failure
from ...service_errors import FieldErrors
from ..auth.services import personal_data
from ..auth.sessions import idle_text
from . import bp
from .security_forms import PasswordChangeForm
from .security_services import change_password as change_user_password
from .security_services import end_device_session, password_change_problems, session_rows
from .security_services import sign_out_everywhere as end_every_session


def _me():
    return current_user._get_current_object()


def _render_security(form: PasswordChangeForm):
    user = _me()
    return render_template("cabinet/security.html", form=form, sessions=session_rows(user, user.get_id()),
                           button=EmptyForm(formdata=None), idle=idle_text(remember=False),
                           remember_idle=idle_text(remember=True))


@bp.get("/security")
@login_required
def security():
    return _render_security(PasswordChangeForm(formdata=None))


@bp.post("/security/password", endpoint="security_password")
@login_required
@limiter.limit("10/hour")  # the current password must not be guessable through this form
@rerender_on_csrf_failure
def change_password():
    user, form = _me(), PasswordChangeForm()
    form.personal = personal_data(user)
    if validate_all(form, lambda: password_change_problems(user, form.current_password.data, form.new_password.data)):
        try:
            ended = change_user_password(user, form.current_password.data, form.new_password.data, user.get_id(),
                                         request_actor())
        except FieldErrors as error:
            show_field_errors(form, error.errors)
        else:
            others = f" Сеансы на других устройствах завершены: {ended}." if ended else ""
            flash(f"Пароль изменён.{others} Мы отправили уведомление на вашу почту.", "success")
            return redirect(url_for("cabinet.security"))
    return _render_security(form)


@bp.post("/security/sessions/<int:session_id>/end", endpoint="security_end_session")
@login_required
def end_session(session_id: int):
    user = _me()
    if not end_device_session(user, session_id, user.get_id(), request_actor()):
        abort(404)
    flash("Сеанс на другом устройстве завершён.", "success")
    return redirect(url_for("cabinet.security"))


@bp.route("/security/sign-out-everywhere", methods=["GET", "POST"], endpoint="security_sign_out_everywhere")
@login_required
def sign_out_everywhere():
    form = EmptyForm()
    if form.validate_on_submit():
        end_every_session(_me(), request_actor())
        logout_user()
        flash("Вы вышли из ЦПП на всех устройствах, включая это. Войдите снова.", "info")
        return redirect(url_for("auth.login"))
    return render_template("cabinet/security_sign_out_everywhere.html", form=form,
                           count=len(session_rows(_me(), None)))
