from flask import Blueprint

bp = Blueprint("programs", __name__, template_folder="templates", url_prefix="/programs")
