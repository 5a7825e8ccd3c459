"""`flask seed --demo`: an approved development program with its road map under way, built through the services,
idempotent."""
import os

import pytest
from sqlalchemy import select

from cpp_app.blueprints.programs.pages import approval_missing, progress_of
from cpp_app.cli import DEMO_PASSWORD
from cpp_app.models import (
    ActionStatus,
    AuditEvent,
    DevelopmentProgram,
    DiagnosticStatus,
    ProgramAction,
    ProgramActionEvent,
    ProgramRevision,
    ProgramStatus,
    User,
)
from tests.conftest import complete_second_factor, extract_csrf
from tests.factories import row_counts

COUNTED = (DevelopmentProgram, ProgramAction, ProgramActionEvent, ProgramRevision, AuditEvent)


@pytest.fixture
def seeded(app, database):
    result = app.test_cli_runner().invoke(args=["seed", "--demo"])
    assert result.exit_code == 0, result.output
    assert "demo_programs: +1" in result.output
    database.session.expire_all()
    return database


def the_program(database) -> DevelopmentProgram:
    programs = list(database.session.scalars(select(DevelopmentProgram)))
    assert len(programs) == 1
    return programs[0]


def test_a_school_with_an_accepted_diagnostic_has_an_approved_program(seeded):
    program = the_program(seeded)
    assert program.diagnostic.status == DiagnosticStatus.ACCEPTED
    assert (program.status, program.revision) == (ProgramStatus.APPROVED, 1)
    assert program.period_end - program.period_start == 4
    assert program.goal and program.tasks and program.causes and program.decisions and program.mechanisms
    assert approval_missing(program) == []
    assert any(a.responsible_unassigned for a in program.actions)  # said explicitly, not left empty
    director = seeded.session.scalar(select(User).where(User.email == "director@demo.example"))
    assert program.organization.municipality_id == director.organization.municipality_id
    revision = seeded.session.scalar(select(ProgramRevision).where(ProgramRevision.program_id == program.id))
    assert revision.revision == 1 and revision.snapshot["status"] == "approved"
    assert revision.snapshot["totals"]["actions"] == len(program.actions)
    actions = {a.action for a in seeded.session.scalars(
        select(AuditEvent).where(AuditEvent.target_type == "development_programs", AuditEvent.target_id == program.id))}
    assert {"program.created", "program.approved", "program.action_status"} <= actions


def test_the_demo_program_has_every_part_of_letter_03_877_filled(seeded):
    program = the_program(seeded)
    snapshot = seeded.session.scalar(select(ProgramRevision.snapshot).where(ProgramRevision.program_id == program.id))
    approval = snapshot["approval"]
    assert approval["founder_name"] and approval["founder_position"] and approval["founder_signatory"]
    assert all(council["protocol"] and council["date"] for council in approval["councils"])
    information = snapshot["information"]
    assert information["licence"] and information["accreditation"] and information["programs"]
    assert information["contacts"] and information["founder"]
    assert all(snapshot["analysis"][part] for part in ("strengths", "weaknesses", "opportunities", "risks"))
    assert snapshot["mission"] and snapshot["resources"] and snapshot["monitoring"]
    assert [stage["number"] for stage in snapshot["stages"]] == [1, 2, 3]


def test_the_road_map_is_under_way_with_a_history(seeded):
    program = the_program(seeded)
    progress = progress_of(program.actions)
    assert progress.done >= 1 and progress.in_progress >= 1 and progress.planned >= 1
    for action in program.actions:
        chain = [(e.from_status, e.to_status) for e in action.events]
        if action.status == ActionStatus.DONE:
            assert chain == [(ActionStatus.PLANNED, ActionStatus.IN_PROGRESS), (ActionStatus.IN_PROGRESS, ActionStatus.DONE)]
        elif action.status == ActionStatus.IN_PROGRESS:
            assert chain == [(ActionStatus.PLANNED, ActionStatus.IN_PROGRESS)]
        else:
            assert chain == []
        assert all(e.note for e in action.events)
        assert action.responsible_position and action.due_date is not None
        assert program.period_start <= action.due_date.year <= program.period_end
    assert any(a.responsible_name for a in program.actions)


def test_running_it_twice_creates_nothing_new(app, seeded):
    before = row_counts(seeded, COUNTED)
    again = app.test_cli_runner().invoke(args=["seed", "--demo"])
    assert again.exit_code == 0, again.output
    assert "demo_programs: +0" in again.output
    assert row_counts(seeded, COUNTED) == before


def test_the_methodologist_sees_it_and_the_page_shows_the_progress(app, seeded):
    program = the_program(seeded)
    client = app.test_client()
    password = os.environ.get("CPP_DEMO_PASSWORD", DEMO_PASSWORD)
    response = client.post("/login", data={"email": "methodologist@demo.example", "password": password,
                                           "csrf_token": extract_csrf(client.get("/login"))})
    assert complete_second_factor(client, "methodologist@demo.example", response).status_code == 302
    assert f'data-program-id="{program.id}"' in client.get("/programs/").get_data(as_text=True)
    page = client.get(f"/programs/{program.id}").get_data(as_text=True)
    assert "Всего: выполнено" in page and "утверждена" in page and "Утверждённые редакции" in page
