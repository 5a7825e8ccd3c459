"""The staff tallies follow every kind of change in the transaction that makes it: ORM changes, bulk statements,
moves between organisations, deletions, rollbacks, and (PostgreSQL) two transactions touching one school.

Every test using the `database` fixture also ends with a check that the tallies agree with a count of the rows
(tests/conftest.py); these tests name the figures they expect."""
import threading
import time

import pytest
from sqlalchemy import insert, text, update
from sqlalchemy.orm import Session

from cpp_app.blueprints.privacy.services_requests import withdraw_consent
from cpp_app.blueprints.school import services as staff
from cpp_app.blueprints.school.tallies import count_again, drift
from cpp_app.kernel.actor import Actor
from cpp_app.models import AccountStatus, PlatformAccount, Role, User, utcnow
from tests.conftest import BACKEND, TEST_PASSWORD
from tests.factories import actor_of, platforms_by_code, registry_organization


def figures(database, school) -> tuple:
    """(teachers, confirmed, Сферум registered, active, registered confirmed, active confirmed) as staff_counts
    reads them: from the tallies."""
    counts = staff.staff_counts(school.id)
    sferum = counts.for_platform("sferum")
    return (counts.teachers, counts.confirmed, sferum.registered, sferum.active, sferum.registered_confirmed,
            sferum.active_confirmed)


@pytest.fixture
def school(database):
    return registry_organization(database)


@pytest.fixture
def sferum(database):
    return platforms_by_code(database)["sferum"]


def test_people_and_their_accounts_are_counted_as_they_change(database, make_user, school, sferum):
    assert figures(database, school) == (0, 0, 0, 0, 0, 0)
    teacher = make_user(organization=school)
    unconfirmed = make_user(organization=school)
    make_user(role=Role.METHODOLOGIST)
    assert figures(database, school) == (2, 0, 0, 0, 0, 0)
    unconfirmed.email_confirmed_at = None  # one whose address is unconfirmed has not joined the staff yet
    database.session.commit()
    assert figures(database, school) == (1, 0, 0, 0, 0, 0)

    account = PlatformAccount(user=teacher, platform_id=sferum.id, status=AccountStatus.REGISTERED)
    database.session.add(account)
    database.session.commit()
    assert figures(database, school) == (1, 0, 1, 0, 0, 0)

    account.status = AccountStatus.ACTIVE
    database.session.commit()
    assert figures(database, school) == (1, 0, 1, 1, 0, 0)

    staff.confirm_member(teacher, actor_of(teacher))
    database.session.commit()
    assert figures(database, school) == (1, 1, 1, 1, 0, 0)
    staff.confirm_account(account, actor_of(teacher))
    database.session.commit()
    assert figures(database, school) == (1, 1, 1, 1, 1, 1)

    account.status = AccountStatus.NOT_REGISTERED
    database.session.commit()
    assert figures(database, school) == (1, 1, 0, 0, 0, 0)

    teacher.role = Role.METHODOLOGIST
    database.session.commit()
    assert figures(database, school) == (0, 0, 0, 0, 0, 0)


def test_a_move_changes_both_schools_and_a_deletion_counts_no_more(database, make_user, school, sferum):
    other = registry_organization(database, 1)
    teacher = make_user(organization=school, confirmed_at=utcnow())
    account = PlatformAccount(user_id=teacher.id, platform_id=sferum.id, status=AccountStatus.ACTIVE)
    database.session.add(account)
    database.session.commit()
    assert figures(database, school)[:4] == (1, 1, 1, 1)

    teacher.organization = other  # by the relationship, not the column
    database.session.commit()
    assert figures(database, school)[:4] == (0, 0, 0, 0)
    assert figures(database, other)[:4] == (1, 1, 1, 1)

    database.session.delete(account)
    database.session.commit()
    assert figures(database, other)[:4] == (1, 1, 0, 0)


