"""Area figures for the read API and the dashboard, computed from the rollup tables only.

Every figure goes through mpi.rules.area_figures; the SQL here only picks rows and, for the
indicator counts, sums the patterns the selected dimensions keep.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, NotRequired, TypedDict, cast

from sqlalchemy import ColumnElement, Connection, Engine, String, select
from sqlalchemy import cast as sql_cast

from data_access import ages, cache
from data_access import measures as measures_da
from data_access import models as tables
from data_access.db import read_engine, reading, render_memo, tuples
from data_access.errors import BadRequest, NotFoundError
from data_access.figure_rows import Figures
from data_access.rollups import PUBLISHED, SURVEY
from mpi import catalogue
from mpi.editions import definition_for
from mpi.rules import (
    ALL_DIMENSIONS_MASK,
    CRISIS_RULES,
    DIMENSIONS,
    CrisisRule,
    IndicatorCount,
    PatternCount,
    area_figures,
    as_defined,
    crisis_count,
    indicators_as_defined,
    ranking_measures,
)

SOURCE_PREFERENCE = (SURVEY, PUBLISHED)  # survey microdata wins where both exist


class NotFound(NotFoundError):
    """No such area, or no figures for it in that year."""


class AreaInfo(TypedDict):
    code: str
    level: str
    name_th: str | None
    name_en: str | None
    parent_code: str | None


class AreaSummary(AreaInfo, Figures):
    """An area's row and its figures in one edition."""

    year: int


class VillageSummary(TypedDict):
    """A village's figures (survey microdata only; indicators are not rolled up per village)."""

    village_no: int
    surveyed_households: int
    surveyed_persons: int
    poor_persons: int
    target_poor_persons: int
    target_poor_households: int | None
    crisis_persons: int
    dimension_target_poor: dict[str, int]
    deprived_dimensions_target_poor: dict[str, int]
    headcount_ratio: float
    intensity: float
    mpi: float


class ChildSummary(AreaInfo):
    """A child area's figures (children_summaries), or, for a tambon counted under a municipal unit, its row with
    every figure None and `counted_under`; a municipal unit carries `point` [lon, lat], where the map draws it."""

    year: int
    point: NotRequired[list[float]]
    counted_under: NotRequired[str]
    surveyed_households: int | None
    surveyed_persons: int | None
    poor_persons: int | None
    target_poor_persons: int | None
    target_poor_households: int | None
    crisis_persons: int | None
    dimension_target_poor: dict[str, int] | None
    indicator_target_poor: dict[str, int | None] | None
    deprived_dimensions_target_poor: dict[str, int] | None
    headcount_ratio: float | None
    intensity: float | None
    mpi: float | None
    source: str | None
    definition: str | None


class LevelSummary(AreaInfo):
    """An area of a level map (level_summaries): shaped like a ChildSummary, with the figures a map colours by."""

    year: int
    point: NotRequired[list[float]]
    counted_under: NotRequired[str]
    source: str | None
    definition: str | None
    surveyed_persons: int | None
    target_poor_persons: int | None
    crisis_persons: int | None
    dimension_target_poor: dict[str, int] | None
    indicator_target_poor: dict[str, int | None] | None
    headcount_ratio: float | None
    intensity: float | None
    mpi: float | None


class RankedArea(TypedDict):
    code: str
    level: str
    name_th: str | None
    name_en: str | None
    source: str
    surveyed_persons: int
    target_poor_persons: int
    crisis_ge3: int
    crisis_basic_needs: int
    crisis: int  # under the rule asked for
    crisis_share: float
    rank: int


class CrisisCounts(TypedDict):
    crisis_ge3: int
    crisis_basic_needs: int


