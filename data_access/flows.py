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

The refresh is hand-written SQL on purpose, like the other rollups: one set-based statement per level and side,
joining two editions' rows inside the database (person (year, citizen_id) and household (year, house_id) are
unique, so each join is an index lookup).
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
# the area key of a household row at each level: its own unit, amphoe, province, country
LEVEL_KEYS = ("{h}.tambon_code", "substr({h}.tambon_code, 1, 4)", "substr({h}.tambon_code, 1, 2)", "'TH'")


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


def _pair(conn: Connection, a: int, b: int) -> dict[str, dict[str, int]]:
    """Every area's flows from edition a to edition b."""
    out: dict[str, dict[str, int]] = {}

    def add(rows, names):
        for key, *values in rows:
            row = out.setdefault(key, dict.fromkeys(FIELDS, 0))
            for name, v in zip(names, values, strict=True):
                row[name] += int(v or 0)

    params = {"a": a, "b": b}
    for level in LEVEL_KEYS:
        k1, k2 = level.format(h="h1"), level.format(h="h2")
        same = f"{k2} = {k1}"
        poor1, poor2 = _poor_person("p1", "h1", a), _poor_person("p2", "h2", b)
        add(
            tuples(
                conn.execute(
                    text(
                        f"SELECT {k1}, "
                        f"SUM(CASE WHEN p2.id IS NOT NULL AND {same} AND {poor2} THEN 1 ELSE 0 END), "
                        f"SUM(CASE WHEN p2.id IS NOT NULL AND {same} AND NOT {poor2} THEN 1 ELSE 0 END), "
                        f"SUM(CASE WHEN p2.id IS NULL OR {k2} <> {k1} THEN 1 ELSE 0 END) "
                        "FROM person p1 JOIN household h1 ON h1.id = p1.household_id "
                        "LEFT JOIN person p2 ON p2.year = :b AND p2.citizen_id = p1.citizen_id "
                        "LEFT JOIN household h2 ON h2.id = p2.household_id "
                        f"WHERE p1.year = :a AND {poor1} GROUP BY 1"
                    ),
                    params,
                )
            ),
            ("stayed_persons", "exited_persons", "left_survey_persons"),
        )
        add(
            tuples(
                conn.execute(
                    text(
                        f"SELECT {k2}, SUM(CASE WHEN p1.id IS NOT NULL AND {same} AND {poor1} THEN 0 ELSE 1 END) "
                        "FROM person p2 JOIN household h2 ON h2.id = p2.household_id "
                        "LEFT JOIN person p1 ON p1.year = :a AND p1.citizen_id = p2.citizen_id "
                        "LEFT JOIN household h1 ON h1.id = p1.household_id "
                        f"WHERE p2.year = :b AND {poor2} GROUP BY 1"
                    ),
                    params,
                )
            ),
            ("entered_persons",),
        )
        hpoor1, hpoor2 = _poor_household("h1", a), _poor_household("h2", b)
        add(
            tuples(
                conn.execute(
                    text(
                        f"SELECT {k1}, "
                        f"SUM(CASE WHEN h2.id IS NOT NULL AND {same} AND {hpoor2} THEN 1 ELSE 0 END), "
                        f"SUM(CASE WHEN h2.id IS NOT NULL AND {same} AND NOT {hpoor2} THEN 1 ELSE 0 END), "
                        f"SUM(CASE WHEN h2.id IS NULL OR {k2} <> {k1} THEN 1 ELSE 0 END) "
                        "FROM household h1 LEFT JOIN household h2 ON h2.year = :b AND h2.house_id = h1.house_id "
                        f"WHERE h1.year = :a AND {hpoor1} GROUP BY 1"
                    ),
                    params,
                )
            ),
            ("stayed_households", "exited_households", "left_survey_households"),
        )
        add(
            tuples(
                conn.execute(
                    text(
                        f"SELECT {k2}, SUM(CASE WHEN h1.id IS NOT NULL AND {same} AND {hpoor1} THEN 0 ELSE 1 END) "
                        "FROM household h2 LEFT JOIN household h1 ON h1.year = :a AND h1.house_id = h2.house_id "
                        f"WHERE h2.year = :b AND {hpoor2} GROUP BY 1"
                    ),
                    params,
                )
            ),
            ("entered_households",),
        )
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
