"""Scraping stopped and reported: public scripts have scraped the real Logbook's person look-ups.

Per account, household-record views and citizen-ID reveals are counted per hour (in the shared rate-limit windows,
data_access.ratelimit). The first event past the configured threshold (config.Settings.alert_*_per_hour) blocks the
account (inactive, its sessions and tokens revoked), records an `abuse_alert` in the audit trail and opens an alert
that an administrator reads on /admin/alerts and closes, reactivating the account or keeping it blocked. The
per-minute look-up limit (429) stays in front of this: it slows a burst; this stops a sustained harvest.
"""

from __future__ import annotations

import datetime as dt
from typing import TypedDict

from sqlalchemy import Engine, select, update

from data_access import audit, ratelimit
from data_access import models as tables
from data_access.access import CurrentUser, RateLimited
from data_access.db import get_engine
from data_access.errors import Forbidden, NotFoundError
from data_access.policy import ACCOUNTS_ALL, may

WINDOWS = dict(zip(("record_views", "id_reveals"), ratelimit.HOURLY, strict=True))  # their rate-limit windows


def _threshold(kind: str) -> int:
    import config

    s = config.settings()
    return s.alert_record_views_per_hour if kind == "record_views" else s.alert_id_reveals_per_hour


def watch(kind: str, user: CurrentUser, engine: Engine | None = None) -> None:
    """Count one record view or ID reveal by this account; past the hour's threshold, block it and raise the alert
    (Forbidden: the request that went past it is refused too)."""
    threshold = _threshold(kind)
    try:
        ratelimit.hit(WINDOWS[kind], user.username, "", limit=(threshold, ratelimit.HOUR))
    except RateLimited:
        past = True
    else:
        past = False
    if past:
        raise_alert(user, kind, threshold, engine=engine)


def raise_alert(user: CurrentUser, kind: str, threshold: int, engine: Engine | None = None) -> None:
    from data_access.accounts import revoke_everything

    engine = engine or get_engine()
    users, alerts = tables.user_account, tables.abuse_alert
    now = dt.datetime.now(dt.UTC)
    with engine.begin() as conn:
        # only the request that flips the account opens the alert: parallel ones find it blocked already
        flipped = conn.execute(update(users).where(users.c.id == user.id, users.c.active.is_(True)).values(active=False)).rowcount
        if flipped:
            revoke_everything(conn, user.id)
            conn.execute(alerts.insert().values(user_id=user.id, kind=kind, threshold=threshold, raised_at=now))
            audit.record(
                "abuse_alert",
                user=user,
                object_type="user",
                object_id=user.username,
                area_code=user.areas[0] if user.areas else None,
                detail={"kind": kind, "per_hour": threshold},
                conn=conn,
            )
    raise Forbidden(
        "this account has been blocked for reading records faster than any person's work needs; an administrator has been alerted",
        key="error.blocked",
        audited=True,
    )


def _require_admin(manager: CurrentUser) -> None:
    if not may(manager, ACCOUNTS_ALL):
        raise Forbidden("only national administrators handle abuse alerts")


class OpenAlert(TypedDict):
    id: int
    kind: str
    threshold: int
    raised_at: dt.datetime
    username: str
    role: str


def open_alerts(manager: CurrentUser, engine: Engine | None = None) -> list[OpenAlert]:
    _require_admin(manager)
    users, alerts = tables.user_account, tables.abuse_alert
    with (engine or get_engine()).connect() as conn:
        rows = conn.execute(
            select(alerts.c.id, alerts.c.kind, alerts.c.threshold, alerts.c.raised_at, users.c.username, users.c.role)
            .join(users, users.c.id == alerts.c.user_id)
            .where(alerts.c.closed_at.is_(None))
            .order_by(alerts.c.raised_at)
        )
        return [
            OpenAlert(id=r.id, kind=r.kind, threshold=r.threshold, raised_at=r.raised_at, username=r.username, role=r.role)
            for r in rows
        ]


def close_alert(manager: CurrentUser, alert_id: int, *, reactivate: bool, engine: Engine | None = None) -> None:
    """An administrator has looked: the alert is closed, and the account reactivated or kept blocked."""
    _require_admin(manager)
    users, alerts = tables.user_account, tables.abuse_alert
    with (engine or get_engine()).begin() as conn:
        row = conn.execute(
            select(alerts.c.user_id, users.c.username)
            .join(users, users.c.id == alerts.c.user_id)
            .where(alerts.c.id == alert_id, alerts.c.closed_at.is_(None))
        ).first()
        if row is None:
            raise NotFoundError(f"no open alert {alert_id}")
        outcome = "reactivated" if reactivate else "kept_blocked"
        conn.execute(
            update(alerts)
            .where(alerts.c.user_id == row.user_id, alerts.c.closed_at.is_(None))
            .values(closed_at=dt.datetime.now(dt.UTC), closed_by=manager.id, outcome=outcome)
        )
        if reactivate:
            conn.execute(update(users).where(users.c.id == row.user_id).values(active=True))
        audit.record(
            "abuse_alert_closed", user=manager, object_type="user", object_id=row.username, detail={"outcome": outcome}, conn=conn
        )
