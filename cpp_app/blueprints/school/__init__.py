from flask import Blueprint

bp = Blueprint("school", __name__, template_folder="templates", url_prefix="/school")
