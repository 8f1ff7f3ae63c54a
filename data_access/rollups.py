"""Rollup tables, refreshed inside the database on import (no person row is pulled into Python).

area_pattern_rollup   (year, area, source, pattern) → households, persons, welfare persons,
                      households with a welfare member
area_indicator_rollup (year, area, source, indicator) → welfare persons failing it
area_stage_rollup     (year, area, life stage, sex, pattern) → persons, welfare persons (survey only, issue 34)
Tambon rows come from households; each higher level is the sum of its children's rows.

These statements stay hand-written SQL on purpose (issue 14): each is one set-based INSERT … SELECT … GROUP BY
that runs inside the database over millions of rows, and the substr()/prefix joins between levels read more
plainly as SQL than as the same SQL spelled in Core. Reads for pages and the API go through models.py.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import BindParameter, Connection, MetaData, Table, bindparam, delete, func, select, text
from sqlalchemy.schema import DropTable

from data_access import models as tables
from mpi.editions import survey_date
from mpi.lifestages import STAGE_KEYS, life_stages

SURVEY = "survey"
PUBLISHED = "published"
# Children level → parent level, bottom-up.
# Municipal units sit beside tambons under their amphoe: they roll up with them.
UP_LEVELS = ((("tambon", "municipality"), "amphoe"), (("amphoe",), "province"), (("province",), "country"))


def delete_rollups(conn: Connection, year: int, source: str) -> None:
    for table in (tables.area_pattern_rollup, tables.area_indicator_rollup, tables.area_rollup_source):
        conn.execute(delete(table).where(table.c.year == year, table.c.source == source))


_INDICATOR_UP = """
    INSERT INTO area_indicator_rollup (year, area_code, source, indicator_code, welfare_persons, persons)
    SELECT r.year, a.parent_code, r.source, r.indicator_code, SUM(r.welfare_persons), SUM(r.persons)
    FROM area_indicator_rollup r JOIN area a ON a.code = r.area_code
    WHERE r.year = :y AND r.source = :s AND a.level IN :levels
    GROUP BY r.year, a.parent_code, r.source, r.indicator_code
