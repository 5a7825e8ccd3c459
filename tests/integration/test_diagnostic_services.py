"""The diagnostic services against a database: answers saved with revisions and conflicts, the general step,
the stash of answers posted after the session ended, and the live data behind suggestions."""
from datetime import date, timedelta

import pytest
from sqlalchemy import event, func, select, update

from cpp_app.blueprints.auth.sessions import token_hash
from cpp_app.blueprints.diagnostics.services import (
    AnswerInput,
    GeneralFacts,
    StepInput,
    ended_session_user,
    live_data,
    platform_gaps,
    save_answers,
    save_step,
    start,
    submit,
)
from cpp_app.blueprints.methodology.services_versions import methodology_of, publish_methodology
from cpp_app.blueprints.school.services import staff_counts
from cpp_app.domain.methodology import load_methodology_file, parse_methodology
from cpp_app.domain.workflow import TransitionRefused
from cpp_app.kernel.actor import Actor
from cpp_app.kernel.stash import MAX_STASHES_PER_USER, STASH_LIFETIME, stash_form, take_stash
from cpp_app.models import (
    AccountStatus,
    AuthSession,
    Diagnostic,
    DiagnosticAnswer,
    FormStash,
    Organization,
    OrganizationKind,
    Platform,
    PlatformAccount,
    Role,
    User,
    utcnow,
)
from cpp_app.seeding import SEEDS_DIR
from cpp_app.service_errors import FieldErrors
from tests.factories import registry_organization

TODAY = date(2026, 11, 29)


@pytest.fixture
def school(database):
    return registry_organization(database)


@pytest.fixture
def actors(make_user, school):
    first = make_user(role=Role.SCHOOL_ADMIN, email="a@school.example", organization=school, confirmed_at=utcnow())
    second = make_user(role=Role.SCHOOL_ADMIN, email="b@school.example", organization=school, confirmed_at=utcnow())
    return Actor(first.id, "127.0.0.1", "test"), Actor(second.id, "127.0.0.1", "test")


@pytest.fixture
def diagnostic(database, school, actors):
    created = start(school, actors[0], TODAY)
    database.session.commit()
    return created


def stored(database, diagnostic, code) -> DiagnosticAnswer:
    return database.session.scalar(select(DiagnosticAnswer).where(
        DiagnosticAnswer.diagnostic_id == diagnostic.id, DiagnosticAnswer.indicator_code == code))


# ------------------------------------------------------------------------------------------- save_answers


def test_revisions_rise_with_each_change_and_not_without_one(database, diagnostic, actors):
    first, _ = actors
    outcome = save_answers(diagnostic, {"cos.sferum": AnswerInput(1, "структура создана")}, first)
    assert (outcome.saved, outcome.conflicts) == (1, ())
    assert stored(database, diagnostic, "cos.sferum").revision == 1

    # The same values again: nothing saved, no new revision, whatever revision the page had.
    assert save_answers(diagnostic, {"cos.sferum": AnswerInput(1, "структура создана", "", None)}, first).saved == 0
    outcome = save_answers(diagnostic, {"cos.sferum": AnswerInput(2, "структура создана", "", 1)}, first)
    answer = stored(database, diagnostic, "cos.sferum")
    assert (outcome.saved, answer.score, answer.revision, answer.updated_by_id) == (1, 2, 2, first.user_id)


def test_a_change_made_meanwhile_is_a_conflict_and_is_not_overwritten(database, diagnostic, actors):
    first, second = actors
    save_answers(diagnostic, {"cos.sferum": AnswerInput(1, "", "", None)}, first)
    save_answers(diagnostic, {"cos.sferum": AnswerInput(3, "все активны", "", 1)}, second)

    outcome = save_answers(diagnostic, {
        "cos.sferum": AnswerInput(2, "", "", 1),  # the page still showed revision 1
        "cos.mobile_phones": AnswerInput(1, "", "", None),
    }, first)
    assert outcome.saved == 1
    [conflict] = outcome.conflicts
    assert conflict.indicator_code == "cos.sferum" and conflict.changed_by_id == second.user_id
    assert (conflict.theirs.score, conflict.theirs.comment, conflict.theirs.base_revision) == (3, "все активны", 2)
    assert conflict.yours.score == 2
    answer = stored(database, diagnostic, "cos.sferum")
    assert (answer.score, answer.revision) == (3, 2)
    assert stored(database, diagnostic, "cos.mobile_phones").score == 1

    # A page that never had the answer (no revision) conflicts with one saved meanwhile too.
    [conflict] = save_answers(diagnostic, {"cos.mobile_phones": AnswerInput(0)}, second).conflicts
    assert conflict.theirs.score == 1

    # Saving again from their revision overwrites, deliberately.
    assert save_answers(diagnostic, {"cos.sferum": AnswerInput(2, "", "", 2)}, first).saved == 1
    assert stored(database, diagnostic, "cos.sferum").revision == 3


