from flask import Blueprint

bp = Blueprint("auth", __name__, template_folder="templates")


@bp.record_once
def _explain_ended_sessions(state):
    """On the way to /login, Flask-Login's generic prompt gives way to why the session just ended."""
    from ...extensions import login_manager
    from .sessions import login_prompt

    login_manager.localize_callback = login_prompt


from . import views  # noqa: E402,F401
