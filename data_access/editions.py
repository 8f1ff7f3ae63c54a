"""Editions over time: the headline figures TPMAP and the press published for each edition, which editions the
database holds, and an area's trend across them.

`import_headlines(year, folder)` reads `tpmap_national_totals.csv` (the country) and
`tpmap_province_press_figures.csv` (provinces the press named) for one edition. Every figure keeps its status and
source as the shared files give them; a figure the project did not receive stays null and is never shown as a
number. The full area files of 2561 are imported by data_access.published; this adds the headline rows of any
edition, 2561 included.
"""

from __future__ import annotations

import csv
import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypedDict

from sqlalchemy import Engine, delete, insert, select

from data_access import cache
from data_access import models as tables
from data_access.db import get_engine, read_engine, reading, tuples
from data_access.errors import BadRequest
from data_access.figures import area_over_years, area_row
from data_access.rollups import SURVEY
from mpi.editions import EDITIONS, edition
from mpi.rules import ALL_DIMENSIONS_MASK, ALL_POOR, REGISTERED

NATIONAL_FILE = "tpmap_national_totals.csv"
PRESS_FILE = "tpmap_province_press_figures.csv"
NUMBERS = ("surveyed_households", "surveyed_persons", "poor_households", "poor_persons", "target_poor_persons")


class HeadlineError(BadRequest):
    pass


@dataclass
class HeadlineReport:
    year: int
    country: bool  # a row for the whole country was stored
    provinces: int
    with_figures: int  # rows that carry a target-poor count
    unmatched: list[str] = field(default_factory=list)  # province names the area table does not know
    disputed: list[str] = field(default_factory=list)  # rows the source doubts: kept, counted nowhere

    def lines(self) -> list[str]:
        out = [
            f"Imported TPMAP's headline figures for {self.year}: "
            + ("the country" if self.country else "no country row")
            + f" and {self.provinces} province(s); {self.with_figures} carry a target-poor count."
        ]
        out += [f"  disputed by the source, kept but counted nowhere: {name}" for name in self.disputed]
        out += [f"  not matched to a province: {name}" for name in self.unmatched]
        return out


def _int(value: str | None) -> int | None:
    value = (value or "").strip().replace(",", "")
    return int(float(value)) if value else None


def _float(value: str | None) -> float | None:
    value = (value or "").strip()
    return float(value) if value else None


class CountryHeadline(TypedDict):
    """An edition's national figures as the shared file gives them."""

    surveyed_households: int | None
    surveyed_persons: int | None
    poor_households: int | None
    poor_persons: int | None
    target_poor_persons: int | None
    target_poor_rate_pct: float | None
    basis: str | None
    status: str
    source_url: str | None
    notes: str | None


class ProvinceHeadline(TypedDict):
    """A province's figure as the press reported it."""

    name_th: str
    name_en: str
    disputed: bool
    target_poor_persons: int | None
    target_poor_rate_pct: float | None
    rank_type: str | None
    rank: int | None
    status: str
    source_url: str | None


def read_headlines(folder: Path, year: int) -> tuple[CountryHeadline | None, list[ProvinceHeadline]]:
    """The country row and the province rows of one edition, as the shared files give them."""
    country = None
    with open(folder / NATIONAL_FILE, encoding="utf-8", newline="") as f:
        for r in csv.DictReader(f):
            if _int(r["tpmap_year_label_be"]) == year:
                country = CountryHeadline(
                    surveyed_households=_int(r["jpt_households_surveyed"]),
                    surveyed_persons=_int(r["jpt_persons_surveyed"]),
                    poor_households=_int(r["jpt_poor_households"]),
                    poor_persons=_int(r["jpt_poor_persons"]),
                    target_poor_persons=_int(r["target_poor_persons"]),
                    target_poor_rate_pct=_float(r["target_poor_rate_pct"]),
                    basis=r["data_basis"] or None,
                    status=r["status"],
                    source_url=r["source_url"] or None,
                    notes=r["notes"] or None,
                )
    provinces = []
    with open(folder / PRESS_FILE, encoding="utf-8", newline="") as f:
        for r in csv.DictReader(f):
            if _int(r["tpmap_year_label_be"]) == year:
                provinces.append(
                    ProvinceHeadline(
                        name_th=r["province_th"].strip(),
                        name_en=r["province_en"].strip(),
                        disputed=disputed(r["province_en"], r["status"]),
                        target_poor_persons=_int(r["target_poor_persons"]),
                        target_poor_rate_pct=_float(r["pct_of_surveyed"]),
                        rank_type=r["rank_type"] or None,
                        rank=_int(r["rank"]),
                        status=r["status"],
                        source_url=r["source_url"] or None,
                    )
                )
    return country, provinces


