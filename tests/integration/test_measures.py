"""The seeded measures library: coverage of the methodology, idempotent seeding, courses, options."""
from collections import Counter

import pytest
import yaml
from sqlalchemy import func, select

from cpp_app.blueprints.admin.measure_services import (
    MEASURES_FILE,
    MeasureFileError,
    active_methodology,
    load_measures,
    measure_options,
    seed_measures,
)
from cpp_app.models import Course, Measure
from cpp_app.seeding import seed_reference_data


def count(database) -> int:
    return database.session.scalar(select(func.count(Measure.id)))


def test_every_indicator_and_reachable_score_has_an_active_seeded_measure(database):
    methodology = active_methodology("cos")
    assert len(methodology.indicators) == 13  # 7 ЦОС indicators and 6 ЭИОС items
    active = Counter(
        database.session.execute(
            select(Measure.indicator_code, Measure.target_score).where(
                Measure.methodology_code == "cos", Measure.is_active
            )
        ).tuples()
    )
    missing = [
        (indicator.code, score)
        for indicator in methodology.indicators
        for score in indicator.scores
        if score >= 1 and active[(indicator.code, score)] == 0
    ]
    assert missing == []
    # The richer indicators get more than one measure per level.
    for code in ("cos.moya_shkola", "cos.sferum", "cos.it_equipment"):
        assert all(active[(code, score)] >= 2 for score in (1, 2, 3)), code
    # Nothing for a level the methodology does not have.
    assert all(
        (indicator := methodology.indicator(code)) is not None and score in indicator.scores and score >= 1
        for code, score in active
    )


def test_measures_are_concrete(database):
    for measure in database.session.scalars(select(Measure)):
        assert len(measure.text) >= 40, measure.text
        assert measure.responsible_role and measure.duration
        assert any(ch.isdigit() for ch in measure.expected_result) or "имеется" in measure.expected_result, (
            measure.expected_result
        )


def test_seeding_twice_adds_nothing_and_keeps_edits(database):
    before = count(database)
    assert before >= 19
    edited = database.session.scalars(select(Measure).order_by(Measure.id)).first()
    edited.duration = "2 месяца (уточнено методистом)"
    edited.is_active = False
    database.session.flush()
    assert seed_measures() == 0
    assert seed_reference_data()["measures"] == 0
    assert count(database) == before
    database.session.refresh(edited)
    assert (edited.duration, edited.is_active) == ("2 месяца (уточнено методистом)", False)
    # A deleted row comes back; nothing else is duplicated.
    database.session.delete(edited)
    database.session.flush()
    assert seed_measures() == 1
    assert count(database) == before


def test_course_titles_are_resolved_to_catalogue_courses(database):
    rows = load_measures(MEASURES_FILE)
    with_course = [row for row in rows if row["course"]]
    assert len(with_course) >= 10
    titles = dict(database.session.execute(select(Course.id, Course.title)).all())
    for measure in database.session.scalars(select(Measure)):
        row = next(r for r in rows if (r["indicator_code"], r["target_score"], r["text"]) ==
                   (measure.indicator_code, measure.target_score, measure.text))
        if row["course"]:
            assert titles[measure.course_id] == row["course"]
        else:
            assert measure.course_id is None
    moya = [row for row in with_course if row["indicator_code"] == "cos.moya_shkola"]
    assert "Использование ФГИС «Моя школа» и Библиотеки ЦОК в образовательной деятельности" in {
        row["course"] for row in moya
    }


def test_measure_options_are_active_measures_with_course_titles(database):
    options = measure_options("cos")
    assert len(options) == count(database)
    assert [(o.indicator_code, o.target_score) for o in options] == sorted(
        (o.indicator_code, o.target_score) for o in options
    )
    assert any(o.course_title for o in options) and any(o.course_title is None for o in options)
    hidden = database.session.get(Measure, options[0].id)
    hidden.is_active = False
    database.session.flush()
    assert options[0].id not in {o.id for o in measure_options("cos")}
    assert measure_options("other") == []


def write(tmp_path, rows) -> str:
    path = tmp_path / "measures.yaml"
    path.write_text(yaml.safe_dump(rows, allow_unicode=True), encoding="utf-8")
    return path


def good(**overrides):
    row = {
        "methodology_code": "cos", "indicator_code": "cos.sferum", "target_score": 2, "text": "Пригласить всех",
        "responsible_role": "классные руководители", "duration": "1 месяц", "expected_result": "95 % в «Сферуме»",
    }
    row.update(overrides)
    return row


def test_load_measures_reports_every_problem(database, tmp_path):
    methodologies = {"cos": active_methodology("cos")}
    rows = [
        good(),
        good(),  # duplicate
        good(target_score=4),
        good(target_score=0),
        good(indicator_code="cos.nothing"),
        good(methodology_code="other"),
        {k: v for k, v in good().items() if k != "duration"},
        good(extra="x"),
        good(text="  "),
        "не словарь",
    ]
    with pytest.raises(MeasureFileError) as caught:
        load_measures(write(tmp_path, rows), methodologies)
    problems = caught.value.problems
    assert len(problems) == 9, problems
    text = "\n".join(problems)
    for fragment in ("повторяется", "нет уровня 4; допустимо: 1, 2, 3", "не меньше 1", "нет показателя «cos.nothing»",
                     "методика «other» не опубликована", "нет ключа «duration»", "неизвестный ключ «extra»",
                     "«text» — непустая строка", "мера 10: ожидается словарь"):
        assert fragment in text, fragment
    # Without methodologies only the file's own shape is checked.
    assert len(load_measures(write(tmp_path, [good(), good(target_score=4)]))) == 2


def test_unknown_course_title_refuses_the_seed(database, tmp_path):
    path = write(tmp_path, [good(course="Курс, которого нет")])
    with pytest.raises(MeasureFileError, match="курса «Курс, которого нет» нет в каталоге"):
        seed_measures(path)
