"""Benchmark of a second survey edition (issue 15): what the time dimension costs in import, storage and reads.

    python -m bench.editions --all --database-url postgresql+psycopg://postgres@127.0.0.1/tpmap_bench2
    python -m bench.editions --provinces 75 (a smoke run on a fresh SQLite file)

Builds the first edition as bench.run does (generate, boundaries, published figures, survey import), times the
read API with that one edition, then writes the next edition of the same people (`generate-population
--previous`), imports it (the flows between the two are rolled up inside the import) and times the reads again,
now with /trend and /flows. Every heavy step runs as its own process, so its peak memory is its own. Use
--skip-first on a database that already holds the first edition (its CSV files in --out/survey).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

from bench.run import ROOT, database_size, run_step, timed


def _bytes(url: str) -> int | None:
    from sqlalchemy import create_engine, text

    if url.startswith("sqlite"):
        return Path(url.split("///", 1)[1]).stat().st_size
    with create_engine(url).connect() as conn:
        return int(conn.execute(text("SELECT pg_database_size(current_database())")).scalar_one())


def time_reads(url: str, year_from: int, year_to: int, repeat: int) -> list[dict]:
    """p50/p95 of /trend and /flows per level, 25 areas per level sampled evenly, at least 100 calls per row."""
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
                        "SELECT f.area_code FROM flow_rollup f JOIN area a ON a.code = f.area_code "
                        "WHERE f.year_from = :a AND f.year_to = :b AND a.level = :l "
                        "GROUP BY f.area_code ORDER BY f.area_code"
                    ),
                    {"a": year_from, "b": year_to, "l": lvl},
                ).scalars()
            )
            for lvl in ("country", "province", "amphoe", "tambon")
        }
    rows = []
    for level, codes in sample.items():
        if not codes:
            continue
        chosen = codes[:: max(1, len(codes) // 25)][:25]
        rounds = max(repeat, -(-100 // len(chosen)))
        for call, path in (
            ("trend", "/api/v1/areas/{code}/trend"),
            ("flows", f"/api/v1/areas/{{code}}/flows?from={year_from}&to={year_to}"),
            ("flows nocard", f"/api/v1/areas/{{code}}/flows?from={year_from}&to={year_to}&definition=nocard"),
        ):
            paths = [path.format(code=code) for code in chosen]
            rows.append({"level": level, "call": call, "filter": "all"} | timed(client, paths, rounds))
    return rows


def reads_in_child(call: str, url: str, *args: int) -> list[dict]:
    """A read timing (bench.run.latencies or time_reads below) in a process of its own: the app is built from the
    code as it is now, once per process, and a failure there loses none of the import figures already printed."""
    code = (
        "import json, sys; from bench import editions, run; "
        f"rows = getattr(run, {call!r}, None) or getattr(editions, {call!r}); "
        "print('READS ' + json.dumps(rows(*json.loads(sys.argv[1]))))"
    )
    env = dict(os.environ, TPMAP_DATABASE_URL=url)
    done = subprocess.run(
        [sys.executable, "-c", code, json.dumps([url, *args])], cwd=ROOT, env=env, capture_output=True, text=True
    )
    line = next((x for x in done.stdout.splitlines() if x.startswith("READS ")), None)
    if done.returncode != 0 or line is None:
        print(f"{call} failed:\n{done.stdout[-2000:]}{done.stderr[-4000:]}", flush=True)
        return []
    return json.loads(line[len("READS ") :])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    scale = ap.add_mutually_exclusive_group(required=True)
    scale.add_argument("--provinces", help="comma-separated province codes")
    scale.add_argument("--all", action="store_true")
    ap.add_argument("--database-url", default=None, help="default: a fresh SQLite file in --out")
    ap.add_argument("--out", type=Path, default=ROOT / "bench" / "out-editions")
    ap.add_argument("--year", type=int, default=2561, help="the first edition")
    ap.add_argument("--next-year", type=int, default=2562)
    ap.add_argument("--repeat", type=int, default=4)
    ap.add_argument("--skip-first", action="store_true", help="the database already holds the first edition")
    ap.add_argument("--json", type=Path, help="also write the figures as JSON here")
    a = ap.parse_args()
    a.out.mkdir(parents=True, exist_ok=True)
    url = a.database_url or f"sqlite:///{a.out / 'bench.sqlite'}"
    env = dict(os.environ, TPMAP_DATABASE_URL=url)
    flask = [sys.executable, "-m", "flask", "--app", "app:server"]
    first, second = a.out / "survey", a.out / f"survey-{a.next_year}"
    scale_args = ["--all"] if a.all else ["--provinces", a.provinces]
    steps: list[dict] = []

    def step(label: str, args: list[str]) -> dict:
        """Run one heavy step in its own process and print its figures at once (a later failure keeps them)."""
        done = run_step(label, args, env)
        steps.append(done)
        print(f"{label:<22}{done['seconds']:>10.1f} s{done['peak_mb']:>10.0f} MB", flush=True)
        for line in done["output"].splitlines():
            if line.startswith(("Validate", "Imported")):
                print("  " + line, flush=True)
        return done

    if not a.skip_first:
        if url.startswith("sqlite"):
            Path(url.split("///", 1)[1]).unlink(missing_ok=True)
        step(f"generate {a.year}", flask + ["generate-population", "--year", str(a.year), *scale_args, str(first)])
        step("boundaries", flask + ["import-boundaries"])
        step("published", flask + ["import-published", "--year", str(a.year)])
        step(f"import {a.year}", flask + ["import-survey", "--year", str(a.year), str(first)])
    step(f"headlines {a.next_year}", flask + ["import-published", "--year", str(a.next_year)])
    size_one = _bytes(url)
    print(f"database with {a.year}: {size_one / 1e6:,.0f} MB" if size_one else "", flush=True)
    one = reads_in_child("latencies", url, a.year, a.repeat)
    step(
        f"generate {a.next_year}",
        flask
        + ["generate-population", "--year", str(a.next_year), "--previous", str(first)]
        + (["--provinces", a.provinces] if a.provinces else [])
        + [str(second)],
    )
    imp = step(f"import {a.next_year}", flask + ["import-survey", "--year", str(a.next_year), str(second)])
    size_two = _bytes(url)
    two = reads_in_child("latencies", url, a.next_year, a.repeat)
    reads = reads_in_child("time_reads", url, a.year, a.next_year, a.repeat)

    print(
        f"\nTPMAP Open editions benchmark, {time.strftime('%Y-%m-%d')}, {platform.node()}: {os.cpu_count()} cores, "
        f"Python {platform.python_version()}, database {url.split(':')[0]}"
    )
    print(f"scale: {'all provinces' if a.all else 'provinces ' + a.provinces}\n")
    print(f"{'step':<22}{'seconds':>10}{'peak MB':>10}")
    for s in steps:
        print(f"{s['step']:<22}{s['seconds']:>10.1f}{s['peak_mb']:>10.0f}")
    for line in imp["output"].splitlines():
        if line.startswith(("Validate", "Imported")):
            print("  " + line)
    if size_one and size_two:
        print(
            f"\ndatabase: {size_one / 1e6:,.0f} MB with one edition, {size_two / 1e6:,.0f} MB with two "
            f"(+{(size_two - size_one) / 1e6:,.0f} MB for the second; {database_size(url)})"
        )
    print(f"\n{'level':<10}{'call':<14}{'filter':<15}{'n':>5}{'p50 ms':>9}{'p95 ms':>9}   editions")
    for label, rows in (("one", one), ("two", two), ("two", reads)):
        for r in rows:
            print(f"{r['level']:<10}{r['call']:<14}{r['filter']:<15}{r['n']:>5}{r['p50_ms']:>9.1f}{r['p95_ms']:>9.1f}   {label}")
    if a.json:
        a.json.write_text(
            json.dumps(
                {
                    "steps": [{k: v for k, v in s.items() if k != "output"} for s in steps],
                    "bytes": {"one": size_one, "two": size_two},
                    "one_edition": one,
                    "two_editions": two + reads,
                },
                indent=2,
            )
        )


if __name__ == "__main__":
    main()
