"""A development program built from a self-diagnostic's deficits, in the structure the Ministry recommends
(методические рекомендации по разработке, утверждению и согласованию программ развития общеобразовательных
организаций, sent by письмо Минпросвещения России от 17.06.2024 № 03-877 «О направлении методических
рекомендаций»): deficits, causes, actions, decisions, expected results, mechanisms, road map; the further parts
are in program_parts.

Pure: plain data in, plain frozen dataclasses and Russian texts out; no Flask, no database.
"""
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from math import ceil

from ..kernel.plural import points_genitive
from .methodology import Indicator, Methodology, exact_share
from .scoring import Result, score

ACTION_STATUSES = ("planned", "in_progress", "done")


@dataclass(frozen=True)
class MeasureOption:
    """A measure of the library, as the constructor offers it."""

    id: int
    indicator_code: str
    target_score: int
    text: str
    responsible_role: str
    duration: str
    expected_result: str
    course_title: str | None = None


@dataclass(frozen=True)
class DeficitProposal:
    indicator_code: str
    label: str  # indicator.label
    section_code: str
    critical: bool
    current: int
    maximum: int
    target: int  # default: the next existing level above `current`
    target_text: str  # the level text of `target`
    targets: tuple[int, ...]  # every existing level score above `current`
    measures: tuple[MeasureOption, ...]  # current < target_score <= target, by target_score then library order


@dataclass(frozen=True)
class ChosenAction:
    """A road-map action the director keeps (plain data, no ids)."""

    indicator_code: str
    from_score: int
    to_score: int
    text: str
    responsible_name: str
    responsible_position: str
    due_date: date | None
    expected_result: str


@dataclass(frozen=True)
class ProgramDrafts:
    goal: str
    tasks: str  # one task per line
    causes: str
    decisions: str
    mechanisms: str


# --- proposals -----------------------------------------------------------------------------------------------


def measures_for(
    indicator_code: str, current: int, target: int, measures: Sequence[MeasureOption]
) -> tuple[MeasureOption, ...]:
    """Measures of `indicator_code` that lead above `current` and not beyond `target`, lowest step first;
    within a step the library order is kept (the sort is stable)."""
    chosen = [m for m in measures if m.indicator_code == indicator_code and current < m.target_score <= target]
    return tuple(sorted(chosen, key=lambda m: m.target_score))


def propose(
    methodology: Methodology,
    result: Result,
    measures: Sequence[MeasureOption],
    targets: Mapping[str, int] | None = None,
) -> list[DeficitProposal]:
    """One proposal per deficit of `result` (every section), critical first, then the largest gap, then
    methodology order. `targets` (indicator code → score) overrides the default next level; a code that is
    not a deficit or a score that is not a level above the current one raises ValueError (Russian)."""
    targets = dict(targets or {})
    order = {indicator.code: position for position, indicator in enumerate(methodology.indicators)}
    deficits = {deficit.code: deficit for deficit in result.deficits}
    unknown = [code for code in targets if code not in deficits]
    if unknown:
        names = ", ".join(_name(methodology, code) for code in sorted(unknown, key=lambda c: order.get(c, len(order))))
        raise ValueError(f"Цель задана для показателя без дефицита: {names}.")

    proposals = []
    for deficit in result.deficits:
        indicator = methodology.indicator(deficit.code)
        if indicator is None:
            raise ValueError(f"Показателя «{deficit.code}» нет в методике «{methodology.title}».")
        current = deficit.current
        choosable = tuple(s for s in indicator.scores if s > current)
        target = targets.get(deficit.code, choosable[0])
        if isinstance(target, bool) or not isinstance(target, int) or target not in choosable:
            allowed = ", ".join(str(s) for s in choosable)
            raise ValueError(
                f"Для показателя «{indicator.label}» цель {target} недопустима: "
                f"сейчас {current} {_points(current)}, можно выбрать {allowed}."
            )
        proposals.append(
            DeficitProposal(
                indicator_code=indicator.code,
                label=indicator.label,
                section_code=deficit.section_code,
                critical=indicator.critical,
                current=current,
                maximum=indicator.max_score,
                target=target,
                target_text=indicator.level(target).text,
                targets=choosable,
                measures=measures_for(indicator.code, current, target, measures),
            )
        )
    # result.deficits is already in this order; sorting again keeps the contract if a caller builds a Result.
    proposals.sort(key=lambda p: (not p.critical, -(p.maximum - p.current), order.get(p.indicator_code, 0)))
    return proposals


def _name(methodology: Methodology, code: str) -> str:
    indicator = methodology.indicator(code)
    return f"«{indicator.label}»" if indicator else f"«{code}»"


