"""Issue 17: load and faults against the production server (gunicorn, worker processes), loopback only.

    python -m bench.load --prepare --database-url postgresql+psycopg://postgres@127.0.0.1:5432/tpmap_load
    python -m bench.load --database-url URL [--workers 4] [--users 50,200] [--seconds 60] [--fault pg-restart]
    python -m bench.load --dev-server --database-url URL --users 50          # the same mix against werkzeug

--prepare builds the demo's data (every province's published figures, three provinces of households in two
editions, the demo accounts and a Logbook history) into an empty PostGIS database. A run starts gunicorn on a free
port, waits for /healthz, then lets each simulated user loop over a scripted mix for the given seconds:

  page      the country page and a province page, each as the browser loads it (the HTML, the page's callback
            and its shape file)
  api       area, children and ranking calls of the public API
  list      a signed-in household list of the district, and one household's record
  write     a Logbook visit with an Idempotency-Key, by one of 20 team accounts for a household of its tambon
            (every acknowledged visit is looked for in the database at the end)

Every loop is bounded in time and count. Prints requests/s, p50/p95/p99 per kind, errors (5xx and connection
failures) and intended 429s. --fault, at a third of the run:

  pg-restart   pg_ctlcluster restart of the local PostgreSQL
  kill-worker  SIGKILL to one gunicorn worker
  disk-full    (a SQLite database; run it with --dev-server, as `make run` serves it) the database is copied onto a
               tmpfs of its own size plus a margin; at the fault the rest of that filesystem is filled, held full
               for a third of the run, then freed (as an operator would); needs root, for mount
  kill-import  `flask import-survey` of another province into the served edition, SIGKILLed --kill-after seconds
               in; the survey tables' fingerprint before and after must be equal

printed: requests failed during the fault (by kind), seconds until service resumed, acknowledged writes missing from
the database (must be 0), and for kill-import whether the database was unchanged.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DEMO_PASSWORD = "tpmap-demo-2564"
YEAR = 2562
MAX_REQUESTS_PER_USER = 100_000
MAX_USERS = 200
LOG = Path("/tmp/tpmap-bench-load-server.log")
TEAM_TAMBONS = [f"7501{n:02d}" for n in range(2, 12)]  # a bound beside the time: a loop that answers instantly still stops


def prepare(url: str) -> None:
    os.environ["TPMAP_DATABASE_URL"] = url
    import config
    import demo

    config.INSTANCE_DIR.mkdir(parents=True, exist_ok=True)  # the demo build's log goes there (a fresh clone has none)
    from data_access.db import get_engine
    from data_access.schema import upgrade

    engine = get_engine()
    upgrade(engine)
    seconds = demo.build(None, engine)
    from data_access.accounts import create_user

    # one account per simulated user (a person's per-minute look-up limit is a person's): national readers
    for i in range(MAX_USERS):
        create_user(
            username=f"load-{i:03d}", full_name=f"Load {i}", role="national", areas=["TH"], password=DEMO_PASSWORD, engine=engine
        )
    # the field teams who write: two per tambon of Mueang Samut Songkhram (a team's look-up limit is its own)
    for tambon in TEAM_TAMBONS:
        for k in range(2):
            create_user(
                username=f"load-team-{tambon}-{k}",
                full_name=f"Team {tambon}/{k}",
                role="team",
                areas=[tambon],
                password=DEMO_PASSWORD,
                engine=engine,
            )
    print(f"prepared {url.rsplit('@', 1)[-1]} in {seconds:.0f} s, with {MAX_USERS} readers and {2 * len(TEAM_TAMBONS)} teams")


def free_port() -> int:
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def start_server(
    url: str,
    workers: int,
    dev: bool,
    entry: str = "wsgi:server",
    env_extra: dict[str, str] | None = None,
    cwd: Path = ROOT,
    log_path: Path = LOG,
    wait: float = 120,
) -> tuple[subprocess.Popen, str]:
    """The app served on a free loopback port (gunicorn from `cwd`, a checkout, as deployed; or werkzeug with `dev`),
    its log in `log_path`; returns once /healthz answers, within `wait` seconds."""
    port = free_port()
    env = (
        os.environ
        | {
            "TPMAP_DATABASE_URL": url,
            "TPMAP_SECRET_KEY": "bench-" + uuid.uuid4().hex,
            # the simulated readers open records faster than a person would, run after run: not scrapers to stop here
            "TPMAP_ALERT_RECORD_VIEWS_PER_HOUR": "1000000",
        }
        | (env_extra or {})
    )
    if dev:
        code = (
            "import config; from app import create_app; from werkzeug.serving import run_simple; "
            f"run_simple('127.0.0.1', {port}, create_app(config.Settings.from_env()).server, threaded=True)"
        )
        args = [sys.executable, "-c", code]
    else:
        gunicorn = str(Path(sys.executable).with_name("gunicorn"))
        args = [
            gunicorn,
            "--workers",
            str(workers),
            "--bind",
            f"127.0.0.1:{port}",
            entry,
            "--access-logfile",
            "/dev/null",
        ]
    # the server's log to a file: a pipe nobody reads fills up and blocks the server's writes to it
    log = open(log_path, "w")  # noqa: SIM115 - the server's lifetime
    proc = subprocess.Popen(args, cwd=cwd, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    import requests

    deadline = time.time() + wait
    while time.time() < deadline:
        try:
            if requests.get(base + "/healthz", timeout=2).status_code == 200:
                return proc, base
        except requests.RequestException:
            pass
        time.sleep(0.5)
    proc.kill()
    raise SystemExit(f"the server did not become healthy in {wait:g} s (its log: {log_path})")


class Recorder:
    def __init__(self):
        self.lock = threading.Lock()
        self.samples: dict[str, list[float]] = {}
        self.errors: dict[str, int] = {}
        self.limited: dict[str, int] = {}
        self.refused: dict[str, dict[int, int]] = {}  # other 4xx answers, by status (none are expected)
        self.failures: list[tuple[float, str]] = []  # when each failed request ended, and its kind
        self.acknowledged: list[str] = []  # idempotency keys of visits the server acknowledged
        self.successes: list[float] = []

    def add(self, kind: str, ms: float, status: int | None) -> None:
        now = time.time()
        with self.lock:
            if status is None or status >= 500:
                self.errors[kind] = self.errors.get(kind, 0) + 1
                self.failures.append((now, kind))
            elif status == 429:
                self.limited[kind] = self.limited.get(kind, 0) + 1
            elif status >= 400:
                by = self.refused.setdefault(kind, {})
                by[status] = by.get(status, 0) + 1
            else:
                self.samples.setdefault(kind, []).append(ms)
                self.successes.append(now)


def page_callback_payload(deps: list, path: str) -> dict:
    cb = next(c for c in deps if any(i["id"] == "_pages_location" and i["property"] == "pathname" for i in c["inputs"]))
    return {
        "output": cb["output"],
        "outputs": [{"id": o.split(".")[0], "property": o.split(".")[1]} for o in cb["output"].strip(".").split("...")],
        "inputs": [
            {"id": i["id"], "property": i["property"], "value": path if i["property"] == "pathname" else ""} for i in cb["inputs"]
        ],
        "changedPropIds": ["_pages_location.pathname"],
        "state": [{"id": s["id"], "property": s["property"], "value": None} for s in cb.get("state", [])],
    }


def user_loop(
    base: str, until: float, rec: Recorder, houses: list[str], token: str, writer: tuple[str, list[str]], deps: list, seed: int
) -> None:
    import requests

    rng = random.Random(seed)
    s = requests.Session()
    auth = {"Authorization": f"Bearer {token}"}

    def call(kind: str, method: str, path: str, **kw) -> requests.Response | None:
        t0 = time.perf_counter()
        try:
            r = s.request(method, base + path, timeout=30, **kw)
        except requests.RequestException:
            rec.add(kind, (time.perf_counter() - t0) * 1000, None)
            return None
        rec.add(kind, (time.perf_counter() - t0) * 1000, r.status_code)
        return r

    for _ in range(MAX_REQUESTS_PER_USER):
        if time.time() >= until:
            return
        step = rng.random()
        if step < 0.30:  # a page as the browser loads it
            path, shape = rng.choice([("/", "/shapes/provinces.json"), ("/area/75", "/shapes/amphoes/75.json")])
            call("page html", "GET", path, headers={"Accept": "text/html"})
            call("page callback", "POST", "/_dash-update-component", json=page_callback_payload(deps, path))
            call("shape", "GET", shape, headers={"Accept-Encoding": "br"})
        elif step < 0.70:
            path = rng.choice(
                [
                    "/api/v1/areas/TH?year=2561",
                    "/api/v1/areas/TH/children?year=2561",
                    "/api/v1/areas/75/children?year=2562",
                    "/api/v1/areas/TH/ranking?year=2561",
                ]
            )
            call("api", "GET", path, headers=auth)
        elif step < 0.92:
            call("list", "GET", f"/api/v1/areas/7501/households?year={YEAR}&page_size=20", headers=auth)
            call("record", "GET", f"/api/v1/households/{rng.choice(houses)}?year={YEAR}", headers=auth)
        else:
            key = uuid.uuid4().hex
            body = {"visited_on": "2020-01-15", "outcome": "verified", "note": f"bench {key}"}
            r = call(
                "write",
                "POST",
                f"/api/v1/households/{rng.choice(writer[1])}/visits?year={YEAR}",
                json=body,
                headers={"Authorization": f"Bearer {writer[0]}", "Idempotency-Key": key},
            )
            if r is not None and r.status_code in (200, 201):
                with rec.lock:
                    rec.acknowledged.append(key)


FULL_DIR = Path("/tmp/tpmap-bench-full")  # the tmpfs the disk-full fault serves its SQLite copy from
FULL_MARGIN = 64 * 1024 * 1024  # room for the WAL (it grows to a few MB between checkpoints) and the writes before the fault
IMPORT_DIR = Path("/tmp/tpmap-bench-import")  # a generated province for the kill-import fault (kept between runs)
IMPORT_PROVINCE = "96"  # Narathiwat: not one of the demo's, and large enough that an import takes seconds
IMPORT_YEAR = 2561  # the edition the generator calibrates to (published tambon figures); the demo holds it too
SURVEY_TABLES = ("household", "person", "household_failure", "area_pattern_rollup", "area_measure_rollup",
                 "area_indicator_rollup", "village_pattern_rollup", "area_rollup_source", "survey_year")  # fmt: skip


def sqlite_on_small_disk(url: str) -> str:
    """A copy of the SQLite database on a tmpfs only a little larger than it (mounted here, unmounted by
    release_small_disk); the URL of the copy."""
    from sqlalchemy import make_url

    source = Path(make_url(url).database or "")
    import sqlite3

    with sqlite3.connect(source) as db:
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    FULL_DIR.mkdir(exist_ok=True)
    size = source.stat().st_size + FULL_MARGIN
    subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(FULL_DIR)], check=True)
    target = FULL_DIR / source.name
    subprocess.run(["cp", str(source), str(target)], check=True)
    return f"sqlite:///{target}"


def release_small_disk() -> None:
    subprocess.run(["umount", "--lazy", str(FULL_DIR)], check=False)  # lazy: a server slow to exit still holds files


def fill_disk(folder: Path) -> Path:
    """Write a file until the filesystem says it is full (ENOSPC); the file, to free later."""
    filler = folder / "filler"
    with open(filler, "wb", buffering=0) as f:
        for chunk in (1 << 20, 1 << 12):
            block = b"\0" * chunk
            for _ in range(100_000):  # bounded: at most 100 GB, far past any tmpfs made here
                try:
                    f.write(block)
                except OSError:
                    break
    return filler


def survey_fingerprint(url: str) -> dict[str, object]:
    """Every survey and rollup table's row count, and the editions' last import time."""
    from sqlalchemy import text

    from data_access.db import engine_for

    with engine_for(url).connect() as conn:
        counts: dict[str, object] = {t: conn.execute(text(f"SELECT COUNT(*) FROM {t}")).scalar() for t in SURVEY_TABLES}
        counts["imported_at"] = str(conn.execute(text("SELECT MAX(imported_at) FROM survey_year")).scalar())
    return counts


def import_folder() -> Path:
    folder = IMPORT_DIR / str(IMPORT_YEAR)
    if not (folder / "households.csv").exists():
        flask = str(Path(sys.executable).with_name("flask"))
        subprocess.run(
            [flask, "--app", "app:server", "generate-population", "--year", str(IMPORT_YEAR), "--provinces", IMPORT_PROVINCE, str(folder)],
            cwd=ROOT, check=True, timeout=900, capture_output=True,
        )  # fmt: skip
    return folder


IMPORTER = "tpmap-bench-import"  # the import's application_name on PostgreSQL


def wait_for_import_writes(url: str, importer: subprocess.Popen) -> float | None:
    """When the importer's transaction first held a transaction id (it had written), or None if it ended first."""
    from sqlalchemy import text

    from data_access.db import engine_for

    for _ in range(6000):  # bounded: 10 minutes
        if importer.poll() is not None:
            return None
        with engine_for(url).connect() as conn:
            wrote = conn.execute(
                text("SELECT 1 FROM pg_stat_activity WHERE application_name = :a AND backend_xid IS NOT NULL"), {"a": IMPORTER}
            ).first()
        if wrote:
            return time.time()
        time.sleep(0.1)
    return None