"""
# the child levels of a step up, bound as a list
LEVELS: BindParameter[list[str]] = bindparam("levels", expanding=True)


def _roll_up(conn: Connection, year: int, source: str, child_levels: tuple[str, ...]) -> None:
    params = {"y": year, "s": source, "levels": list(child_levels)}
    conn.execute(
        # raw: an import's INSERT … SELECT (the module's docstring says why)
        text("""
        INSERT INTO area_pattern_rollup (year, area_code, source, pattern, households, persons, welfare_persons, welfare_households)
        SELECT r.year, a.parent_code, r.source, r.pattern, SUM(r.households), SUM(r.persons), SUM(r.welfare_persons),
               SUM(r.welfare_households)
        FROM area_pattern_rollup r JOIN area a ON a.code = r.area_code
        WHERE r.year = :y AND r.source = :s AND a.level IN :levels
        GROUP BY r.year, a.parent_code, r.source, r.pattern
    """).bindparams(LEVELS),
        params,
    )
    conn.execute(text(_INDICATOR_UP).bindparams(LEVELS), params)  # raw: as above


def record_sources(conn: Connection, year: int, source: str) -> None:
    """List which areas have rollups of this source, with their parent, for the children listing."""
    conn.execute(
        # raw: an import's INSERT … SELECT (the module's docstring says why)
        text("""
        INSERT INTO area_rollup_source (year, area_code, source, parent_code, refreshed_at)
        SELECT DISTINCT r.year, r.area_code, r.source, a.parent_code, :t
        FROM area_pattern_rollup r JOIN area a ON a.code = r.area_code
        WHERE r.year = :y AND r.source = :s
    """),
        {"y": year, "s": source, "t": dt.datetime.now(dt.UTC)},
    )


def reconcile_survey_sources(conn: Connection, year: int) -> None:
    """Let survey figures stand for an area only where they cover it: every tambon of the area that
    has published figures must have survey data too. A demo with three provinces of microdata must
    not replace the published national figures with a three-province total."""
    s = tables.area_rollup_source.c
    conn.execute(delete(tables.area_rollup_source).where(s.year == year, s.source == SURVEY))
    record_sources(conn, year, SURVEY)
    # The tambons TPMAP published figures for are the ones the survey covers. An edition without published area
    # files (a later survey, say) is measured against the nearest edition that has them, or, in a deployment with
    # survey files only, against the nearest other surveyed edition: three provinces of 2562 microdata must not
    # become the country's 2562 figures either (a year part-way through loading).
    published_years: list[int] = sorted(conn.execute(select(s.year).where(s.source == PUBLISHED).distinct()).scalars())
    other_years: list[int] = sorted(conn.execute(select(s.year).where(s.year != year).distinct()).scalars())
    refs = published_years or other_years
    ref = year if year in published_years else min(refs, key=lambda y: (abs(y - year), -y), default=year)
    covered: set[str] = set(conn.execute(select(s.area_code).where(s.year == year, s.source == SURVEY)).scalars())
    uncovered = [c for c in _reference_tambons(conn, ref) if c not in covered]
    if not uncovered:
        return
    # the survey rows of every area above an uncovered tambon go: its amphoe, its province and the country
    above = {"TH"} | {c[:2] for c in uncovered} | {c[:4] for c in uncovered}
    conn.execute(delete(tables.area_rollup_source).where(s.year == year, s.source == SURVEY, s.area_code.in_(above)))


def _reference_tambons(conn: Connection, ref: int) -> list[str]:
    """The tambons and municipal units the reference edition has figures for. Read into Python and compared there
    (a few thousand codes): inside one statement, the planner, not knowing the rows the import has just written,
    chose a nested anti-join that took 9 s for two provinces and would grow with the square of the tambons."""
    s, a = tables.area_rollup_source.c, tables.area.c
    return list(
        conn.execute(
            select(s.area_code)
            .join_from(tables.area_rollup_source, tables.area, a.code == s.area_code)
            .where(s.year == ref, s.source.in_([PUBLISHED, SURVEY]), a.level.in_(["tambon", "municipality"]))
            .distinct()
        ).scalars()
    )


def _unit_indicators(conn: Connection, year: int) -> None:
    """Per unit and indicator: card holders (the target poor while its dimension is selected) and every member
    (the "all" and "no card" definitions) of the households failing it."""
    conn.execute(
        # raw: an import's INSERT … SELECT (the module's docstring says why)
        text("""
        INSERT INTO area_indicator_rollup (year, area_code, source, indicator_code, welfare_persons, persons)
        SELECT h.year, h.tambon_code, :s, f.indicator_code, SUM(h.n_welfare), SUM(h.n_persons)
        FROM household_failure f JOIN household h ON h.id = f.household_id
        WHERE h.year = :y
        GROUP BY h.year, h.tambon_code, f.indicator_code
    """),
        {"y": year, "s": SURVEY},
    )


def refresh_survey_indicators(conn: Connection, year: int) -> None:
    """The indicator rollups of a survey year alone (migration 0013 fills the new `persons` column with it)."""
    ir = tables.area_indicator_rollup
    conn.execute(delete(ir).where(ir.c.year == year, ir.c.source == SURVEY))
    _unit_indicators(conn, year)
    for child_level, _parent in UP_LEVELS:
        params = {"y": year, "s": SURVEY, "levels": list(child_level)}
        conn.execute(text(_INDICATOR_UP).bindparams(LEVELS), params)  # raw: an import's INSERT … SELECT


# Each household holds its members per life stage and sex and the card holders among them (models.STAGE_COUNT_COLUMNS,
# counted by the survey import from the staged persons, ages on the edition's survey date): the tambon rows sum those
# per tambon and pattern, then turn the ten (stage, sex) sums into rows, keeping the groups that have persons, as
# the GROUP BY over persons this replaced kept them. Reading households, not persons: the refresh grew by 91 % with
# the persons' statement at six provinces (bench/RESULTS.md). The keys are pinned (mpi.lifestages checks its data file
# holds them, in this order).
# the CREATE … AS lets PostgreSQL read the households with parallel workers (an INSERT … SELECT may not)
_STAGE_SUMS = """
    CREATE TEMP TABLE stage_sums AS
    SELECT tambon_code, pattern,
           SUM(n_infant_m) AS n_infant_m, SUM(nw_infant_m) AS nw_infant_m, SUM(n_infant_f) AS n_infant_f, SUM(nw_infant_f) AS nw_infant_f,
           SUM(n_preschool_m) AS n_preschool_m, SUM(nw_preschool_m) AS nw_preschool_m, SUM(n_preschool_f) AS n_preschool_f, SUM(nw_preschool_f) AS nw_preschool_f,
           SUM(n_school_m) AS n_school_m, SUM(nw_school_m) AS nw_school_m, SUM(n_school_f) AS n_school_f, SUM(nw_school_f) AS nw_school_f,
           SUM(n_working_m) AS n_working_m, SUM(nw_working_m) AS nw_working_m, SUM(n_working_f) AS n_working_f, SUM(nw_working_f) AS nw_working_f,
           SUM(n_elderly_m) AS n_elderly_m, SUM(nw_elderly_m) AS nw_elderly_m, SUM(n_elderly_f) AS n_elderly_f, SUM(nw_elderly_f) AS nw_elderly_f
    FROM household WHERE year = :y
    GROUP BY tambon_code, pattern
