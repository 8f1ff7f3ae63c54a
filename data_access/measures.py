"""Sums over many areas' pattern rows: a ranking's or a national map's figures (mpi.rules.ranking_measures).

Every figure of such a table is a weighted sum of an area's pattern rows, so the database adds them up for thousands
of areas in one statement (`sum_select`). With every dimension counted and the source deck's two crisis rules (what
the ranking and the national tambon map open with), the sums are kept per area, source and definition in
area_measure_rollup, refreshed whenever a year's pattern rollup is (`refresh`): reading them is one indexed read of
the areas asked for. Any other choice (a subset of dimensions, a custom rule) is summed from the pattern rows.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from sqlalchemy import ColumnElement, Connection, Select, case, delete, func, insert, literal, select

from data_access import models as tables
from mpi.rules import ALL_DIMENSIONS_MASK, CRISIS_RULES, TARGET_DEFINITIONS, ranking_measures

Measures = dict[str, tuple[dict[int, int], str]]
STORED = tuple(c.name for c in tables.area_measure_rollup.c if c.name not in ("year", "area_code", "source", "definition"))


def stored_measures(definition: str) -> Measures:
    """What area_measure_rollup holds for a definition: every measure with all dimensions and both crisis rules."""
    return ranking_measures(tuple(CRISIS_RULES.values()), ALL_DIMENSIONS_MASK, definition)


def sum_select(year: int, measures: Measures, areas: Select[Any] | None = None) -> Select[Any]:
    """SELECT area_code, source, <each measure> from the pattern rollup of `year`, for the areas the `areas`
    subquery selects (all areas when None), grouped by area and source."""
    p = tables.area_pattern_rollup.c
    counted = {"welfare": p.welfare_persons, "persons": p.persons, "nocard": p.persons - p.welfare_persons}

    def weighted(weights: dict[int, int], column: ColumnElement[int]) -> ColumnElement[int]:
        if not weights:  # a dimension switched off: nobody counts
            return literal(0)
        by_weight: dict[int, list[int]] = defaultdict(list)
        for pattern, w in weights.items():
            by_weight[w].append(pattern)
        if len(by_weight) == 1:  # a plain membership: the patterns that count, once each
            ((w, patterns),) = by_weight.items()
            return case((p.pattern.in_(sorted(patterns)), column * w), else_=0)
        return case(*((p.pattern.in_(sorted(ps)), column * w) for w, ps in sorted(by_weight.items())), else_=0)

    sums = [func.coalesce(func.sum(weighted(w, counted[c])), 0).label(name) for name, (w, c) in measures.items()]
    query = select(p.area_code, p.source, *sums).where(p.year == year)
    if areas is not None:
        query = query.where(p.area_code.in_(areas))
    return query.group_by(p.area_code, p.source)


def sums(
    conn: Connection, year: int, measures: Measures, areas: Select[Any], mask: int, definition: str
) -> dict[tuple[str, str], dict[str, int]]:
    """{(area, source): {measure: sum}} for the areas the `areas` subquery selects: from the stored sums when they
    hold every measure asked for, else summed from the pattern rows."""
    m = tables.area_measure_rollup.c
    if mask == ALL_DIMENSIONS_MASK and set(measures) <= set(STORED) and _same(measures, definition):
        query = select(m.area_code, m.source, *(m[k] for k in measures)).where(
            m.year == year, m.definition == definition, m.area_code.in_(areas)
        )
    else:
        query = sum_select(year, measures, areas)
    names = list(measures)  # plain tuples: a national ranking reads 7,588 rows, where a mapping per row costs
    return {(r[0], r[1]): dict(zip(names, map(int, r[2:]), strict=True)) for r in conn.execute(query)}


def _same(measures: Measures, definition: str) -> bool:
    """The measures asked for are the stored ones (same patterns, weights and counts), not a rule of the same name."""
    stored = stored_measures(definition)
    return all(stored[k] == v for k, v in measures.items())


def refresh(conn: Connection, year: int) -> None:
    """Recompute a year's stored sums from its pattern rollup (every source and definition): after an import."""
    t = tables.area_measure_rollup
    conn.execute(delete(t).where(t.c.year == year))
    for definition in TARGET_DEFINITIONS:
        measures = stored_measures(definition)
        query = sum_select(year, measures).add_columns(literal(year).label("year"), literal(definition).label("definition"))
        conn.execute(insert(t).from_select(["area_code", "source", *measures, "year", "definition"], query))
