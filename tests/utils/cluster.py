"""A PostgreSQL cluster of the test's own, in a temporary folder on a free port, for tests that stop, restart or
replicate a server (the machine's own cluster is shared by every test and cannot be restarted). It uses
PostgreSQL 15's programs and the machine's PostGIS; as root (CI) they run as the postgres user, since initdb and
postgres refuse root."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

import pytest
from sqlalchemy import create_engine, make_url, text

PG_BIN = Path("/usr/lib/postgresql/15/bin")


def free_port() -> int:
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def run(*cmd: str, stdin=None) -> str:
    """A PostgreSQL program, as the postgres user when the tests run as root (initdb and postgres refuse root)."""
    prefix = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    out = subprocess.run(prefix + list(cmd), capture_output=True, text=True, timeout=180, stdin=stdin)
    assert out.returncode == 0, f"{cmd[0]} failed: {out.stderr[-2000:]}"
    return out.stdout


def new_folder(prefix: str) -> Path:
    """A folder the postgres user may write (pytest's tmp_path is root's alone when the tests run as root)."""
    if not (PG_BIN / "initdb").exists():
        pytest.skip(f"PostgreSQL 15's programs are not at {PG_BIN}")
    folder = Path(tempfile.mkdtemp(prefix=prefix))
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres", "postgres")
    return folder


class Cluster:
    def __init__(self, folder: Path, name: str):
        self.data = folder / name
        self.port = free_port()
        self.socket_dir = folder
        self.log = folder / f"{name}.log"

    def init(self) -> None:
        run(
            str(PG_BIN / "initdb"), "-D", str(self.data), "-U", "postgres", "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8", "-N"
        )
        self.configure()

    def configure(self) -> None:
        with open(self.data / "postgresql.conf", "a") as conf:
            conf.write(
                f"\nport = {self.port}\nlisten_addresses = '127.0.0.1'\nunix_socket_directories = '{self.socket_dir}'\n"
                "fsync = off\nmax_connections = 60\nshared_buffers = 32MB\n"
            )

    def start(self) -> None:
        run(str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-l", str(self.log), "-w", "start")

    def stop(self) -> None:
        if (self.data / "postmaster.pid").exists():
            run(str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "stop")

    def url(self, database: str) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{database}"

    def copy_in(self, source_url: str, database: str, *, shapes: bool = True) -> None:
        """A database of another server (the test template, a module's world) copied into this cluster. Without
        `shapes` the areas come without their polygons (most of the bytes): a copy for writes, in seconds."""
        source = make_url(source_url)
        run(str(PG_BIN / "createdb"), "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", database)
        server = ["-h", source.host or "127.0.0.1", "-p", str(source.port or 5432), "-U", "postgres"]
        leave_out = [] if shapes else ["--exclude-table-data=area"]
        dump = subprocess.run(
            [str(PG_BIN / "pg_dump"), "-Fc", *server, *leave_out, source.database or ""],
            capture_output=True,
            timeout=180,
            check=True,
        ).stdout
        target = ["-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", "-d", database]
        with tempfile.NamedTemporaryFile() as f:
            f.write(dump)
            f.flush()
            os.chmod(f.name, 0o644)  # pg_restore runs as the postgres user
            if shapes:
                run(str(PG_BIN / "pg_restore"), *target, f.name)
                return
            run(str(PG_BIN / "pg_restore"), "--section=pre-data", *target, f.name)
            _copy_areas_without_shapes(source_url, self.url(database))
            run(str(PG_BIN / "pg_restore"), "--section=data", "--section=post-data", *target, f.name)


def _copy_areas_without_shapes(source_url: str, target_url: str) -> None:
    source, target = create_engine(source_url), create_engine(target_url)
    try:
        with source.connect() as s:
            columns = [c for c in s.execute(text("SELECT * FROM area LIMIT 0")).keys() if not c.startswith("geom")]
        listed = ", ".join(columns)
        with source.raw_connection() as s, target.raw_connection() as t:
            with s.cursor().copy(f"COPY (SELECT {listed} FROM area) TO STDOUT") as out:  # type: ignore[attr-defined]
                with t.cursor().copy(f"COPY area ({listed}) FROM STDIN") as into:  # type: ignore[attr-defined]
                    for block in out:
                        into.write(block)
            t.commit()
    finally:
        source.dispose()
        target.dispose()
