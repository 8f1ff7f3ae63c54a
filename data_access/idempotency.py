"""Idempotency keys for writes (the field app replays its queue; a double tap sends twice).

claim() records a key before the write runs: a repeat of a finished request gets the stored answer, a repeat
that arrives while the first is still running waits for it, and the same key for another request is refused.

Who is running a key is a lock that cannot outlive the request holding it. On PostgreSQL it is a session advisory
lock on a connection of the request's own: a worker killed mid-request, or the server restarted, ends the session
and the lock with it. On SQLite, whose users are the processes of one machine, it is a thread lock per key inside
the process and a POSIX record lock on a file beside the database across processes, which the kernel drops when a
process dies. A repeat waits on that lock (it does not poll the table); once it holds it, nobody else is running the
key, so a claim row left without an answer belongs to a request that died, and the repeat runs afresh.

The row names the request that owns it (`owner`), and every write of that request commits only while it still does
(applied(), in the write's own transaction): two copies of one request never both write, even when a lock is lost
with its connection while the first copy goes on.

Keys and answers are kept REPLAY_WINDOW, then deleted (purge(): now and then as claims come in, and by
`flask purge-replays`). An answer that carries a full citizen ID is never kept (personal_answer()): a repeat runs
the reveal again, audited and counted again.
"""

from __future__ import annotations

import datetime as dt
import errno
import fcntl
import hashlib
import json
import os
import threading
import time
import uuid
from collections.abc import Callable
from contextvars import ContextVar, Token
from dataclasses import dataclass
from typing import Protocol

from sqlalchemy import Connection, Engine, delete, func, insert, or_, select, text, update
from sqlalchemy.exc import IntegrityError, OperationalError

from data_access import db
from data_access.db import get_engine
from data_access.errors import ConflictError, Unavailable, Unprocessable
from data_access.models import idempotent_request as REQUESTS

WAIT_SECONDS = 15.0  # how long a repeat waits for the first copy to finish
REPLAY_WINDOW = dt.timedelta(days=7)  # a key and its answer are kept this long (docs/user-guide.md says so)
PURGE_EVERY = 600.0  # seconds between purges, per process and database
_STILL_RUNNING = "a request with this Idempotency-Key is still being processed; try again shortly"
_LOCK_TIMEOUT = "55P03"  # PostgreSQL's lock_not_available


# The request being served holds a claim (api.replay): each of its writes marks the claim applied in the write's own
# transaction (db.with_every_write), so that the request is never run twice, even if its answer cannot be stored
# afterwards (the database gone or full between the write and finish()).
APPLIED_STATUS = 200
APPLIED_ANSWER = json.dumps(
    {"applied": True, "message": "this request was applied once; its first answer could not be kept, and it is not run again"}
)


class KeyReused(Unprocessable):
    """The key was used for a different request (another path, method or body): 422."""

    key = "err.key_reused"


class StillRunning(ConflictError):
    """The first request with this key has not finished yet: 409, to be sent again in a moment."""

    key = "err.still_running"
    retry_after = 2


@dataclass(frozen=True)
class Stored:
    status: int
    response: str


class _Lock(Protocol):
    def release(self) -> None: ...


@dataclass
class Claim:
    """This request runs the key: finish() or release() it, and done_holding() when the request ends."""

    user_id: int
    key: str
    owner: str
    lock: _Lock
    personal: bool = False  # its answer carries a full citizen ID: never stored


_current: ContextVar[Claim | None] = ContextVar("tpmap_idempotency_claim", default=None)
_purged: dict[str, float] = {}


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def claim(user_id: int, key: str, method: str, path: str, body_sha256: str, engine: Engine | None = None) -> Stored | Claim:
    """A Claim: this request is the one to run (answer with finish()); a Stored: the answer to repeat."""
    engine = engine or get_engine()
    _purge_now_and_then(engine)
    lock = _lock(engine, f"idempotency {user_id} {key}")
    owner = uuid.uuid4().hex
    try:
        stored = _take(engine, user_id, key, (method, path, body_sha256), owner)
    except IntegrityError:  # a copy whose lock was lost with its connection inserted the key meanwhile
        lock.release()
        raise StillRunning(_STILL_RUNNING) from None
    except BaseException:
        lock.release()
        raise
    if stored is not None:
        lock.release()
        return stored
    return Claim(user_id, key, owner, lock)


