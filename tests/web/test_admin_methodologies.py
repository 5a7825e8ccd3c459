"""Methodology versions: list, readable pages, upload → problems or preview with differences → publish."""
import io
import json
import re
import time
from datetime import date

import pytest
import yaml
from sqlalchemy import func, select

from cpp_app.blueprints.diagnostics.services import start
from cpp_app.blueprints.methodology.differences import compare
from cpp_app.blueprints.methodology.upload import line_of
from cpp_app.config import BASE_DIR
from cpp_app.domain.methodology import parse_methodology
from cpp_app.kernel.actor import Actor
from cpp_app.models import AuditEvent, FormStash, MethodologyVersion, Role
from tests.conftest import extract_csrf
from tests.factories import registry_organization, row_count, signed_in, text

# The latest seeded version (the active one after `flask seed`); 2025 before it stays published, inactive.
SEED = BASE_DIR / "seeds" / "methodology" / "cos-2026.yaml"
SEEDED = [(2025, False), (2026, True)]
PUBLISHED = [(2025, False), (2026, False), (2027, True)]  # after the next version, 2027, is published
SEED_TEXT = SEED.read_text(encoding="utf-8")
TODAY = date(2025, 10, 1)


def seed_data() -> dict:
    return yaml.safe_load(SEED_TEXT)


def next_version(**changes) -> dict:
    """The seed as version 2027 with: a higher «средний» bar, one indicator added, one removed, one level reworded."""
    data = seed_data()
    data.update(version=2027, year="2026/2027")
    data["levels"]["thresholds"][2]["min_share"] = 0.75
    indicators = data["sections"][0]["indicators"]
    indicators[:] = [i for i in indicators if i["code"] != "cos.mobile_phones"]
    next(i for i in indicators if i["code"] == "cos.it_equipment")["levels"][1]["text"] = "соответствует частично"
    indicators.append({
        "code": "cos.digital_library",
        "title": "Использование цифровой библиотеки образовательной организации",
        "levels": [{"score": 0, "text": "нет"}, {"score": 1, "text": "да"}],
    })
    data.update(changes)
    return data


def as_yaml(data: dict) -> bytes:
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False).encode("utf-8")


def upload(client, content: bytes, filename: str = "cos-2027.yaml", **extra):
    token = extract_csrf(client.get("/admin/methodologies/upload"))
    data = {"csrf_token": token, "file": (io.BytesIO(content), filename), **extra}
    return client.post("/admin/methodologies/preview", data=data, content_type="multipart/form-data")


def publish_token(response) -> str:
    match = re.search(r'name="token" type="hidden" value="([^"]+)"', text(response))
    assert match, "the preview has no publish button"
    return match.group(1)


def publish(client, preview):
    return client.post(
        "/admin/methodologies/publish", data={"csrf_token": extract_csrf(preview), "token": publish_token(preview)}
    )


def versions(database, code: str = "cos") -> list[tuple[int, bool]]:
    """(version, active) of one methodology; the seeded teacher instrument is another code."""
    database.session.rollback()
    database.session.expire_all()
    return list(database.session.execute(
        select(MethodologyVersion.version, MethodologyVersion.is_active)
        .where(MethodologyVersion.code == code)
        .order_by(MethodologyVersion.version)
    ).tuples())


# ------------------------------------------------------------------------------------------------- access


@pytest.mark.parametrize("role", [Role.TEACHER, Role.SCHOOL_ADMIN])
def test_other_roles_get_404(app, database, make_user, role):
    client = signed_in(app, make_user(role=role))
    version_id = database.session.scalar(select(MethodologyVersion.id))
    for path in ("/admin/methodologies", "/admin/methodologies/upload", f"/admin/methodologies/{version_id}"):
        assert client.get(path).status_code == 404, path
    # With a valid token (from a page they may see), so that the refusal is the role check's, not CSRF's.
    token = extract_csrf(client.get("/", follow_redirects=True))
    response = client.post("/admin/methodologies/preview",
                           data={"file": (io.BytesIO(as_yaml(next_version())), "a.yaml"), "csrf_token": token},
                           content_type="multipart/form-data")
    assert response.status_code == 404
    assert row_count(database, FormStash) == 0


