"""Benchmark of the flows by life stage (issue 34, 6): what they add to the flows refresh of an import.

    python -m bench.stage_flows --database-url postgresql+psycopg://postgres@127.0.0.1/tpmap_bench2 [--year 2562]
        [--before edf265f] [--repeat 3]

On a database that holds two survey editions (bench.editions builds one), upgraded to migration 0021: times
data_access.flows.refresh_flows(conn, year) as an import runs it, now (Core statements grouped by the person's life
stage as well, writing flow_rollup and flow_stage_rollup) and as it was at commit --before (f-string SQL, all ages
only), alternating, each inside a transaction that is rolled back, so the database is left as it was. Prints the
seconds of each (the median of --repeat runs), the rows each writes, and whether the all-ages figures are the same.
"""

from __future__ import annotations

import argparse
import importlib.util
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

from sqlalchemy import Connection, Engine, create_engine, func, select

ROOT = Path(__file__).resolve().parent.parent
Rows = set[tuple[object, ...]]


def module_at(rev: str) -> ModuleType:
    """data_access/flows.py as it was at git revision `rev`, loaded as a module of its own."""
    source = subprocess.run(
        ["git", "show", f"{rev}:data_access/flows.py"], cwd=ROOT, check=True, capture_output=True, text=True
    ).stdout
    spec = importlib.util.spec_from_loader(f"flows_at_{rev}", loader=None)
    assert spec is not None
    module = importlib.util.module_from_spec(spec)
    exec(compile(source, f"flows@{rev}", "exec"), module.__dict__)  # noqa: S102 - the project's own code, from git
    return module


def _once(engine: Engine, refresh: Callable[[Connection, int], int], year: int) -> tuple[float, int, int, Rows]:
    """(seconds, flow_rollup rows, flow_stage_rollup rows, flow_rollup's figures) of one refresh, rolled back."""
    from data_access import models as tables

    f = tables.flow_rollup
    with engine.connect() as conn:
        tx = conn.begin()
        try:
            t0 = time.perf_counter()
            refresh(conn, year)
            seconds = time.perf_counter() - t0
            counts = [
                int(conn.execute(select(func.count()).select_from(t)).scalar_one())
                for t in (tables.flow_rollup, tables.flow_stage_rollup)
            ]
            figures = {tuple(r) for r in conn.execute(select(*(c for c in f.c if c.name != "refreshed_at")))}
        finally:
            tx.rollback()
    return seconds, counts[0], counts[1], figures


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--database-url", required=True)
    ap.add_argument("--year", type=int, default=2562, help="the later edition of the pair")
    ap.add_argument("--before", default="edf265f", help="the git revision of flows.py to compare with")
    ap.add_argument("--repeat", type=int, default=3)
    a = ap.parse_args()
    sys.path.insert(0, str(ROOT))
    from data_access import flows
    from data_access.schema import upgrade

    engine = create_engine(a.database_url)
    upgrade(engine)
    before = module_at(a.before)
    runs: dict[str, list[tuple[float, int, int, Rows]]] = {"before": [], "now": []}
    for _ in range(a.repeat):
        runs["before"].append(_once(engine, before.refresh_flows, a.year))
        runs["now"].append(_once(engine, flows.refresh_flows, a.year))
    print(f"refresh_flows(conn, {a.year}) on {engine.dialect.name}, median of {a.repeat}:")
    base = statistics.median(r[0] for r in runs["before"])
    for label, rows in runs.items():
        seconds = statistics.median(r[0] for r in rows)
        _, n_flows, n_stages, _ = rows[-1]
        staged = f", flow_stage_rollup {n_stages:,} rows" if label == "now" else ""  # (before: the table untouched)
        print(f"  {label:<7}{seconds:>8.2f} s ({seconds / base - 1:+.0%})  flow_rollup {n_flows:,} rows{staged}")
    same = runs["before"][-1][3] == runs["now"][-1][3]
    print(f"  flow_rollup's figures {'identical' if same else 'DIFFERENT'} before and now")


if __name__ == "__main__":
    main()
