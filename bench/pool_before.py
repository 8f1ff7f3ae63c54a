"""The production entry point with the pool as it was before issue 35.4, for bench/cache_pool.py's A/B only:
`gunicorn bench.pool_before:server` pings every connection before each checkout (pool_pre_ping) and reads inside a
transaction of their own (a BEGIN before the first read, a ROLLBACK when the connection goes back to the pool)."""

from __future__ import annotations

from functools import cache
from typing import Any

from sqlalchemy import Connection, Engine, create_engine

from data_access import db

_new_engine_for = db._engine_for


@cache
def engine_as_before(url: str) -> Engine:
    if not url.startswith("postgresql"):
        return _new_engine_for(url)
    return create_engine(url, pool_pre_ping=True, hide_parameters=True, connect_args={"connect_timeout": 5})


def in_a_transaction(conn: Connection) -> Connection:
    return conn


def install() -> None:
    db._engine_for = engine_as_before
    db._autocommit = in_a_transaction


def __getattr__(name: str) -> Any:
    """`server` (gunicorn's app), built once the pool is set back."""
    if name != "server":
        raise AttributeError(name)
    install()
    from wsgi import server

    return server
