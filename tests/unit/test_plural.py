"""Russian words after numbers, the one place they are chosen."""
import pytest

from cpp_app.kernel.plural import genitive, plural, points_genitive, points_word


@pytest.mark.parametrize(("number", "word"), [
    (0, "баллов"), (1, "балл"), (2, "балла"), (4, "балла"), (5, "баллов"), (11, "баллов"), (12, "баллов"),
    (14, "баллов"), (21, "балл"), (22, "балла"), (101, "балл"), (111, "баллов"), (112, "баллов"),
])
def test_points_word(number, word):
    assert points_word(number) == word
    assert plural(number, "балл", "балла", "баллов") == word


@pytest.mark.parametrize(("number", "word"), [(1, "балла"), (2, "баллов"), (11, "баллов"), (21, "балла"), (5, "баллов")])
def test_genitive_after_prepositions(number, word):
    assert points_genitive(number) == word
    assert genitive(number, "балла", "баллов") == word


def test_length_limits_agree_with_the_number():
    from cpp_app.kernel.forms import max_length

    assert max_length(21).message == "Не более 21 символа."
    assert max_length(300).message == "Не более 300 символов."
