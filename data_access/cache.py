"""Results that are the same for every viewer (public figures of an edition), computed once per import.

The key carries a stamp of the data (when each year's rollups were last refreshed), so an import in any
process, the CLI included, retires every cached answer without anyone having to call an invalidation.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import tempfile
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import Engine, func, select

import config
from data_access import metrics
from data_access import models as tables

T = TypeVar("T")
MAX_ENTRIES = 256
STAMP_SECONDS = 2.0  # the stamp itself is read at most this often per engine

_lock = threading.Lock()
_entries: OrderedDict[tuple, object] = OrderedDict()
_stamps: dict[str, tuple[float, str]] = {}


def data_stamp(engine: Engine) -> str:
    """A short string that changes whenever any year's rollups are refreshed or areas gain or lose a polygon."""
    key = engine.url.render_as_string(hide_password=True)
    now = time.monotonic()
    with _lock:
        cached = _stamps.get(key)
        if cached and now - cached[0] < STAMP_SECONDS:
            return cached[1]
    from data_access.db import reading

    with reading(engine) as conn:  # a render's own connection when there is one: the stamp costs no checkout
        s, y, h, a = tables.area_rollup_source.c, tables.survey_year.c, tables.published_headline.c, tables.area.c
        row = conn.execute(select(func.count(), func.max(s.refreshed_at))).one()
        years = conn.execute(select(y.year, y.imported_at, y.households).order_by(y.year)).all()
        # headline figures change trends and change rankings without touching the rollups; so does an agency's register
        # the coverage gaps (issue 33): its latest load rides in the same statement
        registers = select(func.max(tables.register_version.c.imported_at)).scalar_subquery()
        headline = conn.execute(select(func.count(), func.max(h.imported_at), registers)).one()
        # which areas have a polygon (a boundary import) changes what a map draws grey
        shaped = conn.execute(select(func.count()).where(a.has_geometry)).scalar()
    stamp = f"{row[0]}|{row[1]}|{years}|{headline[0]}|{headline[1]}|{headline[2]}|{shaped}"
    with _lock:
        _stamps[key] = (now, stamp)
    return stamp


def _kind(key: Hashable) -> str:
    """The metrics label of a key: its first word (a key is a tuple naming what it keeps first), never its values."""
    first = key[0] if isinstance(key, tuple) and key else key
    return first if isinstance(first, str) and len(first) <= 40 else "other"


def cached(engine: Engine, key: Hashable, compute: Callable[[], T]) -> T:
    full = (engine.url.render_as_string(hide_password=True), data_stamp(engine), key)
    with _lock:
        if full in _entries:
            _entries.move_to_end(full)
            metrics.cache_lookup(_kind(key), hit=True)
            return _entries[full]  # type: ignore[return-value]
    metrics.cache_lookup(_kind(key), hit=False)
    value = compute()
    with _lock:
        _entries[full] = value
        while len(_entries) > MAX_ENTRIES:
            _entries.popitem(last=False)
    return value


def data_changed(engine: Engine) -> None:
    """This process has just changed the figures (an import): read the stamp afresh on the next call instead of
    trusting the one read less than STAMP_SECONDS ago. Other processes see the new stamp within that time."""
    with _lock:
        _stamps.pop(engine.url.render_as_string(hide_password=True), None)


# The shared store (issue 35): answers that are the same for every signed-out caller, kept as files in one folder
# that every gunicorn worker reads and writes. A file is named by the hash of the engine, the data stamp and the key
# (the key itself, which may hold an area code, is never written anywhere); a new data stamp makes every older file
# unreachable at once, and the next write removes them. Written to a temporary file and renamed into place, so a
# reader sees a whole answer or none; bounded in count, the least lately used removed first.


@dataclass(frozen=True)
class Shared:
    """A kept answer: its bytes and a few words about it (its headers, what it was computed against)."""

    body: bytes
    meta: dict[str, Any]


_puts = [0]
SWEEP_EVERY = 16  # a write lists the folder at most once in this many writes, or when the data stamp changed
_swept_stamp: dict[str, str] = {}


RELEASE_FILES = ("*.py", "*/*.py", "*/*/*.py", "assets/*", "templates/*", "mpi/data/*", "requirements.txt")
NOT_THE_RELEASE = (".venv", "tests", "bench", "instance", "docs", "scripts")