"""
_STAGE_UNIT = """
    INSERT INTO area_stage_rollup (year, area_code, stage, sex, pattern, persons, welfare_persons)
    SELECT year, tambon_code, stage, sex, pattern, persons, welfare_persons
    FROM (SELECT :y AS year, u.tambon_code, s.stage, s.sex, u.pattern,
                 CASE s.k
                      WHEN 0 THEN u.n_infant_m
                      WHEN 1 THEN u.n_infant_f
                      WHEN 2 THEN u.n_preschool_m
                      WHEN 3 THEN u.n_preschool_f
                      WHEN 4 THEN u.n_school_m
                      WHEN 5 THEN u.n_school_f
                      WHEN 6 THEN u.n_working_m
                      WHEN 7 THEN u.n_working_f
                      WHEN 8 THEN u.n_elderly_m
                      WHEN 9 THEN u.n_elderly_f
                 END AS persons,
                 CASE s.k
                      WHEN 0 THEN u.nw_infant_m
                      WHEN 1 THEN u.nw_infant_f
                      WHEN 2 THEN u.nw_preschool_m
                      WHEN 3 THEN u.nw_preschool_f
                      WHEN 4 THEN u.nw_school_m
                      WHEN 5 THEN u.nw_school_f
                      WHEN 6 THEN u.nw_working_m
                      WHEN 7 THEN u.nw_working_f
                      WHEN 8 THEN u.nw_elderly_m
                      WHEN 9 THEN u.nw_elderly_f
                 END AS welfare_persons
          FROM stage_sums u
          CROSS JOIN
          (SELECT 0 AS k, 'infant' AS stage, 'M' AS sex
           UNION ALL SELECT 1, 'infant', 'F'
           UNION ALL SELECT 2, 'preschool', 'M'
           UNION ALL SELECT 3, 'preschool', 'F'
           UNION ALL SELECT 4, 'school', 'M'
           UNION ALL SELECT 5, 'school', 'F'
           UNION ALL SELECT 6, 'working', 'M'
           UNION ALL SELECT 7, 'working', 'F'
           UNION ALL SELECT 8, 'elderly', 'M'
           UNION ALL SELECT 9, 'elderly', 'F') s) x
    WHERE persons > 0
"""
_STAGE_UP = """
    INSERT INTO area_stage_rollup (year, area_code, stage, sex, pattern, persons, welfare_persons)
    SELECT r.year, a.parent_code, r.stage, r.sex, r.pattern, SUM(r.persons), SUM(r.welfare_persons)
    FROM area_stage_rollup r JOIN area a ON a.code = r.area_code
    WHERE r.year = :y AND a.level IN :levels
    GROUP BY r.year, a.parent_code, r.stage, r.sex, r.pattern
