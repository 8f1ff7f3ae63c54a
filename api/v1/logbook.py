"""The Logbook, for the field app (pinned): visits, needs, assistance, status, missed people, mentor teams."""

from __future__ import annotations

from flask import Blueprint, Response, jsonify, request

from api import contract, inputs, models
from api.contract import operation
from api.v1.common import (
    BadRequest,
    _body,
    _code,
    _created,
    _version,
    _year,
    _year_or_latest,
)
from auth.context import current_user
from data_access import figures
from data_access import logbook as logbook_da

bp = Blueprint("logbook", __name__)


@bp.route("/households/<house_id>/visits", methods=["GET", "POST"])
@operation("GET", "A household's visits (scoped)", models.Items, query=models.YearQuery)
@operation("POST", "Record a visit", models.Created, status=201, query=models.YearQuery, body=models.VisitBody)
def visits(house_id: str) -> Response | tuple[Response, int]:
    if request.method == "GET":
        return jsonify({"items": logbook_da.records(current_user(), house_id, _year(), "visits")})
    body = _body()
    f = contract.fields(body, models.VisitBody)
    return _created(logbook_da.add_visit(current_user(), house_id, _year(), version=_version(body), **f))


@bp.route("/households/<house_id>/needs", methods=["GET", "POST"])
@operation("GET", "A household's needs (scoped)", models.Items, query=models.YearQuery)
@operation("POST", "Record a need", models.Created, status=201, query=models.YearQuery, body=models.NeedBody)
def needs(house_id: str) -> Response | tuple[Response, int]:
    if request.method == "GET":
        return jsonify({"items": logbook_da.records(current_user(), house_id, _year(), "needs")})
    body = _body()
    f = contract.fields(body, models.NeedBody)
    return _created(logbook_da.add_need(current_user(), house_id, _year(), version=_version(body), **f))


@bp.patch("/households/<house_id>/needs/<int:need_id>")
@operation("PATCH", "Change a need's status", models.Record, query=models.YearQuery, body=models.NeedStatusBody)
def need_status(house_id: str, need_id: int) -> Response:
    body = _body()
    f = contract.fields(body, models.NeedStatusBody)
    return jsonify(logbook_da.update_need(current_user(), house_id, _year(), need_id, status=f["status"], version=_version(body)))


@bp.route("/households/<house_id>/assistance", methods=["GET", "POST"])
@operation("GET", "Help given to a household (scoped)", models.Items, query=models.YearQuery)
@operation("POST", "Record help given", models.Created, status=201, query=models.YearQuery, body=models.AssistanceBody)
def assistance(house_id: str) -> Response | tuple[Response, int]:
    if request.method == "GET":
        return jsonify({"items": logbook_da.records(current_user(), house_id, _year(), "assistance")})
    body = _body()
    f = contract.fields(body, models.AssistanceBody)
    return _created(logbook_da.add_assistance(current_user(), house_id, _year(), version=_version(body), **f))


@bp.put("/households/<house_id>/status")
@operation("PUT", "Set a household's status", models.Record, query=models.YearQuery, body=models.StatusBody)
def status(house_id: str) -> Response:
    body = _body()
    f = contract.fields(body, models.StatusBody)
    return jsonify(
        logbook_da.set_status(
            current_user(), house_id, _year(), status=f["status"], reason=f.get("reason"), version=_version(body)
        )
    )


@bp.get("/households/<house_id>/logbook")
@operation("GET", "A household's whole Logbook (scoped)", models.Record, query=models.YearQuery)
def household_logbook(house_id: str) -> Response:
    return jsonify(logbook_da.logbook(current_user(), house_id, _year()))


@bp.post("/member-requests")
@operation(
    "POST",
    "Ask for a missed person to be added",
    models.Record,
    status=201,
    query=models.YearQuery,
    body=models.MemberRequestBody,
)
def member_requests() -> tuple[Response, int]:
    body = _body()
    f = contract.fields(body, models.MemberRequestBody)
    house = f.get("house_id") if isinstance(f.get("house_id"), str) else None
    where = house[:6] if house else f.get("tambon_code") if isinstance(f.get("tambon_code"), str) else None
    year = _year_or_latest(body.get("year", request.args.get("year")), where)
    return _created(logbook_da.request_member(current_user(), year, **f))


@bp.post("/member-requests/<int:request_id>/<decision>")
@operation("POST", "Approve or reject a member request", models.Record, body=models.DecisionBody, body_required=False)
def decide(request_id: int, decision: str) -> Response:
    if decision not in ("approve", "reject"):
        raise figures.NotFound("use /approve or /reject")
    body = request.get_json(silent=True) or {}
    if not isinstance(body, dict):
        raise BadRequest("send a JSON object")
    f = contract.fields(body, models.DecisionBody)
    return jsonify(logbook_da.decide_request(current_user(), request_id, approve=decision == "approve", reason=f.get("reason")))


