"""Issue 13 (pinned): an Idempotency-Key on a POST, PUT or PATCH returns the first result for a repeat, so a
double tap or a replayed field-app queue writes once. Real threads against a served app, both backends."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from sqlalchemy import text

from data_access import ratelimit
from tests.utils.served import request, served
from tests.utils.waiting import wait_until
from tests.utils.world import PASSWORD, bearer

YEAR = 2563
ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def world(isolated_world):
    return isolated_world


def _visits(world, house: str) -> int:
    with world["engine"].connect() as conn:
        return conn.execute(
            text("SELECT COUNT(*) FROM visit v JOIN household h ON h.id = v.household_id WHERE h.year = :y AND h.house_id = :h"),
            {"y": YEAR, "h": house},
        ).scalar()


def test_a_repeated_key_returns_the_first_result_and_writes_once(world):
    client = world["app"].server.test_client()
    house = world["houses"]["7502"]
    headers = bearer(world, "team") | {"Idempotency-Key": str(uuid.uuid4())}
    url = f"/api/v1/households/{house}/visits?year={YEAR}"
    body = {"visited_on": "2021-08-01", "outcome": "verified", "note": "เคาะประตู"}
    before = _visits(world, house)
    first = client.post(url, headers=headers, json=body)
    again = client.post(url, headers=headers, json=body)
    assert first.status_code == again.status_code == 201
    assert first.get_json() == again.get_json() and again.headers["Idempotent-Replayed"] == "true"
    assert _visits(world, house) == before + 1
    other = client.post(url, headers=headers, json=body | {"note": "อีกครั้ง"})
    assert other.status_code == 422 and "different request" in other.get_json()["error"]
    fresh = client.post(url, headers=bearer(world, "team") | {"Idempotency-Key": str(uuid.uuid4())}, json=body)
    assert fresh.status_code == 201 and _visits(world, house) == before + 2


def test_parallel_copies_of_one_request_write_once(world, monkeypatch):
    monkeypatch.setitem(ratelimit.LIMITS, "lookup", (10_000, 60))
    house = world["houses"]["7502"]
    headers = bearer(world, "team") | {"Idempotency-Key": str(uuid.uuid4())}
    call = ("POST", f"/api/v1/households/{house}/needs?year={YEAR}", {"dimension": "income", "description": "ต้องการงาน"}, headers)
    with served(world["app"].server) as base:
        barrier = threading.Barrier(6)

        def go(_):
            barrier.wait()
            return request(base, *call)

        with ThreadPoolExecutor(6) as pool:
            results = list(pool.map(go, range(6)))
    assert {r[0] for r in results} == {201}, results
    assert len({r[1]["id"] for r in results}) == 1  # every copy got the one need's id
    with world["engine"].connect() as conn:
        n = conn.execute(text("SELECT COUNT(*) FROM need WHERE description = 'ต้องการงาน'")).scalar()
    assert n == 1


def test_status_changes_and_refusals_replay_too(world):
    client = world["app"].server.test_client()
    house = world["houses"]["7502"]
    key = {"Idempotency-Key": "status-" + uuid.uuid4().hex}
    headers = bearer(world, "team") | key
    url = f"/api/v1/households/{house}/status?year={YEAR}"
    first = client.put(url, headers=headers, json={"status": "survival", "reason": "เริ่ม"})
    again = client.put(url, headers=headers, json={"status": "survival", "reason": "เริ่ม"})
    assert first.status_code == 200 and again.get_json() == first.get_json()
    bad_key = {"Idempotency-Key": "bad-" + uuid.uuid4().hex}
    refused = client.put(url, headers=bearer(world, "team") | bad_key, json={"status": "rich", "reason": "x"})
    assert refused.status_code == 400
    assert (
        client.put(url, headers=bearer(world, "team") | bad_key, json={"status": "rich", "reason": "x"}).get_json()
        == refused.get_json()
    )
    assert (
        client.post(
            url.replace("status", "visits"),
            headers=bearer(world, "team") | {"Idempotency-Key": "x" * 200},
            json={"visited_on": "2021-08-01", "outcome": "verified"},
        ).status_code
        == 400
    )


def test_a_write_whose_answer_cannot_be_stored_is_still_never_run_twice(world, monkeypatch):
    """The database takes the visit, then refuses the answer's row (full, or gone between the two): the team is told
    the visit was recorded, and a replay of the key answers without
    writing a second visit, at once (the first request has ended). Before: a 500 for a visit that was saved, and a replay
    minutes later saved it again."""
    from sqlalchemy.exc import OperationalError

    from data_access import idempotency

    def full(*_args, **_kw):
        raise OperationalError("UPDATE idempotent_request", {}, Exception("database or disk is full"))

    client = world["app"].server.test_client()
    house = world["houses"]["7502"]
    headers = bearer(world, "team") | {"Idempotency-Key": str(uuid.uuid4())}
    url = f"/api/v1/households/{house}/visits?year={YEAR}"
    body = {"visited_on": "2021-08-03", "outcome": "verified", "note": "ดิสก์เต็ม"}
    before = _visits(world, house)
    monkeypatch.setattr(idempotency, "finish", full)
    first = client.post(url, headers=headers, json=body)
    assert first.status_code == 201 and first.get_json()["id"] > 0  # the truth: it was recorded
    monkeypatch.undo()
    again = client.post(url, headers=headers, json=body)
    assert again.status_code == idempotency.APPLIED_STATUS and again.headers["Idempotent-Replayed"] == "true"
    assert again.get_json()["applied"] is True
    assert _visits(world, house) == before + 1


# Issue 30, item 2: a request that dies after claiming its key must not block its retries; a repeat waits on the
# first copy without polling the table.


@pytest.fixture
def held_visits(monkeypatch):
    """The visit route's write waits at its start, after the request has claimed its key, until `go` is set:
    a request caught mid-way (for a note that starts with "hold")."""
    from data_access import logbook

    inside, go = threading.Event(), threading.Event()
    real = logbook.add_visit

    def held(*args, **kw):
        if str(kw.get("note")).startswith("hold"):
            inside.set()
            go.wait(60)
        return real(*args, **kw)

    monkeypatch.setattr(logbook, "add_visit", held)
    yield inside, go
    go.set()


def test_a_repeat_waits_for_the_first_copy_without_failing_inserts(world, held_visits, monkeypatch):
    """The repeat waits on the first copy's lock: no duplicate-key errors while it waits (before: an insert every
    50 ms, each refused, 5,680 of them in PostgreSQL's log in the issue's run), then the first copy's answer."""
    from sqlalchemy import event

    inside, go = held_visits
    house = world["houses"]["7502"]
    headers = bearer(world, "team") | {"Idempotency-Key": str(uuid.uuid4())}
    call = (
        "POST",
        f"/api/v1/households/{house}/visits?year={YEAR}",
        {"visited_on": "2021-08-04", "outcome": "verified", "note": "hold"},
    )
    refused = []

    def on_error(context):
        refused.append(type(context.original_exception).__name__)

    event.listen(world["engine"], "handle_error", on_error)
    try:
        with served(world["app"].server) as base, ThreadPoolExecutor(2) as pool:
            first = pool.submit(request, base, *call, headers)
            assert inside.wait(30)
            again = pool.submit(request, base, *call, headers)
            wait_until(lambda: _waiting_for_a_key(world["engine"]), timeout=30, what="the repeat waiting on the key's lock")
            assert not again.done()
            go.set()
            answers = first.result(), again.result()
    finally:
        event.remove(world["engine"], "handle_error", on_error)
    assert [a[0] for a in answers] == [201, 201] and answers[0][1] == answers[1][1]
    assert answers[1][2].get("Idempotent-Replayed") == "true"
    assert refused == []


