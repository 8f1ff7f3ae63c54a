"""Issue 35's targets, measured with a load tool nobody here wrote (Locust), on the production server (gunicorn with
gunicorn.conf.py: the app preloaded, 4 workers), loopback only.

    python -m bench.rush --database-url postgresql+psycopg://postgres@127.0.0.1:5432/tpmap_load --prepare
    python -m bench.rush --database-url URL [--users 1000] [--spawn-rate 20] [--seconds 300] [--workers 4]
    python -m bench.rush --database-url URL --closed-loop [--users 6] [--seconds 60]
    python -m bench.rush --database-url URL --cold [--rounds 5] [--page /area/75]

Locust lives in a venv of its own, never in the project's requirements:

    python3 -m venv /tmp/locustvenv && /tmp/locustvenv/bin/pip install -r bench/requirements-locust.txt

(--locust names another locust executable.) --prepare builds the demo's data, its 200 reader accounts and 20 team
accounts into an empty PostGIS database (bench.load's preparation). A run starts gunicorn on a free port, issues a
bearer token to each account (in the data layer: 220 sign-ins from one address would meet its sign-in limit), writes
them to a setup file for bench/locustfile.py, and runs `locust --headless -u N -r R -t Ts --csv PREFIX` as a
subprocess. The mix (bench/locustfile.py): page renders as the browser loads them (the HTML, Dash's layout and
dependencies, the router callback, the map's shape file), metric changes (the map's preview, GET /area-map/<code>, and
the area page's update callback, its payload built from /_dash-dependencies and the rendered page), the public API's area figures, children and
ranking, signed-in household lists and records, and the field teams' Logbook writes with Idempotency-Keys (a few
sent twice, as a phone retries); think time 5-15 s. A failure: a 5xx, a connection error, a refusal other than
429, or a callback answer that is not valid Dash JSON.

Printed: users, requests/s, p50/p95/p99 overall and per kind (Locust's CSV; the whole run, its ramp-up included),
failures, CPU milliseconds per request of the server (gunicorn's processes), PostgreSQL (the backends of the run's
database, by psutil, sampled each second so that a backend that ends is counted to its last second) and Locust, and
what the server's /metrics counted meanwhile (requests by status, errors by status, callbacks that failed, cache
hits, the share answered within 300 and 800 ms), and acknowledged Logbook writes missing from the database.

--closed-loop: no think time, a handful of users, the public mix (pages, metric changes, area figures, children,
ranking): requests/s per core of server CPU, i.e. requests/s ÷ ((gunicorn + PostgreSQL CPU seconds) ÷ wall).

--cold: the first visit after a start of the production server against warm ones, over several restarts (each
round: start, the cold visit, then warm visits, stop). A visit is a new client's: the page's HTML, every script
and stylesheet it names (six at a time, as a browser), Dash's layout and dependencies, the router callback and the
map's shape file, with a browser's Accept-Encoding. Dash's files compressed on disk (instance/compressed) are kept
across restarts, as across restarts of one release.

Everything above `# -- the run` uses the standard library only: bench/locustfile.py imports this module inside
Locust's own venv.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent

# -- Dash's callbacks as its renderer posts them ------------------------------------------------------------------

ROUTER_INPUT = ("_pages_location", "pathname")  # Dash pages' router: the address's path is its input
METRIC_CONTROL = ("ctl-metric", "value")  # the area page's metric menu
Props = dict[tuple[str, str], Any]  # (component id, property) -> value, of every component of a rendered layout


def _id_key(raw: Any) -> str:
    """A component id as Dash names it in a callback's output: a string, or a pattern id's sorted JSON."""
    return raw if isinstance(raw, str) else json.dumps(raw, sort_keys=True, separators=(",", ":"))


def _parse_id(text: str) -> Any:
    return json.loads(text) if text.startswith("{") else text


def output_ids(dep: dict[str, Any]) -> list[tuple[Any, str]]:
    """A dependency's outputs (id, property), from its `output` string: `id.prop`, or `..a.p...b.q..` for many (as
    Dash writes them for a list or a dict of outputs alike)."""
    text = dep["output"]
    many = text.startswith("..") and text.endswith("..")
    parts = text[2:-2].split("...") if many else [text]
    out = []
    for part in parts:
        ident, prop = part.rsplit(".", 1)
        out.append((_parse_id(ident), prop))
    return out


def is_multi(dep: dict[str, Any]) -> bool:
    text = dep["output"]
    return text.startswith("..") and text.endswith("..")


def server_callbacks_with_input(deps: list[dict[str, Any]], component: str, prop: str) -> list[dict[str, Any]]:
    """The server-side callbacks (not the browser's own) that take this component's property as an input."""
    return [
        d
        for d in deps
        if not d.get("clientside_function") and any(i["id"] == component and i["property"] == prop for i in d["inputs"])
    ]


def callback_payload(dep: dict[str, Any], values: Props, changed: list[str]) -> dict[str, Any]:
    """The body of POST /_dash-update-component for this callback, each input and state valued as `values` has it
    (absent: null, as a property the layout never set)."""
    outputs = [{"id": i, "property": p} for i, p in output_ids(dep)]

    def valued(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return [{"id": x["id"], "property": x["property"], "value": values.get((_id_key(x["id"]), x["property"]))} for x in items]

    return {
        "output": dep["output"],
        "outputs": outputs if is_multi(dep) else outputs[0],
        "inputs": valued(dep["inputs"]),
        "changedPropIds": changed,
        "state": valued(dep.get("state", [])),
    }


def router_payload(deps: list[dict[str, Any]], path: str, search: str = "") -> tuple[dict[str, Any], dict[str, Any]]:
    """The router callback of Dash's pages (its input: the location's path) and its body for `path`."""
    found = server_callbacks_with_input(deps, *ROUTER_INPUT)
    if not found:
        raise LookupError("no callback takes _pages_location.pathname: is this a Dash pages app?")
    dep = found[0]
    values: Props = {ROUTER_INPUT: path, ("_pages_location", "search"): search, ("_pages_location", "hash"): ""}
    return dep, callback_payload(dep, values, [".".join(ROUTER_INPUT)])


def component_props(tree: Any) -> Props:
    """Every property of every component with an id in a Dash answer or layout (components as JSON: type,
    namespace, props), the first of each id wins (as the renderer keeps one component per id)."""
    found: Props = {}
    stack = [tree]
    for _ in range(1_000_000):  # bounded: a layout has thousands of nodes, not millions
        if not stack:
            break
        node = stack.pop()
        if isinstance(node, list):
            stack.extend(reversed(node))
        elif isinstance(node, dict):
            props = node.get("props") if "namespace" in node and "type" in node else None
            if isinstance(props, dict) and "id" in props:
                key = _id_key(props["id"])
                for prop, value in props.items():
                    found.setdefault((key, prop), value)
            stack.extend(reversed([v for v in node.values() if isinstance(v, (list, dict))]))
    return found


def metric_callback(deps: list[dict[str, Any]], props: Props) -> dict[str, Any]:
    """The page's callback that the metric menu drives: of the server callbacks taking it as an input, the one whose
    every input and state is a component of the rendered page."""
    here = {k for k, _ in props}
    for dep in server_callbacks_with_input(deps, *METRIC_CONTROL):
        if all(_id_key(x["id"]) in here for x in [*dep["inputs"], *dep.get("state", [])]):
            return dep
    raise LookupError(f"no server callback of this page takes {'.'.join(METRIC_CONTROL)}")


def metric_choices(props: Props) -> list[str]:
    """The metric menu's other options (its value as rendered excluded)."""
    current = props.get(METRIC_CONTROL)
    options = props.get((METRIC_CONTROL[0], "options")) or []
    values = [o.get("value") if isinstance(o, dict) else o for o in options]
    return [v for v in values if isinstance(v, str) and v != current]


