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

Per *life stage* (issue 34, mpi.lifestages), the person flows are kept too (flow_stage_rollup), so the committee sees
whether the elderly or the children are getting out of poverty. A person's stage is counted on the survey date of the
edition the flow starts from, for what became of the `from` edition's target poor (stayed, exited, left_survey: "of
the poor elderly of 2561, how many got out"), and on the survey date of the `to` edition for those who entered (a
child born since has no `from` record). So, per stage, the `from` edition's target poor of that stage = stayed +
exited + left_survey exactly; and the stages of each flow add up to the all-ages flow (the all-ages person counts are
the sums of the stage counts). Households are not split: a household has members of several stages, so a stage's
household flows are null, never a zero (as data_access.ages does for a stage's household figures).

Flows are rolled up on import (flow_rollup, flow_stage_rollup) between *consecutive* microdata editions (the pairs
grow linearly with the editions), at each level (the household's own tambon or municipal unit, amphoe, province,
country), and kept only for areas that have survey figures in both editions: elsewhere everyone would look as if they
had left.

The refresh is set-based SQL inside the database, like the other rollups, built with SQLAlchemy Core (the conditions
of each definition and dimension come from data_access.counted): four statements per pair (persons and households,
from each side) joining two editions' rows (person (year, citizen_id) and household (year, house_id) are unique, so
each join is an index lookup), grouped by the unit at both ends (and the person's life stage), with one pair of sums
per definition and dimension; every level is then summed from those few thousand groups.

The same refresh writes help_outcome_rollup: the `from` edition's target-poor households by the help the Logbook
recorded for them and by what became of them (data_access.help_outcomes reads it).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any, TypedDict, cast

from sqlalchemy import (
    CTE,
    ColumnElement,
    Connection,
    Engine,
    Join,
    Select,
    and_,
    case,
    delete,
    exists,
    func,
    insert,
    literal,
    select,
)
from sqlalchemy.sql.selectable import NamedFromClause

from data_access import models as tables
from data_access.counted import household_counts, person_counts
from data_access.db import reading, serialize, tuples
from data_access.errors import BadRequest, NotFoundError
from data_access.rollups import SURVEY
from mpi.editions import edition, survey_date
from mpi.lifestages import STAGE_KEYS, life_stages
from mpi.rules import ALL_DIMENSIONS_MASK, DIMENSION_BIT, DIMENSIONS, TARGET_DEFINITIONS

PERSON_FIELDS = ("stayed_persons", "exited_persons", "entered_persons", "left_survey_persons")
HOUSEHOLD_FIELDS = ("stayed_households", "exited_households", "entered_households", "left_survey_households")
FIELDS = PERSON_FIELDS + HOUSEHOLD_FIELDS
EDITION = "edition"  # each edition counted by its own definition (stored only where the two differ)
ALL_DIMENSIONS = "all"
FLOW_DIMENSIONS: tuple[str, ...] = (ALL_DIMENSIONS, *DIMENSIONS)
FOLLOW_UPS = ("stayed", "exited", "left_survey")  # what became of a household in the next edition
# the edition whose survey date a flow's person is aged on (the module's docstring says why)
STAGE_COUNTED_AT = {"stayed": "from", "exited": "from", "left_survey": "from", "entered": "to"}


class Flows(TypedDict):
    """The pinned answer of GET /api/v1/areas/<code>/flows (plus left_survey_households, definition, dimension, age).
    With a life stage (`age`), the persons of that stage only and the household flows null (not split by stage)."""

    code: str
    # "from" and "to" are added by name below (Python keywords)
    definition: str
    dimension: str
    age: str | None
    stayed_persons: int
    exited_persons: int
    entered_persons: int
    left_survey_persons: int
    stayed_households: int | None
    exited_households: int | None
    entered_households: int | None
    left_survey_households: int | None


# (stored definition name, definition in `from`, definition in `to`, dimension)
Variant = tuple[str, str, str, str]
# (area, definition name, dimension) → the eight flow counts; with the stage appended → the four person counts
Cells = dict[tuple[str, str, str], dict[str, int]]
StageCells = dict[tuple[str, str, str, str], dict[str, int]]


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


def _stage_of(p: NamedFromClause, year: int) -> ColumnElement[str]:
    """The life-stage key of person `p` on edition `year`'s survey date, from the birth date alone (the stages'
    birth-date bounds are bound values, so both backends compare dates and neither computes an age), as
    data_access.rollups' area_stage_rollup counts it."""
    on = survey_date(year)
    stages = life_stages(year)
    whens: list[tuple[ColumnElement[bool], str]] = []
    for s in stages[:-1]:
        born_after, _ = s.born_range(on)
        assert born_after is not None  # only the last (oldest) stage is open-ended
        whens.append((p.c.birth_date > born_after, s.key))
    return case(*whens, else_=stages[-1].key)


def _moved(a: int, b: int, unit: str | None = None, among: Select[Any] | None = None) -> CTE:
    """`moved(ha, hb)`: households of editions a and b that are one household at a new address.

    A household that moves gets a new house_id where it settles (house registration is per address), while its
    people keep their citizen IDs. Followed by house_id alone it "left the survey" with none of its people leaving
    (persons are followed by citizen ID), so a flow counted more households than persons. A household whose house_id
    the other edition lacks is therefore followed by its people, into a household whose own house_id the first
    edition lacks: each side picks the first (smallest id) of the households its people are in, and only pairs that
    pick each other are kept, so the pairing is one-to-one and `stayed` counts the same from either side
    (target poor of `to` = stayed + entered stays exact). With `unit`, only a's households of that tambon; with
    `among`, only a's households of those ids (a pair found is the same as without it: each side's pick reads all of
    its people)."""
    hh, pp = tables.household, tables.person
    x1, x2, ya, yb = hh.alias("x1"), hh.alias("x2"), hh.alias("ya"), hh.alias("yb")
    q1, q2 = pp.alias("q1"), pp.alias("q2")
    gone_a = ~exists().where(yb.c.year == b, yb.c.house_id == x1.c.house_id)  # x1's house_id is not in b
    gone_b = ~exists().where(ya.c.year == a, ya.c.house_id == x2.c.house_id)  # x2's house_id is not in a
    here = [x1.c.tambon_code == unit] if unit is not None else []
    here += [x1.c.id.in_(among)] if among is not None else []
    # each a household without its house_id in b, to the first b household (without its own in a) of its people
    fwd = (
        select(x1.c.id.label("ha"), func.min(q2.c.household_id).label("hb"))
        .select_from(
            x1.join(q1, q1.c.household_id == x1.c.id)
            .join(q2, and_(q2.c.year == b, q2.c.citizen_id == q1.c.citizen_id))
            .join(x2, x2.c.id == q2.c.household_id)
        )
        .where(x1.c.year == a, *here, gone_a, gone_b)
        .group_by(x1.c.id)
        .cte("fwd")
    )
    # and back, over all of that household's people (so one tambon's refresh pairs as the whole import does)
    bwd = (
        select(x2.c.id.label("hb"), func.min(q1.c.household_id).label("ha"))
        .select_from(
            x2.join(q2, q2.c.household_id == x2.c.id)
            .join(q1, and_(q1.c.year == a, q1.c.citizen_id == q2.c.citizen_id))
            .join(x1, x1.c.id == q1.c.household_id)
        )
        .where(x2.c.id.in_(select(fwd.c.hb)), gone_a)
        .group_by(x2.c.id)
        .cte("bwd")
    )
    return select(fwd.c.ha, fwd.c.hb).join_from(fwd, bwd, and_(bwd.c.hb == fwd.c.hb, bwd.c.ha == fwd.c.ha)).cte("moved")


def moved_to(conn: Connection, household_id: int, year: int, other: int) -> int | None:
    """The household of edition `other` that household `household_id` of edition `year` became at a new address, paired
    by its people exactly as the flows pair it (_moved); None when it was not paired. Either direction: `other` may
    be the edition before."""
    p = tables.person
    if year < other:
        moved = _moved(year, other, among=select(literal(household_id)))
        return conn.scalar(select(moved.c.hb).where(moved.c.ha == household_id))
    # the earlier edition's households of this one's people: the one it came from, if any, is among them
    people = select(p.c.citizen_id).where(p.c.household_id == household_id)
    moved = _moved(other, year, among=select(p.c.household_id).where(p.c.year == other, p.c.citizen_id.in_(people)))
    return conn.scalar(select(moved.c.ha).where(moved.c.hb == household_id))


def _followed(h_me: NamedFromClause, h_other: NamedFromClause, other_year: int, moved: CTE, *, me_first: bool) -> Join:
    """`h_me` joined to `h_other`, the same household in the other edition (same house_id, else paired by its people
    in _moved's `moved`), null where it is in neither. `me_first`: h_me is of the earlier edition."""
    same = tables.household.alias(f"same_{h_me.name}")
    mine, theirs = (moved.c.ha, moved.c.hb) if me_first else (moved.c.hb, moved.c.ha)
    return (
        h_me.outerjoin(same, and_(same.c.year == other_year, same.c.house_id == h_me.c.house_id))
        .outerjoin(moved, mine == h_me.c.id)
        .outerjoin(h_other, h_other.c.id == func.coalesce(same.c.id, theirs))
    )


def survey_years(conn: Connection) -> list[int]:
    """The editions with survey microdata, oldest first."""
    s = tables.area_rollup_source.c
    return sorted(conn.scalars(select(s.year).where(s.source == SURVEY).distinct()))


LEVELS = ("unit", "amphoe", "province", "country")


def _keys(unit: str | None) -> list[str | None]:
    """The areas a household's unit lies in, lowest first: the unit, its amphoe, its province, the country."""
    if unit is None:
        return [None] * len(LEVELS)
    return [unit, unit[:4], unit[:2], "TH"]


def _bit(dimension: str) -> int:
    """The pattern bits of a flow dimension: every dimension's for "all", else that one's."""
    return ALL_DIMENSIONS_MASK if dimension == ALL_DIMENSIONS else DIMENSION_BIT[dimension]


def _not_zero() -> ColumnElement[Any]:
    """0 written into the statement (not bound), as data_access.counted writes its numbers."""
    return literal(0, literal_execute=True)


def _sums(here: list[ColumnElement[bool]], both: list[ColumnElement[bool]]) -> list[ColumnElement[Any]]:
    """Per variant, two sums: those counted on this side (n), and those counted here *and* on the other side (m)."""
    cols: list[ColumnElement[Any]] = []
    for i, (h, b) in enumerate(zip(here, both, strict=True)):
        cols.append(func.sum(case((h, 1), else_=0)).label(f"n{i}"))
        cols.append(func.sum(case((and_(h, b), 1), else_=0)).label(f"m{i}"))
    return cols


def _person_statement(variants: list[Variant], a: int, b: int, side_from: bool) -> Select[Any]:
    """One side's target poor persons (those of `a` if side_from, else of `b`) joined to the other edition by
    citizen ID: (unit here, unit there or null, life stage on this side's survey date, n0, m0, n1, m1, …)."""
    hh, pp = tables.household, tables.person
    p_me, p_other, h_me, h_other = pp.alias("p_me"), pp.alias("p_other"), hh.alias("h_me"), hh.alias("h_other")
    year_me, year_other = (a, b) if side_from else (b, a)
    here = [person_counts(p_me.c, h_me.c, v[1] if side_from else v[2], _bit(v[3])) for v in variants]
    there = [person_counts(p_other.c, h_other.c, v[2] if side_from else v[1], _bit(v[3])) for v in variants]
    stage = _stage_of(p_me, year_me).label("stage")
    return (
        select(h_me.c.tambon_code, h_other.c.tambon_code.label("there"), stage, *_sums(here, there))
        .select_from(
            p_me.join(h_me, h_me.c.id == p_me.c.household_id)
            .outerjoin(p_other, and_(p_other.c.year == year_other, p_other.c.citizen_id == p_me.c.citizen_id))
            .outerjoin(h_other, h_other.c.id == p_other.c.household_id)
        )
        .where(p_me.c.year == year_me, h_me.c.pattern != _not_zero())
        .group_by(h_me.c.tambon_code, h_other.c.tambon_code, stage)
    )


def _household_statement(variants: list[Variant], a: int, b: int, side_from: bool) -> Select[Any]:
    """One side's target poor households followed into the other edition (by house_id, or by their people where they
    moved): (unit here, unit there or null, n0, m0, n1, m1, …)."""
    hh = tables.household
    h_me, h_other = hh.alias("h_me"), hh.alias("h_other")
    year_me, year_other = (a, b) if side_from else (b, a)
    here = [household_counts(h_me.c, v[1] if side_from else v[2], _bit(v[3])) for v in variants]
    there = [household_counts(h_other.c, v[2] if side_from else v[1], _bit(v[3])) for v in variants]
    return (
        select(h_me.c.tambon_code, h_other.c.tambon_code.label("there"), *_sums(here, there))
        .select_from(_followed(h_me, h_other, year_other, _moved(a, b), me_first=side_from))
        .where(h_me.c.year == year_me, h_me.c.pattern != _not_zero())
        .group_by(h_me.c.tambon_code, h_other.c.tambon_code)
    )


def _tally(cell: dict[str, int], unit: str, side_from: bool, same: bool, n: int, m: int) -> None:
    """Add one group's counts (n counted here, m of them counted there too) to an area's cell (a cell of the
    accumulator being built, never a caller's value). `same`: the other end lies in the same area."""
    if not side_from:  # stayed is counted from the other side
        cell[f"entered_{unit}"] += n - m if same else n
    elif same:
        cell[f"stayed_{unit}"] += m
        cell[f"exited_{unit}"] += n - m
    else:
        cell[f"left_survey_{unit}"] += n


def _levels(here_unit: str, there_unit: str | None) -> Iterator[tuple[str, bool]]:
    """(area, whether the other end lies in it) for each level of the unit `here_unit`: a row whose other end is
    null (not in the other edition at all) or in a unit elsewhere was matched, but is not "here" at that level."""
    for level_code, there_code in zip(_keys(here_unit), _keys(there_unit), strict=True):
        assert level_code is not None
        yield level_code, there_code is not None and there_code == level_code


def _pair(conn: Connection, a: int, b: int) -> tuple[Cells, StageCells]:
    """Every area's flows from edition a to edition b: per (area, definition, dimension) all eight counts, and per
    (area, definition, dimension, life stage) the four person counts. Four statements, each one pass over one side's
    MPI-poor joined to the other edition, grouped by the unit at both ends (persons: and their life stage), with two
    sums per variant. The all-ages person counts are the sums of the stages'."""
    variants: list[Variant] = [(name, da, db, dim) for name, da, db in _variants(a, b) for dim in FLOW_DIMENSIONS]
    out: Cells = {}
    staged: StageCells = {}
    for side_from in (True, False):
        for row in tuples(conn.execute(_person_statement(variants, a, b, side_from))):
            here_unit, there_unit, stage, counts = row[0], row[1], row[2], row[3:]
            for level_code, same in _levels(here_unit, there_unit):
                for i, (name, _, _, dim) in enumerate(variants):
                    n, m = int(counts[2 * i] or 0), int(counts[2 * i + 1] or 0)
                    cell = staged.setdefault((level_code, name, dim, stage), dict.fromkeys(PERSON_FIELDS, 0))
                    _tally(cell, "persons", side_from, same, n, m)
        for row in tuples(conn.execute(_household_statement(variants, a, b, side_from))):
            here_unit, there_unit, counts = row[0], row[1], row[2:]
            for level_code, same in _levels(here_unit, there_unit):
                for i, (name, _, _, dim) in enumerate(variants):
                    n, m = int(counts[2 * i] or 0), int(counts[2 * i + 1] or 0)
                    cell = out.setdefault((level_code, name, dim), dict.fromkeys(FIELDS, 0))
                    _tally(cell, "households", side_from, same, n, m)
    for (code, name, dim, _stage), persons in staged.items():
        cell = out.setdefault((code, name, dim), dict.fromkeys(FIELDS, 0))
        for k in PERSON_FIELDS:
            cell[k] += persons[k]
    return out, staged


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
    """Recompute the flows (all ages and per life stage) and help outcomes that `year` takes part in, inside the
    caller's transaction (the survey import's, the published import's); rows of flow_rollup written."""
    f, fs, ho = tables.flow_rollup, tables.flow_stage_rollup, tables.help_outcome_rollup
    years = survey_years(conn)
    pairs = consecutive_pairs(years, year)
    # every stored pair that touches the year, or straddles it (2561→2565 once 2562 arrives), is replaced
    for t in (f, fs, ho):
        conn.execute(
            delete(t).where((t.c.year_from == year) | (t.c.year_to == year) | ((t.c.year_from < year) & (t.c.year_to > year)))
        )
    now = dt.datetime.now(dt.UTC)
    written = 0
    for a, b in pairs:
        covered = _covered(conn, a, b)
        cells, staged = _pair(conn, a, b)
        pair: dict[str, object] = {"year_from": a, "year_to": b}
        rows = [
            pair | {"area_code": code, "definition": name, "dimension": dim, "refreshed_at": now} | values
            for (code, name, dim), values in cells.items()
            if code in covered
        ]
        stage_rows = [
            pair | {"area_code": code, "definition": name, "dimension": dim, "stage": stage} | values
            for (code, name, dim, stage), values in staged.items()
            if code in covered and any(values.values())  # a missing stage row reads as zeros
        ]
        if rows:
            conn.execute(insert(f), rows)
        if stage_rows:
            conn.execute(insert(fs), stage_rows)
        written += len(rows)
        refresh_help_outcomes(conn, a, b)
    return written


def refresh_help_outcomes(conn: Connection, a: int, b: int, unit: str | None = None) -> None:
    """The `a` edition's target-poor households (its own definition) by the help recorded for them in the Logbook
    (each dimension of help, any, none) and by what became of them in `b` (still target poor, out, or gone from the
    survey: followed anywhere, by house_id or, where it moved, by its people as the flows are). One unit (a Logbook
    write) or all of them (an import)."""
    ho, hh, aid = tables.help_outcome_rollup, tables.household, tables.assistance
    serialize(conn, f"help_outcome_rollup:{a}:{b}:{unit or '*'}")  # delete-then-insert: one writer at a time
    cond = delete(ho).where(ho.c.year_from == a, ho.c.year_to == b)
    conn.execute(cond.where(ho.c.tambon_code == unit) if unit else cond)
    h1, h2 = hh.alias("h1"), hh.alias("h2")
    joined = _followed(h1, h2, b, _moved(a, b, unit), me_first=True)
    where = [h1.c.year == a, household_counts(h1.c, own_definition(a), ALL_DIMENSIONS_MASK)]
    where += [h1.c.tambon_code == unit] if unit else []
    outcome = case(
        (h2.c.id.is_(None), "left_survey"),
        (household_counts(h2.c, own_definition(b), ALL_DIMENSIONS_MASK), "stayed"),
        else_="exited",
    ).label("outcome")
    helped = case((exists().where(aid.c.household_id == h1.c.id), 1), else_=0).label("helped")
    rows: list[tuple[str, str, str, int]] = []
    any_or_none = select(h1.c.tambon_code, outcome, helped, func.count()).select_from(joined).where(*where)
    for unit_code, out, any_help, n in tuples(conn.execute(any_or_none.group_by(h1.c.tambon_code, outcome, helped))):
        rows.append((unit_code, "any" if any_help else "none", out, int(n)))
    by_dimension = (
        select(h1.c.tambon_code, outcome, aid.c.dimension, func.count(h1.c.id.distinct()))
        .select_from(joined.join(aid, aid.c.household_id == h1.c.id))
        .where(*where)
        .group_by(h1.c.tambon_code, outcome, aid.c.dimension)
    )
    for unit_code, out, dim, n in tuples(conn.execute(by_dimension)):
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


def _stored(conn: Connection, code: str, a: int, b: int, name: str, dimension: str, stage: str | None) -> dict[str, int] | None:
    """The stored counts of one area, pair, definition and dimension (all ages, or one life stage's persons); None
    where no row is stored."""
    if stage is None:
        f = tables.flow_rollup.c
        query = select(*(f[c] for c in FIELDS))
    else:
        f = tables.flow_stage_rollup.c
        query = select(*(f[c] for c in PERSON_FIELDS)).where(f.stage == stage)
    where = (f.year_from == a, f.year_to == b, f.area_code == code, f.definition == name, f.dimension == dimension)
    found = conn.execute(query.where(*where)).mappings().first()
    return {k: int(v) for k, v in found.items()} if found is not None else None


def _why_none(conn: Connection, code: str, year_from: int, year_to: int) -> None:
    """Raise NotFoundError where no flows can be stored for the area and pair; return where they are zero."""
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


def _asked(year_from: int, year_to: int, dimension: str, stage: str | None) -> None:
    """Refuse a question no flows answer: a pair out of order, an unknown dimension or life stage."""
    if year_from >= year_to:
        raise NotFoundError("`from` must be an edition before `to`")
    if dimension not in FLOW_DIMENSIONS:
        raise NotFoundError(f"dimension must be one of {', '.join(FLOW_DIMENSIONS)}")
    if stage is not None and stage not in STAGE_KEYS:
        raise BadRequest(f"age must be one of {', '.join(STAGE_KEYS)}")


def _answer(code: str, year_from: int, year_to: int, name: str, dimension: str, stage: str | None, row: dict[str, int]) -> Flows:
    """The Flows of stored counts `row` (missing counts: zero); under a stage the household flows are null."""
    households: dict[str, int | None] = (
        {k: row.get(k, 0) for k in HOUSEHOLD_FIELDS} if stage is None else dict.fromkeys(HOUSEHOLD_FIELDS)
    )
    return cast(
        Flows,
        {
            "code": code,
            "from": year_from,
            "to": year_to,
            "definition": name,
            "dimension": dimension,
            "age": stage,
            **{k: row.get(k, 0) for k in PERSON_FIELDS},
            **households,
        },
    )


def flows(
    code: str,
    year_from: int,
    year_to: int,
    engine: Engine | None = None,
    *,
    definition: str | None = None,
    dimension: str = ALL_DIMENSIONS,
    stage: str | None = None,
) -> Flows:
    """The flows of an area between two consecutive editions (public, like every aggregate). Without a definition,
    each edition counts target poor by its own. With a life stage (mpi.lifestages key), that stage's persons (aged
    on the `from` edition's survey date for stayed, exited and left_survey, on the `to` edition's for entered) and
    the household flows null: the stages' person flows add up to the all-ages ones."""
    _asked(year_from, year_to, dimension, stage)
    name = definition or pair_definition(year_from, year_to)
    with reading(engine) as conn:
        row = _stored(conn, code, year_from, year_to, name, dimension, stage)
        if row is None:
            _why_none(conn, code, year_from, year_to)
            row = {}  # covered, but nobody (of that stage) was target poor in either edition
    return _answer(code, year_from, year_to, name, dimension, stage, row)


def flows_by_stage(
    code: str,
    year_from: int,
    year_to: int,
    engine: Engine | None = None,
    *,
    definition: str | None = None,
    dimension: str = ALL_DIMENSIONS,
) -> list[Flows]:
    """flows() of each life stage, youngest first (what components.stage_flows tabulates), in one statement where
    the area has flows."""
    _asked(year_from, year_to, dimension, None)
    name = definition or pair_definition(year_from, year_to)
    f = tables.flow_stage_rollup.c
    query = select(f.stage, *(f[c] for c in PERSON_FIELDS)).where(
        f.year_from == year_from, f.year_to == year_to, f.area_code == code, f.definition == name, f.dimension == dimension
    )
    with reading(engine) as conn:
        found = {str(r[0]): dict(zip(PERSON_FIELDS, (int(v) for v in r[1:]), strict=True)) for r in tuples(conn.execute(query))}
        if not found:
            _why_none(conn, code, year_from, year_to)  # covered (else refused), but nobody of any stage in a flow
    return [_answer(code, year_from, year_to, name, dimension, s, found.get(s, {})) for s in STAGE_KEYS]
