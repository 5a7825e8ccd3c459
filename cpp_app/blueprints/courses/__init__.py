from flask import Blueprint

# The course catalogue, teachers' applications and external course records, and their administration.
bp = Blueprint("courses", __name__, template_folder="templates")