def test_bulk_statements_are_counted_too(database, make_user, school, sferum):
    first, second = make_user(organization=school), make_user(organization=school)
    database.session.execute(insert(PlatformAccount), [
        {"user_id": first.id, "platform_id": sferum.id, "status": AccountStatus.ACTIVE},
        {"user_id": second.id, "platform_id": sferum.id, "status": AccountStatus.REGISTERED},
    ])
    database.session.commit()
    assert figures(database, school)[:4] == (2, 0, 2, 1)

    database.session.execute(update(PlatformAccount).where(PlatformAccount.user_id == second.id)
                             .values(status=AccountStatus.ACTIVE))
    database.session.commit()
    assert figures(database, school)[:4] == (2, 0, 2, 2)

    database.session.execute(update(User).where(User.id == first.id).values(confirmed_at=utcnow()))
    database.session.commit()
    assert figures(database, school)[:4] == (2, 1, 2, 2)

    withdraw_consent(second, TEST_PASSWORD, Actor(second.id, None, None))  # a Core update of the person
    database.session.commit()
    assert figures(database, school)[:4] == (1, 1, 1, 1)


def test_a_rolled_back_change_leaves_the_tallies_as_they_were(database, make_user, school, sferum):
    teacher = make_user(organization=school)
    database.session.add(PlatformAccount(user_id=teacher.id, platform_id=sferum.id, status=AccountStatus.ACTIVE))
    database.session.flush()
    database.session.rollback()
    assert figures(database, school)[:4] == (1, 0, 0, 0)
    database.session.commit()  # nothing noted from the rolled-back transaction is counted later
    assert figures(database, school)[:4] == (1, 0, 0, 0)


def test_a_change_behind_the_sessions_back_is_found_and_recounted(app, database, make_user, school):
    teacher = make_user(organization=school)
    database.session.execute(text("UPDATE users SET confirmed_at = :now WHERE id = :id"),
                             {"now": utcnow(), "id": teacher.id})
    assert drift(database.session) == {"staff_tallies": {(school.id, 1, 0), (school.id, 1, 1)}}
    database.session.commit()
    result = app.test_cli_runner().invoke(args=["recount-staff"])
    assert result.exit_code == 0 and "пересчитаны в организациях: 1" in result.output, result.output
    assert drift(database.session) == {}
    assert app.test_cli_runner().invoke(args=["recount-staff"]).output.strip() == (
        "Счётчики сотрудников совпадают с данными.")


@pytest.mark.skipif(BACKEND != "postgresql", reason="SQLite runs one writer at a time")
def test_two_transactions_on_one_school_count_one_after_the_other(app, database, make_user, school, sferum):
    first_id, second_id = make_user(organization=school).id, make_user(organization=school).id
    school_id, sferum_id, engine = school.id, sferum.id, database.engine
    failures = []

    def later_change():
        try:
            with Session(engine) as session:
                session.add(PlatformAccount(user_id=second_id, platform_id=sferum_id, status=AccountStatus.ACTIVE))
                session.commit()
        except Exception as error:  # reported by the main thread
            failures.append(error)

    with Session(engine) as holding:
        holding.add(PlatformAccount(user_id=first_id, platform_id=sferum_id, status=AccountStatus.ACTIVE))
        holding.flush()
        count_again(holding, {school_id})  # as at its commit: counted, the school's lock held until the commit
        later = threading.Thread(target=later_change)
        later.start()
        time.sleep(0.5)
        waited = later.is_alive()
        holding.commit()
    later.join(timeout=10)
    assert not failures and not later.is_alive()
    assert waited, "the second transaction should have waited for the school's lock"
    # Without the lock the second count, made before the first commit, would have missed the first account.
    assert figures(database, school)[:4] == (2, 0, 2, 2)


def test_a_column_set_on_an_expired_person_recounts_the_school_they_left(database, make_user, school):
    other = registry_organization(database, 1)
    teacher = make_user(organization=school)  # committed: its attributes are expired, the old value unknown
    teacher.organization_id = other.id
    database.session.commit()
    assert figures(database, school)[:2] == (0, 0) and figures(database, other)[:2] == (1, 0)


def test_the_transaction_that_changes_the_staff_reads_its_own_change(database, make_user, school, sferum):
    teacher = make_user(organization=school)
    database.session.add(PlatformAccount(user_id=teacher.id, platform_id=sferum.id, status=AccountStatus.ACTIVE))
    assert figures(database, school)[:4] == (1, 0, 1, 1)  # before any commit
    database.session.commit()
