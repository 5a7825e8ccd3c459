"""The consent gate: a signed-in person who has not consented to the current text of the consent document is sent
to read it before anything else — except where they must be able to go without consenting."""
from flask import current_app, redirect, request, url_for
from flask_login import current_user


def reachable_without_consent(view):
    """Marks a view someone who declines a new consent text must still reach: signing out, taking their data,
    withdrawing consent, writing to the operator (put it right under the route decorator)."""
    view.reachable_without_consent = True
    return view


def consent_gate():
    if not current_user.is_authenticated or request.endpoint in (None, "static") or request.blueprint == "privacy":
        return None
    if getattr(current_app.view_functions.get(request.endpoint), "reachable_without_consent", False):
        return None
    if current_user.consent_current:  # read with the session (`load_session_user`)
        return None
    return redirect(url_for("privacy.renew", next=request.full_path if request.method == "GET" else None))
