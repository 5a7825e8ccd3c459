from flask import Blueprint

from . import tallies  # noqa: F401  (its session events keep the staff tallies current)

bp = Blueprint("school", __name__, template_folder="templates", url_prefix="/school")
