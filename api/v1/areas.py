"""Public figures of an area and its children (aggregates: no sign-in)."""

from __future__ import annotations

from flask import Blueprint, jsonify, request

from api import inputs, models
from api.contract import operation
from api.v1.common import (
    BadRequest,
    _code,
    _definition,
    _params,
    public_json,
)
from data_access import editions, figures, flows
from mpi.rules import ALL_DIMENSIONS_MASK, dimensions_mask

bp = Blueprint("areas", __name__)


@bp.get("/areas/<code>")
@operation("GET", "An area's figures (public)", models.AreaFigures, query=models.FiguresQuery)
def area(code: str):
    year, mask = _params()
    code, definition = _code(code), _definition()
    # the same for every caller until the next import: served as stored bytes (the meeting's 9:00 rush asks it at once)
    return public_json(
        lambda: figures.area_summary(code, year, mask, definition=definition), key=("area", code, year, mask, definition)
    )


@bp.get("/areas/<code>/flows")
@operation("GET", "Target poor followed between two editions (public)", models.Flows, query=models.FlowsQuery)
def area_flows(code: str):
    """Target poor followed between two editions (pinned): stayed, exited, entered, left the survey."""
    year_from, year_to = inputs.year(request.args.get("from")), inputs.year(request.args.get("to"))
    if year_from >= year_to:
        raise BadRequest("`from` must be an earlier edition than `to`")
    dimension = request.args.get("dimension") or flows.ALL_DIMENSIONS
    if dimension not in flows.FLOW_DIMENSIONS:
        raise BadRequest(f"dimension must be one of {', '.join(flows.FLOW_DIMENSIONS)}")
    return jsonify(flows.flows(_code(code), year_from, year_to, definition=_definition(), dimension=dimension))


@bp.get("/areas/<code>/trend")
@operation("GET", "One item per edition with figures for the area (public)", models.Trend, query=models.TrendQuery)
def area_trend(code: str):
    """One item per edition the area has figures for (pinned), oldest first."""
    raw = request.args.get("dimensions")
    try:
        mask = (
            ALL_DIMENSIONS_MASK if raw is None else dimensions_mask(d for d in raw.split(",") if d.strip() or raw.strip() == "")
        )
    except ValueError as e:
        raise BadRequest(str(e)) from None
    return jsonify({"code": code, "items": editions.trend(_code(code), mask, definition=_definition())})


@bp.get("/editions")
@operation("GET", "Every TPMAP edition and what the database holds of it", models.Editions)
def edition_list():
    """Every TPMAP edition: its basis, its definition of target poor, and what the database holds of it."""
    return jsonify({"items": editions.editions()})


@bp.get("/areas/<code>/children")
@operation("GET", "The figures of an area's children (public)", models.Children, query=models.FiguresQuery)
def children(code: str):
    year, mask = _params()
    code, definition = _code(code), _definition()
    return public_json(
        lambda: {"items": figures.children_summaries(code, year, mask, include_counted_under=True, definition=definition)},
        key=("children", code, year, mask, definition),
    )
