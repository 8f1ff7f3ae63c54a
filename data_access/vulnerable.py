"""Vulnerable households (ครัวเรือนเปราะบาง): bits derived on import, rolled up per area, counted under any rule,
and listed (scoped) for signed-in users. The rules themselves are in mpi.vulnerable."""

from __future__ import annotations

import datetime as dt
from typing import TypedDict, cast

from sqlalchemy import Connection, Engine, bindparam, func, select, text

from data_access import audit
from data_access import models as tables
from data_access.access import CurrentUser, household_clause
from data_access.db import read_engine, reading, tuples
from data_access.errors import BadRequest, NotFoundError
from mpi.vulnerable import (
    BURDEN_BIT,
    BURDENS,
    DEFAULT_RULE,
    INSECURE_HOUSING_INDICATOR,
    REGISTER_OF,
    SELECTION_BIT,
    SELECTIONS,
    THRESHOLDS,
    Thresholds,
    VulnerableCount,
    VulnerableRule,
    criteria,
    figures,
)

UP_LEVELS = (("tambon", "municipality"), ("amphoe",), ("province",))


def stage_vulnerable_bits(conn: Connection, year: int, *, supplied: bool, th: Thresholds = THRESHOLDS) -> None:
    """Selection and burden bits of every staged household (stage_vuln: house_id, sel, bur), in SQL from the staged
    files (mpi.vulnerable.classify is the reference), so the import writes each household row once with its bits
    (an UPDATE of every row afterwards doubled the table on PostgreSQL). Without any optional column in the import
    nothing can be assessed: the bits stay null."""
    # Raw throughout: the import's staging tables are not declared (they live for one import) and this is its hot
    # path, one statement over every staged household. TEMP is both backends' word.
    if conn.dialect.name != "postgresql":
        conn.execute(text("DROP TABLE IF EXISTS temp.stage_vuln"))  # raw: as above
    if not supplied:
        conn.execute(
            text(  # raw: as above
                "CREATE TEMP TABLE stage_vuln AS SELECT house_id, CAST(NULL AS SMALLINT) AS sel, "
                "CAST(NULL AS SMALLINT) AS bur FROM stage_household"
            )
        )
        return
    fu, lw = SELECTION_BIT["farmer_unregistered"], SELECTION_BIT["low_income_no_welfare"]
    b = BURDEN_BIT
    params = {
        "fu": fu,
        "lw": lw,
        **{f"b_{k}": v for k, v in b.items()},
        "housing": INSECURE_HOUSING_INDICATOR,
        "income": th.income_per_capita,
        **{k.replace("_born", ""): v for k, v in th.born_bounds(year).items()},
    }
    # staged flags are 0/1 or empty (null): a comparison with null counts as false, as the typed columns did
    conn.execute(
        # raw: the staging tables, as above
        text("""
        CREATE TEMP TABLE stage_vuln AS
        SELECT v.house_id, v.sel, CASE WHEN v.sel IS NULL THEN NULL ELSE v.person_bits + v.housing_bit END AS bur
        FROM (SELECT s.house_id,
                     CASE WHEN (s.head_farming IS NULL OR s.farmer_registered IS NULL) AND s.income_per_capita IS NULL
                          THEN NULL
                          ELSE (CASE WHEN s.head_farming = 1 AND s.farmer_registered = 0 THEN :fu ELSE 0 END)
                             + (CASE WHEN s.income_per_capita < :income AND COALESCE(pb.welfare, 0) = 0 THEN :lw ELSE 0 END)
                     END AS sel,
                     COALESCE(pb.bits, 0) AS person_bits,
                     CASE WHEN fb.house_id IS NULL THEN 0 ELSE :b_insecure_housing END AS housing_bit
              FROM stage_household s
              LEFT JOIN (SELECT p.house_id, SUM(p.welfare_card) AS welfare,
                                MAX(CASE WHEN p.moe_poor_child = 1 THEN :b_poor_child ELSE 0 END)
                              + MAX(CASE WHEN p.birth_date > :child_after AND p.birth_date <= :child_by
                                         THEN :b_young_children ELSE 0 END)
                              + MAX(CASE WHEN p.birth_date <= :elderly_by AND p.old_age_allowance = 0
                                         THEN :b_elderly_no_allowance ELSE 0 END)
                              + MAX(CASE WHEN p.disabled = 1 AND p.disability_allowance = 0
                                         THEN :b_disabled_no_allowance ELSE 0 END)
                              + MAX(CASE WHEN p.chronic_dependent = 1 THEN :b_chronic_dependent ELSE 0 END) AS bits
                         FROM stage_person p GROUP BY p.house_id) pb ON pb.house_id = s.house_id
              LEFT JOIN (SELECT DISTINCT f.house_id FROM stage_failure f WHERE f.indicator = :housing) fb
                     ON fb.house_id = s.house_id) v"""),
        params,
    )
    if conn.dialect.name == "postgresql":
        conn.execute(text("ANALYZE stage_vuln"))  # raw: a maintenance command, no Core form


