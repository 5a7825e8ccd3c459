from cpp_app.domain.self_rating import PlatformFact, RatedItem, disagreements

FACTS = {
    "sferum": PlatformFact("Сферум", None),
    "resh": PlatformFact("РЭШ", "not_registered"),
    "moya_shkola": PlatformFact("ФГИС «Моя школа»", "active", confirmed=True),
    "kiasuo": PlatformFact("КИАСУО", "active", confirmed=False),
    "gosuslugi": PlatformFact("Госуслуги", "registered"),
}


def item(platform: str, score: int | None) -> RatedItem:
    return RatedItem(f"platforms.{platform}", platform.upper(), platform, score)


def test_high_rating_without_an_account_disagrees():
    found = disagreements([item("sferum", 4), item("resh", 3)], FACTS)
    assert [(d.platform, d.score) for d in found] == [("sferum", 4), ("resh", 3)]
    assert "на 4" in found[0].text and "Сферум не отмечен" in found[0].text


def test_high_rating_with_an_account_agrees():
    assert disagreements([item("gosuslugi", 5), item("moya_shkola", 4), item("kiasuo", 3)], FACTS) == []


def test_low_rating_of_a_confirmed_active_account_disagrees():
    found = disagreements([item("moya_shkola", 1), item("moya_shkola", 0)], FACTS)
    assert [d.score for d in found] == [1, 0]
    assert "подтвердила" in found[0].text


def test_low_rating_of_an_unconfirmed_or_merely_registered_account_agrees():
    assert disagreements([item("kiasuo", 0), item("gosuslugi", 1)], FACTS) == []


def test_middle_ratings_unanswered_items_and_unknown_platforms_are_skipped():
    items = [item("sferum", 2), item("moya_shkola", 2), item("sferum", None), item("unknown", 5)]
    assert disagreements(items, FACTS) == []


def test_the_boundaries():
    assert [d.score for d in disagreements([item("sferum", s) for s in range(6)], FACTS)] == [3, 4, 5]
    assert [d.score for d in disagreements([item("moya_shkola", s) for s in range(6)], FACTS)] == [0, 1]