def disputed(name_en: str, status: str) -> bool:
    """The shared file doubts which province a press figure is of ("Samut Sakhon (as printed; likely Samut
    Songkhram)", "probable province mix-up", "same caveat"): such a row is kept and listed, but counted nowhere
    (no trend point, no change, no ranking), since it may be another area's number."""
    text = f"{name_en} {status}".lower()
    return "as printed" in text or "mix-up" in text or "same caveat" in text


def import_headlines(year: int, folder: Path | str, engine: Engine | None = None) -> HeadlineReport:
    """Replace the edition's headline rows with what the shared files say (all or nothing)."""
    folder = Path(folder)
    country, provinces = read_headlines(folder, year)
    if country is None and not provinces:
        raise HeadlineError(
            f"the shared files hold no figures for TPMAP {year} (they have {', '.join(map(str, headline_years(folder)))})"
        )
    engine = engine or get_engine()
    now = dt.datetime.now(dt.UTC)
    a = tables.area.c
    h = tables.published_headline
    with engine.begin() as conn:
        by_name = dict(tuples(conn.execute(select(a.name_th, a.code).where(a.level == "province"))))
        rows, unmatched = [], []
        if country is not None:
            rows.append({"area_code": "TH", "disputed": False, **country})
        for p in provinces:
            code = by_name.get(p["name_th"])  # the names find the row's area; they are not stored with it
            if code is None:
                unmatched.append(p["name_en"])
                continue
            rows.append({"area_code": code, "basis": country["basis"] if country else None, "notes": None, **p})
        conn.execute(delete(h).where(h.c.year == year))
        if rows:
            conn.execute(insert(h), [{k: r.get(k) for k in HEADLINE_COLUMNS} | {"year": year, "imported_at": now} for r in rows])
    cache.data_changed(engine)
    return HeadlineReport(
        year,
        country is not None,
        sum(r["area_code"] != "TH" for r in rows),
        sum(r.get("target_poor_persons") is not None for r in rows),
        unmatched,
        [f"{r['area_code']} ({r.get('status')})" for r in rows if r.get("disputed")],
    )


HEADLINE_COLUMNS = (
    "area_code",
    "disputed",
    *NUMBERS,
    "target_poor_rate_pct",
    "rank_type",
    "rank",
    "basis",
    "status",
    "source_url",
    "notes",
)


def headline_years(folder: Path) -> list[int]:
    with open(folder / NATIONAL_FILE, encoding="utf-8", newline="") as f:
        return sorted({int(r["tpmap_year_label_be"]) for r in csv.DictReader(f)})


class Headline(TypedDict):
    year: int
    area_code: str
    surveyed_households: int | None
    surveyed_persons: int | None
    poor_households: int | None
    poor_persons: int | None
    target_poor_persons: int | None
    target_poor_rate_pct: float | None
    rank_type: str | None
    rank: int | None
    basis: str | None
    status: str
    source_url: str | None
    notes: str | None
    disputed: bool


def headlines(area_code: str, engine: Engine | None = None) -> list[Headline]:
    """Every headline row of an area, oldest edition first."""
    h = tables.published_headline
    cols = [h.c.year, *(h.c[c] for c in HEADLINE_COLUMNS)]
    with reading(engine) as conn:
        return [
            Headline(**r)  # type: ignore[typeddict-item]
            for r in conn.execute(select(*cols).where(h.c.area_code == area_code).order_by(h.c.year)).mappings()
        ]


