import click
from flask import current_app

from ...extensions import db
from ...kernel.clock import local_today
from .services_mail import send_due_mail


@click.command("send-campaign-mail")
@click.option("--batch", type=click.IntRange(1, 100_000), default=None,
              help="At most this many letters in this run (default: CPP_CAMPAIGN_MAIL_BATCH).")
def send_campaign_mail_command(batch: int | None):
    """Send the campaigns' start letters and reminders that are due, at most a batch per run (run from a timer:
    the batch per run is the throttle)."""
    run = send_due_mail(local_today(), batch or current_app.config["CAMPAIGN_MAIL_BATCH"])
    db.session.commit()  # the letters leave with the commit, each recorded so that no rerun repeats it
    click.echo(f"Писем кампаний самооценки отправлено: {run.total}.")
