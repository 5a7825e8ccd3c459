from datetime import timedelta

from flask import current_app, flash, redirect, render_template, request, session, url_for
from flask_limiter.util import get_remote_address
from flask_login import current_user, login_required, login_user, logout_user
from sqlalchemy.exc import IntegrityError

from ...extensions import limiter
from ...kernel.actor import request_actor
from ...kernel.forms import EmptyForm, show_field_errors
from ...kernel.transaction import discard_changes
from ...security import rerender_on_csrf_failure, user_rate_key
from ...urls import safe_next_url
from ..privacy.gate import reachable_without_consent
from ..privacy.services import current_document
from . import bp
from .addresses import (
    AddressTaken,
    awaiting_confirmation,
    confirm_address,
    from_confirmation_token,
    mail_confirmation_link,
)
from .devices import known_account_ids, remember_device
from .forms import ForgotPasswordForm, LoginCodeForm, LoginForm, RegistrationForm, ResetPasswordForm
from .second_factor import WrongCode, issue_login_code, needs_second_factor, verify_login_code
from .services import (
    FieldErrors,
    Registration,
    SignInRefused,
    authenticate,
    find_user_by_id,
    personal_data,
    register_teacher,
    request_password_reset,
    sign_in,
    user_from_reset_token,
)
from .services import (
    reset_password as reset_user_password,
)
from .sessions import end_session

# Per client address: generous, since a whole school may sign in from behind one NAT address.
SIGN_IN_LIMIT = "30/minute;300/hour"
CODE_CHECK_LIMIT = "30/minute"
CODE_CHECK_LIMIT_PER_ACCOUNT = "10/minute"
RESEND_LIMIT = "10/hour"
RESEND_LIMIT_PER_ACCOUNT = "3 per 10 minutes"
CONFIRMATION_RESEND_LIMIT = "3/hour"

# A staff sign-in between the password and the mailed code; in the signed session cookie, not signed in yet.
PENDING_KEY = "cpp_pending_sign_in"


def _int_or_none(value) -> int | None:
    return int(value) if value and str(value).isdigit() else None


@bp.route("/register", methods=["GET", "POST"])
@limiter.limit("20/hour", methods=["POST"])
@rerender_on_csrf_failure
def register():
    if current_user.is_authenticated:
        return redirect(url_for("main.index"))
    document = current_document()
    form = RegistrationForm()
    if request.method == "GET":
        form.consent_version.data = document.version
    if form.validate_on_submit():
        data = Registration(
            **{name: form[name].data for name in ("last_name", "first_name", "middle_name", "phone", "email",
                                                  "settlement", "password")},
            workplace=form.workplace_result,
            consent_version=_int_or_none(form.consent_version.data),
        )
        try:
            register_teacher(data, request_actor())
        except FieldErrors as error:
            show_field_errors(form, error.errors)
            form.consent_version.data = document.version
        else:
            # The same answer whether or not the address already had an account: it cannot be probed here.
            flash(f"Мы отправили письмо на адрес {data.email.strip().lower()}. Откройте ссылку из письма, чтобы "
                  "подтвердить адрес. Войти и заполнить профиль можно уже сейчас — с паролем, который вы задали.",
                  "success")
            return redirect(url_for("auth.login"))
    return render_template("auth/register.html", form=form, document=document)


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(SIGN_IN_LIMIT, methods=["POST"])
@rerender_on_csrf_failure
def login():
    if current_user.is_authenticated:
        return redirect(url_for("main.index"))
    form = LoginForm()
    if form.validate_on_submit():
        actor, remember = request_actor(), form.remember.data
        next_url = safe_next_url(request.args.get("next"))
        try:
            user = authenticate(form.email.data, form.password.data, actor, known_account_ids())
            login_code = issue_login_code(user) if needs_second_factor(user) else None
        except SignInRefused as refusal:
            form.password.errors = [str(refusal)]
        else:
            if login_code is None:
                return _signed_in(user, remember, actor, next_url)
            session[PENDING_KEY] = {"user_id": user.id, "code_id": login_code.id, "remember": remember, "next": next_url}
            return redirect(url_for("auth.login_code"))
    return render_template("auth/login.html", form=form)


def _signed_in(user, remember: bool, actor, next_url: str, second_factor: str | None = None):
    sign_in(user, remember, actor, second_factor)
    session.pop(PENDING_KEY, None)
    login_user(user, remember=remember, duration=timedelta(days=current_app.config["REMEMBER_COOKIE_DURATION_DAYS"]))
    response = redirect(next_url)
    remember_device(response, user.id)
    return response


def _pending_account_key() -> str:
    """Rate-limit key for the code pages: the account being signed in to, whatever address the tries come from."""
    pending = session.get(PENDING_KEY) or {}
    return f"pending-sign-in:{pending.get('user_id') or get_remote_address()}"


