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
import math
import re
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import shapely
from shapely.geometry import MultiPolygon, Polygon
from shapely.geometry.base import BaseGeometry
from shapely.ops import polylabel

from mpi.errors import BadRequest

LEVEL_FILES = {"province": "provinces.geojson", "amphoe": "amphoes.geojson", "tambon": "tambons.geojson"}
LEVEL_BY_DIGITS = {2: "province", 4: "amphoe", 6: "tambon"}
# Display tolerance per level (degrees; coverage_simplify's sqrt-of-triangle-area): a whole
# country of provinces needs far fewer vertices than the tambons of one amphoe.
DISPLAY_TOLERANCE = {"province": 0.006, "amphoe": 0.003, "tambon": 0.0}
COUNTRY = ("TH", "ประเทศไทย", "Thailand")


class BoundaryFormatError(BadRequest):
    """The path holds no boundary layer this module understands (400)."""

    key = "err.boundaries"


class BoundaryImportError(BoundaryFormatError):
    """The boundary set is refused whole; `problems` says why, feature by feature."""

    def __init__(self, problems: list[str], total: int | None = None):
        self.problems = problems[:100]
        self.total = total if total is not None else len(problems)
        more = f"\n  … and {self.total - len(self.problems)} more" if self.total > len(self.problems) else ""
        super().__init__(f"{self.total} problem(s); nothing was changed:\n  " + "\n  ".join(self.problems) + more)


# Municipal units (เขตเทศบาล): TPMAP reports people of municipal areas under codes ending 51-99, which no
# DOPA tambon uses. They have no polygon; they are children of their amphoe, beside its tambons.
CODE_PATTERN = {
    "country": re.compile(r"^TH$"),
    "province": re.compile(r"^[0-9]{2}$"),
    "amphoe": re.compile(r"^[0-9]{4}$"),
    "tambon": re.compile(r"^[0-9]{4}([0-4][0-9]|50)$"),
    "municipality": re.compile(r"^[0-9]{4}(5[1-9]|[6-9][0-9])$"),
}
PARENT_LEVEL = {"province": "country", "amphoe": "province", "tambon": "amphoe", "municipality": "amphoe"}
# Levels that hold households and sit under an amphoe: where a tambon is meant, a municipal unit is too.
LOCAL_LEVELS = ("tambon", "municipality")
MAX_NAME = 200
# The tree is four levels deep; any walk up it that goes further has met a corrupt row.
MAX_DEPTH = 4
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


@dataclass
class BoundaryArea:
    code: str
    level: str
    name_th: str | None
    name_en: str | None
    parent_code: str | None
    geom: BaseGeometry | None = None
    geom_display: BaseGeometry | None = None
    point: tuple[float, float] | None = None  # (lon, lat) where a municipal unit is drawn as a symbol
    counted_under: str | None = None  # a tambon whose people a municipal unit holds


@dataclass
class BoundarySet:
    areas: list[BoundaryArea]
    layout: str
    notes: list[str] = field(default_factory=list)


def validate_set(boundaries: BoundarySet, known: dict[str, str]) -> list[str]:
    """Every problem that would corrupt the area tree, or [] (geometry repairs are noted in boundaries.notes).

    known maps codes already in the database to their level, so a set may add tambons under existing amphoes.
    """
    problems: list[str] = []
    seen: dict[str, str] = {}
    for a in boundaries.areas:
        pattern = CODE_PATTERN.get(a.level)
        if pattern is None:
            problems.append(f"{a.code!r}: unknown level {a.level!r}")
            continue
        if not pattern.match(a.code or ""):
            problems.append(
                f"{(a.code or '')[:40]!r} is not a valid {a.level} code "
                f"({'TH' if a.level == 'country' else {'province': 2, 'amphoe': 4, 'tambon': 6, 'municipality': 6}[a.level]} "
                "digits): the feature is in the wrong layer or its code is damaged"
            )
            continue
        if a.code in seen:
            problems.append(f"{a.code}: appears twice in the boundary set")
            continue
        seen[a.code] = a.level
        if a.level != "country" and a.parent_code != parent_of_code(a.code):
            problems.append(f"{a.code}: parent {str(a.parent_code)[:40]!r} is not its code's parent {parent_of_code(a.code)!r}")
        for label, name in (("name_th", a.name_th), ("name_en", a.name_en)):
            if name is None:
                continue
            if len(name) > MAX_NAME:
                problems.append(f"{a.code}: {label} is {len(name):,} characters long; at most {MAX_NAME}")
            elif _CONTROL.search(name):
                problems.append(f"{a.code}: {label} holds a control character")
    levels = known | seen
    for a in boundaries.areas:
        if a.level == "country" or a.code not in seen or seen[a.code] != a.level:
            continue
        parent = parent_of_code(a.code)
        if parent is None or levels.get(parent) != PARENT_LEVEL[a.level]:
            problems.append(f"{a.code}: its parent {parent} is not a known {PARENT_LEVEL[a.level]}")
    return problems


