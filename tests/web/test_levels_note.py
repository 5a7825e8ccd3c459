"""The self-diagnostic's levels and critical rule are the institute's defaults: said, with a link to the page that
explains them, on every page that shows a school's level; the page reads the thresholds and critical indicators from
the published methodology version, for the roles that see levels."""
import re

import pytest
from sqlalchemy import select

from cpp_app.blueprints.methodology.services_versions import active_school_version, methodology_of, publish_methodology
from cpp_app.blueprints.monitoring import figures
from cpp_app.domain.methodology import parse_methodology
from cpp_app.kernel.actor import Actor
from cpp_app.models import MethodologyVersion, Role
from tests.factories import diagnostic_through_services, program_through_models, signed_in, text

NOTE = "Уровни — значения КК ИПК по умолчанию, как и правило критических"


def _note_links(html: str) -> list[str]:
    """The explanation links of the page's notes, in page order (one per note)."""
    notes = re.findall(r'<p class="muted small levels-note" data-levels-note>(.*?)</p>', html, re.S)
    assert notes and all(" ".join(NOTE.split()) in " ".join(note.split()) for note in notes), "no levels note"
    return [re.search(r'<a href="([^"]+)">Пороги уровней и критические показатели</a>', note).group(1)
            for note in notes]


def _version_link(diagnostic) -> str:
    return f"/methodology/levels?version={diagnostic.methodology_id}"


def test_the_school_sees_the_note_where_it_sees_its_level(app, database, school, director):
    diagnostic = diagnostic_through_services(database, school, director, submitted=False)
    client = signed_in(app, director)
    assert _note_links(text(client.get(f"/diagnostics/{diagnostic.id}/check"))) == [_version_link(diagnostic)]
    assert _note_links(text(client.get(f"/diagnostics/{diagnostic.id}/result"))) == [_version_link(diagnostic)]
    assert _note_links(text(client.get("/diagnostics/"))) == ["/methodology/levels"]


def test_the_institute_sees_the_note_on_review_and_monitoring(app, database, school, director, methodologist):
    diagnostic = diagnostic_through_services(database, school, director)
    figures.refresh()
    database.session.commit()
    client = signed_in(app, methodologist)
    assert _note_links(text(client.get(f"/review/{diagnostic.id}"))) == [_version_link(diagnostic)]
    assert _note_links(text(client.get("/review/"))) == ["/methodology/levels"]
    # The level tables of the region, the municipality and the organisation card.
    assert _note_links(text(client.get("/monitoring/"))) == ["/methodology/levels"]
    assert _note_links(text(client.get(f"/monitoring/municipalities/{school.municipality_id}"))) == ["/methodology/levels"]
    assert _note_links(text(client.get(f"/monitoring/organizations/{school.id}"))) == ["/methodology/levels"]


def test_the_program_page_has_the_note_of_its_diagnostic_version(app, database, make_user):
    program = program_through_models(database)
    director = make_user(role=Role.SCHOOL_ADMIN, organization=program.organization)
    page = text(signed_in(app, director).get(f"/programs/{program.id}"))
    assert _note_links(page) == [_version_link(program.diagnostic)]


def _thresholds(html: str) -> list[tuple[str, str, str]]:
    return re.findall(r'<tr data-threshold="(\w+)"><th scope="row">(.*?)</th><td>от (.*?)</td>', html)


def test_the_page_shows_the_active_methodology_thresholds_and_critical_indicators(app, database, methodologist):
    methodology = methodology_of(active_school_version())
    html = text(signed_in(app, methodologist).get("/methodology/levels"))
    assert [(code, title) for code, title, _ in _thresholds(html)] == [(t.code, t.title) for t in methodology.thresholds]
    critical = re.findall(r'<li data-indicator="([\w.]+)">(.*?)</li>', html)
    assert critical == [(i.code, i.title) for i in methodology.indicators if i.critical] and len(critical) == 2
    assert f"не выше уровня «{methodology.threshold(methodology.critical_cap).title}»" in html
    assert methodology.levels_note in html and "Это правило и выбор критических показателей — значения КК ИПК по умолчанию" in html
    assert f'data-levels-version="{methodology.version}"' in html


def test_the_page_follows_the_published_version_not_fixed_values(app, database, methodologist):
    """A new version with another bar and another critical set: the page shows it; the old one stays reachable."""
    old = active_school_version()
    data = methodology_of(old).to_dict()
    data["version"] = old.version + 1
    data["levels"]["thresholds"][2]["min_share"] = 0.75
    for indicator in data["sections"][0]["indicators"]:
        indicator["critical"] = indicator["code"] == "cos.moya_shkola"
    publish_methodology(parse_methodology(data, "test"), Actor(None, None, None))
    database.session.commit()
    client = signed_in(app, methodologist)
    html = text(client.get("/methodology/levels"))
    assert ("medium", "средний", "75\u00a0%") in _thresholds(html)
    assert re.findall(r'<li data-indicator="([\w.]+)">', html) == ["cos.moya_shkola"]
    previous = text(client.get(f"/methodology/levels?version={old.id}"))
    assert ("medium", "средний", "70\u00a0%") in _thresholds(previous) and "прежняя" in previous
    assert re.findall(r'<li data-indicator="([\w.]+)">', previous) == ["cos.high_speed_internet", "cos.safe_internet"]


@pytest.mark.parametrize("role, status", [
    (Role.SCHOOL_ADMIN, 200), (Role.METHODOLOGIST, 200), (Role.ADMIN, 200), (Role.TEACHER, 404),
])
def test_the_roles_that_see_levels_may_open_the_page(app, database, make_user, school, role, status):
    user = make_user(role=role, organization=school if role in (Role.TEACHER, Role.SCHOOL_ADMIN) else None)
    assert signed_in(app, user).get("/methodology/levels").status_code == status


def test_only_school_versions_are_explained(app, database, methodologist):
    client = signed_in(app, methodologist)
    teacher_version = database.session.scalar(select(MethodologyVersion.id).where(MethodologyVersion.subject == "teacher"))
    assert client.get(f"/methodology/levels?version={teacher_version}").status_code == 404
    assert client.get("/methodology/levels?version=999999").status_code == 404


def test_a_visitor_is_sent_to_sign_in(client, database):
    response = client.get("/methodology/levels")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