def _restart_sign_in(message: str, category: str = "error"):
    session.pop(PENDING_KEY, None)
    flash(message, category)
    return redirect(url_for("auth.login"))


@bp.route("/login/code", methods=["GET", "POST"])
@limiter.limit(CODE_CHECK_LIMIT, methods=["POST"])
@limiter.limit(CODE_CHECK_LIMIT_PER_ACCOUNT, methods=["POST"], key_func=_pending_account_key)
@rerender_on_csrf_failure
def login_code():
    if current_user.is_authenticated:
        return redirect(url_for("main.index"))
    pending = session.get(PENDING_KEY)
    if not pending:
        return _restart_sign_in("Войдите с адресом электронной почты и паролем — после этого мы пришлём код.", "info")
    form = LoginCodeForm()
    if form.validate_on_submit():
        actor = request_actor()
        try:
            user = verify_login_code(pending["user_id"], pending["code_id"], form.code.data, actor)
        except WrongCode as wrong:
            form.code.errors = [wrong.message]
        except SignInRefused as refusal:
            return _restart_sign_in(str(refusal))
        else:
            return _signed_in(user, pending["remember"], actor, pending["next"], second_factor="email_code")
    minutes = current_app.config["LOGIN_CODE_TTL_MINUTES"]
    return render_template("auth/login_code.html", form=form, resend_form=EmptyForm(formdata=None), minutes=minutes)


@bp.post("/login/code/resend")
@limiter.limit(RESEND_LIMIT)
@limiter.limit(RESEND_LIMIT_PER_ACCOUNT, key_func=_pending_account_key)
def login_code_resend():
    pending = session.get(PENDING_KEY)  # the global CSRF check has passed by now
    if current_user.is_authenticated or not pending:
        return redirect(url_for("auth.login_code"))
    user = find_user_by_id(pending["user_id"])
    if user is None or not user.is_active or not needs_second_factor(user):
        return _restart_sign_in("Войдите снова с адресом электронной почты и паролем.")
    try:
        new_code = issue_login_code(user)
    except SignInRefused as refusal:
        flash(str(refusal), "error")
    else:
        session[PENDING_KEY] = {**pending, "code_id": new_code.id}
        flash("Мы отправили новый код. Код из предыдущего письма больше не действует.", "info")
    return redirect(url_for("auth.login_code"))


@bp.route("/logout", methods=["GET", "POST"])
@reachable_without_consent
def logout():
    form = EmptyForm()
    if request.method == "POST" and form.validate_on_submit():
        if current_user.is_authenticated:
            end_session(current_user.get_id())
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
    form.personal = personal_data(user)
    if form.validate_on_submit():
        try:
            reset_user_password(user, form.password.data, request_actor())
        except FieldErrors as error:
            show_field_errors(form, error.errors)
        else:
            logout_user()
            flash("Пароль изменён. Войдите с новым паролем.", "success")
            return redirect(url_for("auth.login"))
    return render_template("auth/reset_password.html", form=form)


@bp.get("/email/confirm/<token>")
@reachable_without_consent
@limiter.limit("30/hour")
def confirm_email(token: str):
    found = from_confirmation_token(token)
    if found is None:
        flash("Ссылка для подтверждения адреса недействительна: она устарела или уже была использована. "
              "Войдите и запросите новое письмо.", "error")
        return redirect(url_for("auth.login"))
    user, address = found
    try:
        confirm_address(user, address, request_actor())
    except (AddressTaken, IntegrityError):  # the latter: another account confirmed it in the same instant
        discard_changes()
        flash(f"Адрес {address} уже подтверждён другой учётной записью, поэтому его нельзя подтвердить для этой.",
              "error")
        return redirect(url_for("cabinet.profile" if current_user.is_authenticated else "auth.login"))
    if current_user.is_authenticated and current_user.id == user.id:
        flash(f"Адрес {address} подтверждён.", "success")
        return redirect(url_for("cabinet.overview"))
    flash(f"Адрес {address} подтверждён. Войдите в ЦПП.", "success")
    return redirect(url_for("auth.login"))


@bp.post("/email/confirm/resend")
@reachable_without_consent
@login_required
@limiter.limit(CONFIRMATION_RESEND_LIMIT, key_func=user_rate_key)
def resend_confirmation():
    address = awaiting_confirmation(current_user)
    if address is None:
        flash("Адрес электронной почты уже подтверждён.", "info")
    else:
        mail_confirmation_link(current_user, address)
        flash(f"Мы отправили письмо со ссылкой ещё раз на адрес {address}. Если его нет, проверьте папку «Спам».",
              "info")
    return redirect(safe_next_url(request.form.get("next"), "cabinet.overview"))