class SourceIndex:
    """Which areas have figures of which edition, and from which source (area_rollup_source, a few rows per area):
    read once per data stamp and kept, so a page asks no query to learn the years or the sources it draws from."""

    def __init__(self, rows: list[tuple[int, str, str]], with_survey: set[tuple[int, str]]):
        self.by_year: dict[int, dict[str, str]] = defaultdict(dict)
        have: dict[tuple[int, str], set[str]] = defaultdict(set)
        for year, code, source in rows:
            have[(year, code)].add(source)
        for (year, code), srcs in have.items():
            self.by_year[year][code] = next(s for s in SOURCE_PREFERENCE if s in srcs)
        self.years = sorted(self.by_year)
        self.with_survey = with_survey  # (year, area) with any household microdata, even where it covers only part

    def years_of(self, code: str) -> list[int]:
        return [y for y in self.years if code in self.by_year[y]]


def source_index(engine: Engine | None = None) -> SourceIndex:
    engine = engine or read_engine()

    def read() -> SourceIndex:
        s, p = tables.area_rollup_source.c, tables.area_pattern_rollup.c
        with reading(engine) as conn:
            rows = tuples(conn.execute(select(s.year, s.area_code, s.source)))
            survey = set(tuples(conn.execute(select(p.year, p.area_code).where(p.source == SURVEY).distinct())))
        return SourceIndex(rows, survey)

    return cache.cached(engine, ("source_index",), read)


def known_years(engine: Engine | None = None) -> list[int]:
    return list(source_index(engine).years)


def latest_year(engine: Engine | None = None) -> int | None:
    """The latest edition the database has figures of: the year every page, route and form means when none is
    given (from the source index, so a link without a year costs no query)."""
    years = source_index(engine).years
    return years[-1] if years else None


AREA_COLUMNS = tuple(tables.area.c[n] for n in ("code", "level", "name_th", "name_en", "parent_code"))


def years_of(code: str, engine: Engine | None = None) -> list[int]:
    """The editions the area has figures for (survey or published area files), oldest first."""
    return source_index(engine).years_of(code)


def edition_for(code: str | None, asked: int | None = None, engine: Engine | None = None) -> int | None:
    """The one rule for the edition an area is shown in, on every page, export and API answer: the edition asked
    for; else the latest that has figures for that area; else (an area with none, or no area) the latest held.
    A database part-way through loading a year holds it for some provinces only: the others keep their latest."""
    if asked is not None:
        return asked
    index = source_index(engine)
    own = index.years_of(code) if code else []
    held = own or index.years
    return held[-1] if held else None


@dataclass(frozen=True)
class Coverage:
    """The edition a comparison of several areas uses (a ranking, a pivot, a change ranking), and who it leaves out."""

    year: int | None
    asked: bool  # the reader chose the year; otherwise it is the latest that covers every compared area
    compared: int  # areas with figures in `year`
    lacking: tuple[str, ...]  # areas with figures in another edition, but not in `year`
    never: tuple[str, ...]  # areas with figures in no edition (outside the survey, e.g. Bangkok)
    years: tuple[int, ...]  # the editions with figures for any of the areas (a year control offers these)
    complete: tuple[int, ...]  # the editions with figures for every area that has any

    @property
    def left_out(self) -> int:
        return len(self.lacking) + len(self.never)


def coverage(codes: list[str], asked: int | None = None, engine: Engine | None = None) -> Coverage:
    """Which edition compares `codes` fairly: the one asked for, else the latest that has figures for every area
    that has any (areas never surveyed do not hold a comparison back), else the one covering the most areas."""
    index = source_index(engine)
    held = {y: index.by_year[y] for y in index.years}
    ever = [c for c in codes if any(c in have for have in held.values())]
    years = tuple(y for y in index.years if any(c in held[y] for c in ever))
    complete = tuple(y for y in years if all(c in held[y] for c in ever))
    if asked is not None:
        year: int | None = asked
    elif complete:
        year = complete[-1]
    else:
        year = max(years, key=lambda y: (sum(c in held[y] for c in ever), y), default=None)
    have = held.get(year, {}) if year is not None else {}
    return Coverage(
        year=year,
        asked=asked is not None,
        compared=sum(c in have for c in ever),
        lacking=tuple(c for c in ever if c not in have),
        never=tuple(c for c in codes if c not in set(ever)),
        years=years,
        complete=complete,
    )


