"""Ids in URLs and forms: a number the id columns cannot hold names nothing, so it is a 404, never a database
error (PostgreSQL refuses to compare an integer column with 2147483648)."""
import re

from werkzeug.routing import IntegerConverter, Map

MAX_ID = 2**31 - 1  # PostgreSQL's `integer`, the type of every id column
_ID = re.compile(r"[0-9]{1,10}")  # ASCII digits only: str.isdigit() also takes «²», which int() refuses


class IdConverter(IntegerConverter):
    """`<int:…>` as registered by the app: 1 … 2³¹−1, anything else matches no route."""

    def __init__(self, map: Map, fixed_digits: int = 0, min: int = 1, max: int = MAX_ID, signed: bool = False) -> None:
        super().__init__(map, fixed_digits, min, max, signed)


def parse_id(value: str | int | None) -> int | None:
    """A query-string or form value that names an object (a form field may still hold its int default): its id,
    or None when it cannot be one."""
    text = str(value or "").strip()
    if not _ID.fullmatch(text):
        return None
    number = int(text)
    return number if 1 <= number <= MAX_ID else None
