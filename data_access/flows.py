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

from sqlalchemy import ColumnElement, Connection, Engine, and_, case, delete, distinct, exists, func, insert, select
from sqlalchemy.sql import ColumnCollection

from data_access import models as tables
from data_access.counted import household_counts, person_counts
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


# The pinned answer of GET /api/v1/areas/<code>/flows (plus left_survey_households, definition, dimension); the
# functional form, as "from" is a Python keyword.
Flows = TypedDict(
    "Flows",
    {
        "code": str,
        "from": int,
        "to": int,
        "definition": str,
        "dimension": str,
        "stayed_persons": int,
        "exited_persons": int,
        "entered_persons": int,
        "left_survey_persons": int,
        "stayed_households": int,
        "exited_households": int,
        "entered_households": int,
        "left_survey_households": int,
    },
)


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


def _poor_household(h: ColumnCollection, year: int) -> ColumnElement[bool]:
    """Target poor by the edition's own definition, every dimension."""
    return household_counts(h, own_definition(year), ALL_DIMENSIONS_MASK)


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
    h1, h2, p1, p2 = (
        tables.household.alias("h1"),
        tables.household.alias("h2"),
        tables.person.alias("p1"),
        tables.person.alias("p2"),
    )

    def sums(here_cond: list[ColumnElement[bool]], both_cond: list[ColumnElement[bool]]) -> list[ColumnElement[int]]:
        cols: list[ColumnElement[int]] = []
        for i, (h, both) in enumerate(zip(here_cond, both_cond, strict=True)):
            cols.append(func.sum(case((h, 1), else_=0)).label(f"n{i}"))
            cols.append(func.sum(case((and_(h, both), 1), else_=0)).label(f"m{i}"))
        return cols

    def conds(side_from: bool, person: bool) -> tuple[list[ColumnElement[bool]], list[ColumnElement[bool]]]:
        """Per variant: counted on this side, and counted on the other side."""
        one, two = (p1, h1), (p2, h2)
        here_alias, there_alias = (one, two) if side_from else (two, one)
        here, there = [], []
        for _, da, db, dim in variants:
            d_here, d_there = (da, db) if side_from else (db, da)
            if person:
                here.append(person_counts(here_alias[0].c, here_alias[1].c, d_here, _bit(dim)))
                there.append(person_counts(there_alias[0].c, there_alias[1].c, d_there, _bit(dim)))
            else:
                here.append(household_counts(here_alias[1].c, d_here, _bit(dim)))
                there.append(household_counts(there_alias[1].c, d_there, _bit(dim)))
        return here, there

    statements = []
    for side_from in (True, False):
        pm, hm, po, ho = (p1, h1, p2, h2) if side_from else (p2, h2, p1, h1)
        year_me, year_other = (a, b) if side_from else (b, a)
        here, there = conds(side_from, person=True)
        statements.append(
            (
                "persons",
                side_from,
                select(hm.c.tambon_code, ho.c.tambon_code, *sums(here, there))
                .select_from(
                    pm.join(hm, hm.c.id == pm.c.household_id)
                    .outerjoin(po, and_(po.c.year == year_other, po.c.citizen_id == pm.c.citizen_id))
                    .outerjoin(ho, ho.c.id == po.c.household_id)
                )
                .where(pm.c.year == year_me, hm.c.pattern != 0)
                .group_by(hm.c.tambon_code, ho.c.tambon_code),
            )
        )
        here, there = conds(side_from, person=False)
        statements.append(
            (
                "households",
                side_from,
                select(hm.c.tambon_code, ho.c.tambon_code, *sums(here, there))
                .select_from(hm.outerjoin(ho, and_(ho.c.year == year_other, ho.c.house_id == hm.c.house_id)))
                .where(hm.c.year == year_me, hm.c.pattern != 0)
                .group_by(hm.c.tambon_code, ho.c.tambon_code),
            )
        )
    for unit, side_from, query in statements:
        for row in tuples(conn.execute(query)):
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
    survey: followed by house_id anywhere). One unit (a Logbook write) or all of them (an import)."""
    ho = tables.help_outcome_rollup
    h1, h2, s = tables.household.alias("h1"), tables.household.alias("h2"), tables.assistance.alias("s")
    where = [h1.c.year == a, _poor_household(h1.c, a), *([h1.c.tambon_code == unit] if unit else [])]
    serialize(conn, f"help_outcome_rollup:{a}:{b}:{unit or '*'}")  # delete-then-insert: one writer at a time
    cond = delete(ho).where(ho.c.year_from == a, ho.c.year_to == b)
    conn.execute(cond.where(ho.c.tambon_code == unit) if unit else cond)
    outcome = case((h2.c.id.is_(None), "left_survey"), (_poor_household(h2.c, b), "stayed"), else_="exited").label("outcome")
    next_edition = and_(h2.c.year == b, h2.c.house_id == h1.c.house_id)
    helped = case((exists().where(s.c.household_id == h1.c.id), 1), else_=0).label("helped")
    # grouped outside, over named columns: an expression grouped by itself would carry its bound values twice
    each = select(h1.c.tambon_code, outcome, helped).select_from(h1.outerjoin(h2, next_edition)).where(*where).subquery()
    by_help = (
        select(h1.c.tambon_code, outcome, s.c.dimension, h1.c.id)
        .select_from(h1.join(s, s.c.household_id == h1.c.id).outerjoin(h2, next_edition))
        .where(*where)
        .subquery()
    )
    rows: list[tuple[str, str, str, int]] = []
    for unit_code, out, any_help, n in tuples(conn.execute(select(*each.c, func.count()).group_by(*each.c))):
        rows.append((unit_code, "any" if any_help else "none", out, int(n)))
    grouped = (by_help.c.tambon_code, by_help.c.outcome, by_help.c.dimension)
    for unit_code, out, dim, n in tuples(conn.execute(select(*grouped, func.count(distinct(by_help.c.id))).group_by(*grouped))):
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
        {"code": code, "from": year_from, "to": year_to, "definition": name, "dimension": dimension}
        | {k: int(row[k]) for k in FIELDS},
    )