def has_survey(code: str, year: int, engine: Engine | None = None) -> bool:
    """Whether any household microdata of the year lies in the area (the rollups say; no household is read)."""
    return (year, code) in source_index(engine).with_survey


def _info(row: Any) -> AreaInfo:
    return AreaInfo(
        code=row["code"], level=row["level"], name_th=row["name_th"], name_en=row["name_en"], parent_code=row["parent_code"]
    )


def _area_row(conn: Connection, code: str) -> AreaInfo:
    memo = render_memo()
    if memo is not None and ("area", code) in memo:
        return _info(memo[("area", code)])
    row = conn.execute(select(*AREA_COLUMNS).where(tables.area.c.code == code)).mappings().first()
    if row is None:
        raise NotFound(f"unknown area code {code!r}")
    if memo is not None:
        memo[("area", code)] = _info(row)
    return _info(row)


def area_row(conn: Connection, code: str) -> AreaInfo:
    """The area's code, level, names and parent (NotFound for an unknown code), memoised within a render."""
    return _area_row(conn, code)


def _sources(conn: Connection, year: int, codes: list[str]) -> dict[str, str]:
    """For each area code with data, the source to use."""
    have = source_index(conn.engine).by_year.get(year, {})
    return {code: have[code] for code in codes if code in have}


def figures_for_sources(
    conn: Connection,
    year: int,
    chosen: dict[str, str],
    mask: int,
    rules: tuple[CrisisRule, ...] = (),
    definition: str | None = None,
    stage: str | None = None,
) -> dict[str, Figures]:
    """Figures of the chosen (area, source) pairs; `definition` says who counts as target poor (the edition's own
    when None): every figure below, crisis and per-indicator included, follows it. With a life `stage`, the persons
    of that stage only (data_access.ages: the same fields, survey areas only)."""
    definition = definition_for(year, definition)
    if not chosen:
        return {}
    if stage is not None:
        return ages.stage_figures(conn, year, chosen, mask, stage, rules, definition)
    keys = [f"{c}|{s}" for c, s in chosen.items()]
    p, i = tables.area_pattern_rollup, tables.area_indicator_rollup
    # area_code || '|' || source selects exactly the chosen (area, source) pairs in one query.
    patterns = tuples(
        conn.execute(
            select(p.c.area_code, p.c.pattern, p.c.households, p.c.persons, p.c.welfare_persons, p.c.welfare_households).where(
                p.c.year == year, p.c.area_code.in_(list(chosen)), (p.c.area_code + "|" + p.c.source).in_(keys)
            )
        )
    )
    indicators = tuples(
        conn.execute(
            select(i.c.area_code, i.c.indicator_code, i.c.welfare_persons, i.c.persons).where(
                i.c.year == year, i.c.area_code.in_(list(chosen)), (i.c.area_code + "|" + i.c.source).in_(keys)
            )
        )
    )
    by_area_p: dict[str, list[PatternCount]] = defaultdict(list)
    for code, pattern, hh, persons, welfare, welfare_hh in patterns:
        by_area_p[code].append(PatternCount(pattern, hh, persons, welfare, welfare_hh))
    by_area_i: dict[str, list[IndicatorCount]] = defaultdict(list)
    for code, ind, value, persons in indicators:
        by_area_i[code].append(IndicatorCount(ind, value, persons))
    dims = {i.code: i.dimension for i in catalogue.indicators_for_year(year)}
    out: dict[str, Figures] = {}
    for code in chosen:
        rows = as_defined(by_area_p[code], definition)
        figures = area_figures(rows, indicators_as_defined(by_area_i[code], definition), dims, mask) | {
            "source": chosen[code],
            "definition": definition,
        }
        for rule in rules:
            figures[f"crisis_{rule.key}"] = crisis_count(rows, rule, mask)
        out[code] = cast(Figures, figures)
    return out


