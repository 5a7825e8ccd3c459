"""The program parts' pure domain (letter 03-877): the SWOT draft, the monitoring section's draft, the stages."""
import re
from datetime import date
from pathlib import Path

import pytest

from cpp_app.domain.program import ChosenAction, MeasureOption, propose
from cpp_app.domain.program_parts import (
    StaffProfile,
    Stage,
    default_stages,
    monitoring_draft,
    stage_problems,
    swot_draft,
)
from cpp_app.domain.scoring import score

PERIOD = (2025, 2029)
NOBODY = StaffProfile(0, (), ())


def full(cos, **overrides):
    answers = {indicator.code: indicator.max_score for indicator in cos.indicators}
    answers.update({name.replace("__", "."): value for name, value in overrides.items()})
    return answers


def label(cos, code):
    return cos.indicator(code).label


# ------------------------------------------------------------------------------------------------ SWOT


def test_indicators_at_their_maximum_are_strengths_and_deficits_weaknesses(cos):
    result = score(cos, full(cos, cos__sferum=1, cos__safe_internet=0))
    proposals = propose(cos, result, [])

    swot = swot_draft(cos, result, proposals, NOBODY, None)

    strengths, weaknesses = swot.strengths.split("\n"), swot.weaknesses.split("\n")
    at_max = [i.code for i in cos.indicators if i.code not in ("cos.sferum", "cos.safe_internet")]
    assert len(strengths) == len(at_max)
    assert all(f"«{label(cos, code)}» — максимальный уровень" in swot.strengths for code in at_max)
    assert f"«{label(cos, 'cos.sferum')}»" not in swot.strengths
    # The deficits in the proposals' order: the critical one first, marked.
    assert weaknesses[0].startswith(f"«{label(cos, 'cos.safe_internet')}» (критический показатель) — 0 из")
    assert weaknesses[1].startswith(f"«{label(cos, 'cos.sferum')}» — 1 из")


def test_one_step_away_is_an_opportunity_a_critical_zero_a_risk(cos):
    result = score(cos, full(cos, cos__sferum=2, cos__safe_internet=0))
    proposals = propose(cos, result, [MeasureOption(1, "cos.sferum", 3, "мера", "директор", "1 месяц", "итог",
                                                    "Сферум в работе педагога")])

    swot = swot_draft(cos, result, proposals, NOBODY, None)

    assert f"«{label(cos, 'cos.sferum')}»: до уровня" in swot.opportunities and "(2 → 3 баллов)" in swot.opportunities
    assert "Библиотека мероприятий КК ИПК: 1 мероприятие под выявленные дефициты." in swot.opportunities
    assert "«Сферум в работе педагога»" in swot.opportunities
    assert f"Критический показатель «{label(cos, 'cos.safe_internet')}» с 0 баллов" in swot.risks
    # The critical deficit has no library measure: the school needs its own decisions.
    assert f"Для «{label(cos, 'cos.safe_internet')}» в библиотеке нет мероприятий" in swot.risks


def test_staff_figures_feed_strengths_weaknesses_and_risks(cos):
    result = score(cos, full(cos))
    staff = StaffProfile(10, (("учитель", 10),), (("без категории", 6), ("высшая", 3), ("первая", 1)))

    swot = swot_draft(cos, result, [], staff, teachers_stated=40)

    assert "4 педагога из 10 с первой, высшей категорией" in swot.strengths
    assert "6 педагогов из 10 без квалификационной категории" in swot.weaknesses
    assert "В ЦПП подтверждены 10 из 40 педагогических работников" in swot.weaknesses
    assert "Больше половины педагогов без квалификационной категории" in swot.risks


def test_a_school_without_deficits_or_staff_gets_plain_statements(cos):
    swot = swot_draft(cos, score(cos, full(cos)), [], NOBODY, None)

    assert swot.weaknesses == "Дефицитов по результатам самодиагностики не выявлено."
    assert "по данным ЦПП" not in swot.strengths + swot.weaknesses
    assert swot.opportunities and swot.risks  # the general lines stay for the director to adapt


# ------------------------------------------------------------------------------------------ monitoring


def action(code, to, position, due):
    return ChosenAction(code, 0, to, "мероприятие", "", position, due, "")


