"""Methodology versions: a versioned indicator set read from a data file, validated with every problem reported.

A file (YAML or JSON) becomes a frozen `Methodology`; `to_dict()` is its canonical plain form, the one the
app stores as JSON, and `methodology_hash()` of that form recognises identical content.
"""
import hashlib
import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from fractions import Fraction
from functools import cached_property
from pathlib import Path
from typing import Any

import yaml

from ..kernel.plural import genitive

SCORING_KINDS = ("sum", "all_or_nothing")
ORGANIZATION_KINDS = ("school", "branch", "college", "preschool", "additional")
ACCOUNT_STATUSES = ("not_registered", "registered", "active")  # canonical order, also for to_dict()
PLATFORMS = ("sferum", "vk_messenger", "moya_shkola", "cok_library", "kiasuo", "resh", "gosuslugi")
AUTO_KINDS = ("platform_shares",)
# Who a methodology assesses: a school's digital environment, or a teacher's own digital readiness.
SUBJECTS = ("school", "teacher")
# A teacher instrument: 6–7 areas, 20–30 items in all, each item scored 0..5 by six statements.
TEACHER_AREAS = (6, 7)
TEACHER_ITEMS = (20, 30)
TEACHER_SCORES = (0, 1, 2, 3, 4, 5)

# Column widths of methodology_versions / diagnostic_answers: a longer value would fail only at publication.
MAX_CODE_LENGTH = 50
MAX_INDICATOR_CODE_LENGTH = 100
MAX_TITLE_LENGTH = 300

_CODE = re.compile(r"^[a-z][a-z0-9_]*(?:\.[a-z0-9_]+)*$")


@dataclass(frozen=True)
class Problem:
    source: str  # file name
    path: str  # e.g. sections[0].indicators[3].levels[2].text; "" for the document itself
    message: str  # Russian
    line: int | None = None  # 1-based, for syntax errors

    def __str__(self) -> str:
        where = self.source
        if self.line is not None:
            where += f", строка {self.line}"
        if self.path:
            where += f", {self.path}"
        return f"{where}: {self.message}"


class MethodologyError(ValueError):
    def __init__(self, problems: list[Problem]):
        self.problems = list(problems)
        super().__init__("Методика не прошла проверку:\n" + "\n".join(f"- {p}" for p in self.problems))


@dataclass(frozen=True)
class Level:
    score: int
    text: str


@dataclass(frozen=True)
class LevelThreshold:
    code: str
    title: str
    min_share: float  # share of Methodology.max_points from which this level starts
    description: str | None = None  # teacher instruments: what this level means in practice


@dataclass(frozen=True)
class PlatformCondition:
    """Teachers with an account on `platform` in one of `statuses`: at least `min_share` of the staff and
    at least `min_count` people (each bound optional, at least one given)."""

    platform: str
    statuses: tuple[str, ...]  # in ACCOUNT_STATUSES order
    min_share: float | None = None
    min_count: int | None = None
    note: str | None = None


@dataclass(frozen=True)
class AutoLevel:
    score: int
    conditions: tuple[PlatformCondition, ...]  # all must hold


@dataclass(frozen=True)
class AutoRule:
    kind: str  # "platform_shares"
    levels: tuple[AutoLevel, ...]  # consecutive non-zero scores from the lowest upward; cumulative
    note: str | None = None


@dataclass(frozen=True)
class Indicator:
    code: str
    title: str
    levels: tuple[Level, ...]  # scores strictly rising from 0
    critical: bool = False
    short_title: str | None = None  # for tables and sentences; `label` falls back to the title
    auto: AutoRule | None = None
    note: str | None = None
    example: str | None = None  # teacher instruments: a concrete example of the practice
    platform: str | None = None  # teacher instruments: the state platform the item is about

    @property
    def label(self) -> str:
        return self.short_title or self.title

    @property
    def scores(self) -> tuple[int, ...]:
        return tuple(level.score for level in self.levels)

    @property
    def max_score(self) -> int:
        return self.levels[-1].score

    def level(self, score: int) -> Level:
        for level in self.levels:
            if level.score == score:
                return level
        raise KeyError(score)

    def next_level(self, score: int) -> Level | None:
        """The next existing level above `score`, None at the top."""
        return next((level for level in self.levels if level.score > score), None)


