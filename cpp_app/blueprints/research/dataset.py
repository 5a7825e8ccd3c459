"""The anonymised research dataset (one row per submitted assessment of one instrument version) and its codebook.

No id, name, e-mail, date or school leaves: the organisation is only its municipality and kind, and a municipality ×
kind cell of fewer than five respondents is written «прочие» (domain.research). The rows come from one server-side
cursor, merged one at a time against cell sizes counted in SQL beforehand: 500,000 rows are never held at once."""
from collections.abc import Iterator
from dataclasses import dataclass

from sqlalchemy import Select, and_, case, func, select
from sqlalchemy.orm import Session

from ...domain.methodology import Methodology
from ...domain.research import (
    EXPERIENCE_BANDS,
    EXPERIENCE_LONGEST,
    NOT_STATED,
    OTHER_POSITION,
    OTHERS,
    POSITION_GROUPS,
    DatasetRow,
    experience_band,
    merge_row,
    position_group,
    small_cells,
)
from ...exports import Column
from ...extensions import db
from ...models import (
    ORGANIZATION_KIND_LABELS,
    AccountStatus,
    MethodologyVersion,
    Municipality,
    Organization,
    Platform,
    PlatformAccount,
    SelfAssessment,
    User,
)
from .queries import Filters, scope

ROWS_PER_FETCH = 2_000
FIXED = (
    ("instrument", "Методика и её версия (код методики и номер версии)."),
    ("municipality", "Муниципалитет организации, из которой педагог подал самооценку."),
    ("organization_kind", "Тип образовательной организации."),
    ("experience", "Педагогический стаж по профилю педагога, интервалом."),
    ("position", "Должность по профилю педагога, группой."),
)


@dataclass(frozen=True)
class CodebookEntry:
    column: str
    description: str
    values: str


def platform_list() -> list[tuple[int, str, str]]:
    return [tuple(row) for row in db.session.execute(
        select(Platform.id, Platform.code, Platform.name).order_by(Platform.sort_order, Platform.id))]


def _flag_columns(platforms) -> list[str]:
    return [f"{code}_{flag}" for _, code, _ in platforms for flag in ("active", "confirmed")]


def columns(instrument: Methodology, platforms) -> list[Column]:
    return [Column(name) for name, _ in FIXED] + [Column(i.code, "int") for i in instrument.indicators] + \
        [Column(name, "int") for name in _flag_columns(platforms)]


def codebook(instrument: Methodology, version: MethodologyVersion) -> list[CodebookEntry]:
    kinds = "; ".join(ORGANIZATION_KIND_LABELS.values())
    bands = "; ".join([label for _, label in EXPERIENCE_BANDS] + [EXPERIENCE_LONGEST])
    positions = "; ".join([group for _, group in POSITION_GROUPS] + [OTHER_POSITION])
    values = {
        "instrument": f"{version.code} v{version.version}",
        "municipality": f"название муниципалитета; «{OTHERS}» — ячейка «муниципалитет × тип ОО» меньше 5 "
                        f"респондентов; «{NOT_STATED}» — организация не была указана",
        "organization_kind": f"{kinds}; «{OTHERS}» — как в столбце municipality; «{NOT_STATED}»",
        "experience": f"{bands}; «{NOT_STATED}»",
        "position": f"{positions}; «{NOT_STATED}»",
    }
    entries = [CodebookEntry(name, description, values[name]) for name, description in FIXED]
    for section in instrument.sections:
        for indicator in section.indicators:
            levels = "; ".join(f"{level.score} — {level.text}" for level in indicator.levels)
            entries.append(CodebookEntry(indicator.code, f"Область «{section.title}»: {indicator.title}.",
                                         f"{levels}; пусто — нет ответа"))
    for _, code, name in platform_list():
        entries.append(CodebookEntry(f"{code}_active", f"{name}: педагог отметил в профиле «активно использую».",
                                     "1 — да; 0 — нет или учётной записи нет"))
        entries.append(CodebookEntry(f"{code}_confirmed",
                                     f"{name}: активная учётная запись подтверждена образовательной организацией.",
                                     "1 — да; 0 — нет"))
    return entries


