import copy
import json

import pytest

from cpp_app.domain.methodology import (
    MethodologyError,
    Problem,
    load_methodology_file,
    methodology_hash,
    parse_methodology,
)


def base() -> dict:
    """A small valid methodology: a summed section that counts and an all-or-nothing one that does not."""
    return {
        "code": "test",
        "version": 1,
        "title": "Проверочная методика",
        "year": "2025/2026",
        "applies_to": ["school"],
        "levels": {
            "thresholds": [
                {"code": "low", "title": "низкий", "min_share": 0},
                {"code": "mid", "title": "средний", "min_share": 0.5},
                {"code": "top", "title": "высокий", "min_share": 0.9},
            ],
            "critical_cap": "low",
        },
        "sections": [
            {
                "code": "a",
                "title": "Раздел А",
                "scoring": "sum",
                "indicators": [
                    {
                        "code": "a.one",
                        "title": "Первый",
                        "critical": True,
                        "levels": [{"score": 0, "text": "нет"}, {"score": 1, "text": "да"}],
                    },
                    {
                        "code": "a.two",
                        "title": "Второй",
                        "levels": [
                            {"score": 0, "text": "ноль"},
                            {"score": 1, "text": "один"},
                            {"score": 2, "text": "два"},
                        ],
                        "auto": {
                            "kind": "platform_shares",
                            "levels": {1: [{"platform": "sferum", "statuses": ["active"], "min_share": 0.5}]},
                        },
                    },
                ],
            },
            {
                "code": "b",
                "title": "Раздел Б",
                "scoring": "all_or_nothing",
                "points": 5,
                "counts_towards_level": False,
                "indicators": [
                    {"code": "b.one", "title": "Есть", "levels": [{"score": 0, "text": "нет"}, {"score": 1, "text": "да"}]},
                    {"code": "b.two", "title": "Тоже", "levels": [{"score": 0, "text": "нет"}, {"score": 1, "text": "да"}]},
                ],
            },
        ],
    }


def problems_of(data, source="test.yaml") -> list[Problem]:
    with pytest.raises(MethodologyError) as caught:
        parse_methodology(data, source)
    return caught.value.problems


def has(problems, path, fragment) -> bool:
    return any(p.path == path and fragment in p.message for p in problems)


# --- the seeded version --------------------------------------------------------------------------------------


def test_seeded_file_loads_with_the_seed_indicators(cos):
    assert (cos.code, cos.version, cos.year) == ("cos", 2025, "2025/2026")
    assert cos.applies_to == ("school", "branch")
    cos_section, eios = cos.sections
    assert len(cos_section.indicators) == 7
    assert [i.max_score for i in cos_section.indicators] == [1, 1, 1, 3, 3, 3, 2]
    assert cos_section.max_points == 14
    assert cos.max_points == 14  # only the ЦОС criterion counts towards the level
    assert [s.code for s in cos.level_sections] == ["cos"]
    assert (eios.scoring, eios.points, eios.max_points, len(eios.indicators)) == ("all_or_nothing", 5, 5, 6)
    assert all(i.scores == (0, 1) for i in eios.indicators)


def test_seeded_wording_is_the_seeds(cos):
    sferum = cos.indicator("cos.sferum")
    assert sferum.title == "Информационно-коммуникационная образовательная платформа «Сферум»"
    assert sferum.level(0).text == "отсутствие регистрации образовательной организации"
    assert sferum.level(2).text == "не менее 95% обучающихся и педагогов зарегистрированы на платформе «Сферум»"
    management = cos.indicator("cos.management_system")
    assert management.scores == (0, 1, 2)  # «—» at 3: the level does not exist
    assert cos.indicator("cos.mobile_phones").title == (
        "Наличие локальных актов (ЛА) образовательной организации, регламентирующих ограничения "
        "использования мобильных телефонов обучающимися"
    )
    assert cos.indicator("cos.it_equipment").level(3).text.startswith("100% IT-оборудования используется")


def test_seeded_thresholds_critical_indicators_and_auto_rules(cos):
    assert [(t.code, t.min_share) for t in cos.thresholds] == [
        ("below_basic", 0), ("basic", 0.5), ("medium", 0.7), ("high", 0.85)
    ]
    assert cos.critical_cap == "below_basic"
    assert "по умолчанию" in cos.levels_note
    assert {i.code for i in cos.indicators if i.critical} == {"cos.high_speed_internet", "cos.safe_internet"}
    moya = cos.indicator("cos.moya_shkola").auto
    assert [(lvl.score, c.platform, c.statuses, c.min_share) for lvl in moya.levels for c in lvl.conditions] == [
        (1, "moya_shkola", ("registered", "active"), 1.0),
        (2, "cok_library", ("active",), 0.3),
        (3, "cok_library", ("active",), 0.95),
    ]
    sferum = cos.indicator("cos.sferum").auto
    first, second, third = (lvl.conditions[0] for lvl in sferum.levels)
    assert (first.min_count, first.min_share) == (1, None)
    assert second.min_share == 0.95 and "обучающихся" in second.note
    assert (third.statuses, third.min_share) == (("active",), 1.0)
    assert [i.code for i in cos.indicators if i.auto] == ["cos.moya_shkola", "cos.sferum"]