@dataclass(frozen=True)
class Section:
    code: str
    title: str
    scoring: str  # "sum" | "all_or_nothing"
    indicators: tuple[Indicator, ...]
    counts_towards_level: bool = True
    points: int | None = None  # all_or_nothing only: the section's points when every item is 1
    key_condition: str | None = None
    criterion: str | None = None
    note: str | None = None

    @property
    def max_points(self) -> int:
        if self.scoring == "all_or_nothing":
            return self.points or 0
        return sum(indicator.max_score for indicator in self.indicators)

    def points_for(self, scores: Mapping[str, int]) -> int:
        """The section's points for scores by indicator code (a missing code counts as 0)."""
        values = [scores.get(indicator.code) or 0 for indicator in self.indicators]
        if self.scoring == "all_or_nothing":
            return (self.points or 0) if all(value == 1 for value in values) else 0
        return sum(values)


@dataclass(frozen=True)
class Methodology:
    code: str
    version: int
    title: str
    year: str
    applies_to: tuple[str, ...]
    thresholds: tuple[LevelThreshold, ...]  # min_share strictly rising from 0
    sections: tuple[Section, ...]
    critical_cap: str | None = None  # threshold code; a critical indicator at 0 caps the level here
    levels_note: str | None = None
    note: str | None = None
    subject: str = "school"

    @property
    def indicators(self) -> tuple[Indicator, ...]:
        return tuple(indicator for section in self.sections for indicator in section.indicators)

    @cached_property
    def _by_code(self) -> dict[str, tuple[Section, Indicator]]:
        return {indicator.code: (section, indicator) for section in self.sections for indicator in section.indicators}

    def indicator(self, code: str) -> Indicator | None:
        """None for a code the methodology does not have (a form may post anything)."""
        found = self._by_code.get(code)
        return found[1] if found else None

    def section_of(self, code: str) -> Section | None:
        """The section holding the indicator `code`, None for an unknown code."""
        found = self._by_code.get(code)
        return found[0] if found else None

    def section(self, code: str) -> Section:
        for section in self.sections:
            if section.code == code:
                return section
        raise KeyError(code)

    def threshold(self, code: str) -> LevelThreshold:
        for threshold in self.thresholds:
            if threshold.code == code:
                return threshold
        raise KeyError(code)

    @property
    def level_sections(self) -> tuple[Section, ...]:
        return tuple(section for section in self.sections if section.counts_towards_level)

    @property
    def max_points(self) -> int:
        """The maximum of the sections that count towards the level."""
        return sum(section.max_points for section in self.level_sections)

    def level_for(self, total: int, any_critical_failed: bool = False) -> LevelThreshold:
        """The highest threshold reached by `total` points (exactly, no float rounding), capped when needed."""
        share = Fraction(total, self.max_points)
        reached = [t for t in self.thresholds if share >= exact_share(t.min_share)][-1]
        if any_critical_failed and self.critical_cap is not None:
            cap = self.threshold(self.critical_cap)
            if self.thresholds.index(cap) < self.thresholds.index(reached):
                return cap
        return reached

    def to_dict(self) -> dict[str, Any]:
        """Canonical plain data: every optional key present, JSON-safe (auto levels keyed by strings).
        Teacher-only keys appear only in teacher instruments, so that school versions keep their hashes."""
        teacher = self.subject == "teacher"
        data = {
            "code": self.code,
            "version": self.version,
            "title": self.title,
            "year": self.year,
            "applies_to": list(self.applies_to),
            "note": self.note,
            "levels": {
                "note": self.levels_note,
                "thresholds": [
                    {"code": t.code, "title": t.title, "min_share": float(t.min_share)}
                    | ({"description": t.description} if teacher else {})
                    for t in self.thresholds
                ],
                "critical_cap": self.critical_cap,
            },
            "sections": [_section_dict(section, teacher) for section in self.sections],
        }
        if teacher:
            data["subject"] = self.subject
        return data


def _section_dict(section: Section, teacher: bool) -> dict[str, Any]:
    return {
        "code": section.code,
        "title": section.title,
        "key_condition": section.key_condition,
        "criterion": section.criterion,
        "scoring": section.scoring,
        "points": section.points,
        "counts_towards_level": section.counts_towards_level,
        "note": section.note,
        "indicators": [_indicator_dict(indicator, teacher) for indicator in section.indicators],
    }


