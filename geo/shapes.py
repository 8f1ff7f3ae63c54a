"""Display shapes as static, cacheable GeoJSON files: fetched once by the browser, never sent in callbacks.

/shapes/provinces.json            the 77 provinces (country view)
/shapes/tambons.json              every tambon of the country (a national tambon map)
/shapes/amphoes/<province>.json   the amphoes of one province
/shapes/tambons/<amphoe>.json     the tambons of one amphoe
/shapes/tambons-of/<province>.json  every tambon of a province

Files are written from area.geom_display on first request, with coordinates rounded to 4
decimals (~11 m, well under the display simplification) and rings kept in the clockwise
order Plotly's geo traces need. The rows come from the data layer (`data_access.areas.display_shapes`,
passed in by the caller): this module turns geometry into files and reads no database itself.
"""

from __future__ import annotations

import gzip
import json
import re
from collections.abc import Callable, Sequence
from pathlib import Path

import shapely

import config

NAME_RE = re.compile(r"^(provinces|tambons|amphoes/[0-9]{2}|tambons/[0-9]{4}|tambons-of/[0-9]{2})\.json$")


# (code, name_th, name_en, WKB of the display geometry) for a file's kind, e.g. "amphoes/75"
ShapeRows = Callable[[str], Sequence[tuple[str, str, str | None, bytes | None]]]


def _clockwise(geom):
    # Plotly's d3-geo wants exterior rings clockwise (the reverse of RFC 7946).
    return shapely.orient_polygons(geom, exterior_cw=True)


# The whole country's 7,425 tambons are only ever seen at country scale: simplify them further
# (as one coverage, so borders stay shared) and keep 3 decimals (~110 m).
NATIONAL_TAMBON_TOLERANCE = 0.004
GRID = {"tambons": 0.001}


def build(name: str, read: ShapeRows) -> bytes | None:
    if not NAME_RE.match(name):
        return None
    kind = name[:-5]
    rows = [(code, th, en, shapely.from_wkb(bytes(wkb))) for code, th, en, wkb in read(kind) if wkb is not None]
    geoms = [r[3] for r in rows]
    if kind == "tambons" and geoms:
        geoms = list(shapely.coverage_simplify(geoms, NATIONAL_TAMBON_TOLERANCE))
    grid = GRID.get(kind, 0.0001)
    features = []
    for (code, name_th, name_en, _), geom in zip(rows, geoms, strict=False):
        geom = _clockwise(shapely.set_precision(geom, grid))
        if geom.is_empty:
            continue
        features.append(
            {
                "type": "Feature",
                "id": code,
                "properties": {"code": code, "name_th": name_th, "name_en": name_en},
                "geometry": json.loads(shapely.to_geojson(geom)),
            }
        )
    if not features:
        return None
    return json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False, separators=(",", ":")).encode(
        "utf-8"
    )


def path_for(name: str, read: ShapeRows) -> Path | None:
    """The cached file for a shape name, written on first use from `read`'s rows; None for an unknown name."""
    if not NAME_RE.match(name):
        return None
    target = config.static_shapes_dir() / name
    if not target.exists():
        data = build(name, read)
        if data is None:
            return None
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_suffix(".tmp")
        tmp.write_bytes(data)
        tmp.replace(target)
    return target


def gzip_path(path: Path) -> Path | None:
    """A gzip copy beside the file (made once), served to browsers that accept it."""
    gz = path.with_name(path.name + ".gz")
    if not gz.exists():
        tmp = gz.with_suffix(".tmp")
        tmp.write_bytes(gzip.compress(path.read_bytes(), compresslevel=9))
        tmp.replace(gz)
    return gz


def clear_cache() -> None:
    """Forget every written shape file (after new boundaries are imported)."""
    import shutil

    shutil.rmtree(config.static_shapes_dir(), ignore_errors=True)


def url_for_children(code: str, level: str) -> str | None:
    """The shape file holding the children of an area."""
    return {
        "country": "/shapes/provinces.json",
        "province": f"/shapes/amphoes/{code}.json",
        "amphoe": f"/shapes/tambons/{code}.json",
    }.get(level)
