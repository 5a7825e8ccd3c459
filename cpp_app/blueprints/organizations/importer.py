"""Reading and checking an organisation registry file (CSV or XLSX) before anything touches the database."""
import difflib
from collections.abc import Iterable
from dataclasses import dataclass

from ...domain.inn import is_valid_inn, is_valid_ogrn
from ...kernel.plural import genitive
from ...models import ORGANIZATION_KIND_LABELS, Organization, OrganizationKind
from ...queries import fold_words
from ...tabular import Row, RowError, header_key
from .registry import OrganizationRecord

# --- validating ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    field: str
    title: str
    synonyms: tuple[str, ...]
    required: bool = False


COLUMNS = (
    Column("full_name", "Полное наименование", (
        "полное наименование", "полное наименование организации", "наименование полное", "полное название",
        "full name",
    ), required=True),
    Column("short_name", "Краткое наименование", (
        "краткое наименование", "краткое наименование организации", "сокращенное наименование",
        "сокращенное наименование организации", "наименование краткое", "краткое название", "short name",
    ), required=True),
    Column("kind", "Тип", ("тип", "тип организации", "вид", "вид организации", "kind"), required=True),
    Column("inn", "ИНН", ("инн", "инн организации", "inn"), required=True),
    Column("ogrn", "ОГРН", ("огрн", "ogrn")),
    Column("oktmo", "ОКТМО", ("октмо", "oktmo")),
    Column("municipality", "Муниципалитет", (
        "муниципалитет", "муниципальное образование", "муниципальный район", "муниципальный район округ",
        "municipality",
    ), required=True),
    Column("head_inn", "ИНН головной организации", (
        "инн головной организации", "инн головной", "инн головного учреждения", "head inn",
    )),
    Column("address", "Адрес", ("адрес", "адрес организации", "юридический адрес", "address")),
)
TITLES = {column.field: column.title for column in COLUMNS}
_HEADER_FIELDS = {header_key(synonym): column.field for column in COLUMNS for synonym in column.synonyms}

_KIND_WORDS = {
    OrganizationKind.SCHOOL: (
        "школа", "оо", "общеобразовательная организация", "общеобразовательное учреждение",
        "головное", "головная", "головная организация",
    ),
    OrganizationKind.BRANCH: ("филиал", "филиал оо"),
    OrganizationKind.COLLEGE: ("спо", "колледж", "техникум", "профессиональная образовательная организация"),
    OrganizationKind.PRESCHOOL: (
        "доо", "дошкольная", "дошкольная оо", "дошкольная образовательная организация", "детский сад",
    ),
    OrganizationKind.ADDITIONAL: (
        "до", "доп образование", "дополнительное образование", "организация дополнительного образования", "удо",
    ),
}
_KINDS = {
    header_key(word): kind
    for kind in OrganizationKind
    for word in (*_KIND_WORDS[kind], kind.value, ORGANIZATION_KIND_LABELS[kind])
}

# Limits come from the model so that a file cannot pass here and then fail in the database.
_MAX_LENGTHS = {
    field: Organization.__table__.c[field].type.length for field in ("full_name", "short_name", "address")
}


def _digits(value: str) -> str:
    return "".join(value.split())


def _inn_problem(title: str, inn: str) -> str | None:
    if not (inn.isdigit() and len(inn) == 10):
        return f"{title} «{inn}» должен состоять из 10 цифр"
    if not is_valid_inn(inn):
        return f"{title} «{inn}» не проходит проверку контрольной цифры — вероятно, опечатка"
    return None


def _is_same_as_head(value: str) -> bool:
    return header_key(value).startswith("как у головн")


@dataclass
class _Draft:
    """One row's values after per-row checks; cross-row checks finish it."""

    line: int
    values: dict[str, str | None]
    kind: OrganizationKind | None
    municipality: str | None


