"""The self-assessment pages under /cabinet/self-assessment: start, one area per step, the check page, submitting
and the personal feedback. Answers are saved on every step's POST, so nothing is lost when the session ends."""
from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from ...domain.charts import Bar, bar_chart
from ...domain.readiness import decimal_text
from ...kernel.forms import EmptyForm
from ...security import rerender_on_csrf_failure
from ...service_errors import FieldErrors
from ..cabinet import bp as cabinet_bp
from . import services


def _me():
    user = current_user._get_current_object()
    if not services.may_take(user):
        abort(404)
    return user


def _own(assessment_id: int):
    assessment = services.own(_me(), assessment_id)
    if assessment is None:
        abort(404)
    return assessment


def item_id(code: str) -> str:
    """An item's code as an HTML id (codes hold dots)."""
    return "item-" + code.replace(".", "-")


@cabinet_bp.get("/self-assessment")
@login_required
def self_assessment():
    user = _me()
    version = services.active_instrument()
    instrument = services.methodology_of(version) if version is not None else None
    return render_template(
        "selfassessment/start.html", instrument=instrument, version=version, draft=services.draft_of(user),
        submitted=services.last_submitted(user), form=EmptyForm(),
    )


@cabinet_bp.post("/self-assessment/start")
@login_required
def self_assessment_start():
    if not EmptyForm().validate_on_submit():
        abort(400)
    assessment = services.start(_me())
    if assessment is None:
        flash("Методика самооценки пока не опубликована.", "error")
        return redirect(url_for("cabinet.self_assessment"))
    return redirect(url_for("cabinet.self_assessment_step", assessment_id=assessment.id, step=1))


@cabinet_bp.route("/self-assessment/<int:assessment_id>/step/<int:step>", methods=["GET", "POST"])
@login_required
@rerender_on_csrf_failure
def self_assessment_step(assessment_id: int, step: int):
    assessment = _own(assessment_id)
    if assessment.submitted:
        return redirect(url_for("cabinet.self_assessment_feedback", assessment_id=assessment.id))
    instrument = services.instrument_of(assessment)
    sections = instrument.sections
    if not 1 <= step <= len(sections):
        abort(404)
    section = sections[step - 1]
    form = EmptyForm()
    values = {code: str(score) for code, score in assessment.answers.items()}
    errors = {}
    if request.method == "POST":
        values |= {indicator.code: request.form.get(indicator.code, "") for indicator in section.indicators}
        if form.validate_on_submit():
            try:
                answers = services.parse_area_answers(instrument, section.code, request.form)
            except FieldErrors as error:
                errors = error.errors
            else:
                services.save_area(assessment, answers)
                if request.form.get("go") == "back" and step > 1:
                    return redirect(url_for("cabinet.self_assessment_step", assessment_id=assessment.id, step=step - 1))
                if step < len(sections):
                    return redirect(url_for("cabinet.self_assessment_step", assessment_id=assessment.id, step=step + 1))
                return redirect(url_for("cabinet.self_assessment_check", assessment_id=assessment.id))
    answered = sum(1 for indicator in instrument.indicators if values.get(indicator.code))
    return render_template(
        "selfassessment/step.html", assessment=assessment, instrument=instrument, section=section, step=step,
        steps=len(sections), values=values, errors=errors, form=form, answered=answered,
        total=len(instrument.indicators), suggestions=services.suggestions(_me(), instrument),
        item_id=item_id,
    ), (400 if errors else 200)


@cabinet_bp.get("/self-assessment/<int:assessment_id>/check")
@login_required
def self_assessment_check(assessment_id: int):
    assessment = _own(assessment_id)
    if assessment.submitted:
        return redirect(url_for("cabinet.self_assessment_feedback", assessment_id=assessment.id))
    readiness = services.result(assessment)
    return render_template("selfassessment/check.html", assessment=assessment, readiness=readiness, form=EmptyForm(),
                           item_id=item_id)


@cabinet_bp.post("/self-assessment/<int:assessment_id>/submit")
@login_required
def self_assessment_submit(assessment_id: int):
    assessment = _own(assessment_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    if assessment.submitted:
        return redirect(url_for("cabinet.self_assessment_feedback", assessment_id=assessment.id))
    missing = services.submit(assessment)
    if missing:
        flash(f"Самооценка не отправлена: без ответа {len(missing)} п. Ответьте на них и отправьте снова.", "error")
        return redirect(url_for("cabinet.self_assessment_check", assessment_id=assessment.id))
    flash("Самооценка отправлена. Ниже — ваша личная обратная связь.", "success")
    return redirect(url_for("cabinet.self_assessment_feedback", assessment_id=assessment.id))


@cabinet_bp.get("/self-assessment/<int:assessment_id>/feedback")
@login_required
def self_assessment_feedback(assessment_id: int):
    assessment = _own(assessment_id)
    if not assessment.submitted:
        return redirect(url_for("cabinet.self_assessment_check", assessment_id=assessment.id))
    instrument = services.instrument_of(assessment)
    readiness = services.result(assessment)
    rated = [area for area in readiness.areas if area.mean is not None]
    chart = bar_chart(
        [Bar(area.title, round(float(area.mean), 1), 5) for area in rated],
        title="Средний балл самооценки по областям (из 5)",
        description="; ".join(f"{area.title}: {decimal_text(area.mean)} из 5, уровень «{area.level.title}»"
                              for area in rated),
        chart_id="readiness-chart",
    )
    titles = {area.code: area.title for area in readiness.areas}
    return render_template(
        "selfassessment/feedback.html", assessment=assessment, instrument=instrument, readiness=readiness,
        chart=chart, titles=titles, decimal_text=decimal_text,
        disagreements=services.platform_disagreements(_me(), instrument, assessment.answers),
    )
