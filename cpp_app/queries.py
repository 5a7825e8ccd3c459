"""Query helpers shared by the features: Unicode-aware text search and pagination."""
from dataclasses import dataclass
from typing import Generic, TypeVar

from sqlalchemy import Select, func, select

from .extensions import db

T = TypeVar("T")


def fold(text: str) -> str:
    """Case and «ё» folded, so that «Семёнова» and «семенова» compare equal."""
    return text.lower().replace("ё", "е")


def fold_words(text: str) -> str:
    """Folded, with runs of spaces made one: how two typed names are compared."""
    return " ".join(fold(text).split())


def folded(column):
    # lower() is Unicode-aware on both databases (SQLite's is replaced in extensions.py).
    return func.replace(func.lower(column), "ё", "е")


def contains_pattern(term: str) -> str:
    """A LIKE pattern (escape character «\\») matching the term anywhere."""
    return "%" + term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page of a list and what the pager needs to know about the others."""

    items: list[T]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    @property
    def first_index(self) -> int:
        return (self.page - 1) * self.per_page + 1 if self.total else 0

    @property
    def last_index(self) -> int:
        return (self.page - 1) * self.per_page + len(self.items)

    def page_numbers(self, around: int = 2) -> list[int | None]:
        """Page numbers to link, with None where a run of pages is left out: 1 … 4 5 6 7 8 … 20."""
        shown = {1, self.pages, *range(self.page - around, self.page + around + 1)}
        numbers: list[int | None] = []
        for number in sorted(n for n in shown if 1 <= n <= self.pages):
            if numbers and number - numbers[-1] > 1:
                numbers.append(None)
            numbers.append(number)
        return numbers


def paginate(statement: Select, page: int, per_page: int, total: int | None = None) -> Page:
    """One COUNT (none when the caller knows the `total` already) and one LIMIT/OFFSET query; a page number past
    the end shows the last page."""
    if total is None:
        total = db.session.scalar(select(func.count()).select_from(statement.order_by(None).subquery())) or 0
    pages = max(1, -(-total // per_page))
    page = min(max(page, 1), pages)
    items = list(db.session.scalars(statement.limit(per_page).offset((page - 1) * per_page)).unique())
    return Page(items=items, total=total, page=page, per_page=per_page)
