"""Disclosure control for the institute's research view of teachers' self-assessments: no figure about a group of
fewer than five people, and a dataset whose rows cannot be traced back to a teacher or a school.

Pure: plain data in, plain data out.
"""
from collections import Counter
from collections.abc import Callable, Hashable, Iterable, Mapping
from dataclasses import dataclass, replace

MIN_GROUP = 5
OTHERS = "прочие"

EXPERIENCE_BANDS = ((3, "до 3 лет"), (10, "3–9 лет"), (20, "10–19 лет"))
EXPERIENCE_LONGEST = "20 лет и более"
NOT_STATED = "не указано"

# Words of a position that put it in a group, checked in order: a deputy head who teaches is a leader here.
POSITION_GROUPS = (
    (("директор", "заведующ", "заместител", "руководител"), "руководитель"),
    (("дополнительного образования",), "педагог дополнительного образования"),
    (("учител",), "учитель"),
    (("воспитател",), "воспитатель"),
)
OTHER_POSITION = "другой педагогический работник"


@dataclass(frozen=True)
class Share:
    """A group's count, or nothing to show when the group is too small to publish."""

    respondents: int
    count: int | None
    suppressed: bool


def experience_band(years: int | None) -> str:
    if years is None or years < 0:
        return NOT_STATED
    for below, label in EXPERIENCE_BANDS:
        if years < below:
            return label
    return EXPERIENCE_LONGEST


def position_group(position: str | None) -> str:
    text = (position or "").lower().replace("ё", "е")
    if not text.strip():
        return NOT_STATED
    for words, group in POSITION_GROUPS:
        if any(word in text for word in words):
            return group
    return OTHER_POSITION


def share(count: int, respondents: int, minimum: int = MIN_GROUP) -> Share:
    """A count within a group of `respondents`, hidden when the group is smaller than `minimum`."""
    if respondents < minimum:
        return Share(respondents, None, True)
    return Share(respondents, count, False)


@dataclass(frozen=True)
class DatasetRow:
    """One completed assessment as the research dataset publishes it: no id, name, address or school."""

    instrument_version: int
    municipality: str
    organization_kind: str
    experience: str
    position: str
    answers: tuple[int | None, ...]
    platform_flags: tuple[bool, ...]


def _cell(row: DatasetRow) -> Hashable:
    return row.municipality, row.organization_kind


def small_cells(sizes: Mapping[Hashable, int], minimum: int = MIN_GROUP) -> frozenset:
    """The cells (by their respondents) too small to be named in the dataset."""
    return frozenset(cell for cell, size in sizes.items() if size < minimum)


def merge_row(row: DatasetRow, small: frozenset, cell: Callable[[DatasetRow], Hashable] = _cell) -> DatasetRow:
    """The row with its municipality and organisation kind written as «прочие» when its cell is small: a stream
    of rows is merged one at a time, with the cell sizes counted beforehand (in SQL)."""
    return replace(row, municipality=OTHERS, organization_kind=OTHERS) if cell(row) in small else row


def merge_small_cells(rows: Iterable[DatasetRow], minimum: int = MIN_GROUP,
                      cell: Callable[[DatasetRow], Hashable] = _cell) -> list[DatasetRow]:
    """Rows whose municipality × organisation kind cell holds fewer than `minimum` respondents have both written
    as «прочие», so a small village school cannot be recognised by its place and kind."""
    rows = list(rows)
    small = small_cells(Counter(cell(row) for row in rows), minimum)
    return [merge_row(row, small, cell) for row in rows]
