"""Settings in one place: every knob the app reads from the environment, read into one object.

`Settings.from_env()` reads them; `create_app(settings)` installs the object it is given (wsgi.py reads the
environment once, at start); without one installed, `settings()` reads the environment when asked, which
is what the CLI and the test suite (which point TPMAP_DATABASE_URL at each module's database) rely on.
No other module reads os.environ; gunicorn.conf.py takes the server's own options (TPMAP_LOG_LEVEL,
TPMAP_WORKER_TIMEOUT, TPMAP_MAX_REQUESTS) from here too."""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent
INSTANCE_DIR = ROOT / "instance"
# shared/ sits beside the checkout (../shared), as in CI and on every developer machine.
SHARED_DIR = Path(os.environ.get("TPMAP_SHARED_DIR", ROOT.parent / "shared"))
GEO_DIR = SHARED_DIR / "geo"
DOMAIN_DIR = SHARED_DIR / "domain"


@dataclass(frozen=True)
class Settings:
    database_url: str | None = None  # TPMAP_DATABASE_URL; None: the embedded SQLite file under instance/
    # TPMAP_DATABASE_READ_URL: a streaming replica of the primary (PostgreSQL), for public figure and list reads;
    # None: everything reads the primary
    database_read_url: str | None = None
    shapes_dir: Path = INSTANCE_DIR / "shapes"  # TPMAP_SHAPES_DIR: the boundary files served to browsers
    secret_key: str | None = None  # TPMAP_SECRET_KEY; None: a random key kept in instance/secret_key
    secure_cookies: bool = False  # TPMAP_SECURE_COOKIES=1 behind HTTPS: secure cookies and HSTS
    mask_names: bool = False  # TPMAP_MASK_NAMES=1: surnames as an initial to roles that do not work by name
    order_max_bytes: int = 5 * 1024 * 1024  # TPMAP_ORDER_MAX_BYTES: the largest committee order accepted
    # TPMAP_VALIDATE_FIGURES=1: plotly checks every property of every figure as it is built (the tests run so); off,
    # a page's figures are built in about half the time (measured: 58 -> 25 ms of a 95 ms render)
    validate_figures: bool = False
    # Scraping: an account that opens more household records, or reveals more citizen IDs, in an hour than any
    # person's work needs is blocked and an alert raised for an administrator (data_access.abuse)
    alert_record_views_per_hour: int = 300  # TPMAP_ALERT_RECORD_VIEWS_PER_HOUR
    alert_id_reveals_per_hour: int = 30  # TPMAP_ALERT_ID_REVEALS_PER_HOUR
    # TPMAP_PAGE_CACHE_SECONDS: how long a signed-out visitor's page render may be served again to the next one
    # (app.register_public_page_cache); 0: never
    page_cache_seconds: int = 60
    # The shared store of signed-out callback answers (issue 35; app.register_public_page_cache): one folder every
    # worker reads and writes (TPMAP_CALLBACK_CACHE_DIR), at most TPMAP_CALLBACK_CACHE_ENTRIES answers (oldest used
    # first out)
    callback_cache_dir: Path = INSTANCE_DIR / "callback-cache"
    callback_cache_entries: int = 2000
    # TPMAP_WARM_PAGES: the pages the production server renders as it starts, before any visitor (comma-separated
    # paths; a province's deployment names its meeting's pages): their first visitors are served as the next ones. The
    # country's map of every tambon is among them: its 7,425 rows, summed once here, are every worker's from the fork
    # (each had summed them on its first national map or recolour: about 240 ms)
    warm_pages: tuple[str, ...] = ("/", "/?level=tambon")
    # TPMAP_DB_POOL_RECYCLE: seconds after which a pooled PostgreSQL connection is replaced at its next checkout (in
    # place of a ping before every checkout: data_access.db)
    db_pool_recycle: int = 1800
    # The production server's own options (gunicorn.conf.py reads them from here):
    log_level: str = "info"  # TPMAP_LOG_LEVEL: gunicorn's log level (debug, info, warning, error, critical)
    worker_timeout: int = 60  # TPMAP_WORKER_TIMEOUT: seconds before a stuck worker is replaced
    max_requests: int = 20000  # TPMAP_MAX_REQUESTS: requests a worker serves before it is replaced (a slow leak's bound)
    # TPMAP_METRICS_NETWORKS: who may read /metrics (comma-separated networks; the operator's Prometheus). Behind a
    # reverse proxy every request comes from the proxy's address: keep /metrics off the proxy's public routes.
    metrics_networks: str = "127.0.0.0/8,::1/128"

    @classmethod
    def from_env(cls, env: Mapping[str, str] = os.environ) -> Settings:
        return cls(
            database_url=env.get("TPMAP_DATABASE_URL") or None,
            database_read_url=env.get("TPMAP_DATABASE_READ_URL") or None,
            shapes_dir=Path(env.get("TPMAP_SHAPES_DIR", INSTANCE_DIR / "shapes")),
            secret_key=env.get("TPMAP_SECRET_KEY") or None,
            secure_cookies=env.get("TPMAP_SECURE_COOKIES") == "1",
            mask_names=env.get("TPMAP_MASK_NAMES") == "1",
            order_max_bytes=int(env.get("TPMAP_ORDER_MAX_BYTES", 5 * 1024 * 1024)),
            validate_figures=env.get("TPMAP_VALIDATE_FIGURES") == "1",
            alert_record_views_per_hour=int(env.get("TPMAP_ALERT_RECORD_VIEWS_PER_HOUR", 300)),
            alert_id_reveals_per_hour=int(env.get("TPMAP_ALERT_ID_REVEALS_PER_HOUR", 30)),
            page_cache_seconds=int(env.get("TPMAP_PAGE_CACHE_SECONDS", 60)),
            callback_cache_dir=Path(env.get("TPMAP_CALLBACK_CACHE_DIR", INSTANCE_DIR / "callback-cache")),
            callback_cache_entries=int(env.get("TPMAP_CALLBACK_CACHE_ENTRIES", 2000)),
            warm_pages=tuple(p.strip() for p in env.get("TPMAP_WARM_PAGES", "/,/?level=tambon").split(",") if p.strip()),
            db_pool_recycle=int(env.get("TPMAP_DB_POOL_RECYCLE", 1800)),
            log_level=env.get("TPMAP_LOG_LEVEL", "info"),
            worker_timeout=int(env.get("TPMAP_WORKER_TIMEOUT", 60)),
            max_requests=int(env.get("TPMAP_MAX_REQUESTS", 20000)),
            metrics_networks=env.get("TPMAP_METRICS_NETWORKS", "127.0.0.0/8,::1/128"),
        )

    def but(self, **changes: Any) -> Settings:
        return replace(self, **changes)


_installed: list[Settings] = []


def install(settings: Settings) -> None:
    """The settings of the app being served (create_app installs the ones it is given)."""
    _installed[:] = [settings]


@contextmanager
def installed(settings: Settings) -> Iterator[Settings]:
    """These settings for a block, then whatever was there before (a test's own app, a command run in
    process) without leaking into the rest of the process."""
    before = list(_installed)
    install(settings)
    try:
        yield settings
    finally:
        _installed[:] = before


def settings() -> Settings:
    return _installed[0] if _installed else Settings.from_env()


def default_database_url() -> str:
    """The embedded SQLite file under instance/ that `make run` builds the demo into."""
    return f"sqlite:///{INSTANCE_DIR / 'tpmap.sqlite'}"


def database_url() -> str:
    """The SQLAlchemy URL; the embedded default unless the settings name another."""
    url = settings().database_url
    if url:
        return url
    INSTANCE_DIR.mkdir(exist_ok=True)
    return default_database_url()


def static_shapes_dir() -> Path:
    """Where the simplified boundary files are written for the browser to fetch once and cache."""
    path = settings().shapes_dir
    path.mkdir(parents=True, exist_ok=True)
    return path
