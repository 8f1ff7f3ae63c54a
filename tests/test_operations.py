"""What an operator sees (issue 35, 1-2): failures that answer HTTP 200 (a Dash callback's) counted and logged with
their status, Prometheus metrics for the operator's network only, and the production server starting with Dash's
files already compressed, its workers' samples summed."""

from __future__ import annotations

import hashlib
import http.client
import logging
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

import config
from tests.utils.waiting import wait_until

ROOT = Path(__file__).resolve().parent.parent
YEAR = 2562


@pytest.fixture(scope="module")
def app(isolated_world):
    from app import create_app

    with config.installed(config.Settings.from_env().but(database_url=_url(isolated_world))):
        yield create_app().server


def _url(world: dict) -> str:
    return world["engine"].url.render_as_string(hide_password=False)


def _metrics(client, address: str = "127.0.0.1") -> tuple[int, str]:
    answer = client.get("/metrics", environ_base={"REMOTE_ADDR": address})
    return answer.status_code, answer.get_data(as_text=True)


def _sample(text: str, name: str, **labels: str) -> float:
    """The sum of the samples of the exposition text with these labels (0 when none has been written yet)."""
    return sum(
        float(line.rsplit(" ", 1)[1])
        for line in text.splitlines()
        if line.startswith(name + "{") and all(f'{k}="{v}"' in line for k, v in labels.items())
    )


def test_metrics_are_for_the_operators_network_only(app):
    client = app.test_client()
    assert client.get("/api/v1/areas/75?year=2562").status_code == 200
    status, body = _metrics(client)
    assert status == 200 and "# TYPE tpmap_request_seconds histogram" in body
    assert _sample(body, "tpmap_requests_total", route="/api/v1/areas/<code>", method="GET", status="200") >= 1
    assert "75" not in re.findall(r'route="([^"]*)"', body)  # routes are rules, never a path's values
    for outsider in ("203.0.113.9", "10.1.2.3", "::ffff:8.8.8.8"):
        assert _metrics(client, outsider)[0] == 404  # the same answer as an address that does not exist
    with config.installed(config.settings().but(metrics_networks="10.0.0.0/8")):
        assert _metrics(client, "10.1.2.3")[0] == 200 and _metrics(client, "127.0.0.1")[0] == 404


def test_a_callback_that_fails_is_counted_and_logged_with_its_status(app, caplog):
    """A signed-out reveal (401) answers HTTP 200 with the reason in the page's alert line: before, nothing counted
    it; now the log says which callback and which status, and /metrics counts it."""
    client = app.test_client()
    deps = client.get("/_dash-dependencies").get_json()
    reveal = next(d for d in deps if '"type":"reveal"' in json_inputs(d))
    button = {"member": 1, "type": "reveal"}
    payload = {
        "output": reveal["output"],
        "outputs": {"id": {"member": 1, "type": "revealed"}, "property": "children"},
        "inputs": [{"id": button, "property": "n_clicks", "value": 1}],
        "changedPropIds": ['{"member":1,"type":"reveal"}.n_clicks'],
        "state": [{"id": "reveal-house", "property": "data", "value": {"house_id": "H1", "year": YEAR}}],
    }
    before = _sample(_metrics(client)[1], "tpmap_callback_failures_total", status="401")
    with caplog.at_level(logging.INFO, logger="data_access.metrics"):
        answer = client.post("/_dash-update-component", json=payload)
    assert answer.status_code == 200  # Dash's renderer is answered, the page says why
    after = _metrics(client)[1]
    assert _sample(after, "tpmap_callback_failures_total", status="401") == before + 1
    assert _sample(after, "tpmap_errors_total", status="401") >= 1
    logged = [r.getMessage() for r in caplog.records if "callback failed" in r.getMessage()]
    assert logged and "status=401" in logged[-1] and "revealed" in logged[-1]


def json_inputs(dep: dict) -> str:
    return " ".join(i["id"] for i in dep["inputs"])


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(port: int, path: str, headers: dict | None = None, wait: float = 0) -> tuple[int, bytes, dict]:
    """One GET; with `wait`, asked until the server takes the connection (at most `wait` seconds)."""

    def once() -> tuple[int, bytes, dict]:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        try:
            conn.request("GET", path, headers=headers or {})
            answer = conn.getresponse()
            return answer.status, answer.read(), dict(answer.getheaders())
        finally:
            conn.close()

    if not wait:
        return once()
    return wait_until(once, timeout=wait, what=f"the server to answer {path}", interval=0.3, ignoring=(OSError,))