def _take(engine: Engine, user_id: int, key: str, request: tuple[str, str, str], owner: str) -> Stored | None:
    """With the key's lock held: its stored answer, or None once `owner` owns its row."""
    r = REQUESTS.c
    this = (r.user_id == user_id, r.key == key)
    with engine.begin() as conn:
        row = conn.execute(select(r.method, r.path, r.body_sha256, r.status, r.response, r.owner, r.created_at).where(*this))
        found = row.mappings().first()
        if found is not None and found["created_at"] < _now() - REPLAY_WINDOW:
            conn.execute(delete(REQUESTS).where(*this))  # past the replay window: as good as purged
            found = None
        if found is None:
            method, path, body = request
            conn.execute(
                insert(REQUESTS).values(
                    user_id=user_id, key=key, method=method, path=path, body_sha256=body, owner=owner, created_at=_now()
                )
            )
            return None
        if (found["method"], found["path"], found["body_sha256"]) != request:
            raise KeyReused("this Idempotency-Key was already used for a different request; send a new key")
        if found["status"] is not None and found["response"] is not None:
            return Stored(int(found["status"]), found["response"])
        # Nobody else holds the lock, so nobody is running it: the request that claimed it died before its answer, or
        # its answer was not kept. It runs afresh, under this request's name.
        taken = conn.execute(
            update(REQUESTS)
            .where(*this, r.owner.is_not_distinct_from(found["owner"]), or_(r.status.is_(None), r.response.is_(None)))
            .values(owner=owner, status=None, response=None)
        ).rowcount
    if not taken:
        raise StillRunning(_STILL_RUNNING)
    return None


Holding = tuple[Token[Claim | None], Token[Callable[[Connection], None] | None]]


def holding(claim: Claim) -> Holding:
    """This request holds the claim: its writes mark it applied (until done_holding)."""
    return _current.set(claim), db.with_every_write(lambda conn: applied(conn, claim))


def done_holding(claim: Claim, token: Holding) -> None:
    """The request has ended, whatever happened: the key's lock goes (the thread serves other requests next)."""
    try:
        claim_token, hook_token = token
        db.end_with_every_write(hook_token)
        _current.reset(claim_token)
    finally:
        claim.lock.release()


def personal_answer() -> None:
    """The answer being made carries a full citizen ID: it is not stored, so a repeat of the request runs it again
    (audited, counted against the look-up limit and the reveal alert) rather than handing the ID out unseen."""
    held = _current.get()
    if held is not None:
        held.personal = True


def _mine(claim: Claim) -> tuple:
    r = REQUESTS.c
    return r.user_id == claim.user_id, r.key == claim.key, r.owner == claim.owner


def applied(conn: Connection, claim: Claim) -> None:
    """Inside a write's transaction: the claim is marked as applied, with a stand-in answer that finish() replaces
    by the real one, and the write commits only if this request still owns the claim (a copy that took it over
    after this one's lock was lost runs instead). Commits or rolls back with the write itself."""
    r = REQUESTS.c
    marked = conn.execute(
        update(REQUESTS)
        .where(*_mine(claim))
        .values(status=func.coalesce(r.status, APPLIED_STATUS), response=func.coalesce(r.response, APPLIED_ANSWER))
    ).rowcount
    if not marked:
        raise Unavailable("another copy of this request took over its Idempotency-Key; nothing was changed, send it again")


def finish(claim: Claim, status: int, response: str, engine: Engine | None = None) -> None:
    r = REQUESTS.c
    with (engine or get_engine()).begin() as conn:
        if claim.personal:  # the status only: a repeat runs again (a write it made keeps its stand-in answer)
            conn.execute(update(REQUESTS).where(*_mine(claim), r.status.is_(None)).values(status=status))
        else:
            conn.execute(update(REQUESTS).where(*_mine(claim)).values(status=status, response=response))


def release(claim: Claim, engine: Engine | None = None) -> None:
    """Forget a claim whose request failed on the server's side (5xx, 429): a retry runs it afresh. A claim whose
    write was applied (applied()) is kept: running it again would write twice."""
    with (engine or get_engine()).begin() as conn:
        conn.execute(delete(REQUESTS).where(*_mine(claim), REQUESTS.c.status.is_(None)))


def purge(engine: Engine | None = None) -> int:
    """Delete the keys and answers older than REPLAY_WINDOW (an answer may name people); how many went."""
    with (engine or get_engine()).begin() as conn:
        return conn.execute(delete(REQUESTS).where(REQUESTS.c.created_at < _now() - REPLAY_WINDOW)).rowcount


def _purge_now_and_then(engine: Engine) -> None:
    url, now = str(engine.url), time.monotonic()
    if url in _purged and now - _purged[url] < PURGE_EVERY:
        return
    _purged[url] = now
    purge(engine)


def _lock(engine: Engine, name: str) -> _Lock:
    """The lock on key `name`, waited for up to WAIT_SECONDS (StillRunning after that)."""
    if db.is_postgres(engine):
        return _SessionLock(engine, name, WAIT_SECONDS)
    return _ProcessLock(engine, name, WAIT_SECONDS)


