"""A small region for the research view's tests: two municipalities, three organisations, teachers with distinctive
names, e-mails and schools, submitted assessments made by the bulk generator, and one draft that must not count."""
import random
from dataclasses import dataclass

from sqlalchemy import select

from cpp_app.blueprints.monitoring.figures import refresh
from cpp_app.blueprints.selfassessment.services import active_instrument
from cpp_app.demo_readiness import add_assessments
from cpp_app.models import (
    AccountStatus,
    MethodologyVersion,
    Municipality,
    Organization,
    OrganizationKind,
    PlatformAccount,
    Role,
    SelfAssessment,
    SelfAssessmentStatus,
    User,
    utcnow,
)
from tests.factories import municipality, platforms_by_code

BIG_SCHOOL, KINDERGARTEN, SMALL_SCHOOL = 12, 6, 3


@dataclass
class World:
    version: MethodologyVersion
    teachers: list[User]
    organizations: list[Organization]
    big: Municipality  # two organisations, 18 respondents
    small: Municipality  # one school, 3 respondents: hidden everywhere

    def respondents(self) -> list[User]:
        return [t for t in self.teachers if not t.last_name.startswith("Молчанова")]


def _organization(database, where, kind, short_name, full_name) -> Organization:
    made = Organization(full_name=full_name, short_name=short_name, kind=kind, municipality=where)
    database.session.add(made)
    database.session.flush()
    return made


def build(database, make_user, scale: int = 1, seed: int = 7, tag: str = "") -> World:
    """`scale` multiplies the teachers of every organisation (for tests that a page's queries do not grow); a
    `tag` makes the e-mails of a second world in the same test distinct."""
    big = municipality(database, "Исследовательский муниципальный район")
    small = municipality(database, "Малозаметный муниципальный район")
    school = _organization(database, big, OrganizationKind.SCHOOL, "МБОУ Кедрозерская СОШ",
                           "Муниципальное бюджетное общеобразовательное учреждение «Кедрозерская средняя школа»")
    kindergarten = _organization(database, big, OrganizationKind.PRESCHOOL, "МБДОУ Детский сад «Брусничка»",
                                 "Муниципальное бюджетное дошкольное учреждение «Детский сад «Брусничка»")
    village = _organization(database, small, OrganizationKind.SCHOOL, "МКОУ Тайгинская ООШ",
                            "Муниципальное казённое общеобразовательное учреждение «Тайгинская основная школа»")
    database.session.commit()
    sferum = platforms_by_code(database)["sferum"]
    teachers = []
    number = 0
    for organization, count in ((school, BIG_SCHOOL), (kindergarten, KINDERGARTEN), (village, SMALL_SCHOOL)):
        for _ in range(count * scale):
            number += 1
            teacher = make_user(role=Role.TEACHER, email=f"respondent{tag}{number}@research.example",
                                last_name=f"Уникальнова{number:03d}", organization=organization,
                                confirmed_at=utcnow(), position="учитель математики", experience_years=number % 30)
            teachers.append(teacher)
            if number % 2:
                database.session.add(PlatformAccount(user_id=teacher.id, platform_id=sferum.id,
                                                     status=AccountStatus.ACTIVE, confirmed_at=utcnow()))
    silent = make_user(role=Role.TEACHER, email=f"silent{tag}@research.example", last_name="Молчанова",
                       organization=school, confirmed_at=utcnow())
    version = active_instrument()
    database.session.add(SelfAssessment(user_id=silent.id, methodology_id=version.id, organization_id=school.id,
                                        status=SelfAssessmentStatus.DRAFT.value, answers={}))
    database.session.commit()
    add_assessments([(t.id, t.organization_id) for t in teachers], version, random.Random(seed))
    refresh()
    database.session.commit()
    return World(version, [*teachers, silent], [school, kindergarten, village], big, small)


def submitted(database) -> list[SelfAssessment]:
    return list(database.session.scalars(
        select(SelfAssessment).where(SelfAssessment.status == SelfAssessmentStatus.SUBMITTED.value)))