def validate(
    rows: list[Row], known_municipalities: Iterable[str], known_head_inns: Iterable[str]
) -> tuple[list[OrganizationRecord], list[RowError]]:
    """Records ready for upsert_organizations, or every problem found; records only when there are no errors.

    known_head_inns are INNs of non-branch organisations already in the registry.
    """
    if not rows:
        return [], [RowError(1, "файл пуст: в нём нет ни одной строки с организацией")]
    fields, errors = _map_header(rows[0][1].keys())
    if errors:
        return [], errors

    municipalities = {fold_words(name): name for name in known_municipalities}
    drafts = []
    for line, raw in rows:
        values = {field: " ".join(raw.get(header, "").split()) or None for header, field in fields.items()}
        drafts.append(_check_row(line, values, municipalities, errors))
    _check_across_rows(drafts, set(known_head_inns), errors)
    if errors:
        return [], sorted(errors, key=lambda error: error.line)
    return [_record(draft) for draft in drafts], []


def _map_header(headers: Iterable[str]) -> tuple[dict[str, str], list[RowError]]:
    """Header text → field; unknown columns (№ п/п, notes) are ignored."""
    fields: dict[str, str] = {}
    seen: dict[str, str] = {}
    errors = []
    for header in headers:
        field = _HEADER_FIELDS.get(header_key(header))
        if field is None:
            continue
        if field in seen:
            errors.append(RowError(1, f"столбцы «{seen[field]}» и «{header}» оба означают «{TITLES[field]}»"))
            continue
        seen[field] = header
        fields[header] = field
    missing = [column.title for column in COLUMNS if column.required and column.field not in seen]
    if missing:
        errors.append(RowError(1, "нет обязательных столбцов: " + ", ".join(f"«{title}»" for title in missing)))
    return fields, errors


def _check_row(
    line: int, values: dict[str, str | None], municipalities: dict[str, str], errors: list[RowError]
) -> _Draft:
    def problem(message: str) -> None:
        errors.append(RowError(line, message))

    for field in ("full_name", "short_name", "kind", "municipality"):
        if not values.get(field):
            problem(f"не заполнено «{TITLES[field]}»")
    for field, limit in _MAX_LENGTHS.items():
        if values.get(field) and len(values[field]) > limit:
            problem(f"«{TITLES[field]}» длиннее {limit} {genitive(limit, 'символа', 'символов')} ({len(values[field])})")

    kind = None
    if values.get("kind"):
        kind = _KINDS.get(header_key(values["kind"]))
        if kind is None:
            problem(
                f"Тип «{values['kind']}» не распознан; допустимо: "
                + ", ".join(ORGANIZATION_KIND_LABELS.values())
            )

    inn = values.get("inn")
    if inn and _is_same_as_head(inn):
        values["inn"] = None
        if kind is not None and kind != OrganizationKind.BRANCH:
            problem(f"ИНН «{inn}» допускается только у филиала; укажите ИНН организации")
    elif inn:
        values["inn"] = _digits(inn)
        if message := _inn_problem("ИНН", values["inn"]):
            problem(message)
    elif kind is not None and kind != OrganizationKind.BRANCH:
        problem("не заполнено «ИНН»: он обязателен для всех, кроме филиалов")

    if values.get("head_inn"):
        values["head_inn"] = _digits(values["head_inn"])
        if kind is not None and kind != OrganizationKind.BRANCH:
            problem("«ИНН головной организации» заполняется только у филиала")
        elif message := _inn_problem("ИНН головной организации", values["head_inn"]):
            problem(message)

    if values.get("ogrn"):
        ogrn = values["ogrn"] = _digits(values["ogrn"])
        if not (ogrn.isdigit() and len(ogrn) in (13, 15)):
            problem(f"ОГРН «{ogrn}» должен состоять из 13 цифр (15 — у ОГРНИП)")
        elif not is_valid_ogrn(ogrn):
            problem(f"ОГРН «{ogrn}» не проходит проверку контрольной цифры — вероятно, опечатка")

    if values.get("oktmo"):
        oktmo = _digits(values["oktmo"])
        # Every Krasnoyarsk OKTMO starts with 04, and Excel drops that zero from a numeric cell.
        if oktmo.isdigit() and len(oktmo) in (7, 10):
            oktmo = "0" + oktmo
        values["oktmo"] = oktmo
        if not (oktmo.isdigit() and len(oktmo) in (8, 11)):
            problem(f"ОКТМО «{oktmo}» должен состоять из 8 или 11 цифр")

    municipality = None
    if values.get("municipality"):
        municipality = municipalities.get(fold_words(values["municipality"]))
        if municipality is None:
            close = difflib.get_close_matches(fold_words(values["municipality"]), municipalities, n=1)
            hint = f"; возможно, имелось в виду «{municipalities[close[0]]}»" if close else ""
            problem(f"Муниципалитет «{values['municipality']}» отсутствует в справочнике муниципалитетов{hint}")

    return _Draft(line, values, kind, municipality)


