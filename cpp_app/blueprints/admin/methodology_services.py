"""Methodology versions for methodologists: the list, a readable rendering, and upload → preview → publish.

An uploaded file is validated by the domain loader; a valid one is kept server-side (a FormStash row bound to
the uploader) between the preview and the publication, and validated again when published.
"""
import enum
import re
import tempfile
from dataclasses import dataclass, replace
from datetime import datetime
from math import ceil
from pathlib import Path, PurePosixPath

import yaml
from sqlalchemy import func, select
from sqlalchemy.orm import load_only
from yaml.nodes import MappingNode, ScalarNode, SequenceNode

from ...domain.methodology import (
    AutoRule,
    Indicator,
    Methodology,
    MethodologyError,
    PlatformCondition,
    Problem,
    Section,
    exact_share,
    load_methodology_file,
    methodology_hash,
    parse_methodology,
)
from ...domain.workflow import TransitionRefused
from ...extensions import db
from ...kernel.actor import Actor
from ...kernel.plural import plural
from ...kernel.stash import stash_form, take_stash
from ...models import (
    ACCOUNT_STATUS_LABELS,
    ORGANIZATION_KIND_LABELS,
    Diagnostic,
    MethodologyVersion,
    Platform,
    User,
)
from ...service_errors import FieldErrors
from ..diagnostics.services import active_version, methodology_of, publish_methodology

MAX_UPLOAD_BYTES = 1024 * 1024
UPLOAD_SUFFIXES = (".yaml", ".yml", ".json")
# Nodes after expanding YAML aliases: a few hundred bytes of `&a [*b, *b, …]` could otherwise ask the
# validator for billions of steps. A real methodology has a few thousand.
MAX_EXPANDED_NODES = 200_000
STALE_PREVIEW = "Предпросмотр устарел или уже использован. Загрузите файл методики ещё раз."


# ------------------------------------------------------------------------------------------------- the list


@dataclass(frozen=True)
class VersionRow:
    id: int
    code: str
    version: int
    title: str
    year: str | None
    is_active: bool
    published_at: datetime
    published_by: str | None
    diagnostics: int


def list_versions() -> list[VersionRow]:
    """Every published version, newest first per code, with how many diagnostics use it (one grouped query)."""
    usage = (
        select(Diagnostic.methodology_id, func.count(Diagnostic.id).label("used"))
        .group_by(Diagnostic.methodology_id)
        .subquery()
    )
    statement = (
        select(
            MethodologyVersion.id,
            MethodologyVersion.code,
            MethodologyVersion.version,
            MethodologyVersion.title,
            MethodologyVersion.content["year"].as_string(),  # not the whole content: it can be large
            MethodologyVersion.is_active,
            MethodologyVersion.published_at,
            User.last_name,
            User.first_name,
            User.middle_name,
            func.coalesce(usage.c.used, 0),
        )
        .outerjoin(User, User.id == MethodologyVersion.published_by_id)
        .outerjoin(usage, usage.c.methodology_id == MethodologyVersion.id)
        .order_by(MethodologyVersion.code, MethodologyVersion.version.desc())
    )
    rows = []
    for id_, code, version, title, year, active, published_at, last, first, middle, used in db.session.execute(statement):
        name = " ".join(part for part in (last, first, middle) if part) or None
        rows.append(VersionRow(id_, code, version, title, year, active, published_at, name, used))
    return rows


def get_version(version_id: int) -> MethodologyVersion | None:
    return db.session.get(MethodologyVersion, version_id)


def diagnostics_using(version: MethodologyVersion) -> int:
    return db.session.scalar(select(func.count(Diagnostic.id)).where(Diagnostic.methodology_id == version.id))


def publisher_name(version: MethodologyVersion) -> str | None:
    if version.published_by_id is None:
        return None
    user = db.session.get(User, version.published_by_id)
    return user.full_name if user else None


# ------------------------------------------------------------------------------------- readable rendering


def points(number: int) -> str:
    return f"{number} {plural(number, 'балл', 'балла', 'баллов')}"


def percent(share: float) -> str:
    """0.95 → «95 %», 0.333 → «33,3 %»: as the author wrote it, never a float artefact."""
    value = exact_share(share) * 100
    text = str(value.numerator) if value.denominator == 1 else f"{float(value):.10g}".replace(".", ",")
    return f"{text}\u00a0%"


def from_points(share: float, maximum: int) -> int:
    """The fewest points whose share of `maximum` reaches `share` (exactly, as the scoring decides)."""
    return ceil(exact_share(share) * maximum)


