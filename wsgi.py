"""The production entry point: `gunicorn --workers N --bind HOST:PORT wsgi:server`.

Settings come from the environment (see config.py and docs/deploying.md). gunicorn.conf.py preloads this module in
the server's own process, so what is done here is done once, before the workers fork and any request is accepted."""

import config
import static_files
from app import configure_logging, create_app
from data_access import cache

configure_logging()
server = create_app(config.Settings.from_env()).server  # read once, at start
# Dash's scripts and styles compressed at brotli 11 now (kept on disk for the release), not by a first visitor
static_files.warm(server)
# the signed-out answers another release kept (its pages' layouts may differ): gone before the first request
cache.empty_shared()
