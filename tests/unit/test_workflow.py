from datetime import date

import pytest

from cpp_app.domain.workflow import TransitionRefused, is_editable, school_year, transition_for


def test_school_year_starts_in_september():
    assert school_year(date(2026, 11, 29)) == "2026/2027"
    assert school_year(date(2027, 5, 15)) == "2026/2027"
    assert school_year(date(2027, 9, 1)) == "2027/2028"
    assert school_year(date(2027, 8, 31)) == "2026/2027"


@pytest.mark.parametrize(
    "action, status, role, target",
    [
        ("submit", "draft", "school_admin", "submitted"),
        ("submit", "returned", "school_admin", "submitted"),
        ("return", "submitted", "methodologist", "returned"),
        ("accept", "submitted", "admin", "accepted"),
    ],
)
def test_allowed_transitions(action, status, role, target):
    assert transition_for(action, status, role).target == target


@pytest.mark.parametrize(
    "action, status, role",
    [
        ("accept", "draft", "methodologist"),  # no accepting a draft
        ("accept", "accepted", "methodologist"),
        ("return", "draft", "methodologist"),
        ("return", "accepted", "methodologist"),
        ("submit", "submitted", "school_admin"),
        ("submit", "accepted", "school_admin"),
        ("accept", "submitted", "school_admin"),  # a school cannot accept its own
        ("submit", "draft", "methodologist"),
        ("submit", "draft", "teacher"),
        ("delete", "draft", "admin"),
    ],
)
def test_refused_transitions(action, status, role):
    with pytest.raises(TransitionRefused):
        transition_for(action, status, role)


def test_only_drafts_and_returned_are_editable():
    assert is_editable("draft") and is_editable("returned")
    assert not is_editable("submitted") and not is_editable("accepted")


def test_return_needs_a_note():
    assert transition_for("return", "submitted", "methodologist").needs_note
