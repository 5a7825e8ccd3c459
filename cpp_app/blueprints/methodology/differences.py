"""What publishing a new version changes against the active one, in Russian lines for the preview."""
from dataclasses import dataclass

from ...domain.methodology import TEACHER_SCORES, Indicator, LevelThreshold, Methodology, Section, exact_share
from ...domain.readiness import decimal_text
from .description import auto_lines, from_points, kind_label, percent, points, scoring_text


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


def compare(old: Methodology, new: Methodology, names: dict[str, str]) -> MethodologyDiff:
    """What publishing `new` changes against `old` (the active version of the same code), in Russian; `names` are
    the platforms' names by code."""
    general = []
    for label, before, after in (
        ("название", old.title, new.title),
        ("учебный год", old.year, new.year),
        ("для организаций", ", ".join(map(kind_label, old.applies_to)), ", ".join(map(kind_label, new.applies_to))),
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


def _threshold_start(threshold: LevelThreshold, maximum: int, teacher: bool = False) -> str:
    """«от 60 % (от 36 баллов)»; for a teacher's area, whose level is its mean score of 0..5, «средний балл от 2,5»."""
    if teacher:
        return f"средний балл от {decimal_text(exact_share(threshold.min_share) * TEACHER_SCORES[-1])}"
    return f"от {percent(threshold.min_share)} (от {points(from_points(threshold.min_share, maximum))})"


def _matched_changes(old_items, new_items, noun: str, added_detail, changes) -> list[str]:
    """Levels or sections matched by code: «добавлен <noun> «…»», «<noun> «…» переименован в «…»», what
    `changes(was, now)` finds in a kept one, and «удалён <noun> «…»»."""
    before = {item.code: item for item in old_items}
    kept = {item.code for item in new_items}
    lines = []
    for item in new_items:
        was = before.get(item.code)
        if was is None:
            lines.append(f"добавлен {noun} «{item.title}»{added_detail(item)}")
            continue
        if was.title != item.title:
            lines.append(f"{noun} «{was.title}» переименован в «{item.title}»")
        lines.extend(changes(was, item))
    lines.extend(f"удалён {noun} «{item.title}»" for item in old_items if item.code not in kept)
    return lines


def _threshold_changes(old: Methodology, new: Methodology) -> tuple[str, ...]:
    lines = []
    teacher = new.subject == "teacher"
    if old.max_points != new.max_points and not teacher:
        lines.append(f"максимум баллов для уровня: {old.max_points} → {new.max_points}")

    def moved(was: LevelThreshold, now: LevelThreshold) -> list[str]:
        before = _threshold_start(was, old.max_points, teacher)
        after = _threshold_start(now, new.max_points, teacher)
        found = [f"уровень «{now.title}»: {before} → {after}"] if before != after else []
        if was.description != now.description:
            found.append(f"уровень «{now.title}»: изменено описание")
        return found

    lines += _matched_changes(
        old.thresholds, new.thresholds, "уровень", lambda t: f": {_threshold_start(t, new.max_points, teacher)}", moved
    )
    if old.critical_cap != new.critical_cap:
        def cap(m: Methodology) -> str:
            return f"«{m.threshold(m.critical_cap).title}»" if m.critical_cap else "не ограничивается"

        lines.append(f"результат при критическом показателе с 0 баллов: {cap(old)} → {cap(new)}")
    if old.levels_note != new.levels_note:
        lines.append("изменено пояснение к уровням")
    return tuple(lines)


def _section_changes(old: Methodology, new: Methodology) -> tuple[str, ...]:
    def changed(was: Section, now: Section) -> list[str]:
        lines = []
        if scoring_text(was) != scoring_text(now):
            lines.append(f"раздел «{now.title}»: {scoring_text(was)} → {scoring_text(now)}")
        for label, a, b in (("ключевое условие", was.key_condition, now.key_condition),
                            ("критерий", was.criterion, now.criterion)):
            if a != b:
                lines.append(f"раздел «{now.title}», {label}: {_quote(a)} → {_quote(b)}")
        if was.note != now.note:
            lines.append(f"раздел «{now.title}»: изменено примечание")
        return lines

    return tuple(_matched_changes(
        old.sections, new.sections, "раздел", lambda s: f" ({len(s.indicators)} показ.)", changed
    ))


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
        lines.extend(_auto_changes(old, new, names))
    if old.platform != new.platform:
        def platform(code: str | None) -> str:
            return f"«{names.get(code, code)}»" if code else "не указана"

        lines.append(f"платформа: {platform(old.platform)} → {platform(new.platform)}")
    if old.example != new.example:
        lines.append(f"пример практики: {_quote(old.example)} → {_quote(new.example)}")
    if old.note != new.note:
        lines.append("изменено примечание")
    return tuple(lines)


def _auto_changes(old: Indicator, new: Indicator, names: dict[str, str]) -> list[str]:
    """The changed `auto` rule of an indicator: added, removed, or its sentences per score."""
    if old.auto is None:
        return ["добавлена подсказка по данным профилей"]
    if new.auto is None:
        return ["удалена подсказка по данным профилей"]
    before = {line.score: line for line in auto_lines(old.auto, names)}
    after = {line.score: line for line in auto_lines(new.auto, names)}
    lines = []
    for score in sorted(set(before) | set(after)):
        was, now = before.get(score), after.get(score)
        if (was and was.text) != (now and now.text):
            lines.append(f"подсказка на {points(score)}: {_quote(was and was.text)} → {_quote(now and now.text)}")
    return lines or ["изменены пояснения к подсказке по данным профилей"]  # only notes differ
