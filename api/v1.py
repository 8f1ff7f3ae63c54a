"""The API (pinned routes and fields).

Public aggregates: GET /api/v1/areas/<code>, GET /api/v1/areas/<code>/children.
Sign-in for scripts and the field app: POST /api/v1/auth/login, POST /api/v1/auth/logout.
Named records, scoped to the caller's area by data_access: GET /api/v1/areas/<code>/households,
GET /api/v1/households/<house_id>, POST /api/v1/households/<house_id>/members/<n>/citizen-id.
"""
from __future__ import annotations

import re

from flask import Blueprint, jsonify, request

from auth.web import current_user
from data_access import accounts, figures, ratelimit
from data_access import households as households_da
from mpi.rules import ALL_DIMENSIONS_MASK, DIMENSIONS, dimensions_mask

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


# --- Sign-in for scripts and the field app ----------------------------------------------------

@bp.post("/auth/login")
def login():
    body = request.get_json(silent=True) or {}
    if not isinstance(body.get("username"), str) or not isinstance(body.get("password"), str):
        raise BadRequest("send JSON {\"username\": …, \"password\": …}")
    ratelimit.hit("login", request.remote_addr or "-", "too many sign-in attempts; wait a minute")
    try:
        signed = accounts.authenticate(body["username"], body["password"], ip=request.remote_addr)
    except accounts.LoginFailed as e:
        return _error(401, str(e))
    token, expires = accounts.issue_token(signed.user, ip=request.remote_addr)
    return jsonify({"token": token, "expires_at": expires.isoformat(), "username": signed.user.username,
                    "role": signed.user.role, "areas": list(signed.user.areas)})


@bp.post("/auth/logout")
def logout():
    header = request.headers.get("Authorization", "")
    user = current_user()
    if not header.startswith("Bearer ") or user is None:
        return _error(401, "send the token to revoke as Authorization: Bearer <token>")
    accounts.revoke_token(header[7:].strip(), user)
    return jsonify({"revoked": True})


# --- Named records (scoped in data_access) ----------------------------------------------------

def _year() -> int:
    raw = request.args.get("year", "2561")
    if not re.fullmatch(r"[0-9]{4}", raw):
        raise BadRequest(f"year must be a Buddhist-era year such as 2561, got {raw!r}")
    return int(raw)


@bp.get("/areas/<code>/households")
def area_households(code: str):
    year = _year()
    try:
        page = int(request.args.get("page", "1"))
    except ValueError:
        raise BadRequest("page must be a whole number") from None
    if page < 1:
        raise BadRequest("page starts at 1")
    dim = request.args.get("dimension")
    if dim is not None and dim not in DIMENSIONS:
        raise BadRequest(f"dimension must be one of {', '.join(DIMENSIONS)}")
    result = households_da.list_target_poor_households(
        _code(code), year, page=page, dimension=dim, crisis_only=request.args.get("crisis") == "1", user=current_user())
    items = [{k: h[k] for k in ("house_id", "village_no", "members", "target_poor_members", "deprived_dimensions",
                                "crisis", "tambon_code")} for h in result["items"]]
    return jsonify({"items": items, "total": result["total"], "page": result["page"], "page_size": result["page_size"]})


@bp.get("/households/<house_id>")
def household(house_id: str):
    h = households_da.get_household(house_id, _year(), user=current_user())
    if h is None:
        raise figures.NotFound(f"no household {house_id}")
    return jsonify(h)


@bp.post("/households/<house_id>/members/<int:member>/citizen-id")
def reveal(house_id: str, member: int):
    try:
        full = households_da.reveal_citizen_id(house_id, _year(), member, user=current_user())
    except LookupError as e:
        raise figures.NotFound(str(e)) from None
    return jsonify({"house_id": house_id, "member": member, "citizen_id": full})