def _indicator_dict(indicator: Indicator, teacher: bool) -> dict[str, Any]:
    auto = None
    if indicator.auto is not None:
        auto = {
            "kind": indicator.auto.kind,
            "note": indicator.auto.note,
            "levels": {
                str(level.score): [
                    {
                        "platform": c.platform,
                        "statuses": list(c.statuses),
                        "min_share": None if c.min_share is None else float(c.min_share),
                        "min_count": c.min_count,
                        "note": c.note,
                    }
                    for c in level.conditions
                ]
                for level in indicator.auto.levels
            },
        }
    data = {
        "code": indicator.code,
        "title": indicator.title,
        "short_title": indicator.short_title,
        "critical": indicator.critical,
        "note": indicator.note,
        "levels": [{"score": level.score, "text": level.text} for level in indicator.levels],
        "auto": auto,
    }
    if teacher:
        data |= {"example": indicator.example, "platform": indicator.platform}
    return data


def exact_share(value: float) -> Fraction:
    """The decimal the author wrote (0.3, not 0.299999…), so that 3 of 10 reaches 30 %."""
    return Fraction(str(value))


def methodology_hash(data: Mapping[str, Any]) -> str:
    """sha256 of canonical JSON: independent of key order and of how the file was laid out."""
    text = json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


# --- loading -------------------------------------------------------------------------------------------------


class _UniqueKeyLoader(yaml.SafeLoader):
    """PyYAML keeps the last of two equal keys silently; a pasted duplicate `levels:` must be an error."""

    def construct_mapping(self, node, deep=False):
        seen: set = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=True)
            try:
                duplicate = key in seen
                seen.add(key)
            except TypeError:
                continue  # an unhashable key; the base constructor reports it
            if duplicate:
                raise yaml.constructor.ConstructorError(
                    None, None, f"ключ «{key}» повторяется", key_node.start_mark
                )
        return super().construct_mapping(node, deep=deep)


def load_methodology_file(path: str | Path) -> Methodology:
    """A methodology from a .yaml/.yml or .json file; MethodologyError lists everything that is wrong."""
    path = Path(path)
    source = path.name
    suffix = path.suffix.lower()
    if suffix not in (".yaml", ".yml", ".json"):
        raise MethodologyError([Problem(source, "", "поддерживаются файлы .yaml, .yml и .json")])
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise MethodologyError([Problem(source, "", f"файл не в кодировке UTF-8 (байт {error.start})")]) from None
    if suffix == ".json":
        try:
            data = json.loads(text)
        except json.JSONDecodeError as error:
            raise MethodologyError(
                [Problem(source, "", f"ошибка синтаксиса JSON, столбец {error.colno}: {error.msg}", error.lineno)]
            ) from None
    else:
        try:
            data = yaml.load(text, Loader=_UniqueKeyLoader)  # nosec B506 # a SafeLoader subclass: no arbitrary objects
        except yaml.MarkedYAMLError as error:
            mark = error.problem_mark or error.context_mark
            line = mark.line + 1 if mark is not None else None
            column = f", столбец {mark.column + 1}" if mark is not None else ""
            what = _yaml_hint(error.problem or error.context or "")
            raise MethodologyError([Problem(source, "", f"ошибка синтаксиса YAML{column}: {what}", line)]) from None
        except yaml.YAMLError as error:
            raise MethodologyError([Problem(source, "", f"ошибка синтаксиса YAML: {error}")]) from None
    return parse_methodology(data, source)


# PyYAML explains in English; the commonest mistakes get a Russian hint, the original stays in brackets.
_YAML_HINTS = (
    ("повторяется", None),
    ("mapping values are not allowed", "двоеточие там, где его не ждут: проверьте отступы или возьмите текст в кавычки"),
    ("cannot start any token", "символ табуляции или служебный символ: отступы делаются пробелами"),
    ("expected ',' or ']'", "не закрыта квадратная скобка или не хватает запятой"),
    ("expected ',' or '}'", "не закрыта фигурная скобка или в тексте есть запятая: возьмите текст в кавычки"),
    ("could not find expected ':'", "не найдено двоеточие после ключа"),
    ("expected <block end>", "неверный отступ"),
    ("found unexpected end of stream", "файл оборвался: не закрыты кавычки или скобки"),
    ("found undefined alias", "ссылка * на неизвестный якорь &"),
)


