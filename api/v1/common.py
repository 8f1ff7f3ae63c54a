"""What every /api/v1 resource shares: reading the year, dimensions, codes and bodies (errors are answered by
auth.respond, as everywhere)."""

from __future__ import annotations

import gzip
import re
from collections.abc import Callable, Mapping
from typing import cast

import brotli
from flask import Response, current_app, jsonify, request

import static_files
from api import inputs
from auth.context import current_user
from data_access import cache, figures, ratelimit
from data_access.db import read_engine
from mpi.rules import ALL_DIMENSIONS_MASK, TARGET_DEFINITIONS, CrisisRule, crisis_rule, dimensions_mask

CODE_RE = re.compile(r"^(TH|[0-9]{2}|[0-9]{4}|[0-9]{6})$")


class BadRequest(inputs.BadInput):
    pass


def public_json(build: Callable[[], dict], key: tuple) -> Response:
    """A public answer, the same for every caller until the next import (the national tambon ranking is 2 MB of
    JSON): serialised and compressed once per data stamp, question and encoding, then sent as the stored bytes.
    `key` names the question by its validated parameters, never by the address: junk added to a query string
    (`&junk=N`) or another spelling of the same parameters is the same entry, not a new copy of the answer."""
    encoding = static_files.accepted(request.headers.get("Accept-Encoding", ""))

    def make() -> bytes:
        body = cast(Response, current_app.json.response(build())).get_data()  # (typed as werkzeug's base Response)
        if encoding == "br":
            return brotli.compress(body, quality=5)
        return gzip.compress(body, compresslevel=6) if encoding == "gzip" else body

    response = Response(cache.cached(read_engine(), ("public-json", *key, encoding), make), mimetype="application/json")
    response.headers["Vary"] = "Accept-Encoding"
    if encoding:
        response.headers["Content-Encoding"] = encoding
        response.direct_passthrough = True  # compressed already: Flask-Compress leaves it alone
    return response


def _params() -> tuple[int, int]:
    year = _year_or_latest(request.args.get("year"))
    raw_dims = request.args.get("dimensions")
    if raw_dims is None:
        return year, ALL_DIMENSIONS_MASK
    try:
        return year, dimensions_mask(d for d in raw_dims.split(",") if d.strip() or raw_dims.strip() == "")
    except ValueError as e:
        raise BadRequest(str(e)) from None


def _definition() -> str | None:
    """definition=registered|all|nocard (pinned): who counts as target poor; None: the edition's own (registered up
    to 2566)."""
    raw = request.args.get("definition")
    if raw is None or raw == "":
        return None
    if raw not in TARGET_DEFINITIONS:
        raise BadRequest(f"definition must be one of {', '.join(TARGET_DEFINITIONS)}, got {raw[:20]!r}")
    return raw


def _throttle_anonymous() -> None:
    """Reads over every area are cached, but an anonymous caller still may not hammer them."""
    if current_user() is None:
        ratelimit.hit(
            "heavy",
            request.remote_addr or "-",
            "too many requests for whole-country tables from this address; wait a minute (signed-in users are not limited)",
        )


def _code(code: str) -> str:
    if not CODE_RE.match(code):
        raise BadRequest(f"area code must be TH or a 2-, 4- or 6-digit DOPA code, got {code!r}")
    return code


def _year() -> int:
    """The year asked for, or the latest edition of the area the address names (never a fixed year)."""
    return _year_or_latest(request.args.get("year"))


def _area_of_request() -> str | None:
    """The area an address is about: its area code, or the tambon a house_id begins with."""
    args = request.view_args or {}
    if isinstance(args.get("code"), str) and CODE_RE.match(args["code"]):
        return args["code"]
    house = args.get("house_id")
    return house[:6] if isinstance(house, str) and house[:6].isdigit() else None


def _year_or_latest(raw: str | int | None, area: str | None = None) -> int:
    """A year from a query or a body; none given: the latest edition with figures for the area (the address's own
    unless named), as every page shows it (data_access.figures.edition_for, the one rule)."""
    if raw is None or raw == "":
        latest = figures.edition_for(area or _area_of_request())
        if latest is None:
            raise figures.NotFound("no survey year has been imported")
        return latest
    return inputs.year(raw)


def _body() -> dict:
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise BadRequest("send a JSON object")
    return body


def _version(body: dict) -> int | None:
    """The Logbook version the client read (JSON "version" or an If-Match header); stale → 409."""
    raw = body.get("version", request.headers.get("If-Match"))
    if raw in (None, ""):
        return None
    try:
        return int(str(raw).strip('"'))
    except ValueError:
        raise BadRequest("version must be a whole number") from None


def _created(result: Mapping[str, object]) -> tuple[Response, int]:
    return jsonify(result), 201


def _rule() -> CrisisRule:
    try:
        k = request.args.get("k")
        return crisis_rule(
            request.args.get("by", "ge3"),
            min_dimensions=int(k) if k else None,
            required=(request.args.get("required") or "").split(","),
        )
    except ValueError as e:
        raise BadRequest(str(e)) from None