# --- expected results ----------------------------------------------------------------------------------------


def _with_targets(answers: Mapping[str, int | None], targets: Mapping[str, int]) -> dict[str, int | None]:
    # A target below the current score never lowers it: the program only adds.
    after = dict(answers)
    for code, target in targets.items():
        after[code] = max(after.get(code) or 0, target)
    return after


def expected_outcome(
    methodology: Methodology, answers: Mapping[str, int | None], targets: Mapping[str, int]
) -> tuple[Result, Result]:
    """(the current result, the result when every target is reached)."""
    return score(methodology, answers), score(methodology, _with_targets(answers, targets))


def closed_deficits(before: Result, after: Result, targets: Mapping[str, int]) -> list[str]:
    """Codes that were deficits in `before` and reach their target in `after` (a deficit without a target
    counts as closed when it is no longer a deficit), in `before`'s deficit order."""
    scores = {item.code: item.score for item in after.indicators}
    still = {deficit.code for deficit in after.deficits}
    closed = []
    for deficit in before.deficits:
        target = targets.get(deficit.code)
        if target is None:
            if deficit.code in scores and deficit.code not in still:
                closed.append(deficit.code)
        elif scores.get(deficit.code, 0) >= target:
            closed.append(deficit.code)
    return closed


def progress(statuses: Sequence[str]) -> tuple[int, int, int, float]:
    """(planned, in_progress, done, share done from 0 to 1; 0.0 for no actions)."""
    counts = dict.fromkeys(ACTION_STATUSES, 0)
    for status in statuses:
        status = str(status)  # accepts the StrEnum of the model as well
        if status not in counts:
            raise ValueError(f"Неизвестный статус мероприятия: «{status}».")
        counts[status] += 1
    total = sum(counts.values())
    return counts["planned"], counts["in_progress"], counts["done"], (counts["done"] / total if total else 0.0)


# --- dates and the road map ----------------------------------------------------------------------------------


def _check_period(period: tuple[int, int]) -> tuple[int, int]:
    start, end = period
    if start > end:
        raise ValueError(f"Период программы {start}–{end}: год начала позже года окончания.")
    return start, end


SCHOOL_YEAR_START = (9, 1)  # 1 September
DEFAULT_PERIOD_YEARS = 5


def default_period(today: date, years: int = DEFAULT_PERIOD_YEARS) -> tuple[int, int]:
    """The period a new program is offered: it starts with the next school year, so from 1 September on
    (the school year under way is already planned) it starts next calendar year."""
    start = today.year + 1 if (today.month, today.day) >= SCHOOL_YEAR_START else today.year
    return start, start + years - 1


