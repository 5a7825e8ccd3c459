"""Reading and checking a staff register exported from КИАСУО (CSV or XLSX) before anything touches the database."""
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import IO

from email_validator import EmailNotValidError, validate_email

from ...domain.phone import PhoneError, normalize_phone
from ...models import StaffRegisterEntry
from ...queries import fold_words
from ...tabular import PARSE_SECONDS, ImportFileError, Row, RowError, header_key, read_upload


class RegisterError(Exception):
    """The register cannot be imported; `errors` lists every problem, by line where there is one."""

    def __init__(self, errors: list[RowError | str]):
        super().__init__(errors)
        self.errors = errors


@dataclass(frozen=True)
class RegisterRecord:
    line: int
    full_name: str
    surname: str
    email: str | None
    phone: str | None
    position: str | None


def surname_key(name: str) -> str:
    """How surnames are compared: case-insensitive, «ё» = «е», the hyphen of a double surname kept."""
    return fold_words(name)


# --- headers --------------------------------------------------------------------------------


_SYNONYMS = {
    "full_name": (
        "фио", "ф и о", "фамилия имя отчество", "фамилия имя отчество полностью", "фио полностью",
        "фио сотрудника", "фио работника", "фио педагога", "сотрудник", "работник", "педагог", "full name",
    ),
    "last_name": ("фамилия", "last name"),
    "first_name": ("имя", "first name"),
    "middle_name": ("отчество", "middle name"),
    "email": (
        "email", "e mail", "e mail адрес", "mail", "эл почта", "электронная почта", "адрес электронной почты",
        "адрес эл почты", "электронный адрес", "почта", "емейл", "имейл",
    ),
    # Mobile columns first: when a register has both, a teacher registers with the mobile number.
    "mobile": (
        "моб телефон", "мобильный телефон", "телефон мобильный", "моб тел", "мобильный", "сотовый телефон",
        "сотовый", "телефон сотовый", "mobile",
    ),
    "phone": (
        "телефон", "тел", "контактный телефон", "номер телефона", "контактный номер телефона", "телефоны",
        "телефон рабочий", "рабочий телефон", "phone",
    ),
    "position": ("должность", "занимаемая должность", "основная должность", "должность основная", "position"),
}
_HEADER_FIELDS = {header_key(synonym): field for field, synonyms in _SYNONYMS.items() for synonym in synonyms}
# Registers often carry a work phone next to the mobile one, so several phone columns are allowed.
_REPEATABLE = {"mobile", "phone"}

_MAX = {
    "full_name": StaffRegisterEntry.__table__.c.full_name.type.length,
    "position": StaffRegisterEntry.__table__.c.position.type.length,
    "email": StaffRegisterEntry.__table__.c.email.type.length,
}


def _map_header(headers: Iterable[str]) -> tuple[dict[str, list[str]], list[RowError]]:
    columns: dict[str, list[str]] = {}
    errors = []
    for header in headers:
        field = _HEADER_FIELDS.get(header_key(header))
        if field is None:
            continue  # № п/п, СНИЛС, notes
        if field in columns and field not in _REPEATABLE:
            errors.append(RowError(1, f"столбцы «{columns[field][0]}» и «{header}» означают одно и то же"))
            continue
        columns.setdefault(field, []).append(header)
    if "full_name" not in columns and not {"last_name", "first_name"} <= columns.keys():
        errors.append(RowError(1, "нет столбца «ФИО» (или столбцов «Фамилия» и «Имя»)"))
    if not columns.keys() & {"email", "mobile", "phone"}:
        errors.append(RowError(1, "нет ни столбца с адресом электронной почты, ни столбца с телефоном"))
    return columns, errors


# --- rows -----------------------------------------------------------------------------------


def _value(raw: dict[str, str], columns: dict[str, list[str]], field: str) -> str:
    return " ".join(" ".join(raw.get(header, "") for header in columns.get(field, ())).split())


def _phone(raw: dict[str, str], columns: dict[str, list[str]]) -> tuple[str | None, str | None]:
    """The first valid number of the row (several may share a cell: «8-913-…, 2-13-45»), or the problem."""
    written = []
    for header in (*columns.get("mobile", ()), *columns.get("phone", ())):
        written += [part.strip() for part in re.split(r"[,;/]|\s{2,}", raw.get(header, "")) if part.strip()]
    for text in written:
        try:
            return normalize_phone(text), None
        except PhoneError:
            continue
    if written:
        return None, f"телефон «{', '.join(written)}» не распознан (пример: +7 912 345-67-89)"
    return None, None


