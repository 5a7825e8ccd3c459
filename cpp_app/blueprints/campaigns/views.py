"""The methodologists' campaign pages, under /admin (the routes are the admin blueprint's: `admin.campaigns`, …),
and the notice of the running campaign that teachers in its scope see on their pages."""
from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user

from ...domain.workflow import TransitionRefused
from ...kernel.actor import request_actor
from ...kernel.clock import local_today
from ...kernel.forms import EmptyForm, validate_all
from ...models import Role
from ...security import rerender_on_csrf_failure, role_required
from ..admin import bp as admin_bp
from . import bp
from .forms import CampaignForm
from .schedule import Phase
from .services import (
    campaign_errors,
    campaign_phase,
    campaign_row,
    close_campaign,
    get_campaign,
    instruments,
    list_campaigns,
    municipalities,
    notice_for,
    open_campaign,
)

campaign_staff = role_required(Role.METHODOLOGIST, Role.ADMIN)


@bp.app_context_processor
def campaign_notice():
    """`campaign_notice()` in a template: the running campaign of the signed-in person, queried only when drawn."""

    def notice():
        if not current_user.is_authenticated:
            return None
        return notice_for(current_user._get_current_object(), local_today())

    return {"campaign_notice": notice}


def _campaign_or_404(campaign_id: int):
    return get_campaign(campaign_id) or abort(404)


@admin_bp.get("/campaigns")
@campaign_staff
def campaigns():
    return render_template("campaigns/index.html", groups=list_campaigns(local_today()), Phase=Phase)


@admin_bp.route("/campaigns/new", methods=["GET", "POST"])
@campaign_staff
@rerender_on_csrf_failure
def campaign_new():
    form = CampaignForm()
    versions = instruments()
    form.set_choices(versions)
    today = local_today()
    if validate_all(form, lambda: campaign_errors(form.campaign_input(), today)):
        campaign = open_campaign(form.campaign_input(), request_actor())
        flash(f"Кампания «{campaign.title}» открыта. Письма педагогам начнут уходить в день её начала.", "success")
        return redirect(url_for("admin.campaign", campaign_id=campaign.id))
    return render_template("campaigns/form.html", form=form, municipalities=municipalities(),
                           has_instruments=bool(versions)), (400 if form.errors else 200)


@admin_bp.get("/campaigns/<int:campaign_id>")
@campaign_staff
def campaign(campaign_id: int):
    row = campaign_row(_campaign_or_404(campaign_id), local_today())
    return render_template("campaigns/campaign.html", row=row, Phase=Phase)


@admin_bp.route("/campaigns/<int:campaign_id>/close", methods=["GET", "POST"])
@campaign_staff
def campaign_close(campaign_id: int):
    campaign = _campaign_or_404(campaign_id)
    today = local_today()
    form = EmptyForm()
    if campaign_phase(campaign, today) == Phase.FINISHED:
        flash("Кампания уже завершена.", "info")
        return redirect(url_for("admin.campaign", campaign_id=campaign.id))
    if form.validate_on_submit():
        try:
            close_campaign(campaign, request_actor(), today)
        except TransitionRefused as refusal:
            flash(str(refusal), "error")
        else:
            flash(f"Кампания «{campaign.title}» завершена досрочно. Письма по ней больше не отправляются.", "success")
        return redirect(url_for("admin.campaign", campaign_id=campaign.id))
    return render_template("campaigns/close.html", row=campaign_row(campaign, today), form=form)