@bp.get("/areas/<code>/member-requests")
@operation("GET", "Member requests of an area (scoped)", models.Items, query=models.StatusQuery)
def area_member_requests(code: str) -> Response:
    return jsonify({"items": logbook_da.list_requests(current_user(), _code(code), status=request.args.get("status"))})


@bp.get("/areas/<code>/progress")
@operation("GET", "Logbook progress of an area (public aggregates)", models.Progress, query=models.YearQuery)
def area_progress(code: str) -> Response:
    """Logbook progress: aggregates, public like the other figures."""
    return jsonify({"code": _code(code), "year": _year(), **logbook_da.progress(code, _year(), viewer=current_user())})


@bp.get("/areas/<code>/help-outcomes")
@operation(
    "GET", "Exits among households the Logbook helped and did not (public)", models.HelpOutcomes, query=models.EditionsQuery
)
def area_help_outcomes(code: str) -> Response:
    """Of the `from` edition's target-poor households, exits among those the Logbook helped (by dimension of help)
    beside those it did not: descriptive, public with small cells suppressed like the other Logbook aggregates."""
    year_from, year_to = inputs.year(request.args.get("from")), inputs.year(request.args.get("to"))
    if year_from >= year_to:
        raise BadRequest("`from` must be an earlier edition than `to`")
    body = logbook_da.help_outcomes(_code(code), year_from, year_to, viewer=current_user())
    return jsonify({"code": code, **body, "caveat": HELP_CAVEAT})


# said with every answer, so no copy of the table travels without it
HELP_CAVEAT = (
    "Descriptive only: households were not chosen for help at random, so a difference between helped and "
    "not-helped households is not a measure of what the help did."
)


@bp.post("/mentor-teams")
@operation("POST", "Create a mentor team", models.Created, status=201, body=models.MentorTeamBody)
def mentor_teams() -> tuple[Response, int]:
    body = _body()
    f = contract.fields(body, models.MentorTeamBody)
    tid = logbook_da.create_mentor_team(
        current_user(),
        name=f["name"],
        area_code=f["area_code"],
        capacity=inputs.whole(f.get("capacity"), "capacity", 1, 20, default=logbook_da.TEAM_CAPACITY),
    )
    return _created({"id": tid})


@bp.post("/mentor-teams/<int:team_id>/mentors")
@operation("POST", "Add a mentor to a team", models.Created, status=201, body=models.MentorBody)
def mentor_members(team_id: int) -> tuple[Response, int]:
    body = _body()
    f = contract.fields(body, models.MentorBody)
    return _created(
        {"id": logbook_da.add_mentor(current_user(), team_id, name=f["name"], kind=f["kind"], dimension=f.get("dimension"))}
    )


@bp.post("/mentor-teams/<int:team_id>/households")
@operation("POST", "Assign a household to a team", models.Assigned, status=201, body=models.MentorHouseholdBody)
def mentor_households(team_id: int) -> tuple[Response, int]:
    body = _body()
    f = contract.fields(body, models.MentorHouseholdBody)
    house = f["house_id"] if isinstance(f["house_id"], str) else None
    logbook_da.assign_household(current_user(), team_id, f["house_id"], _year_or_latest(body.get("year"), house and house[:6]))
    return _created({"team_id": team_id, "house_id": f["house_id"]})


@bp.get("/areas/<code>/mentor-teams")
@operation("GET", "Mentor teams of an area and their workload", models.Items)
def area_mentor_teams(code: str) -> Response:
    return jsonify({"items": logbook_da.workload(current_user(), _code(code))})


@bp.post("/mentors/<int:mentor_id>/hand-back")
@operation("POST", "A mentor hands their households back", models.HandedBack)
def mentor_hand_back(mentor_id: int) -> Response:
    logbook_da.hand_back(current_user(), mentor_id)
    return jsonify({"id": mentor_id, "handed_back": True})


@bp.get("/field/package")
@operation("GET", "The field app's day offline: the team's households", models.Record, query=models.FieldPackageQuery)
def field_package() -> Response:
    """The field app's day offline: the team's target-poor households with everything the app shows (issue 18)."""
    from data_access import field

    tambons = [c.strip() for raw in request.args.getlist("tambon") for c in raw.split(",") if c.strip()]
    year = _year_or_latest(request.args.get("year"), tambons[0] if tambons else _team_tambon())
    return jsonify(field.package(current_user(), year, tambons))


def _team_tambon() -> str | None:
    """The first tambon of the signed-in team, whose latest edition a field package without a year brings."""
    user = current_user()
    codes = sorted(user.areas) if user is not None else []
    return codes[0] if codes else None