def _check_row(line: int, raw: dict[str, str], columns: dict[str, list[str]], errors: list[RowError]) -> RegisterRecord:
    def problem(message: str) -> None:
        errors.append(RowError(line, message))

    full_name = _value(raw, columns, "full_name") or " ".join(
        _value(raw, columns, field) for field in ("last_name", "first_name", "middle_name") if _value(raw, columns, field)
    )
    if not full_name:
        problem("не заполнено «ФИО»")
    elif len(full_name.split()) < 2:
        problem(f"в ФИО «{full_name}» нужны хотя бы фамилия и имя")
    elif len(full_name) > _MAX["full_name"]:
        problem(f"ФИО длиннее {_MAX['full_name']} символов")
    # КИАСУО writes the surname first; a separate «Фамилия» column, when it is the source, is taken as is.
    surname = _value(raw, columns, "last_name") if "full_name" not in columns else ""
    surname = surname or (full_name.split() or [""])[0]

    email = _value(raw, columns, "email") or None
    if email:
        try:
            email = validate_email(email, check_deliverability=False).normalized.lower()
        except EmailNotValidError:
            problem(f"адрес электронной почты «{email}» некорректен (нужен вид name@example.ru)")
        else:
            if len(email) > _MAX["email"]:
                problem(f"адрес электронной почты длиннее {_MAX['email']} символов")

    phone, phone_problem = _phone(raw, columns)
    if phone_problem:
        problem(phone_problem)

    position = _value(raw, columns, "position") or None
    if position and len(position) > _MAX["position"]:
        problem(f"«Должность» длиннее {_MAX['position']} символов")
    return RegisterRecord(line, full_name, surname, email, phone, position)


def validate_register(rows: list[Row]) -> tuple[list[RegisterRecord], list[RowError]]:
    """Records ready to import, or every problem found; records only when there are none."""
    if not rows:
        return [], [RowError(1, "файл пуст: в нём нет ни одной строки с сотрудником")]
    columns, errors = _map_header(rows[0][1].keys())
    if errors:
        return [], errors
    records = [_check_row(line, raw, columns, errors) for line, raw in rows]
    first_line: dict[str, int] = {}
    for record in records:
        if record.email and record.email in first_line:
            errors.append(RowError(record.line, f"адрес «{record.email}» уже указан в строке {first_line[record.email]}"))
        elif record.email:
            first_line[record.email] = record.line
    if errors:
        return [], sorted(errors, key=lambda error: error.line)
    return records, []


# A school's register is tens of kilobytes; the bound keeps a stray large file from being parsed at all.
MAX_REGISTER_BYTES = 5 * 1024 * 1024
# The largest organisations have a few hundred staff; more rows is another file (a whole municipality's, say).
MAX_REGISTER_ROWS = 5_000
TOO_MANY_STAFF = f"В реестре больше {MAX_REGISTER_ROWS:,} строк".replace(",", " ") + (
    " — это больше, чем работает в одной организации. Проверьте файл: возможно, в нём реестр всего муниципалитета "
    "или строки повторяются."
)


def read_register(stream: IO[bytes], filename: str, *, seconds: float = PARSE_SECONDS) -> list[RegisterRecord]:
    """The uploaded register's records, all or none; raises RegisterError listing every problem.

    Reading the file stops after `seconds` (the app's TABULAR_PARSE_SECONDS)."""
    data = stream.read(MAX_REGISTER_BYTES + 1)
    if len(data) > MAX_REGISTER_BYTES:
        raise RegisterError([f"Файл больше {MAX_REGISTER_BYTES // (1024 * 1024)} МБ: реестр сотрудников школы "
                             "занимает десятки килобайт — проверьте, тот ли это файл."])
    try:
        rows = read_upload(data, filename, seconds=seconds)
    except ImportFileError as error:
        raise RegisterError([str(error)]) from None
    if len(rows) > MAX_REGISTER_ROWS:
        raise RegisterError([TOO_MANY_STAFF])
    records, errors = validate_register(rows)
    if errors:
        raise RegisterError(errors)
    return records


def surname_matches(record_surname: str, user_last_name: str | None) -> bool:
    return bool(user_last_name) and surname_key(record_surname) == surname_key(user_last_name)


# --- comparison with the register loaded before -------------------------------------------------


@dataclass(frozen=True)
class RegisterRow:
    """What a register row says of a person, as stored: the line number is where, not what."""

    full_name: str
    email: str | None
    phone: str | None
    position: str | None

    @classmethod
    def of(cls, record: RegisterRecord) -> "RegisterRow":
        return cls(record.full_name, record.email, record.phone, record.position)


@dataclass(frozen=True)
class RegisterDiff:
    added: int
    removed: int
    changed: int  # the same person (by name), another e-mail, phone or position
    unchanged: int


def compare_registers(old: Iterable[RegisterRow], new: Iterable[RegisterRow]) -> RegisterDiff:
    """How the new register differs from the old one, row by row whatever their order; a person named twice counts
    twice (multisets)."""
    old_rows, new_rows = Counter(old), Counter(new)
    same = old_rows & new_rows
    old_rest, new_rest = old_rows - same, new_rows - same
    names_old = Counter(surname_key(row.full_name) for row in old_rest.elements())
    names_new = Counter(surname_key(row.full_name) for row in new_rest.elements())
    changed = sum((names_old & names_new).values())
    return RegisterDiff(
        added=new_rest.total() - changed, removed=old_rest.total() - changed, changed=changed,
        unchanged=same.total(),
    )
