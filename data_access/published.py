"""TPMAP's published area figures (tpmap_<year>_*.csv) as rollups with source = 'published'.

For every area the published files give, per deprivation pattern, the households and persons
deprived in exactly that pattern and the target poor among them (`exact_*`), plus the area's
surveyed totals and target poor failing each indicator. Pattern 0 (not deprived) is the
surveyed total less the poor. The files do not give target-poor *households*, so that figure
stays null for published areas rather than being invented.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import TypedDict, cast

import pandas as pd
from sqlalchemy import Connection, Engine, distinct, func, insert, select, update

from data_access import cache, measures
from data_access import models as tables
from data_access.areas import ensure_area_codes, set_area_names
from data_access.db import get_engine
from data_access.errors import BadRequest
from data_access.flows import refresh_flows
from data_access.indicator_sync import sync_indicators
from data_access.rollups import PUBLISHED, delete_rollups, reconcile_survey_sources, record_sources
from data_access.survey_import import upsert_survey_year
from mpi import catalogue
from mpi.rules import DIMENSIONS

LEVEL_FILES = {  # level → (area file, key column, patterns file)
    "province": ("tpmap_{y}_province.csv", "province_code", "tpmap_{y}_province_patterns.csv"),
    "amphoe": ("tpmap_{y}_amphoe.csv", "amphoe_code", "tpmap_{y}_amphoe_patterns.csv"),
    "tambon": ("tpmap_{y}_tambon.csv", "tambon_code", "tpmap_{y}_tambon_patterns.csv"),
}
COUNTRY_PATTERNS = "tpmap_{y}_country_patterns.csv"


class PublishedImportError(BadRequest):
    """The published figures cannot be imported as they are (400)."""

    key = "err.published_import"


@dataclass
class PublishedReport:
    year: int
    areas: dict[str, int]
    created_without_geometry: list[str]

    def lines(self) -> list[str]:
        out = [f"Imported TPMAP's published {self.year} figures: " + ", ".join(f"{n:,} {lvl}" for lvl, n in self.areas.items())]
        if self.created_without_geometry:
            codes = self.created_without_geometry
            out.append(
                f"{len(codes):,} area codes in the figures have no boundary (municipal units and changed codes); "
                f"they appear in tables and lists, not on the map: {', '.join(codes[:20])}" + (" …" if len(codes) > 20 else "")
            )
        return out


def _indicator_column(code: str) -> str:
    return "tp_ind_" + code.replace(".", "_")


def _read(folder: Path, name: str, key: str | None = None) -> pd.DataFrame:
    path = folder / name
    if not path.exists():
        raise PublishedImportError(f"{path} is missing")
    dtypes = {"area_code": str, "pattern_HLEIA": str, "province_code": str, "amphoe_code": str, "tambon_code": str}
    return pd.read_csv(path, dtype=dtypes, encoding="utf-8-sig")


def load_published(folder: Path, year: int) -> dict[str, tuple[pd.DataFrame, pd.DataFrame]]:
    """Per level: (area rows indexed by code, pattern rows). The country row is the province file's TH."""
    out = {}
    for level, (area_file, key, pattern_file) in LEVEL_FILES.items():
        areas = _read(folder, area_file.format(y=year)).rename(columns={key: "code"})
        out[level] = (areas.set_index("code"), _read(folder, pattern_file.format(y=year)))
    provinces, _ = out["province"]
    if "TH" not in provinces.index:
        raise PublishedImportError("the province file has no national row 'TH'")
    out["country"] = (provinces.loc[["TH"]], _read(folder, COUNTRY_PATTERNS.format(y=year)))
    out["province"] = (provinces.drop(index="TH"), out["province"][1])
    return out


def _names(level: str, areas: pd.DataFrame) -> dict[str, tuple[str | None, str | None]]:
    th, en = {
        "province": ("province_th", "province_en"),
        "amphoe": ("amphoe_th", "amphoe_en"),
        "tambon": ("tambon_th", "tambon_en"),
        "country": ("province_th", "province_en"),
    }[level]

    def clean(v: object) -> str | None:
        return None if pd.isna(v) or v == "" else str(v)

    return {code: (clean(r[th]), name_en.title() if (name_en := clean(r[en])) else None) for code, r in areas.iterrows()}