# Each household's bits again, from the stored survey (household and person rows) with the loaded registers in place of
# the optional columns they replace (mpi.vulnerable.REGISTER_OF; classify is the reference, a register's "on it" or "not
# on it" given as the member's True or False). A flag :use_* is 1 when that register is loaded. Written only when a
# register decides a condition, and only to the rows whose bits change (the import's own pass stays one write a row).
_REGISTER_BITS = """
INSERT INTO vuln_new (id, sel, bur)
SELECT v.id, v.sel, CASE WHEN v.sel IS NULL THEN NULL ELSE v.person_bits + v.housing_bit END
FROM (SELECT h.id,
             CASE WHEN (h.head_farming IS NULL OR (h.farmer_registered IS NULL AND :use_farm = 0))
                       AND h.income_per_capita IS NULL
                  THEN NULL
                  ELSE (CASE WHEN h.head_farming = TRUE
                                  AND (CASE WHEN :use_farm = 1 THEN COALESCE(pb.farm, 0) = 0
                                            ELSE h.farmer_registered = FALSE END)
                             THEN :fu ELSE 0 END)
                     + (CASE WHEN h.income_per_capita < :income AND h.n_welfare = 0 THEN :lw ELSE 0 END)
             END AS sel,
             COALESCE(pb.bits, 0) AS person_bits,
             CASE WHEN EXISTS (SELECT 1 FROM household_failure f WHERE f.household_id = h.id AND f.indicator_code = :housing)
                  THEN :b_insecure_housing ELSE 0 END AS housing_bit
      FROM household h
      LEFT JOIN (SELECT p.household_id,
                        MAX(CASE WHEN rf.citizen_id IS NULL THEN 0 ELSE 1 END) AS farm,
                        MAX(CASE WHEN (CASE WHEN :use_eef = 1 THEN re.citizen_id IS NOT NULL
                                            ELSE p.moe_poor_child = TRUE END)
                                 THEN :b_poor_child ELSE 0 END)
                      + MAX(CASE WHEN p.birth_date > :child_after AND p.birth_date <= :child_by
                                 THEN :b_young_children ELSE 0 END)
                      + MAX(CASE WHEN p.birth_date <= :elderly_by
                                      AND (CASE WHEN :use_old = 1 THEN ro.citizen_id IS NULL
                                                ELSE p.old_age_allowance = FALSE END)
                                 THEN :b_elderly_no_allowance ELSE 0 END)
                      + MAX(CASE WHEN p.disabled = TRUE
                                      AND (CASE WHEN :use_dis = 1 THEN rd.citizen_id IS NULL
                                                ELSE p.disability_allowance = FALSE END)
                                 THEN :b_disabled_no_allowance ELSE 0 END)
                      + MAX(CASE WHEN p.chronic_dependent = TRUE THEN :b_chronic_dependent ELSE 0 END) AS bits
                 FROM person p
                 LEFT JOIN (SELECT DISTINCT citizen_id FROM register_row WHERE register_key = :k_farm) rf
                        ON rf.citizen_id = p.citizen_id
                 LEFT JOIN (SELECT DISTINCT citizen_id FROM register_row WHERE register_key = :k_eef) re
                        ON re.citizen_id = p.citizen_id
                 LEFT JOIN (SELECT DISTINCT citizen_id FROM register_row WHERE register_key = :k_old) ro
                        ON ro.citizen_id = p.citizen_id
                 LEFT JOIN (SELECT DISTINCT citizen_id FROM register_row WHERE register_key = :k_dis) rd
                        ON rd.citizen_id = p.citizen_id
                 WHERE p.year = :y
                 GROUP BY p.household_id) pb ON pb.household_id = h.id
      WHERE h.year = :y) v"""
