"""Demo only: a few thousand generated teachers over the registry, and six months of synthetic monitoring history,
so the dashboards and the trends page look like a region in use.

History values are today's figures scaled down month by month and flagged `"synthetic": true` in the stored
metrics; a month that already has a snapshot (a real one included) is left alone."""
import random
from datetime import date

from sqlalchemy import select

from .blueprints.monitoring.snapshots import MUNICIPALITY, REGION, metrics_of, month_start
from .extensions import db
from .models import MonitoringSnapshot, Organization, User
from .scale import add_teachers

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
    from .blueprints.monitoring.figures import refresh
    from .blueprints.monitoring.stats import municipality_rows, region_figures

    months = _months_before(month_start(today), DEMO_MONTHS)
    stored = set(db.session.scalars(select(MonitoringSnapshot.month).where(MonitoringSnapshot.month.in_(months))))
    missing = [month for month in months if month not in stored]
    if not missing:
        return {"demo_snapshots": 0}
    refresh()  # the demo months are scaled from today's figures
    areas = [(REGION, None, metrics_of(region_figures()))]
    areas += [(MUNICIPALITY, f.municipality_id, metrics_of(f)) for f in municipality_rows()]
    created = 0
    for month in missing:
        factor = 0.4 + 0.1 * months.index(month)  # 40 % six months ago, growing towards today
        for scope, municipality_id, metrics in areas:
            db.session.add(MonitoringSnapshot(month=month, scope=scope, municipality_id=municipality_id,
                                              metrics=_scaled(metrics, factor)))
            created += 1
    db.session.flush()
    return {"demo_snapshots": created}


DEMO_REGION_TEACHERS = 3_000
DEMO_REGION_PREFIX = "demo-region"
DEMO_LAST_NAMES = ("Иванова", "Петрова", "Смирнова", "Кузнецова", "Попова", "Васильева", "Семёнова", "Новикова",
                   "Фёдорова", "Морозова", "Волкова", "Алексеев", "Лебедев", "Козлов", "Егоров", "Соколов")
DEMO_FIRST_NAMES = ("Анна", "Мария", "Елена", "Ольга", "Татьяна", "Наталья", "Ирина", "Светлана", "Андрей", "Сергей")


def seed_demo_region_teachers(excluded_organization_id: int | None) -> dict[str, int]:
    """A few thousand generated teachers with platform accounts over the registry, so the dashboards look lived-in.

    Idempotent: nothing is added once the generated teachers exist."""
    exists = db.session.scalar(select(User.id).where(User.email.like(f"{DEMO_REGION_PREFIX}%")).limit(1))
    if exists is not None:
        return {"demo_region_teachers": 0}
    organization_ids = list(db.session.scalars(
        select(Organization.id)
        .where(Organization.is_active, Organization.id != (excluded_organization_id or 0))
        .order_by(Organization.id)
    ))
    rng = random.Random(2026)  # nosec B311 # deterministic demo data, not secrets
    users, accounts = add_teachers(organization_ids, DEMO_REGION_TEACHERS, rng,
                                   email_prefix=DEMO_REGION_PREFIX, last_names=DEMO_LAST_NAMES,
                                   first_names=DEMO_FIRST_NAMES)
    return {"demo_region_teachers": len(users), "demo_region_accounts": accounts}
