"""The pivot: a cross-tab of target poor over two axes, read from the rollups (never from person rows).

Axes: area (the children of an area), dimension, indicator, crisis (the source deck's two rules), deprivations
(number of dimensions deprived) and status (Logbook households by the status ladder). Any axis can meet area; the
pattern axes (dimension, crisis, deprivations) can also meet each other. Indicators and Logbook status are rolled up
per area only, so they pair with area alone; other pairs are refused with the reason.

Values are target-poor persons (households for status). "share" divides each cell by its row's base: an area's
target poor (its target-poor households for status), or the row category's own count, so dimension × dimension
reads "of those deprived in health, the share also deprived in income".
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, NotRequired, TypedDict, cast

from sqlalchemy import Engine

from data_access import figures, logbook
from data_access.access import CurrentUser
from data_access.db import read_engine
from data_access.errors import BadRequest
from mpi import catalogue
from mpi.rules import ALL_DIMENSIONS_MASK, CRISIS_RULES, cross_tab, pattern_categories

AXES = ("area", "dimension", "indicator", "crisis", "deprivations", "status")
PATTERN_AXES = ("dimension", "crisis", "deprivations")
STATUSES = ("survival", "sufficiency", "sustainability")
VALUES = ("count", "share")


class PivotRow(TypedDict):
    """A row of the cross-tab (or its total): its key (an area code or a category), an area's names, its base and
    its cells by column (counts, or shares of the base)."""

    key: str
    name_th: NotRequired[str | None]
    name_en: NotRequired[str | None]
    base: int | float | None
    cells: dict[str, Any]


class PivotTable(TypedDict):
    code: str
    year: int
    rows: str
    cols: str
    value: str  # count | share
    unit: str  # persons | households
    columns: list[str]
    items: list[PivotRow]
    total: PivotRow
    source: str


class PivotError(BadRequest):
    pass


def _categories(axis: str, year: int, mask: int) -> list[str]:
    if axis == "indicator":
        return [i.code for i in catalogue.indicators_for_year(year)]
    if axis == "status":
        return list(STATUSES)
    return [k for k, _ in pattern_categories(axis, mask)]


def _area_cells(f: Mapping[str, Any], axis: str, progress: Mapping[str, Any] | None) -> dict:
    """One area's cells along a non-area axis, from its API figures."""
    if axis == "dimension":
        return dict(f["dimension_target_poor"])
    if axis == "indicator":
        return dict(f["indicator_target_poor"])
    if axis == "crisis":
        return {k: f[f"crisis_{k}"] for k in CRISIS_RULES}
    if axis == "deprivations":
        return {k: v for k, v in f["deprived_dimensions_target_poor"].items()}
    if axis == "status":
        return {s: (progress or {}).get("by_status", {}).get(s, 0) for s in STATUSES}
    raise PivotError(f"unknown axis {axis!r}")


def pivot(
    code: str,
    year: int,
    rows: str,
    cols: str,
    *,
    mask: int = ALL_DIMENSIONS_MASK,
    value: str = "count",
    engine: Engine | None = None,
    viewer: CurrentUser | None = None,
    definition: str | None = None,
) -> PivotTable:
    for axis in (rows, cols):
        if axis not in AXES:
            raise PivotError(f"an axis is one of {', '.join(AXES)}, not {axis!r}")
    if value not in VALUES:
        raise PivotError(f"value is count or share, not {value!r}")
    if rows == cols and rows != "dimension":
        raise PivotError("rows and columns must differ (only dimension × dimension crosses itself)")
    engine = engine or read_engine()
    area = figures.area_summary(code, year, mask, engine=engine, definition=definition)
    with_rules = figures.crisis_counts([code], year, mask, engine=engine, definition=definition)
    area |= with_rules.get(code, {})
    unit = "households" if "status" in (rows, cols) else "persons"

    if "area" in (rows, cols):
        other = cols if rows == "area" else rows
        if other == "area":
            raise PivotError("rows and columns must differ")
        children = figures.children_summaries(code, year, mask, engine=engine, definition=definition)
        crisis = figures.crisis_counts([c["code"] for c in children], year, mask, engine=engine, definition=definition)
        digits = {"TH": 2}.get(code, len(code) + 2)
        progress = logbook.progress_children(code, digits, year, engine, viewer=viewer) if other == "status" else {}
        own_progress = logbook.progress(code, year, engine, viewer=viewer) if other == "status" else None
        cats = _categories(other, year, mask)
        table: list[dict[str, Any]] = []
        for c in children:
            f = c | crisis.get(c["code"], {})
            cells = _area_cells(f, other, progress.get(c["code"]))
            base = f["target_poor_households"] if other == "status" else f["target_poor_persons"]
            table.append(
                {
                    "key": c["code"],
                    "name_th": c["name_th"],
                    "name_en": c["name_en"],
                    "base": base,
                    "cells": {k: cells.get(k, 0) for k in cats},
                }
            )
        total_cells = _area_cells(area, other, own_progress)
        total: dict[str, Any] = {
            "key": code,
            "name_th": area["name_th"],
            "name_en": area["name_en"],
            "base": area["target_poor_households"] if other == "status" else area["target_poor_persons"],
            "cells": {k: total_cells.get(k, 0) for k in cats},
        }
        if cols == "area":  # transpose: categories down the side, areas across
            table, total = _transpose(table, total, cats)
            cats = [r["key"] for r in _transpose_keys(children)]
    else:
        if rows not in PATTERN_AXES or cols not in PATTERN_AXES:
            raise PivotError(f"{rows} × {cols} is not rolled up: indicators and Logbook status pair with area only")
        patterns = figures.pattern_counts(code, year, engine=engine, definition=definition)
        tab = cross_tab(patterns, rows, cols, mask)
        margins = cross_tab(patterns, rows, "total", mask)
        cats = _categories(cols, year, mask)
        table = [{"key": r, "base": margins[r]["total"], "cells": dict(tab[r])} for r in _categories(rows, year, mask)]
        col_totals = cross_tab(patterns, "total", cols, mask)["total"]
        total = {
            "key": code,
            "name_th": area["name_th"],
            "name_en": area["name_en"],
            "base": area["target_poor_persons"],
            "cells": col_totals,
        }
    if value == "share":
        for r in [*table, total]:
            base = r["base"]
            r["cells"] = {k: (v / base if base else None) if v is not None else None for k, v in r["cells"].items()}
    return PivotTable(
        code=code,
        year=year,
        rows=rows,
        cols=cols,
        value=value,
        unit=unit,
        columns=cats,
        items=cast(list[PivotRow], table),
        total=cast(PivotRow, total),
        source=area["source"],
    )


def _transpose(table: list[dict], total: dict, cats: list[str]) -> tuple[list[dict], dict]:
    rows = [{"key": k, "base": total["cells"].get(k), "cells": {r["key"]: r["cells"][k] for r in table}} for k in cats]
    new_total = {
        "key": total["key"],
        "name_th": total["name_th"],
        "name_en": total["name_en"],
        "base": total["base"],
        "cells": {r["key"]: r["base"] for r in table},
    }
    return rows, new_total


def _transpose_keys(children: Sequence[Mapping[str, Any]]) -> list[dict]:
    return [{"key": c["code"]} for c in children]