def test_admin_may_open_the_pages(app, database, make_user):
    client = signed_in(app, make_user(role=Role.ADMIN))
    assert client.get("/admin/methodologies").status_code == 200
    assert client.get("/admin/methodologies/upload").status_code == 200


def test_unknown_version_is_404(staff_client, database):
    assert staff_client.get("/admin/methodologies/999999").status_code == 404


# ------------------------------------------------------------------------------------------- list and page


def test_list_shows_versions_with_their_diagnostics(staff_client, database, methodologist):
    for offset in range(2):
        start(registry_organization(database, offset), Actor(None, None, None), TODAY)
    database.session.commit()
    page = text(staff_client.get("/admin/methodologies"))
    assert "Самодиагностика цифровой образовательной среды" in page
    assert "<code>cos</code>" in page and "2025/2026" in page and "действующая" in page
    assert re.search(r'data-count="diagnostics">2<', page)
    assert "при загрузке справочников" in page


def test_version_page_is_readable(staff_client, database):
    version_id = database.session.scalar(select(MethodologyVersion.id))
    page = text(staff_client.get(f"/admin/methodologies/{version_id}"))
    # Thresholds as shares and points of the maximum 14, the critical cap, the critical badge.
    assert "от 50\u00a0%" in page and "Баллов из 14" in page
    assert re.search(r"средний</th><td>от 70\u00a0%</td><td>от 10</td>", page)
    assert "не выше уровня «ниже базового»" in page
    assert page.count("критический</span>") == 2
    # Levels and the auto rule in words.
    assert "не менее 30\u00a0% педагогов с учётной записью на платформе «Библиотека ЦОК» в статусе «активно использую»" in page
    assert "100\u00a0% педагогов с учётной записью на платформе ФГИС «Моя школа»" in page
    assert "не менее 1 педагога с учётной записью на платформе «Сферум»" in page
    assert "«Имеется» (5 баллов) — только если есть все компоненты (6); иначе 0 баллов. В расчёт уровня раздел не входит." in page
    assert "100% IT-оборудования используется" in page


# ---------------------------------------------------------------------------------------------- problems


def test_invalid_yaml_lists_every_problem_with_path_and_line(staff_client, database):
    broken = (SEED_TEXT
              .replace("version: 2026", "version: 2027")
              .replace("{score: 2, text: соответствует в полной мере}", "{score: 1, text: соответствует в полной мере}")
              .replace("min_share: 0.7}", "min_share: 70}"))
    response = upload(staff_client, broken.encode("utf-8"), "cos-broken.yaml")
    assert response.status_code == 400
    page = text(response)
    assert "Методика не прошла проверку, ничего не опубликовано." in page and "Ошибок: 2" in page
    lines = broken.splitlines()
    level_line = next(n for n, line in enumerate(lines, 1) if "{score: 1, text: соответствует в полной мере}" in line)
    share_line = next(n for n, line in enumerate(lines, 1) if "min_share: 70}" in line)
    rows = re.findall(r"<tr>\s*<td>(.*?)</td>\s*<td class=\"num\">(.*?)</td>\s*<td>(.*?)</td>\s*<td>(.*?)</td>", page, re.S)
    assert ("cos-broken.yaml", str(share_line), "<code>levels.thresholds[2].min_share</code>") == rows[0][:3]
    assert "доля должна быть от 0 до 1" in rows[0][3]
    assert ("cos-broken.yaml", str(level_line), "<code>sections[0].indicators[5].levels[2].score</code>") == rows[1][:3]
    assert "баллы уровней должны строго возрастать" in rows[1][3]
    assert versions(database) == SEEDED and row_count(database, FormStash) == 0


def test_yaml_syntax_error_has_its_line(staff_client, database):
    response = upload(staff_client, b"code: cos\nversion: 2026\ntitle: [unclosed\n", "bad.yaml")
    assert response.status_code == 400
    assert re.search(r"<td>bad\.yaml</td>\s*<td class=\"num\">\d+</td>\s*<td>весь файл</td>\s*<td>ошибка синтаксиса YAML", text(response))
    assert versions(database) == SEEDED


