"""Bring a database to the current schema with Alembic (PostGIS extension included)."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, text

from data_access.db import get_engine, is_postgres

_ROOT = Path(__file__).resolve().parent.parent


def alembic_config() -> Config:
    cfg = Config(str(_ROOT / "alembic.ini"))
    cfg.set_main_option("script_location", str(_ROOT / "data_access" / "migrations"))
    return cfg


QUIET_LOG = (
    "DO $$ BEGIN "
    "EXECUTE format('ALTER DATABASE %I SET log_error_verbosity = terse', current_database()); "
    "EXECUTE format('ALTER DATABASE %I SET log_min_error_statement = panic', current_database()); "
    "END $$"
)


def _quiet_error_log(engine: Engine) -> None:
    """PostgreSQL logs a failed statement's CONTEXT, and for COPY that is the whole offending row (a citizen
    ID and names). For this database: terse errors and no statement text. Needs a superuser (as in CI and
    docs/access.md); without one the server's own configuration must say the same (see docs/access.md)."""
    try:
        with engine.begin() as conn:
            # raw: DDL on the database itself, whose name the server quotes (format's %I): nothing is spelled here
            conn.execute(text(QUIET_LOG))
    except Exception:  # noqa: BLE001 - not a superuser: documented server setting
        import logging

        logging.getLogger(__name__).warning(
            "could not set log_error_verbosity=terse on the database; set it in "
            "postgresql.conf (docs/access.md, 'Personal data in logs')"
        )


def upgrade(engine: Engine | None = None) -> None:
    engine = engine or get_engine()
    if is_postgres(engine):
        with engine.begin() as conn:
            conn.execute(text("CREATE EXTENSION IF NOT EXISTS postgis"))  # raw: DDL, no Core form
        _quiet_error_log(engine)
    cfg = alembic_config()
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")