def test_helpers(cos):
    assert cos.section_of("eios.ebs").code == "eios"
    assert cos.section("cos").key_condition == "Образовательная среда"
    assert cos.indicator("cos.sferum").next_level(1).score == 2
    assert cos.indicator("cos.sferum").next_level(3) is None
    assert cos.indicator("eios.internet").label == "Доступ к сети Интернет"  # no short title: the title
    assert cos.indicator("cos.nothing") is None
    assert cos.section_of("cos.nothing") is None


# --- canonical form and hash ---------------------------------------------------------------------------------


def test_to_dict_round_trips_through_json(cos):
    data = cos.to_dict()
    stored = json.loads(json.dumps(data))
    assert parse_methodology(stored, "stored") == cos
    assert parse_methodology(stored, "stored").to_dict() == data
    assert stored["sections"][0]["indicators"][3]["auto"]["levels"]["2"][0]["min_share"] == 0.3


def _reversed(value):
    if isinstance(value, dict):
        return {key: _reversed(value[key]) for key in reversed(list(value))}
    if isinstance(value, list):
        return [_reversed(item) for item in value]
    return value


def test_hash_is_stable_under_key_order_and_layout(cos, tmp_path):
    data = cos.to_dict()
    assert methodology_hash(_reversed(data)) == methodology_hash(data)
    # The same content written as JSON, keys in another order, is recognised as the same version.
    other = tmp_path / "cos-2025.json"
    other.write_text(json.dumps(_reversed(data), ensure_ascii=False, indent=1), encoding="utf-8")
    assert methodology_hash(load_methodology_file(other).to_dict()) == methodology_hash(data)
    # A file that leaves out defaults (critical: false, counts_towards_level: true) is the same content.
    lean = base()
    explicit = copy.deepcopy(lean)
    explicit["sections"][0]["counts_towards_level"] = True
    explicit["sections"][0]["indicators"][1]["critical"] = False
    assert methodology_hash(parse_methodology(lean, "x").to_dict()) == methodology_hash(
        parse_methodology(explicit, "y").to_dict()
    )


def test_hash_changes_with_content(cos):
    data = cos.to_dict()
    changed = copy.deepcopy(data)
    changed["sections"][0]["indicators"][0]["levels"][1]["text"] = "да, утверждены"
    assert methodology_hash(changed) != methodology_hash(data)
    assert len(methodology_hash(data)) == 64


# --- validation: every problem with its path -----------------------------------------------------------------


def _set(path, value):
    def change(data):
        target = data
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value

    return change


def _delete(path):
    def change(data):
        target = data
        for key in path[:-1]:
            target = target[key]
        del target[path[-1]]

    return change


