"""The self-assessment pages under /cabinet/self-assessment: start, one area per step, the check page, submitting
and the personal feedback. Answers are saved on every step's POST and by autosave (js/autosave.js); a step POST
that arrives after the session ended is stashed for its user, as the school's questionnaire does, and shown again
after sign-in."""
from functools import wraps

from flask import (
    abort,
    flash,
    jsonify,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user, login_required

from ...domain.charts import Bar, bar_chart
from ...domain.readiness import decimal_text
from ...domain.route import ROUTE_AREAS
from ...extensions import limiter
from ...kernel.clock import local_now
from ...kernel.forms import EmptyForm
from ...kernel.stash import stash_form, stash_tokens, store_stash_tokens, take_stash
from ...security import json_sign_in_required, rerender_on_csrf_failure
from ...service_errors import FieldErrors
from ..cabinet import bp as cabinet_bp
from ..diagnostics.services import ended_session_user
from ..diagnostics.views import ANONYMOUS_POSTS, ENDED_SESSION_KEY, posted_from_this_site, sent_session_token
from . import services, services_route


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
        submitted=services.last_submitted(user), form=EmptyForm(), route_id=services.current_route_id(user.id),
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


# ------------------------------------------------------------------------------ answers posted when signed out

STASH_COOKIE = "cpp_self_assessment_stash"


def _step_url(assessment_id: int, step: int) -> str:
    return url_for("cabinet.self_assessment_step", assessment_id=assessment_id, step=step)


def _stash_tokens() -> list[str]:
    return stash_tokens(STASH_COOKIE)


def _store_stash_tokens(response, tokens: list[str]) -> None:
    store_stash_tokens(response, STASH_COOKIE, url_for("cabinet.self_assessment"), tokens)


def _stash_answers(assessment_id: int, step: int) -> str | None:
    """Stashes the posted step for the user whose session on this browser just ended, when the draft is theirs;
    the stash token, or None when nothing was stored. Only the step's item codes, each a short score, are kept."""
    user = ended_session_user(sent_session_token() or session.get(ENDED_SESSION_KEY))
    if user is None or not services.may_take(user):
        return None
    assessment = services.own(user, assessment_id)
    if assessment is None or assessment.submitted:
        return None
    sections = services.instrument_of(assessment).sections
    if not 1 <= step <= len(sections):
        return None
    payload = {indicator.code: request.form[indicator.code][:2] for indicator in sections[step - 1].indicators
               if indicator.code in request.form}
    return stash_form(user.id, _step_url(assessment_id, step), payload) if payload else None


def stash_when_signed_out(view):
    """Like login_required, but a step POST that arrives after the session ended keeps its answers for that
    session's user (the diagnostic questionnaire's stash): the step shows them again after sign-in."""

    @wraps(view)
    def wrapped(assessment_id: int, step: int):
        if current_user.is_authenticated or request.method != "POST":
            return view(assessment_id=assessment_id, step=step)
        response = redirect(url_for("auth.login", next=_step_url(assessment_id, step)))
        if posted_from_this_site() and (token := _stash_answers(assessment_id, step)):
            _store_stash_tokens(response, [*_stash_tokens(), token])
            flash("Сеанс завершился, и ответы пока не сохранены. Войдите снова — мы покажем выбранные ответы, "
                  "чтобы вы их сохранили.", "info")
        return response

    return wrapped


def _take_stashed(assessment_id: int, step: int) -> tuple[dict | None, list[str]]:
    """The answers stashed for this step when the session ended (once), and the cookie's remaining tokens."""
    tokens = _stash_tokens()
    for token in tokens:
        if (payload := take_stash(token, _step_url(assessment_id, step), current_user.id)) is not None:
            return payload, [other for other in tokens if other != token]
    return None, tokens


# ------------------------------------------------------------------------------------------------ the steps


def _progress_text(answered: int, total: int) -> str:
    return f"Отвечено {answered} из {total}."


@cabinet_bp.route("/self-assessment/<int:assessment_id>/step/<int:step>", methods=["GET", "POST"])
@limiter.limit(ANONYMOUS_POSTS, methods=["POST"], exempt_when=lambda: current_user.is_authenticated)
@stash_when_signed_out
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
    errors, stashed, tokens = {}, None, None
    if request.method == "GET":
        stashed, tokens = _take_stashed(assessment.id, step)
        if stashed is not None:
            values |= {code: value for code, value in stashed.items()
                       if code in {indicator.code for indicator in section.indicators}}
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
                    return redirect(_step_url(assessment.id, step - 1))
                if step < len(sections):
                    return redirect(_step_url(assessment.id, step + 1))
                return redirect(url_for("cabinet.self_assessment_check", assessment_id=assessment.id))
    answered = sum(1 for indicator in instrument.indicators if values.get(indicator.code))
    response = make_response(render_template(
        "selfassessment/step.html", assessment=assessment, instrument=instrument, section=section, step=step,
        steps=len(sections), values=values, errors=errors, form=form, progress=_progress_text(answered, len(
            instrument.indicators)), suggestions=services.suggestions(_me(), instrument), item_id=item_id,
        stashed=stashed is not None,
    ), 400 if errors else 200)
    if stashed is not None:
        _store_stash_tokens(response, tokens)
    return response


@cabinet_bp.post("/self-assessment/<int:assessment_id>/step/<int:step>/autosave")
@json_sign_in_required
def self_assessment_autosave(assessment_id: int, step: int):
    """The step's answers saved while the teacher chooses them (js/autosave.js); the step's POST does the same."""
    assessment = _own(assessment_id)
    if assessment.submitted:
        return jsonify(saved=0, error="Самооценка уже отправлена — обновите страницу."), 409
    instrument = services.instrument_of(assessment)
    sections = instrument.sections
    if not 1 <= step <= len(sections):
        abort(404)
    try:
        answers = services.parse_area_answers(instrument, sections[step - 1].code, request.form)
    except FieldErrors as error:
        return jsonify(saved=0, errors=error.errors, error=next(iter(error.errors.values()))), 422
    services.save_area(assessment, answers)
    return jsonify(saved=1, saved_at=local_now().strftime("%H:%M"),
                   progress=_progress_text(len(assessment.answers), len(instrument.indicators)))


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
        route=services_route.route_of(assessment), may_build=services_route.may_build(_me(), assessment),
        route_areas=ROUTE_AREAS,
        growth=services_route.growth(assessment), form=EmptyForm(),
    )
