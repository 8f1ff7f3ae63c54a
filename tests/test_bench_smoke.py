"""The benchmark script at a tiny scale (one province on SQLite): it runs and prints every figure."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_bench_runs_at_tiny_scale(tmp_path):
    out = subprocess.run(
        [sys.executable, "-m", "bench.run", "--provinces", "75", "--out", str(tmp_path), "--repeat", "1"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert out.returncode == 0, out.stdout + out.stderr
    text = out.stdout
    for needle in (
        "generate",
        "import-survey",
        "rows/s",
        "database size",
        "country   children",
        "tambon    area",
        "quarterly report PDF",
        "households XLSX",
        "story (TH)",
    ):
        assert needle in text, needle
    rows = [line for line in text.splitlines() if line.startswith(("country", "province", "amphoe", "tambon"))]
    assert len(rows) == 14  # 4 levels x area/children (no children for tambons) x 2 filters
