"""Idempotency keys for writes (the field app replays its queue; a double tap sends twice).

claim() records a key before the write runs: a repeat of a finished request gets the stored answer, a repeat
that arrives while the first is still running waits for it, and the same key for another request is refused.
The key's row is the lock, so two copies of one request can never both write, on either backend.
"""

from __future__ import annotations

import datetime as dt
import json
import time
from dataclasses import dataclass

from sqlalchemy import Connection, Engine, delete, insert, select, update
from sqlalchemy.exc import IntegrityError

from data_access import db
from data_access.db import get_engine
from data_access.models import idempotent_request as REQUESTS

WAIT_SECONDS = 15.0  # how long a repeat waits for the first copy to finish
ABANDONED = dt.timedelta(minutes=2)  # a claim this old without an answer was cut off: the repeat may proceed


# The request being served holds a claim (api.replay): each of its writes marks the claim applied in the write's own
# transaction (db.with_every_write), so that the request is never run twice, even if its answer cannot be stored
# afterwards (the database gone or full between the write and finish()).
APPLIED_STATUS = 200
APPLIED_ANSWER = json.dumps(
    {"applied": True, "message": "this request was applied once; its first answer could not be kept, and it is not run again"}
)


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
        stand_in = row["status"] is not None and row["response"] == APPLIED_ANSWER
        if row["status"] is not None and not stand_in:
            return Stored(int(row["status"]), row["response"] or "")
        waited_out = _now() - row["created_at"] > ABANDONED or time.monotonic() > deadline
        if stand_in and waited_out:  # applied, and its real answer is not coming: say so, never run it again
            return Stored(int(row["status"]), row["response"])
        if not stand_in and _now() - row["created_at"] > ABANDONED:
            release(user_id, key, engine)
            continue
        if time.monotonic() > deadline:
            raise StillRunning("a request with this Idempotency-Key is still being processed; try again shortly")
        time.sleep(0.05)


def holding(user_id: int, key: str):
    """This request holds the claim: its writes mark it applied (until reset with the returned token)."""
    return db.with_every_write(lambda conn: applied(conn, user_id, key))


def done_holding(token) -> None:
    db.end_with_every_write(token)


def applied(conn: Connection, user_id: int, key: str) -> None:
    """Inside a write's transaction: the claim is marked as applied, with a stand-in answer that finish() replaces
    by the real one. Commits or rolls back with the write itself."""
    r = REQUESTS.c
    conn.execute(
        update(REQUESTS)
        .where(r.user_id == user_id, r.key == key, r.status.is_(None))
        .values(status=APPLIED_STATUS, response=APPLIED_ANSWER)
    )


def finish(user_id: int, key: str, status: int, response: str, engine: Engine | None = None) -> None:
    with (engine or get_engine()).begin() as conn:
        r = REQUESTS.c
        conn.execute(update(REQUESTS).where(r.user_id == user_id, r.key == key).values(status=status, response=response))


def release(user_id: int, key: str, engine: Engine | None = None) -> None:
    """Forget a claim whose request failed on the server's side (5xx, 429): a retry runs it afresh. A claim whose
    write was applied (applied()) is kept: running it again would write twice."""
    with (engine or get_engine()).begin() as conn:
        r = REQUESTS.c
        conn.execute(delete(REQUESTS).where(r.user_id == user_id, r.key == key, r.status.is_(None)))
