"""The teacher self-assessment format (subject: teacher) on the methodology engine: each rule has a test."""
import copy

import pytest

from cpp_app.domain.methodology import (
    MethodologyError,
    methodology_hash,
    parse_methodology,
)


def item(code: str, **extra) -> dict:
    return {
        "code": code,
        "title": f"Пункт {code}",
        "example": "Пример практики.",
        "levels": [{"score": score, "text": f"утверждение {score}"} for score in range(6)],
        **extra,
    }


def teacher(areas: int = 6, per_area: int = 4) -> dict:
    """A valid teacher instrument: `areas` areas of `per_area` items (6 × 4 = 24)."""
    return {
        "code": "teacher_test",
        "version": 1,
        "subject": "teacher",
        "title": "Проверочная самооценка",
        "year": "2026/2027",
        "applies_to": ["school"],
        "levels": {
            "thresholds": [
                {"code": "low", "title": "начальный", "min_share": 0, "description": "Почти не использует."},
                {"code": "mid", "title": "уверенный", "min_share": 0.5, "description": "Использует регулярно."},
                {"code": "top", "title": "эксперт", "min_share": 0.9, "description": "Ведёт коллег."},
            ]
        },
        "sections": [
            {
                "code": f"a{a}",
                "title": f"Область {a}",
                "indicators": [item(f"a{a}.i{i}") for i in range(per_area)],
            }
            for a in range(areas)
        ],
    }


def problems(data: dict) -> list[tuple[str, str]]:
    with pytest.raises(MethodologyError) as error:
        parse_methodology(data, "t.yaml")
    return [(p.path, p.message) for p in error.value.problems]


def test_a_valid_teacher_instrument_round_trips():
    methodology = parse_methodology(teacher(), "t.yaml")
    assert methodology.subject == "teacher"
    assert len(methodology.indicators) == 24
    assert methodology.thresholds[1].description == "Использует регулярно."
    assert methodology.indicators[0].example == "Пример практики."
    content = methodology.to_dict()
    assert content["subject"] == "teacher"
    assert parse_methodology(content, "stored") == methodology
    assert methodology_hash(parse_methodology(content, "stored").to_dict()) == methodology_hash(content)


def test_the_seeded_teacher_instrument_is_valid_and_labelled_as_the_institute_default(teacher_instrument):
    methodology = teacher_instrument
    assert methodology.subject == "teacher"
    assert len(methodology.sections) == 7
    assert 20 <= len(methodology.indicators) <= 30
    assert "по умолчанию" in methodology.title and "не официальный федеральный" in methodology.note
    platforms = {indicator.platform for indicator in methodology.indicators if indicator.platform}
    assert platforms == {"sferum", "vk_messenger", "moya_shkola", "cok_library", "kiasuo", "resh", "gosuslugi"}
    assert all(indicator.scores == (0, 1, 2, 3, 4, 5) and indicator.example for indicator in methodology.indicators)
    assert all(threshold.description for threshold in methodology.thresholds)


def test_subject_defaults_to_school_and_school_content_keeps_its_canonical_form(cos):
    school = cos
    assert school.subject == "school"
    content = school.to_dict()
    # No teacher-only key: the hashes of versions published before the subject existed stay the same.
    assert "subject" not in content
    assert all("example" not in i and "platform" not in i for s in content["sections"] for i in s["indicators"])
    assert all("description" not in t for t in content["levels"]["thresholds"])


def test_an_unknown_subject_is_refused():
    data = teacher()
    data["subject"] = "pupil"
    assert ("subject", "неизвестный вид методики «pupil»; допустимы: school (для школы), teacher (для педагога)") in problems(data)


@pytest.mark.parametrize("areas", [5, 8])
def test_a_teacher_instrument_has_six_or_seven_areas(areas):
    found = problems(teacher(areas=areas, per_area=4))
    assert ("sections", f"в самооценке педагога 6–7 областей (sections), а не {areas}") in found


@pytest.mark.parametrize(("per_area", "total"), [(3, 18), (6, 36)])
def test_a_teacher_instrument_has_twenty_to_thirty_items(per_area, total):
    found = problems(teacher(per_area=per_area))
    assert ("sections", f"в самооценке педагога 20–30 пунктов (indicators) во всех областях, а не {total}") in found


