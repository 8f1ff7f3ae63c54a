"""The API (pinned routes and fields).

Public aggregates: GET /api/v1/areas/<code>, GET /api/v1/areas/<code>/children.
Sign-in for scripts and the field app: POST /api/v1/auth/login, POST /api/v1/auth/logout.
Named records, scoped to the caller's area by data_access: GET /api/v1/areas/<code>/households,
GET /api/v1/households/<house_id>, POST /api/v1/households/<house_id>/members/<n>/citizen-id.
"""

from __future__ import annotations

import csv
import io
import re

from flask import Blueprint, Response, jsonify, request

from api import inputs, replay
from auth.web import current_user
from data_access import accounts, figures, ratelimit, shortlists
from data_access import households as households_da
from data_access import logbook as logbook_da
from exports import tables
from mpi.rules import ALL_DIMENSIONS_MASK, CRISIS_RULES, DIMENSIONS, crisis_rule, dimensions_mask

bp = Blueprint("api_v1", __name__, url_prefix="/api/v1")
replay.init(bp)  # Idempotency-Key on every POST, PUT and PATCH (pinned)
CODE_RE = re.compile(r"^(TH|[0-9]{2}|[0-9]{4}|[0-9]{6})$")


class BadRequest(inputs.BadInput):
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
    else:
        year = inputs.year(raw_year)
    raw_dims = request.args.get("dimensions")
    if raw_dims is None:
        return year, ALL_DIMENSIONS_MASK
    try:
        return year, dimensions_mask(d for d in raw_dims.split(",") if d.strip() or raw_dims.strip() == "")
    except ValueError as e:
        raise BadRequest(str(e)) from None


def _throttle_anonymous() -> None:
    """Reads over every area are cached, but an anonymous caller still may not hammer them."""
    if current_user() is None:
        ratelimit.hit(
            "heavy",
            request.remote_addr or "-",
            "too many requests for whole-country tables from this address; wait a minute (signed-in users are not limited)",
        )


def _code(code: str) -> str:
    if not CODE_RE.match(code):
        raise BadRequest(f"area code must be TH or a 2-, 4- or 6-digit DOPA code, got {code!r}")
    return code


@bp.get("/areas/<code>")
def area(code: str):
    year, mask = _params()
    return jsonify(figures.area_summary(_code(code), year, mask))


@bp.get("/areas/<code>/children")
def children(code: str):
    year, mask = _params()
    return jsonify({"items": figures.children_summaries(_code(code), year, mask, include_counted_under=True)})


# --- Sign-in for scripts and the field app ----------------------------------------------------


@bp.post("/auth/login")
def login():
    body = request.get_json(silent=True) or {}
    if not isinstance(body.get("username"), str) or not isinstance(body.get("password"), str):
        raise BadRequest('send JSON {"username": …, "password": …}')
    ratelimit.hit("login", request.remote_addr or "-", "too many sign-in attempts; wait a minute")
    try:
        signed = accounts.authenticate(body["username"], body["password"], ip=request.remote_addr)
    except accounts.LoginFailed as e:
        return _error(401, str(e))
    token, expires = accounts.issue_token(signed.user, ip=request.remote_addr)
    return jsonify(
        {
            "token": token,
            "expires_at": expires.isoformat(),
            "username": signed.user.username,
            "role": signed.user.role,
            "areas": list(signed.user.areas),
        }
    )


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
    return inputs.year(request.args.get("year"), default=2561)


@bp.get("/areas/<code>/households")
def area_households(code: str):
    year = _year()
    page = inputs.page(request.args.get("page"))
    dim = request.args.get("dimension")
    if dim is not None and dim not in DIMENSIONS:
        raise BadRequest(f"dimension must be one of {', '.join(DIMENSIONS)}")
    rule = request.args.get("rule") or None
    if rule is not None and rule not in CRISIS_RULES:
        raise BadRequest(f"rule must be one of {', '.join(CRISIS_RULES)}")
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
        user=current_user(),
    )
    items = [
        {
            k: h[k]
            for k in ("house_id", "village_no", "members", "target_poor_members", "deprived_dimensions", "crisis", "tambon_code")
        }
        for h in result["items"]
    ]
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


# --- The Logbook, for the field app (pinned) ------------------------------------------------------


def _body() -> dict:
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise BadRequest("send a JSON object")
    return body


