"""The printable profile: the signed-in teacher's own profile as a one-page PDF."""
from flask import make_response, render_template
from flask_login import current_user, login_required

from ...pdf import render_pdf
from ...security import render_rate_limit
from . import bp
from .pdf_services import profile_summary


@bp.get("/profile.pdf")
@login_required
@render_rate_limit  # a render costs ~0.1 s of CPU
def profile_pdf():
    summary = profile_summary(current_user._get_current_object())
    pdf = render_pdf(render_template("cabinet/profile_pdf.html", profile=summary))
    response = make_response(pdf)
    response.mimetype = "application/pdf"
    response.headers["Content-Disposition"] = f'attachment; filename="profil-pedagoga-{summary.user_id}.pdf"'
    response.headers["Cache-Control"] = "no-store"
    return response
