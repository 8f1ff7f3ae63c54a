"""Areas: the country, provinces, amphoes and tambons, with their boundaries."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, TypedDict

import shapely
from shapely.geometry.base import BaseGeometry
from sqlalchemy import ColumnElement, Connection, Engine, LargeBinary, bindparam, func, insert, select, update

from data_access import cache
from data_access.db import get_engine, is_postgres, read_engine, reading, render_memo, tuples
from data_access.errors import BadRequest
from data_access.models import area
from geo.boundaries import (
    MAX_DEPTH,
    BoundaryArea,
    BoundaryImportError,
    BoundarySet,
    label_point,
    level_of_code,
    municipal_names,
    parent_of_code,
    validate_set,
)

LEVEL_ORDER = {"country": 0, "province": 1, "amphoe": 2, "tambon": 3, "municipality": 3}


@dataclass
class BoundaryImportReport:
    layout: str
    by_level: dict[str, int]
    with_geometry: dict[str, int]
    without_geometry: list[str]
    notes: list[str]

    def lines(self) -> list[str]:
        out = [f"Boundaries ({self.layout}):"]
        for level, n in self.by_level.items():
            out.append(f"  {level}: {n} areas, {self.with_geometry.get(level, 0)} with geometry")
        out += [f"  {n}" for n in self.notes]
        if self.without_geometry:
            shown = ", ".join(self.without_geometry[:40])
            more = f" … and {len(self.without_geometry) - 40} more" if len(self.without_geometry) > 40 else ""
            out.append(
                f"  {len(self.without_geometry)} area codes have no geometry (shown in tables and lists, "
                f"not on the map): {shown}{more}"
            )
        return out


def _geom_value(geom: BaseGeometry | None) -> bytes | None:
    return None if geom is None else shapely.to_wkb(geom)


def _geom_in(conn: Connection, param: str) -> ColumnElement[Any]:
    """The WKB bound as `param`, as the column takes it: PostGIS gets real geometry; the embedded SQLite keeps
    WKB bytes."""
    wkb = bindparam(param, type_=LargeBinary)
    if conn.dialect.name == "postgresql":
        return func.ST_Multi(func.ST_GeomFromWKB(wkb, 4326))
    return wkb


def upsert_areas(conn: Connection, areas: list[BoundaryArea], source: str) -> None:
    """Insert or update areas, parents before children. Names and geometry are replaced when given."""
    existing: set[str] = set(conn.scalars(select(area.c.code)))
    ordered = sorted(areas, key=lambda a: (LEVEL_ORDER[a.level], a.code))
    # keyed by column, but for the two geometries (bound through _geom_in) and the names an update keeps when
    # none is given; Core names the key of a column it sets from each row after the column itself
    rows = [
        {
            "level": a.level,
            "new_name_th": a.name_th,
            "new_name_en": a.name_en,
            "parent_code": a.parent_code,
            "has_geometry": a.geom is not None,
            "geom_wkb": _geom_value(a.geom),
            "display_wkb": _geom_value(a.geom_display),
            "source": source,
            "point_lon": a.point[0] if a.point else None,
            "point_lat": a.point[1] if a.point else None,
            "counted_under": a.counted_under,
            **dict(zip(("label_lon", "label_lat"), label_point(a.geom) or (None, None), strict=True)),
            **dict(zip(("west", "south", "east", "north"), a.geom.bounds if a.geom is not None else (None,) * 4, strict=True)),
            "area_code": a.code,
        }
        for a in ordered
    ]
    new = [r for r in rows if r["area_code"] not in existing]
    old = [r for r in rows if r["area_code"] in existing]
    geoms = {"geom": _geom_in(conn, "geom_wkb"), "geom_display": _geom_in(conn, "display_wkb")}
    if new:
        conn.execute(
            insert(area).values(
                code=bindparam("area_code"), name_th=bindparam("new_name_th"), name_en=bindparam("new_name_en"), **geoms
            ),
            new,
        )
    if old:
        conn.execute(
            update(area)
            .where(area.c.code == bindparam("area_code"))
            .values(
                name_th=func.coalesce(bindparam("new_name_th"), area.c.name_th),
                name_en=func.coalesce(bindparam("new_name_en"), area.c.name_en),
                **geoms,
            ),
            old,
        )


def ensure_area_codes(conn: Connection, codes: dict[str, tuple[str | None, str | None]], source: str) -> list[str]:
    """Create areas (and missing ancestors) for statistics codes that no boundary file had.

    codes maps a code to its (name_th, name_en). Returns the codes created, which have no geometry.
    """
    existing: set[str] = set(conn.scalars(select(area.c.code)))
    wanted: dict[str, tuple[str | None, str | None]] = {}
    for code, names in codes.items():
        c: str | None = code
        depth = 0
        while c is not None and c not in existing and depth <= MAX_DEPTH:
            depth += 1
            wanted.setdefault(c, names if c == code else (None, None))
            c = parent_of_code(c)
    created = [BoundaryArea(c, level_of_code(c), n[0], n[1], parent_of_code(c)) for c, n in wanted.items()]
    amphoe_names: dict[str, tuple[str | None, str | None]] = (
        dict(
            (
                (c, (th, en))
                for c, th, en in tuples(
                    conn.execute(select(area.c.code, area.c.name_th, area.c.name_en).where(area.c.level == "amphoe"))
                )
            )
        )
        if created
        else {}
    )
    for a in created:
        if a.level == "municipality" and not a.name_th:  # a unit the boundary import did not know: name it anyway
            a.name_th, a.name_en = municipal_names(a.code, *amphoe_names.get(a.code[:4], (None, None)))
    if created:
        conn.execute(
            area.insert(),
            [
                {
                    "code": a.code,
                    "level": a.level,
                    "name_th": a.name_th,
                    "name_en": a.name_en,
                    "parent_code": a.parent_code,
                    "has_geometry": False,
                    "source": source,
                }
                for a in sorted(created, key=lambda a: (LEVEL_ORDER[a.level], a.code))
            ],
        )
    return sorted(wanted)


def _stored_geometry(conn: Connection, codes: list[str]) -> dict[str, bytes]:
    """WKB of the areas that already have geometry, among `codes`."""
    col = func.ST_AsBinary(area.c.geom) if conn.dialect.name == "postgresql" else area.c.geom
    out: dict[str, bytes] = {}
    for i in range(0, len(codes), 2000):
        rows = tuples(conn.execute(select(area.c.code, col).where(area.c.code.in_(codes[i : i + 2000]), area.c.has_geometry)))
        out.update({c: bytes(g) for c, g in rows if g is not None})
    return out


def geometry_replacements(conn: Connection, boundaries: BoundarySet) -> list[str]:
    """Codes whose stored geometry this set would change (re-loading the same file changes none)."""
    new = {a.code: a.geom for a in boundaries.areas if a.geom is not None}
    stored = _stored_geometry(conn, sorted(new))
    changed = []
    for code, wkb in stored.items():
        old = shapely.from_wkb(wkb)
        if not shapely.equals_exact(shapely.normalize(old), shapely.normalize(new[code]), tolerance=1e-9):
            changed.append(code)
    return sorted(changed)


def import_boundary_set(
    boundaries: BoundarySet, engine: Engine | None = None, *, replace_geometry: bool = False
) -> BoundaryImportReport:
    """Validate the whole set against itself and the stored tree, then load it in one transaction.

    Refused whole (BoundaryImportError) for a code that does not fit its level or parent, a duplicate, an
    over-long name, or (without replace_geometry) geometry that would replace what is stored."""
    engine = engine or get_engine()
    with engine.begin() as conn:
        known: dict[str, str] = dict(conn.execute(select(area.c.code, area.c.level)).all())
        problems = validate_set(boundaries, known)
        if not problems and not replace_geometry:
            changed = geometry_replacements(conn, boundaries)
            if changed:
                shown = ", ".join(changed[:20]) + (f" … and {len(changed) - 20} more" if len(changed) > 20 else "")
                problems.append(
                    f"the set would replace the stored geometry of {len(changed)} area(s) ({shown}); "
                    "pass --replace-geometry if that is intended"
                )
        if problems:
            raise BoundaryImportError(problems)
        upsert_areas(conn, boundaries.areas, source=f"boundaries:{boundaries.layout}")
    from geo.shapes import clear_cache  # display files are derived from these boundaries

    clear_cache()
    cache.data_changed(engine)  # this process sees the new areas at once; others within cache.STAMP_SECONDS
    with engine.begin() as conn:
        rows = tuples(conn.execute(select(area.c.code, area.c.level, area.c.has_geometry)))
    by_level: dict[str, int] = {}
    with_geom: dict[str, int] = {}
    without = []
    for code, level, has_geom in sorted(rows, key=lambda r: (LEVEL_ORDER[r[1]], r[0])):
        by_level[level] = by_level.get(level, 0) + 1
        if has_geom:
            with_geom[level] = with_geom.get(level, 0) + 1
        elif level not in ("country", "municipality"):  # municipal units are drawn as symbols, not polygons
            without.append(code)
    return BoundaryImportReport(boundaries.layout, by_level, with_geom, without, boundaries.notes)


def set_area_names(conn: Connection, names: dict[str, tuple[str | None, str | None]]) -> None:
    """Fill names that an area lacks (never overwrite boundary names with statistics names)."""
    stmt = (
        update(area)
        .where(area.c.code == bindparam("c"))
        .values(name_th=func.coalesce(area.c.name_th, bindparam("th")), name_en=func.coalesce(area.c.name_en, bindparam("en")))
    )
    rows = [{"c": c, "th": th, "en": en} for c, (th, en) in names.items()]
    if rows:
        conn.execute(stmt, rows)


AREA_FIELDS = ("code", "level", "name_th", "name_en", "parent_code", "has_geometry", "counted_under")


class AreaRow(TypedDict):
    code: str
    level: str  # country | province | amphoe | tambon | municipality
    name_th: str | None
    name_en: str | None
    parent_code: str | None
    has_geometry: bool
    counted_under: str | None  # a municipal unit: the tambon whose people TPMAP counts under it


class AreaName(TypedDict):
    code: str
    level: str
    name_th: str | None
    name_en: str | None


class MunicipalUnit(TypedDict):
    code: str
    name_th: str | None
    name_en: str | None


def _area_row(row: Any) -> AreaRow:
    return AreaRow(
        code=row["code"],
        level=row["level"],
        name_th=row["name_th"],
        name_en=row["name_en"],
        parent_code=row["parent_code"],
        has_geometry=row["has_geometry"],
        counted_under=row["counted_under"],
    )


def _get_areas(codes: list[str], engine: Engine | None) -> dict[str, AreaRow]:
    """Rows of several areas in one query; within a render, each is read once (the render's memo)."""
    memo = render_memo()
    found = {c: _area_row(memo[("area_full", c)]) for c in codes if memo is not None and ("area_full", c) in memo}
    missing = [c for c in codes if c not in found]
    if missing:
        with reading(engine) as conn:
            for row in conn.execute(select(*(area.c[f] for f in AREA_FIELDS)).where(area.c.code.in_(missing))).mappings():
                found[row["code"]] = _area_row(row)
                if memo is not None:
                    memo[("area_full", row["code"])] = _area_row(row)
    return found


def get_area(code: str, engine: Engine | None = None) -> AreaRow | None:
    return _get_areas([code], engine).get(code)


def point_in_tambon(conn: Connection, tambon_code: str, lon: float, lat: float) -> bool | None:
    """Whether a point lies inside a tambon; None when the tambon has no geometry."""
    if is_postgres(conn.engine):
        point = func.ST_SetSRID(func.ST_MakePoint(lon, lat), 4326)
        covers: bool | None = conn.execute(select(func.ST_Covers(area.c.geom, point)).where(area.c.code == tambon_code)).scalar()
        return covers
    wkb = conn.execute(select(area.c.geom).where(area.c.code == tambon_code)).scalar()
    if wkb is None:
        return None
    return bool(shapely.from_wkb(wkb).covers(shapely.Point(lon, lat)))


def ancestors(code: str, engine: Engine | None = None) -> list[AreaRow]:
    """The area and its parents, country first. Bounded: a corrupt row (a cycle, a runaway chain) ends
    the walk at the tree's depth instead of spinning a request forever."""
    chain: list[AreaRow] = []
    seen: set[str] = set()
    # DOPA codes nest (750102 lies in 7501, in 75, in TH): the whole chain is usually one query; a parent that is
    # not a prefix (a corrupt row) is still followed, one read at a time
    rows = _get_areas(["TH", *(code[:n] for n in (2, 4, 6) if len(code) >= n)], engine) if code.isdigit() else {}
    c: str | None = code
    while c is not None and c not in seen and len(chain) <= MAX_DEPTH:
        a = rows.get(c) or get_area(c, engine)
        if a is None:
            break
        seen.add(c)
        chain.append(a)
        c = a["parent_code"]
    return list(reversed(chain))


def names(codes: list[str], engine: Engine | None = None) -> dict[str, AreaName]:
    """code → {code, level, name_th, name_en} for the given codes (tables show names, not codes)."""
    codes = sorted(set(codes))
    if not codes:
        return {}
    with reading(engine) as conn:
        rows = conn.execute(select(area.c.code, area.c.level, area.c.name_th, area.c.name_en).where(area.c.code.in_(codes)))
        return {r.code: AreaName(code=r.code, level=r.level, name_th=r.name_th, name_en=r.name_en) for r in rows}


def municipal_units_of(amphoe: str, engine: Engine | None = None) -> list[MunicipalUnit]:
    """The municipal units (เขตเทศบาล) of an amphoe, by code."""
    with reading(engine) as conn:
        return [
            MunicipalUnit(code=r.code, name_th=r.name_th, name_en=r.name_en)
            for r in conn.execute(
                select(area.c.code, area.c.name_th, area.c.name_en)
                .where(area.c.parent_code == amphoe, area.c.level == "municipality")
                .order_by(area.c.code)
            )
        ]


@dataclass(frozen=True)
class MapFrame:
    """What a map of an area's children needs besides their shapes: where to write each name
    (code → (lon, lat)), and the box (west, south, east, north) that holds them all."""

    names_at: dict[str, tuple[float, float]]
    extent: tuple[float, float, float, float] | None
    # each area's own box: a name is written where the area has room for it (components.figures.place_names)
    boxes: dict[str, tuple[float, float, float, float]] = field(default_factory=dict)


def map_frame(parent: str, engine: Engine | None = None) -> MapFrame:
    with reading(engine) as conn:
        rows = conn.execute(
            select(area.c.code, area.c.label_lon, area.c.label_lat, area.c.west, area.c.south, area.c.east, area.c.north).where(
                area.c.parent_code == parent, area.c.label_lon.is_not(None)
            )
        ).all()
    boxes = [r[3:] for r in rows if None not in r[3:]]
    extent = (
        (min(b[0] for b in boxes), min(b[1] for b in boxes), max(b[2] for b in boxes), max(b[3] for b in boxes))
        if boxes
        else None
    )
    return MapFrame({r[0]: (r[1], r[2]) for r in rows}, extent, {r[0]: tuple(r[3:]) for r in rows if None not in r[3:]})


def codes_with_geometry(level: str, engine: Engine | None = None) -> list[str]:
    """Every area of a level that has a polygon (the national tambon map draws them all): the same for every
    viewer, kept per data stamp (7,428 tambon codes took 23 ms to read on every recolour of the national map)."""
    engine = engine or read_engine()

    def read() -> list[str]:
        with reading(engine) as conn:
            q = select(area.c.code).where(area.c.level == level, area.c.has_geometry).order_by(area.c.code)
            return list(conn.scalars(q))

    return list(cache.cached(engine, ("codes_with_geometry", level), read))


def has_polygon(code: str, engine: Engine | None = None) -> bool:
    """Whether an area (of any level) has a polygon, from the set of every such code kept per data stamp. A map
    page's preload header asks it on every visit: it had been a pooled read of the area, 3 ms of a 4 ms page."""
    engine = engine or read_engine()

    def read() -> frozenset[str]:
        with reading(engine) as conn:
            return frozenset(conn.scalars(select(area.c.code).where(area.c.has_geometry)))

    return code in cache.cached(engine, "polygon_codes", read)


def is_known(code: str, engine: Engine | None = None) -> bool:
    """Whether an area of this code exists (any level, the country's TH among them), from the set of every code
    kept per data stamp: a page's address is checked with it before the page is sent (an unknown one is a 404)."""
    engine = engine or read_engine()

    def read() -> frozenset[str]:
        with reading(engine) as conn:
            return frozenset(conn.scalars(select(area.c.code)))

    return code in cache.cached(engine, "area_codes", read)


def tambons_counted_under(unit: str, engine: Engine | None = None) -> list[str]:
    """The tambons (with a boundary) whose people a municipal unit counts: where a unit, a point without a
    boundary of its own, is drawn."""
    with reading(engine) as conn:
        return list(
            conn.scalars(select(area.c.code).where(area.c.counted_under == unit, area.c.has_geometry).order_by(area.c.code))
        )


def children_with_geometry(code: str, engine: Engine | None = None) -> list[str]:
    with reading(engine) as conn:
        return list(
            conn.scalars(select(area.c.code).where(area.c.parent_code == code, area.c.has_geometry).order_by(area.c.code))
        )


def display_shapes(kind: str, engine: Engine | None = None) -> list[tuple[str, str, str | None, bytes | None]]:
    """(code, name_th, name_en, WKB) of the display geometries a shape file holds, in code order. `kind` is
    the file's name without `.json`: provinces, tambons, amphoes/<province>, tambons/<amphoe>,
    tambons-of/<province>."""
    engine = engine or read_engine()
    geom = func.ST_AsBinary(area.c.geom_display) if is_postgres(engine) else area.c.geom_display
    q = select(area.c.code, area.c.name_th, area.c.name_en, geom).where(area.c.has_geometry).order_by(area.c.code)
    what, _, parent = kind.partition("/")
    if what == "provinces":
        q = q.where(area.c.level == "province")
    elif what == "amphoes":
        q = q.where(area.c.level == "amphoe", area.c.parent_code == parent)
    elif what == "tambons":
        q = q.where(area.c.level == "tambon", *([area.c.parent_code == parent] if parent else []))
    elif what == "tambons-of":
        q = q.where(area.c.level == "tambon", area.c.code.like(parent + "%"))
    else:
        raise BadRequest(f"no shape file kind {kind!r}")
    with reading(engine) as conn:
        return [(c, th, en, None if w is None else bytes(w)) for c, th, en, w in tuples(conn.execute(q))]
