"""Growth between two submitted self-assessments of one teacher: per area, the level and mean before and now.

Pure: plain data in, plain data out."""
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True)
class AreaScore:
    level_rank: int
    mean: Decimal


@dataclass(frozen=True)
class AreaChange:
    code: str
    before: AreaScore | None  # None: the earlier instrument had no such area
    now: AreaScore

    @property
    def direction(self) -> str:
        """«up», «down» or «same»: by the level, and within one level by the mean."""
        if self.before is None:
            return "same"
        key_now, key_before = (self.now.level_rank, self.now.mean), (self.before.level_rank, self.before.mean)
        if key_now > key_before:
            return "up"
        return "down" if key_now < key_before else "same"

    @property
    def mean_change(self) -> Decimal | None:
        return None if self.before is None else self.now.mean - self.before.mean


def compare(area_codes: Sequence[str], before: Mapping[str, AreaScore], now: Mapping[str, AreaScore]
            ) -> list[AreaChange]:
    """The change of every area scored now, in the instrument's order."""
    return [AreaChange(code, before.get(code), now[code]) for code in area_codes if code in now]