_WRITE_CHANGED = """
UPDATE household
SET vuln_selection = (SELECT n.sel FROM vuln_new n WHERE n.id = household.id),
    vuln_burdens = (SELECT n.bur FROM vuln_new n WHERE n.id = household.id)
WHERE id IN (SELECT n.id FROM vuln_new n JOIN household o ON o.id = n.id
             WHERE COALESCE(n.sel, -1) <> COALESCE(o.vuln_selection, -1) OR COALESCE(n.bur, -1) <> COALESCE(o.vuln_burdens, -1))"""
# the flag of each register that can decide a condition, as _REGISTER_BITS names it
_FLAGS = {"farmer_register": "farm", "eef_poor_student": "eef", "old_age_allowance": "old", "disability_allowance": "dis"}


def loaded_sources(conn: Connection) -> dict[str, dt.date]:
    """The registers that decide a vulnerable condition and are loaded: key → as-of date of the current version."""
    rv = tables.register_version.c
    found = conn.execute(
        select(rv.register_key, rv.as_of).where(rv.replaced_at.is_(None), rv.register_key.in_(sorted(REGISTER_OF.values())))
    )
    return {str(key): as_of for key, as_of in tuples(found)}


def apply_registers(conn: Connection, year: int, th: Thresholds = THRESHOLDS) -> int:
    """Re-derive the year's vulnerable bits with the loaded registers in place of the survey columns they replace;
    the number of households whose bits changed. Nothing is written when no such register is loaded, or the edition
    holds no assessable household."""
    loaded = loaded_sources(conn)
    if not loaded:
        return 0
    params: dict[str, object] = {
        "y": year,
        "fu": SELECTION_BIT["farmer_unregistered"],
        "lw": SELECTION_BIT["low_income_no_welfare"],
        **{f"b_{k}": v for k, v in BURDEN_BIT.items()},
        "housing": INSECURE_HOUSING_INDICATOR,
        "income": th.income_per_capita,
        **{k.replace("_born", ""): v for k, v in th.born_bounds(year).items()},
        **{f"use_{flag}": int(key in loaded) for key, flag in _FLAGS.items()},
        **{f"k_{flag}": key for key, flag in _FLAGS.items()},
    }
    # Raw: a set-based pass over a year's households and persons, like the import's own (stage_vulnerable_bits);
    # the temporary table is the one both backends write alike (declared columns, its key for the look-ups below)
    conn.execute(text("DROP TABLE IF EXISTS vuln_new"))  # raw: a temporary table's housekeeping, as above
    conn.execute(text("CREATE TEMP TABLE vuln_new (id INTEGER PRIMARY KEY, sel SMALLINT, bur SMALLINT)"))  # raw: as above
    conn.execute(text(_REGISTER_BITS), params)  # raw: the pass described at _REGISTER_BITS
    changed = conn.execute(text(_WRITE_CHANGED)).rowcount  # raw: correlated updates of the changed rows only
    conn.execute(text("DROP TABLE vuln_new"))  # raw: a temporary table's housekeeping, as above
    return int(changed or 0)


def refresh_for_registers(conn: Connection) -> None:
    """After a register is loaded (the register import's hook, beside data_access.register_rollups.refresh_register):
    every edition's vulnerable bits and rollup again, with that register deciding the conditions it records."""
    years: list[int] = list(conn.execute(select(tables.survey_year.c.year)).scalars())
    for year in years:
        if apply_registers(conn, year):
            refresh_vulnerable_rollup(conn, year, registers=False)