def test_the_production_server_starts_with_its_files_compressed_and_sums_its_workers(isolated_world, tmp_path):
    """gunicorn as deployed (gunicorn.conf.py preloads wsgi.py): Dash's scripts are compressed on disk before the
    first request, and /metrics counts the requests of both workers."""
    port, log = _free_port(), tmp_path / "server.log"
    content = config.INSTANCE_DIR / "compressed" / "content"
    shutil.rmtree(content, ignore_errors=True)  # what is there after the start was written by the start
    env = os.environ | {"TPMAP_DATABASE_URL": _url(isolated_world), "TPMAP_SECRET_KEY": "test-" + uuid.uuid4().hex}
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)
    gunicorn = str(Path(sys.executable).with_name("gunicorn"))
    args = [gunicorn, "--workers", "2", "--bind", f"127.0.0.1:{port}", "--no-control-socket", "wsgi:server"]
    with open(log, "w") as out:
        server = subprocess.Popen(args, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        assert _get(port, "/healthz", wait=120)[0] == 200
        kept = {path.name: path.read_bytes() for path in content.glob("*.br")}
        assert len(kept) >= 5, log.read_text()  # written by the preloaded app, before any page was asked for
        _, html, _ = _get(port, "/")
        script = re.search(rb'src="(/_dash-component-suites/dash/dash-renderer/[^"]+)"', html).group(1).decode()
        _, raw, _ = _get(port, script)
        status, body, headers = _get(port, script, {"Accept-Encoding": "br"})
        assert status == 200 and headers.get("Content-Encoding") == "br"
        assert kept[hashlib.sha256(raw).hexdigest()[:24] + ".br"] == body  # compressed at start, sent as it is
        for _ in range(20):  # over two workers
            assert _get(port, "/api/v1/areas/TH")[0] == 200
        _, text, _ = _get(port, "/metrics")
        counted = _sample(text.decode(), "tpmap_requests_total", route="/api/v1/areas/<code>", status="200")
        assert counted == 20, text.decode()[:2000]
    finally:
        server.terminate()
        server.wait(timeout=30)


WARMING_CHILD = """
import signal, sys
sys.path.insert(0, {root!r})
queued = []
signal.signal(signal.SIGTERM, lambda s, f: queued.append(s))  # as gunicorn's arbiter does: queued for its own loop
from gunicorn.app.base import Application

class Loader(Application):
    def init(self, parser, opts, args):
        return {{}}

    def load(self):
        return None

    def load_config(self):
        return None

server = Loader()
server.load_config_from_file({conf!r})
print("warming", flush=True)
server.cfg.post_fork(None, None)  # what a new worker runs first: its own connections, then its warm-up
print("warmed", flush=True)
sys.stdin.read()  # as a worker's loop would go on: until the test is done with it
"""


def test_a_worker_stopped_while_it_warms_stops_at_once(isolated_world, tmp_path):
    """gunicorn.conf.py's post_fork: a new worker holds the arbiter's signal handlers, which queue a signal for the
    arbiter's loop, until it runs its own loop. A stop that came during its warm-up (wsgi.warm_worker) was lost: the
    arbiter waited graceful_timeout (30 s) before it killed the worker (seen as a stop of 30 s in a test under load).
    Here a process with such a handler runs post_fork and is sent SIGTERM during the warm-up: it ends then."""
    script = WARMING_CHILD.format(root=str(ROOT), conf=str(ROOT / "gunicorn.conf.py"))
    env = os.environ | {
        "TPMAP_DATABASE_URL": _url(isolated_world),
        "TPMAP_SECRET_KEY": "test-" + uuid.uuid4().hex,
        "PROMETHEUS_MULTIPROC_DIR": str(tmp_path),
    }
    args = [sys.executable, "-c", script]
    child = subprocess.Popen(args, cwd=ROOT, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert child.stdout is not None and child.stdout.readline().strip() == "warming"
        # well inside the warm-up: numpy is loaded when the application is imported, after post_fork's first lines
        # and seconds before the warm-up ends (a signal sent at "warming" could come before post_fork had begun)
        maps = Path(f"/proc/{child.pid}/maps")
        wait_until(lambda: "numpy" in maps.read_text(), timeout=60, what="the warm-up to import the application")
        child.send_signal(signal.SIGTERM)
        child.wait(timeout=15)
        assert "warmed" not in child.stdout.read()
    finally:
        child.kill()
        child.wait()
