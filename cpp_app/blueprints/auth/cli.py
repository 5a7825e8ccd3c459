import click
from flask import current_app

from ...domain.session_lifetime import Limits
from ...extensions import db
from ...models import utcnow
from ..privacy.unconfirmed import remove_expired_unconfirmed_accounts
from .housekeeping import remove_stale_sign_in_records


@click.command("housekeeping")
def housekeeping_command():
    """Remove old sign-in failure counters, long-ended sessions and login codes, and accounts whose address stayed
    unconfirmed (run daily from a timer)."""
    now = utcnow()
    removed = remove_stale_sign_in_records(now, Limits.from_config(current_app.config))
    unconfirmed = remove_expired_unconfirmed_accounts(now, current_app.config["UNCONFIRMED_ACCOUNT_DAYS"])
    db.session.commit()  # certificate files of removed accounts leave the disk with this commit
    click.echo(
        f"Удалено: счётчиков неудачных входов — {removed['login_throttles']}, "
        f"завершённых сеансов — {removed['auth_sessions']}, кодов входа — {removed['login_codes']}, "
        f"учётных записей с неподтверждённым адресом — {unconfirmed}."
    )
