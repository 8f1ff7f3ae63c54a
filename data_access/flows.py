"""Persons and households followed between two editions: who stayed target poor, got out, fell in, or left.

A person is followed by citizen ID and a household by house_id. Per area and pair of editions (from, to):

  stayed       target poor in `from` and in `to`, in the area both times
  exited       target poor in `from`; in the area's `to` survey, no longer target poor
  left_survey  target poor in `from`; not in the area's `to` survey (moved away, died, or not surveyed)
  entered      target poor in `to`; not target poor in the area in `from` (newly poor, born, moved in)

so that, exactly, target poor of `from` = stayed + exited + left_survey and target poor of `to` = stayed + entered.
Each edition counts target poor by its own definition (mpi.editions: MPI-poor and card-holding up to 2566, MPI-poor
from 2567). Flows are rolled up on import (flow_rollup) for every pair of editions with microdata that includes
the imported one, at each level (the household's own tambon or municipal unit, amphoe, province, country), and
kept only for areas that have survey figures in both editions: elsewhere everyone would look as if they had left.

The refresh is hand-written SQL on purpose, like the other rollups: four set-based statements (persons and
households, from each side) joining two editions' rows inside the database (person (year, citizen_id) and
household (year, house_id) are unique, so each join is an index lookup), grouped by the unit at both ends; every
level is then summed from those few thousand groups.
"""

from __future__ import annotations

import datetime as dt
from typing import TypedDict

from sqlalchemy import Connection, Engine, delete, insert, select, text

from data_access import models as tables
from data_access.db import get_engine, tuples
from data_access.errors import NotFoundError
from data_access.rollups import SURVEY
from mpi.editions import edition

FIELDS = (
    "stayed_persons",
    "exited_persons",
    "entered_persons",
    "left_survey_persons",
    "stayed_households",
    "exited_households",
    "entered_households",
    "left_survey_households",
)


class Flows(TypedDict):
    """The pinned answer of GET /api/v1/areas/<code>/flows (plus left_survey_households)."""

    code: str
    # "from" and "to" are added by name below (Python keywords)
    stayed_persons: int
    exited_persons: int
    entered_persons: int
    left_survey_persons: int
    stayed_households: int
    exited_households: int
    entered_households: int
    left_survey_households: int


def _poor_person(p: str, h: str, year: int) -> str:
    card = f" AND {p}.welfare_card" if edition(year).needs_card else ""
    return f"({h}.pattern <> 0{card})"


def _poor_household(h: str, year: int) -> str:
    card = f" AND {h}.n_welfare > 0" if edition(year).needs_card else ""
    return f"({h}.pattern <> 0{card})"


def survey_years(conn: Connection) -> list[int]:
    s = tables.area_rollup_source.c
    return sorted(conn.scalars(select(s.year).where(s.source == SURVEY).distinct()))


def _keys(unit: str | None) -> list[str | None]:
    """The areas a household's unit lies in, lowest first: the unit, its amphoe, its province, the country."""
    if unit is None:
        return [None] * len(LEVELS)
    return [unit, unit[:4], unit[:2], "TH"]


LEVELS = ("unit", "amphoe", "province", "country")


