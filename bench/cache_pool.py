"""Issue 35, items 3 and 4: the same answer computed once for everyone, and the pool for a trusted local database.

    python -m bench.cache_pool callbacks --database-url postgresql+psycopg://postgres@127.0.0.1:5432/tpmap_load
    python -m bench.cache_pool pool --database-url URL [--users 50] [--seconds 40] [--rounds 2] [--workers 4]

The database is one `python -m bench.load --prepare` built (the demo's data, its accounts).

callbacks  In this process, on the app's test client: the time of a page's render callback (the router's, for `/`
           and `/area/75`) and of a metric change on the province's map, computed (cold: an empty store) and
           served from the shared store (cached), each the median of --repeat; then what reading one kept answer
           costs from the store's folder against a row of a PostgreSQL table (the other shared place considered).
pool       The production server (gunicorn, --workers) started twice per round, interleaved: with the pool as it was
           (bench/pool_before.py: a ping before each checkout, reads in a transaction) and as it is. Closed-loop
           users (no think time) loop over two mixes: `public` (signed out: the page's HTML, its render callback and
           its shape file, and the public API's area, children and ranking) and `reads` (signed in with a token: the
           household list of a district and a household's record, which read the database on every request).
           Prints requests/s, p50/p95 and CPU per request of the server and of PostgreSQL; then, in this process,
           the time of one checkout-read-return of a pooled connection each way (the part of a request the pool
           costs).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.load import DEMO_PASSWORD, YEAR, box_cpu, cpu_by_party  # noqa: E402

PUBLIC_API = (
    "/api/v1/areas/TH?year=2561",
    "/api/v1/areas/TH/children?year=2561",
    "/api/v1/areas/75/children?year=2562",
    "/api/v1/areas/TH/ranking?year=2561",
)


def _median_ms(call: Callable[[], object], repeat: int) -> float:
    took = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        call()
        took.append((time.perf_counter() - t0) * 1000)
    return round(statistics.median(took), 1)


def callbacks(url: str, repeat: int) -> dict:
    folder = Path(tempfile.mkdtemp(prefix="tpmap-rush-store-"))
    os.environ |= {"TPMAP_DATABASE_URL": url, "TPMAP_CALLBACK_CACHE_DIR": str(folder)}
    import shutil

    from app import create_app
    from tests.test_public_answers import _area_state, _metric_change
    from tests.utils.world import page_callback, page_update

    client = create_app().server.test_client()
    br = {"Accept-Encoding": "br"}  # as a browser asks: the cold answer is compressed too, then kept
    out: dict = {}
    for name, path in (("render /", "/"), ("render /area/75", "/area/75")):
        body = page_update(client, path, f"?year={YEAR}")
        client.post("/_dash-update-component", json=body, headers=br)  # this process's own caches warm

        def cold(body: dict = body) -> None:
            shutil.rmtree(folder, ignore_errors=True)
            assert client.post("/_dash-update-component", json=body, headers=br).status_code == 200

        def cached(body: dict = body) -> None:
            assert client.post("/_dash-update-component", json=body, headers=br).status_code == 200

        out[name] = {"cold_ms": _median_ms(cold, repeat), "cached_ms": _median_ms(cached, repeat)}
    state = _area_state(page_callback(client, "/area/75", f"?year={YEAR}", None))

    def change_cold() -> None:
        shutil.rmtree(folder, ignore_errors=True)
        assert _metric_change(client, state, "crisis").status_code == 200

    def change_cached() -> None:
        assert _metric_change(client, state, "crisis").status_code == 200

    out["metric change /area/75"] = {"cold_ms": _median_ms(change_cold, repeat), "cached_ms": _median_ms(change_cached, repeat)}
    out["store"] = _store_read(url, folder, repeat * 20)
    shutil.rmtree(folder, ignore_errors=True)
    return out


def _store_read(url: str, folder: Path, repeat: int) -> dict:
    """One kept answer (a province page's render, 30 KB compressed) read back: from the folder (as cache.shared_get
    does) and from a PostgreSQL table by its key, through a pooled connection."""
    from sqlalchemy import text

    from data_access import cache
    from data_access.db import engine_for

    engine = engine_for(url)
    body = os.urandom(30_000)
    cache.shared_put(engine, ("bench",), body, {"headers": {}})
    with engine.begin() as conn:
        conn.execute(text("CREATE TEMP TABLE IF NOT EXISTS kept (k text PRIMARY KEY, v bytea)"))  # raw: a bench table
        conn.execute(text("INSERT INTO kept VALUES ('k', :v) ON CONFLICT (k) DO UPDATE SET v = :v"), {"v": body})
        # a temporary table is the session's: the read below runs on this same connection, as a pooled one would
        disk = _median_ms(lambda: cache.shared_get(engine, ("bench",)), repeat)
        table = _median_ms(lambda: conn.execute(text("SELECT v FROM kept WHERE k = 'k'")).scalar(), repeat)
    return {"folder_ms": disk, "postgresql_table_ms": table}


def _start(url: str, workers: int, entry: str) -> tuple[Any, str]:
    """gunicorn as bench.load starts it, with the store of signed-out answers in a folder of this run's own."""
    from bench.load import start_server

    store = tempfile.mkdtemp(prefix="tpmap-rush-store-")
    return start_server(url, workers, dev=False, entry=entry, env_extra={"TPMAP_CALLBACK_CACHE_DIR": store})


