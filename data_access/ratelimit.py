"""Sliding-window rate limits, per process: sign-in attempts per address, record look-ups per user.

Per process is enough for one server process; a deployment with several workers divides the
limits by the worker count or moves these counters to a shared store. The account lockout
(data_access.accounts) is in the database and holds across processes.
"""

from __future__ import annotations

import threading
import time
from collections import defaultdict, deque

from data_access.access import RateLimited

LIMITS = {  # kind -> (events, seconds)
    "login": (20, 60),
    "lookup": (120, 60),
    # anonymous calls that read every area of the country (rankings, exports): per address
    "heavy": (30, 60),
}
_events: dict[tuple[str, str], deque] = defaultdict(deque)
_lock = threading.Lock()


def hit(kind: str, key: str, message: str) -> None:
    """Count one event; raise RateLimited when the window is full."""
    limit, window = LIMITS[kind]
    now = time.monotonic()
    with _lock:
        q = _events[(kind, key)]
        while q and q[0] <= now - window:
            q.popleft()
        if len(q) >= limit:
            raise RateLimited(message, int(q[0] + window - now) + 1)
        q.append(now)


def reset() -> None:
    with _lock:
        _events.clear()
