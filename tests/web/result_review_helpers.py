"""Diagnostics for the result and review tests: through the services where that is simple, directly otherwise."""
from datetime import date, datetime

from sqlalchemy import select

from cpp_app.blueprints.diagnostics.services import AnswerInput, save_answers, start, submit
from cpp_app.blueprints.methodology.services_versions import active_version
from cpp_app.domain.workflow import school_year
from cpp_app.models import (
    Diagnostic,
    DiagnosticStatus,
    Municipality,
    Organization,
    OrganizationKind,
    utcnow,
)
from cpp_app.security import Actor

TODAY = date.today()
YEAR = school_year(TODAY)

# 9 of 14 («базовый»); the ЭИОС check fails on the portfolio only.
SCORES = {
    "cos.mobile_phones": 1,
    "cos.high_speed_internet": 1,
    "cos.safe_internet": 1,
    "cos.moya_shkola": 2,
    "cos.sferum": 2,
    "cos.it_equipment": 1,
    "cos.management_system": 1,
    "eios.internet": 1,
    "eios.local_act": 1,
    "eios.ebs": 1,
    "eios.e_journal": 1,
    "eios.e_portfolio": 0,
    "eios.curricula": 1,
}


def actor_of(user) -> Actor:
    return Actor(user.id if user is not None else None, "127.0.0.1", "pytest")


def municipality(database, name: str) -> Municipality:
    found = database.session.scalar(select(Municipality).where(Municipality.name == name))
    if found is None:
        found = Municipality(name=name)
        database.session.add(found)
        database.session.flush()
    return found


def organization(database, where: Municipality, short_name: str) -> Organization:
    made = Organization(full_name=f"Муниципальное бюджетное общеобразовательное учреждение «{short_name}»",
                        short_name=short_name, kind=OrganizationKind.SCHOOL, municipality=where)
    database.session.add(made)
    database.session.commit()
    return made


def diagnostic_through_services(database, school, author, scores=None, evidence=None, comments=None,
                                submitted=True) -> Diagnostic:
    """Started, answered and (by default) submitted as the school admin would."""
    scores = SCORES if scores is None else scores
    evidence, comments = evidence or {}, comments or {}
    actor = actor_of(author)
    diagnostic = start(school, actor, TODAY)
    save_answers(diagnostic, {code: AnswerInput(value, comments.get(code, ""), evidence.get(code, ""))
                              for code, value in scores.items()}, actor)
    if submitted:
        submit(diagnostic, actor, "school_admin")
    database.session.commit()
    return diagnostic


def diagnostic_row(database, school, total: int | None, status=DiagnosticStatus.SUBMITTED, year: str = YEAR,
                   submitted_at: datetime | None = None) -> Diagnostic:
    """A diagnostic with only its cached totals, as monitoring and the queue read them."""
    version = active_version()
    diagnostic = Diagnostic(
        organization=school, methodology=version, school_year=year, status=status, total_points=total,
        max_points=14 if total is not None else None, level_code="basic" if total is not None else None,
        submitted_at=submitted_at if submitted_at is not None else (utcnow() if status != DiagnosticStatus.DRAFT else None),
    )
    database.session.add(diagnostic)
    database.session.commit()
    return diagnostic