def _check_year(year: int) -> None:
    if year not in catalogue.known_years():
        raise NotFound(f"no survey year {year}")


def area_ages(
    code: str, year: int, mask: int = ALL_DIMENSIONS_MASK, engine: Engine | None = None, *, definition: str | None = None
) -> list[ages.StageSex]:
    """Persons by life stage and sex of an area (data_access.ages): NotFound for an unknown area or one without
    figures that year, ages.CannotSplit for one with TPMAP's published figures only."""
    _check_year(year)
    with reading(engine) as conn:
        _area_row(conn, code)
        source = _sources(conn, year, [code]).get(code)
        if source is None:
            raise NotFound(f"no figures for area {code} in {year}")
        return ages.by_stage_and_sex(conn, code, year, source, mask, definition=definition)


def pyramid_items(code: str, year: int, mask: int = ALL_DIMENSIONS_MASK, *, definition: str | None = None) -> list[ages.StageSex]:
    """area_ages, kept per data stamp (public and the same for everyone): an area page draws its pyramid without a
    statement of its own once it has been drawn."""
    engine = read_engine()
    items = cache.cached(
        engine, ("ages", code, year, mask, definition), lambda: area_ages(code, year, mask, engine, definition=definition)
    )
    return [ages.StageSex(**i) for i in items]  # copies: the kept ones stay as they were


def area_summary(
    code: str,
    year: int,
    mask: int = ALL_DIMENSIONS_MASK,
    engine: Engine | None = None,
    source: str | None = None,
    *,
    definition: str | None = None,
    stage: str | None = None,
) -> AreaSummary:
    """Figures of one area; from survey microdata where there is some, else published, unless `source` says.
    With a life `stage`: that stage's persons (ages.CannotSplit where the area has published figures only)."""
    _check_year(year)
    with reading(engine) as conn:
        info = _area_row(conn, code)
        chosen = _sources(conn, year, [code])
        if source is not None and code in chosen:
            src = tables.area_rollup_source.c
            have = conn.execute(select(src.year).where(src.year == year, src.area_code == code, src.source == source)).first()
            chosen = {code: source} if have else {}
        if code not in chosen:
            raise NotFound(f"no figures for area {code} in {year}")
        if stage is not None:
            ages.check_splittable(code, year, chosen[code])
        figures = figures_for_sources(conn, year, chosen, mask, definition=definition, stage=stage)[code]
    return cast(AreaSummary, info | {"year": year} | figures)


def area_over_years(
    code: str, mask: int = ALL_DIMENSIONS_MASK, engine: Engine | None = None, *, definition: str | None = None
) -> dict[int, AreaSummary]:
    """The area's figures in every edition it has them, {year: figures}: two queries however many editions (the
    trend's cost does not grow with them), each edition counted by the definition asked for or its own. Kept per
    data stamp, like every public figure."""
    engine = engine or read_engine()
    years = cache.cached(engine, ("over-years", code, mask, definition), lambda: _area_over_years(code, mask, engine, definition))
    return {y: cast(AreaSummary, _copied(f)) for y, f in years.items()}


