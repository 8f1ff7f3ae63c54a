"""The embedded demo database: built once on the first `make run`, reused afterwards.

Boundaries of the whole country, TPMAP's published 2561 figures for every area, and synthetic
household microdata (calibrated to those figures) for the demo provinces.
"""
from __future__ import annotations

import tempfile
import time
from pathlib import Path

import click

import config
from data_access.areas import import_boundary_set
from data_access.db import get_engine
from data_access.published import import_published
from data_access.schema import upgrade
from data_access.survey_import import SurveyImport
from geo.boundaries import read_boundaries

MARKER = "demo-built-v1"
YEAR = 2561
# Samut Songkhram (the source deck's pilot), Mae Hong Son (highest poverty rate), Chiang Mai
# (the most target poor of any province).
DEMO_PROVINCES = ["75", "58", "50"]


def _marker_path() -> Path:
    return config.INSTANCE_DIR / MARKER


def build(db_file: Path) -> float:
    from synthetic.population import generate

    for suffix in ("", "-wal", "-shm"):
        p = db_file.with_name(db_file.name + suffix)
        if p.exists():
            p.unlink()
    t0 = time.perf_counter()
    engine = get_engine()
    with tempfile.TemporaryDirectory(prefix="tpmap-demo-") as tmp:
        steps = [
            ("schema", lambda: upgrade(engine)),
            ("boundaries", lambda: import_boundary_set(read_boundaries(config.GEO_DIR), engine)),
            ("published 2561 figures", lambda: import_published(YEAR, config.DOMAIN_DIR, engine)),
            ("synthetic households", lambda: generate(YEAR, Path(tmp), config.DOMAIN_DIR, config.GEO_DIR,
                                                      DEMO_PROVINCES)),
            ("household import", lambda: SurveyImport(YEAR, Path(tmp), engine).run()),
        ]
        with click.progressbar(steps, label="Building the demo database (once)",
                               item_show_func=lambda s: s[0] if s else "") as bar:
            for _name, step in bar:
                step()
    return time.perf_counter() - t0


def ensure_built(rebuild: bool = False) -> None:
    url = config.database_url()
    if url != config.default_database_url():
        # Any other database (PostGIS, a test file) is only migrated; data comes from the import commands.
        upgrade(get_engine())
        return
    if _marker_path().exists() and not rebuild:
        upgrade(get_engine())
        return
    seconds = build(config.INSTANCE_DIR / "tpmap.sqlite")
    _marker_path().write_text(f"built in {seconds:.0f} s\n")
    click.echo(f"Demo database ready in {seconds:.0f} s.")
