"""Downloads and plain-form posts outside /api/v1: the quarterly report files (pinned), committee order uploads
from the page's form, and the one table-export route every page's download buttons use.

All of them work by session cookie or by the API's bearer token (auth.web loads either before any route).
"""

from __future__ import annotations

from urllib.parse import quote

from flask import Blueprint, Response, redirect, request
from werkzeug.wrappers import Response as BaseResponse

from auth.context import current_user
from auth.context import reader_lang as _lang
from auth.respond import page, respond
from data_access import audit, committees, ratelimit, reports
from data_access.access import require_user
from data_access.errors import BadRequest, Forbidden, NotFoundError
from exports import downloads, report_pdf, report_xlsx, tables
from mpi.governance import parse_quarter

bp = Blueprint("files", __name__)


def _download(data: bytes, mimetype: str, filename: str) -> Response:
    return Response(
        data,
        mimetype=mimetype,
        headers={
            "Content-Disposition": f"attachment; filename=\"{filename}\"; filename*=UTF-8''{quote(filename)}",
            "Cache-Control": "private, no-store",
        },
    )


@bp.get("/reports/quarterly/<province_code>/<quarter>.<fmt>")
def quarterly_report_file(province_code: str, quarter: str, fmt: str) -> BaseResponse:
    """GET /reports/quarterly/75/2564-Q3.pdf (pinned), or .xlsx: for users of the province and national roles."""
    if fmt not in ("pdf", "xlsx"):
        return respond(NotFoundError("a report is served as .pdf or .xlsx"), "api")
    year, q = parse_quarter(quarter)
    user = require_user(current_user())
    report = reports.get_report(user, province_code, year, q)
    lang = _lang()
    audit.record(
        "export",
        user=user,
        object_type="report",
        object_id=f"{province_code}/{quarter}.{fmt}",
        area_code=province_code,
        detail={"status": report["status"], "lang": lang},
    )
    name = f"tpmap-quarterly-{province_code}-{quarter}.{fmt}"
    if fmt == "pdf":
        data = report_pdf.render(dict(report), geojson=report_pdf.load_geojson(province_code), lang=lang)
        return _download(data, "application/pdf", name)
    return _download(report_xlsx.render(dict(report), lang=lang), tables.MIME["xlsx"], name)


@bp.route("/committees/<code>/orders", methods=["GET", "POST"])
def order_form(code: str) -> str | BaseResponse:
    """File an order for the area's committee: a plain multipart form (no script needed), then back to the page."""
    user = require_user(current_user())
    lang = _lang()
    back = f"/committees/{code}"
    if not committees.may_manage(user, code):
        return respond(Forbidden(f"your account does not manage committees of area {code}"), "api")
    unit_arg = request.args.get("unit", "")
    if unit_arg and not unit_arg.isdigit():
        return respond(BadRequest("unit must be a unit number"), "api")
    error = request.args.get("error", "")
    if request.method == "POST":
        try:
            chosen = request.args.get("unit") or request.form.get("unit")
            unit = {"id": int(chosen)} if chosen else committees.unit_for(user, code)
            upload = request.files.get("file")
            content = upload.read(committees.max_order_bytes() + 1) if upload else b""
            committees.file_order(
                user,
                unit["id"],
                order_no=request.form.get("order_no", ""),
                order_date=request.form.get("order_date", ""),
                filename=(upload.filename or "") if upload else "",
                content=content,
            )
        except (committees.CommitteeError, committees.NotFound, ValueError) as e:
            extra = f"&unit={unit_arg}" if unit_arg else ""
            return redirect(f"{back}/orders?error={quote(str(e))}&lang={lang}{extra}", 303)
        return redirect(f"{back}?filed=1", 303)
    return page(
        "order_upload.html",
        "com.upload",
        title_values={"mb": committees.max_order_bytes() // 1048576},
        message=error,
        alert_id="order-error",
        back=back,
    )


@bp.get("/export/<table>.<fmt>")
def export_table(table: str, fmt: str) -> BaseResponse:
    """Every table a page shows, as CSV or XLSX, with the page's own filters in the query string. Scoping and
    masking are those of data_access; every export is audited."""
    if fmt not in tables.FORMATS:
        return respond(NotFoundError("tables are exported as .csv or .xlsx"), "api")
    lang = _lang()
    if current_user() is None:
        ratelimit.hit("heavy", request.remote_addr or "-", "too many exports from this address; wait a minute")
    rows, columns, name, audit_info = downloads.table(table, dict(request.args), user=current_user(), lang=lang)
    if audit_info is not None:
        audit.record(
            "export",
            user=current_user(),
            object_type=audit_info.get("object_type", table),
            object_id=audit_info.get("object_id"),
            area_code=audit_info.get("area_code"),
            detail={"table": table, "format": fmt, "rows": len(rows)},
        )
    return _download(tables.render(fmt, rows, columns, sheet=name[:31]), tables.MIME[fmt], f"{name}.{fmt}")
