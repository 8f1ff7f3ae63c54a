"""Reads from a streaming replica, with read-your-writes (issue 17).

With TPMAP_DATABASE_READ_URL set, a request's figure and list reads (`db.reading`, `db.one_connection`) go to the
replica, and its writes (always) to the primary. A request that wrote (`db.writing`) reads the primary for the rest of
its life, and its session remembers the primary's WAL position; the session's next requests read the replica only
once the replica has replayed that far. So an official who records a visit sees it on the next page, from whichever
worker, while everyone else's reads stay off the primary. Requests signed with a bearer token (the field API, scripts)
read the primary: they carry no session to remember their writes in, and they are few.

A replica that does not answer is left alone for a while and the primary serves (db._connect)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, text

from data_access import db


def start(pinned_lsn: str | None, *, bearer: bool) -> tuple[tuple[Any, Any], str | None]:
    """Route this request's reads. `pinned_lsn`: the WAL position of the session's last write not yet seen on the
    replica. Returns the tokens for `finish` and the position still to wait for (None once the replica has it)."""
    replica = db.replica_engine()
    route, still_pinned = "primary", pinned_lsn
    if replica is not None and not bearer:
        if pinned_lsn is None or _replayed(replica, pinned_lsn):
            route, still_pinned = "replica", None
    return db.route_reads(route), still_pinned


def finish(tokens: tuple[Any, Any]) -> None:
    db.end_route(tokens)


def position_after_write() -> str | None:
    """The primary's WAL position now, if this request wrote and a replica is in use (else None: nothing to wait
    for). Called after the request's transactions have committed."""
    if not db.wrote_here() or db.replica_engine() is None:
        return None
    with db.get_engine().connect() as conn:
        return conn.execute(text("SELECT pg_current_wal_lsn()::text")).scalar()  # raw: a server function, no table


def _replayed(replica: Engine, lsn: str) -> bool:
    try:
        with replica.connect() as conn:
            # NULL (not a standby at all) counts as "not replayed": the primary is always right
            # raw: server functions over pg_lsn, a type SQLAlchemy does not know
            return bool(conn.execute(text("SELECT pg_last_wal_replay_lsn() >= CAST(:lsn AS pg_lsn)"), {"lsn": lsn}).scalar())
    except Exception as error:
        if not db.is_outage(error):
            raise
        db.replica_marked_down()
        return False


def status() -> str | None:
    """For the health check: None without a replica; "ok" when it answers and is a standby; else "unavailable"."""
    replica = db.replica_engine()
    if replica is None:
        return None
    try:
        with replica.connect() as conn:
            standby = conn.execute(text("SELECT pg_is_in_recovery()")).scalar()  # raw: a server function, no table
    except Exception as error:
        if not db.is_outage(error):
            raise
        return "unavailable"
    return "ok" if standby else "unavailable"