def refresh_vulnerable_rollup(conn: Connection, year: int, *, registers: bool = True) -> None:
    """The year's vulnerable rollup from its households' bits (the survey import's rollup step); first, unless asked
    not to, the bits again with the loaded registers deciding the conditions they record (apply_registers)."""
    if registers:
        apply_registers(conn, year)
    # Raw, like the other rollups of an import: INSERT … SELECT over a year's households, the import's hot path
    conn.execute(text("DELETE FROM vulnerable_rollup WHERE year = :y"), {"y": year})  # raw: as above
    conn.execute(
        # raw: as above
        text("""
        INSERT INTO vulnerable_rollup (year, area_code, selection, burdens, households, persons)
        SELECT year, tambon_code, vuln_selection, vuln_burdens, COUNT(*), SUM(n_persons)
        FROM household WHERE year = :y AND vuln_selection IS NOT NULL
        GROUP BY year, tambon_code, vuln_selection, vuln_burdens"""),
        {"y": year},
    )
    for level in UP_LEVELS:
        conn.execute(
            # raw: as above
            text("""
            INSERT INTO vulnerable_rollup (year, area_code, selection, burdens, households, persons)
            SELECT r.year, a.parent_code, r.selection, r.burdens, SUM(r.households), SUM(r.persons)
            FROM vulnerable_rollup r JOIN area a ON a.code = r.area_code
            WHERE r.year = :y AND a.level IN :lvl
            GROUP BY r.year, a.parent_code, r.selection, r.burdens""").bindparams(bindparam("lvl", expanding=True)),
            {"y": year, "lvl": list(level)},
        )


def _rows(conn: Connection, year: int, codes: list[str]) -> dict[str, list[VulnerableCount]]:
    out: dict[str, list[VulnerableCount]] = {c: [] for c in codes}
    if not codes:
        return out
    v = tables.vulnerable_rollup.c
    for r in conn.execute(
        select(v.area_code, v.selection, v.burdens, v.households, v.persons).where(v.year == year, v.area_code.in_(codes))
    ):
        out[r.area_code].append(VulnerableCount(r.selection, r.burdens, r.households, r.persons))
    return out


class VulnerableFigures(TypedDict):
    """mpi.vulnerable.VulnerableFigures of an area under a rule."""

    assessed_households: int
    selected_households: int
    vulnerable_households: int
    vulnerable_persons: int
    by_selection: dict[str, int]
    by_burden: dict[str, int]


class VulnerableChild(VulnerableFigures):
    code: str
    name_th: str | None
    name_en: str | None


class RuleAsked(TypedDict):
    selections: list[str]
    burdens: list[str]
    min_burdens: int


class CriterionSource(TypedDict):
    """Where a condition's answers come from (issue 33, 6): a loaded register (its key and as-of date), else the
    survey file's optional columns (register None)."""

    criterion: str
    register: str | None
    as_of: str | None  # ISO date


def sources_of(loaded: dict[str, dt.date]) -> list[CriterionSource]:
    """Each condition's source, selections then burdens, given the loaded registers (loaded_sources). Pure."""
    out: list[CriterionSource] = []
    for c in criteria():
        key = REGISTER_OF.get(c)
        on = loaded.get(key) if key else None
        out.append(CriterionSource(criterion=c, register=key if on else None, as_of=on.isoformat() if on else None))
    return out


class VulnerableArea(VulnerableFigures):
    code: str
    year: int
    name_th: str | None
    name_en: str | None
    rule: RuleAsked
    surveyed_households: int
    children: list[VulnerableChild]
    sources: list[CriterionSource]


