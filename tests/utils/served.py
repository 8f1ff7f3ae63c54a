"""The app served over real HTTP on a loopback port, for tests that need real threads and real sockets."""

from __future__ import annotations

import http.client
import json
import socket
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


class Relay:
    """A TCP relay that can be cut (as a restart or a lost signal cuts it) and restored on the same port: to
    PostgreSQL for an outage, to the app for a phone that goes offline."""

    def __init__(self, target: tuple[str, int]):
        self.target = target
        probe = socket.socket()
        probe.bind(("127.0.0.1", 0))
        self.port = probe.getsockname()[1]
        probe.close()
        self.listener: socket.socket | None = None
        self.pairs: list[socket.socket] = []
        self.lock = threading.Lock()

    def open(self) -> None:
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(16)
        self.listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return  # shut
            server = socket.create_connection(self.target)
            with self.lock:
                self.pairs += [client, server]
            for a, b in ((client, server), (server, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    @staticmethod
    def _pipe(a: socket.socket, b: socket.socket) -> None:
        try:
            while data := a.recv(65536):
                b.sendall(data)
        except OSError:
            pass
        finally:
            for s in (a, b):
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    def cut(self) -> None:
        assert self.listener is not None
        try:
            self.listener.shutdown(socket.SHUT_RDWR)  # wakes the accepting thread (a close alone may not, on Linux)
        except OSError:
            pass
        self.listener.close()
        with self.lock:
            pairs, self.pairs = self.pairs, []
        for s in pairs:
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            s.close()


@contextmanager
def samut_songkhram_site(tmp, boundaries, year: int, seed: int) -> Iterator:
    """An embedded (SQLite) database with the real boundaries, TPMAP's published figures of `year` and a synthetic
    population of Samut Songkhram, the process's settings pointed at it for the duration (and restored after): what
    the browser tests serve. Yields the engine."""
    import os
    from unittest.mock import patch

    import config
    from data_access.areas import import_boundary_set
    from data_access.db import engine_for
    from data_access.published import import_published
    from data_access.schema import upgrade
    from data_access.survey_import import SurveyImport
    from synthetic.population import generate

    url = f"sqlite:///{tmp / 'tpmap.sqlite'}"
    with patch.dict(os.environ, {"TPMAP_DATABASE_URL": url, "TPMAP_SHAPES_DIR": str(tmp / "shapes")}):
        engine = engine_for(url)
        upgrade(engine)
        import_boundary_set(boundaries, engine)
        import_published(year, config.DOMAIN_DIR, engine)
        generate(year, tmp / "survey", config.DOMAIN_DIR, config.GEO_DIR, ["75"], seed=seed)
        SurveyImport(year, tmp / "survey", engine).run()
        yield engine
