"""Public figures of an area and its children (aggregates: no sign-in)."""

from __future__ import annotations

from flask import Blueprint, jsonify

from api.v1.common import (
    _code,
    _params,
)
from data_access import figures

bp = Blueprint("areas", __name__)


@bp.get("/areas/<code>")
def area(code: str):
    year, mask = _params()
    return jsonify(figures.area_summary(_code(code), year, mask))


@bp.get("/areas/<code>/children")
def children(code: str):
    year, mask = _params()
    return jsonify({"items": figures.children_summaries(_code(code), year, mask, include_counted_under=True)})
