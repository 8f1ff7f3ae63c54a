"""Read boundary files into plain records: the shared DOPA-keyed set, or OCHA COD-AB layers.

Two layouts are understood:
- the project's shared set (../shared/geo): provinces/amphoes/tambons.geojson, an optional
  hires/ folder with the same files at higher resolution, and admin_codes.csv listing every
  DOPA code (including codes with no polygon of their own);
- OCHA COD-AB files (any .geojson/.json/.shp/.gpkg in the folder, or one file), whose
  level is told by their ADM1_PCODE / ADM2_PCODE / ADM3_PCODE columns and whose pcodes are
  "TH" + the DOPA code.
"""
from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import shapely
from shapely.geometry import MultiPolygon, Polygon
from shapely.geometry.base import BaseGeometry

LEVEL_FILES = {"province": "provinces.geojson", "amphoe": "amphoes.geojson", "tambon": "tambons.geojson"}
LEVEL_BY_DIGITS = {2: "province", 4: "amphoe", 6: "tambon"}
# Display tolerance per level (degrees; coverage_simplify's sqrt-of-triangle-area): a whole
# country of provinces needs far fewer vertices than the tambons of one amphoe.
DISPLAY_TOLERANCE = {"province": 0.006, "amphoe": 0.003, "tambon": 0.0}
COUNTRY = ("TH", "ประเทศไทย", "Thailand")


class BoundaryFormatError(ValueError):
    """The path holds no boundary layer this module understands."""


@dataclass
class BoundaryArea:
    code: str
    level: str
    name_th: str | None
    name_en: str | None
    parent_code: str | None
    geom: BaseGeometry | None = None
    geom_display: BaseGeometry | None = None


@dataclass
class BoundarySet:
    areas: list[BoundaryArea]
    layout: str
    notes: list[str] = field(default_factory=list)


def level_of_code(code: str) -> str:
    if code == "TH":
        return "country"
    try:
        return LEVEL_BY_DIGITS[len(code)]
    except KeyError:
        raise ValueError(f"{code!r} is not a 2-, 4- or 6-digit DOPA code") from None


def parent_of_code(code: str) -> str | None:
    if code == "TH":
        return None
    return "TH" if len(code) == 2 else code[:-2]


def as_multipolygon(geom: BaseGeometry | None) -> MultiPolygon | None:
    if geom is None or geom.is_empty:
        return None
    if isinstance(geom, Polygon):
        return MultiPolygon([geom])
    if isinstance(geom, MultiPolygon):
        return geom
    polys = [g for g in getattr(geom, "geoms", []) if isinstance(g, (Polygon, MultiPolygon))]
    parts = [p for g in polys for p in (g.geoms if isinstance(g, MultiPolygon) else [g])]
    return MultiPolygon(parts) if parts else None


def simplify_level(geoms: list[BaseGeometry], level: str) -> list[BaseGeometry]:
    """Simplify a level as one coverage, so neighbours keep shared edges (no slivers on the map)."""
    tolerance = DISPLAY_TOLERANCE.get(level, 0.0)
    if tolerance <= 0 or not geoms:
        return geoms
    return list(shapely.coverage_simplify(geoms, tolerance))


def read_boundaries(path: Path | str) -> BoundarySet:
    path = Path(path)
    if not path.exists():
        raise BoundaryFormatError(f"{path} does not exist")
    if path.is_dir() and (path / LEVEL_FILES["province"]).exists():
        return _read_shared(path)
    return _read_cod_ab(path)


def _read_layer(file: Path) -> gpd.GeoDataFrame:
    gdf = gpd.read_file(file)
    if gdf.crs is not None and gdf.crs.to_epsg() != 4326:
        gdf = gdf.to_crs(4326)
    return gdf


def _read_shared(folder: Path) -> BoundarySet:
    areas: list[BoundaryArea] = [BoundaryArea(COUNTRY[0], "country", COUNTRY[1], COUNTRY[2], None)]
    notes: list[str] = []
    seen: set[str] = {"TH"}
    for level, filename in LEVEL_FILES.items():
        web = _read_layer(folder / filename)
        hires_file = folder / "hires" / filename
        precise = _read_layer(hires_file).set_index("code").geometry if hires_file.exists() else None
        web_geoms = [shapely.make_valid(g) for g in web.geometry]
        display = simplify_level(web_geoms, level)
        for row, disp in zip(web.itertuples(index=False), display, strict=False):
            code = str(row.code)
            geom = precise.get(code, row.geometry) if precise is not None else row.geometry
            areas.append(BoundaryArea(code, level, row.name_th, row.name_en, parent_of_code(code),
                                      as_multipolygon(geom), as_multipolygon(disp)))
            seen.add(code)
        notes.append(f"{level}: {len(web)} polygons" + (" (precise geometry from hires/)" if precise is not None else ""))
    codes_file = folder / "admin_codes.csv"
    if codes_file.exists():
        missing = []
        with open(codes_file, encoding="utf-8", newline="") as f:
            for row in csv.DictReader(f):
                if row["code"] in seen:
                    continue
                areas.append(BoundaryArea(row["code"], row["level"] if row["level"] != "district" else "amphoe",
                                          row["name_th"] or None, row["name_en"] or None,
                                          row["parent_code"] or parent_of_code(row["code"])))
                seen.add(row["code"])
                missing.append(f"{row['code']} (inside polygon {row['polygon_code']})")
        if missing:
            notes.append(f"{len(missing)} DOPA codes have no polygon of their own: " + ", ".join(missing))
    return BoundarySet(areas, "shared", notes)


def _cod_ab_level(columns: set[str]) -> int | None:
    for n in (3, 2, 1):
        if f"ADM{n}_PCODE" in columns:
            return n
    return None


def _strip_pcode(pcode: str) -> str:
    pcode = str(pcode).strip()
    return pcode[2:] if pcode.upper().startswith("TH") else pcode


def _read_cod_ab(path: Path) -> BoundarySet:
    files = [path] if path.is_file() else sorted(
        p for p in path.iterdir() if p.suffix.lower() in {".geojson", ".json", ".shp", ".gpkg"})
    by_level: dict[int, gpd.GeoDataFrame] = {}
    for file in files:
        gdf = _read_layer(file)
        n = _cod_ab_level(set(gdf.columns))
        if n is not None:
            by_level[n] = gdf
    if not by_level:
        raise BoundaryFormatError(
            f"{path}: no provinces.geojson (shared layout) and no layer with ADM1_PCODE/ADM2_PCODE/ADM3_PCODE (COD-AB)")
    areas = [BoundaryArea(COUNTRY[0], "country", COUNTRY[1], COUNTRY[2], None)]
    notes = []
    names = {1: "province", 2: "amphoe", 3: "tambon"}
    for n in sorted(by_level):
        gdf = by_level[n]
        level = names[n]
        geoms = [shapely.make_valid(g) for g in gdf.geometry]
        display = simplify_level(geoms, level)
        for (_, row), geom, disp in zip(gdf.iterrows(), geoms, display, strict=False):
            code = _strip_pcode(row[f"ADM{n}_PCODE"])
            parent = _strip_pcode(row[f"ADM{n - 1}_PCODE"]) if n > 1 and f"ADM{n - 1}_PCODE" in row else parent_of_code(code)
            areas.append(BoundaryArea(code, level, row.get(f"ADM{n}_TH"), row.get(f"ADM{n}_EN"), parent,
                                      as_multipolygon(geom), as_multipolygon(disp)))
        notes.append(f"{level}: {len(gdf)} polygons (COD-AB ADM{n})")
    return BoundarySet(areas, "cod-ab", notes)
