from flask import Blueprint

bp = Blueprint("monitoring", __name__, template_folder="templates", url_prefix="/monitoring")

from . import views, views_inactive  # noqa: E402,F401
