from flask import Blueprint

bp = Blueprint("admin", __name__, template_folder="templates", url_prefix="/admin")

from . import views, views_courses, views_measures, views_methodologies, views_privacy, views_workplaces  # noqa: E402,F401
