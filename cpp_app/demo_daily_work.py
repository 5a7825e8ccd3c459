"""The daily work waiting for the demo accounts after `flask seed --demo`: teachers who asked to join the director's
school, a КИАСУО register naming people not yet registered, external courses to verify and a personal-data request
to answer — so every start page has something on it. Built through the services, idempotent.
"""
from datetime import date, timedelta

from sqlalchemy import select

from .blueprints.cabinet.profile_services import set_account
from .blueprints.courses.services import ExternalCourse, add_external_course
from .blueprints.privacy.services import current_document, grant_consent
from .blueprints.privacy.services_requests import file_request
from .blueprints.school.register_import import RegisterRecord
from .blueprints.school.services import import_register
from .demo_diagnostics import SEED_ACTOR
from .extensions import db
from .kernel.actor import Actor
from .models import (
    AccountStatus,
    CourseRecord,
    Organization,
    Platform,
    PrivacyRequest,
    PrivacyRequestKind,
    Role,
    StaffRegisterEntry,
    User,
)
from .security import hash_password

# (last name, first name, patronymic, position): they chose the school and wait for the director.
WAITING_TEACHERS = (
    ("Лебедева", "Анна", "Игоревна", "учитель начальных классов"),
    ("Воронцов", "Павел", "Андреевич", "учитель физики"),
    ("Мельникова", "Екатерина", "Олеговна", "учитель английского языка"),
    ("Захаров", "Илья", "Николаевич", "учитель физической культуры"),
)
# On the register but not registered in ЦПП yet: whom the school invites.
NOT_YET_REGISTERED = (
    ("Соколова Вера Михайловна", "sokolova.vm@school1.example", "учитель музыки"),
    ("Тимофеев Олег Петрович", None, "учитель технологии"),
    ("Фролова Дарья Сергеевна", "frolova.ds@school1.example", "педагог-психолог"),
)
EXTERNAL_COURSES = (
    ("Цифровая образовательная среда: ФГИС «Моя школа» на уроке", "Академия Минпросвещения России", 36, 40),
    ("Безопасность детей в интернете", "Центр «Безопасный интернет»", 16, 75),
)


def seed_demo_daily_work(school: Organization | None, director: User | None, teacher: User | None,
                         password: str, today: date) -> dict[str, int]:
    if school is None or director is None or teacher is None:
        return {}
    waiting = _waiting_teachers(school, password, today)
    registered = _register(school, director)
    courses = _external_courses(teacher, today)
    requests = _privacy_request(teacher)
    return {"demo_waiting_teachers": waiting, "demo_register_rows": registered, "demo_external_courses": courses,
            "demo_privacy_requests": requests}


def _waiting_teachers(school: Organization, password: str, today: date) -> int:
    platforms = {p.code: p for p in db.session.scalars(select(Platform))}
    document = current_document()
    created = 0
    password_hash = None  # argon2 is slow on purpose: hashed once, and only when someone is created
    for number, (last, first, middle, position) in enumerate(WAITING_TEACHERS, start=1):
        email = f"newcomer{number}@demo.example"
        if db.session.scalar(select(User.id).where(User.email == email)) is not None:
            continue
        password_hash = password_hash or hash_password(password)
        user = User(email=email, password_hash=password_hash, last_name=last, first_name=first, middle_name=middle,
                    phone=f"+7912100{number:04d}", settlement="Красноярск", organization=school, position=position,
                    role=Role.TEACHER)
        db.session.add(user)
        db.session.flush()
        grant_consent(user, document, SEED_ACTOR)
        own = Actor(user.id, None, SEED_ACTOR.user_agent)
        for code, status in (("sferum", AccountStatus.ACTIVE), ("moya_shkola", AccountStatus.REGISTERED)):
            if code in platforms:
                set_account(user, platforms[code], status, today - timedelta(days=10 * number), None, own,
                            today=today)
        created += 1
    return created


def _register(school: Organization, director: User) -> int:
    """The school's register: its confirmed teachers (matched by e-mail) and people who have not registered yet."""
    if db.session.scalar(select(StaffRegisterEntry.id).where(StaffRegisterEntry.organization_id == school.id)):
        return 0
    staff = db.session.scalars(
        select(User).where(User.organization_id == school.id, User.confirmed_at.is_not(None), User.role == Role.TEACHER)
        .order_by(User.id).limit(8)
    )
    people = [(user.full_name, user.email.lower(), user.position) for user in staff] + list(NOT_YET_REGISTERED)
    records = [RegisterRecord(line=line, full_name=name, surname=name.split()[0], email=email, phone=None,
                              position=position) for line, (name, email, position) in enumerate(people, start=2)]
    import_register(school.id, records, Actor(director.id, None, SEED_ACTOR.user_agent))
    return len(records)


def _external_courses(teacher: User, today: date) -> int:
    if db.session.scalar(select(CourseRecord.id).where(CourseRecord.user_id == teacher.id,
                                                       CourseRecord.course_id.is_(None))):
        return 0
    own = Actor(teacher.id, None, SEED_ACTOR.user_agent)
    for number, (title, provider, hours, days_ago) in enumerate(EXTERNAL_COURSES, start=1):
        add_external_course(teacher.id, ExternalCourse(title=title, provider=provider, hours=hours,
                                                       completed_on=today - timedelta(days=days_ago),
                                                       certificate_number=f"ДЕМО-{today.year}-{number:04d}"),
                            own, today=today)
    return len(EXTERNAL_COURSES)


def _privacy_request(teacher: User) -> int:
    if db.session.scalar(select(PrivacyRequest.id).where(PrivacyRequest.user_id == teacher.id)):
        return 0
    file_request(teacher, PrivacyRequestKind.RECTIFICATION,
                 "Прошу исправить отчество в моём профиле: в документах «Петровна», в ЦПП — опечатка.",
                 Actor(teacher.id, None, SEED_ACTOR.user_agent))
    return 1
