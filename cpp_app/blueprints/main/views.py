from flask import redirect, render_template, request, url_for
from flask_login import current_user

from ...urls import safe_next_url
from ..forms_common import EmptyForm
from . import bp

A11Y_COOKIE_MAX_AGE = 365 * 24 * 3600


@bp.get("/")
def index():
    if current_user.is_authenticated:
        return redirect(url_for("cabinet.overview"))
    return render_template("main/index.html")


@bp.post("/accessibility")
def accessibility():
    """Switches the version for the visually impaired; a cookie keeps it for signed-out visitors too."""
    form = EmptyForm()
    response = redirect(safe_next_url(request.form.get("next")))
    if form.validate_on_submit():
        enabled = request.cookies.get("a11y") != "1"
        response.set_cookie(
            "a11y", "1" if enabled else "0", max_age=A11Y_COOKIE_MAX_AGE, httponly=True, samesite="Lax",
            secure=request.is_secure,
        )
    return response
