"""What no household can be, checked on survey files (the import format): a failure of an indicator asked about some
members only (mpi/data) in a household with nobody in its scope on the survey date, a birth after that date, and
villages of a tambon numbered with gaps."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from mpi import catalogue
from mpi.editions import survey_date


def impossible_failures(folder: Path, year: int) -> list[tuple[str, str]]:
    """(house_id, indicator) of every failure whose household has nobody within the indicator's scope (stated or
    inferred) on the survey date."""
    on = survey_date(year)
    persons = pd.read_csv(folder / "persons.csv", dtype=str, keep_default_na=False)
    failures = pd.read_csv(folder / "failures.csv", dtype=str, keep_default_na=False)
    born = pd.to_datetime(persons["birth_date"])
    found = []
    for ind in catalogue.indicators_for_year(year):
        if not ind.scoped:
            continue
        after, by = ind.born_range(on, on)
        in_scope = (persons["disabled"] == "1") | (not ind.disabled_member)
        if after is not None:
            in_scope &= born > pd.Timestamp(after)
        if by is not None:
            in_scope &= born <= pd.Timestamp(by)
        houses = set(persons.loc[in_scope, "house_id"])
        failing = failures.loc[failures["indicator"] == ind.code, "house_id"]
        found += [(h, ind.code) for h in failing if h not in houses]
    return found


def born_after_the_survey(folder: Path, year: int) -> int:
    persons = pd.read_csv(folder / "persons.csv", dtype=str, keep_default_na=False)
    return int((pd.to_datetime(persons["birth_date"]).dt.date > survey_date(year)).sum())


def village_gaps(folder: Path) -> dict[str, list[int]]:
    """Tambon → its village numbers, for every tambon whose villages are not 1..n."""
    households = pd.read_csv(folder / "households.csv", dtype=str, keep_default_na=False)
    numbers = households.groupby("tambon_code")["village_no"].agg(lambda v: sorted({int(x) for x in v}))
    return {t: v for t, v in numbers.items() if v != list(range(1, len(v) + 1))}
