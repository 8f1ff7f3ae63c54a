"""What an operator sees of the service: Prometheus metrics (prometheus_client), and a log line for every failure
that the HTTP status alone would hide.

A Dash callback that fails still answers HTTP 200 (its page says why in the alert line), so the access log and a
load tool count it as a success; here it is counted by callback and status and logged with both. Under gunicorn
every worker writes its samples to PROMETHEUS_MULTIPROC_DIR (set by gunicorn.conf.py before the app is loaded)
and /metrics sums them; the development server keeps them in its one process.

Labels are bounded: a route is the URL rule Flask matched (never the raw path, which carries codes and ids), a
callback is the output its app declared."""

from __future__ import annotations

import logging
import os
from collections.abc import Iterable

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)
from prometheus_client import multiprocess as _multiprocess

log = logging.getLogger(__name__)

# seconds: a recolour is ~0.1, a page render ~0.3, a national export a few
BUCKETS = (0.01, 0.025, 0.05, 0.1, 0.2, 0.3, 0.5, 0.8, 1.0, 2.0, 5.0, 10.0, 30.0)

REQUESTS = Counter("tpmap_requests", "HTTP requests answered", ("route", "method", "status"))
LATENCY = Histogram("tpmap_request_seconds", "Time to answer a request", ("route",), buckets=BUCKETS)
CALLBACK_LATENCY = Histogram("tpmap_callback_seconds", "Time to answer a Dash callback", ("callback",), buckets=BUCKETS)
ERRORS = Counter("tpmap_errors", "Answers that failed, by status (a failed callback by its own status)", ("status",))
CALLBACK_FAILURES = Counter("tpmap_callback_failures", "Dash callbacks that failed", ("callback", "status"))
CACHE = Counter("tpmap_cache_lookups", "Cache lookups", ("cache", "outcome"))
POOL_IN_USE = Gauge("tpmap_db_pool_checked_out", "Database connections in use", ("pool",), multiprocess_mode="livesum")
POOL_SIZE = Gauge("tpmap_db_pool_size", "Database connections the pool keeps", ("pool",), multiprocess_mode="livesum")


def callback_label(output: object) -> str:
    """A Dash update's `output` as declared by the app (its ids and properties), bounded in length."""
    return str(output)[:160] if output else "unknown"


def observe_request(route: str, method: str, status: int, seconds: float, callback: str | None) -> None:
    REQUESTS.labels(route, method, str(status)).inc()
    LATENCY.labels(route).observe(seconds)
    if callback is not None:
        CALLBACK_LATENCY.labels(callback).observe(seconds)
    if status >= 400:
        ERRORS.labels(str(status)).inc()


def callback_failed(callback: str, status: int, error: BaseException) -> None:
    """A callback that answered 200 with a refusal or a failure on its page: counted and logged with its status."""
    CALLBACK_FAILURES.labels(callback, str(status)).inc()
    ERRORS.labels(str(status)).inc()
    level = logging.ERROR if status >= 500 else logging.INFO
    log.log(level, "callback failed: status=%s callback=%s error=%s", status, callback, type(error).__name__)


def cache_lookup(cache: str, hit: bool) -> None:
    CACHE.labels(cache, "hit" if hit else "miss").inc()


def pool_use(pools: Iterable[tuple[str, object]]) -> None:
    """The connections each engine's pool has out and keeps (QueuePool; SQLite's pools say nothing)."""
    for name, pool in pools:
        out, size = getattr(pool, "checkedout", None), getattr(pool, "size", None)
        if callable(out) and callable(size):
            POOL_IN_USE.labels(name).set(out())
            POOL_SIZE.labels(name).set(size())


def exposition() -> tuple[bytes, str]:
    """The text format of every sample, summed over gunicorn's workers when they share a folder."""
    folder = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if folder:
        registry = CollectorRegistry()
        _multiprocess.MultiProcessCollector(registry, path=folder)
        return generate_latest(registry), CONTENT_TYPE_LATEST
    from prometheus_client import REGISTRY

    return generate_latest(REGISTRY), CONTENT_TYPE_LATEST


def worker_exited(pid: int) -> None:
    """gunicorn's child_exit: the dead worker's live gauges stop counting."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        _multiprocess.mark_process_dead(pid)
