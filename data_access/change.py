"""Change between two editions, per area: the ranking of areas by change (most improved, most worsened), and an
area's own change for the story and the quarterly reports.

An area's figure of an edition is its area file (survey microdata where it covers the area, else TPMAP's published
area figures) or, where there is none, the headline figure TPMAP or the press published for it (provinces and the
country; every dimension; the edition's own definition, or a definition the row can give: data_access.editions).
An area lacking either edition is left out and counted, never shown as "no change".
"""

from __future__ import annotations

from typing import TypedDict

from sqlalchemy import Connection, Engine, select

from data_access import cache
from data_access import models as tables
from data_access.db import get_engine, reading
from data_access.editions import headline_count
from data_access.errors import BadRequest
from data_access.figures import figures_for_sources, known_years, ranked_areas, sources_of
from mpi.editions import definition_for
from mpi.rules import ALL_DIMENSIONS_MASK

ORDERS = ("improved", "worsened")


class Standing(TypedDict):
    target_poor_persons: int
    share: float | None  # per cent of persons surveyed, where known
    source: str  # survey | published | headline


class ChangeRow(TypedDict):
    code: str
    level: str
    name_th: str
    name_en: str
    before: int
    after: int
    change: int  # persons, after − before
    change_points: float | None  # share of persons surveyed, percentage points
    change_pct: float | None  # per cent of `before`
    source_before: str
    source_after: str
    rank: int


class ChangeRanking(TypedDict):
    year_from: int
    year_to: int
    order: str
    items: list[ChangeRow]
    lacking: int  # areas of the ranking without figures in one of the two editions


def standings(
    conn: Connection, codes: list[str], year: int, mask: int = ALL_DIMENSIONS_MASK, definition: str | None = None
) -> dict[str, Standing]:
    """Each area's target poor of an edition: area files first, then headline rows (every dimension only)."""
    figs = figures_for_sources(conn, year, sources_of(conn, year, codes), mask, definition=definition)
    out: dict[str, Standing] = {
        code: Standing(
            target_poor_persons=f["target_poor_persons"],
            share=100 * f["target_poor_persons"] / f["surveyed_persons"] if f["surveyed_persons"] else None,
            source=f["source"],
        )
        for code, f in figs.items()
    }
    if mask != ALL_DIMENSIONS_MASK:
        return out
    h = tables.published_headline.c
    missing = [c for c in codes if c not in out]
    if missing:
        t = tables.published_headline
        rows = conn.execute(select(t).where(h.year == year, h.area_code.in_(missing))).mappings()
        for r in rows:
            count = headline_count(dict(r), definition)
            if count is None:
                continue
            # a share TPMAP gave is for its own definition; another is computed only where persons surveyed are known
            own = definition is None or definition == definition_for(year)
            share = r["target_poor_rate_pct"] if own else None
            if share is None and r["surveyed_persons"]:
                share = 100 * count / r["surveyed_persons"]
            out[r["area_code"]] = Standing(target_poor_persons=count, share=share, source="headline")
    return out


def previous_edition(year: int, engine: Engine | None = None) -> int | None:
    """The latest edition before `year` that the database holds figures of (area files or headline counts)."""
    engine = engine or get_engine()
    h = tables.published_headline.c
    with reading(engine) as conn:
        headline: set[int] = set(conn.scalars(select(h.year).where(h.target_poor_persons.is_not(None)).distinct()))
    earlier = [y for y in set(known_years(engine)) | headline if y < year]
    return max(earlier) if earlier else None


