from flask import Blueprint

bp = Blueprint("diagnostics", __name__, template_folder="templates", url_prefix="/diagnostics")