@pytest.mark.parametrize("inputs, key", [
    ({"cos.unknown": AnswerInput(1)}, "cos.unknown"),
    ({"cos.sferum": AnswerInput(7)}, "cos.sferum"),
    ({"cos.sferum": AnswerInput(1, "", "ftp://school.example/x")}, "cos.sferum.evidence_url"),
    ({"cos.sferum": AnswerInput(1, "я" * 5001)}, "cos.sferum.comment"),
])
def test_invalid_answers_are_refused_and_nothing_is_saved(database, diagnostic, actors, inputs, key):
    with pytest.raises(FieldErrors) as refused:
        save_answers(diagnostic, {"cos.mobile_phones": AnswerInput(1), **inputs}, actors[0])
    assert key in refused.value.errors
    assert database.session.scalar(select(func.count(DiagnosticAnswer.id))) == 0


def test_the_general_step_saves_counts_and_says_whether_anything_changed(database, diagnostic, actors):
    step = StepInput(answers={}, general=True, facts=GeneralFacts(24, 310))
    assert save_step(diagnostic, step, actors[0]).saved == 1
    assert (diagnostic.staff_count, diagnostic.student_count) == (24, 310)
    assert save_step(diagnostic, step, actors[0]).saved == 0
    with pytest.raises(FieldErrors) as refused:
        save_step(diagnostic, StepInput(answers={}, general=True, facts=GeneralFacts(staff_count=200_000)), actors[0])
    assert "staff_count" in refused.value.errors


def test_nothing_can_be_saved_once_submitted(database, diagnostic, actors):
    methodology = methodology_of(diagnostic)
    save_answers(diagnostic, {i.code: AnswerInput(0) for i in methodology.indicators}, actors[0])
    submit(diagnostic, actors[0], "school_admin")
    with pytest.raises(TransitionRefused):
        save_answers(diagnostic, {"cos.sferum": AnswerInput(1, "", "", 1)}, actors[0])
    with pytest.raises(TransitionRefused):
        save_step(diagnostic, StepInput(answers={}, general=True, facts=GeneralFacts(staff_count=3)), actors[0])


# ------------------------------------------------------------------------------------------------ stash


def test_a_stash_is_taken_once_only_for_its_page_and_only_by_its_user(database, actors):
    owner, other = actors[0].user_id, actors[1].user_id
    token = stash_form(owner, "/diagnostics/5?section=cos", {"score-cos.sferum": "2"})
    database.session.commit()
    [row] = database.session.scalars(select(FormStash)).all()
    assert row.token_hash != token and len(row.token_hash) == 64  # only the hash is kept
    assert row.user_id == owner

    assert take_stash(token, "/diagnostics/6?section=cos", owner) is None
    assert take_stash(None, "/diagnostics/5?section=cos", owner) is None
    assert take_stash("made-up", "/diagnostics/5?section=cos", owner) is None
    assert take_stash(token, "/diagnostics/5?section=cos", other) is None  # the token alone is not enough
    assert take_stash(token, "/diagnostics/5?section=cos", owner) == {"score-cos.sferum": "2"}
    database.session.commit()
    assert take_stash(token, "/diagnostics/5?section=cos", owner) is None
    assert database.session.scalar(select(func.count(FormStash.id))) == 0


def test_an_expired_stash_is_not_given_back_and_is_cleared_by_the_next_one(database, actors):
    user_id = actors[0].user_id
    old = stash_form(user_id, "/diagnostics/5", {"staff_count": "12"})
    database.session.commit()
    database.session.execute(update(FormStash).values(created_at=utcnow() - STASH_LIFETIME - timedelta(minutes=1)))
    database.session.commit()
    assert take_stash(old, "/diagnostics/5", user_id) is None

    stash_form(user_id, "/diagnostics/5", {"staff_count": "13"})
    database.session.commit()
    assert [r.payload for r in database.session.scalars(select(FormStash))] == [{"staff_count": "13"}]


def test_a_user_keeps_a_few_stashes_at_most_the_oldest_go_first(database, actors):
    owner, other = actors[0].user_id, actors[1].user_id
    theirs = stash_form(other, "/diagnostics/5", {"staff_count": "1"})
    tokens = [stash_form(owner, f"/diagnostics/{number}", {"staff_count": "1"})
              for number in range(MAX_STASHES_PER_USER + 2)]
    database.session.commit()
    kept = database.session.scalars(select(FormStash.target).where(FormStash.user_id == owner).order_by(FormStash.id))
    assert list(kept) == [f"/diagnostics/{number}" for number in range(2, MAX_STASHES_PER_USER + 2)]
    assert take_stash(tokens[0], "/diagnostics/0", owner) is None
    assert take_stash(tokens[-1], f"/diagnostics/{MAX_STASHES_PER_USER + 1}", owner) is not None
    assert take_stash(theirs, "/diagnostics/5", other) is not None  # another user's cap is their own