def test_line_of_points_at_the_deepest_existing_part():
    tree = yaml.compose("a:\n  - x: 1\n  - y: 2\n    z: 3\n")
    assert line_of(tree, "a[1].z") == 4
    assert line_of(tree, "a[1].missing") == 3  # the mapping that lacks the key
    assert line_of(tree, "nothing") is None and line_of(tree, "") is None


@pytest.mark.parametrize("content, filename, message", [
    (b"x" * (1024 * 1024 + 1), "big.yaml", "Файл больше 1 МБ"),
    (b"code: cos\n", "methodology.txt", "в формате YAML (.yaml, .yml) или JSON (.json)"),
    (b"", "empty.yaml", "Файл пустой"),
])
def test_unreadable_files_are_refused_next_to_the_field(staff_client, database, content, filename, message):
    response = upload(staff_client, content, filename)
    assert response.status_code == 400 and message in text(response)
    assert versions(database) == SEEDED and row_count(database, FormStash) == 0


def test_no_file_chosen(staff_client, database):
    token = extract_csrf(staff_client.get("/admin/methodologies/upload"))
    response = staff_client.post("/admin/methodologies/preview", data={"csrf_token": token}, content_type="multipart/form-data")
    assert response.status_code == 400 and "Выберите файл методики." in text(response)


def test_alias_bomb_is_refused_quickly(staff_client, database):
    bomb = "l0: &l0 [{score: 0, text: a}, {score: 1, text: b}]\n"
    for n in range(1, 12):
        bomb += f"l{n}: &l{n} [" + ", ".join([f"*l{n - 1}"] * 9) + "]\n"
    bomb += "sections: [{code: s, title: t, scoring: sum, indicators: *l11}]\n"
    began = time.perf_counter()
    response = upload(staff_client, bomb.encode(), "bomb.yaml")
    assert time.perf_counter() - began < 5
    assert response.status_code == 400 and "после раскрытия ссылок на якоря" in text(response)


# ------------------------------------------------------------------------------------- preview and publish


def test_preview_shows_what_will_be_published_and_the_differences_then_publishes(staff_client, database, methodologist):
    preview = upload(staff_client, as_yaml(next_version()))
    assert preview.status_code == 200
    page = text(preview)
    assert "Предпросмотр:" in page and "версия 2027" in page and "Опубликовать" in page
    assert "Отличия от действующей версии 2026" in page
    added = re.search(r'data-diff="added">(.*?)</ul>', page, re.S).group(1)
    removed = re.search(r'data-diff="removed">(.*?)</ul>', page, re.S).group(1)
    changed = re.search(r'data-diff="changed">(.*?)</ul>\s*</li>\s*</ul>', page, re.S).group(1)
    thresholds = re.search(r'data-diff="thresholds">(.*?)</ul>', page, re.S).group(1)
    assert "cos.digital_library" in added and "cos.mobile_phones" in removed
    assert "cos.it_equipment" in changed and "уровень 1: «частично соответствует» → «соответствует частично»" in changed
    assert "максимум баллов для уровня: 14 → 14" not in thresholds
    assert "уровень «средний»: от 70\u00a0% (от 10 баллов) → от 75\u00a0% (от 11 баллов)" in thresholds
    assert "учебный год: «2025/2026» → «2026/2027»" in page
    # The rendering of the new version, as on a version page.
    assert 'data-indicator="cos.digital_library"' in page and 'data-indicator="cos.mobile_phones"' not in page
    # Nothing is published yet; the content waits on the server, bound to this user.
    assert versions(database) == SEEDED
    stash = database.session.scalars(select(FormStash)).one()
    assert stash.target == f"methodology-preview:{methodologist.id}"
    assert publish_token(preview) not in json.dumps(stash.payload)  # only the token's hash is kept

    response = publish(staff_client, preview)
    assert response.status_code == 302
    assert versions(database) == PUBLISHED
    new = database.session.scalar(
        select(MethodologyVersion).where(MethodologyVersion.code == "cos", MethodologyVersion.version == 2027)
    )
    assert response.headers["Location"].endswith(f"/admin/methodologies/{new.id}")
    assert new.published_by_id == methodologist.id and row_count(database, FormStash) == 0
    assert parse_methodology(new.content, "stored").indicator("cos.digital_library") is not None
    event = database.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "methodology.published").order_by(AuditEvent.id.desc())
    ).first()
    assert event.actor_id == methodologist.id and event.details == {"code": "cos", "version": 2027}
    page = text(staff_client.get(response.headers["Location"]))
    assert "Опубликована версия 2027" in page and "действующая" in page
    listing = text(staff_client.get("/admin/methodologies"))
    assert "прежняя" in listing and methodologist.last_name in listing