def map_preview(props: Props) -> tuple[str, str] | None:
    """Where a rendered page's map fetches the map a chosen metric asks for, and the map it shows (its canvas's
    figure's layout.meta: assets/canvas-map.js); None for a page without one."""
    figure = props.get(("area-canvas-fig", "data"))
    meta = ((figure or {}).get("layout") or {}).get("meta") or {}
    url = (meta.get("preview") or {}).get("url")
    return (url, meta.get("map") or "") if url else None


def preview_address(url: str, have: str, metric: str) -> str:
    """The map preview's address for `metric`, as the canvas writes it: its page's query, the metric set, the map
    the page shows."""
    from urllib.parse import parse_qsl, urlencode, urlsplit

    parts = urlsplit(url)
    return parts.path + "?" + urlencode(dict(parse_qsl(parts.query)) | {"metric": metric, "have": have})


def metric_change_payload(dep: dict[str, Any], props: Props, metric: str) -> dict[str, Any]:
    """The update the browser posts when the metric menu is set to `metric` on the rendered page."""
    return callback_payload(dep, props | {METRIC_CONTROL: metric}, [".".join(METRIC_CONTROL)])


def dash_answer_problem(status: int, body: bytes | str, dep: dict[str, Any]) -> str | None:
    """Why an answer to this callback is not a valid Dash answer (None when it is): HTTP 200 (204 is Dash's "nothing
    to update", which a render never answers), JSON with a `response` of the callback's own outputs."""
    if status != 200:
        return f"HTTP {status}"
    try:
        answer = json.loads(body)
    except ValueError:
        return "not JSON"
    response = answer.get("response") if isinstance(answer, dict) else None
    if not isinstance(response, dict) or not response:
        return "no response in the answer"
    declared = {_id_key(i) for i, _ in output_ids(dep)}
    stray = [k for k in response if k not in declared]
    if stray:
        return f"outputs the callback does not declare: {stray[:3]}"
    if not all(isinstance(v, dict) for v in response.values()):
        return "an output without properties"
    return None


