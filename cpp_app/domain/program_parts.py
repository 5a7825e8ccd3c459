"""The parts of a development program that letter 03-877's recommendations ask for beyond the deficits and the
road map: the stages of implementation, the current-state analysis (strengths / weaknesses / opportunities /
risks) and the «Мониторинг и контроль реализации» section. Drafts are built from the diagnostic, the staff
figures and the road map; the director rewrites them.

Pure: plain data in, plain data and Russian texts out; no Flask, no database.
"""
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from ..kernel.plural import plural, points_genitive
from .methodology import Methodology
from .program import ChosenAction, DeficitProposal
from .scoring import Result

# The categories a teacher holds after a certification (the rest: none, or «соответствие занимаемой должности»).
HIGH_CATEGORIES = ("первая", "высшая", "педагог-методист", "педагог-наставник")
NO_CATEGORY = "без категории"
STAGE_TITLE_LIMIT = 300


@dataclass(frozen=True)
class StaffProfile:
    """The organisation's staff as ЦПП knows it: confirmed people, counted by position and by category."""

    total: int
    by_position: tuple[tuple[str, int], ...]  # (position or «не указана», count), largest first
    by_category: tuple[tuple[str, int], ...]

    def with_category(self, names: Sequence[str]) -> int:
        return sum(count for name, count in self.by_category if name in names)


@dataclass(frozen=True)
class Swot:
    strengths: str
    weaknesses: str
    opportunities: str
    risks: str


@dataclass(frozen=True)
class Stage:
    title: str
    starts_on: date | None
    ends_on: date | None


# --- stages --------------------------------------------------------------------------------------------------


def default_stages(period: tuple[int, int]) -> list[Stage]:
    """The usual three stages: preparation in the first year, the main work, summing up in the last year;
    a two-year program has no separate summing-up year, a one-year program is one stage."""
    start, end = period
    if start == end:
        return [Stage("Реализация программы", date(start, 1, 1), date(end, 12, 31))]
    if end - start == 1:
        return [Stage("Подготовительный этап: приказы, рабочая группа, обучение педагогов",
                      date(start, 1, 1), date(start, 12, 31)),
                Stage("Основной и обобщающий этап: мероприятия дорожной карты, анализ результатов",
                      date(end, 1, 1), date(end, 12, 31))]
    return [
        Stage("Подготовительный этап: приказы, рабочая группа, обучение педагогов", date(start, 1, 1),
              date(start, 12, 31)),
        Stage("Основной этап: мероприятия дорожной карты, ежегодная самодиагностика", date(start + 1, 1, 1),
              date(end - 1, 12, 31)),
        Stage("Обобщающий этап: анализ результатов, публичный отчёт, новая программа", date(end, 1, 1),
              date(end, 12, 31)),
    ]


def stage_problems(stages: Sequence[Stage], period: tuple[int, int]) -> dict[tuple[int, str], str]:
    """Every problem of the stages, keyed by (position in `stages`, field): a name and both dates, the end not
    before the start, inside the period, and each stage starting after the previous one ends."""
    first, last = date(period[0], 1, 1), date(period[1], 12, 31)
    problems: dict[tuple[int, str], str] = {}
    previous_end: date | None = None
    for index, stage in enumerate(stages):
        if not stage.title.strip():
            problems[index, "title"] = "Укажите название этапа."
        elif len(stage.title) > STAGE_TITLE_LIMIT:
            problems[index, "title"] = f"Не более {STAGE_TITLE_LIMIT} символов."
        for name in ("starts_on", "ends_on"):
            day = getattr(stage, name)
            if day is None:
                problems[index, name] = "Укажите дату начала этапа." if name == "starts_on" else \
                    "Укажите дату окончания этапа."
            elif not first <= day <= last:
                problems[index, name] = (f"Дата должна быть в пределах периода программы: с {first:%d.%m.%Y} "
                                         f"по {last:%d.%m.%Y}.")
        if stage.starts_on and stage.ends_on and (index, "ends_on") not in problems and stage.ends_on < stage.starts_on:
            problems[index, "ends_on"] = "Окончание этапа не может быть раньше его начала."
        if stage.starts_on and previous_end and (index, "starts_on") not in problems \
                and stage.starts_on <= previous_end:
            problems[index, "starts_on"] = (f"Этап должен начинаться после окончания предыдущего "
                                            f"({previous_end:%d.%m.%Y}).")
        previous_end = stage.ends_on or previous_end
    return problems


# --- the current-state analysis ------------------------------------------------------------------------------


def _teachers(count: int) -> str:
    return f"{count} {plural(count, 'педагог', 'педагога', 'педагогов')}"