def _folded_name(draft: _Draft) -> str:
    return fold_words(draft.values.get("full_name") or "")


def _check_across_rows(drafts: list[_Draft], known_head_inns: set[str], errors: list[RowError]) -> None:
    heads_in_file: dict[str, _Draft] = {}
    for draft in drafts:
        inn = draft.values.get("inn")
        if draft.kind in (None, OrganizationKind.BRANCH) or not inn:
            continue
        first = heads_in_file.setdefault(inn, draft)
        # The same name twice is a repeated row, reported below; a different name is a second legal entity.
        if first is not draft and _folded_name(first) != _folded_name(draft):
            errors.append(RowError(
                draft.line,
                f"ИНН «{inn}» уже указан в строке {first.line} у другой организации; "
                "общий ИНН бывает только у головной организации и её филиалов",
            ))

    for draft in drafts:
        if draft.kind == OrganizationKind.BRANCH:
            _resolve_branch(draft, heads_in_file.keys() | known_head_inns, errors)

    first_line: dict[tuple[str | None, str], int] = {}
    for draft in drafts:
        if not draft.values.get("full_name"):
            continue
        identity = (draft.values.get("inn"), _folded_name(draft))
        if identity in first_line:
            inn = f" с ИНН «{identity[0]}»" if identity[0] else " без ИНН"
            errors.append(RowError(
                draft.line,
                f"организация «{draft.values['full_name']}»{inn} уже есть в строке {first_line[identity]}",
            ))
        else:
            first_line[identity] = draft.line


def _resolve_branch(draft: _Draft, head_inns: set[str], errors: list[RowError]) -> None:
    """A branch is not a legal entity: its INN is its head organisation's.

    «Моя школа» exports branches whose head is unknown, so both INNs may be empty. A head INN that
    is written must name a head organisation; a branch's own INN links it to its head when there is one.
    """
    inn, head_inn = draft.values.get("inn"), draft.values.get("head_inn")
    if inn and head_inn and inn != head_inn:
        errors.append(RowError(
            draft.line, f"ИНН филиала «{inn}» должен совпадать с «ИНН головной организации» «{head_inn}»"
        ))
    elif head_inn and not _inn_problem("ИНН", head_inn):  # a malformed one is already reported
        if head_inn in head_inns:
            draft.values["inn"] = head_inn
        else:
            errors.append(RowError(
                draft.line, f"головная организация с ИНН «{head_inn}» не найдена ни в файле, ни в реестре"
            ))
    elif inn in head_inns:
        draft.values["head_inn"] = inn


def _record(draft: _Draft) -> OrganizationRecord:
    values = draft.values
    return OrganizationRecord(
        full_name=values["full_name"],
        short_name=values["short_name"],
        kind=draft.kind,
        municipality=draft.municipality,
        inn=values.get("inn"),
        ogrn=values.get("ogrn"),
        oktmo=values.get("oktmo"),
        head_inn=values.get("head_inn"),
        address=values.get("address"),
    )
