"""Growth between two submitted self-assessments: per area, up, down or the same."""
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from cpp_app.domain.growth import AreaScore, compare

CODES = ["platforms", "content", "safety"]


def test_each_area_scored_now_is_compared_in_the_instruments_order():
    before = {"platforms": AreaScore(0, Decimal("1")), "safety": AreaScore(3, Decimal("4"))}
    now = {"safety": AreaScore(2, Decimal("3")), "platforms": AreaScore(2, Decimal("3")),
           "content": AreaScore(1, Decimal("2"))}
    changes = compare(CODES, before, now)
    assert [(c.code, c.direction, c.mean_change) for c in changes] == [
        ("platforms", "up", Decimal("2")), ("content", "same", None), ("safety", "down", Decimal("-1"))]


def test_within_one_level_the_mean_decides():
    before = {"platforms": AreaScore(1, Decimal("1.60"))}
    assert compare(CODES, before, {"platforms": AreaScore(1, Decimal("2.20"))})[0].direction == "up"
    assert compare(CODES, before, {"platforms": AreaScore(1, Decimal("1.60"))})[0].direction == "same"


scores = st.builds(AreaScore, st.integers(0, 4), st.decimals(0, 5, places=2))


@given(scores, scores)
def test_the_direction_is_antisymmetric(a, b):
    forward = compare(["x"], {"x": a}, {"x": b})[0].direction
    backward = compare(["x"], {"x": b}, {"x": a})[0].direction
    assert {forward, backward} in ({"up", "down"}, {"same"})
