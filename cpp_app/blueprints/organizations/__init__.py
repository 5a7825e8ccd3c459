from flask import Blueprint

bp = Blueprint("organizations", __name__, template_folder="templates", url_prefix="/organizations")