def _user(base: str, mix: str, until: float, token: str, houses: list[str], deps: list, seed: int, rec: dict) -> None:
    import requests

    from bench.load import page_callback_payload

    rng, s = random.Random(seed), requests.Session()
    auth = {"Authorization": f"Bearer {token}"}
    while time.time() < until:
        if mix == "public":
            if rng.random() < 0.4:
                path, shape = rng.choice([("/", "/shapes/provinces.json"), ("/area/75", "/shapes/amphoes/75.json")])
                calls: list[tuple[str, str, dict[str, Any]]] = [
                    ("GET", path, {"headers": {"Accept": "text/html"}}),
                    ("POST", "/_dash-update-component", {"json": page_callback_payload(deps, path)}),
                    ("GET", shape, {"headers": {"Accept-Encoding": "br"}}),
                ]
            else:
                calls = [("GET", rng.choice(PUBLIC_API), {})]
        else:
            calls = [
                ("GET", f"/api/v1/areas/7501/households?year={YEAR}&page_size=20", {"headers": auth}),
                ("GET", f"/api/v1/households/{rng.choice(houses)}?year={YEAR}", {"headers": auth}),
            ]
        for method, path, kw in calls:
            t0 = time.perf_counter()
            try:
                status = s.request(method, base + path, timeout=30, **kw).status_code
            except requests.RequestException:
                status = 0
            took = (time.perf_counter() - t0) * 1000
            with rec["lock"]:
                rec["ms" if 200 <= status < 300 else "errors"].append(took)


def _load(base: str, proc: Any, mix: str, users: int, seconds: float, tokens: list[str], houses: list[str]) -> dict:
    import requests

    deps = requests.get(base + "/_dash-dependencies", timeout=30).json()
    # a few seconds' warm-up: every worker's caches and pool filled before the clock starts
    _run_users(base, mix, users, 5, tokens, houses, deps)
    parts0 = cpu_by_party(proc.pid)
    cpu0 = box_cpu()
    spy = _spy_on(proc.pid, seconds * 0.8) if PY_SPY else None
    rec = _run_users(base, mix, users, seconds, tokens, houses, deps)
    parts1, cpu1 = cpu_by_party(proc.pid), box_cpu()
    n, tick = len(rec["ms"]) + len(rec["errors"]), os.sysconf("SC_CLK_TCK")
    q = statistics.quantiles(rec["ms"], n=100)
    out = {"requests_per_s": round(n / seconds, 1), "p50_ms": round(q[49], 1), "p95_ms": round(q[94], 1)}
    out["errors"] = len(rec["errors"])
    out |= {
        f"cpu_ms_per_request_{party}": round((parts1[party] - parts0[party]) * 1000 / tick / n, 2)
        for party in ("server", "database")
    }
    if spy is not None:
        out["profile"] = _spied(*spy)
    if cpu0 is not None and cpu1 is not None:
        out["steal_share"] = round((cpu1[1] - cpu0[1]) / max(1, cpu1[0] - cpu0[0] + cpu1[1] - cpu0[1] + cpu1[2] - cpu0[2]), 3)
    return out


PY_SPY: list[str] = []  # --py-spy: the program, when given
# what a sample of a worker is doing, by the frames it holds (py-spy's raw format: "frame;frame;... count")
SPIED = {
    "pre-ping": ("do_ping",),
    "rollback": ("do_rollback", "_rollback_impl", "_rollback_gen"),
    "begin": ("_start_query",),
    "any database wait": ("psycopg/", "sqlalchemy/pool"),
}


