"""The app served over real HTTP on a loopback port, for tests that need real threads and real sockets."""

from __future__ import annotations

import http.client
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from werkzeug.serving import make_server


@contextmanager
def served(flask_app) -> Iterator[str]:
    """Serve a Flask app on 127.0.0.1 (a free port) in a thread; yields its base URL."""
    server = make_server("127.0.0.1", 0, flask_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)


def request(
    base: str, method: str, path: str, body: dict | None = None, headers: dict | None = None, timeout: float = 60
) -> tuple[int, dict | str, dict]:
    """One HTTP request on its own connection: (status, JSON or text body, headers)."""
    host, port = base.split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=timeout)
    try:
        data = json.dumps(body).encode() if body is not None else None
        conn.request(method, path, body=data, headers={"Content-Type": "application/json", **(headers or {})})
        r = conn.getresponse()
        raw = r.read().decode("utf-8", "replace")
        try:
            parsed: dict | str = json.loads(raw)
        except ValueError:
            parsed = raw
        return r.status, parsed, dict(r.getheaders())
    finally:
        conn.close()
