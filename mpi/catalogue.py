"""The indicator catalogue, versioned by survey year, read from the CSV files in mpi/data.

A new year's indicator set is a new row in indicator_sets.csv and, if the instrument
changed, a new indicators_<set>.csv: no code changes.

Each indicator's scope (who it is asked about) is data too: min_age and max_age (whole years, blank = no bound),
disabled_member (1 = asked about disabled members), and scope_basis: `stated` where the jpt wording states it
(TPMAP-DOMAIN.md §4), `inferred` where it does not (3.3 asks about "a child who just finished M.3": a child,
under 18, of secondary-school age). An indicator with none of them concerns every household. The survey import
refuses a failure whose household has nobody in a stated scope; the generator keeps to every scope.
"""

from __future__ import annotations

import csv
import datetime as dt
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from mpi.calendar import years_before

DATA_DIR = Path(__file__).resolve().parent / "data"


@dataclass(frozen=True)
class Dimension:
    key: str
    order: int
    name_th: str
    name_en: str


@dataclass(frozen=True)
class Indicator:
    code: str
    dimension: str
    jpt_no: int
    name_th: str
    name_en: str
    scope_en: str
    min_age: int | None = None
    max_age: int | None = None
    disabled_member: bool = False
    scope_basis: str = ""

    @property
    def scoped(self) -> bool:
        """Whether the indicator concerns some members only (not every household)."""
        return self.min_age is not None or self.max_age is not None or self.disabled_member

    def born_range(self, first_day: dt.date, last_day: dt.date) -> tuple[dt.date | None, dt.date | None]:
        """(born after, born on or before): the birth dates of people whose age is within the scope on some day from
        first_day to last_day (one day: first_day = last_day). None where the scope has no bound on that side."""
        born_by = years_before(last_day, self.min_age) if self.min_age is not None else None
        born_after = years_before(first_day, self.max_age + 1) if self.max_age is not None else None
        return born_after, born_by

    def covers(self, born: dt.date, disabled: bool, first_day: dt.date, last_day: dt.date | None = None) -> bool:
        """Whether a member born on `born` is within the scope on some day from first_day to last_day."""
        after, by = self.born_range(first_day, last_day or first_day)
        return (disabled or not self.disabled_member) and (after is None or born > after) and (by is None or born <= by)

    def scope_words(self) -> str:
        """The scope in words, for an import report: 'aged 6-14', 'aged 60 or over', 'disabled'."""
        lo, hi = self.min_age, self.max_age
        if lo is None and hi is None:
            return "disabled" if self.disabled_member else "any member"
        if hi is None:
            age = f"aged {lo} or over"
        elif lo is None or lo == 0:
            age = f"aged under {hi + 1}"
        else:
            age = f"aged {lo}-{hi}"
        return f"disabled and {age}" if self.disabled_member else age


@cache
def dimensions() -> tuple[Dimension, ...]:
    with open(DATA_DIR / "dimensions.csv", encoding="utf-8", newline="") as f:
        rows = [Dimension(r["key"], int(r["order"]), r["name_th"], r["name_en"]) for r in csv.DictReader(f)]
    return tuple(sorted(rows, key=lambda d: d.order))


@cache
def indicator_set_for_year(year: int) -> str:
    with open(DATA_DIR / "indicator_sets.csv", encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            if int(row["year"]) == year:
                return row["indicator_set"]
    raise KeyError(f"no indicator set is defined for survey year {year}")


@cache
def indicators_of_set(indicator_set: str) -> tuple[Indicator, ...]:
    known = {d.key for d in dimensions()}
    with open(DATA_DIR / f"indicators_{indicator_set}.csv", encoding="utf-8", newline="") as f:
        rows = [_indicator(r) for r in csv.DictReader(f)]
    for ind in rows:
        if ind.dimension not in known:
            raise ValueError(f"indicator {ind.code} names unknown dimension {ind.dimension!r}")
        if ind.scoped != (ind.scope_basis in ("stated", "inferred")):
            raise ValueError(f"indicator {ind.code}: a scope needs its basis (stated or inferred), and a basis a scope")
        if ind.min_age is not None and ind.max_age is not None and ind.min_age > ind.max_age:
            raise ValueError(f"indicator {ind.code}: min_age above max_age")
    return tuple(rows)


def _indicator(r: dict[str, str]) -> Indicator:
    def age(v: str | None) -> int | None:
        return int(v) if v and v.strip() else None

    return Indicator(
        r["code"],
        r["dimension"],
        int(r["jpt_no"]),
        r["name_th"],
        r["name_en"],
        r["scope_en"],
        age(r.get("min_age")),
        age(r.get("max_age")),
        (r.get("disabled_member") or "0").strip() == "1",
        (r.get("scope_basis") or "").strip(),
    )


def indicators_for_year(year: int) -> tuple[Indicator, ...]:
    return indicators_of_set(indicator_set_for_year(year))


def known_years() -> list[int]:
    with open(DATA_DIR / "indicator_sets.csv", encoding="utf-8", newline="") as f:
        return sorted(int(r["year"]) for r in csv.DictReader(f))
