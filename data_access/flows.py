"""Persons and households followed between two editions: who stayed target poor, got out, fell in, or left.

A person is followed by citizen ID and a household by house_id. Per area and pair of consecutive editions (from, to):

  stayed       target poor in `from` and in `to`, in the area both times
  exited       target poor in `from`; in the area's `to` survey, no longer target poor
  left_survey  target poor in `from`; not in the area's `to` survey (moved away, died, or not surveyed)
  entered      target poor in `to`; not target poor in the area in `from` (newly poor, born, moved in)

so that, exactly, target poor of `from` = stayed + exited + left_survey and target poor of `to` = stayed + entered.

Every flow is kept per *definition* of target poor (mpi.rules: registered, all MPI-poor, poor without a card; plus
"edition" where the two editions define it differently, 2566 → 2567) and per *dimension* ("all": deprived in any
dimension; or deprived in that one dimension, e.g. of the income-deprived of 2561, who still is in 2562). The
default of the API is each edition's own definition.

Flows are rolled up on import (flow_rollup) between *consecutive* microdata editions (the pairs grow linearly with
the editions), at each level (the household's own tambon or municipal unit, amphoe, province, country), and kept only
for areas that have survey figures in both editions: elsewhere everyone would look as if they had left.

The refresh is hand-written SQL on purpose, like the other rollups: four set-based statements per pair (persons and
households, from each side) joining two editions' rows inside the database (person (year, citizen_id) and household
(year, house_id) are unique, so each join is an index lookup), grouped by the unit at both ends, with one pair of
sums per definition and dimension; every level is then summed from those few thousand groups.

The same refresh writes help_outcome_rollup: the `from` edition's target-poor households by the help the Logbook
recorded for them and by what became of them (data_access.help_outcomes reads it).
"""

from __future__ import annotations

import datetime as dt
from typing import TypedDict, cast

from sqlalchemy import Connection, Engine, delete, insert, select, text

from data_access import models as tables
from data_access.counted import household_counted, person_counted
from data_access.db import reading, serialize, tuples
from data_access.errors import NotFoundError
from data_access.rollups import SURVEY
from mpi.editions import edition
from mpi.rules import ALL_DIMENSIONS_MASK, DIMENSION_BIT, DIMENSIONS, TARGET_DEFINITIONS

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
EDITION = "edition"  # each edition counted by its own definition (stored only where the two differ)
ALL_DIMENSIONS = "all"
FLOW_DIMENSIONS: tuple[str, ...] = (ALL_DIMENSIONS, *DIMENSIONS)
FOLLOW_UPS = ("stayed", "exited", "left_survey")  # what became of a household in the next edition


class Flows(TypedDict):
    """The pinned answer of GET /api/v1/areas/<code>/flows (plus left_survey_households, definition, dimension)."""

    code: str
    # "from" and "to" are added by name below (Python keywords)
    definition: str
    dimension: str
    stayed_persons: int
    exited_persons: int
    entered_persons: int
    left_survey_persons: int
    stayed_households: int
    exited_households: int
    entered_households: int
    left_survey_households: int


def own_definition(year: int) -> str:
    """The definition an edition itself counts target poor by (registered up to 2566; every MPI-poor from 2567)."""
    return edition(year).target_definition


def pair_definition(year_from: int, year_to: int) -> str:
    """The default flows of a pair: each edition's own definition (one name where the two agree)."""
    a, b = own_definition(year_from), own_definition(year_to)
    return a if a == b else EDITION


def _variants(a: int, b: int) -> list[tuple[str, str, str]]:
    """(stored name, definition in `from`, definition in `to`)."""
    out = [(d, d, d) for d in TARGET_DEFINITIONS]
    if pair_definition(a, b) == EDITION:
        out.append((EDITION, own_definition(a), own_definition(b)))
    return out


def _poor_person(p: str, h: str, year: int) -> str:
    """Target poor by the edition's own definition, every dimension."""
    return person_counted(p, h, own_definition(year), ALL_DIMENSIONS_MASK)


def _poor_household(h: str, year: int) -> str:
    return household_counted(h, own_definition(year), ALL_DIMENSIONS_MASK)


