"""The printable profile: the signed-in teacher's own profile as a one-page PDF."""
from flask import make_response, render_template
from flask_limiter.util import get_remote_address
from flask_login import current_user, login_required

from ...extensions import limiter
from ...pdf import render_pdf
from . import bp
from .pdf_services import profile_summary


def _limit_key() -> str:
    # Per user, not per address: a whole school may sit behind one address.
    return f"user:{current_user.id}" if current_user.is_authenticated else get_remote_address()


@bp.get("/profile.pdf")
@login_required
@limiter.limit("30/minute", key_func=_limit_key)  # a render costs ~0.1 s of CPU
def profile_pdf():
    summary = profile_summary(current_user._get_current_object())
    pdf = render_pdf(render_template("cabinet/profile_pdf.html", profile=summary))
    response = make_response(pdf)
    response.mimetype = "application/pdf"
    response.headers["Content-Disposition"] = f'attachment; filename="profil-pedagoga-{summary.user_id}.pdf"'
    response.headers["Cache-Control"] = "no-store"
    return response