def _area_over_years(code: str, mask: int, engine: Engine, definition: str | None) -> dict[int, AreaSummary]:
    index = source_index(engine)
    chosen = {y: index.by_year[y][code] for y in index.years_of(code)}
    if not chosen:
        return {}
    p, i = tables.area_pattern_rollup, tables.area_indicator_rollup
    keys = [f"{y}|{s}" for y, s in chosen.items()]
    with reading(engine) as conn:
        info = _area_row(conn, code)
        patterns = tuples(
            conn.execute(
                select(p.c.year, p.c.pattern, p.c.households, p.c.persons, p.c.welfare_persons, p.c.welfare_households).where(
                    p.c.area_code == code, (sql_cast(p.c.year, String) + "|" + p.c.source).in_(keys)
                )
            )
        )
        indicators = tuples(
            conn.execute(
                select(i.c.year, i.c.indicator_code, i.c.welfare_persons, i.c.persons).where(
                    i.c.area_code == code, (sql_cast(i.c.year, String) + "|" + i.c.source).in_(keys)
                )
            )
        )
    by_year_p: dict[int, list[PatternCount]] = defaultdict(list)
    for year, *row in patterns:
        by_year_p[year].append(PatternCount(*row))
    by_year_i: dict[int, list[IndicatorCount]] = defaultdict(list)
    for year, ind, value, persons in indicators:
        by_year_i[year].append(IndicatorCount(ind, value, persons))
    out: dict[int, AreaSummary] = {}
    for year in sorted(chosen):
        who = definition_for(year, definition)
        dims = {ind.code: ind.dimension for ind in catalogue.indicators_for_year(year)}
        rows = as_defined(by_year_p[year], who)
        figures = area_figures(rows, indicators_as_defined(by_year_i[year], who), dims, mask)
        out[year] = cast(AreaSummary, info | {"year": year} | figures | {"source": chosen[year], "definition": who})
    return out


def village_summaries(
    tambon_code: str, year: int, mask: int = ALL_DIMENSIONS_MASK, engine: Engine | None = None, *, definition: str | None = None
) -> list[VillageSummary]:
    """Figures per village of a tambon (survey microdata only; the published files stop at tambons here)."""
    _check_year(year)
    with reading(engine) as conn:
        r = tables.village_pattern_rollup
        rows = tuples(
            conn.execute(
                select(r.c.village_no, r.c.pattern, r.c.households, r.c.persons, r.c.welfare_persons, r.c.welfare_households)
                .where(r.c.year == year, r.c.tambon_code == tambon_code)
                .order_by(r.c.village_no)
            )
        )
    by_village: dict[int, list[PatternCount]] = defaultdict(list)
    for v, pattern, hh, persons, welfare, welfare_hh in rows:
        by_village[v].append(PatternCount(pattern, hh, persons, welfare, welfare_hh))
    dims = {i.code: i.dimension for i in catalogue.indicators_for_year(year)}
    out = []
    definition = definition_for(year, definition)
    for v, p in sorted(by_village.items()):
        fig = area_figures(as_defined(p, definition), [], dims, mask)
        del fig["indicator_target_poor"]  # not rolled up per village
        out.append(cast(VillageSummary, {"village_no": v} | fig))
    return out


def children_summaries(
    code: str,
    year: int,
    mask: int = ALL_DIMENSIONS_MASK,
    engine: Engine | None = None,
    *,
    include_counted_under: bool = False,
    definition: str | None = None,
    stage: str | None = None,
) -> list[ChildSummary]:
    """Figures of the children that have some (with a life `stage`, of its persons: a child with published figures
    only has its figures null and `age_split` false, data_access.ages). A municipal unit carries `point` [lon, lat] (where the map
    draws it); with include_counted_under, a tambon whose people are counted under a unit is listed too,
    with `counted_under` and no figures of its own (null), so no person is counted twice. The same for every
    viewer: kept per data stamp (the country's 77 provinces were 25-35 ms of every country page)."""
    engine = engine or read_engine()
    key = ("children", code, year, mask, include_counted_under, definition, stage)
    rows = cache.cached(
        engine,
        key,
        lambda: _children_summaries(
            code, year, mask, engine, include_counted_under=include_counted_under, definition=definition, stage=stage
        ),
    )
    return [cast(ChildSummary, _copied(r)) for r in rows]


def _copied(row: Mapping[str, Any]) -> dict[str, Any]:
    """A cached row the caller may change: its nested dicts and lists copied too."""
    return {k: dict(v) if isinstance(v, dict) else list(v) if isinstance(v, list) else v for k, v in row.items()}