def repair_geometry(code: str, geom: BaseGeometry | None, notes: list[str], problems: list[str]) -> MultiPolygon | None:
    """Valid polygons pass; invalid ones are repaired (and noted) when the repair keeps a polygon, else refused."""
    if geom is None or geom.is_empty:
        return None
    if geom.is_valid:
        return as_multipolygon(geom)
    reason = shapely.is_valid_reason(geom)
    fixed = as_multipolygon(shapely.make_valid(geom))
    if fixed is None or fixed.is_empty or not fixed.is_valid:
        problems.append(f"{code}: invalid geometry ({reason}) that cannot be repaired into a polygon")
        return None
    change = abs(fixed.area - geom.buffer(0).area) / max(geom.buffer(0).area, 1e-12)
    notes.append(f"{code}: invalid geometry ({reason}) repaired" + (f", area changed {change:.1%}" if change > 0.001 else ""))
    return fixed


def level_of_code(code: str) -> str:
    if code == "TH":
        return "country"
    if len(code) == 6 and CODE_PATTERN["municipality"].match(code):
        return "municipality"
    try:
        return LEVEL_BY_DIGITS[len(code)]
    except KeyError:
        raise BadRequest(f"{code!r} is not a 2-, 4- or 6-digit DOPA code") from None


def municipal_names(code: str, amphoe_th: str | None, amphoe_en: str | None) -> tuple[str, str]:
    """A name that says what the unit is: เขตเทศบาล 1 ของอำเภอเมืองสมุทรสงคราม (750151)."""
    n = int(code[4:]) - 50
    th = f"เขตเทศบาล {n} ของอำเภอ{amphoe_th or code[:4]} ({code})"
    en = f"Municipal area {n} of {amphoe_en or code[:4]} ({code})"
    return th, en


def municipal_units(areas: list[BoundaryArea], domain_dir: Path) -> tuple[list[BoundaryArea], list[str]]:
    """The municipal units that TPMAP's tambon files report, as areas of the tree, each with a point to be
    drawn at; and the tambons that plainly hold a unit's people (the only tambon of its amphoe without a
    TPMAP row, in an amphoe with exactly one unit), marked counted_under so the map colours them."""
    files = sorted(domain_dir.glob("tpmap_*_tambon.csv")) if domain_dir and domain_dir.is_dir() else []
    if not files:
        return [], []
    reported: set[str] = set()
    for file in files:
        with open(file, encoding="utf-8-sig", newline="") as f:
            reported |= {row["tambon_code"].strip() for row in csv.DictReader(f) if row.get("tambon_code")}
    by_code = {a.code: a for a in areas}
    units: dict[str, list[str]] = {}
    for code in sorted(reported):
        if CODE_PATTERN["municipality"].match(code) and code[:4] in by_code:
            units.setdefault(code[:4], []).append(code)
    tambons: dict[str, list[BoundaryArea]] = {}
    for a in areas:
        if a.level == "tambon" and a.geom is not None:
            tambons.setdefault(a.code[:4], []).append(a)
    out: list[BoundaryArea] = []
    notes: list[str] = []
    for amphoe, codes in sorted(units.items()):
        parent = by_code[amphoe]
        silent = [t for t in sorted(tambons.get(amphoe, []), key=lambda t: t.code) if t.code not in reported]
        spots = _spots(parent.geom, [t.geom for t in silent], len(codes))
        for i, code in enumerate(codes):
            th, en = municipal_names(code, parent.name_th, parent.name_en)
            out.append(BoundaryArea(code, "municipality", th, en, amphoe, point=spots[i]))
        if len(codes) == 1 and len(silent) == 1:
            silent[0].counted_under = codes[0]
            out[-1].point = _spots(silent[0].geom, [], 1)[0]
            notes.append(f"{silent[0].code} is counted under municipal unit {codes[0]}")
    return out, notes