def _waiting_for_a_key(engine) -> bool:
    """Some request is waiting for a key's lock: on PostgreSQL an advisory lock asked and not granted; on SQLite a
    second thread at the key's thread lock (data_access.idempotency._ProcessLock counts them)."""
    if engine.dialect.name == "postgresql":
        with engine.connect() as conn:
            return bool(conn.execute(text("SELECT COUNT(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted")).scalar())
    from data_access.idempotency import _ProcessLock

    with _ProcessLock._guard:
        return any(users >= 2 for _, users in _ProcessLock._threads.values())


KILLED_MID_REQUEST = """
import sys
from data_access import idempotency

idempotency.claim(int(sys.argv[1]), sys.argv[2], "POST", sys.argv[3], sys.argv[4])
print("claimed", flush=True)  # the request would run now: its worker is killed first
sys.stdin.read()  # held until the test kills this process (or closes its input)
"""


def test_a_retry_runs_afresh_when_the_worker_that_claimed_the_key_was_killed(world, monkeypatch):
    """A worker claims the key for a visit and is killed (SIGKILL) before it writes: the retry runs the request at
    once and writes it once. Before: the claim outlived the worker, and every retry was told "still being
    processed" (after waiting WAIT_SECONDS each) for two minutes."""
    import hashlib

    from data_access import idempotency

    monkeypatch.setattr(idempotency, "WAIT_SECONDS", 3.0)  # a retry that would wait, waits briefly
    house = world["houses"]["7502"]
    key = str(uuid.uuid4())
    headers = bearer(world, "team") | {"Idempotency-Key": key, "Content-Type": "application/json"}
    path = f"/api/v1/households/{house}/visits?year={YEAR}"
    body = json.dumps({"visited_on": "2021-08-05", "outcome": "verified", "note": "คนงานถูกปิด"}).encode()
    with world["engine"].connect() as conn:
        user_id = conn.execute(text("SELECT id FROM user_account WHERE username = :u"), {"u": world["names"]["team"]}).scalar()
    before = _visits(world, house)
    worker = subprocess.Popen(
        [sys.executable, "-c", KILLED_MID_REQUEST, str(user_id), key, path, hashlib.sha256(body).hexdigest()],
        cwd=ROOT,
        env=os.environ.copy(),
        stdin=subprocess.PIPE,  # kept open: the worker waits on it until it is killed
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert worker.stdout is not None and worker.stdout.readline().strip() == "claimed"
    finally:
        worker.kill()
        worker.wait(30)
    client = world["app"].server.test_client()
    retry = client.post(path, headers=headers, data=body)
    assert retry.status_code == 201, retry.get_json()
    assert "Idempotent-Replayed" not in retry.headers and _visits(world, house) == before + 1
    again = client.post(path, headers=headers, data=body)
    assert again.headers["Idempotent-Replayed"] == "true" and _visits(world, house) == before + 1


def test_a_copy_that_lost_its_lock_cannot_write_once_another_took_the_key_over(world, monkeypatch):
    """A lock can go while its request goes on (its connection dropped): the copy that takes the key over is its
    owner, and the first copy's writes are refused inside their own transaction, so the two never both write."""
    from data_access import idempotency
    from data_access.errors import Unavailable

    engine, key = world["engine"], str(uuid.uuid4())
    first = idempotency.claim(999_001, key, "POST", "/api/v1/x", "0" * 64, engine=engine)
    assert isinstance(first, idempotency.Claim)
    monkeypatch.setattr(idempotency, "WAIT_SECONDS", 0.2)
    with pytest.raises(idempotency.StillRunning):  # while the first holds the lock, a copy waits, then gives up
        idempotency.claim(999_001, key, "POST", "/api/v1/x", "0" * 64, engine=engine)
    first.lock.release()  # as a dropped connection loses it
    second = idempotency.claim(999_001, key, "POST", "/api/v1/x", "0" * 64, engine=engine)
    assert isinstance(second, idempotency.Claim)
    try:
        with pytest.raises(Unavailable), engine.begin() as conn:
            idempotency.applied(conn, first)
        with engine.begin() as conn:
            idempotency.applied(conn, second)
    finally:
        second.lock.release()
    again = idempotency.claim(999_001, key, "POST", "/api/v1/x", "0" * 64, engine=engine)
    assert again == idempotency.Stored(idempotency.APPLIED_STATUS, idempotency.APPLIED_ANSWER)


# Issue 30, item 3: an answer that carries a full citizen ID is never kept; kept answers go after the replay window.


def _reveals(world, house: str) -> int:
    with world["engine"].connect() as conn:
        return conn.execute(
            text("SELECT COUNT(*) FROM audit_event WHERE action = 'reveal_citizen_id' AND object_id = :o"), {"o": f"{house}#1"}
        ).scalar()


def test_a_revealed_citizen_id_is_never_kept_and_every_delivery_is_audited(world, monkeypatch):
    client = world["app"].server.test_client()
    house = world["houses"]["7501"]
    headers = bearer(world, "district") | {"Idempotency-Key": str(uuid.uuid4())}
    url = f"/api/v1/households/{house}/members/1/citizen-id?year={YEAR}"
    monkeypatch.setitem(ratelimit.LIMITS, "lookup", (2, 60))
    before = _reveals(world, house)
    first, again = client.post(url, headers=headers), client.post(url, headers=headers)
    assert first.status_code == again.status_code == 200
    full = first.get_json()["citizen_id"]
    assert again.get_json()["citizen_id"] == full and "Idempotent-Replayed" not in again.headers  # run again
    assert _reveals(world, house) == before + 2  # each delivery in the audit trail
    with world["engine"].connect() as conn:
        kept = conn.execute(text("SELECT response FROM idempotent_request WHERE response IS NOT NULL")).scalars().all()
    assert kept and not any(full in answer for answer in kept)
    other = client.post(url.replace("/members/1/", "/members/2/"), headers=headers)
    assert other.status_code == 422  # the key stays bound to its request (pinned)
    third = client.post(url, headers=headers)  # the look-up limit counts repeats too: refused, not handed the ID
    assert third.status_code == 429 and full not in third.get_data(as_text=True)


def test_kept_answers_are_deleted_after_the_replay_window(world, monkeypatch):
    """Keys and answers older than REPLAY_WINDOW are purged as keyed writes come in, and by `flask purge-replays`;
    a repeat after that runs afresh (docs/user-guide.md says how long answers are kept)."""
    import datetime as dt

    from data_access import idempotency
    from data_access.models import idempotent_request as kept

    monkeypatch.setattr(idempotency, "PURGE_EVERY", 0.0, raising=False)
    client = world["app"].server.test_client()
    house = world["houses"]["7502"]
    url = f"/api/v1/households/{house}/visits?year={YEAR}"
    body = {"visited_on": "2021-08-06", "outcome": "verified", "note": "เก่าแล้ว"}
    old, new = (bearer(world, "team") | {"Idempotency-Key": str(uuid.uuid4())} for _ in range(2))

    def age(headers) -> None:
        with world["engine"].begin() as conn:
            conn.execute(
                kept.update()
                .where(kept.c.key == headers["Idempotency-Key"])
                .values(created_at=dt.datetime.now(dt.UTC) - dt.timedelta(days=8))
            )

    def stored(headers) -> int:
        with world["engine"].connect() as conn:
            return conn.execute(
                text("SELECT COUNT(*) FROM idempotent_request WHERE key = :k"), {"k": headers["Idempotency-Key"]}
            ).scalar()

    before = _visits(world, house)
    assert client.post(url, headers=old, json=body).status_code == 201
    age(old)
    assert client.post(url, headers=new, json=body).status_code == 201  # a keyed write: the purge runs
    assert stored(old) == 0 and stored(new) == 1
    late = client.post(url, headers=old, json=body)
    assert late.status_code == 201 and "Idempotent-Replayed" not in late.headers and _visits(world, house) == before + 3
    age(new)
    out = world["app"].server.test_cli_runner().invoke(args=["purge-replays"])
    assert out.exit_code == 0 and out.output.startswith("1 ") and stored(new) == 0


@pytest.fixture
def own_server(world, monkeypatch):
    """The module's world copied into a PostgreSQL cluster of this test's own, which it may stop and start, and
    the app pointed at it."""
    from app import create_app
    from data_access.db import engine_for
    from tests.utils.cluster import Cluster, new_folder

    folder = new_folder("tpmap-restart-")
    cluster = Cluster(folder, "pg")
    try:
        cluster.init()
        cluster.start()
        cluster.copy_in(world["engine"].url.render_as_string(hide_password=False), "tpmap", shapes=False)
        monkeypatch.setenv("TPMAP_DATABASE_URL", cluster.url("tpmap"))
        yield cluster, engine_for(cluster.url("tpmap")), create_app()
    finally:
        engine_for(cluster.url("tpmap")).dispose()
        cluster.stop()
        shutil.rmtree(folder, ignore_errors=True)


def _send_until_done(base: str, call: tuple, give_up: list[float], tried: threading.Event | None = None) -> dict:
    """Send one keyed request again and again, as the field app does (a tenth of a second apart), until it is answered
    2xx (or refused for good, or give_up[0] has passed)."""
    attempts: list[tuple[int, float, float]] = []  # (status, sent, answered)

    def answered() -> bool:
        sent = time.monotonic()
        try:
            status = request(base, *call, timeout=30)[0]
        except OSError:
            status = 0
        attempts.append((status, sent, time.monotonic()))
        if tried is not None:
            tried.set()
        return 200 <= status < 300 or status not in (0, 409, 503) or time.monotonic() > give_up[0]

    wait_until(answered, timeout=float("inf"), what="an answer", ignoring=())
    return {"note": call[2]["note"], "status": attempts[-1][0], "attempts": attempts}


@pytest.mark.parametrize("engine", ["postgis"], indirect=True)
def test_keyed_writes_across_a_database_restart_are_each_written_once_and_retried_within_seconds(
    world, own_server, held_visits, monkeypatch
):
    """Issue 30, item 2, as the issue saw it: PostgreSQL restarts while writers send keyed visits, and one request
    has claimed its key and is still running when the server goes. Every retry is answered within 10 s of the server
    being back, each acknowledged visit is in the database once, and the server's log has no duplicate-key errors
    (before: the claim of the request caught mid-way outlived it, its retries were told "still being processed",
    each after a 15 s wait, for two minutes, and the waiting re-inserted the key every 50 ms)."""
    cluster, engine, app = own_server
    inside, go = held_visits
    monkeypatch.setitem(ratelimit.LIMITS, "lookup", (100_000, 60))
    monkeypatch.setitem(ratelimit.LIMITS, "write", (100_000, 60))
    client = app.server.test_client()
    login = client.post("/api/v1/auth/login", json={"username": world["names"]["team"], "password": PASSWORD})
    token = {"Authorization": "Bearer " + login.get_json()["token"]}
    path = f"/api/v1/households/{world['houses']['7502']}/visits?year={YEAR}"
    run = uuid.uuid4().hex[:8]  # this run's visits are the ones with it in their note

    def call(note: str) -> tuple:
        body = {"visited_on": "2021-08-07", "outcome": "verified", "note": note}
        return ("POST", path, body, token | {"Idempotency-Key": str(uuid.uuid4())})

    give_up, writing = [float("inf")], threading.Event()
    writing.set()
    written: list[tuple[int, float]] = []  # (writer, when) of each visit written

    def writer(n: int) -> list[dict]:
        done, i = [], 0
        while writing.is_set():
            done.append(_send_until_done(base, call(f"{run}-{n}-{i}"), give_up))
            if 200 <= done[-1]["status"] < 300:
                written.append((n, time.monotonic()))
            i += 1
        return done

    def every_writer_wrote(since: float) -> bool:
        return {n for n, at in written if at > since} == {0, 1, 2}

    with served(app.server) as base, ThreadPoolExecutor(4) as pool:
        held_answered = threading.Event()
        held = pool.submit(_send_until_done, base, call(f"hold-{run}"), give_up, held_answered)
        assert inside.wait(30)  # one request has claimed its key and is mid-way
        writers = [pool.submit(writer, n) for n in range(3)]
        try:
            wait_until(lambda: every_writer_wrote(0), timeout=30, what="every writer writing")
        except AssertionError:
            writing.clear()
            raise
        cluster.stop()  # PostgreSQL goes (a fast shutdown: every session ended)
        go.set()  # the request caught mid-way goes on without a database: its write and its release fail
        assert held_answered.wait(30)
        cluster.start()
        back = time.monotonic()
        give_up[0] = back + 10  # every retry must be through within 10 s of the server's return
        try:  # the writers go on until each has written again since the server came back
            wait_until(lambda: every_writer_wrote(back), timeout=15, what="every writer writing again")
        finally:
            writing.clear()
        sent = [held.result()] + [r for w in writers for r in w.result()]

    late = [(r["note"], r["status"], len(r["attempts"])) for r in sent if not 200 <= r["status"] < 300]
    assert late == [], f"not written within 10 s of the restart: {late}"
    assert max(r["attempts"][-1][2] - max(r["attempts"][0][1], back) for r in sent) <= 10
    with engine.connect() as conn:
        notes = conn.execute(text("SELECT note, COUNT(*) FROM visit WHERE note LIKE :r GROUP BY note"), {"r": f"%{run}%"})
        counts = dict(notes.all())
    assert counts == {r["note"]: 1 for r in sent}  # every acknowledged visit, once
    log = cluster.log.read_text(errors="replace")
    assert "database system is ready" in log and log.count("duplicate key value violates unique constraint") == 0
