from flask import abort, flash, redirect, render_template, request
from flask_login import current_user, login_required

from ...domain.documents import parse_blocks
from ...kernel.actor import request_actor
from ...security import rerender_on_csrf_failure
from ...urls import safe_next_url
from . import bp
from .forms import RenewConsentForm
from .services import ConsentSituation, consent_situation, current_document, document_by_version, grant_consent


@bp.get("/")
def policy():
    return render_template("privacy/policy.html", document=current_document())


@bp.get("/consent")
@bp.get("/consent/<int:version>")
def consent(version: int | None = None):
    document = current_document() if version is None else document_by_version(version)
    if document is None:
        abort(404)
    return render_template("privacy/consent.html", document=document, blocks=parse_blocks(document.body))


@bp.route("/consent/renew", methods=["GET", "POST"])
@login_required
@rerender_on_csrf_failure
def renew():
    next_url = safe_next_url(request.args.get("next"))
    situation = consent_situation(current_user.id)
    if situation == ConsentSituation.CURRENT:
        return redirect(next_url)
    document = current_document()
    form = RenewConsentForm(document_version=document.version)
    if form.validate_on_submit():
        if form.document_version.data != str(document.version):
            flash("Текст согласия обновился, пока вы его читали. Ознакомьтесь с новой редакцией.", "warning")
        else:
            grant_consent(current_user, document, request_actor())
            flash("Спасибо, согласие на обработку персональных данных сохранено.", "success")
            return redirect(next_url)
    return render_template("privacy/renew.html", form=form, document=document, blocks=parse_blocks(document.body),
                           situation=situation, Situation=ConsentSituation)