class EditionInfo(TypedDict):
    year: int
    survey_year: int | None
    welfare_basis: str | None
    definition: str
    indicator_set: str | None
    figures: str  # survey | published | headline | none: what the database holds for the edition
    source: str


def editions(engine: Engine | None = None) -> list[EditionInfo]:
    """Every edition TPMAP published or the database holds, with what the database has of it."""
    engine = engine or read_engine()
    s, h = tables.area_rollup_source.c, tables.published_headline.c
    with reading(engine) as conn:
        by_source = tuples(conn.execute(select(s.year, s.source).distinct()))
        headline: set[int] = set(conn.scalars(select(h.year).where(h.target_poor_persons.is_not(None)).distinct()))
    rolled: dict[int, set[str]] = {}
    for year, source in by_source:
        rolled.setdefault(year, set()).add(source)
    out = []
    for year in sorted(set(EDITIONS) | set(rolled) | headline):
        e = edition(year)
        have = rolled.get(year, set())
        figures = SURVEY if SURVEY in have else "published" if have else "headline" if year in headline else "none"
        out.append(
            EditionInfo(
                year=year,
                survey_year=e.survey_year,
                welfare_basis=e.welfare_basis,
                definition=e.definition,
                indicator_set=e.indicator_set,
                figures=figures,
                source=e.source,
            )
        )
    return out


class TrendItem(TypedDict):
    year: int
    target_poor_persons: int | None
    surveyed_persons: int | None
    crisis_persons: int | None
    source: str  # published | survey (pinned)
    status: str  # how sure the figure is: "survey", "published area file", or the headline row's status


def headline_count(hl: Headline | dict, definition: str | None) -> int | None:
    """A headline row's count under a definition: the published target poor under the edition's own; the poor, or
    the poor less the target poor, where the row carries both; else None (never derived from what is missing)."""
    if hl.get("disputed"):
        return None  # perhaps another area's figure: never a point on a trend or a change
    own = edition(hl["year"]).target_definition
    if definition is None or definition == own:
        return hl["target_poor_persons"]
    if own != REGISTERED:
        return None  # a count without the card (2567) does not give the card holders
    poor, target = hl["poor_persons"], hl["target_poor_persons"]
    if definition == ALL_POOR:
        return poor
    return poor - target if poor is not None and target is not None else None


def trend(
    area_code: str, mask: int = ALL_DIMENSIONS_MASK, engine: Engine | None = None, *, definition: str | None = None
) -> list[TrendItem]:
    """One item per edition the area has figures for, oldest first: the area files (survey microdata where it covers
    the area, else TPMAP's published area figures), then the headline figures of editions without area files. A
    dimension switch applies to the area files only: headline figures count every dimension, so they are left out
    of a trend over fewer. Without a definition each edition counts by its own."""
    engine = engine or read_engine()
    with reading(engine) as conn:
        area_row(conn, area_code)  # 404 for an unknown code (the render's memo answers a known one)
    items: dict[int, TrendItem] = {}
    for year, f in area_over_years(area_code, mask, engine, definition=definition).items():
        survey = f.get("source") == SURVEY
        items[year] = TrendItem(
            year=year,
            target_poor_persons=f["target_poor_persons"],
            surveyed_persons=f["surveyed_persons"],
            crisis_persons=f.get("crisis_persons"),
            source=SURVEY if survey else "published",
            status="survey" if survey else "published area file",
        )
    if mask == ALL_DIMENSIONS_MASK:
        for hl in headlines(area_code, engine):
            count = headline_count(hl, definition)
            if hl["year"] not in items and count is not None:
                items[hl["year"]] = TrendItem(
                    year=hl["year"],
                    target_poor_persons=count,
                    surveyed_persons=hl["surveyed_persons"],
                    crisis_persons=None,
                    source="published",
                    status=hl["status"],
                )
    return [items[y] for y in sorted(items)]
