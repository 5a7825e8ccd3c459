"""build_document: the plain data a program's PDF, DOCX and approved snapshot are made from."""
import json
from datetime import datetime

from cpp_app.blueprints.programs.document import build_document, clean, document_hash, lines_without_bullets
from cpp_app.models import ActionStatus, ProgramStatus
from tests.factories import PROGRAM_ACTIONS, program_through_models


def test_document_has_every_section_from_the_data(database):
    program = program_through_models(database)

    doc = build_document(program)

    assert doc["title"] == (
        "Программа развития Муниципальное бюджетное общеобразовательное учреждение «Средняя школа № 7» "
        "(МБОУ СШ № 7) на 2025–2029 годы"
    )
    assert doc["revision"] == 1 and doc["status"] == "draft" and doc["status_label"] == "черновик"
    assert doc["approved_at"] is None
    assert doc["organization"]["inn"] == "2463012345"
    assert doc["organization"]["municipality"] == "г. Красноярск"
    information = doc["information"]
    assert (information["school_year"], information["teachers"], information["students"]) == ("2025/2026", 48, 612)
    passport = doc["passport"]
    assert passport["name"] == doc["title"] and passport["period"] == "2025–2029 годы"
    assert any("273-ФЗ" in line for line in passport["basis"])
    letter = next(line for line in passport["basis"] if "03-877" in line)
    assert "от 17.06.2024 № 03-877 «О направлении методических рекомендаций»" in letter
    assert "по разработке, утверждению и согласованию программ развития общеобразовательных организаций" in letter
    assert passport["tasks"] == ["Обеспечить безопасный доступ к сети Интернет", "Вовлечь педагогов в ФГИС «Моя школа»"]
    assert passport["developer"] == "Администрация МБОУ СШ № 7"
    results = doc["results"]
    assert (results["total"], results["max"], results["level_title"]) == (7, 14, "ниже базового")
    assert results["methodology_version"] == 2026 and results["school_year"] == "2025/2026"
    assert results["cap_note"] and "Безопасный доступ" in results["cap_note"]
    rows = [row for section in results["sections"] for row in section["indicators"]]
    assert len(rows) == 13 and rows[3]["label"] == "ФГИС «Моя школа» и Библиотека ЦОК" and rows[3]["score"] == 1
    assert doc["causes"] == ["Недостаточная цифровая компетентность педагогов.", "Устаревшее оборудование."]
    assert doc["decisions"] and doc["mechanisms"]
    assert doc["totals"] == {"deficits": 6, "actions": 5}


def test_deficits_critical_first_then_by_gap_with_targets(database):
    doc = build_document(program_through_models(database))

    assert [(d["code"], d["current"], d["target"]) for d in doc["deficits"]] == [
        ("cos.safe_internet", 0, 1),  # critical
        ("cos.moya_shkola", 1, 3),  # gap 2, the highest target of its two actions
        ("cos.it_equipment", 1, 2),  # gap 2
        ("cos.sferum", 2, 3),  # gap 1, methodology order
        ("cos.management_system", 1, None),  # no action chosen
        ("eios.e_portfolio", 0, None),
    ]
    groups = doc["possible_actions"]
    assert [group["code"] for group in groups] == ["cos.safe_internet", "cos.moya_shkola", "cos.it_equipment", "cos.sferum"]
    assert [a["text"] for a in groups[1]["actions"]] == [
        "Зарегистрировать всех педагогов во ФГИС «Моя школа»", "Обучить педагогов работе с Библиотекой ЦОК",
    ]
    expected = doc["expected"]
    # 7 + 1 (safe internet) + 2 (Моя школа) + 1 (equipment) + 1 (Сферум) = 12 of 14, the cap lifted: «высокий».
    assert expected["before"]["total"] == 7 and expected["after"]["total"] == 12
    assert expected["after"]["level_title"] == "высокий"
    assert [row["code"] for row in expected["indicators"]] == [
        "cos.safe_internet", "cos.moya_shkola", "cos.sferum", "cos.it_equipment",
    ]
    assert "«высокий» (12 из 14 баллов" in doc["passport"]["expected_results"][0]


def test_roadmap_groups_actions_by_year_in_date_order(database):
    doc = build_document(program_through_models(database))

    # Every year of the period, the empty last one too.
    assert [group["year"] for group in doc["roadmap"]] == [2025, 2026, 2027, 2028, 2029]
    assert [len(group["actions"]) for group in doc["roadmap"]] == [2, 1, 1, 1, 0]
    first = doc["roadmap"][0]["actions"]
    assert [a["text"] for a in first] == ["Провести инвентаризацию IT-оборудования", "Подключить контент-фильтрацию трафика"]
    assert [a["due_date"] for a in first] == ["01.10.2025", "20.12.2025"]
    assert first[1]["status_label"] == "выполнено"
    assert first[0]["responsible_name"] == "Иванова Мария Петровна"
    assert first[0]["responsible_position"] == "заместитель директора"
    numbers = [a["number"] for group in doc["roadmap"] for a in group["actions"]]
    assert numbers == [1, 2, 3, 4, 5]


def test_hash_is_stable_across_builds_and_a_json_round_trip(database):
    program = program_through_models(database)
    doc = build_document(program)

    assert document_hash(doc) == document_hash(build_document(program))
    assert document_hash(json.loads(json.dumps(doc))) == document_hash(doc)
    # Plain data only: the canonical JSON is the whole of it.
    assert json.loads(json.dumps(doc)) == doc


def test_hash_changes_with_the_content(database):
    program = program_through_models(database)
    before = document_hash(build_document(program))

    program.actions[0].text = "Другое мероприятие"
    assert document_hash(build_document(program)) != before

    program.actions[0].text = PROGRAM_ACTIONS[0][3]
    assert document_hash(build_document(program)) == before
    program.status, program.approved_at = ProgramStatus.APPROVED, datetime(2025, 10, 1, 3, 0)
    approved = build_document(program)
    assert approved["status_label"] == "утверждена" and approved["approved_at"] == "01.10.2025"
    assert document_hash(approved) != before


def test_user_text_loses_control_characters_but_keeps_markup_characters():
    assert clean("a\x00b\x07c") == "abc"
    assert clean(' <img src="file:///etc/passwd"> ') == '<img src="file:///etc/passwd">'
    assert lines_without_bullets("• один\n\n  — два\n3. три\n2025 год") == ["один", "два", "три", "2025 год"]


def test_undated_action_goes_to_the_last_year(database):
    actions = PROGRAM_ACTIONS + (("cos.management_system", 1, 2, "Внедрить ИС управления", None, ActionStatus.PLANNED),)
    doc = build_document(program_through_models(database, actions=actions))

    last = doc["roadmap"][-1]
    assert last["year"] == 2029 and [a["text"] for a in last["actions"]] == ["Внедрить ИС управления"]
    assert last["actions"][0]["due_date"] is None