"""


def stage_bounds(year: int) -> dict[str, object]:
    """The birth date after which a person is of each stage but the oldest, on the edition's survey date: the
    parameters of the import's count of each household's members per stage (data_access.survey_import.STAGE_OF)."""
    on = survey_date(year)
    stages = life_stages(year)
    assert [s.key for s in stages] == list(STAGE_KEYS), "the pinned life stages, in order, as survey_import.STAGE_OF spells them"
    return {f"after_{s.key}": s.born_range(on)[0] for s in stages[:-1]}


@contextmanager
def _without_jit(conn: Connection) -> Iterator[None]:
    """PostgreSQL compiles a statement over millions of rows with LLVM first (jit_above_cost): for the stage sums, a
    third of a second at six provinces, more than it saves on twenty sums of small integers. Off for the statement
    alone, then the transaction's setting again (set_config, local: a failed statement rolls the transaction and the
    setting back together, so there is nothing to restore then)."""
    if conn.dialect.name != "postgresql":
        yield
        return
    before: str = conn.execute(select(func.current_setting("jit"))).scalar_one()
    conn.execute(select(func.set_config("jit", "off", True)))
    yield
    conn.execute(select(func.set_config("jit", before, True)))


def refresh_stage_rollup(conn: Connection, year: int) -> None:
    """Persons per tambon, life stage, sex and household pattern, from the households' counts, then summed up the
    levels as the pattern rollup is. Run inside the import's transaction (refresh_survey_rollups), and by migration
    0023 for the years held."""
    asr = tables.area_stage_rollup
    conn.execute(delete(asr).where(asr.c.year == year))
    stage_sums = Table("stage_sums", MetaData(), schema="temp" if conn.dialect.name == "sqlite" else None)
    conn.execute(DropTable(stage_sums, if_exists=True))  # SQLite's pooled connections may keep a temporary table
    with _without_jit(conn):
        conn.execute(text(_STAGE_SUMS), {"y": year})  # raw: a temporary table of an import's sums (undeclared)
    conn.execute(text(_STAGE_UNIT), {"y": year})  # raw: an import's INSERT … SELECT
    conn.execute(DropTable(Table("stage_sums", MetaData()), if_exists=True))
    for child_levels, _parent in UP_LEVELS:
        conn.execute(text(_STAGE_UP).bindparams(LEVELS), {"y": year, "levels": list(child_levels)})  # raw: as above


def refresh_survey_rollups(conn: Connection, year: int) -> None:
    delete_rollups(conn, year, SURVEY)
    conn.execute(
        # raw: an import's INSERT … SELECT (the module's docstring says why), here and below
        text("""
        INSERT INTO area_pattern_rollup (year, area_code, source, pattern, households, persons, welfare_persons, welfare_households)
        SELECT year, tambon_code, :s, pattern, COUNT(*), SUM(n_persons), SUM(n_welfare),
               SUM(CASE WHEN n_welfare > 0 THEN 1 ELSE 0 END)
        FROM household WHERE year = :y
        GROUP BY year, tambon_code, pattern
    """),
        {"y": year, "s": SURVEY},
    )
    _unit_indicators(conn, year)
    conn.execute(delete(tables.village_pattern_rollup).where(tables.village_pattern_rollup.c.year == year))
    conn.execute(
        # raw: as above
        text("""
        INSERT INTO village_pattern_rollup (year, tambon_code, village_no, pattern, households, persons, welfare_persons,
                                            welfare_households)
        SELECT year, tambon_code, village_no, pattern, COUNT(*), SUM(n_persons), SUM(n_welfare),
               SUM(CASE WHEN n_welfare > 0 THEN 1 ELSE 0 END)
        FROM household WHERE year = :y
        GROUP BY year, tambon_code, village_no, pattern
    """),
        {"y": year},
    )
    for child_level, _parent in UP_LEVELS:
        _roll_up(conn, year, SURVEY, child_level)
    refresh_stage_rollup(conn, year)
    reconcile_survey_sources(conn, year)
    from data_access import measures
    from data_access.vulnerable import refresh_vulnerable_rollup

    measures.refresh(conn, year)

    refresh_vulnerable_rollup(conn, year)
    if conn.dialect.name == "postgresql":
        conn.execute(text("ANALYZE area_pattern_rollup"))  # raw: a maintenance command, no Core form
        conn.execute(text("ANALYZE area_indicator_rollup"))  # raw: as above
        conn.execute(text("ANALYZE area_measure_rollup"))  # raw: as above
        conn.execute(text("ANALYZE area_stage_rollup"))  # raw: as above