@dataclass(frozen=True)
class ThresholdView:
    code: str
    title: str
    share: str
    from_points: int


@dataclass(frozen=True)
class AutoLine:
    score: int
    text: str
    notes: tuple[str, ...]


@dataclass(frozen=True)
class IndicatorView:
    indicator: Indicator
    auto: tuple[AutoLine, ...]


@dataclass(frozen=True)
class SectionView:
    section: Section
    scoring: str
    indicators: tuple[IndicatorView, ...]


@dataclass(frozen=True)
class MethodologyView:
    methodology: Methodology
    applies_to: str
    thresholds: tuple[ThresholdView, ...]
    critical_cap: str | None  # the cap's title
    sections: tuple[SectionView, ...]


def platform_names() -> dict[str, str]:
    return dict(db.session.execute(select(Platform.code, Platform.name)).tuples().all())


def condition_text(condition: PlatformCondition, names: dict[str, str]) -> str:
    """«не менее 30 % педагогов с учётной записью на платформе «Библиотека ЦОК» в статусе «активно использую»»."""
    bounds = []
    if condition.min_share is not None:
        share = percent(condition.min_share)
        bounds.append(f"{share if exact_share(condition.min_share) == 1 else 'не менее ' + share} педагогов")
    if condition.min_count is not None:
        count = condition.min_count
        people = ("человека", "человек", "человек") if bounds else ("педагога", "педагогов", "педагогов")
        bounds.append(f"не менее {count} {plural(count, *people)}")
    who = " и ".join(bounds)
    platform = names.get(condition.platform, condition.platform)
    platform = platform if "«" in platform else f"«{platform}»"  # ФГИС «Моя школа» brings its own quotes
    statuses = " или ".join(f"«{ACCOUNT_STATUS_LABELS[status]}»" for status in condition.statuses)
    return f"{who} с учётной записью на платформе {platform} в статусе {statuses}"


def auto_lines(rule: AutoRule | None, names: dict[str, str]) -> tuple[AutoLine, ...]:
    if rule is None:
        return ()
    return tuple(
        AutoLine(
            level.score,
            "; ".join(condition_text(condition, names) for condition in level.conditions),
            tuple(condition.note for condition in level.conditions if condition.note),
        )
        for level in rule.levels
    )


def scoring_text(section: Section) -> str:
    if section.scoring == "all_or_nothing":
        text = (
            f"«Имеется» ({points(section.max_points)}) — только если есть все компоненты "
            f"({len(section.indicators)}); иначе 0 баллов."
        )
    else:
        text = f"Баллы показателей складываются: максимум {points(section.max_points)}."
    if not section.counts_towards_level:
        text += " В расчёт уровня раздел не входит."
    return text


def describe(methodology: Methodology, names: dict[str, str] | None = None) -> MethodologyView:
    names = platform_names() if names is None else names
    maximum = methodology.max_points
    thresholds = tuple(
        ThresholdView(t.code, t.title, percent(t.min_share), from_points(t.min_share, maximum))
        for t in methodology.thresholds
    )
    cap = methodology.threshold(methodology.critical_cap).title if methodology.critical_cap else None
    sections = tuple(
        SectionView(
            section,
            scoring_text(section),
            tuple(IndicatorView(indicator, auto_lines(indicator.auto, names)) for indicator in section.indicators),
        )
        for section in methodology.sections
    )
    applies_to = ", ".join(_kind_label(kind) for kind in methodology.applies_to)
    return MethodologyView(methodology, applies_to, thresholds, cap, sections)


def _kind_label(kind: str) -> str:
    return next((label for member, label in ORGANIZATION_KIND_LABELS.items() if member.value == kind), kind)


# -------------------------------------------------------------------------------- differences between versions


@dataclass(frozen=True)
class IndicatorChange:
    code: str
    label: str
    changes: tuple[str, ...]


@dataclass(frozen=True)
class MethodologyDiff:
    base_version: int
    general: tuple[str, ...]
    thresholds: tuple[str, ...]
    sections: tuple[str, ...]
    added: tuple[Indicator, ...]
    removed: tuple[Indicator, ...]
    changed: tuple[IndicatorChange, ...]

    @property
    def empty(self) -> bool:
        return not (self.general or self.thresholds or self.sections or self.added or self.removed or self.changed)


def _quote(value) -> str:
    return f"«{value}»" if value else "—"