def test_monitoring_says_what_who_and_when_per_road_map_indicator():
    actions = [
        action("cos.sferum", 2, "заместитель директора", date(2026, 5, 31)),
        action("cos.safe_internet", 1, "системный администратор", date(2025, 12, 31)),
        action("cos.sferum", 3, "классные руководители", date(2027, 12, 31)),
        action("cos.sferum", 3, "заместитель директора", None),
    ]

    text = monitoring_draft(actions, {"cos.sferum": "Сферум", "cos.safe_internet": "Безопасный интернет"},
                            {"cos.sferum": 3, "cos.safe_internet": 1})

    lines = text.split("\n")
    assert lines[0] == ("«Сферум»: достижение 3 из 3 баллов к 31.12.2027. Проверяет: заместитель директора, "
                        "классные руководители. Когда: по срокам мероприятий и ежегодно по самодиагностике в ЦПП.")
    assert lines[1].startswith("«Безопасный интернет»: достижение 1 из 1 балла к 31.12.2025. Проверяет: "
                               "системный администратор.")
    assert "педагогическом совете" in lines[2] and "публичный отчёт" in lines[3] and len(lines) == 4


def test_an_indicator_without_positions_or_dates_is_checked_by_the_director_by_the_end():
    text = monitoring_draft([action("x.y", 2, " ", None)], {}, {})

    assert text.split("\n")[0].startswith("«x.y»: достижение 2 баллов к концу периода программы. Проверяет: директор.")


# ---------------------------------------------------------------------------------------------- stages


def test_default_stages_cover_the_period_in_order():
    stages = default_stages(PERIOD)
    assert [(s.starts_on, s.ends_on) for s in stages] == [
        (date(2025, 1, 1), date(2025, 12, 31)), (date(2026, 1, 1), date(2028, 12, 31)),
        (date(2029, 1, 1), date(2029, 12, 31)),
    ]
    assert stage_problems(stages, PERIOD) == {}
    assert len(default_stages((2025, 2026))) == 2 and stage_problems(default_stages((2025, 2026)), (2025, 2026)) == {}
    assert [s.title for s in default_stages((2025, 2025))] == ["Реализация программы"]


@pytest.mark.parametrize("stages, expected", [
    ([Stage("", date(2025, 1, 1), date(2025, 6, 1))], {(0, "title"): "Укажите название этапа."}),
    ([Stage("А", None, None)], {(0, "starts_on"): "Укажите дату начала этапа.",
                                (0, "ends_on"): "Укажите дату окончания этапа."}),
    ([Stage("А", date(2024, 12, 31), date(2030, 1, 1))], {
        (0, "starts_on"): "Дата должна быть в пределах периода программы: с 01.01.2025 по 31.12.2029.",
        (0, "ends_on"): "Дата должна быть в пределах периода программы: с 01.01.2025 по 31.12.2029."}),
    ([Stage("А", date(2025, 6, 1), date(2025, 5, 31))], {(0, "ends_on"): "Окончание этапа не может быть раньше его начала."}),
    ([Stage("А", date(2025, 1, 1), date(2026, 6, 30)), Stage("Б", date(2026, 6, 30), date(2027, 1, 1))],
     {(1, "starts_on"): "Этап должен начинаться после окончания предыдущего (30.06.2026)."}),
    ([Stage("А", date(2025, 1, 1), date(2029, 12, 31)), Stage("Б", date(2029, 12, 31), date(2029, 12, 31))],
     {(1, "starts_on"): "Этап должен начинаться после окончания предыдущего (31.12.2029)."}),
    ([Stage("А", date(2025, 1, 1), date(2025, 1, 1)), Stage("Б", date(2025, 1, 2), date(2029, 12, 31))], {}),
    ([Stage("А" * 301, date(2025, 1, 1), date(2025, 1, 1))], {(0, "title"): "Не более 300 символов."}),
])
def test_stage_problems_at_every_boundary(stages, expected):
    assert stage_problems(stages, PERIOD) == expected


# ---------------------------------------------------------------------------------------------- citation

ROOT = Path(__file__).resolve().parents[2]
LETTER = re.compile(r"№\s*03-877")


def test_every_citation_of_letter_03_877_names_it_by_its_title():
    """Wherever the service cites the letter (pages, documents, seeds, README), the letter's own title follows and
    the recommendations are named as the ministry names them."""
    files = [*ROOT.glob("cpp_app/**/*.py"), *ROOT.glob("cpp_app/**/*.html"), *ROOT.glob("seeds/**/*"),
             ROOT / "README.md"]
    cited = 0
    for path in files:
        if not path.is_file() or path.suffix not in (".py", ".html", ".md", ".yaml", ".yml", ".json", ".csv"):
            continue
        # Python's implicit concatenation and wrapped lines read as one text.
        text = " ".join(re.sub(r'"\s*\n\s*"', "", path.read_text(encoding="utf-8")).split())
        for match in LETTER.finditer(text):
            cited += 1
            around = text[max(0, match.start() - 300):match.end() + 300]
            assert "от 17.06.2024 № 03-877 «О направлении методических рекомендаций»" in around, path
            assert "по разработке, утверждению и согласованию программ развития общеобразовательных организаций" \
                in around, path
    assert cited >= 3  # document.py, the constructor's page, the README
