"""GET /api/v1/areas/<code> and /api/v1/areas/<code>/children: public aggregate figures (pinned)."""
from __future__ import annotations

import re

from flask import Blueprint, jsonify, request

from data_access import figures
from mpi.rules import ALL_DIMENSIONS_MASK, dimensions_mask

bp = Blueprint("api_v1", __name__, url_prefix="/api/v1")
CODE_RE = re.compile(r"^(TH|[0-9]{2}|[0-9]{4}|[0-9]{6})$")


class BadRequest(ValueError):
    pass


def _error(status: int, message: str):
    return jsonify({"error": message, "status": status}), status


def _params() -> tuple[int, int]:
    raw_year = request.args.get("year")
    if raw_year is None:
        years = figures.known_years()
        if not years:
            raise figures.NotFound("no survey year has been imported")
        year = years[-1]
    elif not re.fullmatch(r"[0-9]{4}", raw_year):
        raise BadRequest(f"year must be a Buddhist-era year such as 2561, got {raw_year!r}")
    else:
        year = int(raw_year)
    raw_dims = request.args.get("dimensions")
    if raw_dims is None:
        return year, ALL_DIMENSIONS_MASK
    try:
        return year, dimensions_mask(d for d in raw_dims.split(",") if d.strip() or raw_dims.strip() == "")
    except ValueError as e:
        raise BadRequest(str(e)) from None


def _code(code: str) -> str:
    if not CODE_RE.match(code):
        raise BadRequest(f"area code must be TH or a 2-, 4- or 6-digit DOPA code, got {code!r}")
    return code


@bp.errorhandler(BadRequest)
def _bad_request(e):
    return _error(400, str(e))


@bp.errorhandler(figures.NotFound)
def _not_found(e):
    return _error(404, str(e.args[0]) if e.args else "not found")


@bp.get("/areas/<code>")
def area(code: str):
    year, mask = _params()
    return jsonify(figures.area_summary(_code(code), year, mask))


@bp.get("/areas/<code>/children")
def children(code: str):
    year, mask = _params()
    return jsonify({"items": figures.children_summaries(_code(code), year, mask)})
