"""Committees (ศจพ.), their orders, and the quarterly reports."""

from __future__ import annotations

from flask import Blueprint, Response, jsonify, request

from api import contract, models
from api.contract import operation
from api.v1.common import (
    _body,
    _code,
    _created,
    _version,
)
from auth.context import current_user
from data_access import committees as committees_da
from data_access import reports as reports_da
from mpi.governance import parse_quarter

bp = Blueprint("committees", __name__)


@bp.get("/committees")
@operation("GET", "Who has filed: every province, or every amphoe of a province", models.Committees, query=models.CommitteesQuery)
def committee_table() -> Response:
    """Who has filed: every province (level=province) or every amphoe of a province (level=amphoe&parent=75)."""
    from data_access.access import require_user

    require_user(current_user())
    parent = request.args.get("parent", "TH")
    return jsonify(
        {
            "level": request.args.get("level", "province"),
            "parent": parent,
            "items": committees_da.filing_table(request.args.get("level", "province"), _code(parent)),
        }
    )


@bp.get("/areas/<code>/committees")
@operation("GET", "An area's committees and their members", models.Record)
def area_committees(code: str) -> Response:
    from data_access.access import require_user

    require_user(current_user())
    return jsonify(committees_da.area_units(_code(code)))


@bp.post("/committees")
@operation("POST", "Create a committee unit", models.Record, status=201, body=models.CommitteeBody)
def create_committee() -> tuple[Response, int]:
    f = contract.fields(_body(), models.CommitteeBody)
    return _created(
        committees_da.create_unit(
            current_user(), kind=f.get("kind", ""), area_code=_code(f.get("area_code", "")), name=f.get("name")
        )
    )


@bp.post("/committees/<int:unit_id>/members")
@operation("POST", "Add a member to a committee", models.Record, status=201, body=models.CommitteeMemberBody)
def committee_member(unit_id: int) -> tuple[Response, int]:
    body = contract.fields(_body(), models.CommitteeMemberBody)
    return _created(
        committees_da.add_member(
            current_user(), unit_id, name=body.get("name", ""), position=body.get("position", ""), agency=body.get("agency")
        )
    )


@bp.delete("/committees/<int:unit_id>/members/<int:member_id>")
@operation("DELETE", "Remove a member from a committee", models.Removed)
def committee_member_remove(unit_id: int, member_id: int) -> Response:
    committees_da.remove_member(current_user(), unit_id, member_id)
    return jsonify({"unit_id": unit_id, "member_id": member_id, "removed": True})


@bp.post("/committees/<int:unit_id>/orders")
@operation("POST", "File a committee order (a PDF)", models.Record, status=201, form=models.OrderForm)
def committee_order(unit_id: int) -> tuple[Response, int]:
    """multipart/form-data: file (PDF), order_no, order_date (2564-03-15, 15/03/2564, 15 มีนาคม 2564 or 2021-03-15)."""
    upload = request.files.get("file")
    content = upload.read(committees_da.max_order_bytes() + 1) if upload else b""
    return _created(
        committees_da.file_order(
            current_user(),
            unit_id,
            order_no=request.form.get("order_no", ""),
            order_date=request.form.get("order_date", ""),
            filename=(upload.filename or "") if upload else "",
            content=content,
        )
    )


@bp.get("/committee-orders/<int:order_id>.pdf")
@operation("GET", "A committee order's PDF", None, media=("application/pdf",))
def committee_order_file(order_id: int) -> Response:
    filename, content = committees_da.order_file(current_user(), order_id)
    # attachment, never rendered in the site's own origin; nosniff and a sandbox in case a browser tries
    return Response(
        content,
        mimetype="application/pdf",
        headers={
            "Content-Disposition": f"attachment; filename=order-{order_id}.pdf",
            "X-Content-Type-Options": "nosniff",
            "Content-Security-Policy": "sandbox",
            "Cache-Control": "private, no-store",
        },
    )


@bp.get("/reports/quarterly/<quarter>")
@operation("GET", "Every province's quarterly report state", models.Quarter)
def quarterly_submissions(quarter: str) -> Response:
    """Every province's report state for a quarter (2564-Q3): the national view of who has submitted."""
    year, q = parse_quarter(quarter)
    return jsonify({"quarter": quarter, "items": reports_da.submissions(current_user(), year, q)})


@bp.route("/reports/quarterly/<province_code>/<quarter>", methods=["GET", "PUT"])
@operation("GET", "A province's quarterly report, figures filled in", models.Record)
@operation("PUT", "Save a quarterly report's draft", models.Record, body=models.ReportBody)
def quarterly_report(province_code: str, quarter: str) -> Response:
    """GET the report (figures filled in); PUT {progress, obstacles, suggestions, version} saves a draft."""
    year, q = parse_quarter(quarter)
    if request.method == "GET":
        return jsonify(reports_da.get_report(current_user(), province_code, year, q))
    body = _body()
    texts = {k: v for k, v in body.items() if k != "version"}
    return jsonify(reports_da.save(current_user(), province_code, year, q, texts=texts, version=_version(body)))


@bp.post("/reports/quarterly/<province_code>/<quarter>/submit")
@operation("POST", "Submit a quarterly report", models.Record, body=models.ReportBody, body_required=False)
def quarterly_submit(province_code: str, quarter: str) -> Response:
    year, q = parse_quarter(quarter)
    body = request.get_json(silent=True) or {}
    texts = {k: v for k, v in body.items() if k != "version"}
    return jsonify(reports_da.save(current_user(), province_code, year, q, texts=texts, version=_version(body), submit=True))