def test_json_upload(staff_client, database):
    content = json.dumps(next_version(), ensure_ascii=False, indent=2).encode("utf-8")
    preview = upload(staff_client, content, "cos-2027.json")
    assert preview.status_code == 200 and "cos.digital_library" in text(preview)
    assert publish(staff_client, preview).status_code == 302
    assert versions(database) == PUBLISHED


def test_json_problems_have_lines_too(staff_client, database):
    data = next_version()
    data["sections"][0]["indicators"][0]["critical"] = "да"
    content = json.dumps(data, ensure_ascii=False, indent=2)
    response = upload(staff_client, content.encode("utf-8"), "cos-2027.json")
    assert response.status_code == 400
    line = next(n for n, row in enumerate(content.splitlines(), 1) if '"critical": "да"' in row)
    assert re.search(rf'<td class="num">{line}</td>\s*<td><code>sections\[0\]\.indicators\[0\]\.critical</code>', text(response))


def test_identical_content_is_nothing_to_publish(staff_client, database):
    preview = upload(staff_client, SEED_TEXT.encode("utf-8"), "cos-2026.yaml")
    page = text(preview)
    assert preview.status_code == 200 and "уже опубликована с таким же содержанием" in page
    assert 'name="token"' not in page and row_count(database, FormStash) == 0
    assert "Показатели, уровни и пороги не отличаются от действующей версии." in page


def test_republishing_the_same_content_from_a_second_preview_is_a_no_op(staff_client, database):
    first, second = upload(staff_client, as_yaml(next_version())), upload(staff_client, as_yaml(next_version()))
    assert publish(staff_client, first).status_code == 302
    response = publish(staff_client, second)
    assert response.status_code == 302
    assert "ничего не изменено" in text(staff_client.get(response.headers["Location"]))
    assert versions(database) == PUBLISHED
    published = select(func.count(AuditEvent.id)).where(AuditEvent.action == "methodology.published")
    assert database.session.scalar(published) == 4  # the seed's cos 2025 and 2026 and teacher instrument, one cos 2027


def test_same_version_with_other_content_is_refused(staff_client, database):
    changed = SEED_TEXT.replace("title: Самодиагностика цифровой", "title: Новая самодиагностика цифровой")
    page = text(upload(staff_client, changed.encode("utf-8"), "cos-2026.yaml"))
    assert "уже опубликована с другим содержанием" in page and 'name="token"' not in page
    # Two previews of one new number: the second one published is refused with the service's message.
    first = upload(staff_client, as_yaml(next_version()))
    second = upload(staff_client, as_yaml(next_version(title="Другое название")))
    assert publish(staff_client, first).status_code == 302
    response = publish(staff_client, second)
    assert response.status_code == 302 and response.headers["Location"].endswith("/admin/methodologies/upload")
    assert "Версия 2027 методики «cos» уже опубликована с другим содержанием" in text(staff_client.get("/admin/methodologies/upload"))
    assert versions(database) == PUBLISHED


