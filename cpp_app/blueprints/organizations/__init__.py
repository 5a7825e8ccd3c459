from flask import Blueprint

bp = Blueprint("organizations", __name__, template_folder="templates", url_prefix="/organizations")

from . import views  # noqa: E402,F401