def _yaml_hint(problem: str) -> str:
    for fragment, hint in _YAML_HINTS:
        if fragment in problem:
            return problem if hint is None else f"{hint} ({problem})"
    return f"неверная разметка ({problem})" if problem else "неверная разметка"


# --- validation ----------------------------------------------------------------------------------------------

_MISSING = object()
_TYPE_NAMES = {
    str: "строка",
    int: "целое число",
    float: "число",
    bool: "true или false",
    list: "список",
    dict: "словарь (ключ: значение)",
}


class _Checker:
    """Collects problems instead of stopping at the first; every getter returns None for a bad value."""

    def __init__(self, source: str):
        self.source = source
        self.problems: list[Problem] = []

    def problem(self, path: str, message: str) -> None:
        self.problems.append(Problem(self.source, path, message))

    def mapping(self, value: Any, path: str, required: tuple[str, ...], optional: tuple[str, ...]) -> dict | None:
        if not isinstance(value, dict):
            self.problem(path, f"ожидается {_TYPE_NAMES[dict]}")
            return None
        allowed = required + optional
        for key in value:
            if key not in allowed:
                message = f"неизвестный ключ «{key}»; допустимы: {', '.join(allowed)}"
                if isinstance(key, str) and " " in key.strip():
                    # {score: 1, text: a, b} reads «b» as a key: a comma in an unquoted text
                    message += ". Похоже, в тексте есть запятая: возьмите текст в кавычки"
                self.problem(_join(path, str(key)), message)
        for key in required:
            if key not in value:
                self.problem(_join(path, key), "обязательный ключ отсутствует")
        # An optional key set to null is absent: to_dict() writes every optional key.
        return {key: item for key, item in value.items() if not (item is None and key in optional)}

    def typed(self, data: dict, key: str, path: str, kind: type, default: Any = _MISSING) -> Any:
        value = data.get(key, _MISSING)
        where = _join(path, key)
        if value is _MISSING or (value is None and default is not _MISSING):
            return None if default is _MISSING else default
        if kind is float:
            ok = isinstance(value, (int, float)) and not isinstance(value, bool)
        elif kind is int:
            ok = isinstance(value, int) and not isinstance(value, bool)
        else:
            ok = isinstance(value, kind)
        if not ok:
            self.problem(where, f"ожидается {_TYPE_NAMES[kind]}, а не {_describe(value)}")
            return None
        if kind is str:
            value = value.strip()
            if not value:
                self.problem(where, "не может быть пустым")
                return None
        return value

    def text(self, data: dict, key: str, path: str, optional: bool = False, max_length: int | None = None):
        value = self.typed(data, key, path, str, None if optional else _MISSING)
        if value is not None and max_length is not None and len(value) > max_length:
            self.problem(_join(path, key), f"не длиннее {max_length} {genitive(max_length, 'символа', 'символов')} (сейчас {len(value)})")
            return None
        return value

    def code(self, data: dict, key: str, path: str, max_length: int) -> str | None:
        value = self.text(data, key, path, max_length=max_length)
        if value is not None and not _CODE.match(value):
            self.problem(
                _join(path, key),
                f"код «{value}» должен состоять из строчных латинских букв, цифр, «_» и точек, например cos.sferum",
            )
            return None
        return value

    def items(self, data: dict, key: str, path: str) -> Iterator[tuple[str, Any]]:
        """(path, item) of a required non-empty list."""
        value = data.get(key, _MISSING)
        where = _join(path, key)
        if value is _MISSING:
            return
        if not isinstance(value, list):
            self.problem(where, f"ожидается {_TYPE_NAMES[list]}, а не {_describe(value)}")
            return
        if not value:
            self.problem(where, "список пуст")
            return
        for index, item in enumerate(value):
            yield f"{where}[{index}]", item


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def _describe(value: Any) -> str:
    if value is None:
        return "пустое значение"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, int):
        return f"целое число {value}"
    if isinstance(value, float):
        return f"число {value}"
    if isinstance(value, str):
        return f"строка «{value[:40]}»"
    if isinstance(value, list):
        return "список"
    if isinstance(value, dict):
        return "словарь"
    return type(value).__name__


def _share(check: _Checker, data: dict, key: str, path: str, low_open: bool = False) -> float | None:
    value = check.typed(data, key, path, float)
    if value is None:
        return None
    if not (0 <= value <= 1) or (low_open and value == 0):
        bounds = "больше 0 и не больше 1" if low_open else "от 0 до 1"
        check.problem(_join(path, key), f"доля должна быть {bounds} (0.95 — это 95 %), а не {value}")
        return None
    return float(value)