def _version(body: dict) -> int | None:
    """The Logbook version the client read (JSON "version" or an If-Match header); stale → 409."""
    raw = body.get("version", request.headers.get("If-Match"))
    if raw in (None, ""):
        return None
    try:
        return int(str(raw).strip('"'))
    except ValueError:
        raise BadRequest("version must be a whole number") from None


def _created(result: dict):
    return jsonify(result), 201


def _fields(body: dict, allowed: tuple[str, ...], required: tuple[str, ...] = ()) -> dict:
    return inputs.fields(body, allowed, required)


@bp.route("/households/<house_id>/visits", methods=["GET", "POST"])
def visits(house_id: str):
    if request.method == "GET":
        return jsonify({"items": logbook_da.records(current_user(), house_id, _year(), "visits")})
    body = _body()
    f = _fields(body, ("visited_on", "outcome", "note", "visitor", "latitude", "longitude"), ("visited_on", "outcome"))
    return _created(logbook_da.add_visit(current_user(), house_id, _year(), version=_version(body), **f))


@bp.route("/households/<house_id>/needs", methods=["GET", "POST"])
def needs(house_id: str):
    if request.method == "GET":
        return jsonify({"items": logbook_da.records(current_user(), house_id, _year(), "needs")})
    body = _body()
    f = _fields(body, ("dimension", "description", "status", "member"), ("dimension", "description"))
    return _created(logbook_da.add_need(current_user(), house_id, _year(), version=_version(body), **f))


@bp.patch("/households/<house_id>/needs/<int:need_id>")
def need_status(house_id: str, need_id: int):
    body = _body()
    f = _fields(body, ("status",), ("status",))
    return jsonify(logbook_da.update_need(current_user(), house_id, _year(), need_id, status=f["status"], version=_version(body)))


@bp.route("/households/<house_id>/assistance", methods=["GET", "POST"])
def assistance(house_id: str):
    if request.method == "GET":
        return jsonify({"items": logbook_da.records(current_user(), house_id, _year(), "assistance")})
    body = _body()
    f = _fields(
        body,
        ("given_on", "dimension", "kind", "agency", "amount_baht", "need_id", "visit_id", "note"),
        ("given_on", "dimension", "kind", "agency"),
    )
    return _created(logbook_da.add_assistance(current_user(), house_id, _year(), version=_version(body), **f))


@bp.put("/households/<house_id>/status")
def status(house_id: str):
    body = _body()
    f = _fields(body, ("status", "reason"), ("status", "reason"))
    return jsonify(
        logbook_da.set_status(
            current_user(), house_id, _year(), status=f.get("status"), reason=f.get("reason"), version=_version(body)
        )
    )


@bp.get("/households/<house_id>/logbook")
def household_logbook(house_id: str):
    return jsonify(logbook_da.logbook(current_user(), house_id, _year()))


@bp.post("/member-requests")
def member_requests():
    body = _body()
    f = _fields(body, ("house_id", "tambon_code", "village_no", *logbook_da.PERSON_FIELDS))
    year = inputs.year(body.get("year", request.args.get("year")), default=2561)
    return _created(logbook_da.request_member(current_user(), year, **f))


@bp.post("/member-requests/<int:request_id>/<decision>")
def decide(request_id: int, decision: str):
    if decision not in ("approve", "reject"):
        raise figures.NotFound("use /approve or /reject")
    body = request.get_json(silent=True) or {}
    if not isinstance(body, dict):
        raise BadRequest("send a JSON object")
    f = _fields(body, ("reason",))
    return jsonify(logbook_da.decide_request(current_user(), request_id, approve=decision == "approve", reason=f.get("reason")))


@bp.get("/areas/<code>/member-requests")
def area_member_requests(code: str):
    return jsonify({"items": logbook_da.list_requests(current_user(), _code(code), status=request.args.get("status"))})


@bp.get("/areas/<code>/progress")
def area_progress(code: str):
    """Logbook progress: aggregates, public like the other figures."""
    return jsonify({"code": _code(code), "year": _year(), **logbook_da.progress(code, _year(), viewer=current_user())})


@bp.post("/mentor-teams")
def mentor_teams():
    body = _body()
    f = _fields(body, ("name", "area_code", "capacity"), ("name", "area_code"))
    tid = logbook_da.create_mentor_team(
        current_user(),
        name=f["name"],
        area_code=f["area_code"],
        capacity=inputs.whole(f.get("capacity"), "capacity", 1, 20, default=logbook_da.TEAM_CAPACITY),
    )
    return _created({"id": tid})


