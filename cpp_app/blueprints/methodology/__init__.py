from flask import Blueprint

# Methodologies (versioned indicator sets): upload, preview, publish, and the questionnaire engine every kind of
# diagnostic is filled with. Pages are the methodologists', under /admin.
bp = Blueprint("methodology", __name__, template_folder="templates")
