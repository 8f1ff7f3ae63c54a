"""Gunicorn's settings for `gunicorn --workers N --bind HOST:PORT wsgi:server` (gunicorn reads this file from the
directory it starts in; the command line's --workers and --bind win over anything here).

Access log: one line per request without its query string (a household search carries a name there, a link its
filters) and without the referrer or user agent. Every line gunicorn writes, the access log's and its own, goes
through logsafety's record factory, installed here for the server's own process and by wsgi.py for each worker: the
path is masked for anything shaped like a citizen ID, and a control character in it (a `%0a` in a request's path) is
written as its escape, so that no request can write a line of its own into the log.

The options that vary by deployment come from config.Settings, as every other setting: TPMAP_LOG_LEVEL,
TPMAP_WORKER_TIMEOUT and TPMAP_MAX_REQUESTS (read once, at the server's start)."""

import os
import shutil
import signal as _signal
import tempfile
from typing import Any as _Any

import logsafety
from config import Settings as _Settings  # not `import config`: gunicorn reads a name `config` as its own option

logsafety.install()
_server = _Settings.from_env()

# Prometheus samples of every worker go to one folder that /metrics sums (data_access/metrics.py); a fresh one per
# start of the server (in memory where there is /dev/shm), set before the app is loaded, removed at exit.
_given_metrics_dir = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
_metrics_dir = _given_metrics_dir or tempfile.mkdtemp(
    prefix="tpmap-metrics-", dir="/dev/shm" if os.path.isdir("/dev/shm") else None
)
os.environ["PROMETHEUS_MULTIPROC_DIR"] = _metrics_dir

accesslog = "-"
access_log_format = '%(h)s "%(m)s %(U)s" %(s)s %(B)s %(M)sms'
errorlog = "-"
loglevel = _server.log_level
# A national map's first render, or an export, can take a few seconds; a worker stuck for longer is replaced.
timeout = _server.worker_timeout
graceful_timeout = 30
keepalive = 5
# The app is loaded once, in the server's own process, before the workers fork (wsgi.py also compresses Dash's
# files then): a worker starts ready, a recycled one (max_requests) too. Each worker then drops the pools it
# inherited (post_fork) and opens its own: a connection shared across a fork would serve two processes.
preload_app = True


def _stop_now(_signum: int, _frame: _Any) -> None:
    os._exit(0)  # a worker still warming has served nothing: nothing to finish


def post_fork(_server: _Any, _worker: _Any) -> None:
    # Until the worker runs its own loop (after this hook), it holds the arbiter's signal handlers, which only queue a
    # signal for an arbiter loop that does not run in a worker: a stop that came during the warm-up was lost, and the
    # arbiter waited graceful_timeout (30 s) before it killed the worker. The worker sets its own handlers next.
    for sig in (_signal.SIGTERM, _signal.SIGINT, _signal.SIGQUIT):
        _signal.signal(sig, _stop_now)
    from data_access.db import after_fork

    after_fork()
    from wsgi import warm_worker  # preloaded: the application this worker serves

    warm_worker()


def child_exit(_server: _Any, worker: _Any) -> None:
    from data_access.metrics import worker_exited

    worker_exited(worker.pid)


def on_exit(_server: _Any) -> None:
    if not _given_metrics_dir:
        shutil.rmtree(_metrics_dir, ignore_errors=True)


# Bounded request sizes before the app sees them (the app refuses large uploads itself as well).
limit_request_line = 8190
limit_request_fields = 100
# Replace a worker now and then, so a slow leak in any library cannot grow without end.
max_requests = _server.max_requests
max_requests_jitter = 2000
# The heartbeat file in memory, not on a disk that may be slow or full.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None