A2 = ["sections", 0, "indicators", 1]
CASES = [
    ("missing key", _delete(["title"]), "title", "обязательный ключ отсутствует"),
    ("unknown key", _set(["levels", "tresholds"], []), "levels.tresholds", "неизвестный ключ «tresholds»"),
    ("unknown indicator key", _set(A2 + ["weight"], 2), "sections[0].indicators[1].weight", "неизвестный ключ"),
    ("version not an int", _set(["version"], "2025"), "version", "ожидается целое число"),
    ("version a bool", _set(["version"], True), "version", "ожидается целое число"),
    ("version below 1", _set(["version"], 0), "version", "от 1"),
    ("year not a string", _set(["year"], 2025), "year", "ожидается строка"),
    ("empty title", _set(["title"], "  "), "title", "не может быть пустым"),
    ("critical not a bool", _set(A2 + ["critical"], "да"), "sections[0].indicators[1].critical", "true или false"),
    ("sections not a list", _set(["sections"], {"a": 1}), "sections", "ожидается список"),
    ("bad code", _set(A2 + ["code"], "A Two"), "sections[0].indicators[1].code", "строчных латинских"),
    ("indicator without levels", _set(A2 + ["levels"], []), "sections[0].indicators[1].levels", "нет уровней"),
    (
        "one level only",
        _set(A2 + ["levels"], [{"score": 0, "text": "ноль"}]),
        "sections[0].indicators[1].levels",
        "не меньше двух уровней",
    ),
    (
        "level without text",
        _delete(A2 + ["levels", 2, "text"]),
        "sections[0].indicators[1].levels[2].text",
        "обязательный ключ отсутствует",
    ),
    ("level with empty text", _set(A2 + ["levels", 1, "text"], ""), "sections[0].indicators[1].levels[1].text", "пустым"),
    (
        "scores not from 0",
        _set(A2 + ["levels", 0, "score"], 1),
        "sections[0].indicators[1].levels[0].score",
        "первый уровень должен иметь балл 0",
    ),
    (
        "scores not rising",
        _set(A2 + ["levels", 2, "score"], 1),
        "sections[0].indicators[1].levels[2].score",
        "строго возрастать: 1 после 1",
    ),
    ("score not an int", _set(A2 + ["levels", 2, "score"], 2.5), "sections[0].indicators[1].levels[2].score", "целое"),
    (
        "first threshold not 0",
        _set(["levels", "thresholds", 0, "min_share"], 0.1),
        "levels.thresholds[0].min_share",
        "начинаться с доли 0",
    ),
    (
        "thresholds not rising",
        _set(["levels", "thresholds", 2, "min_share"], 0.5),
        "levels.thresholds[2].min_share",
        "строго возрастать: 0.5 после 0.5",
    ),
    ("share above 1", _set(["levels", "thresholds", 2, "min_share"], 90), "levels.thresholds[2].min_share", "от 0 до 1"),
    ("negative share", _set(["levels", "thresholds", 1, "min_share"], -0.5), "levels.thresholds[1].min_share", "от 0 до 1"),
    (
        "duplicate threshold code",
        _set(["levels", "thresholds", 2, "code"], "mid"),
        "levels.thresholds[2].code",
        "уровень «mid» уже есть",
    ),
    ("unknown scoring", _set(["sections", 0, "scoring"], "average"), "sections[0].scoring", "неизвестный способ"),
    (
        "all_or_nothing item not 0/1",
        _set(["sections", 1, "indicators", 0, "levels", 1, "score"], 2),
        "sections[1].indicators[0].levels",
        "ровно два уровня: 0 (нет) и 1 (есть)",
    ),
    ("all_or_nothing without points", _delete(["sections", 1, "points"]), "sections[1].points", "нужны баллы"),
    ("points on a summed section", _set(["sections", 0, "points"], 3), "sections[0].points", "только для"),
    ("critical_cap unknown", _set(["levels", "critical_cap"], "lowest"), "levels.critical_cap", "уровня «lowest» нет"),
    ("unknown kind of organisation", _set(["applies_to"], ["school", "university"]), "applies_to[1]", "university"),
    ("no kinds of organisation", _set(["applies_to"], []), "applies_to", "список пуст"),
    (
        "auto for a missing level",
        _set(A2 + ["auto", "levels", 3], [{"platform": "sferum", "statuses": ["active"], "min_share": 1}]),
        "sections[0].indicators[1].auto.levels.3",
        "нет уровня 3",
    ),
    (
        "auto for level 0",
        _set(A2 + ["auto", "levels", 0], [{"platform": "sferum", "statuses": ["active"], "min_share": 1}]),
        "sections[0].indicators[1].auto.levels.0",
        "для уровня 0",
    ),
    ("unknown auto kind", _set(A2 + ["auto", "kind"], "guess"), "sections[0].indicators[1].auto.kind", "«guess»"),
    (
        "unknown status",
        _set(A2 + ["auto", "levels", 1, 0, "statuses"], ["active", "confirmed"]),
        "sections[0].indicators[1].auto.levels.1[0].statuses[1]",
        "неизвестный статус «confirmed»",
    ),
    (
        "unknown platform",
        _set(A2 + ["auto", "levels", 1, 0, "platform"], "zoom"),
        "sections[0].indicators[1].auto.levels.1[0].platform",
        "неизвестная платформа",
    ),
    (
        "auto share of 0",
        _set(A2 + ["auto", "levels", 1, 0, "min_share"], 0),
        "sections[0].indicators[1].auto.levels.1[0].min_share",
        "больше 0",
    ),
    (
        "auto condition without a bar",
        _delete(A2 + ["auto", "levels", 1, 0, "min_share"]),
        "sections[0].indicators[1].auto.levels.1[0]",
        "min_share",
    ),
    (
        "auto levels with a gap",
        lambda d: d["sections"][0]["indicators"][1]["auto"].update(
            levels={2: [{"platform": "sferum", "statuses": ["active"], "min_share": 1}]}
        ),
        "sections[0].indicators[1].auto.levels",
        "подряд",
    ),
    (
        "critical outside the level",
        _set(["sections", 1, "indicators", 0, "critical"], True),
        "sections[1].indicators[0].critical",
        "ни на что не влияет",
    ),
    (
        "no section counts",
        _set(["sections", 0, "counts_towards_level"], False),
        "sections",
        "ни один раздел",
    ),
]


