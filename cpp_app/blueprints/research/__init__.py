from flask import Blueprint

bp = Blueprint("research", __name__, template_folder="templates", url_prefix="/research")
