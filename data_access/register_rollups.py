"""The rollups of agencies' registers (issue 33): per edition, register and place, the link report's rows and the
coverage gaps, refreshed when a register is loaded (data_access.registers) and when a survey edition is imported
(data_access.survey_import calls refresh_year). Set-based SQL inside the database, as the survey's rollups.

A row that links sits at the surveyed person's unit. A row that does not link is placed by the register's address
(tambon_code), else by the amphoe that issued the ID (digits 2-5 of a Thai citizen ID): `outside` when the edition did
not survey that province, `unlinked` when it did; an ID no known amphoe issued, without an address, is `invalid` and
sits at TH. Duplicates: rows beyond the first of one citizen ID in a place (a person with several assistance rows)."""

from __future__ import annotations

from sqlalchemy import Connection, select, text

from data_access import models as tables
from data_access.counted import household_counted, person_counted
from mpi import registers as spec
from mpi.calendar import years_before
from mpi.editions import definition_for, survey_date
from mpi.rules import ALL_DIMENSIONS_MASK


def _years(conn: Connection) -> list[int]:
    years: list[int] = list(conn.execute(select(tables.survey_year.c.year)).scalars())
    return years


def _loaded(conn: Connection) -> list[str]:
    rv = tables.register_version.c
    return list(conn.execute(select(rv.register_key).where(rv.replaced_at.is_(None))).scalars())


def refresh_register(conn: Connection, key: str) -> None:
    """Every edition's link and gap rollups of one register (after it is loaded)."""
    for year in _years(conn):
        _refresh(conn, key, year)


def refresh_year(conn: Connection, year: int) -> None:
    """Every loaded register's rollups for one edition (after its survey is imported): the survey import's hook."""
    for key in _loaded(conn):
        _refresh(conn, key, year)


def _refresh(conn: Connection, key: str, year: int) -> None:
    p = {"k": key, "y": year}
    conn.execute(text("DELETE FROM register_link_rollup WHERE register_key = :k AND year = :y"), p)
    conn.execute(text("DELETE FROM register_gap_rollup WHERE register_key = :k AND year = :y"), p)
    conn.execute(
        text(
            "INSERT INTO register_link_rollup (year, register_key, area_code, kind, rows, duplicates) "
            "SELECT :y, CAST(:k AS VARCHAR(40)), h.tambon_code, 'linked', COUNT(*), COUNT(*) - COUNT(DISTINCT r.citizen_id) "
            "FROM register_row r JOIN person p ON p.citizen_id = r.citizen_id AND p.year = :y "
            "JOIN household h ON h.id = p.household_id WHERE r.register_key = :k GROUP BY h.tambon_code"
        ),
        p,
    )
    # not linked: placed by the register's address, else by the amphoe that issued the ID
    place = "CASE WHEN t.code IS NOT NULL THEN t.code WHEN a.code IS NOT NULL THEN a.code ELSE 'TH' END"
    conn.execute(
        text(
            "INSERT INTO register_link_rollup (year, register_key, area_code, kind, rows, duplicates) "
            "SELECT :y, CAST(:k AS VARCHAR(40)), place, CASE WHEN place = 'TH' THEN 'invalid' "
            "WHEN substr(place, 1, 2) IN (SELECT DISTINCT substr(tambon_code, 1, 2) FROM household WHERE year = :y) "
            "THEN 'unlinked' ELSE 'outside' END, COUNT(*), COUNT(*) - COUNT(DISTINCT citizen_id) FROM ("
            f"SELECT r.citizen_id, {place} AS place FROM register_row r "
            "LEFT JOIN area t ON t.code = r.tambon_code "
            "LEFT JOIN area a ON a.code = substr(r.citizen_id, 2, 4) AND a.level = 'amphoe' "
            "WHERE r.register_key = :k AND NOT EXISTS "
            "(SELECT 1 FROM person p WHERE p.year = :y AND p.citizen_id = r.citizen_id)) u GROUP BY place"
        ),
        p,
    )
    rule = spec.gap_rule(key)
    if rule is not None:
        _refresh_gaps(conn, rule, year)


def _gap_condition(rule: spec.GapRule, year: int, params: dict) -> str:
    """SQL: the person (p, household h) is eligible under the rule, target poor by the edition's own definition."""
    definition = definition_for(year)
    poor = (
        household_counted("h", definition, ALL_DIMENSIONS_MASK)
        if rule.household_poor
        else person_counted("p", "h", definition, ALL_DIMENSIONS_MASK)
    )
    cond = [poor]
    on = survey_date(year)
    if rule.min_age is not None:
        params["born_by"] = years_before(on, rule.min_age)
        cond.append("p.birth_date <= :born_by")
    if rule.max_age is not None:
        params["born_after"] = years_before(on, rule.max_age + 1)
        cond.append("p.birth_date > :born_after")
    if rule.disabled:
        cond.append("p.disabled")
    if rule.farming_household:
        cond.append("h.head_farming")
    return " AND ".join(cond)


def _refresh_gaps(conn: Connection, rule: spec.GapRule, year: int) -> None:
    params: dict = {"k": rule.register, "y": year}
    cond = _gap_condition(rule, year, params)
    if rule.farming_household:  # a household is served when anyone of it is on the register
        served = (
            "EXISTS (SELECT 1 FROM person q JOIN register_row r ON r.citizen_id = q.citizen_id "
            "AND r.register_key = :k WHERE q.household_id = h.id)"
        )
    else:
        served = "EXISTS (SELECT 1 FROM register_row r WHERE r.register_key = :k AND r.citizen_id = p.citizen_id)"
    conn.execute(
        text(
            "INSERT INTO register_gap_rollup (year, register_key, tambon_code, eligible_persons, served_persons) "
            f"SELECT :y, CAST(:k AS VARCHAR(40)), h.tambon_code, COUNT(*), SUM(CASE WHEN {served} THEN 1 ELSE 0 END) "
            f"FROM person p JOIN household h ON h.id = p.household_id WHERE p.year = :y AND {cond} "
            "GROUP BY h.tambon_code"
        ),
        params,
    )
