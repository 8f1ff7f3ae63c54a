"""Named records: lists, one household, one full citizen ID at a time (scoped in data_access)."""

from __future__ import annotations

from flask import Blueprint, Response, jsonify, request

from api import inputs, models
from api.contract import operation
from api.v1.common import (
    BadRequest,
    _code,
    _definition,
    _year,
)
from auth.context import current_user
from data_access import figures
from data_access import households as households_da
from mpi.rules import CRISIS_RULES, DIMENSIONS

bp = Blueprint("households", __name__)


@bp.get("/areas/<code>/households")
@operation("GET", "Target-poor households of an area (scoped)", models.HouseholdPage, query=models.HouseholdsQuery)
def area_households(code: str) -> Response:
    year = _year()
    page = inputs.page(request.args.get("page"))
    dim = request.args.get("dimension")
    if dim is not None and dim not in DIMENSIONS:
        raise BadRequest(f"dimension must be one of {', '.join(DIMENSIONS)}")
    rule = request.args.get("rule") or None
    if rule is not None and rule not in CRISIS_RULES:
        raise BadRequest(f"rule must be one of {', '.join(CRISIS_RULES)}")
    member = request.args.get("member") or None
    if member is not None and member not in households_da.MEMBER_FILTERS:
        raise BadRequest(f"member must be one of {', '.join(households_da.MEMBER_FILTERS)}")
    sort = request.args.get("sort") or "village"
    if sort not in households_da.SORTS:
        raise BadRequest(f"sort must be one of {', '.join(households_da.SORTS)}")
    result = households_da.list_target_poor_households(
        _code(code),
        year,
        page=page,
        dimension=dim,
        crisis_only=request.args.get("crisis") == "1",
        rule=rule,
        sort=sort,
        definition=_definition(),
        member=member,
        user=current_user(),
    )
    items = [
        {
            "house_id": h["house_id"],
            "village_no": h["village_no"],
            "members": h["members"],
            "target_poor_members": h["target_poor_members"],
            "deprived_dimensions": h["deprived_dimensions"],
            "crisis": h["crisis"],
            "tambon_code": h["tambon_code"],
        }
        for h in result["items"]
    ]
    return jsonify({"items": items, "total": result["total"], "page": result["page"], "page_size": result["page_size"]})


@bp.get("/households/<house_id>")
@operation("GET", "One household and its members (scoped)", models.Household, query=models.YearQuery)
def household(house_id: str) -> Response:
    h = households_da.get_household(house_id, _year(), user=current_user())
    if h is None:
        raise figures.NotFound(f"no household {house_id}")
    return jsonify(h)


@bp.post("/households/<house_id>/members/<int:member>/citizen-id")
@operation("POST", "One member's full citizen ID, audited (scoped)", models.CitizenId, query=models.YearQuery)
def reveal(house_id: str, member: int) -> Response:
    try:
        full = households_da.reveal_citizen_id(house_id, _year(), member, user=current_user())
    except LookupError as e:
        raise figures.NotFound(str(e)) from None
    return jsonify({"house_id": house_id, "member": member, "citizen_id": full})
