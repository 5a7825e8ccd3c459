"""The lists a teacher picks their position and qualification category from, and the subjects text."""

# Pedagogical positions of the federal nomenclature (Постановление Правительства РФ от 21.02.2022 № 225)
# that Krasnoyarsk schools, colleges and kindergartens use, plus the management ones; the most common first.
POSITIONS: tuple[str, ...] = (
    "учитель",
    "педагог дополнительного образования",
    "воспитатель",
    "педагог-психолог",
    "социальный педагог",
    "учитель-логопед",
    "педагог-библиотекарь",
    "советник директора по воспитанию",
    "заместитель директора",
    "директор",
    "методист",
    "преподаватель (СПО)",
    "мастер производственного обучения",
    "учитель-дефектолог",
    "старший методист",
    "педагог-организатор",
    "старший вожатый",
    "тьютор",
    "старший воспитатель",
    "музыкальный руководитель",
    "инструктор по физической культуре",
    "тренер-преподаватель",
    "концертмейстер",
    "иная должность",
)

QUALIFICATION_CATEGORIES: tuple[str, ...] = (
    "без категории",
    "соответствие занимаемой должности",
    "первая",
    "высшая",
    "педагог-методист",
    "педагог-наставник",
)

EXPERIENCE_MAX_YEARS = 70
SUBJECTS_MAX_LENGTH = 500


def choices_with_current(options: tuple[str, ...], current: str | None) -> list[str]:
    """The options, keeping a stored value that is not among them (e.g. from a staff register) selectable."""
    if current and current not in options:
        return [current, *options]
    return list(options)


def normalize_subjects(text: str | None) -> str | None:
    """«математика,  физика, Математика,» → «математика, физика»: trimmed, de-duplicated, comma-separated."""
    seen: set[str] = set()
    subjects = []
    for part in (text or "").split(","):
        subject = " ".join(part.split())
        if subject and subject.casefold() not in seen:
            seen.add(subject.casefold())
            subjects.append(subject)
    return ", ".join(subjects) or None
