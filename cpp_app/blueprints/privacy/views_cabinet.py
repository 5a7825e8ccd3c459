"""«Мои данные», under /cabinet: what the service holds, its export (JSON, PDF), requests to the operator,
withdrawal of consent."""
from flask import abort, flash, make_response, redirect, render_template, url_for
from flask_login import current_user, login_required, logout_user

from ...extensions import limiter
from ...formatting import local_date
from ...kernel.actor import request_actor
from ...kernel.forms import show_field_errors
from ...models import PrivacyRequestKind
from ...pdf import render_pdf
from ...security import render_rate_limit, rerender_on_csrf_failure, user_rate_key
from ...service_errors import FieldErrors
from ..cabinet import bp as cabinet_bp
from .forms import PrivacyRequestForm, WithdrawConsentForm
from .gate import reachable_without_consent
from .services_export import export_data, export_json, held_data, record_export
from .services_requests import file_request, user_request, user_requests, withdraw_consent


def _me():
    return current_user._get_current_object()


def _render_data(form: PrivacyRequestForm):
    user = _me()
    return render_template("privacy/data.html", form=form, held=held_data(user), requests=user_requests(user.id))


@cabinet_bp.get("/data")
@reachable_without_consent
@login_required
def data():
    return _render_data(PrivacyRequestForm(formdata=None))


def _download(body: bytes, mimetype: str, file_name: str):
    response = make_response(body)
    response.mimetype = mimetype
    response.headers["Content-Disposition"] = f'attachment; filename="{file_name}"'
    response.headers["Cache-Control"] = "no-store"
    return response


@cabinet_bp.get("/data.json")
@reachable_without_consent
@login_required
@limiter.limit("30/minute", key_func=user_rate_key)
def data_json():
    user = _me()
    body = export_json(export_data(user))
    record_export(user, "json", request_actor())
    response = _download(body, "application/json", f"moi-dannye-cpp-{user.id}.json")
    response.content_type = "application/json; charset=utf-8"
    return response


@cabinet_bp.get("/data.pdf")
@reachable_without_consent
@login_required
@render_rate_limit
@limiter.limit("10/minute", key_func=user_rate_key)  # ~0.4 s for a typical history, ~2.5 s for 400 rows
def data_pdf():
    user = _me()
    pdf = render_pdf(render_template("privacy/data_pdf.html", data=export_data(user)))
    record_export(user, "pdf", request_actor())
    return _download(pdf, "application/pdf", f"moi-dannye-cpp-{user.id}.pdf")


@cabinet_bp.post("/data/requests")
@reachable_without_consent
@login_required
@limiter.limit("20/day", methods=["POST"], key_func=user_rate_key)  # each one mails every operator admin
@rerender_on_csrf_failure
def data_request_new():
    form = PrivacyRequestForm()
    if form.validate_on_submit():
        try:
            filed = file_request(_me(), PrivacyRequestKind(form.kind.data), form.text.data, request_actor())
        except FieldErrors as error:
            show_field_errors(form, error.errors)
        else:
            flash(f"Обращение № {filed.id} принято. Оператор ответит не позднее {local_date(filed.due_at)}; "
                  "ответ появится на этой странице и придёт на вашу почту.", "success")
            return redirect(url_for("cabinet.data_request", request_id=filed.id))
    return _render_data(form)


@cabinet_bp.get("/data/requests/<int:request_id>")
@reachable_without_consent
@login_required
def data_request(request_id: int):
    privacy_request = user_request(current_user.id, request_id)
    if privacy_request is None:
        abort(404)
    return render_template("privacy/data_request.html", privacy_request=privacy_request)


@cabinet_bp.route("/data/withdraw", methods=["GET", "POST"])
@reachable_without_consent
@login_required
@limiter.limit("10/hour", methods=["POST"], key_func=user_rate_key)  # it asks for the password
@rerender_on_csrf_failure
def data_withdraw():
    form = WithdrawConsentForm()
    if form.validate_on_submit():
        try:
            withdrawal = withdraw_consent(_me(), form.password.data, request_actor())
        except FieldErrors as error:
            show_field_errors(form, error.errors)
        else:
            logout_user()
            flash("Согласие на обработку персональных данных отозвано. Учётная запись заблокирована, вход "
                  f"на всех устройствах завершён. Ваши персональные данные будут уничтожены не позднее "
                  f"{local_date(withdrawal.due_at)}; подтверждение отправлено на вашу почту.", "success")
            return redirect(url_for("main.index"))
    return render_template("privacy/data_withdraw.html", form=form)