def _children_summaries(
    code: str,
    year: int,
    mask: int,
    engine: Engine,
    *,
    include_counted_under: bool,
    definition: str | None,
    stage: str | None = None,
) -> list[ChildSummary]:
    _check_year(year)
    with reading(engine) as conn:
        _area_row(conn, code)
        a = tables.area.c
        children = (
            conn.execute(
                select(*AREA_COLUMNS, a.point_lon, a.point_lat, a.counted_under).where(a.parent_code == code).order_by(a.code)
            )
            .mappings()
            .all()
        )
        chosen = _sources(conn, year, [c["code"] for c in children]) if children else {}
        figures = figures_for_sources(conn, year, chosen, mask, definition=definition, stage=stage)
    empty = dict.fromkeys(next(iter(figures.values()), {}), None)
    out: list[ChildSummary] = []
    for c in children:
        item: dict[str, Any] = {k: c[k] for k in ("code", "level", "name_th", "name_en", "parent_code")} | {"year": year}
        if c["level"] == "municipality" and c["point_lon"] is not None:
            item["point"] = [c["point_lon"], c["point_lat"]]
        if c["code"] in figures:
            out.append(cast(ChildSummary, item | figures[c["code"]]))
        elif include_counted_under and c["counted_under"] in figures:
            out.append(cast(ChildSummary, item | empty | {"counted_under": c["counted_under"]}))
    return out


RANK_LEVELS = ("province", "amphoe", "tambon")


def ranking(
    code: str,
    year: int,
    rule: CrisisRule,
    mask: int = ALL_DIMENSIONS_MASK,
    level: str | None = None,
    engine: Engine | None = None,
    *,
    definition: str | None = None,
) -> list[RankedArea]:
    """Areas ranked by target poor in crisis under `rule` (both source-deck rules shown beside it): the children
    of `code`, or every area of `level` inside it (e.g. all tambons of a province).

    Public and the same for everyone: computed once per data stamp (the national tambon ranking takes
    seconds), then served from the cache; each caller gets its own copy of the rows."""
    engine = engine or read_engine()
    definition = definition_for(year, definition)
    key = ("ranking", code, year, rule.key, rule.min_dimensions, tuple(sorted(rule.required)), mask, level, definition)
    rows = cache.cached(engine, key, lambda: _ranking(code, year, rule, mask, level, engine, definition))
    return [RankedArea(**r) for r in rows]


def _ranked_condition(conn: Connection, code: str, level: str | None) -> ColumnElement[bool]:
    """Which rows of `area` a ranking of `code` lists: its children, or every area of `level` inside it."""
    info = _area_row(conn, code)
    if level is not None and level not in RANK_LEVELS:
        raise BadRequest(f"level must be one of {', '.join(RANK_LEVELS)}")
    here = RANK_LEVELS.index(info["level"]) if info["level"] in RANK_LEVELS else -1  # the country is -1
    a = tables.area.c
    if level is None or RANK_LEVELS.index(level) <= here + 1:
        return a.parent_code == code
    # the tambon level includes municipal units (labelled by their level): every target poor is ranked
    levels = ("tambon", "municipality") if level == "tambon" else (level,)
    return a.level.in_(levels) & a.code.like(("" if code == "TH" else code) + "%")


def ranked_areas(conn: Connection, code: str, level: str | None) -> list[AreaInfo]:
    """The areas a ranking of `code` lists: its children, or every area of `level` inside it."""
    query = select(*AREA_COLUMNS).where(_ranked_condition(conn, code, level)).order_by(tables.area.c.code)
    return [_info(r) for r in conn.execute(query).mappings()]


