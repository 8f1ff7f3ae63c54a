"""The benchmark script at a tiny scale (one province on SQLite): it runs and prints every figure."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_bench_runs_at_tiny_scale(tmp_path: Path) -> None:
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


# -- bench.rush's pieces (issue 35), without Locust: CI has no Locust, and these are what it builds on ------------

YEAR = 2562  # isolated_world's survey edition


def test_the_rush_posts_a_page_and_a_metric_change_as_dash_does(isolated_world: dict) -> None:
    """The router and metric-change payloads are built from /_dash-dependencies and the page as rendered (not from
    the callback's output positions): the live app answers both with valid Dash JSON, and the checker refuses
    what is not one."""
    from bench import rush
    from tests.utils.served import served

    with served(isolated_world["app"].server) as host:
        base = f"http://{host}"
        import requests

        deps = requests.get(base + "/_dash-dependencies", timeout=60).json()
        router, payload = rush.router_payload(deps, "/area/75")
        page = requests.post(base + "/_dash-update-component", json=payload, timeout=120)
        assert rush.dash_answer_problem(page.status_code, page.content, router) is None
        props = rush.component_props(page.json())
        assert all(s.startswith("/shapes/") for s in rush.shape_files(page.json())) and rush.shape_files(page.json())
        dep = rush.metric_callback(deps, props)
        assert rush.METRIC_CONTROL in {(i["id"], i["property"]) for i in dep["inputs"]}
        choices = rush.metric_choices(props)
        assert choices and props[rush.METRIC_CONTROL] not in choices
        before = rush.scrape(base)
        answer = requests.post(
            base + "/_dash-update-component", json=rush.metric_change_payload(dep, props, choices[0]), timeout=120
        )
        assert rush.dash_answer_problem(answer.status_code, answer.content, dep) is None, answer.text[:500]
        # and the map's preview a browser fetches beside it (assets/canvas-map.js)
        preview = rush.map_preview(props)
        assert preview is not None and preview[0].startswith("/area-map/75?")
        drawn = requests.get(base + rush.preview_address(*preview, choices[0]), timeout=60)
        assert drawn.status_code == 200 and {"values", "data"} & set(drawn.json()), drawn.text[:300]
        counted = rush.metrics_delta(before, rush.scrape(base))
        assert counted["requests_by_status"].get("200", 0) >= 2 and not counted["callback_failures"]
        # what is not an answer of this callback is refused
        assert rush.dash_answer_problem(200, page.content, dep) is not None  # the router's outputs, not this one's
        assert rush.dash_answer_problem(200, b"<html>", dep) == "not JSON"
        assert rush.dash_answer_problem(500, answer.content, dep) == "HTTP 500"


def test_the_cpu_sampler_counts_a_busy_process() -> None:
    """A child that burns CPU, then waits (so it is alive at the last sample): its CPU is the server party's."""
    from bench import rush

    burn = "import sys, time\nsys.stdin.readline()\nt = time.process_time()\nwhile time.process_time() < t + 0.3: pass\nprint('done', flush=True)\nsys.stdin.read()"
    child = subprocess.Popen([sys.executable, "-c", burn], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        sampler = rush.CpuSampler(server_pid=child.pid, every=0.1).start()  # the child waits for its go
        assert child.stdin is not None and child.stdout is not None
        child.stdin.write("go\n")
        child.stdin.flush()
        assert child.stdout.readline().strip() == "done"
        cpu = sampler.stop()
    finally:
        child.communicate("", timeout=30)
    assert set(cpu) == {"server", "database", "tool", "wall"}
    assert 0.29 <= cpu["server"] <= cpu["wall"] + 0.5, cpu
    assert all(isinstance(v, float) and v >= 0 for v in cpu.values()), cpu


def test_the_locustfile_has_the_user_classes_rush_names() -> None:
    """bench.rush runs Locust with these classes by name (Locust itself is not installed in CI)."""
    import ast

    tree = ast.parse((ROOT / "bench" / "locustfile.py").read_text())
    classes = {node.name for node in tree.body if isinstance(node, ast.ClassDef)}
    assert {"Official", "Team", "PublicOfficial"} <= classes
    rush_text = (ROOT / "bench" / "rush.py").read_text()
    assert all(f'"{name}"' in rush_text for name in ("Official", "Team", "PublicOfficial"))


def test_the_rush_reads_locusts_csv(tmp_path: Path) -> None:
    """Locust 2.47's CSV as it writes it (rows captured from a run): the totals, each kind, the failures."""
    from bench import rush

    (tmp_path / "l_stats.csv").write_text(
        "Type,Name,Request Count,Failure Count,Median Response Time,Average Response Time,Min Response Time,"
        "Max Response Time,Average Content Size,Requests/s,Failures/s,50%,66%,75%,80%,90%,95%,98%,99%,99.9%,99.99%,100%\n"
        "GET,api area,10,0,110,146.8,29.9,646.2,849.6,0.356,0.0,110,120,120,140,650,650,650,650,650,650,650\n"
        "POST,metric change,0,0,0,0,0,0,0,0.0,0.0,N/A,N/A,N/A,N/A,N/A,N/A,N/A,N/A,N/A,N/A,N/A\n"
        ",Aggregated,116,2,91,206.6,2.9,1399.5,16977.1,4.13,0.0,91,150,290,380,670,890,950,960,1400,1400,1400\n"
    )
    (tmp_path / "l_failures.csv").write_text(
        "Method,Name,Error,Occurrences,First Seen,Last Seen\nPOST,metric change,not JSON,2,1765100000,1765100001\n"
    )
    read = rush.read_locust_csv(str(tmp_path / "l"))
    assert read["total"] == {"n": 116, "failures": 2, "rps": 4.13, "p50": 91.0, "p95": 890.0, "p99": 960.0}
    assert read["kinds"]["api area"]["p95"] == 650.0 and read["kinds"]["metric change"]["p99"] is None
    assert read["failures"] == [{"kind": "metric change", "error": "not JSON", "n": 2}]
