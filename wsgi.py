"""The production entry point: `gunicorn --workers N --bind HOST:PORT wsgi:server`.

Settings come from the environment (see config.py and docs/deploying.md)."""

import config
from app import configure_logging, create_app

configure_logging()
server = create_app(config.Settings.from_env()).server  # read once, at start