def fault(kind: str, proc: subprocess.Popen, url: str, seconds: float, kill_after: float) -> dict:
    started = time.time()
    out: dict = {"started": started}
    if kind == "pg-restart":
        subprocess.run(["pg_ctlcluster", "--skip-systemctl-redirect", "15", "main", "restart"], check=True, timeout=120)
    elif kind == "kill-worker":
        children = subprocess.run(["pgrep", "-P", str(proc.pid)], capture_output=True, text=True).stdout.split()
        if children:
            os.kill(int(children[0]), signal.SIGKILL)
    elif kind == "disk-full":
        filler = fill_disk(FULL_DIR)
        time.sleep(seconds / 3)
        filler.unlink()
        out["freed"] = time.time()
    elif kind == "kill-import":
        before = survey_fingerprint(url)
        flask = str(Path(sys.executable).with_name("flask"))
        importer = subprocess.Popen(
            [flask, "--app", "app:server", "import-survey", "--year", str(IMPORT_YEAR), "--scope", IMPORT_PROVINCE, str(import_folder())],
            cwd=ROOT, env=os.environ | {"TPMAP_DATABASE_URL": url, "PGAPPNAME": IMPORTER},
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        # PostgreSQL: the clock starts when the import's transaction has written its first row (it has an xid), so
        # the kill lands mid-write and not in the validation before it; SQLite: when the import starts
        writing = wait_for_import_writes(url, importer) if url.startswith("postgresql") else time.time()
        try:
            importer.wait(max(0.0, kill_after - (time.time() - writing)) if writing else 0)
            out["import"] = f"finished before the kill (exit {importer.returncode}): lower --kill-after"
        except subprocess.TimeoutExpired:
            importer.kill()
            importer.wait()
            out["import"] = f"killed {time.time() - writing:.1f} s after its transaction began writing"
        after = survey_fingerprint(url)
        out["database_unchanged"] = before == after
        if before != after:
            out["changed"] = {k: (before[k], after[k]) for k in before if before[k] != after[k]}
    return out


def run(
    base: str, users: int, seconds: float, proc: subprocess.Popen, fault_kind: str | None, url: str, kill_after: float = 5.0
) -> dict:
    import requests

    # tokens issued in the data layer: 200 sign-ins from one loopback address would meet the address's sign-in limit
    os.environ["TPMAP_DATABASE_URL"] = url
    from data_access.accounts import authenticate, issue_token

    readers = [issue_token(authenticate(f"load-{i:03d}", DEMO_PASSWORD).user)[0] for i in range(min(users, MAX_USERS))]
    writers = [
        (issue_token(authenticate(f"load-team-{t}-{k}", DEMO_PASSWORD).user)[0], t) for t in TEAM_TAMBONS for k in range(2)
    ]
    listed = requests.get(
        base + f"/api/v1/areas/7501/households?year={YEAR}&page_size=500",
        headers={"Authorization": f"Bearer {readers[0]}"},
        timeout=30,
    ).json()["items"]
    houses = [h["house_id"] for h in listed]
    by_tambon: dict[str, list[str]] = {}
    for h in listed:
        by_tambon.setdefault(h["tambon_code"], []).append(h["house_id"])
    writers = [(token, by_tambon[t]) for token, t in writers if by_tambon.get(t)]
    deps = requests.get(base + "/_dash-dependencies", timeout=30).json()
    rec = Recorder()
    until = time.time() + seconds
    threads = [
        threading.Thread(
            target=user_loop,
            args=(base, until, rec, houses, readers[i % len(readers)], writers[i % len(writers)], deps, i),
            daemon=True,
        )
        for i in range(users)
    ]
    t0 = time.time()
    cpu0, parts0 = box_cpu(), cpu_by_party(proc.pid)
    for t in threads:
        t.start()
    happened: dict | None = None
    if fault_kind:
        time.sleep(seconds / 3)
        happened = fault(fault_kind, proc, url, seconds, kill_after)
    for t in threads:
        t.join(seconds + 60)
    took = time.time() - t0
    cpu1, parts1 = box_cpu(), cpu_by_party(proc.pid)
    out: dict = {"users": users, "seconds": round(took, 1), "kinds": {}}
    total = 0
    for kind, ms in sorted(rec.samples.items()):
        q = statistics.quantiles(ms, n=100) if len(ms) >= 2 else [ms[0]] * 99
        total += len(ms)
        out["kinds"][kind] = {
            "n": len(ms),
            "p50": round(q[49], 1),
            "p95": round(q[94], 1),
            "p99": round(q[98], 1),
            "errors": rec.errors.get(kind, 0),
            "429": rec.limited.get(kind, 0),
            "refused": rec.refused.get(kind, {}),
        }
    out["requests_per_s"] = round((total + sum(rec.errors.values())) / took, 1)
    out["errors"] = sum(rec.errors.values())
    out["limited"] = sum(rec.limited.values())
    answered = total + out["errors"] + out["limited"] + sum(sum(by.values()) for by in rec.refused.values())
    if cpu0 is not None and cpu1 is not None and answered:
        # the whole machine's CPU per request (server, PostgreSQL and these client threads together): steadier than
        # requests/s on a shared host, whose neighbours take cycles (reported as steal) the run never sees
        busy, steal = cpu1[0] - cpu0[0], cpu1[1] - cpu0[1]
        out["cpu_ms_per_request"] = round(busy * 1000 / os.sysconf("SC_CLK_TCK") / answered, 2)
        out["steal_share"] = round(steal / max(1, busy + steal + cpu1[2] - cpu0[2]), 3)
        # whose CPU it is: the server's processes, PostgreSQL's, or these simulated users' (they share the two cores)
        out["cpu_ms_per_request_by"] = {
            party: round((parts1.get(party, 0) - parts0.get(party, 0)) * 1000 / os.sysconf("SC_CLK_TCK") / answered, 2)
            for party in ("server", "database", "users")
        }
    if happened is not None:
        fault_at = happened.pop("started")
        during = [f for f, _ in rec.failures if f >= fault_at]
        by_kind: dict[str, int] = {}
        for f, kind in rec.failures:
            if f >= fault_at:
                by_kind[kind] = by_kind.get(kind, 0) + 1
        last_fail = max(during) if during else fault_at
        out["fault"] = {"kind": fault_kind, "failed_requests": len(during), "failed_by_kind": by_kind}
        freed = happened.pop("freed", None)
        if freed is not None:  # disk-full: how long the service took to resume once the space was back
            out["fault"]["held_full_s"] = round(freed - fault_at, 1)
            out["fault"]["resumed_after_freed_s"] = round(max(0.0, last_fail - freed), 1)
        else:
            out["fault"]["resumed_after_s"] = round(max(0.0, last_fail - fault_at), 1)
        out["fault"] |= happened
    out["acknowledged_writes"] = len(rec.acknowledged)
    out["acknowledged_missing"] = missing_writes(url, rec.acknowledged)
    if url.startswith("sqlite"):
        from sqlalchemy import text

        from data_access.db import engine_for

        with engine_for(url).connect() as conn:  # a fault must leave the file whole
            out["integrity_check"] = conn.execute(text("PRAGMA integrity_check")).scalar()
    return out


def cpu_by_party(server_pid: int) -> dict[str, int]:
    """CPU clock ticks so far of the server (the process started for the run and its workers), PostgreSQL's
    processes, and this process (the simulated users); empty off Linux. A process that ended between two readings
    takes its ticks with it (a killed worker's last seconds are not counted)."""
    me, out = os.getpid(), {"server": 0, "database": 0, "users": 0}
    try:
        pids = [int(p) for p in os.listdir("/proc") if p.isdigit()]
    except OSError:
        return {}
    for pid in pids:
        try:
            stat = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)
            comm = stat[0].split("(", 1)[1]
            fields = stat[1].split()
        except (OSError, IndexError):
            continue
        ticks, ppid, group = int(fields[11]) + int(fields[12]), int(fields[1]), int(fields[2])
        if pid == me:
            out["users"] += ticks
        elif pid == server_pid or ppid == server_pid or group == server_pid:
            out["server"] += ticks
        elif comm.startswith("postgres"):
            out["database"] += ticks
    return out