class _SessionLock:
    """PostgreSQL: a session advisory lock on a connection of its own, which ends with the session: released here,
    or by the server when the worker dies, the connection drops or the server restarts."""

    def __init__(self, engine: Engine, name: str, wait: float):
        self.params = {"k": name}
        self.conn = engine.connect()
        try:
            self._acquire(wait)
        except StillRunning:
            self.conn.rollback()
            self.conn.close()
            raise
        except BaseException:
            self._drop()
            raise

    def _acquire(self, wait: float) -> None:
        conn = self.conn
        # raw, here and below: PostgreSQL's session lock functions and its lock_timeout setting, no table involved
        if not conn.execute(text("SELECT pg_try_advisory_lock(hashtextextended(:k, 0))"), self.params).scalar():
            # the server waits for the holder (no polling); lock_timeout bounds the wait, for this transaction only
            conn.execute(text("SELECT set_config('lock_timeout', :t, true)"), {"t": f"{int(wait * 1000)}ms"})  # raw: as above
            try:
                conn.execute(text("SELECT pg_advisory_lock(hashtextextended(:k, 0))"), self.params)  # raw: as above
            except OperationalError as e:
                if getattr(e.orig, "sqlstate", None) != _LOCK_TIMEOUT:
                    raise
                raise StillRunning(_STILL_RUNNING) from None
        conn.commit()  # the lock is the session's: no transaction stays open while the request runs

    def release(self) -> None:
        try:
            self.conn.execute(text("SELECT pg_advisory_unlock(hashtextextended(:k, 0))"), self.params)  # raw: a lock function
            self.conn.commit()
        except Exception:  # noqa: BLE001 - the session is gone (a restart): so is its lock
            self._drop()
            return
        self.conn.close()

    def _drop(self) -> None:
        """Close the connection rather than pool it: its session ends, and any lock it holds with it."""
        try:
            self.conn.invalidate()
        except Exception:  # noqa: BLE001 - already gone with the server
            pass
        self.conn.close()


class _ProcessLock:
    """SQLite: a thread lock per key in this process, and across the processes that share the database file a
    POSIX record lock on one byte (named by the key) of `<database>-keys`, which the kernel drops with the process."""

    _guard = threading.Lock()
    _threads: dict[tuple[str, int], list] = {}  # (lock file, byte) -> [its thread lock, how many use it]
    _files: dict[str, int] = {}  # lock file -> a descriptor kept open for the process's life (closing any descriptor
    # of a file drops every record lock the process holds on it)

    def __init__(self, engine: Engine, name: str, wait: float):
        deadline = time.monotonic() + wait
        database = engine.url.database
        self.file = os.path.abspath(database) + "-keys" if database and database != ":memory:" else None
        self.slot = (self.file or str(engine.url), int.from_bytes(hashlib.sha256(name.encode()).digest()[:7], "big"))
        with self._guard:
            entry = self._threads.setdefault(self.slot, [threading.Lock(), 0])
            entry[1] += 1
        self.thread_lock: threading.Lock = entry[0]
        try:
            if not self.thread_lock.acquire(timeout=wait):
                raise StillRunning(_STILL_RUNNING)
            try:
                self._lock_file(deadline)
            except BaseException:
                self.thread_lock.release()
                raise
        except BaseException:
            self._forget()
            raise

    def _descriptor(self) -> int:
        assert self.file is not None
        with self._guard:
            if self.file not in self._files:
                try:
                    self._files[self.file] = os.open(self.file, os.O_RDWR | os.O_CREAT, 0o600)
                except OSError as e:  # (a full or read-only disk: the database cannot take writes either)
                    raise Unavailable("the database cannot take writes just now; nothing was changed, try again") from e
            return self._files[self.file]

    def _lock_file(self, deadline: float) -> None:
        if self.file is None:
            return
        fd = self._descriptor()
        while True:
            try:
                fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB, 1, self.slot[1])
                return
            except OSError as e:
                if e.errno not in (errno.EAGAIN, errno.EACCES):
                    raise
            if time.monotonic() > deadline:
                raise StillRunning(_STILL_RUNNING)
            time.sleep(0.02)  # another process runs the key: the kernel's lock is asked again, the table is not

    def release(self) -> None:
        try:
            if self.file is not None:
                fcntl.lockf(self._descriptor(), fcntl.LOCK_UN, 1, self.slot[1])
        finally:
            self.thread_lock.release()
            self._forget()

    def _forget(self) -> None:
        with self._guard:
            entry = self._threads[self.slot]
            entry[1] -= 1
            if entry[1] == 0:
                del self._threads[self.slot]