def compare(old: Methodology, new: Methodology, names: dict[str, str] | None = None) -> MethodologyDiff:
    """What publishing `new` changes against `old` (the active version of the same code), in Russian."""
    names = platform_names() if names is None else names
    general = []
    for label, before, after in (
        ("название", old.title, new.title),
        ("учебный год", old.year, new.year),
        ("для организаций", ", ".join(map(_kind_label, old.applies_to)), ", ".join(map(_kind_label, new.applies_to))),
    ):
        if before != after:
            general.append(f"{label}: {_quote(before)} → {_quote(after)}")
    if old.note != new.note:
        general.append("изменено примечание к методике")
    return MethodologyDiff(
        base_version=old.version,
        general=tuple(general),
        thresholds=_threshold_changes(old, new),
        sections=_section_changes(old, new),
        added=tuple(i for i in new.indicators if old.indicator(i.code) is None),
        removed=tuple(i for i in old.indicators if new.indicator(i.code) is None),
        changed=tuple(
            IndicatorChange(i.code, i.label, changes)
            for i in new.indicators
            if old.indicator(i.code) is not None
            and (changes := _indicator_changes(old, new, old.indicator(i.code), i, names))
        ),
    )


def _threshold_changes(old: Methodology, new: Methodology) -> tuple[str, ...]:
    lines = []
    if old.max_points != new.max_points:
        lines.append(f"максимум баллов для уровня: {old.max_points} → {new.max_points}")
    before = {t.code: t for t in old.thresholds}
    after = {t.code: t for t in new.thresholds}
    for t in new.thresholds:
        start = f"от {percent(t.min_share)} (от {points(from_points(t.min_share, new.max_points))})"
        if t.code not in before:
            lines.append(f"добавлен уровень «{t.title}»: {start}")
            continue
        was = before[t.code]
        if was.title != t.title:
            lines.append(f"уровень «{was.title}» переименован в «{t.title}»")
        old_start = f"от {percent(was.min_share)} (от {points(from_points(was.min_share, old.max_points))})"
        if old_start != start:
            lines.append(f"уровень «{t.title}»: {old_start} → {start}")
    lines.extend(f"удалён уровень «{t.title}»" for t in old.thresholds if t.code not in after)
    if old.critical_cap != new.critical_cap:
        def cap(m: Methodology) -> str:
            return f"«{m.threshold(m.critical_cap).title}»" if m.critical_cap else "не ограничивается"

        lines.append(f"результат при критическом показателе с 0 баллов: {cap(old)} → {cap(new)}")
    if old.levels_note != new.levels_note:
        lines.append("изменено пояснение к уровням")
    return tuple(lines)


def _section_changes(old: Methodology, new: Methodology) -> tuple[str, ...]:
    before = {s.code: s for s in old.sections}
    after = {s.code: s for s in new.sections}
    lines = []
    for s in new.sections:
        if s.code not in before:
            lines.append(f"добавлен раздел «{s.title}» ({len(s.indicators)} показ.)")
            continue
        was = before[s.code]
        if was.title != s.title:
            lines.append(f"раздел «{was.title}» переименован в «{s.title}»")
        if scoring_text(was) != scoring_text(s):
            lines.append(f"раздел «{s.title}»: {scoring_text(was)} → {scoring_text(s)}")
        for label, a, b in (("ключевое условие", was.key_condition, s.key_condition),
                            ("критерий", was.criterion, s.criterion)):
            if a != b:
                lines.append(f"раздел «{s.title}», {label}: {_quote(a)} → {_quote(b)}")
        if was.note != s.note:
            lines.append(f"раздел «{s.title}»: изменено примечание")
    lines.extend(f"удалён раздел «{s.title}»" for s in old.sections if s.code not in after)
    return tuple(lines)


def _indicator_changes(
    old_m: Methodology, new_m: Methodology, old: Indicator, new: Indicator, names: dict[str, str]
) -> tuple[str, ...]:
    lines = []
    old_section, new_section = old_m.section_of(old.code), new_m.section_of(new.code)
    if old_section.code != new_section.code:
        lines.append(f"перенесён из раздела «{old_section.title}» в раздел «{new_section.title}»")
    if old.title != new.title:
        lines.append(f"формулировка: «{old.title}» → «{new.title}»")
    if old.short_title != new.short_title:
        lines.append(f"краткое название: {_quote(old.short_title)} → {_quote(new.short_title)}")
    if old.critical != new.critical:
        lines.append("стал критическим" if new.critical else "перестал быть критическим")
    if old.scores != new.scores:
        lines.append(f"баллы уровней: {', '.join(map(str, old.scores))} → {', '.join(map(str, new.scores))}")
    for level in new.levels:
        if level.score in old.scores and old.level(level.score).text != level.text:
            lines.append(f"уровень {level.score}: «{old.level(level.score).text}» → «{level.text}»")
    if old.auto != new.auto:
        if old.auto is None:
            lines.append("добавлена подсказка по данным профилей")
        elif new.auto is None:
            lines.append("удалена подсказка по данным профилей")
        else:
            before = {line.score: line for line in auto_lines(old.auto, names)}
            after = {line.score: line for line in auto_lines(new.auto, names)}
            texts_changed = False
            for score in sorted(set(before) | set(after)):
                was, now = before.get(score), after.get(score)
                if (was and was.text) != (now and now.text):
                    texts_changed = True
                    lines.append(f"подсказка на {points(score)}: {_quote(was and was.text)} → {_quote(now and now.text)}")
            if not texts_changed:  # only notes differ
                lines.append("изменены пояснения к подсказке по данным профилей")
    if old.note != new.note:
        lines.append("изменено примечание")
    return tuple(lines)