def box_cpu() -> tuple[int, int, int] | None:
    """This machine's CPU time so far, in clock ticks: (busy, stolen by the host, idle); None off Linux."""
    try:
        fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    except (OSError, ValueError):
        return None
    user, nice, system, idle, iowait, irq, softirq, steal = (fields + [0] * 8)[:8]
    return user + nice + system + irq + softirq, steal, idle + iowait


def missing_writes(url: str, keys: list[str]) -> int:
    """Acknowledged visits the database does not hold (must be 0): each visit's note carries its request's key."""
    if not keys:
        return 0
    from sqlalchemy import text

    from data_access.db import engine_for

    with engine_for(url).connect() as conn:
        held = set(conn.execute(text("SELECT note FROM visit WHERE note LIKE 'bench %'")).scalars())
    return sum(1 for k in keys if f"bench {k}" not in held)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--database-url", required=True)
    ap.add_argument("--prepare", action="store_true")
    ap.add_argument("--workers", type=int, default=4)
    ap.add_argument("--users", default="50,200")
    ap.add_argument("--seconds", type=float, default=60)
    ap.add_argument("--fault", choices=["pg-restart", "kill-worker", "disk-full", "kill-import"])
    ap.add_argument("--kill-after", type=float, default=5.0, help="kill-import: seconds into the import")
    ap.add_argument("--dev-server", action="store_true", help="werkzeug's development server instead of gunicorn")
    ap.add_argument("--json", type=Path)
    args = ap.parse_args()
    if args.prepare:
        prepare(args.database_url)
        return
    url = args.database_url
    if args.fault == "disk-full":
        if not url.startswith("sqlite"):
            raise SystemExit("--fault disk-full is for the embedded SQLite database (a PostgreSQL server's disk is its own)")
        url = sqlite_on_small_disk(url)
    if args.fault == "kill-import":
        import_folder()  # generated before the load starts, not during it
    proc, base = start_server(url, args.workers, args.dev_server)
    results = []
    try:
        for users in [int(u) for u in args.users.split(",")]:
            r = run(base, users, args.seconds, proc, args.fault, url, args.kill_after)
            r["server"] = "werkzeug (dev)" if args.dev_server else f"gunicorn {args.workers} workers"
            results.append(r)
            print(json.dumps(r, ensure_ascii=False, indent=1), flush=True)
    finally:
        os.killpg(proc.pid, signal.SIGINT)  # gunicorn's quick shutdown (SIGTERM would wait for the queued requests)
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
        if args.fault == "disk-full":
            release_small_disk()
    if args.json:
        args.json.write_text(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
