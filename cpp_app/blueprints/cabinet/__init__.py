from flask import Blueprint

bp = Blueprint("cabinet", __name__, template_folder="templates", url_prefix="/cabinet")

from . import views_courses, views_data, views_pdf, views_profile, views_security  # noqa: E402,F401
