"""Reading the federal licence registry's JSON (Рособрнадзор's public API) into registry records, all or none.

The file is one page of the API (`{"data": {"list": [...]}}`) or a plain list of its licence records. Only the
region's records with a licence in force become organisations; the rest are counted as skipped, with the reason.
The mapping is documented in the README («Импорт из реестра лицензий»).
"""
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime

from ...domain.address_municipality import municipality_of_address
from ...domain.inn import is_valid_inn, is_valid_ogrn
from ...kernel.plural import genitive
from ...models import Organization, OrganizationKind
from ...tabular import RowError
from .registry import OrganizationRecord

REGION_CODE = 24  # Красноярский край
IN_FORCE = {"inforce", "действующая", "действующее", "действует"}

# Education levels of the licence supplements → the organisation's kind, strongest first: a school that also runs
# a kindergarten group is a school; a university with a college is counted where ЦПП needs it, as СПО.
_LEVEL_KINDS = (
    (OrganizationKind.SCHOOL, ("начальное общее", "основное общее", "среднее общее")),
    (OrganizationKind.COLLEGE, ("среднее профессиональное",)),
    (OrganizationKind.PRESCHOOL, ("дошкольное",)),
    (OrganizationKind.ADDITIONAL, ("дополнительное образование детей",)),
)
_MAX_LENGTHS = {name: Organization.__table__.c[name].type.length for name in ("full_name", "short_name", "address")}


@dataclass
class RegistryRead:
    records: list[OrganizationRecord] = field(default_factory=list)
    skipped: Counter = field(default_factory=Counter)  # reason → number of licence records
    errors: list[RowError] = field(default_factory=list)


class RecordError(RowError):
    def __str__(self) -> str:
        return f"Запись {self.line}: {self.message}" if self.line else self.message


@dataclass
class _Entry:
    number: int
    uuid: str | None
    head_uuid: str | None
    record: OrganizationRecord


def licence_records(data) -> list | None:
    """The list of licence records of an API page or of a plain list; None for any other shape."""
    if isinstance(data, dict) and isinstance(data.get("data"), dict):
        data = data["data"].get("list")
    return data if isinstance(data, list) else None


def read_registry(data, municipalities: list[str], known_head_inns: set[str], today: date) -> RegistryRead:
    """Records ready for upsert_organizations(match_registry=True), or every problem found (then no records)."""
    result = RegistryRead()
    items = licence_records(data)
    if items is None:
        result.errors.append(RecordError(0, "ожидается страница реестра {\"data\": {\"list\": [...]}} или список записей"))
        return result
    entries: list[_Entry] = []
    for number, item in enumerate(items, start=1):
        problems: list[str] = []
        entry = _entry(number, item, municipalities, today, problems, result.skipped)
        result.errors += [RecordError(number, problem) for problem in problems]
        if entry is not None and not problems:
            entries.append(entry)
    _check_across(entries, known_head_inns, result.errors)
    result.errors.sort(key=lambda error: error.line)
    result.records = [] if result.errors else [entry.record for entry in entries]
    return result


def _text(value) -> str:
    return " ".join(value.split()) if isinstance(value, str) else ""


def _section(parent: dict, key: str) -> dict:
    value = parent.get(key)
    return value if isinstance(value, dict) else {}


