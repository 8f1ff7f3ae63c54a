"""Engine and transactions. One engine per URL per process."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import cache
from pathlib import Path
from typing import Any, cast

from sqlalchemy import Connection, Engine, Result, create_engine, event, insert, make_url, text

import config


def _private_file(url: str) -> None:
    """The embedded database holds people's records: readable by its owner only (0600), like the secret key.
    SQLite gives its -wal and -shm files the database file's permissions."""
    path = make_url(url).database
    if not path or path == ":memory:":
        return
    p = Path(path)
    p.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(p, os.O_CREAT | os.O_RDWR, 0o600)
    os.close(fd)
    os.chmod(p, 0o600)


@cache
def engine_for(url: str) -> Engine:
    # hide_parameters: a failed statement is logged and raised without its values (names, citizen IDs)
    if url.startswith("sqlite"):
        _private_file(url)
        eng = create_engine(url, connect_args={"timeout": 60}, hide_parameters=True)

        @event.listens_for(eng, "connect")
        def _sqlite_pragmas(dbapi_conn, _record):  # pragma: no cover - trivial
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.close()

        return eng
    # pool_pre_ping: a connection is checked before use, so after a database restart the first request reconnects
    # instead of failing; connect_timeout: an unreachable server answers "unavailable" in seconds, not minutes
    connect_args = {"connect_timeout": 5} if url.startswith("postgresql") else {}
    return create_engine(url, pool_pre_ping=True, hide_parameters=True, connect_args=connect_args)


def is_outage(error: BaseException) -> bool:
    """Whether an error says the database cannot be reached or used just now (a restart, a dropped connection, a
    full pool, a locked or full SQLite file), not that the request was wrong: the answer is 503, try again."""
    from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
    from sqlalchemy.exc import TimeoutError as PoolTimeout

    if isinstance(error, (OperationalError, InterfaceError, PoolTimeout)):
        return True
    return isinstance(error, DBAPIError) and bool(error.connection_invalidated)


def serialize(conn: Connection, key: str) -> None:
    """Hold a lock named `key` until this transaction ends, so that two transactions recomputing the same derived
    rows (a tambon's Logbook rollup, delete-then-insert) take turns: the second then reads the first's committed
    writes and never inserts beside them. PostgreSQL: a transaction-level advisory lock; SQLite runs one writer
    at a time already."""
    if conn.dialect.name == "postgresql":
        conn.execute(text("SELECT pg_advisory_xact_lock(hashtextextended(:k, 0))"), {"k": key})


def get_engine(url: str | None = None) -> Engine:
    return engine_for(url or config.database_url())


def is_postgres(engine: Engine) -> bool:
    return engine.dialect.name == "postgresql"


def tuples(result: Result) -> list[tuple[Any, ...]]:
    """A result's rows as tuples of values. The tables in models.py are Core tables without Python types, and
    SQLAlchemy 2.1 types each value of such a row as `object`; this is the one place that says "the columns
    hold what the schema says" (`Result.tuples()` did this before 2.1 and is deprecated)."""
    return cast(list[tuple[Any, ...]], result.all())


def insert_id(conn, table, **values) -> int:
    """One row into a declared table; its new id (RETURNING on both backends)."""
    return conn.execute(insert(table).values(**values).returning(table.c.id)).scalar_one()


# A page render reads through one pooled connection (one_connection): its reads see one snapshot, and the pool is
# asked once per render instead of once per function (a province page was 24 checkouts).
_bound: ContextVar[Connection | None] = ContextVar("tpmap_read_connection", default=None)
# what the render has read once and asks for again (an area's row for its summary, its trend and its map)
_memo: ContextVar[dict | None] = ContextVar("tpmap_render_memo", default=None)


def render_memo() -> dict | None:
    """The current render's memo of repeated reads, or None outside a render (then nothing is kept)."""
    return _memo.get()


@contextmanager
def one_connection(engine: Engine | None = None) -> Iterator[Connection]:
    """Every read inside shares one connection (nested uses share the outer one). Writes open their own."""
    bound = _bound.get()
    if bound is not None:
        yield bound
        return
    with (engine or get_engine()).connect() as conn:
        token, memo = _bound.set(conn), _memo.set({})
        try:
            yield conn
        finally:
            _memo.reset(memo)
            _bound.reset(token)


@contextmanager
def reading(engine: Engine | None = None) -> Iterator[Connection]:
    """A connection to read with: the render's own (one_connection) when there is one on this engine, else one
    from the pool for this read alone."""
    bound = _bound.get()
    if bound is not None and (engine is None or bound.engine is engine):
        yield bound
        return
    with (engine or get_engine()).connect() as conn:
        yield conn
