"""Benchmark of the life-stage rollup (issue 34): what it adds to a survey year's rollup refresh.

    python -m bench.ages --database-url postgresql+psycopg://postgres@127.0.0.1/tpmap_bench [--year 2561] [--repeat 3]

On a database that holds a survey year already (bench.run builds one), upgraded to migration 0019 (0023 for the step
that sums the households' counts per stage, not their persons: it adds and fills them, timed by --migrate): times
data_access.rollups.refresh_survey_rollups as an import runs it, with the life-stage step and without it (the
refresh as it was before issue 34, the same code otherwise), alternating, each inside a transaction that is rolled
back, so the database is left as it was (on PostgreSQL the rollup tables are vacuumed before each run: a rolled-back
run's rows are dead but kept until then). Also the life-stage step alone, and the rows it writes.
"""

from __future__ import annotations

import argparse
import statistics
import time
from unittest import mock

from sqlalchemy import create_engine, text


def _vacuum_rollups(engine) -> None:
    """The rows each rolled-back run wrote are dead but still in the rollup tables and their keys' indexes (this
    server runs without autovacuum): every later insert checks its key against them. An import writes into tables
    without them, so each run starts from vacuumed ones."""
    if engine.dialect.name != "postgresql":
        return
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        names = conn.execute(text("SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename LIKE '%rollup%'"))
        for name in list(names.scalars()):
            conn.execute(text(f'VACUUM "{name}"'))


def _once(engine, year: int, with_stages: bool) -> tuple[float, int]:
    from data_access import rollups

    _vacuum_rollups(engine)
    with engine.connect() as conn:
        tx = conn.begin()
        try:
            t0 = time.perf_counter()
            if with_stages:
                rollups.refresh_survey_rollups(conn, year)
            else:
                with mock.patch.object(rollups, "refresh_stage_rollup", lambda *_: None):
                    rollups.refresh_survey_rollups(conn, year)
            seconds = time.perf_counter() - t0
            rows = conn.execute(text("SELECT COUNT(*) FROM area_stage_rollup WHERE year = :y"), {"y": year}).scalar_one()
        finally:
            tx.rollback()
    return seconds, int(rows)


def _stage_alone(engine, year: int) -> float:
    from data_access.rollups import refresh_stage_rollup

    _vacuum_rollups(engine)
    with engine.connect() as conn:
        tx = conn.begin()
        try:
            t0 = time.perf_counter()
            refresh_stage_rollup(conn, year)
            return time.perf_counter() - t0
        finally:
            tx.rollback()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--database-url", required=True)
    ap.add_argument("--year", type=int, default=2561)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--migrate", action="store_true", help="first upgrade the database to the head migration, timed")
    args = ap.parse_args()
    engine = create_engine(args.database_url)
    if args.migrate:
        from data_access.schema import upgrade

        t0 = time.perf_counter()
        upgrade(engine)
        print(f"upgraded to the head migration in {time.perf_counter() - t0:.1f} s")
    with engine.connect() as conn:
        households = conn.execute(text("SELECT COUNT(*) FROM household WHERE year = :y"), {"y": args.year}).scalar_one()
        persons = conn.execute(text("SELECT COUNT(*) FROM person WHERE year = :y"), {"y": args.year}).scalar_one()
    before, after, alone = [], [], []
    rows = 0
    for _ in range(args.repeat):
        before.append(_once(engine, args.year, with_stages=False)[0])
        seconds, rows = _once(engine, args.year, with_stages=True)
        after.append(seconds)
        alone.append(_stage_alone(engine, args.year))
    b, a, s = statistics.median(before), statistics.median(after), statistics.median(alone)
    print(f"{engine.dialect.name}, year {args.year}: {households:,} households, {persons:,} persons; medians of {args.repeat}")
    print(
        f"refresh_survey_rollups without the life-stage step (before issue 34): {b:.2f} s  (runs {', '.join(f'{x:.2f}' for x in before)})"
    )
    print(
        f"refresh_survey_rollups with it (after):                               {a:.2f} s  (runs {', '.join(f'{x:.2f}' for x in after)})"
    )
    print(f"growth: {100 * (a - b) / b:+.0f} %; the life-stage step alone: {s:.2f} s, {rows:,} rows")


if __name__ == "__main__":
    main()
