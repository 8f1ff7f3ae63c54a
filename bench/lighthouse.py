"""Lighthouse's scores of the app's pages, run N times and summarised by their medians (issue 35, 5: performance ≥ 95
on `/` and `/area/<code>`, desktop). Lighthouse is Google's tool, not ours, and not a dependency of the project:

    cd /tmp && npm install lighthouse@12.8.2
    python -m bench.lighthouse --server http://127.0.0.1:8050 --pages / /area/75 --runs 5
    python -m bench.lighthouse --database-url sqlite:///$PWD/instance/tpmap.sqlite \\
        --checkout before=/tmp/before --checkout after=. --pages / /area/75 --runs 5

With --server, a running server is measured (several: NAME=URL, repeated). With --database-url, each --checkout
(NAME=PATH, repeated; `.` for this one) is served as deployed (gunicorn with its gunicorn.conf.py, the app preloaded,
--workers of them) on that database, and the checkouts' runs are interleaved round by round, so that a machine whose
speed drifts is shared by both. Each page is asked for a few times first (the shape files, the compressed scripts and
the public answers' store are filled by a first visitor, whom a real morning's crowd would not wait behind).

Lighthouse's desktop preset simulates a fast connection (40 ms, 10 Mbit/s) and an unthrottled CPU from one trace of
a real load in Chromium: the CPU times (total blocking time) are this machine's, so say its load average with the
figures (printed before and after).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

LIGHTHOUSE = os.environ.get("LIGHTHOUSE", "/tmp/node_modules/.bin/lighthouse")
CHROME = os.environ.get("CHROME_PATH", "/usr/bin/chromium")
# what is printed of each run: the category scores, then Lighthouse's metrics (ms, CLS unitless)
AUDITS = {
    "FCP": "first-contentful-paint",
    "LCP": "largest-contentful-paint",
    "TBT": "total-blocking-time",
    "CLS": "cumulative-layout-shift",
    "SI": "speed-index",
    "TTI": "interactive",
    "main thread": "mainthread-work-breakdown",
    "script": "bootup-time",
}


def load_average() -> str:
    return " / ".join(f"{x:.2f}" for x in os.getloadavg())


def lighthouse(url: str, preset: str, categories: str, keep: Path | None = None) -> dict[str, float]:
    """One run of Lighthouse on `url`, in a new headless Chromium: its scores (0-100) and metrics (and its whole
    report written under `keep`, when given)."""
    with tempfile.TemporaryDirectory(prefix="tpmap-lh-") as tmp:
        out = Path(tmp) / "report.json"
        args = [
            LIGHTHOUSE,
            url,
            f"--only-categories={categories}",
            "--output=json",
            f"--output-path={out}",
            "--quiet",
            "--chrome-flags=--headless=new --no-sandbox --disable-gpu --disable-dev-shm-usage",
        ]
        if preset == "desktop":
            args.append("--preset=desktop")
        done = subprocess.run(args, env=os.environ | {"CHROME_PATH": CHROME}, capture_output=True, text=True, timeout=300)
        if done.returncode != 0 or not out.exists():
            raise RuntimeError(f"lighthouse failed on {url}: {done.stderr[-1500:]}")
        report = json.loads(out.read_text(encoding="utf-8"))
        if keep is not None:
            keep.mkdir(parents=True, exist_ok=True)
            name = re.sub(r"[^a-zA-Z0-9]+", "_", url.split("//", 1)[-1]).strip("_")
            (keep / f"{name}-{time.strftime('%H%M%S')}.json").write_text(out.read_text(encoding="utf-8"), encoding="utf-8")
    figures = {name: round(100 * (c["score"] or 0)) for name, c in report["categories"].items()}
    for label, audit in AUDITS.items():
        value = report["audits"].get(audit, {}).get("numericValue")
        if value is not None:
            figures[label] = value
    lcp = report["audits"].get("largest-contentful-paint-element", {}).get("details", {})
    items = lcp.get("items") or []
    if items and items[0].get("items"):
        figures["LCP element"] = items[0]["items"][0].get("node", {}).get("selector", "?")  # type: ignore[assignment]
    return figures


def serve(name: str, checkout: Path, database_url: str, workers: int) -> tuple[subprocess.Popen, str]:
    """`checkout` served as deployed: gunicorn (its gunicorn.conf.py: the app preloaded, its files compressed ahead)."""
    from bench.load import start_server

    shapes = {"TPMAP_SHAPES_DIR": f"/tmp/tpmap-lighthouse-shapes-{name}"}
    log = Path(f"/tmp/tpmap-lighthouse-{name}.log")
    return start_server(database_url, workers, dev=False, env_extra=shapes, cwd=checkout, log_path=log, wait=300)


def warm(base: str, pages: list[str]) -> None:
    """Each page and what it loads asked for by a first visitor, so that no measured run is that visitor."""
    import requests

    for page in pages:
        for _ in range(3):
            html = requests.get(base + page, timeout=120, headers={"Accept-Encoding": "br"})
        for path in re.findall(r'(?:src|href)="(/[^"]+)"', html.text):
            requests.get(base + path, timeout=120, headers={"Accept-Encoding": "br"})
        for link in re.findall(r"<(/[^>]+)>", html.headers.get("Link", "")):
            requests.get(base + link, timeout=120, headers={"Accept-Encoding": "br"})


def _median(values: list) -> object:
    numbers = [v for v in values if isinstance(v, (int, float))]
    if numbers:
        return statistics.median(numbers)
    return max(set(values), key=values.count) if values else "-"


def report(results: dict[tuple[str, str], list[dict]]) -> None:
    for (name, page), runs in results.items():
        keys = list(dict.fromkeys(k for run in runs for k in run))
        print(f"\n{name} {page}: median of {len(runs)} runs (each run's in brackets)")
        for key in keys:
            values = [run.get(key) for run in runs]
            shown = ", ".join(f"{v:.3f}" if key == "CLS" else f"{v:.0f}" if isinstance(v, float) else str(v) for v in values)
            median = _median(values)
            fmt = (
                f"{median:.3f}"
                if key == "CLS" and isinstance(median, float)
                else f"{median:.0f}"
                if isinstance(median, float)
                else str(median)
            )
            print(f"  {key:14} {fmt:>10}   [{shown}]")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--server", action="append", default=[], help="a running server: URL or NAME=URL (repeatable)")
    ap.add_argument("--database-url", help="serve each --checkout on this database (gunicorn, as deployed)")
    ap.add_argument("--checkout", action="append", default=[], help="NAME=PATH of a checkout to serve (repeatable)")
    ap.add_argument("--workers", type=int, default=4)
    ap.add_argument("--pages", nargs="+", default=["/", "/area/75"])
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--preset", choices=("desktop", "mobile"), default="desktop")
    ap.add_argument("--categories", default="performance,accessibility")
    ap.add_argument("--keep", type=Path, help="a folder to write each run's whole report into (JSON)")
    args = ap.parse_args()

    servers: list[tuple[str, str]] = []
    procs: list[subprocess.Popen] = []
    for item in args.server:
        name, _, url = item.rpartition("=") if "=" in item else ("", "", item)
        servers.append((name or url, url.rstrip("/")))
    try:
        if args.checkout:
            if not args.database_url:
                ap.error("--checkout needs --database-url")
            for item in args.checkout:
                name, _, path = item.partition("=")
                proc, base = serve(name, Path(path).resolve(), args.database_url, args.workers)
                procs.append(proc)
                servers.append((name, base))
        if not servers:
            ap.error("give --server or --checkout")
        for _, base in servers:
            warm(base, args.pages)
        print(f"load average before: {load_average()}")
        results: dict[tuple[str, str], list[dict]] = {(n, p): [] for n, _ in servers for p in args.pages}
        for round_ in range(args.runs):
            order = servers if round_ % 2 == 0 else servers[::-1]  # interleaved, the order alternating
            for name, base in order:
                for page in args.pages:
                    results[(name, page)].append(lighthouse(base + page, args.preset, args.categories, args.keep))
            print(f"round {round_ + 1} of {args.runs} done, load average {load_average()}", flush=True)
        report(results)
        print(f"\nload average after: {load_average()}")
    finally:
        for proc in procs:
            proc.terminate()
            proc.wait(timeout=30)


if __name__ == "__main__":
    main()
