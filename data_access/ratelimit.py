"""Rate limits: sign-in attempts per address, record look-ups per account, heavy anonymous reads per address.

On PostgreSQL the windows live in the database (table rate_window), so a limit means the same with one worker or
eight, and with two app servers on one database: each event is one atomic upsert of a counter for its fixed window,
and the limit is read as a sliding window (the previous window's count, weighted by how much of it is still inside
the last `seconds`, plus the current one's). The embedded SQLite demo runs in one process and keeps its windows in
memory: a second connection writing the SQLite file while the caller's transaction holds it would wait on itself.

The account lockout (data_access.accounts), sessions and revoked tokens are in the database on both.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections import defaultdict, deque

from sqlalchemy import Engine, delete, text

from data_access.access import RateLimited
from data_access.db import get_engine, is_postgres

LIMITS = {  # kind -> (events, seconds)
    "login": (20, 60),
    "lookup": (120, 60),
    "write": (600, 60),  # Logbook records made, per account (data_access.logbook)
    # anonymous calls that read every area of the country (rankings, exports): per address
    "heavy": (30, 60),
    # the field app's day offline (data_access.field): prepared once a day, a retry or two allowed
    "prepare": (6, 600),
}
HOUR = 3600
HOURLY = ("hour_views", "hour_reveals")  # data_access.abuse: per account, their allowances are settings
_events: dict[tuple[str, str], deque] = defaultdict(deque)
_lock = threading.Lock()
_used: set[Engine] = set()  # the shared stores this process has written (reset() clears them)
_PRUNE_EVERY = 300.0  # seconds between deletions of windows long past, per process
_pruned = [0.0]


def hit(kind: str, key: str, message: str, limit: tuple[int, int] | None = None) -> None:
    """Count one event; raise RateLimited (with the seconds to wait) when the window is full. `limit` (events,
    seconds) for a kind whose allowance is a setting; else LIMITS[kind]."""
    engine = get_engine()
    events, window = limit or LIMITS[kind]
    if is_postgres(engine):
        _hit_shared(engine, kind, key, message, events, window)
    else:
        _hit_local(kind, key, message, events, window)


def _hit_local(kind: str, key: str, message: str, limit: int, window: int) -> None:
    now = time.monotonic()
    with _lock:
        q = _events[(kind, key)]
        while q and q[0] <= now - window:
            q.popleft()
        if len(q) >= limit:
            raise RateLimited(message, int(q[0] + window - now) + 1)
        q.append(now)


# the event counted and the previous window read in one statement: one round trip per limited request
COUNT = text(
    "WITH counted AS (INSERT INTO rate_window (kind, key_digest, slot, hits) VALUES (:kind, :key, :slot, 1) "
    "ON CONFLICT (kind, key_digest, slot) DO UPDATE SET hits = rate_window.hits + 1 RETURNING hits) "
    "SELECT (SELECT hits FROM counted), "
    "COALESCE((SELECT hits FROM rate_window WHERE kind = :kind AND key_digest = :key AND slot = :slot - 1), 0)"
)


def _hit_shared(engine: Engine, kind: str, key: str, message: str, limit: int, window: int) -> None:
    now = time.time()
    slot = int(now // window)
    digest = hashlib.sha256(key.encode()).hexdigest()[:32]
    # its own short transaction, committed at once: the count holds whatever the caller's request does next
    with engine.begin() as conn:
        counted = conn.execute(COUNT, {"kind": kind, "key": digest, "slot": slot}).one()
    current, previous = int(counted[0]), int(counted[1])
    _used.add(engine)
    into = (now - slot * window) / window  # how far into the current window: the previous one's share still counts
    if previous * (1 - into) + current > limit:
        raise RateLimited(message, int(window - (now - slot * window)) + 1)
    if now - _pruned[0] > _PRUNE_EVERY:
        _pruned[0] = now
        _prune(engine, now)


def _prune(engine: Engine, now: float) -> None:
    """Windows before the previous one are never read again."""
    from data_access.models import rate_window

    with engine.begin() as conn:
        for kind, window in ({k: w for k, (_, w) in LIMITS.items()} | dict.fromkeys(HOURLY, HOUR)).items():
            conn.execute(delete(rate_window).where(rate_window.c.kind == kind, rate_window.c.slot < int(now // window) - 2))


def reset() -> None:
    """Empty every window this process knows of (the tests start each test with none)."""
    from data_access.models import rate_window

    with _lock:
        _events.clear()
    for engine in list(_used):
        try:
            with engine.begin() as conn:
                conn.execute(delete(rate_window))
        except Exception:  # noqa: BLE001 - a test's database already dropped: nothing left to empty
            _used.discard(engine)
