"""The audit trail: who looked at or changed what, sign-ins and failures. Append-only.

Never pass a full citizen ID or a name here: use a masked ID and the house id.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from typing import Protocol, TypedDict

from sqlalchemy import Connection, Engine, insert, select

from data_access import models as tables
from data_access.db import get_engine

ACTIONS = (
    "login_ok",
    "login_failed",
    "login_locked",
    "logout",
    "token_issued",
    "token_revoked",
    "password_changed",
    "view_household_list",
    "view_household",
    "reveal_citizen_id",
    "export",
    "access_denied",
    "rate_limited",
    "user_created",
    "user_changed",
    "logbook_visit",
    "logbook_need",
    "logbook_need_update",
    "logbook_assistance",
    "logbook_status",
    "member_request",
    "member_request_approved",
    "member_request_rejected",
    "mentor_team",
    "mentor_assign",
    "mentor_hand_back",
    "shortlist_saved",
    "committee_changed",
    "committee_order",
    "report_saved",
    "report_submitted",
    "password_change_failed",
    "account_approved",
    "account_rejected",
    "view_mentor_teams",
    "view_shortlist",
    "abuse_alert",
    "abuse_alert_closed",
)

# Field sizes: an attacker's 5 MB username or query string must not become a 5 MB audit row.
LIMITS = {"username": 64, "action": 40, "object_type": 20, "object_id": 64, "area_code": 8, "ip": 45}
MAX_DETAIL = 2000


def _clip(value: str | None, limit: int) -> str | None:
    if value is None:
        return None
    value = str(value)
    return value if len(value) <= limit else value[: limit - 1] + "…"


def _detail(detail: Mapping[str, object] | None) -> str | None:
    if not detail:
        return None
    encoded = json.dumps(detail, ensure_ascii=False, default=str)
    if len(encoded) <= MAX_DETAIL:
        return encoded
    # keep it JSON: each value clipped until it fits
    clipped = {
        str(k)[:40]: _clip(v if isinstance(v, str) else json.dumps(v, ensure_ascii=False, default=str), 200)
        for k, v in list(detail.items())[:20]
    }
    return json.dumps(clipped | {"_clipped": True}, ensure_ascii=False)[:MAX_DETAIL]


class Actor(Protocol):
    """Who did it: an access.CurrentUser (named by its shape: access imports this module)."""

    @property
    def id(self) -> int: ...
    @property
    def username(self) -> str: ...


def record(
    action: str,
    *,
    user: Actor | None = None,
    username: str | None = None,
    object_type: str | None = None,
    object_id: str | None = None,
    area_code: str | None = None,
    detail: Mapping[str, object] | None = None,
    ip: str | None = None,
    conn: Connection | None = None,
    engine: Engine | None = None,
) -> None:
    row = {
        "at": dt.datetime.now(dt.UTC),
        "user_id": getattr(user, "id", None),
        "username": _clip(getattr(user, "username", None) or username, LIMITS["username"]),
        "action": _clip(action, LIMITS["action"]),
        "object_type": _clip(object_type, LIMITS["object_type"]),
        "object_id": _clip(object_id, LIMITS["object_id"]),
        "area_code": _clip(area_code, LIMITS["area_code"]),
        "detail": _detail(detail),
        "ip": _clip(ip, LIMITS["ip"]),
    }
    sql = insert(tables.audit_event).values(**row)
    if conn is not None:
        conn.execute(sql)
    else:
        with (engine or get_engine()).begin() as c:
            c.execute(sql)


def events(
    *,
    username: str | None = None,
    action: str | None = None,
    since: dt.date | None = None,
    until: dt.date | None = None,
    area_prefix: str | None = None,
    limit: int = 500,
    engine: Engine | None = None,
) -> list[Event]:
    e = tables.audit_event.c
    where = []
    if username:
        where.append(e.username == username)
    if action:
        where.append(e.action == action)
    if since:
        where.append(e.at >= dt.datetime.combine(since, dt.time.min, dt.UTC))
    if until:
        where.append(e.at < dt.datetime.combine(until + dt.timedelta(days=1), dt.time.min, dt.UTC))
    if area_prefix and area_prefix != "TH":
        where.append(e.area_code.like(area_prefix + "%"))
    columns = (e.id, e.at, e.username, e.action, e.object_type, e.object_id, e.area_code, e.detail, e.ip)
    with (engine or get_engine()).connect() as conn:
        rows = conn.execute(select(*columns).where(*where).order_by(e.id.desc()).limit(limit))
        return [
            Event(
                id=r.id,
                at=r.at,
                username=r.username,
                action=r.action,
                object_type=r.object_type,
                object_id=r.object_id,
                area_code=r.area_code,
                detail=r.detail,
                ip=r.ip,
            )
            for r in rows
        ]


class Event(TypedDict):
    """One row of the audit trail."""

    id: int
    at: dt.datetime  # UTC
    username: str | None
    action: str
    object_type: str | None
    object_id: str | None
    area_code: str | None
    detail: str | None  # JSON text
    ip: str | None