def parse_methodology(data: Any, source: str) -> Methodology:
    """A validated Methodology from plain data (a loaded file or a stored to_dict()); MethodologyError otherwise."""
    check = _Checker(source)
    root = check.mapping(
        data, "", ("code", "version", "title", "year", "applies_to", "levels", "sections"), ("note", "subject")
    )
    if root is None:
        raise MethodologyError(check.problems)
    subject = check.typed(root, "subject", "", str, default="school")
    if subject not in SUBJECTS:
        check.problem("subject", f"неизвестный вид методики «{subject}»; допустимы: school (для школы), teacher (для педагога)")
        subject = None  # neither set of subject rules applies to an unknown subject
    teacher = subject == "teacher"

    code = check.code(root, "code", "", MAX_CODE_LENGTH)
    version = check.typed(root, "version", "", int)
    if version is not None and version < 1:
        check.problem("version", f"номер версии — целое число от 1, а не {version}")
    title = check.text(root, "title", "", max_length=MAX_TITLE_LENGTH)
    year = check.text(root, "year", "")
    note = check.text(root, "note", "", optional=True)
    applies_to = _applies_to(check, root)
    thresholds, critical_cap, levels_note = _levels(check, root.get("levels", _MISSING), subject)
    sections = _sections(check, root, subject)
    if teacher:
        _teacher_counts(check, root)

    raw_sections = root.get("sections")
    if (
        isinstance(raw_sections, list)
        and raw_sections
        and all(isinstance(s, dict) and s.get("counts_towards_level", True) is False for s in raw_sections)
    ):
        check.problem("sections", "ни один раздел не учитывается в уровне (counts_towards_level: true)")
    if check.problems:
        raise MethodologyError(check.problems)
    return Methodology(
        code=code,
        version=version,
        title=title,
        year=year,
        applies_to=applies_to,
        thresholds=thresholds,
        sections=sections,
        critical_cap=critical_cap,
        levels_note=levels_note,
        note=note,
        subject=subject,
    )


def _only_for_teacher(check: _Checker, entry: dict, keys: tuple[str, ...], path: str, subject: str | None) -> None:
    if subject != "school":
        return
    for key in keys:
        if key in entry:
            check.problem(_join(path, key), "задаётся только в самооценке педагога (subject: teacher)")


def _teacher_counts(check: _Checker, root: dict) -> None:
    """6–7 areas and 20–30 items in all, counted in the file itself so that each count is reported once."""
    raw_sections = root.get("sections")
    if not isinstance(raw_sections, list) or not raw_sections:
        return
    low, high = TEACHER_AREAS
    if not low <= len(raw_sections) <= high:
        check.problem("sections", f"в самооценке педагога {low}–{high} областей (sections), а не {len(raw_sections)}")
    items = sum(
        len(section["indicators"])
        for section in raw_sections
        if isinstance(section, dict) and isinstance(section.get("indicators"), list)
    )
    low, high = TEACHER_ITEMS
    if not low <= items <= high:
        check.problem(
            "sections", f"в самооценке педагога {low}–{high} пунктов (indicators) во всех областях, а не {items}"
        )


def _applies_to(check: _Checker, root: dict) -> tuple[str, ...]:
    kinds: list[str] = []
    for path, kind in check.items(root, "applies_to", ""):
        if not isinstance(kind, str) or kind not in ORGANIZATION_KINDS:
            check.problem(path, f"неизвестный вид организации «{kind}»; допустимы: {', '.join(ORGANIZATION_KINDS)}")
        elif kind in kinds:
            check.problem(path, f"вид организации «{kind}» указан дважды")
        else:
            kinds.append(kind)
    return tuple(kinds)


