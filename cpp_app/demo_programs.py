"""A demo development program for `flask seed --demo`: one school with an accepted diagnostic gets an approved
program whose road map is under way (some actions done, some in progress), so that the program pages, the
documents and the institute's list have something real to show. Built through the services (audit log,
revision snapshot and status history as in real use), deterministic and idempotent: a second run creates nothing.
"""
from datetime import date

from sqlalchemy import select

from .blueprints.programs.pages import ordered_actions
from .blueprints.programs.services import approve_program, create_program, set_action_status
from .extensions import db
from .kernel.actor import Actor
from .models import (
    ActionStatus,
    DevelopmentProgram,
    Diagnostic,
    DiagnosticStatus,
    Organization,
    User,
)

SEED_ACTOR = Actor(user_id=None, ip=None, user_agent="flask seed --demo")
PERIOD_YEARS = 5
# Who the school names as responsible, by the position the library suggests; for the rest the school says
# explicitly that nobody is named yet (they keep the position).
DEMO_RESPONSIBLE = {
    "директор": "Соколова Ирина Владимировна",
    "заместитель директора по учебной работе": "Павлова Елена Николаевна",
    "заместитель директора по воспитательной работе": "Фёдоров Павел Андреевич",
    "системный администратор": "Николаев Артём Сергеевич",
}
DONE_NOTES = ("Выполнено в срок, отчёт рассмотрен на педагогическом совете.", "Выполнено, документы на сайте школы.")
STARTED_NOTE = "Работа начата, ответственный назначен приказом директора."


def seed_demo_programs(today: date, director: User | None = None) -> dict[str, int]:
    """An approved program for one school with an accepted diagnostic, preferably in the demo director's
    municipality (so that its neighbours' data is comparable); nothing when such a school already has one."""
    diagnostic = _chosen_diagnostic(director)
    if diagnostic is None:
        return {"demo_programs": 0}
    exists = db.session.scalar(
        select(DevelopmentProgram.id).where(DevelopmentProgram.organization_id == diagnostic.organization_id).limit(1)
    )
    if exists is not None:
        return {"demo_programs": 0}
    period = (today.year, today.year + PERIOD_YEARS - 1)
    program = create_program(diagnostic.organization, diagnostic, period, SEED_ACTOR, today)
    for action in program.actions:
        action.responsible_name = DEMO_RESPONSIBLE.get(action.responsible_position.strip().lower(), "")
        action.responsible_unassigned = not action.responsible_name
    _document_parts(program, today)
    db.session.flush()
    approve_program(program, SEED_ACTOR)
    _road_map_under_way(program)
    db.session.flush()
    return {"demo_programs": 1}


def _document_parts(program: DevelopmentProgram, today: date) -> None:
    """The parts the school types itself (the analysis, monitoring and stages are drafted at creation)."""
    municipality = program.organization.municipality.name
    program.founder_name = f"Управление образования администрации ({municipality})"
    program.founder_position = "Руководитель управления образования"
    program.founder_signatory = "Кузнецова Наталья Викторовна"
    program.teachers_council_protocol = "1"
    program.teachers_council_date = program.governing_council_date = today  # considered just before approval
    program.governing_council_protocol = "3"
    program.licence = "Выписка из реестра лицензий на осуществление образовательной деятельности, министерство " \
        "образования Красноярского края."
    program.accreditation = "Запись в государственном реестре аккредитованных организаций, бессрочно."
    program.programs_offered = "\n".join((
        "Основная образовательная программа начального общего образования",
        "Основная образовательная программа основного общего образования",
        "Основная образовательная программа среднего общего образования",
        "Дополнительные общеобразовательные общеразвивающие программы",
    ))
    program.contacts = "Телефон приёмной: +7 391 200-00-00\nЭлектронная почта: school@example.ru"
    program.mission = (
        "Школа, в которой каждый обучающийся учится в современной цифровой образовательной среде, а каждый "
        "педагог владеет её сервисами. К концу программы — безопасный высокоскоростной интернет во всех "
        "кабинетах, ФГИС «Моя школа» и «Сферум» в ежедневной работе, открытая отчётность перед родителями."
    )
    program.resources = "\n".join((
        "Кадровые: управленческая команда, рабочая группа по ЦОС, педагоги, прошедшие курсы КК ИПК.",
        "Материально-технические: IT-оборудование регионального проекта «Цифровая образовательная среда».",
        "Финансовые: муниципальный и краевой бюджеты, средства федерального проекта, внебюджетные средства.",
    ))


def _chosen_diagnostic(director: User | None) -> Diagnostic | None:
    municipality_id = director.organization.municipality_id if director and director.organization else None
    accepted = list(db.session.scalars(
        select(Diagnostic)
        .join(Organization, Diagnostic.organization_id == Organization.id)
        .where(Diagnostic.status == DiagnosticStatus.ACCEPTED)
        .order_by(Diagnostic.school_year.desc(), Diagnostic.total_points, Organization.short_name, Diagnostic.id)
    ))
    # The lowest result first, so that the program has deficits (and critical ones) to work on.
    usable = [d for d in accepted if d.total_points is None or d.total_points < (d.max_points or 0)]
    nearby = [d for d in usable if d.organization.municipality_id == municipality_id]
    return (nearby or usable or [None])[0]


def _road_map_under_way(program: DevelopmentProgram) -> None:
    """The earliest year's actions: every other one done, the rest in progress; one of the next year started."""
    dated = [a for a in ordered_actions(program) if a.due_date is not None]
    if not dated:
        return
    first_year = min(a.due_date.year for a in dated)
    for number, action in enumerate(a for a in dated if a.due_date.year == first_year):
        set_action_status(action, ActionStatus.IN_PROGRESS.value, STARTED_NOTE, SEED_ACTOR)
        if number % 2 == 0:
            set_action_status(action, ActionStatus.DONE.value, DONE_NOTES[number // 2 % len(DONE_NOTES)], SEED_ACTOR)
    later = [a for a in dated if a.due_date.year > first_year]
    if later:
        set_action_status(later[0], ActionStatus.IN_PROGRESS.value, STARTED_NOTE, SEED_ACTOR)