def _spots(polygon: BaseGeometry | None, candidates: list[BaseGeometry], n: int) -> list[tuple[float, float] | None]:
    """n distinct points inside `polygon`: first inside the candidate tambons, then around its centre."""
    if polygon is None or polygon.is_empty:
        return [None] * n
    points = [g.representative_point() for g in candidates if g is not None][:n]
    centre = polygon.representative_point()
    step, k = 0.01, 0
    while len(points) < n and k < 400:
        k += 1
        angle, radius = k * 2.399963, step * math.sqrt(k)  # a sunflower spiral: evenly spread, never on top
        p = shapely.Point(centre.x + radius * math.cos(angle), centre.y + radius * math.sin(angle))
        if polygon.contains(p):
            points.append(p)
    while len(points) < n:
        points.append(centre)
    return [(round(p.x, 6), round(p.y, 6)) for p in points]


def parent_of_code(code: str) -> str | None:
    if code == "TH" or not code:
        return None
    return "TH" if len(code) <= 2 else code[:-2]


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


def label_point(geom: BaseGeometry | None) -> tuple[float, float] | None:
    """Where a map writes an area's name: the pole of inaccessibility of its largest part (the point
    farthest from every edge), so a name sits inside a crescent or a coastal strip, not beside it."""
    geom = as_multipolygon(geom)
    if geom is None:
        return None
    part = max(geom.geoms, key=lambda p: p.area)
    # tolerance: a thousandth of the part's extent, enough for a label and fast on coastlines
    minx, miny, maxx, maxy = part.bounds
    p = polylabel(part, tolerance=max(maxx - minx, maxy - miny) / 1000 or 1e-6)
    return round(p.x, 5), round(p.y, 5)


def simplify_level(geoms: list[BaseGeometry], level: str) -> list[BaseGeometry]:
    """Simplify a level as one coverage, so neighbours keep shared edges (no slivers on the map)."""
    tolerance = DISPLAY_TOLERANCE.get(level, 0.0)
    if tolerance <= 0 or not geoms:
        return geoms
    return list(shapely.coverage_simplify(geoms, tolerance))


def read_boundaries(path: Path | str, domain_dir: Path | str | None = None) -> BoundarySet:
    """A boundary set, with the municipal units of TPMAP's tambon files (domain_dir, by default the
    `domain` folder beside a shared `geo` folder) added as areas without polygons."""
    path = Path(path)
    if not path.exists():
        raise BoundaryFormatError(f"{path} does not exist")
    if path.is_dir() and (path / LEVEL_FILES["province"]).exists():
        result = _read_shared(path)
    else:
        result = _read_cod_ab(path)
    domain = Path(domain_dir) if domain_dir is not None else (path.parent / "domain" if path.is_dir() else None)
    if domain is not None and domain.is_dir():
        units, counted = municipal_units(result.areas, domain)
        if units:
            result.areas.extend(units)
            result.notes.append(
                f"municipality: {len(units)} municipal units (no polygon; drawn as symbols), "
                f"{len(counted)} tambons counted under one"
            )
    return result


def _read_layer(file: Path) -> gpd.GeoDataFrame:
    gdf = gpd.read_file(file)
    if gdf.crs is not None and gdf.crs.to_epsg() != 4326:
        gdf = gdf.to_crs(4326)
    return gdf