@bp.post("/mentor-teams/<int:team_id>/mentors")
def mentor_members(team_id: int):
    body = _body()
    f = _fields(body, ("name", "kind", "dimension"), ("name", "kind"))
    return _created(
        {"id": logbook_da.add_mentor(current_user(), team_id, name=f["name"], kind=f["kind"], dimension=f.get("dimension"))}
    )


@bp.post("/mentor-teams/<int:team_id>/households")
def mentor_households(team_id: int):
    body = _body()
    f = _fields(body, ("house_id",), ("house_id",))
    logbook_da.assign_household(current_user(), team_id, f["house_id"], inputs.year(body.get("year"), default=2561))
    return _created({"team_id": team_id, "house_id": f["house_id"]})


@bp.get("/areas/<code>/mentor-teams")
def area_mentor_teams(code: str):
    return jsonify({"items": logbook_da.workload(current_user(), _code(code))})


@bp.post("/mentors/<int:mentor_id>/hand-back")
def mentor_hand_back(mentor_id: int):
    logbook_da.hand_back(current_user(), mentor_id)
    return jsonify({"id": mentor_id, "handed_back": True})


# --- Priority targeting --------------------------------------------------------------------------


def _rule():
    try:
        k = request.args.get("k")
        return crisis_rule(
            request.args.get("by", "ge3"),
            min_dimensions=int(k) if k not in (None, "") else None,
            required=(request.args.get("required") or "").split(","),
        )
    except ValueError as e:
        raise BadRequest(str(e)) from None


@bp.get("/areas/<code>/ranking")
def ranking(code: str):
    """Child areas ranked by the crisis group: by=ge3 (>= 3 dimensions, the default), basic_needs (income, living
    and health together) or custom (&k=2&required=income). format=csv downloads the table."""
    year, mask = _params()
    rule = _rule()
    _throttle_anonymous()
    try:
        rows = figures.ranking(_code(code), year, rule, mask, level=request.args.get("level") or None)
    except ValueError as e:
        raise BadRequest(str(e)) from None
    if request.args.get("format") == "csv":
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
        w.writerows(tables.safe_row(r) for r in rows)
        # UTF-8 with BOM so Excel shows the Thai names
        return Response(
            "\ufeff" + buf.getvalue(),
            mimetype="text/csv",
            headers={"Content-Disposition": f"attachment; filename=tpmap-ranking-{code}-{year}.csv"},
        )
    return jsonify(
        {
            "code": code,
            "year": year,
            "rule": {"key": rule.key, "min_dimensions": rule.min_dimensions, "required": sorted(rule.required)},
            "items": rows,
        }
    )


@bp.post("/shortlists")
def save_shortlist():
    """Save a named shortlist (JSON: name, kind areas|households, year, refs [...], rule) → 201 with its share link."""
    body = _body()
    refs = body.get("refs")
    if not isinstance(refs, list) or not all(isinstance(r, str) and len(r) <= 64 for r in refs):
        raise BadRequest("refs must be a list of area codes or house ids")
    f = _fields(body, ("name", "kind", "refs", "rule"), ("name", "kind"))
    return _created(
        shortlists.create(
            current_user(),
            name=f["name"],
            kind=f["kind"],
            year=inputs.year(body.get("year"), default=2561),
            refs=refs,
            rule=f.get("rule"),
        )
    )


@bp.get("/shortlists/<token>")
def shortlist(token: str):
    s = shortlists.get(token, user=current_user())
    if s is None:
        raise figures.NotFound(f"no shortlist {token}")
    if request.args.get("format") == "csv":
        audit_export(s)
        buf = io.StringIO()
        fields = sorted({k for item in s["items"] for k in item}, key=lambda k: (k != "position", k))
        w = csv.DictWriter(buf, fieldnames=fields, extrasaction="ignore", lineterminator="\n")
        w.writeheader()
        w.writerows(tables.safe_row(r) for r in s["items"])
        return Response(
            "\ufeff" + buf.getvalue(),
            mimetype="text/csv",
            headers={"Content-Disposition": f"attachment; filename=tpmap-shortlist-{token}.csv"},
        )
    return jsonify(s)


