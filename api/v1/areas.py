"""Public figures of an area and its children (aggregates: no sign-in)."""

from __future__ import annotations

from flask import Blueprint, Response, jsonify, request

from api import inputs, models
from api.contract import operation
from api.v1.common import (
    BadRequest,
    _code,
    _definition,
    _params,
    public_json,
)
from data_access import editions, figures, flows, published
from mpi.lifestages import STAGE_KEYS
from mpi.rules import ALL_DIMENSIONS_MASK, dimensions_mask

bp = Blueprint("areas", __name__)


def _age() -> str | None:
    """age=infant|preschool|school|working|elderly (pinned, issue 34): the figures of that life stage only."""
    raw = request.args.get("age")
    if raw is None or raw == "":
        return None
    if raw not in STAGE_KEYS:
        raise BadRequest(f"age must be one of {', '.join(STAGE_KEYS)}, got {raw[:20]!r}")
    return raw


@bp.get("/areas/<code>")
@operation("GET", "An area's figures (public)", models.AreaFigures, query=models.AreaQuery)
def area(code: str) -> Response:
    year, mask = _params()
    code, definition, age = _code(code), _definition(), _age()

    def answer() -> dict[str, object]:
        """The area's figures, and TPMAP's published counts of its elderly, disabled and chronically ill persons in
        the same edition (issue 34, 4: `published_*`, null where none were published)."""
        summary = figures.area_summary(code, year, mask, definition=definition, stage=age)
        return {**summary, **published.published_group_fields(code, summary["year"])}

    # the same for every caller until the next import: served as stored bytes (the meeting's 9:00 rush asks it at once)
    return public_json(answer, key=("area", code, year, mask, definition, age))


@bp.get("/areas/<code>/ages")
@operation("GET", "Persons by life stage and sex (public)", models.Ages, query=models.FiguresQuery)
def area_ages(code: str) -> Response:
    """Persons by life stage and sex (pinned, issue 34): one item per stage and sex. Public, like every area figure:
    the all-ages figures of the same area are published whole, so these are not suppressed either."""
    year, mask = _params()
    code, definition = _code(code), _definition()
    return public_json(
        lambda: {"code": code, "year": year, "items": figures.area_ages(code, year, mask, definition=definition)},
        key=("ages", code, year, mask, definition),
    )


@bp.get("/areas/<code>/flows")
@operation("GET", "Target poor followed between two editions (public)", models.Flows, query=models.FlowsQuery)
def area_flows(code: str) -> Response:
    """Target poor followed between two editions (pinned): stayed, exited, entered, left the survey. With `age=<stage>`
    (issue 34, 6), that life stage's persons (the household flows null: households are not split by stage)."""
    year_from, year_to = inputs.year(request.args.get("from")), inputs.year(request.args.get("to"))
    if year_from >= year_to:
        raise BadRequest("`from` must be an earlier edition than `to`")
    dimension = request.args.get("dimension") or flows.ALL_DIMENSIONS
    if dimension not in flows.FLOW_DIMENSIONS:
        raise BadRequest(f"dimension must be one of {', '.join(flows.FLOW_DIMENSIONS)}")
    return jsonify(flows.flows(_code(code), year_from, year_to, definition=_definition(), dimension=dimension, stage=_age()))


@bp.get("/areas/<code>/trend")
@operation("GET", "One item per edition with figures for the area (public)", models.Trend, query=models.TrendQuery)
def area_trend(code: str) -> Response:
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
def edition_list() -> Response:
    """Every TPMAP edition: its basis, its definition of target poor, and what the database holds of it."""
    return jsonify({"items": editions.editions()})


@bp.get("/areas/<code>/children")
@operation("GET", "The figures of an area's children (public)", models.Children, query=models.AreaQuery)
def children(code: str) -> Response:
    year, mask = _params()
    code, definition, age = _code(code), _definition(), _age()
    return public_json(
        lambda: {
            "items": figures.children_summaries(code, year, mask, include_counted_under=True, definition=definition, stage=age)
        },
        key=("children", code, year, mask, definition, age),
    )
