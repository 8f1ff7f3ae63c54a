"""Idempotency keys for writes (the field app replays its queue; a double tap sends twice).

claim() records a key before the write runs: a repeat of a finished request gets the stored answer, a repeat
that arrives while the first is still running waits for it, and the same key for another request is refused.
The key's row is the lock, so two copies of one request can never both write, on either backend.
"""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass

from sqlalchemy import Engine, delete, insert, select, update
from sqlalchemy.exc import IntegrityError

from data_access.db import get_engine
from data_access.models import idempotent_request as REQUESTS

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


def claim(user_id: int, key: str, method: str, path: str, body_sha256: str, engine: Engine | None = None) -> Stored | None:
    """None: this request is the first and should run (answer with finish()); a Stored: the answer to repeat."""
    engine = engine or get_engine()
    deadline = time.monotonic() + WAIT_SECONDS
    while True:
        try:
            with engine.begin() as conn:
                conn.execute(
                    insert(REQUESTS).values(
                        user_id=user_id, key=key, method=method, path=path, body_sha256=body_sha256, created_at=_now()
                    )
                )
            return None
        except IntegrityError:
            pass
        with engine.connect() as conn:
            r = REQUESTS.c
            row = (
                conn.execute(
                    select(r.method, r.path, r.body_sha256, r.status, r.response, r.created_at).where(
                        r.user_id == user_id, r.key == key
                    )
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
        if _now() - row["created_at"] > ABANDONED:
            release(user_id, key, engine)
            continue
        if time.monotonic() > deadline:
            raise StillRunning("a request with this Idempotency-Key is still being processed; try again shortly")
        time.sleep(0.05)


def finish(user_id: int, key: str, status: int, response: str, engine: Engine | None = None) -> None:
    with (engine or get_engine()).begin() as conn:
        r = REQUESTS.c
        conn.execute(update(REQUESTS).where(r.user_id == user_id, r.key == key).values(status=status, response=response))


def release(user_id: int, key: str, engine: Engine | None = None) -> None:
    """Forget a claim whose request failed on the server's side (5xx, 429): a retry runs it afresh."""
    with (engine or get_engine()).begin() as conn:
        r = REQUESTS.c
        conn.execute(delete(REQUESTS).where(r.user_id == user_id, r.key == key, r.status.is_(None)))