def _levels(
    check: _Checker, value: Any, subject: str | None
) -> tuple[tuple[LevelThreshold, ...], str | None, str | None]:
    if value is _MISSING:
        return (), None, None
    levels = check.mapping(value, "levels", ("thresholds",), ("note", "critical_cap"))
    if levels is None:
        return (), None, None
    note = check.text(levels, "note", "levels", optional=True)
    thresholds: list[LevelThreshold] = []
    codes: set[str] = set()
    previous: float | None = None
    for index, (path, item) in enumerate(check.items(levels, "thresholds", "levels")):
        entry = check.mapping(item, path, ("code", "title", "min_share"), ("description",))
        if entry is None:
            continue
        code = check.code(entry, "code", path, MAX_CODE_LENGTH)
        title = check.text(entry, "title", path)
        min_share = _share(check, entry, "min_share", path)
        _only_for_teacher(check, entry, ("description",), path, subject)
        description = check.text(entry, "description", path, optional=True)
        if subject == "teacher" and "description" not in entry:
            check.problem(
                f"{path}.description", "в самооценке педагога у уровня нужно описание: что он означает на практике"
            )
        if code is not None:
            if code in codes:
                check.problem(f"{path}.code", f"уровень «{code}» уже есть")
            codes.add(code)
        if min_share is not None:
            if index == 0 and min_share != 0:
                check.problem(f"{path}.min_share", f"первый уровень должен начинаться с доли 0, а не {min_share}")
            if previous is not None and min_share <= previous:
                check.problem(f"{path}.min_share", f"доли должны строго возрастать: {min_share} после {previous}")
            previous = min_share
        if code is not None and title is not None and min_share is not None:
            thresholds.append(LevelThreshold(code, title, min_share, description))
    critical_cap = check.text(levels, "critical_cap", "levels", optional=True)
    if subject == "teacher" and critical_cap is not None:
        check.problem("levels.critical_cap", "в самооценке педагога нет критических пунктов: уберите critical_cap")
        critical_cap = None
    if critical_cap is not None and critical_cap not in codes:
        known = ", ".join(sorted(codes)) or "—"
        check.problem("levels.critical_cap", f"уровня «{critical_cap}» нет среди уровней (code): {known}")
    return tuple(thresholds), critical_cap, note


def _sections(check: _Checker, root: dict, subject: str | None) -> tuple[Section, ...]:
    teacher = subject == "teacher"
    sections: list[Section] = []
    section_codes: dict[str, str] = {}
    indicator_codes: dict[str, str] = {}
    for path, item in check.items(root, "sections", ""):
        # A teacher's area is always the mean of its items: `scoring` may be left out there.
        entry = check.mapping(
            item,
            path,
            ("code", "title", "indicators") + (() if teacher else ("scoring",)),
            ("key_condition", "criterion", "points", "counts_towards_level", "note") + (("scoring",) if teacher else ()),
        )
        if entry is None:
            continue
        problems_before = len(check.problems)
        code = check.code(entry, "code", path, MAX_CODE_LENGTH)
        if code is not None:
            if code in section_codes:
                check.problem(f"{path}.code", f"код раздела «{code}» уже использован в {section_codes[code]}")
            else:
                section_codes[code] = path
        title = check.text(entry, "title", path)
        key_condition = check.text(entry, "key_condition", path, optional=True)
        criterion = check.text(entry, "criterion", path, optional=True)
        section_note = check.text(entry, "note", path, optional=True)
        counts = check.typed(entry, "counts_towards_level", path, bool, default=True)
        scoring = check.typed(entry, "scoring", path, str, default="sum" if teacher else _MISSING)
        if teacher and scoring not in (None, "sum"):
            check.problem(f"{path}.scoring", "в самооценке педагога область считается по среднему баллу: scoring: sum")
            scoring = None
        if teacher and counts is False:
            check.problem(f"{path}.counts_towards_level", "в самооценке педагога каждая область входит в общий уровень")
        if scoring is not None and scoring not in SCORING_KINDS:
            check.problem(
                f"{path}.scoring", f"неизвестный способ подсчёта «{scoring}»; допустимы: {', '.join(SCORING_KINDS)}"
            )
            scoring = None
        points = check.typed(entry, "points", path, int)
        if scoring == "all_or_nothing":
            if "points" not in entry:
                check.problem(f"{path}.points", "для scoring: all_or_nothing нужны баллы раздела (points)")
            elif points is not None and points < 1:
                check.problem(f"{path}.points", f"баллы раздела — целое число от 1, а не {points}")
        elif scoring == "sum" and "points" in entry:
            check.problem(f"{path}.points", "points задаются только для scoring: all_or_nothing")
        indicators = []
        for indicator_path, indicator_item in check.items(entry, "indicators", path):
            indicator = _indicator(check, indicator_item, indicator_path, indicator_codes, subject)
            if indicator is None:
                continue
            indicators.append(indicator)
            if scoring == "all_or_nothing" and indicator.scores != (0, 1):
                check.problem(
                    f"{indicator_path}.levels",
                    "в разделе all_or_nothing у показателя ровно два уровня: 0 (нет) и 1 (есть)",
                )
            if indicator.critical and counts is False:
                check.problem(
                    f"{indicator_path}.critical",
                    "критический показатель в разделе, который не учитывается в уровне, ни на что не влияет",
                )
        if len(check.problems) == problems_before:
            sections.append(
                Section(code, title, scoring, tuple(indicators), counts, points, key_condition, criterion, section_note)
            )
    return tuple(sections)