@pytest.mark.parametrize(("change", "path", "fragment"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_each_problem_is_reported_with_its_path(change, path, fragment):
    data = base()
    change(data)
    problems = problems_of(data)
    assert has(problems, path, fragment), [str(p) for p in problems]
    assert all(p.source == "test.yaml" for p in problems)


def test_base_is_valid():
    methodology = parse_methodology(base(), "test.yaml")
    assert methodology.max_points == 3


def test_duplicate_indicator_code_names_the_first_one():
    data = base()
    data["sections"][1]["indicators"][1]["code"] = "a.two"
    problems = problems_of(data)
    assert has(problems, "sections[1].indicators[1].code", "уже использован в sections[0].indicators[1]")


def test_duplicate_section_code():
    data = base()
    data["sections"][1]["code"] = "a"
    assert has(problems_of(data), "sections[1].code", "код раздела «a» уже использован в sections[0]")


def test_several_problems_are_reported_at_once():
    data = base()
    del data["title"]
    data["version"] = "один"
    data["levels"]["critical_cap"] = "nowhere"
    data["sections"][0]["indicators"][1]["levels"][2]["score"] = 1
    data["sections"][1]["scoring"] = "max"
    data["sections"][1]["indicators"][0]["levels"][1]["text"] = None
    problems = problems_of(data)
    paths = {p.path for p in problems}
    assert {
        "title",
        "version",
        "levels.critical_cap",
        "sections[0].indicators[1].levels[2].score",
        "sections[1].scoring",
        "sections[1].indicators[0].levels[1].text",
    } <= paths
    message = str(MethodologyError(problems))
    assert message.count("\n- ") == len(problems)


def test_not_a_mapping():
    problems = problems_of(["code", "cos"])
    assert [(p.path, p.message) for p in problems] == [("", "ожидается словарь (ключ: значение)")]


def test_problem_reads_as_file_path_message():
    assert str(Problem("cos.yaml", "sections[0].code", "обязательный ключ отсутствует")) == (
        "cos.yaml, sections[0].code: обязательный ключ отсутствует"
    )
    assert str(Problem("cos.yaml", "", "ошибка", line=7)) == "cos.yaml, строка 7: ошибка"


# --- files ---------------------------------------------------------------------------------------------------


def test_yaml_syntax_error_has_a_line_number(tmp_path):
    path = tmp_path / "broken.yaml"
    path.write_text("code: cos\nversion: 1\ntitle: [незакрытая скобка\nyear: '2025'\n", encoding="utf-8")
    with pytest.raises(MethodologyError) as caught:
        load_methodology_file(path)
    (problem,) = caught.value.problems
    assert problem.source == "broken.yaml"
    assert problem.line == 4  # where the parser finds that the flow sequence cannot go on
    assert "YAML" in problem.message
    assert "строка" in str(problem)


def test_yaml_bad_indentation_points_at_its_line(tmp_path):
    path = tmp_path / "indent.yaml"
    path.write_text("code: cos\nversion: 1\n  title: сдвинуто\n", encoding="utf-8")
    with pytest.raises(MethodologyError) as caught:
        load_methodology_file(path)
    assert caught.value.problems[0].line == 3


def test_yaml_duplicate_key_is_an_error_with_its_line(tmp_path):
    path = tmp_path / "dup.yaml"
    path.write_text("code: cos\nversion: 1\ncode: cos2\n", encoding="utf-8")
    with pytest.raises(MethodologyError) as caught:
        load_methodology_file(path)
    (problem,) = caught.value.problems
    assert problem.line == 3 and "«code» повторяется" in problem.message


def test_json_file_and_its_syntax_error(tmp_path, cos):
    good = tmp_path / "cos.json"
    good.write_text(json.dumps(cos.to_dict(), ensure_ascii=False), encoding="utf-8")
    assert load_methodology_file(good) == cos
    bad = tmp_path / "bad.json"
    bad.write_text('{\n  "code": "cos",\n  "version": 1,,\n}\n', encoding="utf-8")
    with pytest.raises(MethodologyError) as caught:
        load_methodology_file(bad)
    assert caught.value.problems[0].line == 3


def test_validation_problems_from_a_file_carry_its_name(tmp_path):
    path = tmp_path / "cos-2026.yaml"
    path.write_text("code: cos\nversion: 2026\n", encoding="utf-8")
    with pytest.raises(MethodologyError) as caught:
        load_methodology_file(path)
    assert {p.source for p in caught.value.problems} == {"cos-2026.yaml"}
    assert {"title", "year", "applies_to", "levels", "sections"} <= {p.path for p in caught.value.problems}


def test_unsupported_extension(tmp_path):
    path = tmp_path / "cos.txt"
    path.write_text("code: cos", encoding="utf-8")
    with pytest.raises(MethodologyError, match=r"\.yaml"):
        load_methodology_file(path)
