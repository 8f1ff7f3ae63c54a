"""The embedded demo database: built once on the first `make run`, reused afterwards."""
from __future__ import annotations

import time

import click

import config
from data_access.areas import import_boundary_set
from data_access.db import get_engine
from data_access.schema import upgrade
from geo.boundaries import read_boundaries

MARKER = "demo-built-v1"


def _marker_path():
    return config.INSTANCE_DIR / MARKER


def ensure_built(rebuild: bool = False) -> None:
    url = config.database_url()
    if not url.startswith("sqlite"):
        # Against a real server the demo only migrates; data is loaded with the import commands.
        upgrade(get_engine())
        return
    if _marker_path().exists() and not rebuild:
        upgrade(get_engine())
        return
    db_file = config.INSTANCE_DIR / "tpmap.sqlite"
    for suffix in ("", "-wal", "-shm"):
        p = db_file.with_name(db_file.name + suffix)
        if p.exists():
            p.unlink()
    t0 = time.perf_counter()
    steps = [("schema", lambda: upgrade(get_engine())),
             ("boundaries", lambda: import_boundary_set(read_boundaries(config.GEO_DIR), get_engine()))]
    with click.progressbar(steps, label="Building the demo database", item_show_func=lambda s: s and s[0]) as bar:
        for _name, step in bar:
            step()
    _marker_path().write_text(f"built in {time.perf_counter() - t0:.0f} s\n")
    click.echo(f"Demo database ready in {time.perf_counter() - t0:.0f} s: {db_file}")