def _entry(number: int, item, municipalities, today: date, problems: list[str], skipped: Counter) -> _Entry | None:
    if not isinstance(item, dict) or not isinstance(item.get("edu_org"), dict):
        problems.append("нет сведений об организации (поле edu_org)")
        return None
    org = item["edu_org"]
    region = _section(item, "region") or _section(org, "region")
    code = str(region.get("code") or "").strip()
    if not code.isdigit():
        problems.append("region.code: не указан код региона")
        return None
    if int(code) != REGION_CODE:
        skipped["запись другого региона"] += 1
        return None
    if not _in_force(item, today):
        skipped["лицензия недействующая"] += 1
        return None
    is_branch = org.get("is_branch") is True
    kind = OrganizationKind.BRANCH if is_branch else _kind(item)
    if kind is None:
        skipped["нет общего, среднего профессионального, дошкольного или дополнительного образования детей"] += 1
        return None

    legal = _section(org, "legal_info")
    inn, kpp, ogrn = (_text(legal.get(key)).replace(" ", "") for key in ("inn", "kpp", "ogrn"))
    if not inn:
        problems.append("edu_org.legal_info.inn: не указан ИНН")
    elif not (inn.isdigit() and len(inn) == 10):
        problems.append(f"edu_org.legal_info.inn: ИНН «{inn}» должен состоять из 10 цифр")
    elif not is_valid_inn(inn):
        problems.append(f"edu_org.legal_info.inn: ИНН «{inn}» не проходит проверку контрольной цифры")
    if kpp and not (len(kpp) == 9 and kpp[:4].isdigit() and kpp[6:].isdigit() and kpp[4:6].isalnum()):
        problems.append(f"edu_org.legal_info.kpp: КПП «{kpp}» должен состоять из 9 знаков (NNNNPPNNN)")
    if ogrn and not is_valid_ogrn(ogrn):
        problems.append(f"edu_org.legal_info.ogrn: ОГРН «{ogrn}» не проходит проверку (13 цифр и контрольная)")

    full_name = _text(org.get("full_name"))
    short_name = _text(org.get("short_name")) or full_name
    if not full_name:
        problems.append("edu_org.full_name: не указано полное наименование")
    address = _text(_section(org, "contact_info").get("post_address"))
    for name, value in (("full_name", full_name), ("short_name", short_name), ("address", address)):
        if len(value) > _MAX_LENGTHS[name]:
            limit = _MAX_LENGTHS[name]
            problems.append(f"edu_org.{name}: длиннее {limit} {genitive(limit, 'символа', 'символов')}")
    municipality, candidates = municipality_of_address(address, municipalities)
    if municipality is None:
        where = f"«{address}»" if address else "(адрес не указан)"
        hint = (": подходят " + ", ".join(f"«{name}»" for name in candidates)) if candidates else ""
        problems.append(f"edu_org.contact_info.post_address: по адресу {where} не определён муниципалитет{hint}")

    record = OrganizationRecord(
        full_name=full_name, short_name=short_name, kind=kind, municipality=municipality or "", inn=inn or None,
        ogrn=ogrn or None, kpp=kpp or None, address=address or None,
    )
    return _Entry(number, _text(org.get("uuid")) or None, _text(org.get("head_edu_org_id")) or None, record)


def _in_force(item: dict, today: date) -> bool:
    status = _section(item, "status")
    words = {_text(status.get("code")).lower(), _text(status.get("name")).lower()} - {""}
    if words and not words & IN_FORCE:
        return False
    end = _text(item.get("end_date"))
    if end:
        try:
            return datetime.fromisoformat(end[:10]).date() >= today
        except ValueError:
            return False
    return True


def _levels(item: dict) -> set[str]:
    names = set()
    for supplement in item.get("supplements") or []:
        if not isinstance(supplement, dict):
            continue
        programs = [supplement, *(p for p in supplement.get("educational_programs") or [] if isinstance(p, dict))]
        names |= {_text(_section(p, "edu_level").get("name")).lower() for p in programs}
    return names - {""}


def _kind(item: dict) -> OrganizationKind | None:
    levels = _levels(item)
    for kind, stems in _LEVEL_KINDS:
        if any(level.startswith(stem) for level in levels for stem in stems):
            return kind
    return None


def _check_across(entries: list[_Entry], known_head_inns: set[str], errors: list[RowError]) -> None:
    """One licence in force per organisation; branches link to their head through the head's uuid or INN."""
    heads: dict[str, _Entry] = {}
    branches: dict[tuple[str, str], _Entry] = {}
    for entry in entries:
        record = entry.record
        if record.kind != OrganizationKind.BRANCH:
            first = heads.setdefault(record.inn, entry)
            if first is not entry:
                errors.append(RecordError(entry.number, f"edu_org.legal_info.inn: ИНН «{record.inn}» уже есть в "
                                                        f"записи {first.number} — две действующие лицензии"))
        elif record.kpp:
            first = branches.setdefault((record.inn, record.kpp), entry)
            if first is not entry:
                errors.append(RecordError(entry.number, f"edu_org.legal_info.kpp: филиал с ИНН «{record.inn}» и КПП "
                                                        f"«{record.kpp}» уже есть в записи {first.number}"))
    by_uuid = {entry.uuid: entry for entry in heads.values() if entry.uuid}
    for entry in entries:
        record = entry.record
        if record.kind != OrganizationKind.BRANCH:
            continue
        head = by_uuid.get(entry.head_uuid) if entry.head_uuid else None
        if head is not None and head.record.inn != record.inn:
            errors.append(RecordError(entry.number, f"edu_org.legal_info.inn: ИНН филиала «{record.inn}» не совпадает "
                                                    f"с ИНН головной организации «{head.record.inn}» (запись {head.number})"))
        elif head is not None or record.inn in heads or record.inn in known_head_inns:
            entry.record = OrganizationRecord(**{**record.__dict__, "head_inn": record.inn})
