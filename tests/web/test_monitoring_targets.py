"""«Моя школа» on the monitoring pages against the federal target of the current year, with its source, what ЦПП
counts as active, the seed's regional totals, and the target line on the trends."""
import re
from datetime import date

from cpp_app.blueprints.monitoring.targets import federal_targets
from cpp_app.kernel.clock import local_today
from cpp_app.models import AccountStatus, MonitoringSnapshot
from tests.web import test_monitoring_pages as pages
from tests.web.test_monitoring_pages import _rebuild, _teacher, _text

region = pages.region  # the same hand-built region as the pages' tests
ACTIVE = AccountStatus.ACTIVE


def _targets_card(html: str) -> str:
    match = re.search(r"<section[^>]*data-federal-targets>(.*?)</section>", html, re.S)
    assert match, "no «Моя школа» targets card"
    return " ".join(match.group(1).split())  # the template wraps its sentences


def _row_text(card: str, measure: str) -> str:
    row = re.search(rf'<tr data-target="{measure}">(.*?)</tr>', card, re.S).group(1)
    return " ".join(re.sub(r"<[^>]+>", " ", row).replace("&nbsp;", " ").replace("\u00a0", " ").split())


def test_overview_sets_moya_shkola_against_the_year_target(client, signed_in_methodologist, database, region):
    # Бета: both staff members mark «Моя школа» active, one of them confirmed by the school.
    _teacher(database, region["b1"], [("moya_shkola", ACTIVE)], confirmed=True, confirmed_accounts=True)
    _teacher(database, region["b1"], [("moya_shkola", ACTIVE)])
    database.session.commit()
    _rebuild(database)
    year = local_today().year
    teachers_target = federal_targets().for_year("teachers", year)
    organizations_target = federal_targets().for_year("organizations", year)
    card = _targets_card(_text(client.get("/monitoring/")))
    teachers = _row_text(card, "teachers")
    assert teachers.startswith("Педагоги, отметившие «активно использую» 20 % (2 из 10)")
    assert teachers_target.label.replace("\u00a0", " ") in teachers and "ниже ориентира" in teachers
    assert teachers_target.explanation.replace("\u00a0", " ") in teachers
    organizations = _row_text(card, "organizations")
    assert "(1 из " in organizations and organizations_target.label.replace("\u00a0", " ") in organizations
    assert f"ФГИС «Моя школа» и федеральные ориентиры {year}" in card
    # The source document, and what ЦПП counts as active next to the platform's own definition.
    assert "Приказ Минпросвещения России от 30.06.2021 № 396" in card
    assert "сам отметил в профиле ЦПП статус «активно использую»" in card
    assert "подтверждено организацией — 1" in card
    assert "за последние 365 дней" in card and "Входов во ФГИС ЦПП не видит" in card
    # The seed's regional totals, with their source.
    totals = re.search(r"<dl class=\"facts\" data-regional-totals>(.*?)</dl>", card, re.S).group(1)
    assert re.search(r'data-figure="fgis-organizations">901<', totals)
    assert re.search(r'data-figure="fgis-organizations-active">785 ', totals) and "87,1" in totals
    assert re.search(r'data-figure="fgis-teachers">22 936<', totals)
    assert re.search(r'data-figure="fgis-teachers-active">11 293 ', totals) and "49,2" in totals
    assert "дата выгрузки на слайде не указана" in card


def test_a_municipality_is_set_against_the_same_target_without_the_regional_totals(client, signed_in_methodologist,
                                                                                  database, region):
    for _ in range(2):
        _teacher(database, region["b1"], [("moya_shkola", ACTIVE)])
    database.session.commit()
    _rebuild(database)
    target = federal_targets().for_year("teachers", local_today().year)
    card = _targets_card(_text(client.get(f"/monitoring/municipalities/{region['beta'].id}")))
    teachers = _row_text(card, "teachers")
    assert "50 % (2 из 4)" in teachers and target.label.replace("\u00a0", " ") in teachers
    assert ("ориентир достигнут" if target.met(0.5) else "ниже ориентира") in teachers
    organizations = _row_text(card, "organizations")
    assert "100 % (1 из 1)" in organizations and "ориентир достигнут" in organizations
    assert "data-regional-totals" not in card and "Приказ Минпросвещения России от 30.06.2021 № 396" in card


def test_the_trends_of_moya_shkola_carry_the_target_line(client, signed_in_methodologist, database, region):
    for month, share in ((date(2026, 10, 1), 0.2), (date(2026, 11, 1), 0.3)):
        database.session.add(MonitoringSnapshot(month=month, scope="region", municipality_id=None, metrics={
            "moya_shkola.active_share": share, "moya_shkola.organizations_share": share, "sferum.active_share": share,
        }))
    database.session.commit()
    html = _text(client.get("/monitoring/trends"))
    year = local_today().year
    teachers, organizations = (federal_targets().for_year(m, year) for m in ("teachers", "organizations"))
    assert html.count('class="chart-target"') == 2  # the two «Моя школа» shares, not Сферум's
    assert f"<title>{teachers.label}</title>" in html and f"<title>{organizations.label}</title>" in html
    note = re.search(r'<p [^>]*data-trend-target="moya_shkola.active_share">(.*?)</p>', html, re.S).group(1)
    assert teachers.label in note and teachers.explanation in note and "№ 396" in note
    assert 'data-trend-target="sferum.active_share"' not in html


def test_the_municipalities_table_of_moya_shkola_names_the_targets(client, signed_in_methodologist, region):
    year = local_today().year
    teachers = federal_targets().for_year("teachers", year)
    html = _text(client.get("/monitoring/municipalities?platform=moya_shkola"))
    note = " ".join(re.search(r"<p class=\"small\" data-targets-note>(.*?)</p>", html, re.S).group(1).split())
    assert f"Федеральные ориентиры {year} для ФГИС «Моя школа»: доля педагогов — {teachers.value * 100:.0f}" in note
    assert "№ 396" in note and teachers.explanation.replace("\u00a0", " ") in note.replace("\u00a0", " ")
    assert "data-targets-note" not in _text(client.get("/monitoring/municipalities?platform=sferum"))