def test_seven_areas_of_thirty_items_are_accepted():
    data = teacher(areas=7, per_area=4)
    data["sections"][0]["indicators"].append(item("a0.extra"))
    data["sections"][1]["indicators"].append(item("a1.extra"))
    assert len(parse_methodology(data, "t.yaml").indicators) == 30


@pytest.mark.parametrize(
    ("scores", "shown"), [((0, 1, 2, 3, 4), "0, 1, 2, 3, 4"), ((0, 1, 2, 3, 4, 6), "0, 1, 2, 3, 4, 6"),
                          ((0, 1, 2, 3, 4, 5, 6), "0, 1, 2, 3, 4, 5, 6")],
)
def test_each_item_has_exactly_six_levels_scored_zero_to_five(scores, shown):
    data = teacher()
    data["sections"][2]["indicators"][1]["levels"] = [{"score": s, "text": f"у{s}"} for s in scores]
    assert (
        "sections[2].indicators[1].levels",
        f"в самооценке педагога у пункта ровно шесть уровней с баллами 0, 1, 2, 3, 4, 5; сейчас: {shown}",
    ) in problems(data)


def test_each_item_needs_an_example():
    data = teacher()
    del data["sections"][0]["indicators"][3]["example"]
    assert problems(data) == [
        ("sections[0].indicators[3].example", "в самооценке педагога у пункта нужен пример практики (example)")
    ]


def test_a_platform_code_must_be_known():
    data = teacher()
    data["sections"][0]["indicators"][0]["platform"] = "telegram"
    found = problems(data)
    assert len(found) == 1 and found[0][0] == "sections[0].indicators[0].platform"
    assert found[0][1].startswith("неизвестная платформа «telegram»; допустимы: sferum")


def test_a_known_platform_code_is_kept():
    data = teacher()
    data["sections"][0]["indicators"][0]["platform"] = "sferum"
    assert parse_methodology(data, "t.yaml").indicators[0].platform == "sferum"


def test_each_threshold_needs_a_description():
    data = teacher()
    del data["levels"]["thresholds"][1]["description"]
    assert problems(data) == [
        ("levels.thresholds[1].description", "в самооценке педагога у уровня нужно описание: что он означает на практике")
    ]


def test_school_rules_that_make_no_sense_for_a_teacher_are_refused():
    data = teacher()
    data["levels"]["critical_cap"] = "low"
    data["sections"][0]["scoring"] = "all_or_nothing"
    data["sections"][1]["counts_towards_level"] = False
    data["sections"][2]["indicators"][0]["critical"] = True
    data["sections"][3]["indicators"][0]["auto"] = {
        "kind": "platform_shares", "levels": {1: [{"platform": "sferum", "statuses": ["active"], "min_count": 1}]},
    }
    found = dict(problems(data))
    assert found["levels.critical_cap"] == "в самооценке педагога нет критических пунктов: уберите critical_cap"
    assert found["sections[0].scoring"] == "в самооценке педагога область считается по среднему баллу: scoring: sum"
    assert found["sections[1].counts_towards_level"] == "в самооценке педагога каждая область входит в общий уровень"
    assert found["sections[2].indicators[0].critical"] == "в самооценке педагога нет критических пунктов"
    assert found["sections[3].indicators[0].auto"] == (
        "в самооценке педагога ответ не вычисляется автоматически: уберите auto"
    )


def test_scoring_sum_may_be_written_in_a_teacher_file():
    data = teacher()
    data["sections"][0]["scoring"] = "sum"
    assert parse_methodology(data, "t.yaml").sections[0].scoring == "sum"


def test_teacher_only_keys_are_refused_in_a_school_file():
    data = copy.deepcopy(teacher())
    del data["subject"]
    for section in data["sections"]:
        section["scoring"] = "sum"
    data["sections"][0]["indicators"][0]["platform"] = "sferum"
    found = dict(problems(data))
    message = "задаётся только в самооценке педагога (subject: teacher)"
    assert found["levels.thresholds[0].description"] == message
    assert found["sections[0].indicators[0].example"] == message
    assert found["sections[0].indicators[0].platform"] == message


def test_all_problems_of_a_teacher_file_are_reported_at_once():
    data = teacher(areas=5, per_area=3)
    del data["sections"][0]["indicators"][0]["example"]
    del data["levels"]["thresholds"][0]["description"]
    paths = [path for path, _ in problems(data)]
    assert paths.count("sections") == 2
    assert "sections[0].indicators[0].example" in paths and "levels.thresholds[0].description" in paths
