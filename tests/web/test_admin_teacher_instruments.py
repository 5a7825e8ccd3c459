"""Teacher self-assessment instruments (subject: teacher) on the admin methodology pages, and proof that they never
become the methodology of school diagnostics."""
import re
from datetime import date

import pytest
import yaml
from sqlalchemy import select

from cpp_app.blueprints.admin.measure_services import active_codes, active_methodology
from cpp_app.blueprints.diagnostics.services import start
from cpp_app.blueprints.methodology.services_versions import (
    active_school_version,
    active_version,
    list_versions,
    publish_methodology,
)
from cpp_app.blueprints.monitoring.stats import active_methodologies
from cpp_app.config import BASE_DIR
from cpp_app.domain.methodology import parse_methodology
from cpp_app.domain.workflow import TransitionRefused
from cpp_app.kernel.actor import Actor
from cpp_app.models import FormStash, MethodologyVersion
from tests.factories import registry_organization, row_count, text
from tests.web.test_admin_methodologies import SEEDED, as_yaml, publish, upload, versions

TEACHER_SEED = BASE_DIR / "seeds" / "methodology" / "teacher-readiness-2026.yaml"
TODAY = date(2025, 10, 1)


def teacher_data(**changes) -> dict:
    data = yaml.safe_load(TEACHER_SEED.read_text(encoding="utf-8"))
    data.update(changes)
    return data


def seeded_teacher(database) -> MethodologyVersion:
    return database.session.scalar(select(MethodologyVersion).where(MethodologyVersion.code == "teacher_readiness"))


def test_the_seed_publishes_the_teacher_instrument_beside_the_school_one(database):
    teacher = seeded_teacher(database)
    assert teacher.subject == "teacher" and teacher.is_active and teacher.version == 2026
    assert parse_methodology(teacher.content, "stored").subject == "teacher"
    school = active_school_version()
    assert school.code == "cos" and school.subject == "school"
    assert active_version("teacher_readiness", "teacher").id == teacher.id
    assert active_version("teacher_readiness", "school") is None


def test_the_list_shows_who_each_methodology_is_for(staff_client, database):
    page = text(staff_client.get("/admin/methodologies"))
    assert "Методики самодиагностики и самооценки" in page
    assert re.search(r'data-subject="school">для школы<', page)
    assert re.search(r'data-subject="teacher">для педагога<', page)
    assert "Самооценка цифровой готовности педагога (региональная методика КК ИПК по умолчанию)" in page
    assert [row.subject_label for row in list_versions()] == ["для школы", "для школы", "для педагога"]  # cos 2026, 2025


def test_the_teacher_version_page_is_readable(staff_client, database):
    page = text(staff_client.get(f"/admin/methodologies/{seeded_teacher(database).id}"))
    assert "Для педагога" in page and "самооценка цифровой готовности" in page
    assert "самодиагностик по этой версии" not in page and "Максимум для уровня" not in page
    assert "Уровень и средний балл области" in page and "Что это значит" in page
    assert re.search(
        r'data-threshold="confident"><th scope="row">уверенный<span class="methodology-threshold-from">от 2,5</span>', page
    )
    assert "Пример практики:" in page and "платформа: Сферум" in page
    assert "не официальный федеральный инструмент" in page
    assert "Критические показатели" not in page


def test_a_teacher_instrument_is_uploaded_previewed_and_published(staff_client, database):
    first = seeded_teacher(database)
    changed = teacher_data(version=2027, year="2027/2028")
    changed["sections"][1]["indicators"][0]["title"] = "Поиск цифровых материалов к уроку и внеурочным занятиям"
    preview = upload(staff_client, as_yaml(changed), "teacher-2027.yaml")
    page = text(preview)
    assert preview.status_code == 200
    assert "Это методика для педагога: самодиагностики школ она не затрагивает." in page
    assert "data-subject=\"teacher\"" in page and 'data-diff="changed"' in page
    response = publish(staff_client, preview)
    assert response.status_code == 302
    assert "самодиагностики школ она не затрагивает" in text(staff_client.get(response.headers["Location"]))
    assert versions(database, "teacher_readiness") == [(2026, False), (2027, True)]
    assert versions(database) == SEEDED  # the school methodology is untouched
    database.session.refresh(first)
    assert first.subject == "teacher"


