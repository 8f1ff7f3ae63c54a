"""The rollups of agencies' registers (issue 33): per edition, register and place, the link report's rows and the
coverage gaps, refreshed when a register is loaded (data_access.registers) and when a survey edition is imported
(data_access.survey_import calls refresh_year). Set-based statements inside the database, as the survey's rollups,
written in Core on the declared tables (the statements are the same SQL a hand would write: a join, an anti-join and
a grouped count per register and edition).

A row that links sits at the surveyed person's unit. A row that does not link is placed by the register's address
(tambon_code), else by the amphoe that issued the ID (digits 2-5 of a Thai citizen ID): `outside` when the edition did
not survey that province, `unlinked` when it did; an ID no known amphoe issued, without an address, is `invalid` and
sits at TH. Duplicates: rows beyond the first of one citizen ID in a place (a person with several assistance rows); a
kind whose rows are one per person (its unique columns are the ID alone, checked at import) has none, and its
statements skip the distinct count (a sort of ten million IDs)."""

from __future__ import annotations

from sqlalchemy import Connection, Insert, Integer, String, and_, case, distinct, exists, func, literal, select
from sqlalchemy.sql.elements import ColumnElement

from data_access import models as tables
from data_access.counted import household_counts, person_counts
from mpi import registers as spec
from mpi.calendar import years_before
from mpi.editions import definition_for, survey_date
from mpi.rules import ALL_DIMENSIONS_MASK


def _years(conn: Connection) -> list[int]:
    years: list[int] = list(conn.execute(select(tables.survey_year.c.year)).scalars())
    return years


def _loaded(conn: Connection) -> list[str]:
    rv = tables.register_version.c
    keys: list[str] = list(conn.execute(select(rv.register_key).where(rv.replaced_at.is_(None))).scalars())
    return keys


def refresh_register(conn: Connection, key: str) -> None:
    """Every edition's link and gap rollups of one register (after it is loaded)."""
    for year in _years(conn):
        _refresh(conn, key, year)


def refresh_year(conn: Connection, year: int) -> None:
    """Every loaded register's rollups for one edition (after its survey is imported): the survey import's hook."""
    for key in _loaded(conn):
        _refresh(conn, key, year)


def _refresh(conn: Connection, key: str, year: int) -> None:
    lr, gr = tables.register_link_rollup, tables.register_gap_rollup
    conn.execute(lr.delete().where(lr.c.register_key == key, lr.c.year == year))
    conn.execute(gr.delete().where(gr.c.register_key == key, gr.c.year == year))
    once = one_row_per_person(key)
    conn.execute(_linked(key, year, once))
    conn.execute(_not_linked(key, year, once))
    rule = spec.gap_rule(key)
    if rule is not None:
        conn.execute(_gaps(rule, year))


def one_row_per_person(key: str) -> bool:
    """The kind allows one row per citizen ID (checked at import): no duplicates to count."""
    kinds = spec.kinds()
    return key in kinds and tuple(kinds[key].unique) == (spec.ID_COLUMN,)


def _duplicates(citizen_id: ColumnElement[str], once: bool) -> ColumnElement[int]:
    return literal(0, Integer) if once else func.count() - func.count(distinct(citizen_id))


def _columns() -> list[str]:
    return ["year", "register_key", "area_code", "kind", "rows", "duplicates"]


def _linked(key: str, year: int, once: bool) -> Insert:
    """Rows whose ID is a surveyed person of the edition, at the person's unit."""
    r, p, h = tables.register_row.c, tables.person.c, tables.household.c
    rows = (
        select(
            literal(year, Integer),
            literal(key, String(40)),
            h.tambon_code,
            literal("linked", String(10)),
            func.count(),
            _duplicates(r.citizen_id, once),
        )
        .select_from(
            tables.register_row.join(tables.person, and_(p.citizen_id == r.citizen_id, p.year == year)).join(
                tables.household, h.id == p.household_id
            )
        )
        .where(r.register_key == key)
        .group_by(h.tambon_code)
    )
    return tables.register_link_rollup.insert().from_select(_columns(), rows)


def _not_linked(key: str, year: int, once: bool) -> Insert:
    """Rows no surveyed person of the edition holds, placed by the register's address, else by the amphoe that issued
    the ID, else at TH (invalid); outside when the edition did not survey the place's province."""
    r, p = tables.register_row.c, tables.person.c
    t, a = tables.area.alias("t"), tables.area.alias("a")
    place = case((t.c.code.is_not(None), t.c.code), (a.c.code.is_not(None), a.c.code), else_=literal("TH", String(8)))
    unplaced = (
        select(r.citizen_id, place.label("place"))
        .select_from(
            tables.register_row.outerjoin(t, t.c.code == r.tambon_code).outerjoin(
                a, and_(a.c.code == func.substr(r.citizen_id, 2, 4), a.c.level == "amphoe")
            )
        )
        .where(r.register_key == key, ~exists().where(p.year == year, p.citizen_id == r.citizen_id))
        .subquery("u")
    )
    hh = tables.household.c
    surveyed = select(func.substr(hh.tambon_code, 1, 2)).where(hh.year == year).distinct()
    where = unplaced.c.place
    kind = case(
        (where == "TH", literal("invalid", String(10))),
        (func.substr(where, 1, 2).in_(surveyed), literal("unlinked", String(10))),
        else_=literal("outside", String(10)),
    )
    rows = select(
        literal(year, Integer),
        literal(key, String(40)),
        where,
        kind,
        func.count(),
        _duplicates(unplaced.c.citizen_id, once),
    ).group_by(where)
    return tables.register_link_rollup.insert().from_select(_columns(), rows)


def _eligible(rule: spec.GapRule, year: int) -> ColumnElement[bool]:
    """The person (and household) is eligible under the rule, target poor by the edition's own definition."""
    p, h = tables.person.c, tables.household.c
    definition = definition_for(year)
    poor = (
        household_counts(h, definition, ALL_DIMENSIONS_MASK)
        if rule.household_poor
        else person_counts(p, h, definition, ALL_DIMENSIONS_MASK)
    )
    cond = [poor]
    on = survey_date(year)
    if rule.min_age is not None:
        cond.append(p.birth_date <= years_before(on, rule.min_age))
    if rule.max_age is not None:
        cond.append(p.birth_date > years_before(on, rule.max_age + 1))
    if rule.disabled:
        cond.append(p.disabled)
    if rule.farming_household:
        cond.append(h.head_farming)
    return and_(*cond)


def _gaps(rule: spec.GapRule, year: int) -> Insert:
    """Per unit: persons eligible under the rule, and of them those on the register (a household rule: anyone of
    the household on it)."""
    p, h, r = tables.person.c, tables.household.c, tables.register_row.c
    if rule.farming_household:
        q = tables.person.alias("q")
        served = exists().where(q.c.household_id == h.id, r.citizen_id == q.c.citizen_id, r.register_key == rule.register)
    else:
        served = exists().where(r.register_key == rule.register, r.citizen_id == p.citizen_id)
    rows = (
        select(
            literal(year, Integer),
            literal(rule.register, String(40)),
            h.tambon_code,
            func.count(),
            func.sum(case((served, 1), else_=0)),
        )
        .select_from(tables.person.join(tables.household, h.id == p.household_id))
        .where(p.year == year, _eligible(rule, year))
        .group_by(h.tambon_code)
    )
    names = ["year", "register_key", "tambon_code", "eligible_persons", "served_persons"]
    return tables.register_gap_rollup.insert().from_select(names, rows)