def _read_shared(folder: Path) -> BoundarySet:
    areas: list[BoundaryArea] = [BoundaryArea(COUNTRY[0], "country", COUNTRY[1], COUNTRY[2], None)]
    notes: list[str] = []
    problems: list[str] = []
    seen: set[str] = {"TH"}
    for level, filename in LEVEL_FILES.items():
        web = _read_layer(folder / filename)
        hires_file = folder / "hires" / filename
        precise = _read_layer(hires_file).set_index("code").geometry if hires_file.exists() else None
        web_geoms = [shapely.make_valid(g) if g is not None else g for g in web.geometry]
        display = simplify_level(web_geoms, level)
        for row, disp in zip(web.itertuples(index=False), display, strict=False):
            code = str(row.code)
            geom = precise.get(code, row.geometry) if precise is not None else row.geometry
            areas.append(
                BoundaryArea(
                    code,
                    level,
                    _name(row.name_th),
                    _name(row.name_en),
                    str(getattr(row, "parent_code", None) or parent_of_code(code))
                    if level != "province"
                    else parent_of_code(code),
                    repair_geometry(code, geom, notes, problems),
                    as_multipolygon(disp),
                )
            )
            seen.add(code)
        notes.append(f"{level}: {len(web)} polygons" + (" (precise geometry from hires/)" if precise is not None else ""))
    codes_file = folder / "admin_codes.csv"
    if codes_file.exists():
        missing = []
        with open(codes_file, encoding="utf-8", newline="") as f:
            for row in csv.DictReader(f):
                if row["code"] in seen:
                    continue
                areas.append(
                    BoundaryArea(
                        row["code"],
                        row["level"] if row["level"] != "district" else "amphoe",
                        row["name_th"] or None,
                        row["name_en"] or None,
                        row["parent_code"] or parent_of_code(row["code"]),
                    )
                )
                seen.add(row["code"])
                missing.append(f"{row['code']} (inside polygon {row['polygon_code']})")
        if missing:
            notes.append(f"{len(missing)} DOPA codes have no polygon of their own: " + ", ".join(missing))
    if problems:
        raise BoundaryImportError(problems)
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
    files = (
        [path]
        if path.is_file()
        else sorted(p for p in path.iterdir() if p.suffix.lower() in {".geojson", ".json", ".shp", ".gpkg"})
    )
    by_level: dict[int, gpd.GeoDataFrame] = {}
    for file in files:
        gdf = _read_layer(file)
        n = _cod_ab_level(set(gdf.columns))
        if n is not None:
            by_level[n] = gdf
    if not by_level:
        raise BoundaryFormatError(
            f"{path}: no provinces.geojson (shared layout) and no layer with ADM1_PCODE/ADM2_PCODE/ADM3_PCODE (COD-AB)"
        )
    areas = [BoundaryArea(COUNTRY[0], "country", COUNTRY[1], COUNTRY[2], None)]
    notes: list[str] = []
    problems: list[str] = []
    names = {1: "province", 2: "amphoe", 3: "tambon"}
    for n in sorted(by_level):
        gdf = by_level[n]
        level = names[n]
        geoms = []
        for (_, row), g in zip(gdf.iterrows(), gdf.geometry, strict=False):
            geoms.append(repair_geometry(_strip_pcode(row[f"ADM{n}_PCODE"])[:40], g, notes, problems))
        display = simplify_level([g if g is not None else MultiPolygon() for g in geoms], level)
        for (_, row), geom, disp in zip(gdf.iterrows(), geoms, display, strict=False):
            code = _strip_pcode(row[f"ADM{n}_PCODE"])
            parent = _strip_pcode(row[f"ADM{n - 1}_PCODE"]) if n > 1 and f"ADM{n - 1}_PCODE" in row else parent_of_code(code)
            areas.append(
                BoundaryArea(
                    code, level, _name(row.get(f"ADM{n}_TH")), _name(row.get(f"ADM{n}_EN")), parent, geom, as_multipolygon(disp)
                )
            )
        notes.append(f"{level}: {len(gdf)} polygons (COD-AB ADM{n})")
    if problems:
        raise BoundaryImportError(problems)
    return BoundarySet(areas, "cod-ab", notes)


def _name(value: object) -> str | None:
    if value is None or (isinstance(value, float) and value != value):
        return None
    return str(value).strip() or None
