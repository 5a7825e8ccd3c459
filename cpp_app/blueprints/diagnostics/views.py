"""The school's self-diagnostic: the list, the questionnaire step by step (saved on every step, by autosave, and
stashed for its user when their session ended before a POST), and «Проверить и отправить»."""
from functools import wraps
from urllib.parse import urlsplit

from flask import (
    abort,
    current_app,
    flash,
    g,
    jsonify,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user, user_logged_in, user_logged_out
from flask_login.config import COOKIE_NAME
from flask_login.utils import decode_cookie
from sqlalchemy.exc import IntegrityError

from ...domain.workflow import TransitionRefused, school_year
from ...extensions import limiter
from ...kernel.actor import request_actor
from ...kernel.clock import local_now, local_today
from ...kernel.forms import EmptyForm
from ...kernel.stash import stash_form, stash_tokens, store_stash_tokens, take_stash
from ...kernel.transaction import commit_now, discard_changes
from ...models import Role
from ...security import json_sign_in_required, rerender_on_csrf_failure, role_required
from ...service_errors import FieldErrors
from ..methodology.questionnaire import (
    GENERAL,
    Questionnaire,
    autosave_result,
    check_view,
    diagnostic_rows,
    open_questionnaire,
    page_view,
)
from . import bp
from .forms import stash_payload
from .services import (
    active_school_version,
    diagnostics_of,
    ended_session_user,
    save_step,
    school_diagnostic,
    submit,
)
from .services import start as start_for

STASH_COOKIE = "cpp_form_stash"
# The token of this browser's last sign-in once it ended, kept in the (signed) session cookie: the stash is for
# the user of that session only. The token no longer signs anyone in: its session is over.
ENDED_SESSION_KEY = "cpp_ended_session"
ANONYMOUS_POSTS = "60/hour"
AUTOSAVE_REFUSED = "Автосохранение не удалось: проверьте ответы и нажмите «Сохранить»."


def _own_or_404(diagnostic_id: int):
    return school_diagnostic(current_user.organization_id, diagnostic_id) or abort(404)


def _questionnaire_or_404(diagnostic_id: int) -> Questionnaire:
    return open_questionnaire(_own_or_404(diagnostic_id), request.args.get("section")) or abort(404)


def _step_url(diagnostic_id: int, step_code: str | None) -> str:
    """The canonical address of a step: also the key its stashed answers are kept under."""
    section = None if not step_code or step_code == GENERAL else step_code
    return url_for("diagnostics.edit", diagnostic_id=diagnostic_id, section=section)


# ------------------------------------------------------------------------------------------------ the list


@bp.get("/")
@role_required(Role.SCHOOL_ADMIN)
def index():
    organization = current_user.organization
    rows = diagnostic_rows(diagnostics_of(organization.id)) if organization else []
    return render_template("diagnostics/index.html", organization=organization, rows=rows, year=school_year(local_today()),
                           version=active_school_version(), form=EmptyForm())


@bp.post("/start")
@role_required(Role.SCHOOL_ADMIN)
def start():
    organization = current_user.organization or abort(404)
    try:
        diagnostic = start_for(organization, request_actor(), local_today())
        commit_now()  # a lost race must show here, as the other request's diagnostic
    except IntegrityError:  # a double click raced the first request: that one created it
        discard_changes()
        diagnostic = start_for(organization, request_actor(), local_today())
    except TransitionRefused as refusal:
        discard_changes()
        flash(str(refusal), "error")
        return redirect(url_for("diagnostics.index"))
    flash(f"Самодиагностика {diagnostic.school_year}: заполните разделы по порядку. Ответы сохраняются "
          "на каждом шаге.", "success")
    return redirect(_step_url(diagnostic.id, GENERAL))


# ------------------------------------------------------------------------------ answers posted when signed out


def _signed_in() -> bool:
    return current_user.is_authenticated


def posted_from_this_site() -> bool:
    """A stash only from our own pages: a foreign page must not plant answers for the next sign-in."""
    source = request.headers.get("Origin") or request.referrer
    if source is None:
        return True  # old browsers send neither; the values are only shown, never saved, after sign-in
    ours, theirs = urlsplit(request.host_url), urlsplit(source)
    return (theirs.scheme, theirs.netloc) == (ours.scheme, ours.netloc)


def sent_session_token() -> str | None:
    """The sign-in token the browser sent: in the session cookie as it arrived (the user loader has already taken
    an ended one out of `session`), or in the remember cookie."""
    sent = current_app.session_interface.open_session(current_app, request) or {}
    remember_cookie = request.cookies.get(current_app.config.get("REMEMBER_COOKIE_NAME", COOKIE_NAME), "")
    return sent.get("_user_id") or decode_cookie(remember_cookie)


@bp.after_app_request
def _keep_ended_session(response):
    """The loader found the browser's session ended (on any page, or by the autosave's 401): remember whose it
    was, for a questionnaire POST that may follow."""
    if g.get("cpp_session_ended") and (token := sent_session_token()):
        session[ENDED_SESSION_KEY] = token
    return response


@user_logged_out.connect
def _keep_signed_out_session(sender, user, **extra):
    if token := getattr(user, "auth_token", None):
        session[ENDED_SESSION_KEY] = token


@user_logged_in.connect
def _forget_ended_session(sender, user, **extra):
    session.pop(ENDED_SESSION_KEY, None)


def _stash_answers(diagnostic_id: int) -> str | None:
    """Stashes the posted step for the user whose session on this browser just ended, when the diagnostic is
    theirs to edit; the stash token, or None when nothing was stored."""
    user = ended_session_user(sent_session_token() or session.get(ENDED_SESSION_KEY))
    if user is None or not user.has_role(Role.SCHOOL_ADMIN):
        return None
    diagnostic = school_diagnostic(user.organization_id, diagnostic_id)
    questionnaire = open_questionnaire(diagnostic, request.args.get("section")) if diagnostic else None
    if questionnaire is None or not questionnaire.editable:
        return None
    payload = stash_payload(request.form, questionnaire.section)
    if payload is None:
        return None
    return stash_form(user.id, _step_url(diagnostic_id, questionnaire.step.code), payload)


def _stash_tokens() -> list[str]:
    return stash_tokens(STASH_COOKIE)


def _store_stash_tokens(response, tokens: list[str]) -> None:
    store_stash_tokens(response, STASH_COOKIE, url_for("diagnostics.index"), tokens)


def stash_when_signed_out(view):
    """Like login_required, but a questionnaire POST that arrives after the session ended keeps its answers for
    that session's user: they are stashed under a token in a cookie, and the step shows them after sign-in."""

    @wraps(view)
    def wrapped(diagnostic_id: int, **kwargs):
        if current_user.is_authenticated or request.method != "POST":
            return view(diagnostic_id, **kwargs)
        response = redirect(url_for("auth.login", next=_step_url(diagnostic_id, request.args.get("section"))))
        if posted_from_this_site() and (token := _stash_answers(diagnostic_id)):
            _store_stash_tokens(response, [*_stash_tokens(), token])
            flash("Сеанс завершился, и ответы пока не сохранены. Войдите снова — мы покажем введённые ответы, "
                  "чтобы вы их сохранили.", "info")
        return response

    return wrapped


# ------------------------------------------------------------------------------------------- questionnaire


def _render_step(view, form, status=200, **flags):
    return render_template("diagnostics/edit.html", page=view, form=form, **flags), status


def _show_step(questionnaire: Questionnaire):
    """GET: the stored answers, or — once, right after sign-in — the answers stashed when the session ended."""
    target = _step_url(questionnaire.diagnostic.id, questionnaire.step.code)
    tokens = _stash_tokens() if questionnaire.editable else []
    payload = None
    for token in tokens:
        if (payload := take_stash(token, target, current_user.id)) is not None:
            tokens.remove(token)
            break
    posted = questionnaire.parse(payload) if payload is not None else None
    response = make_response(_render_step(page_view(questionnaire, posted), EmptyForm(), stashed=posted is not None))
    if posted is not None:
        _store_stash_tokens(response, tokens)
    return response


def _after_save_url(questionnaire: Questionnaire) -> str:
    diagnostic_id = questionnaire.diagnostic.id
    if request.form.get("action") != "next":
        return _step_url(diagnostic_id, questionnaire.step.code)
    following = questionnaire.next_step
    if following is None:
        return url_for("diagnostics.check", diagnostic_id=diagnostic_id)
    return _step_url(diagnostic_id, following.code)


@bp.route("/<int:diagnostic_id>", methods=["GET", "POST"])
@limiter.limit(ANONYMOUS_POSTS, methods=["POST"], exempt_when=_signed_in)
@stash_when_signed_out
@role_required(Role.SCHOOL_ADMIN)
@rerender_on_csrf_failure
def edit(diagnostic_id: int):
    questionnaire = _questionnaire_or_404(diagnostic_id)
    if request.method == "GET":
        return _show_step(questionnaire)
    form, posted = EmptyForm(), questionnaire.parse(request.form)
    if not form.validate() or (questionnaire.general and posted.errors):
        # A failed CSRF token (global re-render) or a count that is not a number: nothing saved.
        return _render_step(page_view(questionnaire, posted), form, 400)
    try:
        outcome = save_step(questionnaire.diagnostic, posted.step_input(), request_actor())
    except TransitionRefused as refusal:
        discard_changes()
        flash(str(refusal), "error")
        return redirect(_step_url(diagnostic_id, questionnaire.step.code))
    except FieldErrors as error:
        return _render_step(page_view(questionnaire, posted, errors=error.errors), form, 400)
    errors = {**posted.errors, **outcome.errors}
    if outcome.conflicts or errors:
        # The other answers are saved; the page shows the conflicting and the refused ones again, as typed.
        commit_now()
        view = page_view(questionnaire, posted, outcome.conflicts, errors=errors, after_save=True)
        return _render_step(view, form, 409 if outcome.conflicts else 400)
    flash("Ответы сохранены." if questionnaire.section else "Общие сведения сохранены.", "success")
    return redirect(_after_save_url(questionnaire))


@bp.post("/<int:diagnostic_id>/autosave")
@json_sign_in_required
@role_required(Role.SCHOOL_ADMIN)
def autosave(diagnostic_id: int):
    questionnaire = _questionnaire_or_404(diagnostic_id)
    posted = questionnaire.parse(request.form)
    try:
        if questionnaire.general and posted.errors:
            raise FieldErrors(posted.errors)
        outcome = save_step(questionnaire.diagnostic, posted.step_input(), request_actor())
    except TransitionRefused as refusal:
        return jsonify(saved=0, error=str(refusal)), 409
    except FieldErrors as error:
        return jsonify(saved=0, errors=error.errors, error=AUTOSAVE_REFUSED), 422
    result = autosave_result(questionnaire, posted, outcome, local_now())
    if errors := {**posted.errors, **outcome.errors}:
        # The answers without a problem are saved (an error status commits nothing by itself): the page takes
        # their new revisions all the same.
        commit_now()
        return jsonify(**result, errors=errors, error=AUTOSAVE_REFUSED), 422
    return jsonify(result)


# ------------------------------------------------------------------------------------------ check and submit


@bp.route("/<int:diagnostic_id>/check", methods=["GET", "POST"])
@role_required(Role.SCHOOL_ADMIN)
def check(diagnostic_id: int):
    diagnostic = _own_or_404(diagnostic_id)
    if request.method == "GET":
        return render_template("diagnostics/check.html", view=check_view(diagnostic), form=EmptyForm())
    try:
        submit(diagnostic, request_actor(), current_user.role.value)
    except TransitionRefused as refusal:
        discard_changes()
        flash(str(refusal), "error")
        return redirect(url_for("diagnostics.check", diagnostic_id=diagnostic.id))
    flash("Самодиагностика отправлена на проверку в КК ИПК. Пока она на проверке, ответы изменить нельзя.",
          "success")
    return redirect(url_for("diagnostics.index"))
