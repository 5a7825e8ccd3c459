import click
from flask import current_app

from ...domain.session_lifetime import Limits
from ...extensions import db
from ...models import utcnow
from .housekeeping import remove_stale_sign_in_records


@click.command("housekeeping")
def housekeeping_command():
    """Remove old sign-in failure counters and long-ended sessions and login codes (run daily from a timer)."""
    removed = remove_stale_sign_in_records(utcnow(), Limits.from_config(current_app.config))
    db.session.commit()
    click.echo(
        f"Удалено: счётчиков неудачных входов — {removed['login_throttles']}, "
        f"завершённых сеансов — {removed['auth_sessions']}, кодов входа — {removed['login_codes']}."
    )