# ------------------------------------------------------------------------------------------------ the upload


def display_name(filename: str | None) -> str:
    """The uploaded file's own name, without any folder the browser sent, for messages."""
    name = PurePosixPath((filename or "").replace("\\", "/")).name.strip()
    return name[:120] or "файл"


def read_upload(data: bytes, filename: str | None) -> Methodology:
    """The uploaded file as a validated Methodology.

    FieldErrors for a file that cannot be read at all (empty, too big, wrong type); MethodologyError with every
    problem (file, path, line, message) for content that is not a valid methodology."""
    source = display_name(filename)
    suffix = Path(source).suffix.lower()
    if suffix not in UPLOAD_SUFFIXES:
        raise FieldErrors({"file": "Загрузите методику в формате YAML (.yaml, .yml) или JSON (.json)."})
    if not data:
        raise FieldErrors({"file": "Файл пустой. Выберите файл методики."})
    if len(data) > MAX_UPLOAD_BYTES:
        raise FieldErrors({"file": "Файл больше 1 МБ. Методика занимает десятки килобайт: проверьте, тот ли это файл."})
    tree = _compose(data, source)
    try:
        # The domain loader reads files; a private temporary one keeps its exact messages for uploads too.
        with tempfile.TemporaryDirectory(prefix="cpp-methodology-") as directory:
            path = Path(directory) / f"upload{suffix}"
            path.write_bytes(data)
            try:
                return load_methodology_file(path)
            except MethodologyError as error:
                raise MethodologyError(
                    [replace(p, source=source, line=p.line or line_of(tree, p.path)) for p in error.problems]
                ) from None
    except RecursionError:
        raise MethodologyError([Problem(source, "", "слишком глубокая вложенность списков и словарей")]) from None


def _compose(data: bytes, source: str) -> yaml.Node | None:
    """The YAML node tree (JSON is YAML too) for line numbers; None where the loader will report the syntax."""
    try:
        tree = yaml.compose(data.decode("utf-8-sig"), Loader=yaml.SafeLoader)
    except (UnicodeDecodeError, yaml.YAMLError):
        return None
    except RecursionError:
        raise MethodologyError([Problem(source, "", "слишком глубокая вложенность списков и словарей")]) from None
    if tree is not None and _expanded_size(tree) > MAX_EXPANDED_NODES:
        raise MethodologyError([Problem(
            source, "", "после раскрытия ссылок на якоря (*имя) файл слишком велик: повторите текст без ссылок"
        )])
    return tree


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, SequenceNode):
        return list(node.value)
    if isinstance(node, MappingNode):
        return [part for pair in node.value for part in pair]
    return []


def _expanded_size(root: yaml.Node) -> int:
    """Nodes counted as if every alias were written out; linear in the tree, shared nodes measured once."""
    sizes: dict[int, int] = {}
    stack = [(root, False)]
    while stack:
        node, children_done = stack.pop()
        if id(node) in sizes:
            continue
        if children_done:
            sizes[id(node)] = min(1 + sum(sizes[id(child)] for child in _children(node)), MAX_EXPANDED_NODES + 1)
        else:
            stack.append((node, True))
            stack.extend((child, False) for child in _children(node) if id(child) not in sizes)
    return sizes[id(root)]


_STEP = re.compile(r"\[(\d+)\]|([^.\[\]]+)")