def area_figures(code: str, year: int, rule: VulnerableRule = DEFAULT_RULE, engine: Engine | None = None) -> VulnerableArea:
    """The area's counts, with its children's, under a rule. Aggregates: public like the other figures."""
    a, pr = tables.area.c, tables.area_pattern_rollup.c
    with reading(engine) as conn:
        area = conn.execute(select(a.code, a.level, a.name_th, a.name_en).where(a.code == code)).mappings().first()
        if area is None:
            raise NotFoundError(f"unknown area code {code!r}")
        children = (
            conn.execute(select(a.code, a.name_th, a.name_en).where(a.parent_code == code).order_by(a.code)).mappings().all()
        )
        rows = _rows(conn, year, [code] + [c["code"] for c in children])
        surveyed = conn.execute(
            select(func.coalesce(func.sum(pr.households), 0)).where(pr.year == year, pr.area_code == code, pr.source == "survey")
        ).scalar()
        sources = sources_of(loaded_sources(conn))
    return cast(
        VulnerableArea,
        {
            "code": code,
            "year": year,
            "name_th": area["name_th"],
            "name_en": area["name_en"],
            "rule": {"selections": sorted(rule.selections), "burdens": sorted(rule.burdens), "min_burdens": rule.min_burdens},
            "surveyed_households": int(surveyed or 0),
            **figures(rows[code], rule).as_dict(),
            "children": [
                {"code": c["code"], "name_th": c["name_th"], "name_en": c["name_en"], **figures(rows[c["code"]], rule).as_dict()}
                for c in children
                if rows[c["code"]]
            ],
            "sources": sources,
        },
    )


class VulnerableHousehold(TypedDict):
    house_id: str
    tambon_code: str
    village_no: int
    members: int
    income_per_capita: float | None
    selection: list[str]
    burdens: list[str]


class VulnerablePage(TypedDict):
    items: list[VulnerableHousehold]
    total: int
    page: int
    page_size: int


def list_households(
    code: str,
    year: int,
    *,
    user: CurrentUser | None,
    rule: VulnerableRule = DEFAULT_RULE,
    burden: str | None = None,
    page: int = 1,
    page_size: int = 25,
    engine: Engine | None = None,
) -> VulnerablePage:
    """Vulnerable households of an area that the user may see: selection, burdens, members. Audited like other lists."""
    from data_access.households import check_area

    engine = engine or read_engine()
    user = check_area(user, code, engine)
    h = tables.household.c
    where = [h.year == year, h.vuln_selection.is_not(None), h.vuln_selection.bitwise_and(rule.selection_mask) != 0]
    if code != "TH":
        where.append(h.tambon_code.like(code + "%"))
    where.append(household_clause(user, h.tambon_code))
    # "at least k of the chosen burdens": k is small; list the burden bit sets that qualify.
    ok = [b for b in range(1 << len(BURDENS)) if bin(b & rule.burden_mask).count("1") >= rule.min_burdens]
    if burden:
        if burden not in BURDEN_BIT:
            raise BadRequest(f"unknown burden {burden!r}")
        ok = [b for b in ok if b & BURDEN_BIT[burden]]
    where.append(h.vuln_burdens.in_(ok or [-1]))
    with reading(engine) as conn:
        total = conn.execute(select(func.count()).select_from(tables.household).where(*where)).scalar_one()
        rows = conn.execute(
            select(h.house_id, h.tambon_code, h.village_no, h.n_persons, h.income_per_capita, h.vuln_selection, h.vuln_burdens)
            .where(*where)
            .order_by(h.tambon_code, h.village_no, h.house_id)
            .limit(page_size)
            .offset((max(1, page) - 1) * page_size)
        ).all()
    items = [
        VulnerableHousehold(
            house_id=r.house_id,
            tambon_code=r.tambon_code,
            village_no=r.village_no,
            members=r.n_persons,
            income_per_capita=r.income_per_capita,
            selection=[s for s in SELECTIONS if r.vuln_selection & SELECTION_BIT[s]],
            burdens=[b for b in BURDENS if r.vuln_burdens & BURDEN_BIT[b]],
        )
        for r in rows
    ]
    audit.record(
        "view_household_list",
        user=user,
        object_type="vulnerable",
        object_id=code,
        area_code=code,
        detail={"year": year, "page": page, "burden": burden, "rows": len(items)},
        engine=engine,
    )
    return VulnerablePage(items=items, total=total, page=page, page_size=page_size)
