"""The two lenses beyond the area page (issues 33 and 34): a life stage's figures for the ranking and the pivot, and
areas ranked by a coverage gap. Reads only: the life-stage rollup through data_access.ages (the same functions the
area page and the API count a stage with), the gap rollup through data_access.registers (scoped as on the map).

A stage counts persons: households, indicators, villages and the Logbook's households are not rolled up per stage,
and say so (NotByStage, 422) instead of showing all-ages figures under a stage's name.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any, TypedDict

from sqlalchemy import select
from sqlalchemy.engine import Engine

from data_access import ages, cache, figures, registers
from data_access import models as tables
from data_access.access import CurrentUser
from data_access.db import read_engine, reading, tuples
from data_access.figure_rows import Figures
from data_access.rollups import SURVEY
from mpi.editions import definition_for
from mpi.rules import CRISIS_RULES, CrisisRule, PatternCount, as_defined

# the digits of a tambon code that name an area of each level (a ranking's `level`, or the children of a code)
LEVEL_DIGITS = {"province": 2, "amphoe": 4, "tambon": 6}
CHILD_DIGITS = {2: 4, 4: 6}  # a code's length → its children's (the country's are provinces: 2)


NOT_BY_STAGE = {
    "indicators": "indicators are not counted by life stage",
    "status": "Logbook households are not counted by life stage (a household has members of several)",
    "villages": "village figures are not counted by life stage",
    "change": "the change between editions is not counted by life stage",
}


class NotByStage(ages.CannotSplit):
    """A figure that is not rolled up per life stage (indicators, villages, the Logbook's households, the change
    between editions): 422, said instead of all-ages figures under a stage's name."""

    def __init__(self, what: str) -> None:
        super().__init__(f"{NOT_BY_STAGE[what]}: choose all ages to see them", key=f"err.not_by_stage.{what}")


class NotSplit(ages.CannotSplit):
    """Every area a ranking or file would list has TPMAP's published figures only, which carry no ages (422)."""

    def __init__(self, code: str, year: int) -> None:
        super().__init__(
            f"the areas of {code} have TPMAP's published figures only in {year}, which carry no ages: they cannot be "
            "split by life stage",
            key="stage.no_split",
            year=year,
        )


class StageRanking(TypedDict):
    """The crisis ranking of one life stage's persons; `unsplit`: the codes ranked areas that have TPMAP's published
    figures only (no ages), left out and counted."""

    stage: str
    items: list[figures.RankedArea]
    unsplit: list[str]


class GapRanked(TypedDict):
    """An area ranked by a coverage gap: eligible target-poor persons, those on the register, those not (None: a
    count of 1 or 2 kept from a viewer outside the area, as on the map)."""

    rank: int
    code: str
    level: str
    name_th: str | None
    name_en: str | None
    eligible_persons: int | None
    served_persons: int | None
    unserved_persons: int | None
    unserved_share: float | None


class GapRanking(TypedDict):
    register: str
    as_of: str | None  # the register's date (ISO), stated wherever the figure appears; None: not loaded
    items: list[GapRanked]


def _all_rules(rule: CrisisRule) -> tuple[CrisisRule, ...]:
    return tuple({r.key: r for r in (*CRISIS_RULES.values(), rule)}.values())


def stage_ranking(
    code: str,
    year: int,
    rule: CrisisRule,
    mask: int,
    stage: str,
    level: str | None = None,
    engine: Engine | None = None,
    *,
    definition: str | None = None,
) -> StageRanking:
    """figures.ranking of one stage's persons: the same rows (both deck rules beside the one ranked by), from the
    life-stage rollup (data_access.ages.stage_figures), so a ranked area's stages add up to its all-ages row. Public
    and the same for everyone: kept per data stamp, like the all-ages ranking; each caller gets its own copy."""
    engine = engine or read_engine()
    who = definition_for(year, definition)
    key = ("stage-ranking", code, year, rule.key, rule.min_dimensions, tuple(sorted(rule.required)), mask, level, stage, who)
    kept = cache.cached(engine, key, lambda: _stage_ranking(code, year, rule, mask, stage, level, engine, who))
    return StageRanking(stage=stage, items=[figures.RankedArea(**r) for r in kept["items"]], unsplit=list(kept["unsplit"]))


def _stage_ranking(
    code: str, year: int, rule: CrisisRule, mask: int, stage: str, level: str | None, engine: Engine, who: str
) -> StageRanking:
    with reading(engine) as conn:
        areas = {a["code"]: a for a in figures.ranked_areas(conn, code, level)}
        chosen = figures.sources_of(conn, year, list(areas))
        found = ages.stage_figures(conn, year, chosen, mask, stage, _all_rules(rule), who)
    rows: list[figures.RankedArea] = []
    unsplit: list[str] = []
    for c, f in found.items():
        if not f.get("age_split"):
            unsplit.append(c)
            continue
        rows.append(_ranked(areas[c], f, rule))
    rows.sort(key=lambda r: (-r["crisis"], r["code"]))
    numbered = [figures.RankedArea(**(r | {"rank": i})) for i, r in enumerate(rows, 1)]
    return StageRanking(stage=stage, items=numbered, unsplit=sorted(unsplit))