def _follow_cte(unit: bool = False) -> str:
    """SQL: `WITH … moved(ha, hb)`, households of editions :a and :b that are one household at a new address.

    A household that moves gets a new house_id where it settles (house registration is per address), while its
    people keep their citizen IDs. Followed by house_id alone it "left the survey" with none of its people leaving
    (persons are followed by citizen ID), so a flow counted more households than persons. A household whose house_id
    the other edition lacks is therefore followed by its people, into a household whose own house_id the first
    edition lacks: each side picks the first (smallest id) of the households its people are in, and only pairs that
    pick each other are kept, so the pairing is one-to-one and `stayed` counts the same from either side
    (target poor of `to` = stayed + entered stays exact). With `unit`, only :a's households of tambon :u."""
    here = " AND x1.tambon_code = :u" if unit else ""
    gone_a = "NOT EXISTS (SELECT 1 FROM household y WHERE y.year = :b AND y.house_id = x1.house_id)"
    gone_b = "NOT EXISTS (SELECT 1 FROM household y WHERE y.year = :a AND y.house_id = x2.house_id)"
    return (
        # each :a household without its house_id in :b, to the first :b household (without its own in :a) of its people
        "WITH fwd AS (SELECT x1.id AS ha, MIN(q2.household_id) AS hb FROM household x1 "
        "JOIN person q1 ON q1.household_id = x1.id "
        "JOIN person q2 ON q2.year = :b AND q2.citizen_id = q1.citizen_id "
        "JOIN household x2 ON x2.id = q2.household_id "
        f"WHERE x1.year = :a{here} AND {gone_a} AND {gone_b} GROUP BY x1.id), "
        # and back, over all of that household's people (so one tambon's refresh pairs as the whole import does)
        "bwd AS (SELECT x2.id AS hb, MIN(q1.household_id) AS ha FROM household x2 "
        "JOIN person q2 ON q2.household_id = x2.id "
        "JOIN person q1 ON q1.year = :a AND q1.citizen_id = q2.citizen_id "
        "JOIN household x1 ON x1.id = q1.household_id "
        f"WHERE x2.id IN (SELECT hb FROM fwd) AND {gone_a} GROUP BY x2.id), "
        "moved AS (SELECT fwd.ha, fwd.hb FROM fwd JOIN bwd ON bwd.hb = fwd.hb AND bwd.ha = fwd.ha) "
    )


def _followed(me: str, other: str) -> str:
    """SQL joins after `FROM household h{me}`: h{other}, the same household in the other edition (same house_id, else
    paired by its people in _follow_cte's `moved`), null where it is in neither."""
    year_other, mine, theirs = (":b", "ha", "hb") if me == "1" else (":a", "hb", "ha")
    return (
        f"LEFT JOIN household s{me} ON s{me}.year = {year_other} AND s{me}.house_id = h{me}.house_id "
        f"LEFT JOIN moved m{me} ON m{me}.{mine} = h{me}.id "
        f"LEFT JOIN household h{other} ON h{other}.id = COALESCE(s{me}.id, m{me}.{theirs})"
    )


def survey_years(conn: Connection) -> list[int]:
    s = tables.area_rollup_source.c
    return sorted(conn.scalars(select(s.year).where(s.source == SURVEY).distinct()))


LEVELS = ("unit", "amphoe", "province", "country")


def _keys(unit: str | None) -> list[str | None]:
    """The areas a household's unit lies in, lowest first: the unit, its amphoe, its province, the country."""
    if unit is None:
        return [None] * len(LEVELS)
    return [unit, unit[:4], unit[:2], "TH"]


def _bit(dimension: str) -> int:
    return ALL_DIMENSIONS_MASK if dimension == ALL_DIMENSIONS else DIMENSION_BIT[dimension]


