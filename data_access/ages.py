"""The life-course lens (issue 34): figures of one life stage, read from area_stage_rollup in one statement.

A stage's rows are (stage, sex, pattern) → persons, welfare persons, the pattern being the person's household's;
they go through the same mpi.rules functions as the all-ages pattern rows (as_defined, area_figures), so every
dimension switch, crisis rule and definition works per stage and the stages add up to the all-ages figure. A stage
counts people: the household figures of a stage (a household has members of several stages) and the per-indicator
counts (not rolled up per stage) are null, never a zero. Published figures (TPMAP's 2561 area files) carry no ages:
an area that has only those cannot be split, and says so (CannotSplit, 422).
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any, TypedDict, cast

from sqlalchemy import Connection, select

from data_access import models as tables
from data_access.db import tuples
from data_access.errors import DomainError
from data_access.figure_rows import Figures
from data_access.rollups import SURVEY
from mpi import catalogue
from mpi.editions import definition_for
from mpi.lifestages import SEXES, life_stages
from mpi.rules import ALL_DIMENSIONS_MASK, CrisisRule, PatternCount, area_figures, as_defined, crisis_count

# what a stage cannot say: null (not zero) in its figures
NOT_BY_STAGE = ("surveyed_households", "target_poor_households")


class StageSex(TypedDict):
    """One life stage and sex of an area (the pinned /ages item)."""

    stage: str
    sex: str
    surveyed_persons: int | None
    target_poor_persons: int | None
    crisis_persons: int | None


class CannotSplit(DomainError, LookupError):
    """The area's figures of that edition are TPMAP's published ones, which carry no ages (422)."""

    status = 422


def check_splittable(code: str, year: int, source: str) -> None:
    if source != SURVEY:
        raise CannotSplit(
            f"area {code} has TPMAP's published figures only in {year}, which carry no ages: they cannot be split by "
            "life stage (only areas with survey microdata can)",
            key="err.no_stage_split",
            area=code,
            year=year,
        )


def _rows(conn: Connection, year: int, codes: list[str], stage: str | None) -> dict[str, dict[tuple[str, str], list]]:
    """{area: {(stage, sex): [PatternCount]}} for the areas (one statement)."""
    r = tables.area_stage_rollup.c
    query = select(r.area_code, r.stage, r.sex, r.pattern, r.persons, r.welfare_persons).where(
        r.year == year, r.area_code.in_(codes)
    )
    if stage is not None:
        query = query.where(r.stage == stage)
    out: dict[str, dict[tuple[str, str], list]] = defaultdict(lambda: defaultdict(list))
    for code, st, sex, pattern, persons, welfare in tuples(conn.execute(query)):
        out[code][(st, sex)].append(PatternCount(pattern, 0, persons, welfare, None))
    return out


def _figures(rows: list[PatternCount], dims: dict[str, str], mask: int, definition: str) -> dict:
    out = area_figures(as_defined(rows, definition), None, dims, mask)
    return out | dict.fromkeys(NOT_BY_STAGE)


def stage_figures(
    conn: Connection,
    year: int,
    chosen: dict[str, str],
    mask: int,
    stage: str,
    rules: tuple[CrisisRule, ...],
    definition: str,
) -> dict[str, Figures]:
    """The figures of figures_for_sources, of one stage's persons: the same fields. An area with published figures
    only has them null and `age_split` false; the others `age_split` true."""
    survey = [c for c, s in chosen.items() if s == SURVEY]
    rows = _rows(conn, year, survey, stage) if survey else {}
    dims = {i.code: i.dimension for i in catalogue.indicators_for_year(year)}
    blank = dict.fromkeys(_figures([], dims, mask, definition), None)
    out: dict[str, Any] = {}
    for code, source in chosen.items():
        if source != SURVEY:
            out[code] = blank | {"source": source, "definition": definition, "age": stage, "age_split": False}
            out[code] |= {f"crisis_{rule.key}": None for rule in rules}
            continue
        both = [p for sex in SEXES for p in rows.get(code, {}).get((stage, sex), [])]
        out[code] = _figures(both, dims, mask, definition) | {
            "source": source,
            "definition": definition,
            "age": stage,
            "age_split": True,
        }
        for rule in rules:
            out[code][f"crisis_{rule.key}"] = crisis_count(as_defined(both, definition), rule, mask)
    return cast("dict[str, Figures]", out)


def by_stage_and_sex(
    conn: Connection, code: str, year: int, source: str, mask: int = ALL_DIMENSIONS_MASK, *, definition: str | None = None
) -> list[StageSex]:
    """One item per life stage and sex (the pinned /ages answer): surveyed persons, target poor and those in crisis
    (3 or more dimensions) under the definition and the dimensions asked for. `source` is the area's (figures.
    area_ages resolves it): CannotSplit for published figures."""
    check_splittable(code, year, source)
    rows = _rows(conn, year, [code], None).get(code, {})
    who = definition_for(year, definition)
    dims = {i.code: i.dimension for i in catalogue.indicators_for_year(year)}
    items: list[StageSex] = []
    for stage in life_stages(year):
        for sex in SEXES:
            f = area_figures(as_defined(rows.get((stage.key, sex), []), who), None, dims, mask)
            items.append(
                StageSex(
                    stage=stage.key,
                    sex=sex,
                    surveyed_persons=f["surveyed_persons"],
                    target_poor_persons=f["target_poor_persons"],
                    crisis_persons=f["crisis_persons"],
                )
            )
    return items
