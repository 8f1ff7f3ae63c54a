"""Display shapes as static, cacheable GeoJSON files: fetched once by the browser, never sent in callbacks.

/shapes/provinces.json            the 77 provinces (country view)
/shapes/tambons.json              every tambon of the country (a national tambon map)
/shapes/amphoes/<province>.json   the amphoes of one province
/shapes/tambons/<amphoe>.json     the tambons of one amphoe
/shapes/tambons-of/<province>.json  every tambon of a province

Each file is simplified and its coordinates rounded for the map it is drawn on (VIEWS: about a pixel of a
1920×1080 screen at that map's scale), as one coverage so neighbours keep shared borders, with rings in the
clockwise order Plotly's geo traces need. A feature carries only its code (the maps join on
`properties.code`; names come with the figure's values). The rows come from the data layer
(`data_access.areas.display_shapes`, passed in by the caller): this module turns geometry into files and reads no
database itself.

Files are written once per database (the cache folder is keyed by the database's address), under a lock and
to a temporary name first, so parallel first requests build a file once and nobody reads half of one; the
boundary import writes them all ahead (prebuild), so no visitor waits for one.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import re
import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, overload

import shapely
from shapely.geometry.base import BaseGeometry

import config

NAME_RE = re.compile(r"^(provinces|tambons|amphoes/[0-9]{2}|tambons/[0-9]{4}|tambons-of/[0-9]{2})\.json$")


# (code, name_th, name_en, WKB of the display geometry) for a file's kind, e.g. "amphoes/75"
ShapeRows = Callable[[str], Sequence[tuple[str, str, str | None, bytes | None]]]


@dataclass(frozen=True)
class View:
    """How a file is drawn: `tolerance` for coverage_simplify (degrees, the square root of the triangle areas it
    removes; 0 = the stored display geometry as it is) and the `grid` coordinates are rounded to."""

    tolerance: float
    grid: float


# A map fills about 900 px of a 1920×1080 screen. Thailand is 15° tall: a pixel is about 0.017° on the country's
# maps; a province is about 1.5° (0.002°/px); an amphoe about 0.3° (0.0003°/px).
VIEWS = {
    "provinces": View(0.02, 0.002),
    # the national tambon map: 7,425 polygons of about 10 px each at country scale, simplified at a pixel and kept on a
    # third of one (0.012/0.002 drew the same picture in 254 KB instead of 180 KB)
    "tambons": View(0.02, 0.005),
    "tambons-of": View(0.002, 0.0005),
    "amphoes": View(0.0, 0.0005),  # stored at the amphoe display tolerance already
    "tambons/": View(0.0005, 0.0001),  # the tambons of one amphoe
}


def view_of(kind: str) -> View:
    what, slash, _ = kind.partition("/")
    return VIEWS.get(what + slash if what == "tambons" and slash else what, View(0.0, 0.0001))


def _clockwise(geom: BaseGeometry) -> BaseGeometry:
    # Plotly's d3-geo wants exterior rings clockwise (the reverse of RFC 7946).
    return shapely.orient_polygons(geom, exterior_cw=True)


def build(name: str, read: ShapeRows) -> bytes | None:
    if not NAME_RE.match(name):
        return None
    kind = name[:-5]
    view = view_of(kind)
    rows = [(code, shapely.from_wkb(bytes(wkb))) for code, _th, _en, wkb in read(kind) if wkb is not None]
    geoms = [g for _, g in rows]
    if view.tolerance > 0 and geoms:
        geoms = list(shapely.coverage_simplify(geoms, view.tolerance))
    features = []
    for (code, original), geom in zip(rows, geoms, strict=True):
        drawn = shapely.set_precision(geom, view.grid)
        if drawn.is_empty:  # smaller than the grid at this scale: kept, at the finest grid, so no area goes missing
            drawn = shapely.set_precision(original, 0.0001)
        if drawn.is_empty:
            continue
        features.append(
            {"type": "Feature", "properties": {"code": code}, "geometry": json.loads(shapely.to_geojson(_clockwise(drawn)))}
        )
    if not features:
        return None
    return json.dumps({"type": "FeatureCollection", "features": features}, separators=(",", ":")).encode("utf-8")


def cache_dir() -> Path:
    """The folder of this database's files: two databases (a test's, the demo's) never share a file, and files drawn
    to other VIEWS (an upgrade) are not served for these."""
    key = hashlib.sha256(f"{config.database_url()}|{sorted(VIEWS.items())}".encode()).hexdigest()[:12]
    return config.static_shapes_dir() / key


_threads = threading.Lock()


def path_for(name: str, read: ShapeRows) -> Path | None:
    """The file for a shape name, written once from `read`'s rows; None for an unknown name."""
    if not NAME_RE.match(name):
        return None
    target = cache_dir() / name
    if target.exists():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    # one builder per file across threads and worker processes; the others wait, then read what it wrote
    with _threads, open(cache_dir() / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not target.exists():
            data = build(name, read)
            if data is None:
                return None
            tmp = target.with_name(target.name + ".tmp")
            tmp.write_bytes(data)
            tmp.replace(target)
    return target


# the files that take seconds to build (every province; every tambon of the country): written at boundary import
PREBUILT = ("provinces.json", "tambons.json")


def prebuild(names: Iterable[str], read: ShapeRows) -> int:
    """Write every named file ahead of the first visitor (after a boundary import); the number written."""
    return sum(path_for(name, read) is not None for name in names)


def clear_cache() -> None:
    """Forget this database's shape files (after new boundaries are imported)."""
    import shutil

    shutil.rmtree(cache_dir(), ignore_errors=True)


@overload
def url_for_children(code: str, level: Literal["country", "province", "amphoe"]) -> str: ...
@overload
def url_for_children(code: str, level: str) -> str | None: ...
def url_for_children(code: str, level: str) -> str | None:
    """The shape file holding the children of an area."""
    return {
        "country": "/shapes/provinces.json",
        "province": f"/shapes/amphoes/{code}.json",
        "amphoe": f"/shapes/tambons/{code}.json",
    }.get(level)