def line_of(tree: yaml.Node | None, path: str) -> int | None:
    """The 1-based line of the deepest part of `path` (sections[0].indicators[3].levels[2].text) in the file.

    A missing key points at the mapping that lacks it; None when not even the first step is found."""
    if tree is None or not path:
        return None
    node, line = tree, None
    for index, key in _STEP.findall(path):
        if index:
            if not isinstance(node, SequenceNode) or int(index) >= len(node.value):
                break
            node = node.value[int(index)]
            line = node.start_mark.line + 1
        else:
            if not isinstance(node, MappingNode):
                break
            found = next(((k, v) for k, v in node.value if isinstance(k, ScalarNode) and k.value == key), None)
            if found is None:
                break
            node, line = found[1], found[0].start_mark.line + 1
    return line


# ------------------------------------------------------------------------------------ preview and publication


class Publication(enum.StrEnum):
    NEW = "new"
    IDENTICAL = "identical"  # the same version with the same content is published: nothing to do
    CONFLICT = "conflict"  # the same version number with other content
    OLDER = "older"  # a number below the latest published one


@dataclass(frozen=True)
class PublicationCheck:
    state: Publication
    message: str | None
    latest: MethodologyVersion | None  # the newest published version of the same code
    existing: MethodologyVersion | None  # the published version with the same number


def check_publication(methodology: Methodology) -> PublicationCheck:
    columns = (MethodologyVersion.id, MethodologyVersion.code, MethodologyVersion.version, MethodologyVersion.sha256)
    versions = list(db.session.scalars(
        select(MethodologyVersion)
        .options(load_only(*columns))  # the content is not needed to compare
        .where(MethodologyVersion.code == methodology.code)
        .order_by(MethodologyVersion.version.desc())
    ))
    latest = versions[0] if versions else None
    existing = next((v for v in versions if v.version == methodology.version), None)
    name = f"Версия {methodology.version} методики «{methodology.code}»"
    if existing is not None and existing.sha256 == methodology_hash(methodology.to_dict()):
        return PublicationCheck(
            Publication.IDENTICAL, f"{name} уже опубликована с таким же содержанием — публиковать нечего.",
            latest, existing,
        )
    if existing is not None:
        return PublicationCheck(
            Publication.CONFLICT,
            f"{name} уже опубликована с другим содержанием. Опубликованная версия не меняется: "
            "увеличьте номер версии (version) в файле.",
            latest, existing,
        )
    if latest is not None and methodology.version < latest.version:
        return PublicationCheck(
            Publication.OLDER,
            f"Номер версии {methodology.version} меньше последней опубликованной версии {latest.version} "
            f"методики «{methodology.code}». Новая версия должна иметь больший номер, например {latest.version + 1}.",
            latest, None,
        )
    return PublicationCheck(Publication.NEW, None, latest, None)


@dataclass(frozen=True)
class Preview:
    source: str
    view: MethodologyView
    check: PublicationCheck
    diff: MethodologyDiff | None  # None when no version of this code is published yet
    token: str | None  # set only when the version can be published


def stash_target(user_id: int) -> str:
    return f"methodology-preview:{user_id}"


def prepare_preview(methodology: Methodology, source: str, user_id: int) -> Preview:
    """What publishing would do; a publishable version is kept server-side under a one-time token."""
    names = platform_names()
    check = check_publication(methodology)
    active = active_version(methodology.code)
    diff = compare(methodology_of(active), methodology, names) if active is not None else None
    token = None
    if check.state == Publication.NEW:
        content = methodology.to_dict()
        token = stash_form(
            user_id, stash_target(user_id), {"content": content, "source": source, "sha256": methodology_hash(content)}
        )
    return Preview(source, describe(methodology, names), check, diff, token)


@dataclass(frozen=True)
class PublishOutcome:
    version: MethodologyVersion
    created: bool


def publish_previewed(token: str | None, user_id: int, actor: Actor) -> PublishOutcome:
    """Publishes what this user previewed under `token`, validated again; TransitionRefused says why not."""
    payload = take_stash(token, stash_target(user_id), user_id)
    if not payload or not isinstance(payload.get("content"), dict):
        raise TransitionRefused(STALE_PREVIEW)
    try:
        methodology = parse_methodology(payload["content"], str(payload.get("source") or "файл"))
    except MethodologyError:
        raise TransitionRefused("Методика не прошла повторную проверку. " + STALE_PREVIEW) from None
    if methodology_hash(methodology.to_dict()) != payload.get("sha256"):
        raise TransitionRefused(STALE_PREVIEW)
    check = check_publication(methodology)
    if check.state == Publication.IDENTICAL:
        return PublishOutcome(check.existing, created=False)
    if check.state == Publication.OLDER:
        raise TransitionRefused(check.message)
    # A conflict found meanwhile is refused by publish_methodology itself, with its own message.
    return PublishOutcome(publish_methodology(methodology, actor), created=True)