def change_ranking(
    code: str,
    year_to: int,
    year_from: int,
    mask: int = ALL_DIMENSIONS_MASK,
    level: str | None = None,
    order: str = "improved",
    definition: str | None = None,
    engine: Engine | None = None,
) -> ChangeRanking:
    """The areas of a ranking (children of `code`, or every area of `level` inside it) by the change in target poor
    from `year_from` to `year_to`: most improved first (the largest fall), or most worsened. Public and the same for
    everyone: cached per data stamp like the crisis ranking."""
    if order not in ORDERS:
        raise BadRequest(f"order must be one of {', '.join(ORDERS)}")
    if year_from >= year_to:
        raise BadRequest("`from` must be an edition before the year")
    engine = engine or get_engine()
    key = ("change_ranking", code, year_to, year_from, mask, level, definition)
    rows, lacking = cache.cached(engine, key, lambda: _change_rows(code, year_to, year_from, mask, level, definition, engine))
    items = sorted((dict(r) for r in rows), key=lambda r: (r["change"] if order == "improved" else -r["change"], r["code"]))
    for i, r in enumerate(items, 1):
        r["rank"] = i
    return ChangeRanking(year_from=year_from, year_to=year_to, order=order, items=items, lacking=lacking)  # type: ignore[typeddict-item]


def compared_count(code: str, year_to: int, year_from: int, level: str | None = None, engine: Engine | None = None) -> int:
    """How many areas of a change ranking have figures in both editions (every dimension, the editions' own
    definitions): a page without a year asked picks the pair of editions that compares the most."""
    engine = engine or get_engine()
    key = ("change_ranking", code, year_to, year_from, ALL_DIMENSIONS_MASK, level, None)
    rows, _ = cache.cached(engine, key, lambda: _change_rows(code, year_to, year_from, ALL_DIMENSIONS_MASK, level, None, engine))
    return len(rows)


def _change_rows(
    code: str, year_to: int, year_from: int, mask: int, level: str | None, definition: str | None, engine: Engine
) -> tuple[list[dict], int]:
    with reading(engine) as conn:
        areas = ranked_areas(conn, code, level)
        codes = [a["code"] for a in areas]
        before = standings(conn, codes, year_from, mask, definition)
        after = standings(conn, codes, year_to, mask, definition)
    rows = []
    for a in areas:
        b, n = before.get(a["code"]), after.get(a["code"])
        if b is None or n is None:
            continue
        rows.append(
            {
                "code": a["code"],
                "level": a["level"],
                "name_th": a["name_th"],
                "name_en": a["name_en"],
                "before": b["target_poor_persons"],
                "after": n["target_poor_persons"],
                "change": n["target_poor_persons"] - b["target_poor_persons"],
                "change_points": None if b["share"] is None or n["share"] is None else n["share"] - b["share"],
                "change_pct": 100 * (n["target_poor_persons"] - b["target_poor_persons"]) / b["target_poor_persons"]
                if b["target_poor_persons"]
                else None,
                "source_before": b["source"],
                "source_after": n["source"],
            }
        )
    with_any = {c for c in codes if c in before or c in after}
    return rows, len(with_any) - len(rows)


class AreaChange(TypedDict):
    year_from: int
    year_to: int
    before: int
    after: int
    change: int
    change_points: float | None
    change_pct: float | None


def area_change(
    code: str, year: int, mask: int = ALL_DIMENSIONS_MASK, definition: str | None = None, engine: Engine | None = None
) -> AreaChange | None:
    """The area's change since the edition before `year` that it has figures for; None if it has none earlier."""
    engine = engine or get_engine()
    with reading(engine) as conn:
        now = standings(conn, [code], year, mask, definition).get(code)
        if now is None:
            return None
        h = tables.published_headline.c
        held = set(known_years(engine)) | set(
            conn.scalars(select(h.year).where(h.area_code == code, h.target_poor_persons.is_not(None)))
        )
        for earlier in sorted((y for y in held if y < year), reverse=True):
            then = standings(conn, [code], earlier, mask, definition).get(code)
            if then is not None:
                break
        else:
            return None
    change = now["target_poor_persons"] - then["target_poor_persons"]
    return AreaChange(
        year_from=earlier,
        year_to=year,
        before=then["target_poor_persons"],
        after=now["target_poor_persons"],
        change=change,
        change_points=None if now["share"] is None or then["share"] is None else now["share"] - then["share"],
        change_pct=100 * change / then["target_poor_persons"] if then["target_poor_persons"] else None,
    )
