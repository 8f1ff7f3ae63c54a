"""Two checkouts of this project side by side, interleaved, on one database: did a change make a page faster?

    git worktree add /tmp/before <commit>
    python -m bench.ab --before /tmp/before [--database-url URL] [--rounds 6] [--page /?level=tambon]

Each side is served by werkzeug's threaded server in its own process (its own code, its own shape folder), and in
each round both sides, in alternating order, get: a cold load of the page in a new headless Chromium at 1920×1080
(to the map drawn), and a change of the metric menu to MPI on it, timed in the page (the option's click to the
map's redraw) and as the driver sees it; with --drill, also a click on one of the page's areas, timed in the page
(the click to the new level's map drawn) and as the driver sees it. Prints p50 and every round's figure. Runs on a
machine whose speed drifts (bench/RESULTS.md) are compared within a run, never across runs.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SERVE = (
    "import logging; logging.disable(logging.WARNING); from app import create_app; "
    "from werkzeug.serving import run_simple; run_simple('127.0.0.1', {port}, create_app().server, threaded=True)"
)


def start(checkout: Path, port: int, database_url: str, name: str) -> subprocess.Popen:
    env = dict(os.environ, TPMAP_DATABASE_URL=database_url, TPMAP_SHAPES_DIR=f"/tmp/tpmap-ab-shapes-{name}")
    env.setdefault("TPMAP_SHARED_DIR", str(ROOT.parent / "shared"))
    return subprocess.Popen(
        [sys.executable, "-c", SERVE.format(port=port)],
        cwd=checkout,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def ready(base: str, page: str) -> None:
    import requests

    end = time.time() + 120
    while time.time() < end:
        try:
            if requests.get(base + "/healthz", timeout=2).status_code == 200:
                break
        except requests.RequestException:
            pass
        time.sleep(0.5)
    # the shape files are built by the first request for them: before the timing, not inside it
    for shape in ("/shapes/provinces.json", "/shapes/tambons.json"):
        requests.get(base + shape, timeout=300)
    requests.get(base + page, timeout=60)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--before", type=Path, required=True, help="a checkout of the earlier code (git worktree add)")
    ap.add_argument("--database-url", default=None, help="default: the embedded demo database")
    ap.add_argument("--rounds", type=int, default=6)
    ap.add_argument("--page", default="/?level=tambon")
    ap.add_argument("--drill", action="store_true", help="also drill down from the page (a plotly map: /area/50)")
    a = ap.parse_args()
    import config
    from bench.side_by_side import cold_load, drill_down, metric_change
    from scripts.chromium import make_driver

    url = a.database_url or config.database_url()
    sides = {"before": (a.before.resolve(), 8061), "after": (ROOT, 8062)}
    procs = [start(path, port, url, name) for name, (path, port) in sides.items()]
    results: dict[tuple[str, str], list[float]] = {}
    try:
        for _, port in sides.values():
            ready(f"http://127.0.0.1:{port}", a.page)
        driver = make_driver(1920, 1080)
        try:
            for r in range(a.rounds):
                order = list(sides.items()) if r % 2 == 0 else list(sides.items())[::-1]
                for name, (_, port) in order:
                    base = f"http://127.0.0.1:{port}"
                    drawn, _bytes = cold_load(lambda: make_driver(1920, 1080), base + a.page)
                    results.setdefault((name, "cold load"), []).append(drawn)
                    took, moved, in_page = metric_change(driver, base + a.page, "ctl-metric", "MPI")
                    results.setdefault((name, "metric in page"), []).append(in_page)
                    results.setdefault((name, "metric, driver"), []).append(took)
                    results.setdefault((name, "KB moved"), []).append(moved / 1024)
                    if a.drill:
                        took, _moved, in_page = drill_down(driver, base + a.page, r * 7)
                        results.setdefault((name, "drill in page"), []).append(in_page or float("nan"))
                        results.setdefault((name, "drill, driver"), []).append(took)
                print(f"round {r + 1}/{a.rounds} done", file=sys.stderr)
        finally:
            driver.quit()
    finally:
        for p in procs:
            p.terminate()
    print(f"\n{a.page}: {a.rounds} interleaved rounds")
    for (name, action), values in results.items():
        print(f"{name:<8}{action:<16} p50 {statistics.median(values):8.0f}   {[round(v) for v in values]}")


if __name__ == "__main__":
    main()