def _indicator(
    check: _Checker, item: Any, path: str, codes: dict[str, str], subject: str | None
) -> Indicator | None:
    entry = check.mapping(
        item, path, ("code", "title", "levels"), ("short_title", "critical", "auto", "note", "example", "platform")
    )
    if entry is None:
        return None
    problems_before = len(check.problems)
    _only_for_teacher(check, entry, ("example", "platform"), path, subject)
    code = check.code(entry, "code", path, MAX_INDICATOR_CODE_LENGTH)
    if code is not None:
        if code in codes:
            check.problem(f"{path}.code", f"код показателя «{code}» уже использован в {codes[code]}")
        else:
            codes[code] = path
    title = check.text(entry, "title", path)
    short_title = check.text(entry, "short_title", path, optional=True, max_length=MAX_TITLE_LENGTH)
    critical = check.typed(entry, "critical", path, bool, default=False)
    note = check.text(entry, "note", path, optional=True)
    levels = _indicator_levels(check, entry, path)
    auto = None
    if entry.get("auto") is not None:
        auto = _auto(check, entry["auto"], f"{path}.auto", {level.score for level in levels})
    example = check.text(entry, "example", path, optional=True)
    platform = check.typed(entry, "platform", path, str)
    if subject == "teacher":
        _teacher_item(check, entry, path, levels, platform)
    if len(check.problems) != problems_before:
        return None
    return Indicator(code, title, levels, critical, short_title, auto, note, example, platform)


def _teacher_item(check: _Checker, entry: dict, path: str, levels: tuple[Level, ...], platform: str | None) -> None:
    if "example" not in entry:
        check.problem(f"{path}.example", "в самооценке педагога у пункта нужен пример практики (example)")
    if platform is not None and platform not in PLATFORMS:
        check.problem(f"{path}.platform", f"неизвестная платформа «{platform}»; допустимы: {', '.join(PLATFORMS)}")
    if entry.get("critical"):
        check.problem(f"{path}.critical", "в самооценке педагога нет критических пунктов")
    if "auto" in entry:
        check.problem(f"{path}.auto", "в самооценке педагога ответ не вычисляется автоматически: уберите auto")
    scores = tuple(level.score for level in levels)
    raw_levels = entry.get("levels")
    # A level dropped for its own error is already reported: compare only a fully read list.
    if isinstance(raw_levels, list) and 1 < len(raw_levels) == len(levels) and scores != TEACHER_SCORES:
        shown = ", ".join(map(str, scores)) or "—"
        check.problem(
            f"{path}.levels", f"в самооценке педагога у пункта ровно шесть уровней с баллами 0, 1, 2, 3, 4, 5; сейчас: {shown}"
        )


def _indicator_levels(check: _Checker, entry: dict, path: str) -> tuple[Level, ...]:
    levels: list[Level] = []
    previous: int | None = None
    if isinstance(entry.get("levels"), list) and not entry["levels"]:
        check.problem(f"{path}.levels", "у показателя нет уровней")
        return ()
    for index, (level_path, item) in enumerate(check.items(entry, "levels", path)):
        level = check.mapping(item, level_path, ("score", "text"), ())
        if level is None:
            continue
        score = check.typed(level, "score", level_path, int)
        text = check.text(level, "text", level_path)
        if score is not None:
            if index == 0 and score != 0:
                check.problem(f"{level_path}.score", f"первый уровень должен иметь балл 0, а не {score}")
            elif score < 0:
                check.problem(f"{level_path}.score", f"балл не может быть отрицательным: {score}")
            if previous is not None and score <= previous:
                check.problem(f"{level_path}.score", f"баллы уровней должны строго возрастать: {score} после {previous}")
            previous = score
        if score is not None and text is not None:
            levels.append(Level(score, text))
    if isinstance(entry.get("levels"), list) and len(entry["levels"]) == 1:
        check.problem(f"{path}.levels", "у показателя должно быть не меньше двух уровней: 0 и хотя бы ещё один")
    return tuple(levels)


