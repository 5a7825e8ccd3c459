"""Demo only: six months of synthetic monitoring history, so the trends page has something to draw.

The values are today's figures scaled down month by month and flagged `"synthetic": true` in the stored
metrics; a month that already has a snapshot (a real one included) is left alone."""
from datetime import date

from sqlalchemy import select

from .blueprints.monitoring.snapshots import MUNICIPALITY, REGION, metrics_of, month_start
from .domain.workflow import school_year
from .extensions import db
from .models import MonitoringSnapshot

DEMO_MONTHS = 6


def _months_before(month: date, count: int) -> list[date]:
    months = []
    for _ in range(count):
        month = date(month.year - (month.month == 1), (month.month - 2) % 12 + 1, 1)
        months.append(month)
    return list(reversed(months))


def _scaled(metrics: dict, factor: float) -> dict:
    scaled = {}
    for key, value in metrics.items():
        if isinstance(value, float):
            scaled[key] = round(value * factor, 4)
        elif isinstance(value, int) and key != "organizations_total":
            scaled[key] = round(value * factor)
        else:
            scaled[key] = value
    return {**scaled, "synthetic": True}


def seed_demo_monitoring(today: date) -> dict[str, int]:
    from .blueprints.monitoring.stats import municipality_rows, region_figures

    months = _months_before(month_start(today), DEMO_MONTHS)
    stored = set(db.session.scalars(select(MonitoringSnapshot.month).where(MonitoringSnapshot.month.in_(months))))
    missing = [month for month in months if month not in stored]
    if not missing:
        return {"demo_snapshots": 0}
    year = school_year(today)
    areas = [(REGION, None, metrics_of(region_figures(year)))]
    areas += [(MUNICIPALITY, f.municipality_id, metrics_of(f)) for f in municipality_rows(year)]
    created = 0
    for month in missing:
        factor = 0.4 + 0.1 * months.index(month)  # 40 % six months ago, growing towards today
        for scope, municipality_id, metrics in areas:
            db.session.add(MonitoringSnapshot(month=month, scope=scope, municipality_id=municipality_id,
                                              metrics=_scaled(metrics, factor)))
            created += 1
    db.session.flush()
    return {"demo_snapshots": created}
