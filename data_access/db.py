"""Engine and transactions. One engine per URL per process."""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar, Token
from functools import cache
from pathlib import Path
from typing import Any, cast

from sqlalchemy import Connection, Engine, Result, Table, create_engine, event, insert, make_url, text

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


_created: list[Engine] = []


def after_fork() -> None:
    """In a process forked from one that had engines (gunicorn's preloaded app): drop the inherited pools without
    closing their connections, which belong to the parent; this process opens its own."""
    for engine in _created:
        engine.dispose(close=False)


def engine_for(url: str) -> Engine:
    engine = _engine_for(url)
    if engine not in _created:
        _created.append(engine)
    return engine


@cache
def _engine_for(url: str) -> Engine:
    # hide_parameters: a failed statement is logged and raised without its values (names, citizen IDs)
    if url.startswith("sqlite"):
        _private_file(url)
        eng = create_engine(url, connect_args={"timeout": 60}, hide_parameters=True)

        @event.listens_for(eng, "connect")
        def _sqlite_pragmas(dbapi_conn: Any, _record: object) -> None:  # pragma: no cover - trivial
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.close()

        return eng
    # A trusted database on the local network (issue 35.4): no ping before every checkout (a round trip each, 9 % of a
    # worker's samples under load); a connection is replaced once it is TPMAP_DB_POOL_RECYCLE seconds old instead.
    # After a restart of the server, the first statement on a connection it dropped fails (that request answers 503:
    # is_outage) and SQLAlchemy then invalidates the whole pool, so every later checkout connects afresh
    # (tests/test_pool.py). The pool's rollback on return stays: with psycopg 3 it costs nothing on a connection with
    # no transaction open (reads: _autocommit), and it still ends one that a failed close left open.
    # connect_timeout: an unreachable server answers "unavailable" in seconds, not minutes
    connect_args = {"connect_timeout": 5} if url.startswith("postgresql") else {}
    return create_engine(
        url,
        pool_pre_ping=False,
        pool_recycle=config.settings().db_pool_recycle,
        hide_parameters=True,
        connect_args=connect_args,
    )


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
        # raw: a PostgreSQL lock function, no table involved
        conn.execute(text("SELECT pg_advisory_xact_lock(hashtextextended(:k, 0))"), {"k": key})


def get_engine(url: str | None = None) -> Engine:
    """The primary: every write, and every read that must see the latest write."""
    return engine_for(url or config.database_url())


# Reads may go to a streaming replica (TPMAP_DATABASE_READ_URL). Where a request's reads go is decided once, at its
# start, by data_access.replica (never by a callback); outside a request, and by default, everything is the primary.
_route: ContextVar[str] = ContextVar("tpmap_read_route", default="primary")
_wrote: ContextVar[bool] = ContextVar("tpmap_wrote", default=False)
# what this request records inside the transaction of each of its writes (data_access.idempotency sets it)
_with_every_write: ContextVar[Callable[[Connection], None] | None] = ContextVar("tpmap_with_every_write", default=None)
_replica_down_until = [0.0]  # after a failed connect, the replica is left alone for REPLICA_RETRY_SECONDS
REPLICA_RETRY_SECONDS = 30.0


def replica_engine() -> Engine | None:
    url = config.settings().database_read_url
    return engine_for(url) if url else None


def engines_in_use() -> list[tuple[str, Any]]:
    """The pools this process serves from, by role (for data_access.metrics)."""
    replica = replica_engine()
    return [("primary", get_engine().pool)] + ([("replica", replica.pool)] if replica is not None else [])


def read_engine() -> Engine:
    """Where this request's figure and list reads go: the replica when one is configured, this request was routed
    to it and it answered lately; else the primary."""
    replica = replica_engine()
    if replica is None or _route.get() != "replica" or time.monotonic() < _replica_down_until[0]:
        return get_engine()
    return replica


def _connect(engine: Engine) -> Connection:
    """A connection to read with from `engine`; when that is the replica and it does not answer, the primary's
    (reads go on, a little slower, while the replica is away)."""
    try:
        return _autocommit(engine.connect())
    except Exception as error:
        if engine is get_engine() or not is_outage(error):
            raise
        replica_marked_down()
        return _autocommit(get_engine().connect())


def _autocommit(conn: Connection) -> Connection:
    """A read connection on PostgreSQL runs each statement on its own (autocommit): no BEGIN before its first read
    and no ROLLBACK when it goes back to the pool, two round trips of every request saved. Nothing is lost by it:
    reads run at READ COMMITTED, where each statement sees its own snapshot anyway, and every write takes its own
    connection and ends its own transaction (`writing()`, `Engine.begin()`); a write sent through a read connection
    was rolled back at its release before, and would be an error either way. The setting is the connection's alone
    (psycopg's `autocommit` attribute: no round trip) and the pool puts the default back when it is returned."""
    if conn.dialect.name == "postgresql":
        conn.execution_options(isolation_level="AUTOCOMMIT")
    return conn


@contextmanager
def writing(engine: Engine | None = None) -> Iterator[Connection]:
    """A transaction on the primary for a change the user will want to see (a Logbook record, a status, an order):
    once it commits, the rest of the request reads the primary, and the request is marked as having written, so the
    session's next reads wait for a replica that has replayed it (read-your-writes); an Idempotency-Key the request
    holds is marked as applied in the same transaction. Bookkeeping writes (rate
    windows, the audit trail) use `begin()` and do not pin the session to the primary."""
    with (engine or get_engine()).begin() as conn:
        yield conn
        hook = _with_every_write.get()
        if hook is not None:
            hook(conn)  # (an idempotency key marked applied: a replay is answered, never run again)
    _wrote.set(True)
    _route.set("primary")