def test_an_ended_session_names_its_user_while_a_stash_would_still_live(app, database, actors):
    user_id, now = actors[0].user_id, utcnow()

    def session_with(token, **times):
        values = dict(created_at=now - timedelta(hours=1), last_seen_at=now - timedelta(minutes=5),
                      expires_at=now + timedelta(hours=11)) | times
        database.session.add(AuthSession(user_id=user_id, token_hash=token_hash(token), **values))
        database.session.commit()

    session_with("signed-out", revoked_at=now - timedelta(minutes=1))
    session_with("expired", expires_at=now - timedelta(hours=1))
    session_with("idle", last_seen_at=now - timedelta(hours=3))
    session_with("live")
    session_with("long-gone", revoked_at=now - STASH_LIFETIME - timedelta(minutes=1))
    with app.test_request_context():
        for token in ("signed-out", "expired", "idle"):
            assert ended_session_user(token).id == user_id, token
        for token in ("live", "long-gone", "made-up", "", None):
            assert ended_session_user(token) is None, token
        database.session.get(User, user_id).blocked_at = now
        assert ended_session_user("signed-out") is None


# -------------------------------------------------------------------------------------------- live data


def test_gaps_come_from_one_query_and_name_only_confirmed_staff(database, make_user, school, diagnostic):
    platforms = {p.code: p for p in database.session.scalars(select(Platform))}
    people = {}
    for number, (name, confirmed) in enumerate([("Абрамова", True), ("Борисов", True), ("Ветрова", False)]):
        people[name] = make_user(last_name=name, email=f"s{number}@school.example", organization=school,
                                 confirmed_at=utcnow() if confirmed else None)
    database.session.add(PlatformAccount(user_id=people["Абрамова"].id, platform_id=platforms["sferum"].id,
                                         status=AccountStatus.ACTIVE, confirmed_at=utcnow()))
    database.session.add(PlatformAccount(user_id=people["Борисов"].id, platform_id=platforms["sferum"].id,
                                         status=AccountStatus.REGISTERED))
    database.session.commit()

    statements, school_id = [], school.id
    counts = staff_counts(school_id)

    def remember(connection, cursor, statement, *args):
        statements.append(statement)

    event.listen(database.engine, "before_cursor_execute", remember)
    try:
        gaps = platform_gaps(school_id, counts, ("sferum", "moya_shkola"), limit=30)
    finally:
        event.remove(database.engine, "before_cursor_execute", remember)
    assert len(statements) == 1
    sferum, moya = gaps["sferum"], gaps["moya_shkola"]
    assert sferum.name == "Сферум" and moya.name == platforms["moya_shkola"].name
    # The two admins of the fixture are confirmed staff without accounts.
    assert [n.split()[0] for n in sferum.not_registered] == ["Петрова", "Петрова"]
    assert [n.split()[0] for n in sferum.unconfirmed] == ["Борисов"]
    assert [n.split()[0] for n in moya.not_registered] == ["Абрамова", "Борисов", "Петрова", "Петрова"]
    assert (sferum.not_registered_count, sferum.unconfirmed_count, moya.not_registered_count) == (2, 1, 4)
    # Limited, the lists keep the first by surname and the counts stay whole.
    first = platform_gaps(school_id, counts, ("sferum", "moya_shkola"), limit=1)
    assert (first["moya_shkola"].not_registered, first["moya_shkola"].not_registered_count) == (
        moya.not_registered[:1], 4)


def test_live_data_falls_back_to_the_confirmed_staff_when_no_count_is_stated(database, make_user, school, diagnostic):
    methodology = methodology_of(diagnostic)
    live = live_data(diagnostic, methodology, methodology.section("cos"), gap_names=30)
    assert live.from_profiles and live.staff_count == 2  # the two confirmed admins
    assert set(live.suggestions) == {"cos.moya_shkola", "cos.sferum"}
    assert set(live.gaps) == {"moya_shkola", "cok_library", "sferum"}
    diagnostic.staff_count = 40
    live = live_data(diagnostic, methodology, methodology.section("cos"), gap_names=30)
    assert not live.from_profiles and live.staff_count == 40
    assert any("0 из 40 педагогов" in reason for reason in live.suggestions["cos.sferum"].reasons)
    assert live_data(diagnostic, methodology, methodology.section("eios")) is None


def test_a_version_published_mid_year_does_not_start_a_second_diagnostic(database):
    actor = Actor(None, None, None)
    school = database.session.scalars(
        select(Organization).where(Organization.kind == OrganizationKind.SCHOOL).order_by(Organization.id)
    ).first()
    first = start(school, actor, date(2026, 10, 1))
    seeded = load_methodology_file(SEEDS_DIR / "methodology" / "cos-2026.yaml")  # the latest seeded version
    content = seeded.to_dict() | {"version": 2027}
    publish_methodology(parse_methodology(content, "test"), actor)
    assert start(school, actor, date(2026, 12, 1)).id == first.id
    assert database.session.scalar(select(func.count(Diagnostic.id))) == 1


def test_a_kindergarten_cannot_start_the_school_diagnostic(database):
    kindergarten = database.session.scalars(
        select(Organization).where(Organization.kind == OrganizationKind.PRESCHOOL)
    ).first()
    with pytest.raises(TransitionRefused, match="не предназначена"):
        start(kindergarten, Actor(None, None, None), date(2026, 10, 1))
