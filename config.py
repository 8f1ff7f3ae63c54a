"""Settings in one place: every knob the app reads from the environment."""
from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent
INSTANCE_DIR = ROOT / "instance"
# shared/ sits beside the checkout (../shared), as in CI and on every developer machine.
SHARED_DIR = Path(os.environ.get("TPMAP_SHARED_DIR", ROOT.parent / "shared"))
GEO_DIR = SHARED_DIR / "geo"
DOMAIN_DIR = SHARED_DIR / "domain"


def default_database_url() -> str:
    """The embedded SQLite file under instance/ that `make run` builds the demo into."""
    return f"sqlite:///{INSTANCE_DIR / 'tpmap.sqlite'}"


def database_url() -> str:
    """The SQLAlchemy URL; the embedded default unless TPMAP_DATABASE_URL says otherwise."""
    url = os.environ.get("TPMAP_DATABASE_URL")
    if url:
        return url
    INSTANCE_DIR.mkdir(exist_ok=True)
    return default_database_url()


def static_shapes_dir() -> Path:
    """Where the simplified boundary files are written for the browser to fetch once and cache."""
    path = Path(os.environ.get("TPMAP_SHAPES_DIR", INSTANCE_DIR / "shapes"))
    path.mkdir(parents=True, exist_ok=True)
    return path
