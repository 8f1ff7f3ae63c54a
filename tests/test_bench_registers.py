"""The register benchmark at a tiny scale on the local PostGIS (its own database, dropped after): it loads, replaces
with a newer version, and prints each run's wall time, peak memory and phases."""

import json
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import create_engine
from sqlalchemy.exc import OperationalError

from tests.conftest import POSTGIS_ADMIN_URL, REQUIRE_POSTGIS

ROOT = Path(__file__).resolve().parent.parent


def test_register_bench_loads_and_replaces_at_tiny_scale(tmp_path):
    try:
        with create_engine(POSTGIS_ADMIN_URL).connect():
            pass
    except OperationalError:
        if REQUIRE_POSTGIS:
            raise
        pytest.skip("no PostGIS server answers at TPMAP_TEST_POSTGIS_URL")
    out = subprocess.run(
        [sys.executable, "-m", "bench.registers", "--rows", "3000", "--persons", "1000", "--replace", "--out", str(tmp_path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert out.returncode == 0, out.stdout + out.stderr
    figures = json.loads(out.stdout[out.stdout.rindex("\n{") :])
    assert figures["rows"] == 3000
    for run in ("import", "replace"):
        got = figures[run]
        assert got["exit"] == 0, out.stdout
        assert set(got["phases"]) >= {"validate", "stage", "compare", "write", "rollups"}, got
        assert got["peak_memory_mb"] > 0 and got["seconds"] > 0
    assert "persons added 0, gone 0" in out.stdout  # the same file again: nothing in, nothing out
    assert "1,000 rows linked to surveyed persons" in out.stdout
