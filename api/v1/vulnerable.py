"""Vulnerable households: counts (public) and the list (scoped)."""

from __future__ import annotations

from flask import Blueprint, Response, jsonify, request

from api import inputs, models
from api.contract import operation
from api.v1.common import (
    BadRequest,
    _code,
    _params,
)
from auth.context import current_user
from mpi.vulnerable import VulnerableRule

bp = Blueprint("vulnerable", __name__)


def _vulnerable_rule() -> VulnerableRule:
    from mpi.vulnerable import rule_from

    try:
        return rule_from(request.args.get("selections"), request.args.get("burdens"), request.args.get("min_burdens"))
    except ValueError as e:
        raise BadRequest(str(e)) from None


@bp.get("/areas/<code>/vulnerable")
@operation(
    "GET", "Vulnerable households of an area and its children, counted (public)", models.Record, query=models.VulnerableQuery
)
def area_vulnerable(code: str) -> Response:
    """Vulnerable households of an area and its children under a rule (selections=, burdens=, min_burdens=)."""
    from data_access import vulnerable

    year, _ = _params()
    return jsonify(vulnerable.area_figures(_code(code), year, _vulnerable_rule()))


@bp.get("/areas/<code>/vulnerable/households")
@operation("GET", "Vulnerable households of an area, listed (scoped)", models.Items, query=models.VulnerableHouseholdsQuery)
def area_vulnerable_households(code: str) -> Response:
    from data_access import vulnerable

    year, _ = _params()
    try:
        page = inputs.page(request.args.get("page"))
        return jsonify(
            vulnerable.list_households(
                _code(code),
                year,
                user=current_user(),
                rule=_vulnerable_rule(),
                burden=request.args.get("burden") or None,
                page=page,
            )
        )
    except ValueError as e:
        raise BadRequest(str(e)) from None
