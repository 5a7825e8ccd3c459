"""Month-end snapshots: stored idempotently, read back in month order, taken by the CLI command, drawn on /trends."""
from datetime import date

import pytest
from sqlalchemy import func, select

from cpp_app.blueprints.monitoring.snapshots import MUNICIPALITY, REGION, take_snapshot, trend
from cpp_app.demo_monitoring import seed_demo_monitoring
from cpp_app.domain.charts import trend_chart
from cpp_app.models import MonitoringSnapshot, Municipality, Organization, Role, utcnow


def _count(database) -> int:
    return database.session.scalar(select(func.count(MonitoringSnapshot.id)))


def test_take_snapshot_stores_region_and_municipalities_and_is_idempotent(database, make_user):
    make_user(confirmed_at=utcnow())
    municipalities = database.session.scalar(select(func.count(Municipality.id)))
    stored = take_snapshot(date(2026, 11, 17))
    database.session.commit()
    assert stored == _count(database) == municipalities + 1
    region = database.session.scalar(select(MonitoringSnapshot).where(MonitoringSnapshot.scope == REGION))
    assert region.month == date(2026, 11, 1) and region.municipality_id is None
    assert region.metrics["teachers_registered"] == 1 and region.metrics["teachers_confirmed"] == 1
    assert "sferum.organizations_share" in region.metrics

    make_user(confirmed_at=utcnow())
    take_snapshot(date(2026, 11, 30))
    database.session.commit()
    assert _count(database) == municipalities + 1  # replaced, not added
    assert trend(REGION, None, "teachers_registered") == [(date(2026, 11, 1), 2)]


def test_trend_reads_stored_rows_in_month_order(database):
    municipality_id = database.session.scalar(select(Municipality.id).order_by(Municipality.id).limit(1))
    for month, value in ((date(2026, 12, 1), 30), (date(2026, 10, 1), 10), (date(2026, 11, 1), 20)):
        database.session.add(MonitoringSnapshot(month=month, scope=REGION, metrics={"teachers_registered": value}))
        database.session.add(MonitoringSnapshot(month=month, scope=MUNICIPALITY, municipality_id=municipality_id,
                                                metrics={"teachers_registered": value + 1}))
    database.session.add(MonitoringSnapshot(month=date(2027, 1, 1), scope=REGION, metrics={"other": 1}))
    database.session.commit()
    assert trend(REGION, None, "teachers_registered") == [
        (date(2026, 10, 1), 10), (date(2026, 11, 1), 20), (date(2026, 12, 1), 30)]
    assert [v for _, v in trend(MUNICIPALITY, municipality_id, "teachers_registered")] == [11, 21, 31]
    assert trend(MUNICIPALITY, municipality_id + 10_000, "teachers_registered") == []


def test_cli_command_takes_a_snapshot(app, database):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["snapshot-monitoring", "--month", "2025-09"])
    assert result.exit_code == 0, result.output
    assert "Снимок за 09.2025 сохранён" in result.output
    assert database.session.scalar(select(func.count(MonitoringSnapshot.id)).where(
        MonitoringSnapshot.month == date(2025, 9, 1))) > 0
    again = runner.invoke(args=["snapshot-monitoring", "--month", "2025-09"])
    assert again.exit_code == 0
    assert database.session.scalar(select(func.count(MonitoringSnapshot.id)).where(
        MonitoringSnapshot.scope == REGION)) == 1


@pytest.mark.parametrize("month", ["2025-13", "25-09", "2999-01"])
def test_cli_command_refuses_bad_months(app, database, month):
    result = app.test_cli_runner().invoke(args=["snapshot-monitoring", "--month", month])
    assert result.exit_code != 0
    assert _count(database) == 0


def test_demo_history_is_six_synthetic_months_and_idempotent(database):
    created = seed_demo_monitoring(date(2026, 11, 15))
    database.session.commit()
    municipalities = database.session.scalar(select(func.count(Municipality.id)))
    assert created["demo_snapshots"] == 6 * (municipalities + 1)
    months = [m for m, _ in trend(REGION, None, "organizations_total")]
    assert months == [date(2026, m, 1) for m in range(5, 11)]
    assert all(s.metrics["synthetic"] for s in database.session.scalars(select(MonitoringSnapshot)))
    assert seed_demo_monitoring(date(2026, 11, 15)) == {"demo_snapshots": 0}


def test_trends_page_empty_state_and_charts(app, client, database, make_user, login):
    login(make_user(role=Role.METHODOLOGIST))
    empty = client.get("/monitoring/trends").get_data(as_text=True)
    assert "История ещё не накоплена" in empty and "<svg" not in empty

    municipality_id = database.session.scalar(select(Organization.municipality_id).limit(1))
    for month, value in ((date(2026, 10, 1), 0.25), (date(2026, 11, 1), 0.5)):
        database.session.add(MonitoringSnapshot(month=month, scope=MUNICIPALITY, municipality_id=municipality_id,
                                                metrics={"teachers_registered": 4, "sferum.organizations_share": value}))
    database.session.commit()
    region = client.get("/monitoring/trends").get_data(as_text=True)
    assert "История ещё не накоплена" in region  # the municipality's history is not the region's
    page = client.get(f"/monitoring/trends?municipality={municipality_id}").get_data(as_text=True)
    assert page.count("<svg") == 2
    assert "<td>11.2026</td><td class=\"num\">50,0</td>" in page
    assert client.get("/monitoring/trends?municipality=999999").status_code == 404


def test_trend_chart_escapes_and_labels_points():
    svg = trend_chart([(date(2026, 10, 1), 2), (date(2026, 11, 1), 4.5)], "<Доля> & «ОО»", chart_id="t1")
    assert svg.startswith("<svg") and "&lt;Доля&gt; &amp; «ОО»" in svg
    assert "окт 2026" in svg and "4,5" in svg and "<polyline" in svg
    assert "Нет данных" in trend_chart([], "Пусто")
    single = trend_chart([(date(2026, 10, 1), 0)], "Один")
    assert "<circle" in single and "<polyline" not in single
    with pytest.raises(ValueError):
        trend_chart([], "x", chart_id="bad id")
