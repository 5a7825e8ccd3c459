"""Command-line entry points: `flask --app wsgi <command>`."""
import os
import time
from pathlib import Path

import click
from flask import current_app

from .extensions import db
from .kernel.cli import CliError

# For local demo databases only; `flask seed --demo` refuses to run in production.
DEMO_PASSWORD = "Demo-CPP-2026!"  # nosec B105 # the documented demo password; demo data is refused in production


@click.command("seed")
@click.option("--demo", is_flag=True, help="Also create demo organisations and one demo account per role.")
def seed_command(demo: bool):
    """Load reference data from seeds/ (and demo data); safe to run again."""
    from .seeding import seed_demo_data, seed_reference_data

    counts = seed_reference_data()
    if demo:
        if current_app.config["ENV_NAME"] == "production":
            raise CliError("Демо-данные нельзя загружать в рабочую базу (CPP_ENV=production).")
        counts |= seed_demo_data(password=os.environ.get("CPP_DEMO_PASSWORD", DEMO_PASSWORD))
    db.session.commit()
    click.echo(", ".join(f"{name}: +{count}" for name, count in counts.items()))


@click.command("publish-consent")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def publish_consent_command(path: Path):
    """Publish a new version of the consent document; users are asked to consent again."""
    from .blueprints.privacy.services import current_document, publish_document
    from .seeding import read_consent_file

    title, body = read_consent_file(path)
    if current_document().body == body:
        raise CliError("Текст не изменился: новая редакция не нужна.")
    document = publish_document(title, body)
    db.session.commit()
    click.echo(f"Опубликована редакция {document.version}: {document.title}")


@click.command("seed-scale")
@click.option("--orgs", "organizations", type=click.IntRange(1, 200_000), default=1_000, show_default=True)
@click.option("--teachers", type=click.IntRange(0, 5_000_000), default=35_000, show_default=True)
@click.option("--diagnostics", type=click.IntRange(0, 200_000), default=1_000, show_default=True)
def seed_scale_command(organizations: int, teachers: int, diagnostics: int):
    """Fill the database with synthetic organisations, teachers and diagnostics for benchmarks."""
    from .scale import seed_scale

    if current_app.config["ENV_NAME"] == "production":
        raise CliError("Синтетические данные нельзя загружать в рабочую базу (CPP_ENV=production).")
    counts = seed_scale(organizations, teachers, diagnostics)
    db.session.commit()
    click.echo(", ".join(f"{name}: +{count}" for name, count in counts.items()))


@click.command("refresh-monitoring")
def refresh_monitoring_command():
    """Rebuild the figures the monitoring pages read (per organisation, per municipality, the region); a timer runs it."""
    from .blueprints.monitoring.figures import refresh

    started = time.perf_counter()
    refresh()
    db.session.commit()
    click.echo(f"Показатели мониторинга пересчитаны за {time.perf_counter() - started:.1f} с.")


@click.command("worker")
@click.option("--burst", is_flag=True, help="Run the queued jobs and stop (tests, one-off catch-up).")
def worker_command(burst: bool):
    """Run background jobs from the Redis queue (CPP_REDIS_URL); retries wait in its scheduler."""
    from rq import SimpleWorker

    from .jobs import queue, uses_redis

    if not uses_redis():
        raise CliError("CPP_REDIS_URL не задан: без Redis фоновые задачи выполняются сразу, отдельный обработчик не нужен.")
    jobs = queue()
    # SimpleWorker runs jobs in this process, inside the app's context, with one database pool (no fork).
    SimpleWorker([jobs], connection=jobs.connection).work(with_scheduler=True, burst=burst)


def register_cli(app):
    from .backup import backup_command, restore_command
    from .blueprints.admin.cli import create_user_command
    from .blueprints.auth.cli import housekeeping_command
    from .blueprints.campaigns.cli import send_campaign_mail_command
    from .blueprints.monitoring.snapshots import snapshot_monitoring_command
    from .blueprints.organizations.cli import import_organizations_command
    from .blueprints.privacy.purge import purge_withdrawn_command
    from .blueprints.school.cli import recount_staff_command

    for command in (
        seed_command, seed_scale_command, refresh_monitoring_command, snapshot_monitoring_command,
        publish_consent_command, create_user_command, import_organizations_command,
        housekeeping_command, send_campaign_mail_command,
        backup_command, restore_command, purge_withdrawn_command, worker_command, recount_staff_command,
    ):
        app.cli.add_command(command)