def _ranked(area: figures.AreaInfo, f: Figures, rule: CrisisRule) -> figures.RankedArea:
    found: dict[str, Any] = dict(f)
    surveyed, n = found["surveyed_persons"] or 0, found[f"crisis_{rule.key}"] or 0
    return figures.RankedArea(
        code=area["code"],
        level=area["level"],
        name_th=area["name_th"],
        name_en=area["name_en"],
        source=found["source"],
        surveyed_persons=surveyed,
        target_poor_persons=found["target_poor_persons"] or 0,
        crisis_ge3=found["crisis_ge3"] or 0,
        crisis_basic_needs=found["crisis_basic_needs"] or 0,
        crisis=n,
        crisis_share=n / surveyed if surveyed else 0.0,
        rank=0,
    )


def stage_figures_of(
    codes: list[str], year: int, mask: int, stage: str, engine: Engine | None = None, *, definition: str | None = None
) -> dict[str, Figures]:
    """Each area's figures of one stage with the deck's crisis counts (crisis_ge3, crisis_basic_needs), in one
    statement; an area with published figures only has them null and `age_split` false."""
    who = definition_for(year, definition)
    with reading(engine) as conn:
        chosen = figures.sources_of(conn, year, codes)
        return ages.stage_figures(conn, year, chosen, mask, stage, tuple(CRISIS_RULES.values()), who)


def stage_pattern_counts(
    code: str, year: int, stage: str, engine: Engine | None = None, *, definition: str | None = None
) -> list[PatternCount]:
    """figures.pattern_counts of one stage's persons (both sexes, per household pattern), under the definition:
    ages.CannotSplit where the area has published figures only."""
    with reading(engine) as conn:
        source = figures.sources_of(conn, year, [code]).get(code)
        if source is None:
            raise figures.NotFound(f"no figures for area {code} in {year}")
        ages.check_splittable(code, year, source)
        r = tables.area_stage_rollup.c
        query = select(r.pattern, r.persons, r.welfare_persons).where(r.year == year, r.area_code == code, r.stage == stage)
        summed: dict[int, list[int]] = defaultdict(lambda: [0, 0])
        for pattern, persons, welfare in tuples(conn.execute(query)):
            summed[pattern][0] += persons
            summed[pattern][1] += welfare
    rows = [PatternCount(p, 0, n, w, None) for p, (n, w) in sorted(summed.items())]
    return as_defined(rows, definition_for(year, definition))


def splittable(code: str, year: int, engine: Engine | None = None) -> bool:
    """Whether the area's figures of the edition can be split by life stage (survey microdata, not published)."""
    with reading(engine) as conn:
        return figures.sources_of(conn, year, [code]).get(code) == SURVEY


def _level_digits(code: str, level: str | None) -> int:
    if level is not None:
        return LEVEL_DIGITS[level]
    return 2 if code == "TH" else CHILD_DIGITS.get(len(code), 6)


def gap_ranking(
    code: str,
    year: int,
    register: str,
    level: str | None = None,
    *,
    viewer: CurrentUser | None = None,
    engine: Engine | None = None,
) -> GapRanking:
    """The areas a ranking of `code` lists (its children, or its areas of `level`), ordered by the gap of `register`:
    eligible target-poor persons not on it, most first (registers.gaps_children: the map's figures, scoped as on the
    map; a count kept from the viewer, 1 or 2, ranks between 0 and 3). Areas without eligible persons are not
    ranked."""
    engine = engine or read_engine()
    with reading(engine) as conn:
        areas = {a["code"]: a for a in figures.ranked_areas(conn, code, level)}
    found = registers.gaps_children(code, _level_digits(code, level), year, viewer=viewer, engine=engine)
    as_of = next((g[register]["as_of"] for g in found.values() if register in g), None)
    rows: list[GapRanked] = []
    for c, by in found.items():
        g = by.get(register)
        if g is None or c not in areas or not (g["eligible_persons"] or g["eligible_persons"] is None):
            continue
        a = areas[c]
        e, u = g["eligible_persons"], g["unserved_persons"]
        rows.append(
            GapRanked(
                rank=0,
                code=c,
                level=a["level"],
                name_th=a["name_th"],
                name_en=a["name_en"],
                eligible_persons=e,
                served_persons=g["served_persons"],
                unserved_persons=u,
                unserved_share=u / e if e and u is not None else None,
            )
        )
    rows.sort(key=lambda r: (-(r["unserved_persons"] if r["unserved_persons"] is not None else 1.5), r["code"]))
    numbered = [GapRanked(**(r | {"rank": i})) for i, r in enumerate(rows, 1)]
    return GapRanking(register=register, as_of=as_of or registers.current_as_of(register, engine), items=numbered)