def test_publishing_a_teacher_instrument_changes_nothing_for_school_diagnostics(staff_client, database):
    school_before = active_school_version()
    assert publish(staff_client, upload(staff_client, as_yaml(teacher_data(version=2030)), "t.yaml")).status_code == 302
    # What school diagnostics, measures and monitoring pick is the school methodology only.
    assert active_school_version().id == school_before.id
    assert active_codes() == ["cos"]
    assert set(active_methodologies()) == {"cos"}
    assert active_methodology("teacher_readiness") is None
    diagnostic = start(registry_organization(database, 0), Actor(None, None, None), TODAY)
    assert diagnostic.methodology.code == "cos" and diagnostic.methodology.subject == "school"
    assert versions(database) == SEEDED


def test_a_teacher_instrument_cannot_take_a_school_code(staff_client, database, methodologist):
    taken = teacher_data(code="cos", version=2031)
    preview = upload(staff_client, as_yaml(taken), "t.yaml")
    page = text(preview)
    assert "Код «cos» уже занят методикой для школы. Выберите для методики для педагога другой код (code)." in page
    assert 'name="token"' not in page and row_count(database, FormStash) == 0
    with pytest.raises(TransitionRefused, match="уже занят методикой для школы"):
        publish_methodology(parse_methodology(taken, "t.yaml"), Actor(methodologist.id, None, None))
    assert versions(database) == SEEDED and versions(database, "teacher_readiness") == [(2026, True)]


def test_a_school_file_cannot_take_a_teacher_code(staff_client, database):
    school = yaml.safe_load((BASE_DIR / "seeds" / "methodology" / "cos-2025.yaml").read_text(encoding="utf-8"))
    school.update(code="teacher_readiness", version=2032)
    page = text(upload(staff_client, as_yaml(school), "s.yaml"))
    assert "Код «teacher_readiness» уже занят методикой для педагога." in page
    assert versions(database, "teacher_readiness") == [(2026, True)]


def test_a_broken_teacher_file_lists_its_problems_in_russian(staff_client, database):
    broken = teacher_data(version=2027)
    del broken["sections"][0]["indicators"][0]["example"]
    broken["sections"][0]["indicators"][1]["platform"] = "whatsapp"
    broken["sections"][2]["indicators"][0]["levels"].pop()
    response = upload(staff_client, as_yaml(broken), "t.yaml")
    page = text(response)
    assert response.status_code == 400 and "Ошибок: 3" in page
    assert "в самооценке педагога у пункта нужен пример практики (example)" in page
    assert "неизвестная платформа «whatsapp»" in page
    assert "ровно шесть уровней с баллами 0, 1, 2, 3, 4, 5; сейчас: 0, 1, 2, 3, 4" in page
    assert versions(database, "teacher_readiness") == [(2026, True)]


def test_the_preview_shows_what_changes_in_a_teacher_instrument(staff_client, database):
    changed = teacher_data(version=2027)
    changed["levels"]["thresholds"][2].update(min_share=0.6, description="Использует регулярно и сам.")
    item = changed["sections"][0]["indicators"][0]
    item.update(example="Чат класса в Сферуме.", platform="vk_messenger")
    page = text(upload(staff_client, as_yaml(changed), "t.yaml"))
    assert "уровень «уверенный»: средний балл от 2,5 → средний балл от 3" in page
    assert "уровень «уверенный»: изменено описание" in page
    assert "платформа: «Сферум» → «VK Мессенджер»" in page
    assert "пример практики: «Класс собран в учебном чате Сферума" in page and "→ «Чат класса в Сферуме.»" in page
    assert "максимум баллов для уровня" not in page
