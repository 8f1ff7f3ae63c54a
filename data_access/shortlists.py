"""Named shortlists of priority areas or households: saved, shared by link, exported.

An area shortlist is public like the figures it lists. A household shortlist is personal data: whoever opens
the link sees only the households their own area covers (the rest are counted, not shown), and every open
and export is audited. One that holds none of theirs is, to them, a shortlist that does not exist (404).
"""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Any, Required, TypedDict, cast

from sqlalchemy import Engine, insert, select

from data_access import audit
from data_access import models as tables
from data_access.access import CurrentUser, record_refusal, require_user
from data_access.db import get_engine, insert_id, tuples, writing
from data_access.errors import BadRequest
from data_access.figures import ranking
from mpi.rules import crisis_rule

KINDS = ("areas", "households")
MAX_ITEMS = 500


class ShortlistError(BadRequest):
    pass


class Saved(TypedDict):
    id: int
    token: str
    url: str  # where the shortlist is shown


class ListedArea(TypedDict, total=False):
    """An area of a shortlist: its row of the ranking (figures.RankedArea) where it has one, else its code alone."""

    code: Required[str]
    position: Required[int]
    level: str
    name_th: str | None
    name_en: str | None
    source: str
    surveyed_persons: int
    target_poor_persons: int
    crisis_ge3: int
    crisis_basic_needs: int
    crisis: int
    crisis_share: float
    rank: int


class ListedHousehold(TypedDict):
    position: int
    house_id: str
    tambon_code: str
    village_no: int
    members: int
    target_poor_members: int


class Shortlist(TypedDict):
    token: str
    name: str
    kind: str  # areas | households
    year: int
    rule: str | None
    created_by: str
    created_at: str  # ISO moment, to the second
    hidden: int  # households outside the viewer's area, left out
    items: list[ListedArea] | list[ListedHousehold]


def create(
    user: CurrentUser | None,
    *,
    name: str,
    kind: str,
    year: int,
    refs: list[str],
    rule: str | None = None,
    engine: Engine | None = None,
) -> Saved:
    user = require_user(user)
    name = (name or "").strip()
    if not name:
        raise ShortlistError("a shortlist needs a name")
    if kind not in KINDS:
        raise ShortlistError(f"kind must be one of {', '.join(KINDS)}")
    refs = [str(r).strip() for r in refs if str(r).strip()]
    if not refs or len(refs) > MAX_ITEMS:
        raise ShortlistError(f"a shortlist holds 1 to {MAX_ITEMS} items")
    if len(set(refs)) != len(refs):
        raise ShortlistError("an item is listed twice")
    with writing(engine) as conn:
        if kind == "areas":
            known = set(conn.execute(select(tables.area.c.code).where(tables.area.c.code.in_(refs))).scalars())
        else:
            hc = tables.household.c
            rows = tuples(conn.execute(select(hc.house_id, hc.tambon_code).where(hc.year == year, hc.house_id.in_(refs))))
            outside = [h for h, t in rows if not user.covers(t)]
            if outside:  # answered below as a house id that does not exist: only the trail says it does
                reason = f"household {outside[0]} is outside your area"
                record_refusal(user, reason, object_type="shortlist", object_id=outside[0], engine=conn.engine)
            known = {h for h, t in rows if user.covers(t)}
        unknown = [r for r in refs if r not in known]
        if unknown:
            raise ShortlistError(f"unknown {'area code' if kind == 'areas' else 'house id'} {unknown[0]!r}")
        token = secrets.token_urlsafe(12)
        lst = tables.shortlist
        sid = insert_id(
            conn,
            lst,
            token=token,
            name=name[:200],
            kind=kind,
            year=year,
            rule=rule,
            created_by=user.username,
            created_at=dt.datetime.now(dt.UTC),
        )
        conn.execute(
            insert(tables.shortlist_item), [{"shortlist_id": sid, "position": i, "ref": r} for i, r in enumerate(refs, 1)]
        )
        audit.record(
            "shortlist_saved",
            user=user,
            object_type="shortlist",
            object_id=token,
            detail={"name": name, "kind": kind, "items": len(refs), "year": year},
            conn=conn,
        )
    return Saved(id=sid, token=token, url=f"/shortlists/{token}")


def get(token: str, *, user: CurrentUser | None, engine: Engine | None = None) -> Shortlist | None:
    """The shortlist with its rows, figures filled in; household rows limited to the viewer's area."""
    engine = engine or get_engine()
    with engine.connect() as conn:
        s = conn.execute(select(tables.shortlist).where(tables.shortlist.c.token == token)).mappings().first()
        if s is None:
            return None
        item = tables.shortlist_item.c
        refs: list[str] = list(conn.scalars(select(item.ref).where(item.shortlist_id == s["id"]).order_by(item.position)))
        out = Shortlist(
            token=s["token"],
            name=s["name"],
            kind=s["kind"],
            year=s["year"],
            rule=s["rule"],
            created_by=s["created_by"],
            created_at=str(s["created_at"])[:19],
            hidden=0,
            items=[],
        )
        if s["kind"] == "areas":
            rule = crisis_rule(s["rule"] or "ge3")
            figures: dict[str, dict[str, Any]] = {}
            for parent in {r[:-2] if len(r) > 2 else "TH" for r in refs}:
                figures |= {row["code"]: dict(row) for row in ranking(parent, s["year"], rule, engine=engine)}
            out["items"] = [cast(ListedArea, figures.get(r, {"code": r}) | {"position": i}) for i, r in enumerate(refs, 1)]
            return out
        viewer = require_user(user)
        owner = viewer.username == s["created_by"]
        hh = tables.household.c
        rows = {
            h: (t, v, n, w)
            for h, t, v, n, w in tuples(
                conn.execute(
                    select(hh.house_id, hh.tambon_code, hh.village_no, hh.n_persons, hh.n_welfare).where(
                        hh.year == s["year"], hh.house_id.in_(refs)
                    )
                )
            )
        }
    items = []
    for i, r in enumerate(refs, 1):
        if r in rows and viewer.covers(rows[r][0]):
            t, v, n, w = rows[r]
            items.append(ListedHousehold(position=i, house_id=r, tambon_code=t, village_no=v, members=n, target_poor_members=w))
        else:
            out["hidden"] += 1
    # Its name, its author and how much is hidden are about named households too: only the author and
    # viewers who see at least one of them learn any of it; to the rest it is a shortlist that does not exist.
    if not items and not owner:
        reason = f"shortlist {token} holds no household of your area"
        record_refusal(viewer, reason, object_type="shortlist", object_id=token[:64], engine=engine)
        return None
    audit.record(
        "view_household_list",
        user=viewer,
        object_type="shortlist",
        object_id=token,
        detail={"shown": len(items), "hidden": out["hidden"]},
        engine=engine,
    )
    out["items"] = items
    return out
