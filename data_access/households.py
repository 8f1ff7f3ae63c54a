"""Household and person reads: the one place that serves named records.

Every query for households or persons goes through `_scope`, so area-based access control
(issue: access control) is added here once and no page can forget it. Until then these
functions serve the synthetic demo microdata to everyone.
"""
from __future__ import annotations

import datetime as dt

from sqlalchemy import Engine, text

from data_access.db import get_engine
from mpi import catalogue
from mpi.rules import CRISIS_MIN_DIMENSIONS, DIMENSION_BIT, dimensions_of, popcount

PAGE_SIZE = 25
SORTS = {"village": "h.village_no, h.house_id", "members": "h.n_persons DESC, h.house_id",
         "target": "h.n_welfare DESC, h.house_id", "house": "h.house_id"}


def _scope(where: list[str], params: dict, user=None) -> None:
    """Restrict to what `user` may see. Public for now (synthetic data only); access control lands here."""


def _area_filter(code: str, where: list[str], params: dict) -> None:
    if code != "TH":
        where.append("h.tambon_code LIKE :prefix")
        params["prefix"] = code + "%"


def has_microdata(code: str, year: int, engine: Engine | None = None) -> bool:
    where, params = ["h.year = :y"], {"y": year}
    _area_filter(code, where, params)
    with (engine or get_engine()).connect() as conn:
        return conn.execute(text(f"SELECT 1 FROM household h WHERE {' AND '.join(where)} LIMIT 1"), params).first() is not None


def list_target_poor_households(code: str, year: int, *, page: int = 1, page_size: int = PAGE_SIZE,
                                dimension: str | None = None, crisis_only: bool = False, sort: str = "village",
                                user=None, engine: Engine | None = None) -> dict:
    """Target-poor households of an area (at least one welfare-card member in a deprived household), paged."""
    where = ["h.year = :y", "h.pattern <> 0", "h.n_welfare > 0"]
    params: dict = {"y": year}
    _area_filter(code, where, params)
    if dimension:
        where.append("(h.pattern & :bit) <> 0")
        params["bit"] = DIMENSION_BIT[dimension]
    if crisis_only:
        # popcount >= 3 of a 5-bit pattern: the patterns are few, so list them.
        crisis = [p for p in range(32) if popcount(p) >= CRISIS_MIN_DIMENSIONS]
        where.append(f"h.pattern IN ({', '.join(map(str, crisis))})")
    _scope(where, params, user)
    clause = " AND ".join(where)
    page = max(1, page)
    with (engine or get_engine()).connect() as conn:
        total = conn.execute(text(f"SELECT COUNT(*) FROM household h WHERE {clause}"), params).scalar()
        rows = conn.execute(text(
            f"SELECT h.house_id, h.tambon_code, h.village_no, h.n_persons, h.n_welfare, h.pattern FROM household h "
            f"WHERE {clause} ORDER BY {SORTS.get(sort, SORTS['village'])} LIMIT :lim OFFSET :off"),
            params | {"lim": page_size, "off": (page - 1) * page_size}).all()
    items = [{"house_id": r.house_id, "tambon_code": r.tambon_code, "village_no": r.village_no,
              "members": r.n_persons, "target_poor_members": r.n_welfare,
              "deprived_dimensions": dimensions_of(r.pattern), "crisis": popcount(r.pattern) >= CRISIS_MIN_DIMENSIONS}
             for r in rows]
    return {"items": items, "total": total, "page": page, "page_size": page_size}


def get_household(house_id: str, year: int, *, user=None, engine: Engine | None = None) -> dict | None:
    where, params = ["h.year = :y", "h.house_id = :hid"], {"y": year, "hid": house_id}
    _scope(where, params, user)
    with (engine or get_engine()).connect() as conn:
        h = conn.execute(text(
            "SELECT h.id, h.house_id, h.tambon_code, h.village_no, h.latitude, h.longitude, h.pattern, h.n_persons, "
            f"h.n_welfare FROM household h WHERE {' AND '.join(where)}"), params).mappings().first()
        if h is None:
            return None
        members = conn.execute(text(
            "SELECT citizen_id, first_name, last_name, sex, birth_date, welfare_card, disabled FROM person "
            "WHERE household_id = :id ORDER BY birth_date"), {"id": h["id"]}).mappings().all()
        failed = list(conn.execute(text("SELECT indicator_code FROM household_failure WHERE household_id = :id "
                                        "ORDER BY indicator_code"), {"id": h["id"]}).scalars())
    names = {i.code: i for i in catalogue.indicators_for_year(year)}
    ref = dt.date(year - 543, 7, 1)
    out = dict(h) | {"deprived_dimensions": dimensions_of(h["pattern"]),
                     "crisis": h["n_welfare"] > 0 and popcount(h["pattern"]) >= CRISIS_MIN_DIMENSIONS}
    out["members"] = []
    for m in members:
        born = m["birth_date"] if isinstance(m["birth_date"], dt.date) else dt.date.fromisoformat(str(m["birth_date"]))
        age = ref.year - born.year - ((ref.month, ref.day) < (born.month, born.day))
        out["members"].append({"citizen_id": m["citizen_id"], "first_name": m["first_name"], "last_name": m["last_name"],
                               "sex": m["sex"], "age": age, "welfare_card": bool(m["welfare_card"]),
                               "disabled": bool(m["disabled"])})
    out["failed_indicators"] = [{"code": c, "dimension": names[c].dimension, "name_th": names[c].name_th,
                                 "name_en": names[c].name_en} for c in failed if c in names]
    return out

