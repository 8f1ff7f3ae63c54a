"""Benchmark of linking a national-size register (issue 33): rows/s, peak memory and the rollup time.

    python -m bench.registers --rows 10000000 --persons 3000000
    python -m bench.registers --rows 200000 --persons 50000   (a smoke run)
    python -m bench.registers --rows 1000000 --persons 300000 --replace   (then the same file as a newer version)

Makes a PostGIS database of its own on TPMAP_TEST_POSTGIS_URL's server (dropped afterwards unless --keep), migrated,
with one province of 100 tambons and a surveyed edition of --persons people written straight into the tables (the
survey import has its own benchmark: bench.run); writes an old-age allowance register of --rows rows with valid IDs,
every surveyed person on it and the rest IDs the survey does not hold (issued in Bangkok and in the surveyed
province); then runs `flask import-register` in a process of its own (and, with --replace, again as a newer version;
with --before CHECKOUT, that checkout's import and this one's in turn, each replacing the last) and reports each run's
wall time, that process's peak RSS, its CPU seconds and its PostgreSQL backend's (steadier than wall time on a shared
machine) and the phases the command prints.
Target (issue 33): 10 million rows within 5 minutes, under 2 GB.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
YEAR = 2561
PROVINCE = "75"


def ids(first: str, serials: np.ndarray) -> np.ndarray:
    """Valid 13-digit citizen IDs: a 5-digit prefix (type and office), a 7-digit serial and the check digit."""
    prefix = np.array([int(d) for d in first], dtype=np.int64)
    digits = np.zeros((len(serials), 12), dtype=np.int64)
    digits[:, :5] = prefix
    s = serials.astype(np.int64).copy()
    for i in range(11, 4, -1):
        digits[:, i] = s % 10
        s //= 10
    check = (11 - (digits @ np.arange(13, 1, -1)) % 11) % 10
    number = digits @ (10 ** np.arange(12, 0, -1, dtype=np.int64)) + check
    return np.char.zfill(number.astype(str), 13)


def make_database(admin_url: str) -> str:
    from sqlalchemy import create_engine, make_url, text

    name = f"tpmap_bench_reg_{uuid.uuid4().hex[:6]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return make_url(admin_url).set(database=name).render_as_string(hide_password=False)


def drop_database(admin_url: str, url: str) -> None:
    from sqlalchemy import create_engine, make_url, text

    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{make_url(url).database}" WITH (FORCE)'))
    admin.dispose()


def _copy(conn, table: str, frame: pd.DataFrame) -> None:
    raw = conn.connection.dbapi_connection
    with raw.cursor() as cur, cur.copy(f"COPY {table} ({', '.join(frame.columns)}) FROM STDIN WITH (FORMAT csv)") as cp:
        cp.write(frame.to_csv(index=False, header=False).encode())


def seed_survey(url: str, persons: int) -> np.ndarray:
    """One province, 100 tambons, a surveyed edition of `persons` people in households of four; their IDs."""
    from sqlalchemy import text

    from data_access.db import engine_for
    from data_access.schema import upgrade

    engine = engine_for(url)
    upgrade(engine)
    tambons = [f"7501{i:02d}" for i in range(1, 101)]
    people = ids("19999", np.arange(persons))
    n_h = (persons + 3) // 4
    rng = np.random.default_rng(33)
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO area (code, level, has_geometry) VALUES ('TH', 'country', false)"))
        conn.execute(text("INSERT INTO area (code, level, parent_code, has_geometry) VALUES ('75', 'province', 'TH', false)"))
        conn.execute(text("INSERT INTO area (code, level, parent_code, has_geometry) VALUES ('7501', 'amphoe', '75', false)"))
        conn.execute(text("INSERT INTO area (code, level, parent_code, has_geometry) VALUES ('1001', 'amphoe', 'TH', false)"))
        for code in tambons:
            conn.execute(
                text("INSERT INTO area (code, level, parent_code, has_geometry) VALUES (:c, 'tambon', '7501', false)"),
                {"c": code},
            )
        conn.execute(text("INSERT INTO survey_year (year, indicator_set) VALUES (:y, 'jpt2560')"), {"y": YEAR})
        households = pd.DataFrame(
            {
                "id": np.arange(1, n_h + 1),
                "year": YEAR,
                "house_id": [f"B{i:010d}" for i in range(n_h)],
                "tambon_code": np.array(tambons)[np.arange(n_h) % 100],
                "village_no": 1,
                "pattern": np.where(rng.random(n_h) < 0.1, 1, 0),
                "n_persons": 4,
                "n_welfare": 2,
            }
        )
        _copy(conn, "household", households)
        born = pd.Timestamp("1930-01-01") + pd.to_timedelta(rng.integers(0, 30000, persons), unit="D")
        frame = pd.DataFrame(
            {
                "year": YEAR,
                "household_id": np.arange(persons) // 4 + 1,
                "citizen_id": people,
                "first_name": "ทดสอบ",
                "last_name": "ระบบ",
                "sex": "F",
                "birth_date": born.strftime("%Y-%m-%d"),
                "welfare_card": rng.random(persons) < 0.5,
                "disabled": False,
            }
        )
        _copy(conn, "person", frame)
        from data_access.survey_import import fill_household_stages

        fill_household_stages(conn, YEAR)  # the members per life stage, as an import counts them (migration 0023)
        conn.execute(text("ANALYZE person"))
        conn.execute(text("ANALYZE household"))
    engine.dispose()
    return people


def write_register(path: Path, people: np.ndarray, rows: int) -> None:
    strangers = rows - len(people)
    half = strangers // 2
    out = np.concatenate(
        [people[: min(rows, len(people))], ids("31001", np.arange(half)), ids("37501", np.arange(strangers - half))]
    )
    pd.DataFrame({"citizen_id": out, "monthly_amount": "600"}).to_csv(path, index=False, lineterminator="\n")


PHASES = re.compile(r"([a-z]+) ([0-9.]+) s")


class BackendCpu:
    """The CPU seconds of the PostgreSQL backends serving one database (the server is local: /proc/<pid>/stat),
    sampled every 0.2 s until stopped; the last sample of each backend is kept (a backend's counters only grow)."""

    def __init__(self, admin_url: str, database: str) -> None:
        self.admin_url, self.database = admin_url, database
        self.seen: dict[int, float] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def __enter__(self) -> BackendCpu:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    @property
    def seconds(self) -> float:
        return sum(self.seen.values())

    def _sample(self) -> None:
        from sqlalchemy import create_engine, text

        engine = create_engine(self.admin_url, isolation_level="AUTOCOMMIT")
        tick = os.sysconf("SC_CLK_TCK")
        with engine.connect() as conn:
            while not self._stop.wait(0.2):
                pids = conn.execute(text("SELECT pid FROM pg_stat_activity WHERE datname = :d"), {"d": self.database})
                backends: list[int] = list(pids.scalars())
                for pid in backends:
                    try:
                        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
                    except OSError:
                        continue  # gone between the query and the read
                    self.seen[pid] = (int(fields[11]) + int(fields[12])) / tick  # utime + stime
        engine.dispose()


def run_import(url: str, admin: str, path: Path, as_of: str, rows: int, checkout: Path = ROOT) -> dict:
    """`flask import-register` in a process of its own (from `checkout`): its wall time, peak RSS, CPU seconds (its
    own and its PostgreSQL backend's: steadier than wall time on a shared machine) and the phases it reports."""
    from sqlalchemy import make_url

    t = time.perf_counter()
    with BackendCpu(admin, str(make_url(url).database)) as server:
        done = subprocess.Popen(
            [sys.executable if checkout == ROOT else str(checkout / ".venv/bin/python"), "-m", "flask", "--app", "app:server", "import-register", "--register",
             "old_age_allowance", "--as-of", as_of, str(path)],
            cwd=checkout, env=os.environ | {"TPMAP_DATABASE_URL": url}, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
            text=True,
        )  # fmt: skip
        assert done.stdout is not None
        out = done.stdout.read()
        _, status, usage = os.wait4(done.pid, 0)  # this process's own peak RSS (ru_maxrss, KB) and CPU
        done.returncode = os.waitstatus_to_exitcode(status)
    took = time.perf_counter() - t
    print(out)
    phases = next((dict(PHASES.findall(line)) for line in out.splitlines() if "rows/s overall" in line), {})
    return {
        "checkout": str(checkout),
        "seconds": round(took, 1),
        "rows_per_second": round(rows / took),
        "peak_memory_mb": round(usage.ru_maxrss / 1024),
        "cpu_seconds_import": round(usage.ru_utime + usage.ru_stime, 1),
        "cpu_seconds_postgres": round(server.seconds, 1),
        "load_average": round(os.getloadavg()[0], 1),
        "phases": {k: float(v) for k, v in phases.items()},
        "exit": done.returncode,
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rows", type=int, default=10_000_000)
    ap.add_argument("--persons", type=int, default=3_000_000)
    ap.add_argument("--out", type=Path, default=Path("/tmp/tpmap-bench-registers"))
    ap.add_argument("--keep", action="store_true", help="keep the database")
    ap.add_argument("--replace", action="store_true", help="then load the same file again as a newer version")
    ap.add_argument(
        "--before", type=Path, help="another checkout (with its .venv): after the first load, its import and this one's "
        "alternate, each replacing the last (before/after on one database, interleaved)",
    )  # fmt: skip
    ap.add_argument("--rounds", type=int, default=2, help="before/after pairs with --before")
    args = ap.parse_args()
    admin = os.environ.get("TPMAP_TEST_POSTGIS_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
    sys.path.insert(0, str(ROOT))
    args.out.mkdir(parents=True, exist_ok=True)
    url = make_database(admin)
    try:
        t0 = time.perf_counter()
        people = seed_survey(url, args.persons)
        seeded = time.perf_counter() - t0
        path = args.out / "old_age_allowance.csv"
        t1 = time.perf_counter()
        write_register(path, people, args.rows)
        written = time.perf_counter() - t1
        runs = [("import", "2024-01-31", ROOT)] + ([("replace", "2024-06-30", ROOT)] if args.replace else [])
        if args.before:
            for i in range(args.rounds):
                runs += [(f"before_{i + 1}", f"2024-07-{2 * i + 1:02d}", args.before.resolve())]
                runs += [(f"after_{i + 1}", f"2024-07-{2 * i + 2:02d}", ROOT)]
        figures: dict = {
            "rows": args.rows,
            "persons_surveyed": args.persons,
            "seed_seconds": round(seeded, 1),
            "file_seconds": round(written, 1),
            "file_mb": round(path.stat().st_size / 1e6, 1),
        }
        for name, as_of, checkout in runs:
            figures[name] = run_import(url, admin, path, as_of, args.rows, checkout)
        print(json.dumps(figures, indent=1))
    finally:
        if not args.keep:
            drop_database(admin, url)


if __name__ == "__main__":
    main()
