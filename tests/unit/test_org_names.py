"""Typed workplaces and registry names reduce to the same words."""
import pytest

from cpp_app.domain.org_names import (
    Query,
    matches,
    name_hits,
    parse_query,
    search_text,
    settlement_patterns,
    weak_hits,
)

ELITA = search_text("МБОУ Элитовская СОШ",
                    'Муниципальное бюджетное общеобразовательное учреждение "Элитовская средняя общеобразовательная школа"',
                    "Емельяновский муниципальный район", "2411010150")
SCHOOL_1 = search_text("МБОУ СОШ № 1", "Муниципальное бюджетное общеобразовательное учреждение «Средняя "
                       "общеобразовательная школа № 1»", "г. Ачинск")
SCHOOL_11 = search_text("МБОУ СОШ № 11", "Средняя общеобразовательная школа № 11", "г. Ачинск")
KINDERGARTEN_1 = search_text("МБДОУ детский сад № 1", "Детский сад № 1", "г. Ачинск")


def found(text: str, name: str) -> bool:
    return matches(parse_query(text).required(), name)


@pytest.mark.parametrize("typed", ["СОШ №1", "СОШ № 1", "сош1", "СОШ N1", "СОШ No 1", "СОШ #1", "МБОУ «СОШ № 1»",
                                   "средняя общеобразовательная школа № 1", "Средней общеобразовательной школы №1"])
def test_spellings_of_a_school_number_read_alike(typed):
    assert parse_query(typed) in (Query((), ("1",), ("сош",)), Query((), ("1",), ("мбоу", "сош")))


def test_a_number_is_a_whole_word_and_a_long_one_a_prefix():
    assert found("СОШ №1", SCHOOL_1) and not found("СОШ №1", SCHOOL_11)
    assert found("2411010", ELITA) and found("2411010150", ELITA)
    assert not found("241101015", SCHOOL_1)


def test_spelled_out_and_abbreviated_school_types_meet():
    assert " сош " in SCHOOL_1 and " школа " in SCHOOL_1  # «Элитовская школа» finds an «… СОШ»
    assert "средняя" not in ELITA and "общеобразовательная" not in ELITA


@pytest.mark.parametrize("typed", ["Элитовская школа", "элитовская", "в Элитовской школе", "ЭЛИТОВСКАЯ СОШ",
                                   "Элитовская ср. школа", "МБОУ Элитовская СОШ (Емельяновский муниципальный "
                                   "район, ИНН 2411010150)"])
def test_declined_and_decorated_names_find_the_school(typed):
    assert found(typed, ELITA)
    assert weak_hits(parse_query(typed), ELITA) == len(parse_query(typed).weak) or "ср." in typed


def test_weak_words_rank_but_do_not_find():
    query = parse_query("СОШ № 1")
    assert query.strong == () and query.weak == ("сош",)
    assert found("СОШ № 1", KINDERGARTEN_1)  # the number finds it ...
    assert weak_hits(query, SCHOOL_1) == 1 and weak_hits(query, KINDERGARTEN_1) == 0  # ... the type ranks it lower


def test_only_weak_words_are_searched_when_nothing_else_is_typed():
    assert parse_query("Школа").required() == ["% школа%"]
    assert parse_query("«  », !!!").is_empty


def test_a_municipality_name_narrows():
    assert found("СОШ 1 Ачинск", SCHOOL_1) and not found("СОШ 1 Канск", SCHOOL_1)


def test_settlement_words_and_stop_words():
    assert settlement_patterns("г. Емельяново") == ["% емельяно%"]
    assert matches(settlement_patterns("Емельяново"), ELITA)
    assert settlement_patterns("") == []
    assert parse_query("школа на ул. Ленина").strong == ("ул", "лени")


def test_search_text_is_framed_words_without_repeats_and_yo_folded():
    text = search_text("Берёзовская СОШ", "Берёзовская СОШ", None)
    assert text == " березовская сош школа "


def test_name_hits_count_the_name_words_only():
    query = parse_query("Березовская школа")
    assert name_hits(query, 'Филиал МКОУ "Берёзовская СОШ"') == 1
    assert name_hits(query, 'МБОУ "Вознесенская СОШ"') == 0
