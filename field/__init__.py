"""The field app (issue 18): an installable web app at /field/ (pinned) for teams that work without a signal.

It is a small client of the public API (sign-in, the field package, the Logbook writes with Idempotency-Key), not a
Dash page. Its files live in field/static and are served here as they are: no build step. The service worker
keeps them on the phone; the team's data lives in the phone's IndexedDB. The labels come from the project's one
translation catalogue (components.i18n), served as /field/i18n.json.
"""

from __future__ import annotations

import hashlib
import json
from functools import cache
from pathlib import Path

from flask import Blueprint, Response, abort, send_from_directory

STATIC = Path(__file__).resolve().parent / "static"
# which catalogue keys the phone needs: its own, the Logbook's and the dimensions', what a household receives and
# whom a failed indicator concerns (issues 33 and 34)
PREFIXES = ("field.", "lb.", "dim.", "err.", "role.", "nav.lang", "date.", "recv.", "hh.concerns_", "unit.baht")

bp = Blueprint("field", __name__, url_prefix="/field")


@cache
def catalogue_json() -> bytes:
    from components.i18n import CATALOGUE

    words = {k: {"th": th, "en": en} for k, (th, en) in CATALOGUE.items() if k.startswith(PREFIXES)}
    words |= month_words()
    return json.dumps(words, ensure_ascii=False, sort_keys=True).encode()


def month_words() -> dict[str, dict[str, str]]:
    """The month names the dashboard writes (mpi.calendar, components.dates), for the phone's date fields and dates:
    date.month.N and date.month_short.N, as "ธันวาคม" / "December" and "ธ.ค." / "Dec"."""
    from components.dates import ENGLISH_MONTHS
    from mpi.calendar import THAI_MONTHS, THAI_MONTHS_SHORT

    words = {}
    for n, (th, th_short, en) in enumerate(zip(THAI_MONTHS, THAI_MONTHS_SHORT, ENGLISH_MONTHS, strict=True), 1):
        words[f"date.month.{n}"] = {"th": th, "en": en}
        words[f"date.month_short.{n}"] = {"th": th_short, "en": en[:3]}  # as strftime('%b') writes it (english_date)
    return words


@cache
def version() -> str:
    """A digest of every file of the app and of its words: the service worker's cache name changes with it, so a
    phone takes a new version on its next start (and keeps its queue: that is in IndexedDB, not in the cache)."""
    digest = hashlib.sha256(catalogue_json())
    for path in sorted(STATIC.rglob("*")):
        if path.is_file():
            digest.update(path.relative_to(STATIC).as_posix().encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def _fresh(response: Response) -> Response:
    # the phone asks again each time it is online (the service worker answers when it is not)
    response.headers["Cache-Control"] = "no-cache"
    return response


@bp.get("/")
def index() -> Response:
    return _fresh(send_from_directory(STATIC, "index.html", mimetype="text/html"))


@bp.get("/i18n.json")
def words() -> Response:
    return _fresh(Response(catalogue_json(), mimetype="application/json"))


@bp.get("/version.json")
def app_version() -> Response:
    return _fresh(Response(json.dumps({"version": version()}), mimetype="application/json"))


@bp.get("/sw.js")
def service_worker() -> Response:
    # the worker's own bytes carry the version, so the browser sees a changed worker when any file changes
    body = (STATIC / "sw.js").read_text(encoding="utf-8").replace("__VERSION__", version())
    response = Response(body, mimetype="text/javascript")
    response.headers["Service-Worker-Allowed"] = "/field/"
    return _fresh(response)


@bp.get("/<path:name>")
def asset(name: str) -> Response:
    if name == "sw.js" or not (STATIC / name).is_file():
        abort(404)
    mimetype = "application/manifest+json" if name.endswith(".webmanifest") else None
    return _fresh(send_from_directory(STATIC, name, mimetype=mimetype))
