"""Life stages (ช่วงวัย), versioned with the edition's indicator catalogue: mpi/data/life_stages_<set>.csv.

The bands follow the indicators' age scopes (1.1 newborns, 3.1 ages 3-5, 3.2 ages 6-14, 3.4 and 4.1 ages 15-59,
4.2 and 5.1 ages 60+), so a stage answers "the poor this indicator is about". Each row names the indicators that
concern it; their names are in the one label catalogue (components/i18n.py, `stage.<key>`). Ages are counted in
completed years on the edition's survey date (mpi.editions.survey_date), never today: a figure of 2561 does not
age as the years go by. The bands cover every age from 0 with no gap or overlap (checked on load), so the sum over
stages of any person count is the all-ages count.
"""

from __future__ import annotations

import csv
import datetime as dt
from dataclasses import dataclass
from functools import cache

from mpi import catalogue
from mpi.calendar import age_on, years_before

# Pinned keys (URLs and the API): other tools call these exactly so.
STAGE_KEYS = ("infant", "preschool", "school", "working", "elderly")
SEXES = ("M", "F")


@dataclass(frozen=True)
class LifeStage:
    key: str
    order: int
    min_age: int
    max_age: int | None  # None: no upper bound (the last stage)
    indicators: tuple[str, ...]  # codes of the indicators that concern this stage

    def holds(self, age: int) -> bool:
        return age >= self.min_age and (self.max_age is None or age <= self.max_age)

    def born_range(self, on: dt.date) -> tuple[dt.date | None, dt.date]:
        """(born after, born on or before): the birth dates of people of this stage on `on`, so SQL compares dates
        the same way on PostgreSQL and SQLite. None: no lower bound on the birth date (the last stage)."""
        born_by = years_before(on, self.min_age)
        born_after = years_before(on, self.max_age + 1) if self.max_age is not None else None
        return born_after, born_by


@cache
def stages_of_set(indicator_set: str) -> tuple[LifeStage, ...]:
    with open(catalogue.DATA_DIR / f"life_stages_{indicator_set}.csv", encoding="utf-8", newline="") as f:
        rows = [
            LifeStage(
                r["key"],
                int(r["order"]),
                int(r["min_age"]),
                int(r["max_age"]) if r["max_age"].strip() else None,
                tuple(r["indicators"].split()),
            )
            for r in csv.DictReader(f)
        ]
    rows.sort(key=lambda s: s.order)
    _check(indicator_set, rows)
    return tuple(rows)


def _check(indicator_set: str, rows: list[LifeStage]) -> None:
    """The bands tile the ages from 0 upwards, use the pinned keys, and name indicators whose scope meets them."""
    if tuple(s.key for s in rows) != STAGE_KEYS:
        raise ValueError(f"life stages of {indicator_set} must be {', '.join(STAGE_KEYS)} in order")
    expected = 0
    for s in rows:
        if s.min_age != expected:
            raise ValueError(f"life stage {s.key} starts at {s.min_age}, expected {expected} (no gap or overlap)")
        if s.max_age is None:
            if s is not rows[-1]:
                raise ValueError(f"only the last life stage may be open-ended, not {s.key}")
            break
        expected = s.max_age + 1
    else:
        raise ValueError(f"the last life stage of {indicator_set} must be open-ended")
    scopes = {i.code: i for i in catalogue.indicators_of_set(indicator_set)}
    for s in rows:
        for code in s.indicators:
            ind = scopes.get(code)
            if ind is None or ind.min_age is None and ind.max_age is None:
                raise ValueError(f"life stage {s.key} names {code}, which is not an age-scoped indicator")
            if (ind.max_age is not None and ind.max_age < s.min_age) or (
                s.max_age is not None and (ind.min_age or 0) > s.max_age
            ):
                raise ValueError(f"life stage {s.key} names {code}, whose ages do not meet the stage's")


def life_stages(year: int) -> tuple[LifeStage, ...]:
    """The life stages of an edition (its catalogue's)."""
    return stages_of_set(catalogue.indicator_set_for_year(year))


def stage_for_age(age: int, year: int) -> LifeStage:
    if age < 0:
        raise ValueError(f"an age cannot be negative ({age})")
    return next(s for s in life_stages(year) if s.holds(age))


def life_stage(born: dt.date, survey_date: dt.date, *, year: int | None = None) -> str:
    """The life-stage key of a person born on `born`, counted on the edition's survey date (the bands of edition
    `year`'s catalogue; the latest catalogue's when None). Born after it: an error (the survey import refuses it)."""
    if born > survey_date:
        raise ValueError(f"born {born}, after the survey date {survey_date}")
    return stage_for_age(age_on(born, survey_date), year or catalogue.known_years()[-1]).key


def check_stage(key: str) -> str:
    if key not in STAGE_KEYS:
        raise ValueError(f"age must be one of {', '.join(STAGE_KEYS)}, not {key!r}")
    return key