def is_postgres(engine: Engine) -> bool:
    return engine.dialect.name == "postgresql"


def tuples(result: Result) -> list[tuple[Any, ...]]:
    """A result's rows as tuples of values. The tables in models.py are Core tables without Python types, and
    SQLAlchemy 2.1 types each value of such a row as `object`; this is the one place that says "the columns
    hold what the schema says" (`Result.tuples()` did this before 2.1 and is deprecated)."""
    return cast(list[tuple[Any, ...]], result.all())


def insert_id(conn: Connection, table: Table, **values: Any) -> int:
    """One row into a declared table; its new id (RETURNING on both backends)."""
    return conn.execute(insert(table).values(**values).returning(table.c.id)).scalar_one()


# A page render reads through one pooled connection (one_connection): the pool is asked once per render instead of
# once per function (a province page was 24 checkouts).
_bound: ContextVar[Connection | None] = ContextVar("tpmap_read_connection", default=None)
# (what, code) -> the row read, e.g. ("area", "75"): an area's row as data_access.areas or .figures shapes it
RenderMemo = dict[tuple[str, str], Mapping[str, Any]]
# what the render has read once and asks for again (an area's row for its summary, its trend and its map)
_memo: ContextVar[RenderMemo | None] = ContextVar("tpmap_render_memo", default=None)


def render_memo() -> RenderMemo | None:
    """The current render's memo of repeated reads, or None outside a render (then nothing is kept)."""
    return _memo.get()


# A web request's reads share one connection per engine, checked out at its first read and returned at its end
# (hold_connections): a signed-in API call read its credential, its data and its area through three checkouts, each
# a pre-ping and a rollback, which was about a fifth of a worker's time under load. Writes still take their own
# connection and transaction, so a counter or an audit row commits whatever the request does next.
_held: ContextVar[dict[Engine, Connection] | None] = ContextVar("tpmap_held_connections", default=None)


def hold_connections() -> Token[dict[Engine, Connection] | None]:
    """From now until release_connections(token), reads reuse one connection per engine."""
    return _held.set({})


def release_connections(token: Token[dict[Engine, Connection] | None]) -> None:
    held = _held.get() or {}
    _held.reset(token)
    for conn in held.values():
        try:
            conn.close()  # (its read transaction rolled back: the connection goes back to the pool clean)
        except Exception:  # noqa: BLE001 - a connection the server dropped: the pool has invalidated it already
            pass


@contextmanager
def _read_connection(engine: Engine) -> Iterator[Connection]:
    """A connection on `engine` for reads: the request's held one when there is a request, else a pooled one for
    this read alone. A read that fails leaves the held connection usable (its transaction rolled back) or drops it."""
    held = _held.get()
    if held is None:
        with _connect(engine) as conn:
            yield conn
        return
    kept = held.get(engine)
    if kept is None or kept.closed or kept.invalidated:
        kept = held[engine] = _connect(engine)  # (the primary's, when the replica does not answer)
    conn = kept
    try:
        yield conn
    except BaseException:
        try:
            conn.rollback()
        except Exception:  # noqa: BLE001 - the connection itself is gone: the next read takes a fresh one
            held.pop(engine, None)
            conn.close()
        raise


@contextmanager
def one_connection(engine: Engine | None = None) -> Iterator[Connection]:
    """Every read inside shares one connection (nested uses share the outer one). Writes open their own."""
    bound = _bound.get()
    if bound is not None:
        yield bound
        return
    with _read_connection(engine or read_engine()) as conn:
        token, memo = _bound.set(conn), _memo.set({})
        try:
            yield conn
        finally:
            _memo.reset(memo)
            _bound.reset(token)


@contextmanager
def reading(engine: Engine | None = None) -> Iterator[Connection]:
    """A connection to read with: the render's own (one_connection) when there is one on this engine, else the
    request's (hold_connections), else one from the pool for this read alone."""
    bound = _bound.get()
    if bound is not None and (bound.engine is engine or (engine is None and not _behind_a_write(bound))):
        yield bound
        return
    with _read_connection(engine or read_engine()) as conn:
        yield conn


def _behind_a_write(conn: Connection) -> bool:
    """A render's replica connection, after the request wrote: it may not have the write yet."""
    return _route.get() == "primary" and conn.engine is replica_engine()


def route_reads(route: str) -> tuple[Any, Any]:
    """This request's reads go to `route` ("replica" or "primary") and it has written nothing yet; the tokens undo
    it at the end of the request (the thread serves other requests, and tests, afterwards)."""
    return _route.set(route), _wrote.set(False)


def end_route(tokens: tuple[Any, Any]) -> None:
    _route.reset(tokens[0])
    _wrote.reset(tokens[1])


def wrote_here() -> bool:
    """Whether this request committed a change through `writing()`."""
    return _wrote.get()


def with_every_write(hook: Callable[[Connection], None]) -> Token[Callable[[Connection], None] | None]:
    """Run `hook(conn)` inside the transaction of every `writing()` of this request, until reset with the token."""
    return _with_every_write.set(hook)


def end_with_every_write(token: Token[Callable[[Connection], None] | None]) -> None:
    _with_every_write.reset(token)


def replica_marked_down() -> None:
    _replica_down_until[0] = time.monotonic() + REPLICA_RETRY_SECONDS