def _pair(conn: Connection, a: int, b: int) -> dict[tuple[str, str, str], dict[str, int]]:
    """Every area's flows from edition a to edition b, per (area, definition, dimension). Four statements, each one
    pass over one side's MPI-poor joined to the other edition, grouped by the unit at both ends, with two sums per
    variant: those counted here, and those counted here *and* on the other side."""
    variants = [(name, da, db, dim) for name, da, db in _variants(a, b) for dim in FLOW_DIMENSIONS]
    out: dict[tuple[str, str, str], dict[str, int]] = {}

    def sums(here_cond: list[str], both_cond: list[str]) -> str:
        cols = []
        for i, (h, both) in enumerate(zip(here_cond, both_cond, strict=True)):
            cols.append(f"SUM(CASE WHEN {h} THEN 1 ELSE 0 END) AS n{i}")
            cols.append(f"SUM(CASE WHEN {h} AND {both} THEN 1 ELSE 0 END) AS m{i}")
        return ", ".join(cols)

    def conds(side_from: bool, person: bool) -> tuple[list[str], list[str]]:
        """Per variant: counted on this side, and counted on the other side."""
        one, two = ("p1", "h1"), ("p2", "h2")
        here_alias, there_alias = (one, two) if side_from else (two, one)
        here, there = [], []
        for _, da, db, dim in variants:
            d_here, d_there = (da, db) if side_from else (db, da)
            if person:
                here.append(person_counted(*here_alias, d_here, _bit(dim)))
                there.append(person_counted(*there_alias, d_there, _bit(dim)))
            else:
                here.append(household_counted(here_alias[1], d_here, _bit(dim)))
                there.append(household_counted(there_alias[1], d_there, _bit(dim)))
        return here, there

    statements = []
    for side_from in (True, False):
        here, there = conds(side_from, person=True)
        me, other = ("1", "2") if side_from else ("2", "1")
        year_me, year_other = (":a", ":b") if side_from else (":b", ":a")
        statements.append(
            (
                "persons",
                side_from,
                f"SELECT h{me}.tambon_code, h{other}.tambon_code, {sums(here, there)} "
                f"FROM person p{me} JOIN household h{me} ON h{me}.id = p{me}.household_id "
                f"LEFT JOIN person p{other} ON p{other}.year = {year_other} AND p{other}.citizen_id = p{me}.citizen_id "
                f"LEFT JOIN household h{other} ON h{other}.id = p{other}.household_id "
                f"WHERE p{me}.year = {year_me} AND h{me}.pattern <> 0 GROUP BY 1, 2",
            )
        )
        here, there = conds(side_from, person=False)
        statements.append(
            (
                "households",
                side_from,
                f"{_follow_cte()}SELECT h{me}.tambon_code, h{other}.tambon_code, {sums(here, there)} "
                f"FROM household h{me} {_followed(me, other)} "
                f"WHERE h{me}.year = {year_me} AND h{me}.pattern <> 0 GROUP BY 1, 2",
            )
        )
    for unit, side_from, sql in statements:
        for row in tuples(conn.execute(text(sql), {"a": a, "b": b})):
            here_unit, there_unit, counts = row[0], row[1], row[2:]
            # `there` is null where the person (household) is not in the other edition at all; a row with a unit
            # elsewhere was matched but is not "here" at that level
            for level_code, there_code in zip(_keys(here_unit), _keys(there_unit), strict=True):
                assert level_code is not None
                same = there_code is not None and there_code == level_code
                for i, (name, _, _, dim) in enumerate(variants):
                    n, m = int(counts[2 * i] or 0), int(counts[2 * i + 1] or 0)
                    cell = out.setdefault((level_code, name, dim), dict.fromkeys(FIELDS, 0))
                    if side_from:
                        if same:
                            cell[f"stayed_{unit}"] += m
                            cell[f"exited_{unit}"] += n - m
                        else:
                            cell[f"left_survey_{unit}"] += n
                    else:  # stayed is counted from the other side
                        cell[f"entered_{unit}"] += n - m if same else n
    return out


def _covered(conn: Connection, a: int, b: int) -> set[str]:
    """Areas with survey figures in both editions."""
    s = tables.area_rollup_source.c
    codes: list[set[str]] = [set(conn.scalars(select(s.area_code).where(s.year == y, s.source == SURVEY))) for y in (a, b)]
    return codes[0] & codes[1]


def consecutive_pairs(years: list[int], year: int) -> list[tuple[int, int]]:
    """The pairs of consecutive microdata editions that an import (or removal) of `year` changes."""
    before = [y for y in years if y < year]
    after = [y for y in years if y > year]
    if year not in years:  # the year went away: its neighbours become consecutive
        return [(before[-1], after[0])] if before and after else []
    return ([(before[-1], year)] if before else []) + ([(year, after[0])] if after else [])


def refresh_flows(conn: Connection, year: int) -> int:
    """Recompute the flows (and help outcomes) that `year` takes part in; rows written."""
    f, ho = tables.flow_rollup, tables.help_outcome_rollup
    years = survey_years(conn)
    pairs = consecutive_pairs(years, year)
    # every stored pair that touches the year, or straddles it (2561→2565 once 2562 arrives), is replaced
    for t in (f, ho):
        conn.execute(
            delete(t).where((t.c.year_from == year) | (t.c.year_to == year) | ((t.c.year_from < year) & (t.c.year_to > year)))
        )
    now = dt.datetime.now(dt.UTC)
    written = 0
    for a, b in pairs:
        covered = _covered(conn, a, b)
        rows = [
            {"year_from": a, "year_to": b, "area_code": code, "definition": name, "dimension": dim, "refreshed_at": now} | values
            for (code, name, dim), values in _pair(conn, a, b).items()
            if code in covered
        ]
        if rows:
            conn.execute(insert(f), rows)
        written += len(rows)
        refresh_help_outcomes(conn, a, b)
    return written


