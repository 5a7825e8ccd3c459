from flask import Blueprint

bp = Blueprint("review", __name__, template_folder="templates", url_prefix="/review")

from . import views  # noqa: E402,F401