def _pair(conn: Connection, a: int, b: int) -> dict[str, dict[str, int]]:
    """Every area's flows from edition a to edition b. Four statements, each one pass over one side's target poor
    joined to the other edition: grouped by the unit at both ends, so every level is summed from the same rows in
    Python (a few thousand groups), not joined again per level."""
    out: dict[str, dict[str, int]] = {}

    def bump(code: str, field: str, n: int) -> None:
        out.setdefault(code, dict.fromkeys(FIELDS, 0))[field] += n

    params = {"a": a, "b": b}
    poor1, poor2 = _poor_person("p1", "h1", a), _poor_person("p2", "h2", b)
    hpoor1, hpoor2 = _poor_household("h1", a), _poor_household("h2", b)
    sides = (
        # (what, the joined rows' SQL)
        (
            "persons_from",
            f"SELECT h1.tambon_code, h2.tambon_code, CASE WHEN {poor2} THEN 1 ELSE 0 END, COUNT(*) "
            "FROM person p1 JOIN household h1 ON h1.id = p1.household_id "
            "LEFT JOIN person p2 ON p2.year = :b AND p2.citizen_id = p1.citizen_id "
            "LEFT JOIN household h2 ON h2.id = p2.household_id "
            f"WHERE p1.year = :a AND {poor1} GROUP BY 1, 2, 3",
        ),
        (
            "persons_to",
            f"SELECT h2.tambon_code, h1.tambon_code, CASE WHEN {poor1} THEN 1 ELSE 0 END, COUNT(*) "
            "FROM person p2 JOIN household h2 ON h2.id = p2.household_id "
            "LEFT JOIN person p1 ON p1.year = :a AND p1.citizen_id = p2.citizen_id "
            "LEFT JOIN household h1 ON h1.id = p1.household_id "
            f"WHERE p2.year = :b AND {poor2} GROUP BY 1, 2, 3",
        ),
        (
            "households_from",
            f"SELECT h1.tambon_code, h2.tambon_code, CASE WHEN {hpoor2} THEN 1 ELSE 0 END, COUNT(*) "
            "FROM household h1 LEFT JOIN household h2 ON h2.year = :b AND h2.house_id = h1.house_id "
            f"WHERE h1.year = :a AND {hpoor1} GROUP BY 1, 2, 3",
        ),
        (
            "households_to",
            f"SELECT h2.tambon_code, h1.tambon_code, CASE WHEN {hpoor1} THEN 1 ELSE 0 END, COUNT(*) "
            "FROM household h2 LEFT JOIN household h1 ON h1.year = :a AND h1.house_id = h2.house_id "
            f"WHERE h2.year = :b AND {hpoor2} GROUP BY 1, 2, 3",
        ),
    )
    for what, sql in sides:
        unit = what.split("_")[0]  # persons | households
        for here, there, poor_there, n in tuples(conn.execute(text(sql), params)):
            # `there` is null where the person (household) is not in the other edition at all; a row with a
            # unit elsewhere was matched but is not "here" at that level
            for key, other in zip(_keys(here), _keys(there), strict=True):
                assert key is not None
                same = other is not None and other == key
                if what.endswith("_from"):
                    if same and poor_there:
                        bump(key, f"stayed_{unit}", int(n))
                    elif same:
                        bump(key, f"exited_{unit}", int(n))
                    else:
                        bump(key, f"left_survey_{unit}", int(n))
                elif not (same and poor_there):
                    bump(key, f"entered_{unit}", int(n))
                else:
                    out.setdefault(key, dict.fromkeys(FIELDS, 0))  # stayed: counted from the other side
    return out


def _covered(conn: Connection, a: int, b: int) -> set[str]:
    """Areas with survey figures in both editions."""
    s = tables.area_rollup_source.c
    codes: list[set[str]] = [set(conn.scalars(select(s.area_code).where(s.year == y, s.source == SURVEY))) for y in (a, b)]
    return codes[0] & codes[1]


def refresh_flows(conn: Connection, year: int) -> int:
    """Recompute the flows of every pair of microdata editions that includes `year`; rows written."""
    f = tables.flow_rollup
    conn.execute(delete(f).where((f.c.year_from == year) | (f.c.year_to == year)))
    years = survey_years(conn)
    others = [y for y in years if y != year] if year in years else []
    now = dt.datetime.now(dt.UTC)
    written = 0
    for other in others:
        a, b = sorted((year, other))
        covered = _covered(conn, a, b)
        rows = [
            {"year_from": a, "year_to": b, "area_code": code, "refreshed_at": now, **values}
            for code, values in _pair(conn, a, b).items()
            if code in covered
        ]
        if rows:
            conn.execute(insert(f), rows)
        written += len(rows)
    return written


def flows(code: str, year_from: int, year_to: int, engine: Engine | None = None) -> dict:
    """The flows of an area between two editions (public, like every aggregate)."""
    if year_from >= year_to:
        raise NotFoundError("`from` must be an edition before `to`")
    f = tables.flow_rollup.c
    with (engine or get_engine()).connect() as conn:
        found = (
            conn.execute(
                select(*(f[c] for c in FIELDS)).where(f.year_from == year_from, f.year_to == year_to, f.area_code == code)
            )
            .mappings()
            .first()
        )
        row: dict = dict(found) if found is not None else {}
        if found is None:
            if code not in _covered(conn, year_from, year_to):
                raise NotFoundError(
                    f"no flows for area {code} from {year_from} to {year_to}: both editions need survey microdata covering it"
                )
            row = dict.fromkeys(FIELDS, 0)  # covered, but nobody was target poor in either edition
    return {"code": code, "from": year_from, "to": year_to, **{k: int(row[k]) for k in FIELDS}}