def audit_export(s: dict) -> None:
    from data_access import audit

    audit.record(
        "export",
        user=current_user(),
        object_type="shortlist",
        object_id=s["token"],
        detail={"kind": s["kind"], "rows": len(s["items"])},
    )


# --- Committees (ศจพ.) and their orders ----------------------------------------------------------

from data_access import committees as committees_da  # noqa: E402
from data_access import reports as reports_da  # noqa: E402
from mpi.governance import parse_quarter  # noqa: E402


@bp.get("/committees")
def committee_table():
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
def area_committees(code: str):
    from data_access.access import require_user

    require_user(current_user())
    return jsonify(committees_da.area_units(_code(code)))


@bp.post("/committees")
def create_committee():
    body = _body()
    return _created(
        committees_da.create_unit(
            current_user(), kind=body.get("kind", ""), area_code=_code(str(body.get("area_code", ""))), name=body.get("name")
        )
    )


@bp.post("/committees/<int:unit_id>/members")
def committee_member(unit_id: int):
    body = _fields(_body(), ("name", "position", "agency"))
    return _created(
        committees_da.add_member(
            current_user(), unit_id, name=body.get("name", ""), position=body.get("position", ""), agency=body.get("agency")
        )
    )


@bp.delete("/committees/<int:unit_id>/members/<int:member_id>")
def committee_member_remove(unit_id: int, member_id: int):
    committees_da.remove_member(current_user(), unit_id, member_id)
    return jsonify({"unit_id": unit_id, "member_id": member_id, "removed": True})


@bp.post("/committees/<int:unit_id>/orders")
def committee_order(unit_id: int):
    """multipart/form-data: file (PDF), order_no, order_date (2564-03-15, 15/03/2564, 15 มีนาคม 2564 or 2021-03-15)."""
    upload = request.files.get("file")
    content = upload.read(committees_da.MAX_ORDER_BYTES + 1) if upload else b""
    return _created(
        committees_da.file_order(
            current_user(),
            unit_id,
            order_no=request.form.get("order_no", ""),
            order_date=request.form.get("order_date", ""),
            filename=upload.filename if upload else "",
            content=content,
        )
    )


@bp.get("/committee-orders/<int:order_id>.pdf")
def committee_order_file(order_id: int):
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


# --- Quarterly reports -----------------------------------------------------------------------------


@bp.get("/reports/quarterly/<quarter>")
def quarterly_submissions(quarter: str):
    """Every province's report state for a quarter (2564-Q3): the national view of who has submitted."""
    year, q = parse_quarter(quarter)
    return jsonify({"quarter": quarter, "items": reports_da.submissions(current_user(), year, q)})


@bp.route("/reports/quarterly/<province_code>/<quarter>", methods=["GET", "PUT"])
def quarterly_report(province_code: str, quarter: str):
    """GET the report (figures filled in); PUT {progress, obstacles, suggestions, version} saves a draft."""
    year, q = parse_quarter(quarter)
    if request.method == "GET":
        return jsonify(reports_da.get_report(current_user(), province_code, year, q))
    body = _body()
    texts = {k: v for k, v in body.items() if k != "version"}
    return jsonify(reports_da.save(current_user(), province_code, year, q, texts=texts, version=_version(body)))


@bp.post("/reports/quarterly/<province_code>/<quarter>/submit")
def quarterly_submit(province_code: str, quarter: str):
    year, q = parse_quarter(quarter)
    body = request.get_json(silent=True) or {}
    texts = {k: v for k, v in body.items() if k != "version"}
    return jsonify(reports_da.save(current_user(), province_code, year, q, texts=texts, version=_version(body), submit=True))


# --- Vulnerable households ---------------------------------------------------------------------------


def _vulnerable_rule():
    from mpi.vulnerable import rule_from

    try:
        return rule_from(request.args.get("selections"), request.args.get("burdens"), request.args.get("min_burdens"))
    except ValueError as e:
        raise BadRequest(str(e)) from None


@bp.get("/areas/<code>/vulnerable")
def area_vulnerable(code: str):
    """Vulnerable households of an area and its children under a rule (selections=, burdens=, min_burdens=)."""
    from data_access import vulnerable

    year, _ = _params()
    return jsonify(vulnerable.area_figures(_code(code), year, _vulnerable_rule()))


@bp.get("/areas/<code>/vulnerable/households")
def area_vulnerable_households(code: str):
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