def refresh_help_outcomes(conn: Connection, a: int, b: int, unit: str | None = None) -> None:
    """The `a` edition's target-poor households (its own definition) by the help recorded for them in the Logbook
    (each dimension of help, any, none) and by what became of them in `b` (still target poor, out, or gone from the
    survey: followed anywhere, by house_id or, where it moved, by its people as the flows are). One unit (a Logbook
    write) or all of them (an import)."""
    ho = tables.help_outcome_rollup
    where = "h1.year = :a AND " + _poor_household("h1", a) + (" AND h1.tambon_code = :u" if unit else "")
    serialize(conn, f"help_outcome_rollup:{a}:{b}:{unit or '*'}")  # delete-then-insert: one writer at a time
    cond = delete(ho).where(ho.c.year_from == a, ho.c.year_to == b)
    conn.execute(cond.where(ho.c.tambon_code == unit) if unit else cond)
    outcome = f"CASE WHEN h2.id IS NULL THEN 'left_survey' WHEN {_poor_household('h2', b)} THEN 'stayed' ELSE 'exited' END"
    params = {"a": a, "b": b, "u": unit}
    follow = _follow_cte(unit=unit is not None)
    joined = f"FROM household h1 {_followed('1', '2')} WHERE {where}"
    helped = "EXISTS (SELECT 1 FROM assistance s WHERE s.household_id = h1.id)"
    rows: list[tuple[str, str, str, int]] = []
    for unit_code, out, any_help, n in tuples(
        conn.execute(
            text(
                f"{follow}SELECT h1.tambon_code, {outcome}, CASE WHEN {helped} THEN 1 ELSE 0 END, COUNT(*) {joined} GROUP BY 1, 2, 3"
            ),
            params,
        )
    ):
        rows.append((unit_code, "any" if any_help else "none", out, int(n)))
    for unit_code, out, dim, n in tuples(
        conn.execute(
            text(
                f"{follow}SELECT h1.tambon_code, {outcome}, s.dimension, COUNT(DISTINCT h1.id) "
                f"FROM household h1 JOIN assistance s ON s.household_id = h1.id "
                f"{_followed('1', '2')} WHERE {where} GROUP BY 1, 2, 3"
            ),
            params,
        )
    ):
        rows.append((unit_code, dim, out, int(n)))
    if rows:
        conn.execute(
            insert(ho),
            [{"year_from": a, "year_to": b, "tambon_code": u, "help": h, "outcome": o, "households": n} for u, h, o, n in rows],
        )


def pairs_after(conn: Connection, year: int) -> list[int]:
    """The editions a household of `year` is followed into (the next microdata edition, if any)."""
    f = tables.flow_rollup.c
    return sorted(set(conn.scalars(select(f.year_to).where(f.year_from == year).distinct())))


def flows(
    code: str,
    year_from: int,
    year_to: int,
    engine: Engine | None = None,
    *,
    definition: str | None = None,
    dimension: str = ALL_DIMENSIONS,
) -> Flows:
    """The flows of an area between two consecutive editions (public, like every aggregate). Without a definition,
    each edition counts target poor by its own."""
    if year_from >= year_to:
        raise NotFoundError("`from` must be an edition before `to`")
    if dimension not in FLOW_DIMENSIONS:
        raise NotFoundError(f"dimension must be one of {', '.join(FLOW_DIMENSIONS)}")
    name = definition or pair_definition(year_from, year_to)
    f = tables.flow_rollup.c
    with reading(engine) as conn:
        found = (
            conn.execute(
                select(*(f[c] for c in FIELDS)).where(
                    f.year_from == year_from,
                    f.year_to == year_to,
                    f.area_code == code,
                    f.definition == name,
                    f.dimension == dimension,
                )
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
            years = survey_years(conn)
            if [y for y in years if year_from < y < year_to]:
                raise NotFoundError(
                    f"flows are kept between consecutive editions; ask for {year_from}→"
                    f"{min(y for y in years if y > year_from)} and onwards"
                )
            row = dict.fromkeys(FIELDS, 0)  # covered, but nobody was target poor in either edition
    return cast(
        Flows,
        {
            "code": code,
            "from": year_from,
            "to": year_to,
            "definition": name,
            "dimension": dimension,
            **{k: int(row[k]) for k in FIELDS},
        },
    )