def import_published(year: int, folder: Path | str, engine: Engine | None = None) -> PublishedReport:
    folder = Path(folder)
    engine = engine or get_engine()
    indicators = catalogue.indicators_for_year(year)
    data = load_published(folder, year)
    pattern_rows, indicator_rows = [], []
    names: dict[str, tuple[str | None, str | None]] = {}
    counts = {}
    for level in ("country", "province", "amphoe", "tambon"):
        areas, patterns = data[level]
        counts[level] = len(areas)
        if level != "country":
            names |= _names(level, areas)
        missing_cols = [_indicator_column(i.code) for i in indicators if _indicator_column(i.code) not in areas.columns]
        if missing_cols:
            raise PublishedImportError(f"{level} figures lack columns {missing_cols}")
        for code, r in areas.iterrows():
            pattern_rows.append(
                {
                    "area_code": code,
                    "pattern": 0,
                    "households": int(r["jpt_households_surveyed"] - r["jpt_poor_households"]),
                    "persons": int(r["jpt_persons_surveyed"] - r["jpt_poor_persons"]),
                    "welfare_persons": int(r["mof_verified_persons"] - r["target_poor"]),
                }
            )
            for i in indicators:
                indicator_rows.append(
                    {"area_code": code, "indicator_code": i.code, "welfare_persons": int(r[_indicator_column(i.code)])}
                )
        for r in patterns.itertuples(index=False):
            if r.area_code not in areas.index:
                continue
            pattern_rows.append(
                {
                    "area_code": r.area_code,
                    "pattern": int(r.pattern_HLEIA, 2),
                    "households": int(r.exact_households),
                    "persons": int(r.exact_persons),
                    "welfare_persons": int(r.exact_target_poor),
                }
            )
    with engine.begin() as conn:
        sync_indicators(conn, year)
        upsert_survey_year(conn, year, catalogue.indicator_set_for_year(year))
        created = ensure_area_codes(conn, names, source=f"published:{year}")
        set_area_names(conn, names)
        delete_rollups(conn, year, PUBLISHED)
        _insert(conn, year, pattern_rows, indicator_rows)
        measures.refresh(conn, year)
        record_sources(conn, year, PUBLISHED)
        reconcile_survey_sources(conn, year)
        refresh_flows(conn, year)  # which areas the microdata covers may have changed
        sy = tables.survey_year
        conn.execute(
            update(sy).where(sy.c.year == year).values(imported_at=func.coalesce(sy.c.imported_at, dt.datetime.now(dt.UTC)))
        )
    cache.data_changed(engine)
    return PublishedReport(year, counts, created)


def _insert(conn: Connection, year: int, patterns: list[dict], indicators: list[dict]) -> None:
    """The rows given, as this edition's published rollup rows (new rows: the lists given stay as they were)."""
    conn.execute(
        insert(tables.area_pattern_rollup),
        [r | {"year": year, "source": PUBLISHED, "welfare_households": None} for r in patterns],
    )
    conn.execute(insert(tables.area_indicator_rollup), [r | {"year": year, "source": PUBLISHED} for r in indicators])


class SourcesCompared(TypedDict):
    """An area's headline counts from the survey and from the published files, as (survey, published)."""

    code: str
    surveyed_households: tuple[int, int]
    surveyed_persons: tuple[int, int]
    poor_persons: tuple[int, int]
    target_poor_persons: tuple[int, int]
    crisis_persons: tuple[int, int]
    dim_health: tuple[int, int]
    dim_living: tuple[int, int]
    dim_education: tuple[int, int]
    dim_income: tuple[int, int]
    dim_access: tuple[int, int]


assert [k for k in SourcesCompared.__annotations__ if k.startswith("dim_")] == [f"dim_{d}" for d in DIMENSIONS]


def compare_sources(year: int, level: str, engine: Engine | None = None) -> list[SourcesCompared]:
    """Areas holding both survey and published figures, with the differences of the headline counts."""
    from data_access.figures import figures_for_sources

    engine = engine or get_engine()
    with engine.connect() as conn:
        s, a = tables.area_rollup_source.c, tables.area.c
        codes: list[str] = list(
            conn.execute(
                select(s.area_code)
                .join_from(tables.area_rollup_source, tables.area, a.code == s.area_code)
                .where(s.year == year, a.level == level)
                .group_by(s.area_code)
                .having(func.count(distinct(s.source)) == 2)
                .order_by(s.area_code)
            ).scalars()
        )
        survey = figures_for_sources(conn, year, dict.fromkeys(codes, "survey"), 0b11111)
        published = figures_for_sources(conn, year, dict.fromkeys(codes, "published"), 0b11111)
    rows = []
    for code in codes:
        row: dict[str, object] = {"code": code}
        for field in ("surveyed_households", "surveyed_persons", "poor_persons", "target_poor_persons", "crisis_persons"):
            row[field] = (survey[code][field], published[code][field])
        for d, v in survey[code]["dimension_target_poor"].items():
            row[f"dim_{d}"] = (v, published[code]["dimension_target_poor"][d])
        rows.append(cast(SourcesCompared, row))
    return rows
