from flask import Blueprint

bp = Blueprint("review", __name__, template_folder="templates", url_prefix="/review")
