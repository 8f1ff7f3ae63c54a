"""Priority targeting: rankings of areas under a crisis rule, and shortlists."""

from __future__ import annotations

import csv
import io

from flask import Blueprint, Response, jsonify, request

from api import contract, inputs, models
from api.contract import operation
from api.v1.common import (
    BadRequest,
    _body,
    _code,
    _created,
    _definition,
    _params,
    _rule,
    _throttle_anonymous,
    _year_or_latest,
    public_json,
)
from auth.context import current_user
from data_access import change, figures, shortlists
from exports import tables

bp = Blueprint("targeting", __name__)


@bp.get("/areas/<code>/ranking")
@operation(
    "GET",
    "Child areas ranked by the crisis group, or by change (public)",
    models.Ranking,
    query=models.RankingQuery,
    media=("text/csv",),
)
def ranking(code: str) -> Response:
    """Child areas ranked by the crisis group: by=ge3 (>= 3 dimensions, the default), basic_needs (income, living
    and health together) or custom (&k=2&required=income). format=csv downloads the table."""
    year, mask = _params()
    if request.args.get("by") == "change":
        return _change_ranking(code, year, mask)
    rule = _rule()
    _throttle_anonymous()
    code, level, definition = _code(code), request.args.get("level") or None, _definition()
    if level is not None and level not in figures.RANK_LEVELS:
        raise BadRequest(f"level must be one of {', '.join(figures.RANK_LEVELS)}")
    # a comparison: the year asked for, else the latest edition that covers every ranked area (as the page)
    cover = figures.comparison(code, level, year if request.args.get("year") else None)
    year = cover.year if cover.year is not None else year

    def rows() -> list[figures.RankedArea]:
        try:
            return figures.ranking(code, year, rule, mask, level=level, definition=definition)
        except ValueError as e:
            raise BadRequest(str(e)) from None

    if request.args.get("format") != "csv":
        required = sorted(rule.required)
        return public_json(
            lambda: {
                "code": code,
                "year": year,
                "rule": {"key": rule.key, "min_dimensions": rule.min_dimensions, "required": required},
                # the areas left out: no figures of this edition (they have others), or none of any edition
                "left_out": {"without_this_edition": len(cover.lacking), "without_any_edition": len(cover.never)},
                "items": rows(),
            },
            key=("ranking", code, year, mask, rule.key, rule.min_dimensions, tuple(required), level, definition),
        )
    buf = io.StringIO()
    fields = [
        "rank",
        "code",
        "name_th",
        "name_en",
        "surveyed_persons",
        "target_poor_persons",
        "crisis",
        "crisis_share",
        "crisis_ge3",
        "crisis_basic_needs",
        "source",
    ]
    w = csv.DictWriter(buf, fieldnames=fields, extrasaction="ignore", lineterminator="\n")
    w.writeheader()
    w.writerows(tables.safe_row(dict(r)) for r in rows())
    # UTF-8 with BOM so Excel shows the Thai names
    return Response(
        "\ufeff" + buf.getvalue(),
        mimetype="text/csv",
        headers={"Content-Disposition": f"attachment; filename=tpmap-ranking-{code}-{year}.csv"},
    )


def _change_ranking(code: str, year: int, mask: int) -> Response:
    """by=change: areas by the change in target poor since `from` (default: the edition before), most improved
    first (order=improved) or most worsened (order=worsened); areas lacking either edition are counted apart."""
    raw_from = request.args.get("from")
    year_from = inputs.year(raw_from) if raw_from else change.previous_edition(year)
    if year_from is None:
        raise figures.NotFound(f"no edition before {year} to measure change from")
    _throttle_anonymous()
    try:
        result = change.change_ranking(
            _code(code),
            year,
            year_from,
            mask,
            level=request.args.get("level") or None,
            order=request.args.get("order") or "improved",
            definition=_definition(),
        )
    except ValueError as e:
        raise BadRequest(str(e)) from None
    return jsonify({"code": code, "year": year, "from": year_from, **{k: v for k, v in result.items() if k != "year_to"}})


@bp.post("/shortlists")
@operation("POST", "Save a named shortlist", models.Shortlist, status=201, body=models.ShortlistBody)
def save_shortlist() -> tuple[Response, int]:
    """Save a named shortlist (JSON: name, kind areas|households, year, refs [...], rule) → 201 with its share link."""
    body = _body()
    refs = body.get("refs")
    if not isinstance(refs, list) or not all(isinstance(r, str) and len(r) <= 64 for r in refs):
        raise BadRequest("refs must be a list of area codes or house ids")
    f = contract.fields(body, models.ShortlistBody)
    return _created(
        shortlists.create(
            current_user(),
            name=f["name"],
            kind=f["kind"],
            # without a year, the edition that compares the listed areas (or households' tambons) fairly
            year=_year_or_latest(body.get("year")) if body.get("year") else _shortlist_year(refs),
            refs=refs,
            rule=f.get("rule"),
        )
    )


@bp.get("/shortlists/<token>")
@operation("GET", "A saved shortlist", models.Shortlist, query=models.FormatQuery, media=("text/csv",))
def shortlist(token: str) -> Response:
    s = shortlists.get(token, user=current_user())
    if s is None:
        raise figures.NotFound(f"no shortlist {token}")
    if request.args.get("format") == "csv":
        audit_export(s)
        buf = io.StringIO()
        fields = sorted({k for item in s["items"] for k in item}, key=lambda k: (k != "position", k))
        w = csv.DictWriter(buf, fieldnames=fields, extrasaction="ignore", lineterminator="\n")
        w.writeheader()
        w.writerows(tables.safe_row(dict(r)) for r in s["items"])
        return Response(
            "\ufeff" + buf.getvalue(),
            mimetype="text/csv",
            headers={"Content-Disposition": f"attachment; filename=tpmap-shortlist-{token}.csv"},
        )
    return jsonify(s)


def audit_export(s: shortlists.Shortlist) -> None:
    from data_access import audit

    audit.record(
        "export",
        user=current_user(),
        object_type="shortlist",
        object_id=s["token"],
        detail={"kind": s["kind"], "rows": len(s["items"])},
    )


def _shortlist_year(refs: list[str]) -> int:
    year = figures.coverage([r if len(r) <= 6 else r[:6] for r in refs]).year if refs else None
    return year if year is not None else _year_or_latest(None)
