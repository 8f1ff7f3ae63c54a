"""Benchmark: generation, import, rollups, database size and API latency at a chosen scale.

    python -m bench.run --provinces 75 [--database-url URL] [--out DIR]
    python -m bench.run --all --database-url postgresql+psycopg://postgres@127.0.0.1/tpmap_bench

Each heavy step runs as its own process so its peak memory (max RSS, from wait4) is its own.
The database server's memory is not included. Targets (issue 3, national scale on PostGIS):
area and children API p95 <= 50 ms; import plus rollup <= 30 min; peak memory of any step <= 8 GB.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def run_step(label: str, args: list[str], env: dict) -> dict:
    """Run a CLI step in a child process; return wall seconds, peak RSS (MB) and its output."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(args, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    out = proc.stdout.read()
    _pid, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - t0
    if os.waitstatus_to_exitcode(status) != 0:
        print(out)
        raise SystemExit(f"{label} failed")
    return {"step": label, "seconds": seconds, "peak_mb": usage.ru_maxrss / 1024, "output": out.strip()}


def database_size(url: str) -> str:
    from sqlalchemy import create_engine, text

    if url.startswith("sqlite"):
        path = Path(url.split("///", 1)[1])
        return f"{path.stat().st_size / 1e6:,.0f} MB (file)"
    eng = create_engine(url)
    with eng.connect() as conn:
        return conn.execute(text("SELECT pg_size_pretty(pg_database_size(current_database()))")).scalar()


