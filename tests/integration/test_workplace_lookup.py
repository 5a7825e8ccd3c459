"""The tolerant registry search behind the workplace field, and the rule that takes one organisation."""
from sqlalchemy import select

from cpp_app.blueprints.organizations.lookup import (
    NONE_OF_THESE,
    NOTHING_MESSAGE,
    SEVERAL_MESSAGE,
    SHOWN,
    find_organizations,
    resolve_workplace,
)
from cpp_app.models import Organization, OrganizationKind
from tests.factories import municipality


def make(database, short_name: str, place: str, full_name: str | None = None, active: bool = True,
         kind=OrganizationKind.SCHOOL) -> Organization:
    made = Organization(short_name=short_name, full_name=full_name or short_name, kind=kind, is_active=active,
                        municipality=municipality(database, place))
    database.session.add(made)
    database.session.flush()
    return made


def elita(database) -> Organization:
    return database.session.scalar(select(Organization).where(Organization.short_name == "МБОУ Элитовская СОШ"))


def names(found) -> list[str]:
    return [f"{f.organization.short_name} / {f.organization.municipality.name}" for f in found]


def test_elitovskaya_school_finds_the_registry_sosh(database):
    for typed in ("Элитовская школа", "Элитовская", "в элитовской школе", "Элитовская средняя общеобразовательная школа"):
        assert [f.organization for f in find_organizations(typed)] == [elita(database)], typed
        assert resolve_workplace(typed).organization == elita(database)


def test_sosh_number_spellings_find_the_number_and_rank_the_type(database):
    achinsk_1 = make(database, "МБОУ СОШ № 1", "г. Ачинск",
                     "Муниципальное бюджетное общеобразовательное учреждение «Средняя общеобразовательная школа № 1»")
    make(database, "МБОУ СОШ № 11", "г. Ачинск")
    make(database, "МБДОУ детский сад № 1", "г. Ачинск", kind=OrganizationKind.PRESCHOOL)
    found = find_organizations("СОШ №1")
    assert names(found) == ["МБОУ СОШ № 1 / г. Ачинск", "МБДОУ детский сад № 1 / г. Ачинск"]
    assert [f.complete for f in found] == [True, False]
    # One organisation has every word typed: it is taken, the kindergarten with the same number is not asked about.
    assert resolve_workplace("сош 1").organization == achinsk_1


def test_a_municipality_word_narrows_and_several_schools_ask(database):
    make(database, "МБОУ СОШ № 1", "г. Ачинск")
    kansk = make(database, "МБОУ СОШ № 1", "г. Канск")
    several = resolve_workplace("СОШ № 1")
    assert several.question == SEVERAL_MESSAGE and len(several.choices) == 2
    assert resolve_workplace("СОШ № 1 Канск").organization == kansk
    assert resolve_workplace("школа 1 в Канске").organization == kansk


def test_the_settlement_narrows_when_it_names_the_place(database):
    make(database, "МБОУ СОШ № 1", "г. Ачинск")
    kansk = make(database, "МБОУ СОШ № 1", "г. Канск")
    assert resolve_workplace("СОШ № 1", settlement="Канск").organization == kansk
    # A settlement no found organisation lies in narrows nothing.
    assert len(resolve_workplace("СОШ № 1", settlement="Тасеево").choices) == 2


def test_inn_prefix_label_and_inactive(database):
    school = elita(database)
    assert resolve_workplace(school.inn).organization == school
    assert school in [f.organization for f in find_organizations(school.inn[:6])]
    assert school not in [f.organization for f in find_organizations(school.inn[:4])]  # a short number is whole
    assert resolve_workplace(school.label).organization == school
    school.is_active = False
    database.session.flush()
    assert resolve_workplace("Элитовская").question == NOTHING_MESSAGE


def test_results_are_bounded(database):
    for number in range(15):
        make(database, "МБОУ СОШ № 5", f"Район {number}")
    assert len(find_organizations("СОШ 5")) == SHOWN
    assert len(resolve_workplace("СОШ 5").choices) == SHOWN


def test_an_answer_counts_only_for_the_text_it_was_asked_about(database):
    achinsk = make(database, "МБОУ СОШ № 1", "г. Ачинск")
    make(database, "МБОУ СОШ № 1", "г. Канск")
    assert resolve_workplace("СОШ № 1", choice=str(achinsk.id), asked="СОШ № 1").organization == achinsk
    assert resolve_workplace("СОШ № 1", choice=str(achinsk.id), asked="СОШ № 2").question == SEVERAL_MESSAGE
    assert resolve_workplace("СОШ № 1", choice=str(elita(database).id), asked="СОШ № 1").question == SEVERAL_MESSAGE
    kept = resolve_workplace("Школа, которой нет", choice=NONE_OF_THESE, asked="Школа,  которой нет")
    assert kept.organization is None and kept.unmatched == "Школа, которой нет"
    assert resolve_workplace("Школа, которой нет").question == NOTHING_MESSAGE


def test_a_suggestion_id_counts_only_with_its_label(database):
    school, other = elita(database), database.session.scalars(select(Organization).order_by(Organization.id)).first()
    assert resolve_workplace(school.label, organization_id=school.id).organization == school
    assert resolve_workplace("Элитовская СОШ", organization_id=other.id).organization == school
    assert resolve_workplace("", organization_id=other.id).organization is None


def test_search_name_follows_renames(database):
    school = elita(database)
    school.short_name = "МБОУ Новоэлитовская СОШ"
    database.session.flush()
    assert " новоэлитовская " in school.search_name
    assert resolve_workplace("Новоэлитовская").organization == school


def test_a_word_in_the_name_ranks_above_the_same_word_in_the_municipality(database):
    found = names(find_organizations("Березовская"))
    assert found[-1] == 'МБОУ "Вознесенская СОШ" / Березовский муниципальный район'  # found by its district only
    assert set(found[:-1]) == {'Филиал МКОУ "Березовская СОШ" / Большеулуйский муниципальный район',
                               'КГБДОУ "Березовский детский сад" / Березовский муниципальный район'}
