"""The teacher's digital-readiness self-assessment and the individual educational route built from it; the pages
live in the cabinet (views attach to cabinet.bp), the route a teacher shares under /school (school.bp)."""
from flask import Blueprint

bp = Blueprint("selfassessment", __name__, template_folder="templates")
