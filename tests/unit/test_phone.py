import pytest

from cpp_app.domain.phone import PhoneError, format_phone, normalize_phone


@pytest.mark.parametrize(
    "typed",
    ["8 (912) 345-67-89", "+7 912 345 67 89", "+7(912)3456789", "89123456789", "9123456789", "7 912 345-67-89"],
)
def test_usual_russian_spellings_become_e164(typed):
    assert normalize_phone(typed) == "+79123456789"


def test_landline_with_city_code():
    assert normalize_phone("8 (391) 206-99-76") == "+73912069976"


@pytest.mark.parametrize("typed", ["", "12345", "8 (000) 000-00-00", "телефон", "+7 912 345 67 89 00"])
def test_impossible_numbers_are_refused_in_russian(typed):
    with pytest.raises(PhoneError) as error:
        normalize_phone(typed)
    assert "омер" in str(error.value) or "телефон" in str(error.value)


def test_format_for_display():
    assert format_phone("+79123456789") == "+7 912 345-67-89"
    assert format_phone(None) == ""