def _spy_on(server_pid: int, seconds: float) -> tuple[object, Path]:
    """py-spy recording one of the server's workers (every thread, idle ones included: a wait on PostgreSQL is one)."""
    import subprocess

    workers = [int(p) for p in os.listdir("/proc") if p.isdigit() and _parent(int(p)) == server_pid]
    out = Path(tempfile.mkdtemp(prefix="tpmap-spy-")) / "raw.txt"
    args = [PY_SPY[0], "record", "--idle", "--format", "raw", "--rate", "200", "--duration", str(int(seconds))]
    proc = subprocess.Popen(
        [*args, "--output", str(out), "--pid", str(workers[0])], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    return proc, out


def _parent(pid: int) -> int | None:
    try:
        return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])
    except (OSError, IndexError, ValueError):
        return None


def _spied(proc: Any, out: Path) -> dict:
    """The share of a worker's samples while answering a request (inside the WSGI app) in each of SPIED."""
    proc.wait(120)
    counts = dict.fromkeys(SPIED, 0)
    total = 0
    for line in out.read_text().splitlines() if out.exists() else []:
        stack, _, n = line.rpartition(" ")
        if "wsgi_app" not in stack:
            continue  # waiting for the next request
        total += int(n)
        for name, marks in SPIED.items():
            if any(m in stack for m in marks):
                counts[name] += int(n)
    return {"samples": total} | {name: round(c / total, 3) if total else None for name, c in counts.items()}


def _run_users(base: str, mix: str, users: int, seconds: float, tokens: list[str], houses: list[str], deps: list) -> dict:
    rec: dict = {"lock": threading.Lock(), "ms": [], "errors": []}
    until = time.time() + seconds
    threads = [
        threading.Thread(target=_user, args=(base, mix, until, tokens[i % len(tokens)], houses, deps, i, rec), daemon=True)
        for i in range(users)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(seconds + 60)
    return rec


def checkout_cost(url: str, repeat: int) -> dict:
    """One request's use of the pool, in this process: check a connection out, read one row, give it back."""
    from sqlalchemy import Connection, Engine, text

    from bench import pool_before
    from data_access import db

    out = {}
    for name, engine_for, autocommit in (
        ("before", pool_before.engine_as_before, pool_before.in_a_transaction),
        ("after", db._engine_for, db._autocommit),
    ):
        engine = engine_for(url)

        def once(engine: Engine = engine, autocommit: Callable[[Connection], Connection] = autocommit) -> None:
            with autocommit(engine.connect()) as conn:
                conn.execute(text("SELECT 1")).scalar()

        once()
        out[f"{name}_ms"] = round(_median_ms(once, repeat), 3)
    return out


def pool(url: str, users: int, seconds: float, rounds: int, workers: int) -> dict:
    os.environ["TPMAP_DATABASE_URL"] = url
    import requests

    from data_access.accounts import authenticate, issue_token

    tokens = [issue_token(authenticate(f"load-{i:03d}", DEMO_PASSWORD).user)[0] for i in range(min(users, 50))]
    results: dict = {}
    for r in range(rounds):
        for name, entry in (("before", "bench.pool_before:server"), ("after", "wsgi:server")):
            proc, base = _start(url, workers, entry)
            try:
                listed = requests.get(
                    base + f"/api/v1/areas/7501/households?year={YEAR}&page_size=500",
                    headers={"Authorization": f"Bearer {tokens[0]}"},
                    timeout=30,
                ).json()["items"]
                houses = [h["house_id"] for h in listed]
                for mix in ("public", "reads"):
                    got = _load(base, proc, mix, users, seconds, tokens, houses)
                    results.setdefault(f"{mix} {name}", []).append(got)
                    print(f"round {r + 1} {mix:6} {name:6} {json.dumps(got)}", flush=True)
            finally:
                import signal

                os.killpg(proc.pid, signal.SIGTERM)
                proc.wait(30)
    results["checkout"] = checkout_cost(url, 2000)
    return results


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("what", choices=["callbacks", "pool"])
    ap.add_argument("--database-url", required=True)
    ap.add_argument("--repeat", type=int, default=15)
    ap.add_argument("--users", type=int, default=50)
    ap.add_argument("--seconds", type=float, default=40)
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--workers", type=int, default=4)
    ap.add_argument("--py-spy", help="pool: profile one worker per run with this py-spy program")
    args = ap.parse_args()
    if args.py_spy:
        PY_SPY.append(args.py_spy)
    if args.what == "callbacks":
        print(json.dumps(callbacks(args.database_url, args.repeat), indent=1))
    else:
        print(json.dumps(pool(args.database_url, args.users, args.seconds, args.rounds, args.workers), indent=1))


if __name__ == "__main__":
    main()
