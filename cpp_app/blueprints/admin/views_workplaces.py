"""Workplaces typed at registration that matched no registry organisation, for a methodologist to match."""
from flask import abort, flash, redirect, render_template, request, url_for
from flask_wtf import FlaskForm
from wtforms import HiddenField, StringField
from wtforms.validators import Optional, Regexp

from ...converters import parse_id
from ...kernel.actor import request_actor
from ...kernel.forms import strip_filter
from ...kernel.transaction import discard_changes
from ...models import Role
from ...security import role_required
from ...service_errors import FieldErrors
from . import bp
from .workplace_services import choose_organization, get_user, match_workplace, unmatched_workplaces


class WorkplaceMatchForm(FlaskForm):
    """Either a suggestion's button (organization_id) or a typed INN."""

    organization_id = HiddenField()
    inn = StringField("ИНН организации", filters=[strip_filter],
                      validators=[Optional(), Regexp(r"^\d{10}(\d{2})?$", message="ИНН состоит из 10 или 12 цифр.")])
    page = HiddenField()


@bp.get("/workplaces")
@role_required(Role.METHODOLOGIST, Role.ADMIN)
def workplaces():
    listing = unmatched_workplaces(request.args.get("page", 1, type=int))
    return render_template("admin/workplaces.html", listing=listing, form=WorkplaceMatchForm(formdata=None))


@bp.post("/workplaces/<int:user_id>/match")
@role_required(Role.METHODOLOGIST, Role.ADMIN)
def workplace_match(user_id: int):
    user = get_user(user_id) or abort(404)
    form = WorkplaceMatchForm()
    back = url_for("admin.workplaces", page=form.page.data if (form.page.data or "").isdigit() else None)
    typed = user.workplace_text
    try:
        if not form.validate_on_submit():
            raise FieldErrors({name: errors[0] for name, errors in form.errors.items()})
        organization = choose_organization(parse_id(form.organization_id.data), form.inn.data)
        match_workplace(user, organization, request_actor())
    except FieldErrors as error:
        discard_changes()
        flash(f"{user.full_name or user.email}: " + " ".join(error.errors.values()), "error")
        return redirect(back)
    flash(f"«{typed}» сопоставлено: {user.full_name or user.email} — {organization.short_name}. "
          "Работу педагога подтвердит его организация.", "success")
    return redirect(back)
