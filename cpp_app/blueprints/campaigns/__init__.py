from flask import Blueprint

# Assessment campaigns of the teachers' self-assessment: the methodologists' pages are under /admin, the notice
# teachers in scope see is drawn on their own pages, the letters go from `flask send-campaign-mail`.
bp = Blueprint("campaigns", __name__, template_folder="templates")
