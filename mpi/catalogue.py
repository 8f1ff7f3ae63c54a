"""The indicator catalogue, versioned by survey year, read from the CSV files in mpi/data.

A new year's indicator set is a new row in indicator_sets.csv and, if the instrument
changed, a new indicators_<set>.csv: no code changes.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from pathlib import Path

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
        rows = [
            Indicator(r["code"], r["dimension"], int(r["jpt_no"]), r["name_th"], r["name_en"], r["scope_en"])
            for r in csv.DictReader(f)
        ]
    for ind in rows:
        if ind.dimension not in known:
            raise ValueError(f"indicator {ind.code} names unknown dimension {ind.dimension!r}")
    return tuple(rows)


def indicators_for_year(year: int) -> tuple[Indicator, ...]:
    return indicators_of_set(indicator_set_for_year(year))


def known_years() -> list[int]:
    with open(DATA_DIR / "indicator_sets.csv", encoding="utf-8", newline="") as f:
        return sorted(int(r["year"]) for r in csv.DictReader(f))