def ranked_codes(code: str, level: str | None = None, engine: Engine | None = None) -> list[str]:
    """The codes a ranking or comparison of `code` lists (ranked_areas), kept per data stamp."""
    engine = engine or read_engine()

    def read() -> list[str]:
        with reading(engine) as conn:
            return [a["code"] for a in ranked_areas(conn, code, level)]

    return list(cache.cached(engine, ("ranked_codes", code, level), read))


def comparison(code: str, level: str | None = None, asked: int | None = None, engine: Engine | None = None) -> Coverage:
    """The edition a comparison of `code`'s children (or its areas of `level`) uses, and who it leaves out."""
    return coverage(ranked_codes(code, level, engine), asked, engine)


def sources_of(conn: Connection, year: int, codes: list[str]) -> dict[str, str]:
    """For each area code with figures that year, the source its figures come from (survey over published)."""
    return _sources(conn, year, codes)


def _sums(
    conn: Connection, year: int, where: ColumnElement[bool], measures: dict, mask: int, definition: str
) -> dict[tuple[str, str], dict]:
    """Each measure (mpi.rules.ranking_measures) summed per area and source over the areas `where` selects, in one
    statement (data_access.measures: stored for the default choices, else summed from the pattern rows)."""
    return measures_da.sums(conn, year, measures, select(tables.area.c.code).where(where), mask, definition)


def _ranking(
    code: str, year: int, rule: CrisisRule, mask: int, level: str | None, engine: Engine, definition: str
) -> list[RankedArea]:
    """One aggregate over the ranked areas' pattern rows (sums of the counts of the patterns each measure takes,
    mpi.rules.ranking_measures), instead of every area's full figures: the national tambon ranking's 7,425 areas
    are one statement."""
    _check_year(year)
    rules = tuple({r.key: r for r in (*CRISIS_RULES.values(), rule)}.values())
    measures = ranking_measures(rules, mask, definition)
    with reading(engine) as conn:
        where = _ranked_condition(conn, code, level)
        a = tables.area.c
        areas: dict[str, Any] = {r[0]: r for r in conn.execute(select(a.code, a.level, a.name_th, a.name_en).where(where))}
        sums_of = _sums(conn, year, where, measures, mask, definition)
        chosen = _sources(conn, year, list(areas))
    rows = []
    for c, src in chosen.items():
        f = sums_of.get((c, src))
        if f is None:
            continue
        _, level_of, name_th, name_en = areas[c]
        n, surveyed = f[f"crisis_{rule.key}"], f["surveyed"]
        rows.append(
            RankedArea(
                code=c,
                level=level_of,
                name_th=name_th,
                name_en=name_en,
                source=src,
                surveyed_persons=surveyed,
                target_poor_persons=f["target_poor"],
                crisis_ge3=f["crisis_ge3"],
                crisis_basic_needs=f["crisis_basic_needs"],
                crisis=n,
                crisis_share=n / surveyed if surveyed else 0.0,
                rank=0,  # numbered once sorted
            )
        )
    rows.sort(key=lambda r: (-r["crisis"], r["code"]))
    for i, r in enumerate(rows, 1):
        r["rank"] = i
    return rows


MAP_LEVEL_METRICS = ("target_poor", "crisis", "mpi", *(f"dim:{d}" for d in DIMENSIONS))
LEVEL_FIGURES = (
    "source",
    "definition",
    "surveyed_persons",
    "target_poor_persons",
    "crisis_persons",
    "dimension_target_poor",
    "indicator_target_poor",
    "headcount_ratio",
    "intensity",
    "mpi",
)