def latencies(url: str, year: int, repeat: int) -> list[dict]:
    os.environ["TPMAP_DATABASE_URL"] = url
    sys.path.insert(0, str(ROOT))
    from sqlalchemy import text

    from app import create_app
    from data_access.db import get_engine

    client = create_app().server.test_client()
    with get_engine().connect() as conn:
        sample = {
            lvl: list(
                conn.execute(
                    text(
                        "SELECT s.area_code FROM area_rollup_source s JOIN area a ON a.code = s.area_code "
                        "WHERE s.year = :y AND a.level = :l GROUP BY s.area_code ORDER BY s.area_code"
                    ),
                    {"y": year, "l": lvl},
                ).scalars()
            )
            for lvl in ("country", "province", "amphoe", "tambon")
        }
    rows = []
    for level, codes in sample.items():
        if not codes:
            continue
        step = max(1, len(codes) // 25)
        chosen = codes[::step][:25]
        # At least 100 calls per row, so a p95 is a p95 and not the one cold call.
        rounds = max(repeat, -(-100 // len(chosen)))
        for kind in ("area", "children"):
            if kind == "children" and level == "tambon":
                continue
            for dims in ("", "&dimensions=health,income"):
                paths = [
                    f"/api/v1/areas/{code}" + ("/children" if kind == "children" else "") + f"?year={year}{dims}"
                    for code in chosen
                ]
                rows.append(
                    {"level": level, "call": kind, "filter": "health,income" if dims else "all"} | timed(client, paths, rounds)
                )
    return rows


def timed(client, paths: list[str], rounds: int) -> dict:
    """Each path once to warm up (connection pool, query plans, the OS page cache), then `rounds` times over:
    the count, median and 95th percentile in milliseconds."""
    for path in paths:
        client.get(path)
    times = []
    for _ in range(rounds):
        for path in paths:
            t0 = time.perf_counter()
            r = client.get(path)
            times.append((time.perf_counter() - t0) * 1000)
            assert r.status_code == 200, (path, r.status_code)
    times.sort()
    return {"n": len(times), "p50_ms": statistics.median(times), "p95_ms": times[min(len(times) - 1, int(len(times) * 0.95))]}


def documents(url: str, year: int, repeat: int) -> list[dict]:
    """Time the heavier read paths of the analysis pages: report files, exports, pivot, story, vulnerable."""
    os.environ["TPMAP_DATABASE_URL"] = url
    sys.path.insert(0, str(ROOT))
    from sqlalchemy import text

    from app import create_app
    from data_access import accounts
    from data_access.db import get_engine

    client = create_app().server.test_client()
    with get_engine().connect() as conn:
        province = (
            conn.execute(
                text(
                    "SELECT area_code FROM area_pattern_rollup WHERE year = :y AND source = 'survey' AND length(area_code) = 2 AND area_code <> 'TH' "
                    "GROUP BY area_code ORDER BY SUM(households) DESC LIMIT 1"
                ),
                {"y": year},
            ).scalar()
            or "75"
        )
        exists = conn.execute(text("SELECT 1 FROM user_account WHERE username = 'bench-national'")).first()
    if not exists:
        accounts.create_user(
            username="bench-national", full_name="Benchmark", role="national", areas=["TH"], password="bench-only-password-1"
        )
    token = client.post(
        "/api/v1/auth/login", json={"username": "bench-national", "password": "bench-only-password-1"}
    ).get_json()["token"]
    headers = {"Authorization": f"Bearer {token}"}
    quarter = f"{year + 3}-Q3"
    calls = [
        ("quarterly report PDF", f"/reports/quarterly/{province}/{quarter}.pdf"),
        ("quarterly report XLSX", f"/reports/quarterly/{province}/{quarter}.xlsx"),
        ("households XLSX (province)", f"/export/households.xlsx?code={province}&year={year}"),
        ("pivot area x indicator (TH)", f"/export/pivot.csv?area=TH&year={year}&rows=area&cols=indicator"),
        ("vulnerable (TH, API)", f"/api/v1/areas/TH/vulnerable?year={year}"),
        ("committees table (TH)", "/api/v1/committees"),
    ]
    rows = []
    for label, path in calls:
        times, size = [], 0
        for _ in range(max(1, repeat)):
            t0 = time.perf_counter()
            r = client.get(path, headers=headers)
            times.append(time.perf_counter() - t0)
            assert r.status_code == 200, (path, r.status_code, r.get_data(as_text=True)[:200])
            size = len(r.data)
        rows.append({"call": label, "median_s": statistics.median(times), "bytes": size})
    from components.story import compose
    from data_access import story

    times = []
    for _ in range(max(1, repeat)):
        t0 = time.perf_counter()
        compose(story.facts("TH", year), "th", f"?year={year}")
        times.append(time.perf_counter() - t0)
    rows.append({"call": "story (TH)", "median_s": statistics.median(times), "bytes": 0})
    return rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    scale = ap.add_mutually_exclusive_group(required=True)
    scale.add_argument("--provinces", help="comma-separated province codes")
    scale.add_argument("--all", action="store_true")
    ap.add_argument("--database-url", default=None, help="default: a fresh SQLite file in --out")
    ap.add_argument("--out", type=Path, default=ROOT / "bench" / "out")
    ap.add_argument("--year", type=int, default=2561)
    ap.add_argument("--repeat", type=int, default=4)
    ap.add_argument("--skip-generate", action="store_true", help="reuse the CSV files already in --out/survey")
    ap.add_argument("--json", type=Path, help="also write the figures as JSON here")
    ap.add_argument("--latency-only", action="store_true", help="only time the API on the data already in the database")
    a = ap.parse_args()
    if a.latency_only:
        url = a.database_url or f"sqlite:///{a.out / 'bench.sqlite'}"
        print(f"{'level':<10}{'call':<10}{'filter':<15}{'n':>5}{'p50 ms':>9}{'p95 ms':>9}")
        for r in latencies(url, a.year, a.repeat):
            print(f"{r['level']:<10}{r['call']:<10}{r['filter']:<15}{r['n']:>5}{r['p50_ms']:>9.1f}{r['p95_ms']:>9.1f}")
        for r in documents(url, a.year, a.repeat):
            print(f"{r['call']:<32}{r['median_s']:>10.2f}{r['bytes'] / 1024:>9.0f} KB")
        return
    a.out.mkdir(parents=True, exist_ok=True)
    url = a.database_url or f"sqlite:///{a.out / 'bench.sqlite'}"
    if url.startswith("sqlite"):
        Path(url.split("///", 1)[1]).unlink(missing_ok=True)
    env = dict(os.environ, TPMAP_DATABASE_URL=url)
    flask = [sys.executable, "-m", "flask", "--app", "app:server"]
    survey = a.out / "survey"
    scale_args = ["--all"] if a.all else ["--provinces", a.provinces]
    steps = []
    if not a.skip_generate:
        steps.append(run_step("generate", flask + ["generate-population", "--year", str(a.year), *scale_args, str(survey)], env))
    steps.append(run_step("boundaries", flask + ["import-boundaries"], env))
    steps.append(run_step("published", flask + ["import-published", "--year", str(a.year)], env))
    imp = run_step("import-survey", flask + ["import-survey", "--year", str(a.year), str(survey)], env)
    steps.append(imp)
    rows = sum(sum(1 for _ in open(survey / f, "rb")) - 1 for f in ("households.csv", "persons.csv", "failures.csv"))
    lat = latencies(url, a.year, a.repeat)
    docs = documents(url, a.year, a.repeat)

    print(
        f"\nTPMAP Open benchmark, {time.strftime('%Y-%m-%d')}, {platform.node()}: {os.cpu_count()} cores, "
        f"Python {platform.python_version()}, database {url.split(':')[0]}"
    )
    print(f"scale: {'all provinces' if a.all else 'provinces ' + a.provinces}; {rows:,} CSV rows\n")
    print(f"{'step':<16}{'seconds':>10}{'peak MB':>10}")
    for s in steps:
        print(f"{s['step']:<16}{s['seconds']:>10.1f}{s['peak_mb']:>10.0f}")
    print(f"\nimport: {rows / imp['seconds']:,.0f} rows/s end to end (validate + write + rollups, process start included)")
    for line in imp["output"].splitlines():
        if line.startswith("Validate"):
            print("  " + line)
    print(f"database size: {database_size(url)}\n")
    print(f"{'level':<10}{'call':<10}{'filter':<15}{'n':>5}{'p50 ms':>9}{'p95 ms':>9}")
    for r in lat:
        print(f"{r['level']:<10}{r['call']:<10}{r['filter']:<15}{r['n']:>5}{r['p50_ms']:>9.1f}{r['p95_ms']:>9.1f}")
    print(f"\n{'reports, exports and analysis':<32}{'median s':>10}{'KB':>9}")
    for r in docs:
        print(f"{r['call']:<32}{r['median_s']:>10.2f}{r['bytes'] / 1024:>9.0f}")
    if a.json:
        a.json.write_text(
            json.dumps(
                {
                    "steps": [{k: v for k, v in s.items() if k != "output"} for s in steps],
                    "rows": rows,
                    "latency": lat,
                    "documents": docs,
                },
                indent=2,
            )
        )


if __name__ == "__main__":
    main()
