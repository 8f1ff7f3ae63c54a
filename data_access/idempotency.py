"""Idempotency keys for writes (the field app replays its queue; a double tap sends twice).

claim() records a key before the write runs: a repeat of a finished request gets the stored answer, a repeat
that arrives while the first is still running waits for it, and the same key for another request is refused.
The key's row is the lock, so two copies of one request can never both write, on either backend.
"""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass

from sqlalchemy import Engine, text
from sqlalchemy.exc import IntegrityError

from data_access.db import get_engine

WAIT_SECONDS = 15.0  # how long a repeat waits for the first copy to finish
ABANDONED = dt.timedelta(minutes=2)  # a claim this old without an answer was cut off: the repeat may proceed


class KeyReused(ValueError):
    """The key was used for a different request (another path, method or body)."""


class StillRunning(RuntimeError):
    """The first request with this key has not finished yet."""


@dataclass(frozen=True)
class Stored:
    status: int
    response: str


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _aware(v):
    if isinstance(v, str):
        v = dt.datetime.fromisoformat(v)
    return v if v.tzinfo else v.replace(tzinfo=dt.UTC)


def claim(user_id: int, key: str, method: str, path: str, body_sha256: str, engine: Engine | None = None) -> Stored | None:
    """None: this request is the first and should run (answer with finish()); a Stored: the answer to repeat."""
    engine = engine or get_engine()
    deadline = time.monotonic() + WAIT_SECONDS
    while True:
        try:
            with engine.begin() as conn:
                conn.execute(
                    text(
                        "INSERT INTO idempotent_request (user_id, key, method, path, body_sha256, created_at) "
                        "VALUES (:u, :k, :m, :p, :b, :t)"
                    ),
                    {"u": user_id, "k": key, "m": method, "p": path, "b": body_sha256, "t": _now()},
                )
            return None
        except IntegrityError:
            pass
        with engine.connect() as conn:
            row = (
                conn.execute(
                    text(
                        "SELECT method, path, body_sha256, status, response, created_at "
                        "FROM idempotent_request WHERE user_id = :u AND key = :k"
                    ),
                    {"u": user_id, "k": key},
                )
                .mappings()
                .first()
            )
        if row is None:
            continue  # released in between: try to claim again
        if (row["method"], row["path"], row["body_sha256"]) != (method, path, body_sha256):
            raise KeyReused("this Idempotency-Key was already used for a different request; send a new key")
        if row["status"] is not None:
            return Stored(int(row["status"]), row["response"] or "")
        if _now() - _aware(row["created_at"]) > ABANDONED:
            release(user_id, key, engine)
            continue
        if time.monotonic() > deadline:
            raise StillRunning("a request with this Idempotency-Key is still being processed; try again shortly")
        time.sleep(0.05)


def finish(user_id: int, key: str, status: int, response: str, engine: Engine | None = None) -> None:
    with (engine or get_engine()).begin() as conn:
        conn.execute(
            text("UPDATE idempotent_request SET status = :s, response = :r WHERE user_id = :u AND key = :k"),
            {"s": status, "r": response, "u": user_id, "k": key},
        )


def release(user_id: int, key: str, engine: Engine | None = None) -> None:
    """Forget a claim whose request failed on the server's side (5xx, 429): a retry runs it afresh."""
    with (engine or get_engine()).begin() as conn:
        conn.execute(
            text("DELETE FROM idempotent_request WHERE user_id = :u AND key = :k AND status IS NULL"), {"u": user_id, "k": key}
        )
