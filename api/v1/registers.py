"""Agencies' registers (issue 33, pinned): the catalogue (public), a register's link report (signed in, scoped) and
an area's coverage gaps (public, small counts suppressed for viewers outside the area)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import cast

from flask import Blueprint, Response, jsonify, request

from api import models
from api.contract import operation
from api.v1.common import _code, _year_or_latest
from auth.context import current_user

bp = Blueprint("registers", __name__)


@bp.get("/registers")
@operation("GET", "The agencies' registers and their status (public)", models.Registers)
def register_list() -> Response:
    """Every agency dataset with where it stands: linked, requested, denied (no access) or no_key (no citizen ID)."""
    from data_access import registers

    items = [
        {
            k: cast(Mapping[str, object], i)[k]
            for k in ("key", "name", "name_en", "owner", "owner_en", "status", "as_of", "requested_on", "declared")
        }
        for i in registers.catalogue()
    ]
    return jsonify({"items": items})


@bp.get("/registers/<key>/link-report")
@operation("GET", "A register's link report for an area (signed in, scoped)", models.LinkReport, query=models.LinkReportQuery)
def link_report(key: str) -> Response:
    """Rows received, linked to a surveyed person of the edition, not in the survey, invalid, duplicates: counts only."""
    from data_access import registers

    code = _code(request.args.get("area") or "TH")
    year = _year_or_latest(request.args.get("year"), code)
    return jsonify(registers.link_report(key[:40], code, year, user=current_user()))


@bp.get("/areas/<code>/gaps")
@operation("GET", "Eligible target poor not on each register (public)", models.Gaps, query=models.YearQuery)
def area_gaps(code: str) -> Response:
    """Target-poor persons eligible for what a register records, and how many are on it, as of the register's date."""
    from data_access import registers

    code = _code(code)
    year = _year_or_latest(request.args.get("year"), code)
    items = registers.gaps(code, year, viewer=current_user())
    return jsonify({"code": code, "year": year, "items": items})