def _scoped_users(filters: Filters):
    statement = select(SelfAssessment.user_id)
    if filters.municipality is not None:
        statement = statement.join(Organization, Organization.id == SelfAssessment.organization_id)
    return statement.where(scope(filters))


def _kind_label(kind) -> str:
    return ORGANIZATION_KIND_LABELS.get(kind, str(kind)) if kind is not None else NOT_STATED


@dataclass(frozen=True)
class Plan:
    """The dataset's two statements, built while the request's objects are at hand; run later, as it streams."""

    sizes: Select
    rows: Select
    codes: tuple[str, ...]
    version: int
    label: str


def plan(filters: Filters, instrument: Methodology, version: MethodologyVersion, platforms) -> Plan:
    municipality = func.coalesce(Municipality.name, NOT_STATED)
    sizes = (
        select(municipality, Organization.kind, func.count())
        .select_from(SelfAssessment)
        .outerjoin(Organization, Organization.id == SelfAssessment.organization_id)
        .outerjoin(Municipality, Municipality.id == Organization.municipality_id)
        .where(scope(filters)).group_by(municipality, Organization.kind)
    )
    active = PlatformAccount.status == AccountStatus.ACTIVE
    flags = []
    for platform_id, code, _ in platforms:
        on_platform = and_(PlatformAccount.platform_id == platform_id, active)
        flags.append(func.max(case((on_platform, 1), else_=0)).label(f"{code}_active"))
        flags.append(func.max(case((and_(on_platform, PlatformAccount.confirmed_at.is_not(None)), 1), else_=0))
                     .label(f"{code}_confirmed"))
    accounts = (
        select(PlatformAccount.user_id, *flags)
        .where(PlatformAccount.user_id.in_(_scoped_users(filters)))
        .group_by(PlatformAccount.user_id).subquery()
    )
    rows = (
        select(SelfAssessment.answers, municipality, Organization.kind, User.experience_years, User.position,
               *[accounts.c[name] for name in _flag_columns(platforms)])
        .join(User, User.id == SelfAssessment.user_id)
        .outerjoin(Organization, Organization.id == SelfAssessment.organization_id)
        .outerjoin(Municipality, Municipality.id == Organization.municipality_id)
        .outerjoin(accounts, accounts.c.user_id == SelfAssessment.user_id)
        .where(scope(filters))
        .order_by(Organization.municipality_id, Organization.kind, SelfAssessment.id)
        .execution_options(yield_per=ROWS_PER_FETCH)
    )
    return Plan(sizes, rows, tuple(i.code for i in instrument.indicators), version.version,
                f"{version.code} v{version.version}")


def dataset_rows(session: Session, plan: Plan) -> Iterator[list]:
    """The dataset's rows as the CSV writes them: the cell sizes, then the rows through one server-side cursor.
    `session` is the stream's own: the request's session is closed by the time a long file is still being sent."""
    small = small_cells({(name, _kind_label(kind)): count for name, kind, count in session.execute(plan.sizes)})
    for answers, municipality_name, kind, years, position, *flag_values in session.execute(plan.rows):
        row = merge_row(DatasetRow(
            instrument_version=plan.version, municipality=municipality_name, organization_kind=_kind_label(kind),
            experience=experience_band(years), position=position_group(position),
            answers=tuple((answers or {}).get(code) for code in plan.codes),
            platform_flags=tuple(bool(value) for value in flag_values),
        ), small)
        yield [plan.label, row.municipality, row.organization_kind, row.experience, row.position, *row.answers,
               *(int(flag) for flag in row.platform_flags)]


def stream(plan: Plan) -> Iterator[list]:
    """The rows in a session of their own on the app's engine (taken now, within the request), closed when the
    download ends or is abandoned."""
    return _rows_in_own_session(db.engine, plan)


def _rows_in_own_session(engine, plan: Plan) -> Iterator[list]:
    with Session(engine) as session:
        yield from dataset_rows(session, plan)