def test_losing_a_simultaneous_publication_race_is_told_not_a_500(staff_client, database, monkeypatch):
    from cpp_app.blueprints.methodology import services_publication as methodology_services
    from cpp_app.blueprints.methodology.services_versions import publish_methodology

    def publish_beside_a_rival(methodology, actor):
        # Both requests passed their checks; the database takes one insert and refuses the other.
        version = publish_methodology(methodology, actor)
        database.session.add(MethodologyVersion(
            code=methodology.code, version=methodology.version, title="Другая", content={}, sha256="0" * 64,
            is_active=False,
        ))
        database.session.flush()
        return version

    monkeypatch.setattr(methodology_services, "publish_methodology", publish_beside_a_rival)
    response = publish(staff_client, upload(staff_client, as_yaml(next_version())))
    assert response.status_code == 302 and response.headers["Location"].endswith("/admin/methodologies")
    assert "только что опубликовал другой пользователь" in text(staff_client.get("/admin/methodologies"))
    assert versions(database) == SEEDED


def test_an_older_version_number_is_refused(staff_client, database):
    page = text(upload(staff_client, as_yaml(next_version(version=2024))))
    assert "Номер версии 2024 меньше последней опубликованной версии 2026" in page and 'name="token"' not in page


def test_a_token_is_used_once_and_by_its_owner_only(app, staff_client, database, make_user):
    preview = upload(staff_client, as_yaml(next_version()))
    other = signed_in(app, make_user(role=Role.ADMIN))
    token = publish_token(preview)
    response = other.post("/admin/methodologies/publish",
                          data={"csrf_token": extract_csrf(other.get("/admin/methodologies")), "token": token})
    assert response.status_code == 302 and "Предпросмотр устарел" in text(other.get("/admin/methodologies/upload"))
    assert versions(database) == SEEDED and row_count(database, FormStash) == 1
    assert publish(staff_client, preview).status_code == 302
    again = publish(staff_client, preview)
    assert again.headers["Location"].endswith("/admin/methodologies/upload")
    assert versions(database) == PUBLISHED


def test_missing_csrf_changes_nothing(staff_client, database):
    preview = upload(staff_client, as_yaml(next_version()))
    response = staff_client.post("/admin/methodologies/publish", data={"token": publish_token(preview)})
    assert response.status_code == 400
    assert versions(database) == SEEDED and row_count(database, FormStash) == 1
    refused = staff_client.post("/admin/methodologies/preview", content_type="multipart/form-data",
                         data={"file": (io.BytesIO(as_yaml(next_version(version=2028))), "cos-2027.yaml")})
    assert refused.status_code == 400 and "выберите файл ещё раз" in text(refused)
    assert row_count(database, FormStash) == 1


def test_an_existing_diagnostic_keeps_its_version(staff_client, database):
    school, other = registry_organization(database), registry_organization(database, 1)
    before = start(school, Actor(None, None, None), TODAY)
    database.session.commit()
    old_id = before.methodology_id
    assert publish(staff_client, upload(staff_client, as_yaml(next_version()))).status_code == 302
    database.session.expire_all()
    kept = database.session.get(type(before), before.id)
    assert kept.methodology_id == old_id and kept.methodology.version == 2026
    assert start(other, Actor(None, None, None), TODAY).methodology.version == 2027
    page = text(staff_client.get(f"/admin/methodologies/{old_id}"))
    assert "прежняя" in page and re.search(r'data-count="diagnostics">1<', page)


def test_compare_reports_auto_rule_and_critical_changes(database):
    old = parse_methodology(seed_data(), "old")
    data = seed_data()
    moya = next(i for i in data["sections"][0]["indicators"] if i["code"] == "cos.moya_shkola")
    moya["auto"]["levels"][2][0]["min_share"] = 0.4
    moya["critical"] = True
    data["levels"]["critical_cap"] = "basic"
    diff = compare(old, parse_methodology(data, "new"), {"cok_library": "Библиотека ЦОК"})
    (change,) = diff.changed
    assert change.code == "cos.moya_shkola"
    assert "стал критическим" in change.changes
    assert any(line.startswith("подсказка на 2 балла: «не менее 30\u00a0%") and "не менее 40\u00a0%" in line
               for line in change.changes)
    assert "результат при критическом показателе с 0 баллов: «ниже базового» → «базовый»" in diff.thresholds
    assert not diff.added and not diff.removed
