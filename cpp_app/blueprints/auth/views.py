from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user, login_user, logout_user

from ...extensions import db, limiter
from ...security import request_actor, rerender_on_csrf_failure
from ...urls import safe_next_url
from ..forms_common import EmptyForm, show_field_errors
from ..privacy.services import current_document
from . import bp
from .forms import ForgotPasswordForm, LoginForm, RegistrationForm, ResetPasswordForm
from .services import (
    FieldErrors,
    Registration,
    SignInRefused,
    authenticate,
    register_teacher,
    request_password_reset,
    user_from_reset_token,
)
from .services import (
    reset_password as reset_user_password,
)
from .sessions import end_session, start_session


def _int_or_none(value) -> int | None:
    return int(value) if value and str(value).isdigit() else None


@bp.route("/register", methods=["GET", "POST"])
@limiter.limit("20/hour", methods=["POST"])
@rerender_on_csrf_failure
def register():
    if current_user.is_authenticated:
        return redirect(url_for("cabinet.overview"))
    document = current_document()
    form = RegistrationForm()
    if request.method == "GET":
        form.consent_version.data = document.version
    if form.validate_on_submit():
        data = Registration(
            **{name: form[name].data for name in ("last_name", "first_name", "middle_name", "phone", "email",
                                                  "settlement", "workplace", "password")},
            organization_id=_int_or_none(form.organization_id.data),
            consent_version=_int_or_none(form.consent_version.data),
        )
        try:
            user = register_teacher(data, request_actor())
        except FieldErrors as error:
            show_field_errors(form, error.errors)
            form.consent_version.data = document.version
        else:
            start_session(user, remember=False, actor=request_actor())
            db.session.commit()
            login_user(user)
            flash("Регистрация завершена. Добро пожаловать в «Цифровой профиль педагога»!", "success")
            return redirect(url_for("cabinet.overview"))
    return render_template("auth/register.html", form=form, document=document)


@bp.route("/login", methods=["GET", "POST"])
@rerender_on_csrf_failure
def login():
    if current_user.is_authenticated:
        return redirect(url_for("cabinet.overview"))
    form = LoginForm()
    if form.validate_on_submit():
        actor = request_actor()
        try:
            user = authenticate(form.email.data, form.password.data, actor)
        except SignInRefused as refusal:
            db.session.commit()  # the failure counters must persist
            form.password.errors = [str(refusal)]
        else:
            start_session(user, remember=form.remember.data, actor=actor)
            db.session.commit()
            login_user(user, remember=form.remember.data)
            return redirect(safe_next_url(request.args.get("next")))
    return render_template("auth/login.html", form=form)


@bp.route("/logout", methods=["GET", "POST"])
def logout():
    form = EmptyForm()
    if request.method == "POST" and form.validate_on_submit():
        if current_user.is_authenticated:
            end_session(current_user.get_id())
            db.session.commit()
        logout_user()
        flash("Вы вышли из ЦПП.", "info")
        return redirect(url_for("auth.login"))
    if not current_user.is_authenticated:
        return redirect(url_for("auth.login"))
    return render_template("auth/logout.html", form=form)


@bp.route("/password/forgot", methods=["GET", "POST"])
@limiter.limit("10/hour", methods=["POST"])
@rerender_on_csrf_failure
def forgot_password():
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        request_password_reset(form.email.data)
        flash(
            "Если этот адрес зарегистрирован в ЦПП, мы отправили на него письмо со ссылкой для смены пароля. "
            "Ссылка действует один час.",
            "info",
        )
        return redirect(url_for("auth.login"))
    return render_template("auth/forgot_password.html", form=form)


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
@limiter.limit("20/hour", methods=["POST"])
@rerender_on_csrf_failure
def reset_password(token: str):
    user = user_from_reset_token(token)
    if user is None:
        flash("Ссылка для смены пароля недействительна: она устарела или уже была использована. Запросите новую.", "error")
        return redirect(url_for("auth.forgot_password"))
    form = ResetPasswordForm()
    if form.validate_on_submit():
        try:
            reset_user_password(user, form.password.data, request_actor())
        except FieldErrors as error:
            show_field_errors(form, error.errors)
        else:
            db.session.commit()
            logout_user()
            flash("Пароль изменён. Войдите с новым паролем.", "success")
            return redirect(url_for("auth.login"))
    return render_template("auth/reset_password.html", form=form)