def default_due_dates(period: tuple[int, int], proposals: Sequence[DeficitProposal],
                      today: date | None = None) -> dict[str, date]:
    """Indicator code → due date (31 December): critical deficits in the first year, the others spread in
    the given (priority) order over the following years; a target several levels away moves one year later
    for every extra level. Always inside the period; given `today`, never before it while the period lasts
    (a year already over moves to the current one)."""
    start, end = _check_period(period)
    if today is not None:
        start = min(end, max(start, today.year))
    later = list(range(start + 1, end + 1)) or [start]
    others = [p for p in proposals if not p.critical]
    dates = {}
    rank = 0
    for proposal in proposals:
        if proposal.critical:
            year = start
        else:
            year = later[rank * len(later) // len(others)]
            rank += 1
        extra = sum(1 for s in proposal.targets if s < proposal.target)  # levels passed on the way
        dates[proposal.indicator_code] = date(min(end, year + extra), 12, 31)
    return dates


def roadmap_by_year(actions: Sequence[ChosenAction], period: tuple[int, int]) -> list[tuple[int, list[ChosenAction]]]:
    """Every year of the period with its actions by due date; an action without a date goes to the last year
    (after the dated ones), a date outside the period to the nearest year of it; ties keep the given order."""
    start, end = _check_period(period)
    years: dict[int, list[tuple[tuple, int, ChosenAction]]] = {year: [] for year in range(start, end + 1)}
    for position, action in enumerate(actions):
        if action.due_date is None:
            year, key = end, (1, date.max)
        else:
            year, key = min(end, max(start, action.due_date.year)), (0, action.due_date)
        years[year].append((key, position, action))
    return [(year, [action for _, _, action in sorted(items, key=lambda t: t[:2])]) for year, items in years.items()]


# --- drafts of the free-text sections ------------------------------------------------------------------------

# Typical causes by indicator: what usually stands behind the level a school is at.
_CAUSES = {
    "cos.mobile_phones": "локальный акт не разработан или не принят в установленном порядке (не рассмотрен "
    "советом, не доведён до обучающихся и родителей)",
    "cos.high_speed_internet": "нет подключения по государственному контракту или скорость канала ниже "
    "требуемой; не оформлена заявка учредителю",
    "cos.safe_internet": "не настроена контентная фильтрация на всех точках доступа, нет ответственного "
    "и регламента проверки",
    "cos.moya_shkola": "педагоги не зарегистрированы или не используют сервисы ФГИС «Моя школа» и Библиотеку ЦОК "
    "в работе: нет сопровождения и обучения, использование не включено в планирование уроков",
    "cos.sferum": "структура организации в «Сферуме» не создана или не поддерживается, классные руководители "
    "не приглашают обучающихся и родителей, педагоги не включены в профессиональные сообщества",
    "cos.it_equipment": "оборудование поставлено не полностью или не размещено по методическим рекомендациям, "
    "педагоги не обучены его использованию, нет учёта загрузки",
    "cos.management_system": "информационная система управления не внедрена или не интегрирована "
    "с региональными системами, данные ведутся вручную",
    "eios.internet": "нет устойчивого доступа к сети Интернет в учебных помещениях",
    "eios.local_act": "локальный акт об ЭИОС не разработан или устарел",
    "eios.ebs": "нет договора или подключения к электронно-библиотечной системе",
    "eios.e_journal": "электронный журнал ведётся не всеми педагогами или не ведётся",
    "eios.e_portfolio": "не выбран сервис электронного портфолио обучающихся, нет порядка его ведения",
    "eios.curricula": "учебные планы и рабочие программы не размещены в открытом доступе в ЭИОС",
}
_GENERIC_CAUSE = "не назначен ответственный, мероприятия не включены в план работы, педагоги не обучены"

# Management decisions a deficit calls for, by indicator.
_DECISIONS = {
    "cos.mobile_phones": "Разработать и утвердить локальный акт об ограничении использования мобильных телефонов "
    "обучающимися, ознакомить с ним обучающихся и родителей.",
    "cos.high_speed_internet": "Направить учредителю заявку на подключение к высокоскоростному интернету "
    "(или увеличение скорости канала) и контролировать её исполнение.",
    "cos.safe_internet": "Утвердить регламент безопасного доступа к сети Интернет и график проверки "
    "контентной фильтрации.",
    "cos.moya_shkola": "Включить использование ФГИС «Моя школа» и Библиотеки ЦОК в план методической работы "
    "и внутришкольного контроля.",
    "cos.sferum": "Поручить классным руководителям подключение обучающихся и родителей к «Сферуму», "
    "создать профессиональные сообщества педагогов.",
    "cos.it_equipment": "Утвердить план размещения и использования IT-оборудования, закрепить ответственных "
    "за кабинеты.",
    "cos.management_system": "Принять решение о переходе на информационную систему управления, интегрированную "
    "с региональными информационными системами.",
    "eios.local_act": "Разработать и утвердить положение об электронной информационно-образовательной среде.",
}


def _points(number: int) -> str:
    """«балл», «балла», «баллов» after a number in the nominative (1 балл, 2 балла, 5 баллов)."""
    if number % 100 in (11, 12, 13, 14):
        return "баллов"
    return {1: "балл", 2: "балла", 3: "балла", 4: "балла"}.get(number % 10, "баллов")


def _criterion(methodology: Methodology) -> str:
    sections = methodology.level_sections
    names = [section.criterion or section.title for section in sections]
    return "; ".join(names) if names else methodology.title


def draft_texts(
    organization_name: str,
    methodology: Methodology,
    result: Result,
    proposals: Sequence[DeficitProposal],
    period: tuple[int, int],
) -> ProgramDrafts:
    """Russian drafts of the goal, tasks, causes, decisions and mechanisms, built from the data; the director
    rewrites them. Deterministic: the same input gives the same texts."""
    start, end = _check_period(period)
    organization = organization_name.strip()
    answers = {item.code: item.score for item in result.indicators}
    after = score(methodology, _with_targets(answers, {p.indicator_code: p.target for p in proposals}))
    goal = _goal(organization, methodology, result, after, end)
    tasks = "\n".join(
        f"Повысить показатель «{p.label}» с {p.current} до {p.target} {points_genitive(p.target)} "
        f"({p.target_text})."
        for p in proposals
    )
    return ProgramDrafts(
        goal=goal,
        tasks=tasks,
        causes=_causes(organization, methodology, result, proposals),
        decisions=_decisions(organization, proposals, start, end),
        mechanisms=_mechanisms(organization, proposals, start, end),
    )


def _goal(organization: str, methodology: Methodology, before: Result, after: Result, end: int) -> str:
    thresholds = methodology.thresholds
    level = after.level
    need = ceil(exact_share(level.min_share) * methodology.max_points)
    criterion = _criterion(methodology)
    if thresholds.index(level) > thresholds.index(before.level):
        goal = (
            f"Достижение уровня «{level.title}» по критерию «{criterion}» к {end} году "
            f"(не менее {need} из {after.maximum} {points_genitive(after.maximum)})"
        )
    else:
        goal = (
            f"Устранение дефицитов цифровой образовательной среды к {end} году при сохранении уровня "
            f"«{level.title}» по критерию «{criterion}» ({after.total} из {after.maximum} "
            f"{points_genitive(after.maximum)})"
        )
    goal += f" в образовательной организации {organization}"
    # Sections outside the level (e.g. the accreditation ЭИОС item) are named when the program completes them.
    for section_before, section_after in zip(before.sections, after.sections, strict=True):
        if (
            not section_after.counts_towards_level
            and section_after.points == section_after.max_points
            and section_before.points < section_before.max_points
        ):
            goal += f"; выполнение требования «{section_after.title}» ({section_after.max_points} из " \
                f"{section_after.max_points} {points_genitive(section_after.max_points)})"
    return goal + "."


def _causes(organization: str, methodology: Methodology, result: Result, proposals: Sequence[DeficitProposal]) -> str:
    if not proposals:
        return f"По результатам самодиагностики {organization} дефицитов не выявлено."
    ordered = sorted(proposals, key=lambda p: not p.critical)  # stable: critical first, the rest as given
    lines = [
        f"По результатам самодиагностики ({result.total} из {result.maximum} {points_genitive(result.maximum)}, "
        f"уровень «{result.level.title}») выявлены дефициты:"
    ]
    for number, proposal in enumerate(ordered, start=1):
        indicator: Indicator | None = methodology.indicator(proposal.indicator_code)
        current_text = indicator.level(proposal.current).text if indicator else str(proposal.current)
        mark = " (критический показатель)" if proposal.critical else ""
        cause = _CAUSES.get(proposal.indicator_code, _GENERIC_CAUSE)
        lines.append(
            f"{number}. «{proposal.label}»{mark}: сейчас — «{current_text}» ({proposal.current} из "
            f"{proposal.maximum} {points_genitive(proposal.maximum)}), не достигнут уровень «{proposal.target_text}». "
            f"Типичные причины: {cause}."
        )
    return "\n".join(lines)


def _decisions(organization: str, proposals: Sequence[DeficitProposal], start: int, end: int) -> str:
    lines = [
        f"Издать приказ по {organization} о назначении ответственного за цифровую образовательную среду "
        "и рабочей группы по реализации программы.",
        f"Утвердить программу развития на {start}–{end} годы и дорожную карту, включить мероприятия "
        "в план работы образовательной организации на каждый учебный год.",
    ]
    if any(p.critical for p in proposals):
        lines.append("Устранить дефициты критических показателей в первую очередь, в течение первого года программы.")
    seen = set()
    for proposal in sorted(proposals, key=lambda p: not p.critical):
        decision = _DECISIONS.get(proposal.indicator_code)
        if decision and decision not in seen:
            seen.add(decision)
            lines.append(decision)
    if any(p.measures and any(m.course_title for m in p.measures) for p in proposals):
        lines.append("Направить педагогов и управленческую команду на курсы повышения квалификации КК ИПК.")
    lines.append(
        "Рассматривать ход выполнения дорожной карты на педагогическом совете не реже одного раза в полугодие, "
        "по итогам — корректировать мероприятия и сроки."
    )
    return "\n".join(lines)


def _mechanisms(organization: str, proposals: Sequence[DeficitProposal], start: int, end: int) -> str:
    lines = [
        f"Ежегодная самодиагностика {organization} в ЦПП ({start}–{end} годы): сравнение баллов по показателям "
        "с целевыми значениями программы.",
        "Мониторинг цифровых профилей педагогов в ЦПП: учётные записи на платформах, пройденные курсы.",
        "Отметка выполнения мероприятий дорожной карты в ЦПП ответственными исполнителями.",
    ]
    courses = []
    for proposal in proposals:
        for measure in proposal.measures:
            if measure.course_title and measure.course_title not in courses:
                courses.append(measure.course_title)
    if courses:
        lines.append("Повышение квалификации в КК ИПК: " + "; ".join(f"«{title}»" for title in courses) + ".")
    else:
        lines.append("Повышение квалификации педагогов на курсах КК ИПК.")
    lines.append(
        "Контроль выполнения дорожной карты на педагогическом совете; публичный отчёт о ходе реализации программы "
        "на сайте образовательной организации по итогам каждого учебного года."
    )
    return "\n".join(lines)