def swot_draft(methodology: Methodology, result: Result, proposals: Sequence[DeficitProposal],
               staff: StaffProfile, teachers_stated: int | None) -> Swot:
    """Drafts of the four parts, one statement a line: indicators at their maximum are strengths, deficits
    weaknesses, steps within reach and the institute's measures and courses opportunities, critical zeros and
    deficits without a library measure risks; the staff figures add to each part what they show."""
    labels = {indicator.code: indicator.label for indicator in methodology.indicators}
    strengths = [
        f"«{labels.get(item.code, item.code)}» — максимальный уровень ({item.score} из {item.max_score} "
        f"{points_genitive(item.max_score)}): {item.text}."
        for item in result.indicators if item.answered and item.max_score and item.score == item.max_score
    ]
    high = staff.with_category(HIGH_CATEGORIES)
    if high:
        strengths.append(f"{_teachers(high)} из {staff.total} с первой, высшей категорией или "
                         "званием «педагог-методист», «педагог-наставник» (по данным ЦПП).")

    weaknesses = [
        f"«{p.label}»{' (критический показатель)' if p.critical else ''} — {p.current} из {p.maximum} "
        f"{points_genitive(p.maximum)}, не достигнут уровень «{p.target_text}»."
        for p in proposals
    ]
    without = staff.with_category((NO_CATEGORY,))
    if without:
        weaknesses.append(f"{_teachers(without)} из {staff.total} без квалификационной категории "
                          "(по данным ЦПП).")
    if teachers_stated and staff.total < teachers_stated:
        weaknesses.append(f"В ЦПП подтверждены {staff.total} из {teachers_stated} педагогических работников: "
                          "профили остальных не учтены в мониторинге.")

    opportunities = [
        f"«{p.label}»: до уровня «{p.target_text}» — один шаг ({p.current} → {p.target} "
        f"{points_genitive(p.target)})."
        for p in proposals if not p.critical and p.target - p.current == 1
    ]
    measures = sum(len(p.measures) for p in proposals)
    if measures:
        opportunities.append(f"Библиотека мероприятий КК ИПК: {measures} "
                             f"{plural(measures, 'мероприятие', 'мероприятия', 'мероприятий')} под выявленные "
                             "дефициты.")
    courses = list(dict.fromkeys(m.course_title for p in proposals for m in p.measures if m.course_title))
    if courses:
        opportunities.append("Курсы повышения квалификации КК ИПК: " + "; ".join(f"«{c}»" for c in courses) + ".")
    opportunities.append("Федеральные платформы (ФГИС «Моя школа», Библиотека ЦОК, «Сферум») и методическое "
                         "сопровождение КК ИПК.")

    risks = []
    for code in result.failed_critical:
        risks.append(f"Критический показатель «{labels.get(code, code)}» с 0 баллов ограничивает уровень "
                     "организации, пока он не устранён.")
    bare = [p.label for p in proposals if not p.measures]
    if bare:
        risks.append("Для " + ", ".join(f"«{label}»" for label in bare) + " в библиотеке нет мероприятий: нужны "
                     "собственные решения организации.")
    if staff.total and without * 2 > staff.total:
        risks.append("Больше половины педагогов без квалификационной категории: мероприятия могут потребовать "
                     "дополнительного обучения.")
    risks.append("Недостаточное финансирование или задержка поставок оборудования и подключения; изменение "
                 "требований федеральных проектов — программа корректируется по итогам ежегодной самодиагностики.")
    return Swot("\n".join(strengths) or "Показателей на максимальном уровне пока нет.", "\n".join(weaknesses)
                or "Дефицитов по результатам самодиагностики не выявлено.", "\n".join(opportunities),
                "\n".join(risks))


# --- monitoring and control ----------------------------------------------------------------------------------


def monitoring_draft(actions: Sequence[ChosenAction], labels: Mapping[str, str], maxima: Mapping[str, int]) -> str:
    """One line per indicator of the road map, in its order: what is checked (the indicator and its target),
    who checks it (the positions responsible for its actions) and when (by the last due date, and every year
    through the self-diagnostic); then how the whole program is controlled."""
    indicators: dict[str, list[ChosenAction]] = {}
    for action in actions:
        indicators.setdefault(action.indicator_code, []).append(action)
    lines = []
    for code, items in indicators.items():
        target = max(item.to_score for item in items)
        maximum = maxima.get(code)
        of_max = f" из {maximum}" if maximum else ""
        positions = list(dict.fromkeys(item.responsible_position.strip() for item in items
                                       if item.responsible_position.strip()))
        who = ", ".join(positions) if positions else "директор"
        dates = [item.due_date for item in items if item.due_date]
        when = f"к {max(dates):%d.%m.%Y}" if dates else "к концу периода программы"
        lines.append(f"«{labels.get(code, code)}»: достижение {target}{of_max} {points_genitive(target)} {when}. "
                     f"Проверяет: {who}. Когда: по срокам мероприятий и ежегодно по самодиагностике в ЦПП.")
    lines.append("Ход дорожной карты: отметки выполнения в ЦПП ответственными, рассмотрение на педагогическом "
                 "совете не реже одного раза в полугодие; контроль — директор.")
    lines.append("Итоги года: самодиагностика в ЦПП, сравнение баллов с целевыми значениями программы, публичный "
                 "отчёт на сайте организации, корректировка мероприятий и сроков.")
    return "\n".join(lines)
