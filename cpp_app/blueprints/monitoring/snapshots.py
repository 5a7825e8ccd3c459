"""Month-end figures kept as history, and the trends read back from them.

Nothing here recomputes the past: the live data holds only the present state, so a month is closed by running
`flask snapshot-monitoring` at its end (a cron job on the last day), and a trend shows only what was stored.
"""
import re
from datetime import date

import click
from flask.cli import with_appcontext
from sqlalchemy import select

from ...extensions import db
from ...kernel.clock import local_today
from ...kernel.plural import plural
from ...models import MonitoringSnapshot, Platform

REGION = "region"
MUNICIPALITY = "municipality"

# Metric key → title; shares are stored as fractions 0…1 and shown as percentages.
TREND_METRICS = {
    "teachers_registered": "Педагогов зарегистрировано в ЦПП",
    "teachers_confirmed": "Педагогов подтверждено ОО",
    "diagnostics_submitted": "Самодиагностик подано (на проверке и принято)",
    "diagnostics_accepted": "Самодиагностик принято",
}
PLATFORM_METRICS = {
    "organizations_share": "доля ОО с активными педагогами",
    "registered_share": "доля зарегистрированных педагогов",
    "active_share": "доля активных педагогов",
}


def month_start(day: date) -> date:
    return day.replace(day=1)


def metrics_of(figures) -> dict:
    """The stored metrics of one AreaFigures: flat keys, platform ones as «<code>.<metric>»."""
    metrics = {
        "teachers_registered": figures.teachers_registered,
        "teachers_confirmed": figures.teachers_confirmed,
        "diagnostics_submitted": figures.diagnostics_submitted,
        "diagnostics_accepted": figures.diagnostics_by_status.get("accepted", 0),
        "organizations_total": figures.organizations_total,
    }
    for platform in figures.platforms:
        for metric in PLATFORM_METRICS:
            metrics[f"{platform.code}.{metric}"] = getattr(platform, metric)
    return metrics


def take_snapshot(month: date) -> int:
    """Stores the region's and every municipality's figures as those of `month`, replacing that month's rows.

    The figures are the current ones («as of now»): rebuilt first, then read as the dashboards read them, so both
    agree. Run it at the end of the month it closes. Flushes, never commits. Returns the number of rows stored."""
    from .figures import refresh
    from .stats import municipality_rows, region_figures

    refresh()

    month = month_start(month)
    # Through the session (a region and ~60 municipalities), so no stale row stays in the identity map.
    for old in db.session.scalars(select(MonitoringSnapshot).where(MonitoringSnapshot.month == month)):
        db.session.delete(old)
    db.session.flush()  # the unique key is free before the new rows go in
    areas = [(REGION, None, region_figures())]
    areas += [(MUNICIPALITY, figures.municipality_id, figures) for figures in municipality_rows()]
    for scope, municipality_id, figures in areas:
        db.session.add(MonitoringSnapshot(month=month, scope=scope, municipality_id=municipality_id,
                                          metrics=metrics_of(figures)))
    db.session.flush()
    return len(areas)


def _stored_metrics(scope: str, municipality_id: int | None) -> list[tuple[date, dict]]:
    """Every stored month of one area, in month order: one query."""
    statement = select(MonitoringSnapshot.month, MonitoringSnapshot.metrics).where(MonitoringSnapshot.scope == scope)
    if municipality_id is None:
        statement = statement.where(MonitoringSnapshot.municipality_id.is_(None))
    else:
        statement = statement.where(MonitoringSnapshot.municipality_id == municipality_id)
    return [tuple(row) for row in db.session.execute(statement.order_by(MonitoringSnapshot.month))]


def _points(months: list[tuple[date, dict]], metric: str) -> list[tuple[date, float | int]]:
    return [(month, metrics[metric]) for month, metrics in months if metrics.get(metric) is not None]


def trend(scope: str, municipality_id: int | None, metric: str) -> list[tuple[date, float | int]]:
    """The stored values of one metric in month order; months without the metric (or with no value) are left out."""
    return _points(_stored_metrics(scope, municipality_id), metric)


def trend_series(scope: str, municipality_id: int | None) -> list[tuple[str, str, list[tuple[date, float]]]]:
    """(metric, title, points) for every metric shown on the trends page; shares become percentages. Two queries."""
    months = _stored_metrics(scope, municipality_id)
    series = [(metric, title, _points(months, metric)) for metric, title in TREND_METRICS.items()]
    for platform in db.session.scalars(select(Platform).order_by(Platform.sort_order, Platform.id)):
        for metric, title in PLATFORM_METRICS.items():
            key = f"{platform.code}.{metric}"
            points = [(month, round(value * 100, 1)) for month, value in _points(months, key)]
            series.append((key, f"{platform.name}: {title}, %", points))
    return series


def parse_month(text: str) -> date:
    match = re.fullmatch(r"(\d{4})-(\d{2})", text.strip())
    if not match or not 1 <= int(match.group(2)) <= 12:
        raise click.BadParameter("укажите месяц как ГГГГ-ММ, например 2026-11")
    return date(int(match.group(1)), int(match.group(2)), 1)


@click.command("snapshot-monitoring")
@click.option("--month", "month_text", default=None, help="Месяц ГГГГ-ММ; по умолчанию текущий.")
@with_appcontext
def snapshot_monitoring_command(month_text: str | None):
    """Сохранить показатели мониторинга на конец месяца (запускать в последний день месяца)."""
    current = month_start(local_today())
    month = parse_month(month_text) if month_text else current
    if month > current:
        raise click.BadParameter("месяц ещё не наступил", param_hint="--month")
    if month < current:
        click.echo("Внимание: сохраняются текущие показатели, а не показатели того месяца.", err=True)
    stored = take_snapshot(month)
    db.session.commit()
    click.echo(f"Снимок за {month:%m.%Y} сохранён: {stored} {plural(stored, 'строка', 'строки', 'строк')} (край и муниципалитеты).")
