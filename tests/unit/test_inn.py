import pytest

from cpp_app.domain.inn import inn10_with_check_digit, is_valid_inn, is_valid_ogrn


@pytest.mark.parametrize("inn", ["2404009370", "2405004631", "2411010150", "2409001649", "500100732259"])
def test_real_numbers_are_valid(inn):
    assert is_valid_inn(inn)


@pytest.mark.parametrize("inn", ["2404009371", "240400937", "24040093701", "как у головной", ""])
def test_wrong_numbers_are_invalid(inn):
    assert not is_valid_inn(inn)


def test_generated_check_digit():
    assert is_valid_inn(inn10_with_check_digit("240400937"))


def test_ogrn():
    assert is_valid_ogrn("1022400508712")
    assert not is_valid_ogrn("1022400508713")
    assert not is_valid_ogrn("10224005")
