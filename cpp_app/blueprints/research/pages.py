"""What the research pages and their downloads share: the filters read from the query string, and table rows as
lists of cells (a hidden group's cells say «< 5»)."""
from dataclasses import dataclass, field
from datetime import date

from flask import request

from ...converters import parse_id
from ...domain.methodology import Methodology
from ...domain.research import MIN_GROUP
from ...exports import Column
from ...kernel.forms import parse_date
from ..methodology.services_versions import methodology_of
from . import queries
from .queries import Distribution, Filters, PlatformRating

HIDDEN = f"< {MIN_GROUP}"
DATE_LABELS = {"since": "Подано с", "until": "Подано по"}


@dataclass
class Chosen:
    filters: Filters
    instrument: Methodology | None
    versions: list
    campaigns: list
    municipalities: list
    errors: list[tuple[str, str]] = field(default_factory=list)
    link_args: dict[str, str] = field(default_factory=dict)

    @property
    def filtered(self) -> bool:
        return bool(self.link_args)


def _date(name: str, errors: list) -> date | None:
    raw = request.args.get(name, "").strip()
    if not raw:
        return None
    parsed = parse_date(raw)
    if parsed is not None:
        return parsed
    errors.append((name, f"«{DATE_LABELS[name]}»: введите дату в виде дд.мм.гггг — фильтр не применён."))
    return None


def _picked(items: list, name: str):
    wanted = parse_id(request.args.get(name))
    return next((item for item in items if item.id == wanted), None)


def chosen() -> Chosen:
    """The filters from ?version=&campaign=&since=&until=&municipality=: an unknown id is ignored, a date that is
    no date is reported (and ignored), never an error page. The instrument defaults to the campaign's, else to the
    active one."""
    errors: list[tuple[str, str]] = []
    versions, campaigns, municipalities = queries.teacher_versions(), queries.campaigns(), queries.municipalities()
    campaign = _picked(campaigns, "campaign")
    version = _picked(versions, "version") or (campaign.methodology if campaign else None) or \
        (versions[0] if versions else None)
    since, until = _date("since", errors), _date("until", errors)
    if since and until and until < since:
        errors.append(("until", "«Подано по» раньше, чем «Подано с»: конец периода не применён."))
        until = None
    municipality = _picked(municipalities, "municipality")
    link_args = {name: str(value) for name, value in (
        ("version", request.args.get("version") and version and version.id),
        ("campaign", campaign and campaign.id), ("since", since and since.isoformat()),
        ("until", until and until.isoformat()), ("municipality", municipality and municipality.id),
    ) if value}
    filters = Filters(version, campaign, since, until, municipality)
    return Chosen(filters, methodology_of(version) if version else None, versions, campaigns, municipalities,
                  errors, link_args)


# ------------------------------------------------------------------------------------------------ table rows


def percent_or_hidden(value: float | None, hidden: bool):
    return HIDDEN if hidden else value


RESPONSE_COLUMNS = [Column("Педагогов в ЦПП", "int"), Column("Подали самооценку", "int"),
                    Column("Доля ответивших", "percent")]


def response_row(row) -> list:
    return [row.name, row.teachers, row.respondents, row.rate]


def distribution_columns(first: str, titles: list[str]) -> list[Column]:
    columns = [Column(first), Column("Респондентов", "int")]
    for title in titles:
        columns += [Column(f"{title}: чел.", "int"), Column(f"{title}: доля", "percent")]
    return columns


def distribution_row(distribution: Distribution) -> list:
    hidden = distribution.suppressed and distribution.respondents > 0
    values = [distribution.title, HIDDEN if hidden else distribution.respondents]
    for cell in distribution.cells:
        values += [HIDDEN if hidden else cell.count, percent_or_hidden(distribution.fraction(cell), hidden)]
    return values


PLATFORM_COLUMNS = [
    Column("Пункт"), Column("Платформа"),
    Column("С подтверждённой активной учётной записью: респондентов", "int"),
    Column("С учётной записью: оценили на 3 и выше", "int"), Column("С учётной записью: доля", "percent"),
    Column("Без неё: респондентов", "int"),
    Column("Без неё: оценили на 3 и выше", "int"), Column("Без неё: доля", "percent"),
]


def platform_row(rating: PlatformRating) -> list:
    values = [rating.item_title, rating.platform_name]
    for cell in (rating.with_account, rating.without_account):
        hidden = cell.suppressed and cell.respondents > 0
        values += [HIDDEN if hidden else cell.respondents, HIDDEN if hidden else cell.count,
                   percent_or_hidden(PlatformRating.fraction(cell), hidden)]
    return values


DEMAND_COLUMNS = [
    Column("В маршрутах", "int"), Column("Подали заявку", "int"), Column("Обучаются", "int"),
    Column("Завершили", "int"), Column("Ещё не записались", "int"),
]


def demand_row(demand) -> list:
    return [demand.routes, demand.applied, demand.enrolled, demand.completed, demand.not_yet]
