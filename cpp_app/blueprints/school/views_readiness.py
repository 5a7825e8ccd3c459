"""«Цифровая готовность педагогов»: the school admin's view of the staff's self-assessment, and copying the weakest
areas into the draft development program."""
from flask import flash, redirect, render_template, url_for

from ...domain.readiness import mean_text
from ...domain.research import MIN_GROUP
from ...domain.workflow import TransitionRefused
from ...kernel.actor import request_actor
from ...kernel.clock import local_today
from ...kernel.forms import EmptyForm
from ...models import Role
from ...security import role_required
from ..selfassessment.services_route import shared_routes
from . import bp
from .services_readiness import add_deficits, deficits_text, draft_program, readiness
from .views import _organization_id


@bp.get("/readiness", endpoint="readiness")
@role_required(Role.SCHOOL_ADMIN)
def readiness_page():
    organization_id = _organization_id()
    return render_template(
        "school/readiness.html", figures=readiness(organization_id, local_today()),
        routes=shared_routes(organization_id), minimum=MIN_GROUP, mean_text=mean_text,
    )


@bp.route("/readiness/deficits", methods=["GET", "POST"])
@role_required(Role.SCHOOL_ADMIN)
def readiness_deficits():
    organization_id = _organization_id()
    today = local_today()
    figures = readiness(organization_id, today)
    program = draft_program(organization_id)
    text = deficits_text(figures, today)
    if program is None:
        flash("Черновика программы развития нет, добавлять дефициты некуда. Создайте программу или начните новую "
              "редакцию утверждённой в разделе «Программа развития».", "info")
        return redirect(url_for("school.readiness"))
    if not text:
        flash(f"Нет областей, по которым ответили хотя бы {MIN_GROUP} педагогов, — добавлять в программу нечего.",
              "info")
        return redirect(url_for("school.readiness"))
    form = EmptyForm()
    if form.validate_on_submit():
        try:
            add_deficits(program, text, request_actor())
        except TransitionRefused as refusal:
            flash(str(refusal), "error")
            return redirect(url_for("school.readiness"))
        flash("Кадровые дефициты добавлены в раздел «Причины дефицитов» программы развития. Проверьте и "
              "отредактируйте текст.", "success")
        return redirect(url_for("programs.edit", program_id=program.id, _anchor="causes"))
    return render_template("school/readiness_deficits.html", program=program, text=text, form=form)