@functools.cache
def release() -> str:
    """A fingerprint of what renders an answer: the application's code, its assets and catalogues, and the
    libraries' versions. Kept answers are named by it, so a restart of the same
    release finds them (the first visit after a start is no slower than the next, bench/RESULTS.md, issue 35) and a
    new release never sends the previous one's; computed once per process (about 20 ms), in the preloaded app."""
    from importlib import metadata

    digest = hashlib.sha256()
    for pattern in RELEASE_FILES:
        for path in sorted(config.ROOT.glob(pattern)):
            if path.is_file() and path.relative_to(config.ROOT).parts[0] not in NOT_THE_RELEASE:
                digest.update(str(path.relative_to(config.ROOT)).encode() + b"\0" + path.read_bytes())
    for library in ("dash", "plotly", "dash-bootstrap-components", "flask"):
        digest.update(f"{library}=={metadata.version(library)}".encode())
    return digest.hexdigest()[:16]


def _shared_names(engine: Engine, key: Hashable) -> tuple[Path, str, str]:
    """The store's folder, the prefix every file of the current release and data has, and the file's name for
    `key`."""
    url = engine.url.render_as_string(hide_password=True)
    prefix = hashlib.sha256(f"{url}|{data_stamp(engine)}|{release()}".encode()).hexdigest()[:16]
    name = prefix + "-" + hashlib.sha256(repr(key).encode()).hexdigest()[:40]
    return Path(config.settings().callback_cache_dir), prefix, name


def shared_get(engine: Engine, key: Hashable, fits: Callable[[Shared], bool] = lambda _: True) -> Shared | None:
    """What `shared_put` kept under `key` for the current data, by any process, when it `fits` the question; None if
    nothing does (counted as a hit or a miss)."""
    folder, _, name = _shared_names(engine, key)
    try:
        with open(folder / name, "rb") as f:
            raw = f.read()
        os.utime(folder / name)  # used now: the last to go
    except OSError:  # not kept, or removed by another worker's sweep since
        metrics.cache_lookup(_kind(key), hit=False)
        return None
    head, _, body = raw.partition(b"\n")
    kept = Shared(body, json.loads(head))
    metrics.cache_lookup(_kind(key), hit=fits(kept))
    return kept if fits(kept) else None


def shared_put(engine: Engine, key: Hashable, body: bytes, meta: dict[str, Any]) -> None:
    """Keep `body` under `key` for every process until the data change (or it is the oldest of too many)."""
    folder, prefix, name = _shared_names(engine, key)
    folder.mkdir(parents=True, exist_ok=True)
    fd, temporary = tempfile.mkstemp(prefix=".tmp-", dir=folder)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(json.dumps(meta, separators=(",", ":")).encode() + b"\n" + body)
        os.replace(temporary, folder / name)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    _puts[0] += 1
    if _puts[0] % SWEEP_EVERY == 0 or _swept_stamp.get(str(folder)) != prefix:
        _swept_stamp[str(folder)] = prefix
        sweep(folder, prefix, config.settings().callback_cache_entries)


def sweep(folder: Path, prefix: str, keep: int) -> None:
    """Remove the files of older data (another prefix), temporary files a crash left, and the least lately used
    beyond `keep`."""
    current: list[tuple[float, Path]] = []
    stale = time.time() - 60
    with os.scandir(folder) as entries:
        for entry in entries:
            try:
                modified = entry.stat().st_mtime
            except OSError:
                continue
            if entry.name.startswith(prefix):
                current.append((modified, Path(entry.path)))
            elif not entry.name.startswith(".tmp-") or modified < stale:
                Path(entry.path).unlink(missing_ok=True)
    current.sort()
    for _, path in current[: max(0, len(current) - keep)]:
        path.unlink(missing_ok=True)


def empty_shared() -> None:
    """Every kept answer removed (tests; an operator may `rm -rf` the folder as well). A new release needs none of
    this: its answers have names of their own (`release`), and its first write sweeps the previous one's."""
    import shutil

    shutil.rmtree(config.settings().callback_cache_dir, ignore_errors=True)
