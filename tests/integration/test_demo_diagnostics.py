"""`flask seed --demo`: diagnostics in every status and demo staff, built through the services, idempotent."""
from collections import Counter

import pytest
from sqlalchemy import select

from cpp_app.blueprints.diagnostics.services import result_of
from cpp_app.blueprints.methodology.services_versions import methodology_of
from cpp_app.domain.workflow import school_year
from cpp_app.kernel.clock import local_today
from cpp_app.models import (
    AccountStatus,
    AuditEvent,
    Diagnostic,
    DiagnosticAnswer,
    DiagnosticEvent,
    DiagnosticStatus,
    Organization,
    PlatformAccount,
    Role,
    User,
)
from tests.factories import row_counts

COUNTED = (Diagnostic, DiagnosticAnswer, DiagnosticEvent, User, PlatformAccount, Organization, AuditEvent)


@pytest.fixture
def seeded(app, database):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["seed", "--demo"])
    assert first.exit_code == 0, first.output
    assert "demo_diagnostics: +14" in first.output and "demo_teachers: +12" in first.output
    return database


def diagnostics(database) -> list[Diagnostic]:
    database.session.expire_all()
    return list(database.session.scalars(select(Diagnostic).order_by(Diagnostic.id)))


def test_running_it_twice_creates_nothing_new(app, seeded):
    before = row_counts(seeded, COUNTED)
    second = app.test_cli_runner().invoke(args=["seed", "--demo"])
    assert second.exit_code == 0, second.output
    assert "demo_diagnostics: +0" in second.output and "demo_teachers: +0" in second.output
    assert row_counts(seeded, COUNTED) == before


def test_every_status_is_there_in_this_school_year(seeded):
    found = diagnostics(seeded)
    year = school_year(local_today())
    assert {d.school_year for d in found} == {year}
    by_status = Counter(d.status for d in found)
    assert set(by_status) == set(DiagnosticStatus)
    assert by_status[DiagnosticStatus.SUBMITTED] >= 2 and by_status[DiagnosticStatus.ACCEPTED] >= 2
    submitted_levels = {d.level_code for d in found if d.status == DiagnosticStatus.SUBMITTED}
    assert len(submitted_levels) >= 2
    # Each school once: the demo is a set of schools, not of attempts.
    assert len({d.organization_id for d in found}) == len(found)


def test_a_draft_is_half_answered_and_a_returned_one_has_the_reviewers_notes(seeded):
    found = diagnostics(seeded)
    indicators = len(methodology_of(found[0]).indicators)
    drafts_with_answers = [d for d in found if d.status == DiagnosticStatus.DRAFT and d.answers]
    assert drafts_with_answers and all(0 < len(d.answers) < indicators for d in drafts_with_answers)
    returned = next(d for d in found if d.status == DiagnosticStatus.RETURNED)
    last = returned.events[-1]
    assert last.to_status == DiagnosticStatus.RETURNED and last.note and last.actor.role == Role.METHODOLOGIST
    assert sum(1 for answer in returned.answers if answer.reviewer_comment) >= 2
    assert [e.to_status for e in returned.events] == [
        DiagnosticStatus.DRAFT, DiagnosticStatus.SUBMITTED, DiagnosticStatus.RETURNED,
    ]


def test_the_directors_school_has_a_draft_to_fill(seeded):
    director = seeded.session.scalar(select(User).where(User.email == "director@demo.example"))
    own = [d for d in diagnostics(seeded) if d.organization_id == director.organization_id]
    assert len(own) == 1 and own[0].status == DiagnosticStatus.DRAFT
    assert own[0].school_year == school_year(local_today()) and own[0].methodology.is_active


def test_cached_totals_equal_the_recomputed_score(seeded):
    scored = [d for d in diagnostics(seeded) if d.status != DiagnosticStatus.DRAFT]
    assert len(scored) >= 8
    for diagnostic in scored:
        result = result_of(diagnostic)
        assert result.complete
        assert (diagnostic.total_points, diagnostic.max_points, diagnostic.level_code) == (
            result.total, result.maximum, result.level.code,
        ), diagnostic.organization.short_name
        assert diagnostic.submitted_at is not None and diagnostic.staff_count and diagnostic.student_count


def test_one_municipality_has_enough_for_its_average(seeded):
    compared = Counter(
        d.organization.municipality_id for d in diagnostics(seeded)
        if d.status in (DiagnosticStatus.SUBMITTED, DiagnosticStatus.ACCEPTED)
    )
    municipality_id, count = compared.most_common(1)[0]
    assert count >= 5
    director = seeded.session.scalar(select(User).where(User.email == "director@demo.example"))
    assert director.organization.municipality_id == municipality_id  # the director's result page shows it


def test_demo_teachers_work_at_the_directors_school_with_mixed_accounts(seeded):
    director = seeded.session.scalar(select(User).where(User.email == "director@demo.example"))
    teachers = list(seeded.session.scalars(select(User).where(User.email.like("teacher%@demo.example"))))
    numbered = [t for t in teachers if t.email != "teacher@demo.example"]
    assert sorted(t.email for t in numbered) == sorted(f"teacher{n}@demo.example" for n in range(1, 13))
    assert all(t.organization_id == director.organization_id and t.confirmed_at for t in numbered)
    assert all(t.role == Role.TEACHER for t in numbered)
    accounts = list(seeded.session.scalars(
        select(PlatformAccount).where(PlatformAccount.user_id.in_([t.id for t in numbered]))
    ))
    assert {a.status for a in accounts} == {AccountStatus.REGISTERED, AccountStatus.ACTIVE}
    confirmed = [a for a in accounts if a.confirmed_at]
    assert 0 < len(confirmed) < len(accounts)
    assert {a.confirmed_by_id for a in confirmed} == {director.id}
    # Every teacher has at least one platform missing, so the live suggestions have names to show.
    assert all(sum(1 for a in accounts if a.user_id == t.id) < 7 for t in numbered)


def test_some_demo_schools_state_their_students_on_sferum(seeded):
    found = diagnostics(seeded)
    stated = [d for d in found if d.sferum_students is not None]
    assert 0 < len(stated) < len(found)  # some leave it blank, as real schools do
    for d in stated:
        assert 0 <= d.sferum_students <= d.student_count and d.sferum_students_on <= local_today()
    assert all(d.sferum_students_on is None for d in found if d.sferum_students is None)
