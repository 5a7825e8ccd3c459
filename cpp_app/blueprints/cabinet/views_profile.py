"""The user's own cabinet: overview, profile (with the e-mail change) and platform accounts."""
from flask import flash, redirect, render_template, url_for
from flask_login import current_user, login_required

from ...extensions import limiter
from ...kernel.actor import request_actor
from ...kernel.forms import EmptyForm, show_field_errors, validate_all
from ...models import AccountStatus
from ...security import rerender_on_csrf_failure
from ...service_errors import FieldErrors
from ..organizations.forms import offer_registry_matches
from ..selfassessment.services import card as self_assessment_card
from . import bp
from .profile_forms import EmailChangeForm, PlatformAccountForm, ProfileForm
from .profile_services import (
    AccountInput,
    ProfileData,
    account_history,
    email_change_problems,
    local_today,
    platform_rows,
    save_accounts,
    update_profile,
    workplace_text,
)
from .profile_services import (
    change_email as change_user_email,
)
from .profile_services import (
    overview as user_overview,
)

PROFILE_FIELDS = ("last_name", "first_name", "middle_name", "phone", "settlement", "position", "subjects",
                  "qualification_category", "experience_years")


def _me():
    return current_user._get_current_object()


@bp.get("/")
@login_required
def overview():
    user = _me()
    return render_template("cabinet/overview.html", overview=user_overview(user),
                           self_assessment=self_assessment_card(user))


def _render_profile(profile_form: ProfileForm, email_form: EmailChangeForm):
    return render_template("cabinet/profile.html", form=profile_form, email_form=email_form)


@bp.route("/profile", methods=["GET", "POST"])
@login_required
@rerender_on_csrf_failure
def profile():
    user = _me()
    form = ProfileForm.for_user(user, workplace_text(user))
    if form.validate_on_submit():
        data = ProfileData(**{name: form[name].data for name in PROFILE_FIELDS}, workplace=form.workplace_result)
        try:
            update_profile(user, data, request_actor())
        except FieldErrors as error:
            show_field_errors(form, error.errors)
        else:
            flash("Профиль сохранён.", "success")
            return redirect(url_for("cabinet.profile"))
    elif not form.is_submitted() and user.organization_id is None and user.workplace_text:
        offer_registry_matches(form, user.workplace_text, user.settlement)
    return _render_profile(form, EmailChangeForm(formdata=None))


@bp.post("/profile/email")
@login_required
@limiter.limit("10/hour", methods=["POST"])
@rerender_on_csrf_failure
def change_email():
    user = _me()
    form = EmailChangeForm()
    if validate_all(form, lambda: email_change_problems(user, form.new_email.data, form.current_password.data)):
        try:
            address = change_user_email(user, form.new_email.data, form.current_password.data, request_actor())
        except FieldErrors as error:
            show_field_errors(form, error.errors)
        else:
            flash(f"Мы отправили письмо на {address}. Адрес изменится, когда вы откроете ссылку из письма; "
                  "до тех пор входите с прежним адресом.", "success")
            return redirect(url_for("cabinet.profile"))
    return _render_profile(ProfileForm.for_user(user, workplace_text(user)), form)


@bp.route("/platforms", methods=["GET", "POST"])
@login_required
@rerender_on_csrf_failure
def platforms():
    user, today, form = _me(), local_today(), EmptyForm()
    rows = [(row, PlatformAccountForm(row.platform, today, data=_row_data(row))) for row in platform_rows(user)]
    if form.validate_on_submit() and all([row_form.validate() for _, row_form in rows]):
        events = save_accounts(user, [_account_input(row_form) for _, row_form in rows], request_actor())
        flash(_saved_message(len(events)), "success")
        return redirect(url_for("cabinet.platforms"))
    return render_template("cabinet/platforms.html", form=form, rows=rows, history=account_history(user))


def _row_data(row) -> dict:
    account = row.account
    return {"status": row.status.value, "since": account.since if account else None,
            "profile_url": account.profile_url if account else None}


def _account_input(row_form: PlatformAccountForm) -> AccountInput:
    return AccountInput(row_form.platform, AccountStatus(row_form.status.data), row_form.since.data,
                        row_form.profile_url.data)


def _saved_message(changes: int) -> str:
    if not changes:
        return "Сведения о платформах сохранены."
    return ("Сведения о платформах сохранены. Изменения статуса и дат записаны в историю; "
            "новый статус подтвердит администратор вашей образовательной организации.")