def level_summaries(
    code: str,
    level: str,
    year: int,
    mask: int = ALL_DIMENSIONS_MASK,
    engine: Engine | None = None,
    *,
    definition: str | None = None,
) -> list[LevelSummary]:
    """The figures a map of every area of a level inside `code` colours by (the national tambon map: 7,425 tambons
    and 593 municipal units), summed in one statement like a ranking: surveyed and target poor, the crisis group,
    each dimension, the MPI. Each item is shaped like a children_summaries item, with `counted_under` and a unit's
    `point`, so the map draws it the same way; indicators are not among them (MAP_LEVEL_METRICS)."""
    _check_year(year)
    engine = engine or read_engine()
    definition = definition_for(year, definition)
    measures = ranking_measures((CRISIS_RULES["ge3"],), mask, definition)
    a = tables.area.c
    key = ("level_summaries", code, level, year, mask, definition)

    def compute() -> list[LevelSummary]:
        with reading(engine) as conn:
            where = _ranked_condition(conn, code, level)
            areas = [
                dict(r)
                for r in conn.execute(
                    select(*AREA_COLUMNS, a.point_lon, a.point_lat, a.counted_under).where(where).order_by(a.code)
                ).mappings()
            ]
            sums_of = _sums(conn, year, where, measures, mask, definition)
            chosen = _sources(conn, year, [r["code"] for r in areas])
        out: list[LevelSummary] = []
        for r in areas:
            item: dict[str, Any] = {k: r[k] for k in ("code", "level", "name_th", "name_en", "parent_code")} | {"year": year}
            if r["level"] == "municipality" and r["point_lon"] is not None:
                item["point"] = [r["point_lon"], r["point_lat"]]
            src = chosen.get(r["code"])
            f = sums_of.get((r["code"], src)) if src else None
            if f is None:
                if r["counted_under"]:  # counted under a municipal unit: no figures of its own (null, not zero)
                    out.append(cast(LevelSummary, item | dict.fromkeys(LEVEL_FIGURES) | {"counted_under": r["counted_under"]}))
                continue
            surveyed, target = f["surveyed"], f["target_poor"]
            headcount = target / surveyed if surveyed else 0.0
            intensity = f["deprivations"] / len(DIMENSIONS) / target if target else 0.0
            out.append(
                cast(
                    LevelSummary,
                    item
                    | {
                        "source": src,
                        "definition": definition,
                        "surveyed_persons": surveyed,
                        "target_poor_persons": target,
                        "crisis_persons": f["crisis_ge3"],
                        "dimension_target_poor": {d: f[f"dim_{d}"] for d in DIMENSIONS},
                        "indicator_target_poor": {},
                        "headcount_ratio": headcount,
                        "intensity": intensity,
                        "mpi": headcount * intensity,
                    },
                )
            )
        return out

    return [cast(LevelSummary, dict(r)) for r in cache.cached(engine, key, compute)]


def crisis_counts(
    codes: list[str],
    year: int,
    mask: int = ALL_DIMENSIONS_MASK,
    engine: Engine | None = None,
    *,
    definition: str | None = None,
) -> dict[str, CrisisCounts]:
    """{code: {crisis_ge3, crisis_basic_needs}} for the given areas, by the source deck's rules."""
    if not codes:
        return {}
    with reading(engine) as conn:
        chosen = _sources(conn, year, codes)
        figs = figures_for_sources(conn, year, chosen, mask, tuple(CRISIS_RULES.values()), definition)
    return {c: CrisisCounts(crisis_ge3=f["crisis_ge3"], crisis_basic_needs=f["crisis_basic_needs"]) for c, f in figs.items()}


def pattern_counts(code: str, year: int, engine: Engine | None = None, *, definition: str | None = None) -> list[PatternCount]:
    """The area's deprivation-pattern rows (at most 32) from its preferred source, counted by the definition."""
    _check_year(year)
    with reading(engine) as conn:
        chosen = _sources(conn, year, [code])
        if code not in chosen:
            raise NotFound(f"no figures for area {code} in {year}")
        p = tables.area_pattern_rollup
        rows = tuples(
            conn.execute(
                select(p.c.pattern, p.c.households, p.c.persons, p.c.welfare_persons, p.c.welfare_households).where(
                    p.c.year == year, p.c.area_code == code, p.c.source == chosen[code]
                )
            )
        )
    return as_defined([PatternCount(*r) for r in rows], definition_for(year, definition))
