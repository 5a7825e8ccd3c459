"""The teacher's digital-readiness self-assessment; its pages live in the cabinet (views attach to cabinet.bp)."""
from flask import Blueprint

bp = Blueprint("selfassessment", __name__, template_folder="templates")