def _auto(check: _Checker, value: Any, path: str, scores: set[int]) -> AutoRule | None:
    rule = check.mapping(value, path, ("kind", "levels"), ("note",))
    if rule is None:
        return None
    kind = check.typed(rule, "kind", path, str)
    if kind is not None and kind not in AUTO_KINDS:
        check.problem(f"{path}.kind", f"неизвестный вид правила «{kind}»; допустим: {', '.join(AUTO_KINDS)}")
    note = check.text(rule, "note", path, optional=True)
    raw_levels = rule.get("levels", _MISSING)
    if raw_levels is _MISSING:
        return None
    if not isinstance(raw_levels, dict) or not raw_levels:
        check.problem(f"{path}.levels", "ожидается словарь «балл: список условий», например 1: [...]")
        return None
    levels: list[AutoLevel] = []
    for raw_score, conditions in raw_levels.items():
        level_path = f"{path}.levels.{raw_score}"
        score = _auto_score(raw_score)
        if score is None:
            check.problem(level_path, f"ключ «{raw_score}» должен быть баллом уровня (целым числом)")
            continue
        if score == 0:
            check.problem(level_path, "для уровня 0 условия не задаются: он предлагается, когда не выполнен уровень 1")
            continue
        if scores and score not in scores:
            check.problem(level_path, f"у показателя нет уровня {score}; есть: {', '.join(map(str, sorted(scores)))}")
            continue
        parsed = _conditions(check, conditions, level_path)
        if parsed:
            levels.append(AutoLevel(score, parsed))
    levels.sort(key=lambda level: level.score)
    nonzero = sorted(s for s in scores if s > 0)
    given = [level.score for level in levels]
    if given and nonzero and given != nonzero[: len(given)]:
        check.problem(
            f"{path}.levels",
            "условия задаются для уровней подряд, начиная с наименьшего ненулевого "
            f"({', '.join(map(str, nonzero))}); сейчас: {', '.join(map(str, given))}",
        )
    if kind not in AUTO_KINDS:
        return None
    return AutoRule(kind, tuple(levels), note)


def _auto_score(key: Any) -> int | None:
    if isinstance(key, bool):
        return None
    if isinstance(key, int):
        return key
    if isinstance(key, str) and key.isdigit():
        return int(key)  # JSON keeps mapping keys as strings
    return None


def _conditions(check: _Checker, value: Any, path: str) -> tuple[PlatformCondition, ...]:
    if not isinstance(value, list) or not value:
        check.problem(path, "ожидается непустой список условий")
        return ()
    conditions = []
    for index, item in enumerate(value):
        where = f"{path}[{index}]"
        entry = check.mapping(item, where, ("platform", "statuses"), ("min_share", "min_count", "note"))
        if entry is None:
            continue
        problems_before = len(check.problems)
        platform = check.typed(entry, "platform", where, str)
        if platform is not None and platform not in PLATFORMS:
            check.problem(f"{where}.platform", f"неизвестная платформа «{platform}»; допустимы: {', '.join(PLATFORMS)}")
        statuses: set[str] = set()
        for status_path, status in check.items(entry, "statuses", where):
            if not isinstance(status, str) or status not in ACCOUNT_STATUSES:
                check.problem(status_path, f"неизвестный статус «{status}»; допустимы: {', '.join(ACCOUNT_STATUSES)}")
            statuses.add(status)
        min_share = _share(check, entry, "min_share", where, low_open=True) if "min_share" in entry else None
        min_count = check.typed(entry, "min_count", where, int)
        if min_count is not None and min_count < 1:
            check.problem(f"{where}.min_count", f"число педагогов — от 1, а не {min_count}")
        if "min_share" not in entry and "min_count" not in entry:
            check.problem(where, "нужна доля педагогов (min_share) или их число (min_count)")
        note = check.text(entry, "note", where, optional=True)
        if len(check.problems) == problems_before:
            ordered = tuple(status for status in ACCOUNT_STATUSES if status in statuses)
            conditions.append(PlatformCondition(platform, ordered, min_share, min_count, note))
    return tuple(conditions)