SHAPE = re.compile(r"^/shapes/[\w./-]+\.json$")


def shape_files(tree: Any) -> list[str]:
    """The shape files a rendered page's figures name (the browser fetches them), in order, once each."""
    found: list[str] = []
    stack = [tree]
    for _ in range(1_000_000):
        if not stack:
            break
        node = stack.pop()
        if isinstance(node, str):
            if SHAPE.match(node) and node not in found:
                found.append(node)
        elif isinstance(node, dict):
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
    return found


# -- the run ------------------------------------------------------------------------------------------------------

DEFAULT_LOCUST = "/tmp/locustvenv/bin/locust"
LOG = Path(tempfile.gettempdir()) / "tpmap-bench-rush-server.log"
BROWSER_ENCODING = "gzip, deflate, br, zstd"


@dataclass
class Server:
    proc: subprocess.Popen[bytes]
    base: str


def start_server(url: str, workers: int, log: Path = LOG) -> Server:
    """gunicorn as deployed (gunicorn.conf.py, read from the checkout: the app preloaded, the access log on), on a
    free loopback port; returns once /healthz answers."""
    import requests

    from bench.load import free_port

    port = free_port()
    env = os.environ | {
        "TPMAP_DATABASE_URL": url,
        "TPMAP_SECRET_KEY": "bench-" + uuid.uuid4().hex,
        # the simulated officials open records faster than a person would: not scrapers to stop here
        "TPMAP_ALERT_RECORD_VIEWS_PER_HOUR": "1000000",
    }
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)  # gunicorn.conf.py makes a fresh one for each start
    gunicorn = str(Path(sys.executable).with_name("gunicorn"))
    args = [gunicorn, "--workers", str(workers), "--bind", f"127.0.0.1:{port}", "--no-control-socket", "wsgi:server"]
    with open(log, "a") as out:  # a file, not a pipe nobody reads (a full pipe blocks the server)
        proc = subprocess.Popen(args, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    deadline = time.time() + 180
    while time.time() < deadline and proc.poll() is None:
        try:
            if requests.get(base + "/healthz", timeout=2).status_code == 200:
                return Server(proc, base)
        except requests.RequestException:
            pass
        time.sleep(0.2)
    stop_server(Server(proc, base))
    raise SystemExit(f"the server did not become healthy in 180 s (its log: {log})")


def stop_server(server: Server) -> None:
    try:
        os.killpg(server.proc.pid, signal.SIGINT)  # gunicorn's quick shutdown
        server.proc.wait(30)
    except subprocess.TimeoutExpired:
        os.killpg(server.proc.pid, signal.SIGKILL)
        server.proc.wait(10)
    except ProcessLookupError:
        pass


# -- CPU of the parties -----------------------------------------------------------------------------------------


@dataclass
class CpuSampler:
    """CPU seconds (user + system) of three parties over a span: the server (a process and its descendants), the
    PostgreSQL backends (processes named postgres; of one database when named, by their process title), the load tool
    (a process and its descendants). Sampled every `every` seconds in a thread, so a process that ends (a backend
    closing its connection, a recycled worker) is counted to its last sample, and one that starts is counted whole."""

    server_pid: int | None = None
    database: str | None = None
    tool_pid: int | None = None
    every: float = 1.0
    first: dict[tuple[int, float], float] = field(default_factory=dict)
    last: dict[tuple[int, float], tuple[str, float]] = field(default_factory=dict)
    started: float = 0.0
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    def _family(self, pid: int | None) -> set[int]:
        import psutil

        if pid is None:
            return set()
        try:
            return {pid} | {c.pid for c in psutil.Process(pid).children(recursive=True)}
        except psutil.Error:
            return set()

    def _is_database(self, proc: Any) -> bool:
        if proc.info["name"] != "postgres":
            return False
        if self.database is None:
            return True
        title = " ".join(proc.info["cmdline"] or [])
        return f" {self.database} " in f"{title} "

    def sample(self, baseline: bool = False) -> None:
        import psutil

        server, tool = self._family(self.server_pid), self._family(self.tool_pid)
        for proc in psutil.process_iter(["name", "cmdline", "create_time"]):
            party = (
                "server"
                if proc.pid in server
                else "tool"
                if proc.pid in tool
                else "database"
                if self._is_database(proc)
                else None
            )
            if party is None:
                continue
            try:
                times = proc.cpu_times()
            except psutil.Error:
                continue  # ended between the listing and the reading: counted to its last sample
            key, seconds = (proc.pid, proc.info["create_time"] or 0.0), times.user + times.system
            if baseline:
                self.first[key] = seconds
            self.last[key] = (party, seconds)

    def start(self) -> CpuSampler:
        self.started = time.time()
        self.sample(baseline=True)

        def loop() -> None:
            while not self._stop.wait(self.every):
                self.sample()

        self._thread = threading.Thread(target=loop, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> dict[str, float]:
        """The parties' CPU seconds since start (and `wall`, the seconds elapsed)."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(10)
        self.sample()
        out = {"server": 0.0, "database": 0.0, "tool": 0.0}
        for key, (party, seconds) in self.last.items():
            out[party] += seconds - self.first.get(key, 0.0)
        return {k: round(v, 3) for k, v in out.items()} | {"wall": round(time.time() - self.started, 3)}


# -- what /metrics says -----------------------------------------------------------------------------------------

Samples = dict[tuple[str, tuple[tuple[str, str], ...]], float]


def scrape(base: str) -> Samples:
    """Every counter and histogram sample of the server's /metrics (open to the loopback), keyed by name and labels."""
    import requests
    from prometheus_client.parser import text_string_to_metric_families

    answer = requests.get(base + "/metrics", timeout=30)
    answer.raise_for_status()
    out: Samples = {}
    for family in text_string_to_metric_families(answer.text):
        for s in family.samples:
            if s.name.endswith(("_total", "_bucket", "_count", "_sum")):
                key = (s.name, tuple(sorted(s.labels.items())))
                out[key] = out.get(key, 0.0) + s.value
    return out


def _summed(d: Samples, name: str, *by: str) -> dict[str, float]:
    out: dict[str, float] = {}
    for (n, labels), v in d.items():
        if n == name and v:
            key = "/".join(dict(labels).get(b, "") for b in by)
            out[key] = out.get(key, 0.0) + v
    return {k: round(v) for k, v in sorted(out.items())}


def metrics_delta(before: Samples, after: Samples) -> dict[str, Any]:
    """What the server counted between two scrapes: requests by status, errors by status, failed callbacks by
    callback and status, cache lookups by cache and outcome, and the share of requests answered within 300 and
    800 ms (the latency histogram's buckets, every route together)."""
    d = {k: v - before.get(k, 0.0) for k, v in after.items()}
    within = _summed(d, "tpmap_request_seconds_bucket", "le")
    total = within.get("+Inf", 0)
    return {
        "requests": sum(_summed(d, "tpmap_requests_total", "status").values()),
        "requests_by_status": _summed(d, "tpmap_requests_total", "status"),
        "errors_by_status": _summed(d, "tpmap_errors_total", "status"),
        "callback_failures": _summed(d, "tpmap_callback_failures_total", "callback", "status"),
        "cache": _summed(d, "tpmap_cache_lookups_total", "cache", "outcome"),
        "within_300ms": round(within.get("0.3", 0) / total, 4) if total else None,
        "within_800ms": round(within.get("0.8", 0) / total, 4) if total else None,
    }


# -- Locust's figures ---------------------------------------------------------------------------------------------


def _number(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None  # N/A: no request of that kind


def read_locust_csv(prefix: str) -> dict[str, Any]:
    """Locust's `PREFIX_stats.csv` (one row per kind and the Aggregated row) and `PREFIX_failures.csv`."""
    kinds: dict[str, dict[str, Any]] = {}
    with open(f"{prefix}_stats.csv", newline="") as f:
        for row in csv.DictReader(f):
            kinds[row["Name"]] = {
                "n": int(row["Request Count"]),
                "failures": int(row["Failure Count"]),
                "rps": _number(row["Requests/s"]),
                "p50": _number(row["50%"]),
                "p95": _number(row["95%"]),
                "p99": _number(row["99%"]),
            }
    failures = []
    failures_file = Path(f"{prefix}_failures.csv")
    if failures_file.exists():
        with open(failures_file, newline="") as f:
            failures = [{"kind": r["Name"], "error": r["Error"][:200], "n": int(r["Occurrences"])} for r in csv.DictReader(f)]
    total = kinds.pop("Aggregated", {"n": 0, "failures": 0, "rps": None, "p50": None, "p95": None, "p99": None})
    return {"total": total, "kinds": kinds, "failures": failures}


# -- the setup Locust's users start from --------------------------------------------------------------------------

MAX_READERS = 200  # bench.load's reader accounts (load-000 … load-199) and its team accounts


def write_setup(url: str, base: str, path: Path) -> Path:
    """Bearer tokens for every reader and team account, the district's households and each team's, as
    bench/locustfile.py reads them; `acknowledged` names the file Locust writes the acknowledged visits' keys to."""
    import requests
    from sqlalchemy import text

    from bench.load import TEAM_TAMBONS, YEAR

    os.environ["TPMAP_DATABASE_URL"] = url
    from data_access.accounts import issue_token, load_user
    from data_access.db import get_engine

    # the accounts looked up by name, not signed in: 220 argon2 verifications took minutes on a loaded machine
    with get_engine().connect() as conn:
        rows = conn.execute(text("SELECT username, id FROM user_account WHERE username LIKE 'load-%'")).all()
    ids = {str(row[0]): int(row[1]) for row in rows}

    def token(username: str) -> str:
        user = load_user(ids[username])
        if user is None:
            raise SystemExit(f"no active account {username}: prepare the database (--prepare)")
        return issue_token(user)[0]

    readers = [token(f"load-{i:03d}") for i in range(MAX_READERS)]
    listed = requests.get(
        base + f"/api/v1/areas/7501/households?year={YEAR}&page_size=500",
        headers={"Authorization": f"Bearer {readers[0]}"},
        timeout=60,
    ).json()["items"]
    by_tambon: dict[str, list[str]] = {}
    for h in listed:
        by_tambon.setdefault(h["tambon_code"], []).append(h["house_id"])
    teams = [
        {"token": token(f"load-team-{t}-{k}"), "tambon": t, "houses": by_tambon[t]}
        for t in TEAM_TAMBONS
        for k in range(2)
        if by_tambon.get(t)
    ]
    setup = {
        "year": YEAR,
        "readers": readers,
        "houses": [h["house_id"] for h in listed],
        "teams": teams,
        "acknowledged": str(path.with_suffix(".acknowledged")),
    }
    path.write_text(json.dumps(setup))
    return path


# -- one run under Locust -----------------------------------------------------------------------------------------


@dataclass
class Plan:
    users: int
    spawn_rate: float
    seconds: int
    closed_loop: bool
    locust: str


def run_locust(plan: Plan, server: Server, setup: Path, prefix: str, database: str | None) -> dict[str, Any]:
    """Locust headless against the server, the parties' CPU and /metrics read before and after."""
    args = [
        plan.locust,
        "-f",
        str(ROOT / "bench" / "locustfile.py"),
        "--headless",
        "-u",
        str(plan.users),
        "-r",
        str(plan.spawn_rate),
        "-t",
        f"{plan.seconds}s",
        "--csv",
        prefix,
        "--host",
        server.base,
        "--setup-file",
        str(setup),
        "--only-summary",
        "--loglevel",
        "WARNING",
    ]
    if plan.closed_loop:
        args += ["--no-think", "PublicOfficial"]
    else:
        args += ["Official", "Team"]
    before = scrape(server.base)
    sampler = CpuSampler(server_pid=server.proc.pid, database=database)
    tool = subprocess.Popen(args, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    sampler.tool_pid = tool.pid
    sampler.start()
    output, _ = tool.communicate(timeout=plan.seconds + 300)
    cpu = sampler.stop()
    after = scrape(server.base)
    if not Path(f"{prefix}_stats.csv").exists():
        raise SystemExit(f"locust wrote no statistics (exit {tool.returncode}):\n{output[-3000:]}")
    return {"locust_exit": tool.returncode, "cpu": cpu, "metrics": metrics_delta(before, after)} | read_locust_csv(prefix)


def summarise(plan: Plan, result: dict[str, Any]) -> dict[str, Any]:
    """The figures the issue asks for, from a run's raw result."""
    total, cpu, wall = result["total"], result["cpu"], result["cpu"]["wall"]
    answered = result["metrics"]["requests"] or total["n"]
    per = {k: round(cpu[k] * 1000 / answered, 2) if answered else None for k in ("server", "database", "tool")}
    out = {
        "users": plan.users,
        "mode": "closed loop, public mix" if plan.closed_loop else "think time 5-15 s, the whole mix",
        "seconds": wall,
        "requests": total["n"],
        "requests_per_s": round(total["rps"] or 0, 1),
        "p50_ms": total["p50"],
        "p95_ms": total["p95"],
        "p99_ms": total["p99"],
        "failures": total["failures"],
        "cpu_s": {k: cpu[k] for k in ("server", "database", "tool")},
        "cpu_ms_per_request": per,
    }
    if plan.closed_loop:
        # requests/s ÷ (server CPU seconds ÷ wall) is requests per server CPU second: the wall cancels
        busy = cpu["server"] + cpu["database"]
        out["server_cores_busy"] = round(busy / wall, 2)
        out["requests_per_s_per_server_core"] = round(answered / busy, 1) if busy else None
    return out


def print_report(summary: dict[str, Any], result: dict[str, Any], load_average: tuple[float, float, float]) -> None:
    print(f"load average before the run: {', '.join(f'{x:.2f}' for x in load_average)} (cores: {os.cpu_count()})")
    for key, value in summary.items():
        print(f"{key:32} {json.dumps(value, ensure_ascii=False)}")
    print(f"{'kind':32} {'n':>7} {'fail':>5} {'p50':>7} {'p95':>7} {'p99':>7}")
    for kind, k in sorted(result["kinds"].items()):
        print(f"{kind:32} {k['n']:>7} {k['failures']:>5} {k['p50'] or '-':>7} {k['p95'] or '-':>7} {k['p99'] or '-':>7}")
    for f in result["failures"][:10]:
        print(f"failure  {f['n']:>6} × {f['kind']}: {f['error']}")
    print("/metrics during the run:")
    for key, value in result["metrics"].items():
        print(f"  {key:30} {json.dumps(value, ensure_ascii=False)}")


def missing_writes(url: str, setup: Path) -> dict[str, int] | None:
    """The visits the server acknowledged (their keys, as Locust wrote them), how many the database lacks (must be
    0) and how many it holds twice (must be 0: a retry with the same Idempotency-Key is answered, not written)."""
    from collections import Counter

    from sqlalchemy import text

    from data_access.db import engine_for

    acknowledged = Path(json.loads(setup.read_text())["acknowledged"])
    if not acknowledged.exists():
        return None
    keys = [k for k in acknowledged.read_text().split() if k]
    with engine_for(url).connect() as conn:  # each visit's note carries its request's key
        held: Counter[str] = Counter(conn.execute(text("SELECT note FROM visit WHERE note LIKE 'bench %'")).scalars())
    return {
        "acknowledged": len(keys),
        "missing": sum(1 for k in keys if not held[f"bench {k}"]),
        "written_twice": sum(1 for k in keys if held[f"bench {k}"] > 1),
    }


# -- cold and warm visits -----------------------------------------------------------------------------------------


def visit(base: str, page: str) -> dict[str, float]:
    """One new visitor's page load: seconds from its start until the HTML, its scripts and stylesheets (six at a
    time), Dash's layout and dependencies, the router callback (its answer checked) had come, and `total` until the
    map's shape files had; `files`, the scripts and stylesheets the page names."""
    from concurrent.futures import ThreadPoolExecutor

    import requests

    session = requests.Session()
    session.mount("http://", requests.adapters.HTTPAdapter(pool_connections=1, pool_maxsize=6))
    session.headers["Accept-Encoding"] = BROWSER_ENCODING

    def get(path: str) -> requests.Response:
        answer = session.get(base + path, timeout=120)
        if answer.status_code != 200:
            raise RuntimeError(f"{path}: HTTP {answer.status_code}")
        return answer

    times: dict[str, float] = {}
    t0 = time.perf_counter()
    html = get(page).text
    times["until_html"] = time.perf_counter() - t0
    files = re.findall(r'<script[^>]*\ssrc="(/[^"]+)"', html) + re.findall(r'<link[^>]*\shref="(/[^"]+\.css[^"]*)"', html)
    with ThreadPoolExecutor(6) as pool:
        list(pool.map(get, files))
        times["until_scripts"] = time.perf_counter() - t0
        deps_answer, _ = pool.map(get, ["/_dash-dependencies", "/_dash-layout"])
    deps = deps_answer.json()
    times["until_layout"] = time.perf_counter() - t0
    dep, payload = router_payload(deps, page.split("?")[0], "?" + page.split("?", 1)[1] if "?" in page else "")
    answer = session.post(base + "/_dash-update-component", json=payload, timeout=120)
    problem = dash_answer_problem(answer.status_code, answer.content, dep)
    if problem:
        raise RuntimeError(f"the router callback of {page}: {problem}")
    times["until_callback"] = time.perf_counter() - t0
    with ThreadPoolExecutor(6) as pool:
        list(pool.map(get, shape_files(answer.json())))
    times["total"] = time.perf_counter() - t0
    times["files"] = len(files)
    return times


def cold_and_warm(url: str, workers: int, rounds: int, warm_visits: int, page: str, new_release: bool = False) -> dict[str, Any]:
    """Each round a fresh start of the production server, its first visit, then `warm_visits` more; the medians.
    `new_release`: the shared store of signed-out answers emptied before each start, as a new release finds it (its
    answers are named by the release); otherwise a restart of the same release, which keeps them."""
    cold: list[dict[str, float]] = []
    warm: list[dict[str, float]] = []
    for r in range(rounds):
        if new_release:
            import shutil

            import config

            shutil.rmtree(config.Settings.from_env().callback_cache_dir, ignore_errors=True)
        server = start_server(url, workers)
        try:
            cold.append(visit(server.base, page))
            round_warm = [visit(server.base, page) for _ in range(warm_visits)]
        finally:
            stop_server(server)
        warm += round_warm
        print(
            f"round {r + 1}: cold {cold[-1]['total'] * 1000:.0f} ms, warm {[round(w['total'] * 1000) for w in round_warm]} ms",
            flush=True,
        )

    def medians(visits: list[dict[str, float]]) -> dict[str, float]:
        return {k: round(statistics.median(v[k] for v in visits) * 1000, 1) for k in visits[0] if k != "files"}

    c, w = medians(cold), medians(warm)
    files = int(cold[0]["files"])
    return {
        "page": page,
        "rounds": rounds,
        "files": files,
        "cold_ms": c,
        "warm_ms": w,
        "cold_over_warm": round(c["total"] / w["total"], 2),
        "new_release": new_release,
    }


# -- the command --------------------------------------------------------------------------------------------------


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--database-url", required=True)
    ap.add_argument("--prepare", action="store_true", help="build the demo's data and the load accounts, then stop")
    ap.add_argument("--users", type=int, help="simulated users (default 1000; 6 with --closed-loop)")
    ap.add_argument("--spawn-rate", type=float, default=20, help="users started per second")
    ap.add_argument("--seconds", type=int, default=300)
    ap.add_argument("--workers", type=int, default=4)
    ap.add_argument("--closed-loop", action="store_true", help="no think time, the public mix: requests/s per server core")
    ap.add_argument("--cold", action="store_true", help="first visits after cold starts against warm visits")
    ap.add_argument("--rounds", type=int, default=5, help="--cold: server starts")
    ap.add_argument("--warm-visits", type=int, default=4, help="--cold: visits after the first, per start")
    ap.add_argument("--page", default="/area/75", help="--cold: the page visited")
    ap.add_argument(
        "--new-release", action="store_true", help="--cold: each start as a new release's (the store of answers empty)"
    )
    ap.add_argument("--locust", default=DEFAULT_LOCUST, help="the locust executable (its own venv)")
    ap.add_argument("--csv", default=None, help="Locust's --csv prefix (default: a temporary folder)")
    ap.add_argument("--json", type=Path, help="write the figures here too")
    return ap.parse_args(argv)


def database_name(url: str) -> str | None:
    from sqlalchemy import make_url

    parsed = make_url(url)
    return parsed.database if parsed.get_backend_name() == "postgresql" else None


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    if args.prepare:
        from bench.load import prepare

        prepare(args.database_url)
        return
    if args.cold:
        figures = cold_and_warm(args.database_url, args.workers, args.rounds, args.warm_visits, args.page, args.new_release)
        print(json.dumps(figures, indent=1))
    else:
        figures = load_run(args)
    if args.json:
        args.json.write_text(json.dumps(figures, indent=1, ensure_ascii=False))


def load_run(args: argparse.Namespace) -> dict[str, Any]:
    if not Path(args.locust).exists():
        raise SystemExit(f"no locust at {args.locust}: python3 -m venv /tmp/locustvenv && "
                         "/tmp/locustvenv/bin/pip install -r bench/requirements-locust.txt")  # fmt: skip
    plan = Plan(args.users or (6 if args.closed_loop else 1000), args.spawn_rate, args.seconds, args.closed_loop, args.locust)
    folder = Path(tempfile.mkdtemp(prefix="tpmap-rush-"))
    prefix = args.csv or str(folder / "locust")
    load_average = os.getloadavg()
    server = start_server(args.database_url, args.workers)
    try:
        setup = write_setup(args.database_url, server.base, folder / "setup.json")
        result = run_locust(plan, server, setup, prefix, database_name(args.database_url))
    finally:
        stop_server(server)
    summary = summarise(plan, result)
    summary["writes"] = missing_writes(args.database_url, setup)
    print_report(summary, result, load_average)
    return {"summary": summary, "load_average": load_average} | result


if __name__ == "__main__":
    main()
