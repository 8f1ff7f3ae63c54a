"""The Logbook (แฟ้มบ้านพัฒนาคนไทย): visits, needs, assistance, status, missed people, mentor teams.

Every function takes the signed-in user and goes through the household rule of
data_access.access (outside the user's area → Forbidden). Every write is one transaction: the
record, the household's Logbook version (optimistic locking: a write that names the version it
read fails with Conflict if someone else wrote first), the tambon's progress rollup, and the
audit row. Nothing here changes a survey row: Logbook figures stay apart from survey figures.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass
from typing import Any, Literal, NotRequired, ParamSpec, TypedDict, TypeVar, cast, overload

from sqlalchemy import Connection, Engine, RowMapping, delete, distinct, func, insert, literal, select, update
from sqlalchemy.dialects import postgresql, sqlite

from data_access import audit, policy, ratelimit
from data_access import models as tables
from data_access.access import CurrentUser, Scope, household_clause, record_refusal, refuse, require_user
from data_access.areas import point_in_tambon
from data_access.db import insert_id, reading, serialize, tuples, writing
from data_access.errors import BadRequest, ConflictError, NotFoundError
from data_access.flows import FOLLOW_UPS, moved_to, pairs_after, refresh_help_outcomes, survey_years
from data_access.masking import mask_citizen_id
from data_access.policy import LOGBOOK_APPROVE, LOGBOOK_WRITE, may, roles_with
from mpi.calendar import numeric_date, numeric_moment
from mpi.editions import edition
from mpi.rules import DIMENSIONS, citizen_id_issue, citizen_id_problem, dimensions_of

P = ParamSpec("P")
T = TypeVar("T")

OUTCOMES = ("verified", "not_found", "inclusion_error")
NEED_STATUSES = ("open", "in_progress", "resolved")
LADDER = ("survival", "sufficiency", "sustainability")
MENTOR_KINDS = ("official", "student", "community_leader", "volunteer")
WRITE_ROLES = roles_with(LOGBOOK_WRITE)
APPROVER_ROLES = roles_with(LOGBOOK_APPROVE)
TEAM_CAPACITY = 5
# Public Logbook aggregates: a count of 1 or 2 households in an area can point at a family, so viewers
# whose area does not cover it see such cells as null (the usual small-cell rule of official statistics).
MIN_CELL = 3
OFFICIAL_OVERLOAD = 2  # teams an official mentor serves before the work goes back to the governor's office


class LogbookError(BadRequest):
    """Bad input: the reason says what to fix (400)."""


class LogbookProblems(LogbookError):
    """Several problems with one form (400): each is kept with its own catalogue key, so a page lists them all
    in the reader's language and the API's sentence names every one."""

    def __init__(self, problems: list[LogbookError]):
        super().__init__("; ".join(str(p) for p in problems))
        self.problems = problems


class Problems:
    """A write's checks, all run before anything is written: the person filling the form is told every
    mistake at once instead of one per attempt. `check` runs one field's check and keeps its refusal;
    `raise_any` raises the one problem as it is, or all of them together."""

    def __init__(self) -> None:
        self.found: list[LogbookError] = []

    def check(self, fn: Callable[P, T], *args: P.args, **kw: P.kwargs) -> T | None:
        try:
            return fn(*args, **kw)
        except LogbookError as e:
            self.found.append(e)
            return None

    def add(self, problem: LogbookError) -> None:
        self.found.append(problem)

    def raise_any(self) -> None:
        if len(self.found) == 1:
            raise self.found[0]
        if self.found:
            raise LogbookProblems(self.found)


def _gps(latitude: float | str | None, longitude: float | str | None) -> tuple[float, float] | None:
    if (latitude is None) != (longitude is None):
        raise LogbookError("give both latitude and longitude, or neither", key="err.gps_pair")
    if latitude is None or longitude is None:  # (both, by the check above)
        return None
    try:
        lat, lon = float(latitude), float(longitude)
    except (TypeError, ValueError):
        raise LogbookError("latitude and longitude must be numbers", key="err.gps_number") from None
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise LogbookError(f"({lat}, {lon}) is not a point on Earth", key="err.gps_earth")
    return lat, lon


def _amount(amount_baht: float | str | None) -> float | None:
    if amount_baht is None or amount_baht == "":
        return None
    try:
        amount = float(amount_baht)
    except (TypeError, ValueError):
        raise LogbookError(f"amount_baht must be a number, got {amount_baht!r}", key="err.amount") from None
    if amount < 0 or amount > 10_000_000:
        raise LogbookError("amount_baht must be between 0 and 10,000,000", key="err.amount")
    return amount


class Conflict(ConflictError):
    """Someone else changed the household since it was read (409)."""


class NotFound(NotFoundError):
    """No such household, record or request (404)."""


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _date(value: object, field: str, earliest: dt.date = dt.date(2000, 1, 1)) -> dt.date:
    try:
        day = value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))
    except ValueError:
        raise LogbookError(
            f"{field} must be a date YYYY-MM-DD (Christian era), got {value!r}", key="err.date", field=field
        ) from None
    if day > dt.date.today():
        raise LogbookError(
            f"{field} {day} is in the future (a Buddhist-era year? use e.g. 2021, not 2564)",
            key="err.date_future",
            field=field,
            day=numeric_date(day),
        )
    if day < earliest:
        raise LogbookError(
            f"{field} {day} is before {earliest}",
            key="err.date_before",
            field=field,
            day=numeric_date(day),
            earliest=numeric_date(earliest),
        )
    return day


def _choice(value: str, allowed: Collection[str], field: str) -> str:
    if value not in allowed:
        raise LogbookError(f"{field} must be one of {', '.join(allowed)}, got {value!r}", key="err.choice", field=field)
    return value


@overload
def _text(value: object, field: str, required: Literal[True] = True, limit: int = 2000) -> str: ...
@overload
def _text(value: object, field: str, required: bool, limit: int = 2000) -> str | None: ...
def _text(value: object, field: str, required: bool = True, limit: int = 2000) -> str | None:
    if value is None or str(value).strip() == "":
        if required:
            raise LogbookError(f"{field} is required", key="err.required", field=field)
        return None
    value = str(value).strip()
    if len(value) > limit:
        raise LogbookError(f"{field} is longer than {limit} characters", key="err.too_long", field=field, limit=limit)
    return value


def _household(conn: Connection, user: CurrentUser | None, house_id: str, year: int, *, write: bool) -> RowMapping:
    """The household row if the user covers it; NotFound otherwise (one outside the user's area is answered as one
    that does not exist, its refusal audited); Forbidden to a role that reads but is asked to write."""
    user = require_user(user)
    if write:
        # a record made is not a record read: a team sending its day (200 records from a phone that was offline)
        # must not meet the look-up limit that stops scraping; writes have an allowance of their own
        ratelimit.hit("write", user.username, "too many Logbook records in a minute; wait a moment and send again")
    else:
        ratelimit.hit("lookup", user.username, "too many household look-ups in a minute; wait a moment and try again")
    hh = tables.household.c
    row = (
        conn.execute(
            select(hh.id, hh.house_id, hh.tambon_code, hh.village_no, hh.pattern, hh.n_welfare).where(
                hh.year == year, hh.house_id == house_id
            )
        )
        .mappings()
        .first()
    )
    missing = NotFound(f"no household {house_id} in {year}")
    if row is None:
        raise missing
    if not user.covers(row["tambon_code"]):
        record_refusal(
            user,
            f"household {house_id} is outside your area",
            object_type="household",
            object_id=house_id,
            area_code=row["tambon_code"],
            engine=conn.engine,
        )
        raise missing
    if write and not may(user, LOGBOOK_WRITE):
        raise refuse(
            user,
            f"the role {user.role!r} reads the Logbook but does not write to it",
            object_type="household",
            object_id=house_id,
            engine=conn.engine,
        )
    if write:
        _lock_state(conn, row["id"])
    return row


def _lock_state(conn: Connection, household_id: int) -> None:
    """Serialise every write to one household, identically on both backends, before anything is read:
    make sure its state row exists (the first two writers used to race on inserting it: a 500), then hold
    it until commit (FOR UPDATE on PostgreSQL; on SQLite the INSERT has already taken the write lock).
    A second writer waits, then reads the first one's version: a stale version is a 409, and an
    unversioned write applies on top with the true previous state in its history."""
    s = tables.logbook_state
    upsert = postgresql.insert if conn.dialect.name == "postgresql" else sqlite.insert
    conn.execute(
        upsert(s)
        .values(household_id=household_id, version=0, status=None, flagged=False)
        .on_conflict_do_nothing(index_elements=[s.c.household_id])
    )
    if conn.dialect.name == "postgresql":
        conn.execute(select(s.c.version).where(s.c.household_id == household_id).with_for_update())


class State(TypedDict):
    """A household's Logbook state: its version (optimistic locking), status on the ladder, flag, last writer."""

    version: int
    status: str | None
    flagged: bool
    updated_at: dt.datetime | None
    updated_by: str | None


def _state(conn: Connection, household_id: int) -> State:
    s = tables.logbook_state.c
    row = conn.execute(
        select(s.version, s.status, s.flagged, s.updated_at, s.updated_by).where(s.household_id == household_id)
    ).first()
    if row is None:
        return State(version=0, status=None, flagged=False, updated_at=None, updated_by=None)
    return State(
        version=row.version, status=row.status, flagged=bool(row.flagged), updated_at=row.updated_at, updated_by=row.updated_by
    )


def _bump(conn: Connection, household_id: int, user: CurrentUser, expected: int | None, **changes: object) -> int:
    """Advance the household's Logbook version; with `expected`, refuse if someone wrote in between."""
    state = _state(conn, household_id)
    if expected is not None and int(expected) != state["version"]:
        raise Conflict(
            f"this household was changed by {state['updated_by']} at {str(state['updated_at'])[:19]} "
            f"(version {state['version']}, you had {expected}): reload it and try again",
            key="err.conflict",
            by=state["updated_by"],
            at=numeric_moment(state["updated_at"]),  # the date too, on a clock in Thailand (it was UTC's hour)
        )
    version = state["version"] + 1
    s = tables.logbook_state
    # the row exists and is locked (_lock_state); the version check stays as a second guard
    done = conn.execute(
        update(s)
        .where(s.c.household_id == household_id, s.c.version == state["version"])
        .values(
            version=version,
            status=changes.get("status", state["status"]),
            flagged=changes.get("flagged", state["flagged"]),
            updated_at=_now(),
            updated_by=user.username,
        )
    )
    if done.rowcount != 1:
        raise Conflict(
            "this household was changed at the same moment by someone else: reload it and try again", key="err.conflict_now"
        )
    return version


def refresh_tambon(conn: Connection, year: int, tambon_code: str) -> None:
    """Recompute one tambon's Logbook progress rows (a few hundred Logbook rows at most): one aggregate statement
    per metric over the tambon's households, inside the database. Two writes in one tambon at once take turns here
    (else both deleted, both inserted: a duplicate key, found under load), and the second counts the first's record."""
    serialize(conn, f"logbook_rollup:{year}:{tambon_code}")
    lr, h = tables.logbook_rollup, tables.household
    conn.execute(delete(lr).where(lr.c.year == year, lr.c.tambon_code == tambon_code))
    hh = select(h.c.id).where(h.c.year == year, h.c.tambon_code == tambon_code)
    v, a, st, nd, mr = tables.visit.c, tables.assistance.c, tables.logbook_state.c, tables.need.c, tables.member_request.c
    flagged_tp = (
        select(func.coalesce(func.sum(h.c.n_welfare), 0))
        .select_from(tables.logbook_state.join(h, h.c.id == st.household_id))
        .where(st.flagged, h.c.year == year, h.c.tambon_code == tambon_code, h.c.pattern != 0)
    )
    added = select(func.count()).where(mr.year == year, mr.tambon_code == tambon_code, mr.status == "approved")
    counts = {
        "visited": select(func.count(distinct(v.household_id))).where(v.household_id.in_(hh)),
        "helped": select(func.count(distinct(a.household_id))).where(a.household_id.in_(hh)),
        "flagged": select(func.count()).where(st.flagged, st.household_id.in_(hh)),
        "flagged_tp": flagged_tp,
        "added": added,
    }
    rows: list[tuple[str, Any]] = [(metric, conn.execute(q).scalar()) for metric, q in counts.items()]
    grouped = (
        ("status:", st.status, func.count(), st.status.is_not(None) & st.household_id.in_(hh)),
        ("open_needs:", nd.dimension, func.count(), (nd.status != "resolved") & nd.household_id.in_(hh)),
        ("baht:", a.agency, func.coalesce(func.sum(a.amount_baht), 0), a.household_id.in_(hh)),
        # the same money by kind of help: a managed list, safe to publish (agency names are free text)
        ("baht_kind:", a.kind, func.coalesce(func.sum(a.amount_baht), 0), a.household_id.in_(hh)),
    )
    for prefix, key, value, where in grouped:
        for k, n in conn.execute(select(key, value).where(where).group_by(key)):
            rows.append((f"{prefix}{k}"[:80], n))
    rows = [(m, v) for m, v in rows if v]
    if rows:
        conn.execute(insert(lr), [{"year": year, "tambon_code": tambon_code, "metric": m, "value": float(v)} for m, v in rows])


def _write(
    conn: Connection,
    h: RowMapping,
    year: int,
    user: CurrentUser,
    version: int | None,
    action: str,
    object_type: str,
    object_id: object,
    detail: dict[str, object],
    **state_changes: object,
) -> int:
    new_version = _bump(conn, h["id"], user, version, **state_changes)
    refresh_tambon(conn, year, h["tambon_code"])
    # help given to a household of an edition that a later one has followed up changes "did the help reach them"
    for later in pairs_after(conn, year):
        refresh_help_outcomes(conn, year, later, unit=h["tambon_code"])
    audit.record(
        action,
        user=user,
        object_type=object_type,
        object_id=str(object_id),
        area_code=h["tambon_code"],
        detail={"house_id": h["house_id"], "year": year, **detail},
        conn=conn,
    )
    return new_version


# --- Visits, needs, assistance, status ---------------------------------------------------------


class Saved(TypedDict):
    """A Logbook record written: its id and the household's new Logbook version."""

    id: int
    version: int


class SavedVisit(Saved):
    warnings: list[str]  # in English, for the API
    notices: list[dict[str, str]]  # the same, coded for the page to say in its language


class SavedStatus(Saved):
    status: str


class RequestState(TypedDict):
    """A member request after a write: its id and pending | approved | rejected."""

    id: int
    status: str


def add_visit(
    user: CurrentUser | None,
    house_id: str,
    year: int,
    *,
    visited_on: dt.date | str | None,
    outcome: str,
    note: str | None = None,
    visitor: str | None = None,
    latitude: float | str | None = None,
    longitude: float | str | None = None,
    version: int | None = None,
    engine: Engine | None = None,
) -> SavedVisit:
    """Record a knock-knock visit. An inclusion_error outcome flags the household (the survey row stays)."""
    problems = Problems()
    day = problems.check(_date, visited_on, "visited_on")
    problems.check(_choice, outcome, OUTCOMES, "outcome")
    note = problems.check(_text, note, "note", required=outcome != "verified")
    visitor = problems.check(_text, visitor, "visitor", required=False, limit=200)
    point = problems.check(_gps, latitude, longitude)
    problems.raise_any()
    warnings: list[str] = []
    notices: list[dict[str, str]] = []
    user = require_user(user)
    with writing(engine) as conn:
        h = _household(conn, user, house_id, year, write=True)
        inside = None
        if point is not None:
            lat, lon = point
            inside = point_in_tambon(conn, h["tambon_code"], lon, lat)
            if inside is False:
                warnings.append(
                    f"the GPS point ({lat:.5f}, {lon:.5f}) is outside tambon {h['tambon_code']}: "
                    "check the location (the visit was saved)"
                )
                notices.append({"code": "gps_outside", "tambon": h["tambon_code"]})  # for the page, in its language
            latitude, longitude = lat, lon
        vid = insert_id(
            conn,
            tables.visit,
            household_id=h["id"],
            visited_on=day,
            visitor=visitor,
            outcome=outcome,
            note=note,
            latitude=latitude,
            longitude=longitude,
            gps_inside_tambon=inside,
            created_at=_now(),
            created_by=user.username,
        )
        changes = {"flagged": True} if outcome == "inclusion_error" else {}
        new_version = _write(
            conn,
            h,
            year,
            user,
            version,
            "logbook_visit",
            "visit",
            vid,
            {"outcome": outcome, "gps_inside_tambon": inside},
            **changes,
        )
    return SavedVisit(id=vid, version=new_version, warnings=warnings, notices=notices)


def add_need(
    user: CurrentUser | None,
    house_id: str,
    year: int,
    *,
    dimension: str,
    description: str | None,
    status: str = "open",
    member: int | None = None,
    version: int | None = None,
    engine: Engine | None = None,
) -> Saved:
    problems = Problems()
    problems.check(_choice, dimension, DIMENSIONS, "dimension")
    problems.check(_choice, status, NEED_STATUSES, "status")
    description = problems.check(_text, description, "description")
    problems.raise_any()
    user = require_user(user)
    with writing(engine) as conn:
        h = _household(conn, user, house_id, year, write=True)
        nid = insert_id(
            conn,
            tables.need,
            household_id=h["id"],
            member=member,
            dimension=dimension,
            description=description,
            status=status,
            created_at=_now(),
            created_by=user.username,
        )
        new_version = _write(
            conn, h, year, user, version, "logbook_need", "need", nid, {"dimension": dimension, "status": status}
        )
    return Saved(id=nid, version=new_version)


def update_need(
    user: CurrentUser | None,
    house_id: str,
    year: int,
    need_id: int,
    *,
    status: str,
    version: int | None = None,
    engine: Engine | None = None,
) -> Saved:
    _choice(status, NEED_STATUSES, "status")
    user = require_user(user)
    with writing(engine) as conn:
        h = _household(conn, user, house_id, year, write=True)
        n = tables.need.c
        before = conn.scalar(select(n.status).where(n.id == need_id, n.household_id == h["id"]))
        if before is None:
            raise NotFound(f"household {house_id} has no need {need_id}")
        conn.execute(
            update(tables.need).where(n.id == need_id).values(status=status, updated_at=_now(), updated_by=user.username)
        )
        new_version = _write(
            conn,
            h,
            year,
            user,
            version,
            "logbook_need_update",
            "need",
            need_id,
            {"before": {"status": before}, "after": {"status": status}},
        )
    return Saved(id=need_id, version=new_version)


class AssistanceKind(TypedDict):
    code: str
    name_th: str
    name_en: str
    monetary: bool


def assistance_kinds(engine: Engine | None = None) -> list[AssistanceKind]:
    ak = tables.assistance_kind.c
    with reading(engine) as conn:
        rows = conn.execute(select(ak.code, ak.name_th, ak.name_en, ak.monetary).where(ak.active).order_by(ak.code))
        return [AssistanceKind(code=r.code, name_th=r.name_th, name_en=r.name_en, monetary=r.monetary) for r in rows]


def add_assistance(
    user: CurrentUser | None,
    house_id: str,
    year: int,
    *,
    given_on: dt.date | str | None,
    dimension: str,
    kind: str,
    agency: str | None,
    amount_baht: float | str | None = None,
    need_id: int | None = None,
    visit_id: int | None = None,
    note: str | None = None,
    version: int | None = None,
    engine: Engine | None = None,
) -> Saved:
    problems = Problems()
    day = problems.check(_date, given_on, "given_on")
    problems.check(_choice, dimension, DIMENSIONS, "dimension")
    agency = problems.check(_text, agency, "agency", limit=200)
    note = problems.check(_text, note, "note", required=False)
    amount_baht = problems.check(_amount, amount_baht)
    problems.raise_any()
    user = require_user(user)
    with writing(engine) as conn:
        ak = tables.assistance_kind.c
        kinds = {r.code: r.monetary for r in conn.execute(select(ak.code, ak.monetary).where(ak.active))}
        _choice(kind, tuple(kinds), "kind")
        if kinds[kind] and amount_baht is None:
            raise LogbookError(f"{kind} is money or goods: give amount_baht", key="err.amount_needed")
        h = _household(conn, user, house_id, year, write=True)
        for ref, table in ((need_id, tables.need), (visit_id, tables.visit)):
            if (
                ref is not None
                and not conn.execute(select(table.c.id).where(table.c.id == ref, table.c.household_id == h["id"])).first()
            ):
                raise LogbookError(f"{table.name} {ref} is not a {table.name} of household {house_id}")
        aid = insert_id(
            conn,
            tables.assistance,
            household_id=h["id"],
            given_on=day,
            dimension=dimension,
            kind=kind,
            agency=agency,
            amount_baht=amount_baht,
            need_id=need_id,
            visit_id=visit_id,
            note=note,
            created_at=_now(),
            created_by=user.username,
        )
        new_version = _write(
            conn,
            h,
            year,
            user,
            version,
            "logbook_assistance",
            "assistance",
            aid,
            {"kind": kind, "dimension": dimension, "agency": agency, "amount_baht": amount_baht},
        )
    return Saved(id=aid, version=new_version)


def set_status(
    user: CurrentUser | None,
    house_id: str,
    year: int,
    *,
    status: str,
    reason: str | None,
    version: int | None = None,
    engine: Engine | None = None,
) -> SavedStatus:
    problems = Problems()
    problems.check(_choice, status, LADDER, "status")
    reason = problems.check(_text, reason, "reason")
    problems.raise_any()
    user = require_user(user)
    with writing(engine) as conn:
        h = _household(conn, user, house_id, year, write=True)
        previous = _state(conn, h["id"])["status"]
        sid = insert_id(
            conn,
            tables.status_change,
            household_id=h["id"],
            status=status,
            previous=previous,
            reason=reason,
            changed_at=_now(),
            changed_by=user.username,
        )
        new_version = _write(
            conn,
            h,
            year,
            user,
            version,
            "logbook_status",
            "status",
            sid,
            {"before": {"status": previous}, "after": {"status": status}},
            status=status,
        )
    return SavedStatus(id=sid, version=new_version, status=status)


class Visit(TypedDict):
    id: int
    visited_on: str  # ISO date (Christian era; pages show it in the Buddhist era)
    visitor: str | None
    outcome: str
    note: str | None
    latitude: float | None
    longitude: float | None
    gps_inside_tambon: bool | None
    created_at: str  # ISO moment, UTC, on both backends
    created_by: str


class Need(TypedDict):
    id: int
    member: int | None
    dimension: str
    description: str
    status: str
    created_at: str
    created_by: str
    updated_at: str | None
    updated_by: str | None


class Assistance(TypedDict):
    id: int
    given_on: str
    dimension: str
    kind: str
    agency: str
    amount_baht: float | None
    need_id: int | None
    visit_id: int | None
    note: str | None
    created_at: str
    created_by: str


class StatusChange(TypedDict):
    id: int
    status: str
    previous: str | None
    reason: str
    changed_at: str
    changed_by: str


class TimelineEntry(TypedDict):
    kind: str  # visit | need | assistance | status
    on: str
    at: str
    record: Visit | Need | Assistance | StatusChange


class AddedMember(TypedDict):
    id: int
    citizen_id: str  # masked
    first_name: str
    last_name: str
    sex: str
    status: str
    requested_by: str


class HouseholdLogbook(TypedDict):
    house_id: str
    year: int
    version: int
    status: str | None
    flagged: bool
    timeline: list[TimelineEntry]
    visits: list[Visit]
    needs: list[Need]
    assistance: list[Assistance]
    status_history: list[StatusChange]
    added_members: list[AddedMember]


@overload
def _jsonable(value: dt.date) -> str: ...
@overload
def _jsonable(value: None) -> None: ...
@overload
def _jsonable(value: object) -> object: ...
def _jsonable(value: object) -> object:
    """Dates and moments as ISO text (the typed columns give the same Python values on both backends)."""
    return value.isoformat() if isinstance(value, (dt.date, dt.datetime)) else value


# The columns each list shows, newest first; read through the declared tables, so booleans, dates and
# moments come back as the same Python types on SQLite and PostgreSQL.
_LISTS = {
    "visits": (
        tables.visit,
        (
            "id",
            "visited_on",
            "visitor",
            "outcome",
            "note",
            "latitude",
            "longitude",
            "gps_inside_tambon",
            "created_at",
            "created_by",
        ),
        ("visited_on", "id"),
    ),
    "needs": (
        tables.need,
        ("id", "member", "dimension", "description", "status", "created_at", "created_by", "updated_at", "updated_by"),
        ("id",),
    ),
    "assistance": (
        tables.assistance,
        (
            "id",
            "given_on",
            "dimension",
            "kind",
            "agency",
            "amount_baht",
            "need_id",
            "visit_id",
            "note",
            "created_at",
            "created_by",
        ),
        ("given_on", "id"),
    ),
    "status": (tables.status_change, ("id", "status", "previous", "reason", "changed_at", "changed_by"), ("id",)),
}


Record = Visit | Need | Assistance | StatusChange


def _list(conn: Connection, kind: str, household_id: int) -> list[Any]:
    table, columns, newest_first = _LISTS[kind]
    q = (
        select(*(table.c[c] for c in columns))
        .where(table.c.household_id == household_id)
        .order_by(*(table.c[c].desc() for c in newest_first))
    )
    return [{k: _jsonable(v) for k, v in r.items()} for r in conn.execute(q).mappings()]


def lists_of(conn: Connection, kind: str, household_ids: list[int]) -> dict[int, list[Record]]:
    """`_list` for many households in one statement (the field app's package): household id -> rows, newest first."""
    table, columns, newest_first = _LISTS[kind]
    q = (
        select(table.c.household_id, *(table.c[c] for c in columns))
        .where(table.c.household_id.in_(household_ids))
        .order_by(table.c.household_id, *(table.c[c].desc() for c in newest_first))
    )
    out: dict[int, list[Record]] = {}
    for r in conn.execute(q).mappings():
        out.setdefault(r["household_id"], []).append({k: _jsonable(r[k]) for k in columns})  # type: ignore[arg-type]
    return out


def records(user: CurrentUser | None, house_id: str, year: int, kind: str, engine: Engine | None = None) -> list[Record]:
    """visits | needs | assistance | status, newest first (Visit, Need, Assistance or StatusChange rows)."""
    if kind not in _LISTS:
        raise NotFoundError(f"no {kind} are kept in the Logbook")
    with reading(engine) as conn:
        h = _household(conn, user, house_id, year, write=False)
        return _list(conn, kind, h["id"])


def _timeline(
    visits: list[Visit], needs: list[Need], helps: list[Assistance], statuses: list[StatusChange]
) -> list[TimelineEntry]:
    """One household's Logbook records as one timeline, oldest first."""
    timeline: list[TimelineEntry] = (
        [TimelineEntry(kind="visit", on=v["visited_on"], at=v["created_at"], record=v) for v in visits]
        + [TimelineEntry(kind="need", on=n["created_at"][:10], at=n["created_at"], record=n) for n in needs]
        + [TimelineEntry(kind="assistance", on=a["given_on"], at=a["created_at"], record=a) for a in helps]
        + [TimelineEntry(kind="status", on=s["changed_at"][:10], at=s["changed_at"], record=s) for s in statuses]
    )
    timeline.sort(key=lambda e: (e["on"], e["at"]))
    return timeline


def logbook(user: CurrentUser | None, house_id: str, year: int, engine: Engine | None = None) -> HouseholdLogbook:
    """Everything the household page shows: state, one timeline, and the lists."""
    r = tables.member_request
    with reading(engine) as conn:
        h = _household(conn, user, house_id, year, write=False)
        state = _state(conn, h["id"])
        visits: list[Visit] = _list(conn, "visits", h["id"])
        needs: list[Need] = _list(conn, "needs", h["id"])
        helps: list[Assistance] = _list(conn, "assistance", h["id"])
        statuses: list[StatusChange] = _list(conn, "status", h["id"])
        added = [
            AddedMember(**(dict(row) | {"citizen_id": mask_citizen_id(row["citizen_id"])}))  # type: ignore[typeddict-item]
            for row in conn.execute(
                select(r.c.id, r.c.citizen_id, r.c.first_name, r.c.last_name, r.c.sex, r.c.status, r.c.requested_by)
                .where(r.c.household_id == h["id"])
                .order_by(r.c.id)
            ).mappings()
        ]
    timeline = sorted(_timeline(visits, needs, helps, statuses), key=lambda e: (e["on"], e["at"]), reverse=True)
    return HouseholdLogbook(
        house_id=house_id,
        year=year,
        version=state["version"],
        status=state["status"],
        flagged=bool(state["flagged"]),
        timeline=timeline,
        visits=visits,
        needs=needs,
        assistance=helps,
        status_history=statuses,
        added_members=added,
    )


# --- Missed people and households (exclusion errors) -------------------------------------------

PERSON_FIELDS = ("citizen_id", "first_name", "last_name", "sex", "birth_date", "welfare_card", "disabled")


def _flag(value: int | str | bool | None, field: str) -> bool:
    if value in (0, 1, "0", "1", True, False):
        return bool(int(value))
    raise LogbookError(f"{field} must be 0 or 1, got {value!r}")


def request_member(
    user: CurrentUser | None,
    year: int,
    *,
    house_id: str | None = None,
    tambon_code: str | None = None,
    village_no: int | str | None = None,
    engine: Engine | None = None,
    **person: Any,  # the form's or the API body's fields (PERSON_FIELDS), checked here
) -> RequestState:
    """A team adds a person the survey missed (to a household, or as a new household); pending the district chief."""
    user = require_user(user)
    if not may(user, LOGBOOK_WRITE):
        raise refuse(user, f"the role {user.role!r} does not add people", object_type="member_request", engine=engine)
    missing = [f for f in PERSON_FIELDS if person.get(f) in (None, "")]
    if missing:
        raise LogbookError(f"missing {', '.join(missing)}", key="err.missing", fields=missing)
    problems = Problems()
    cid = str(person["citizen_id"]).strip()
    problem = citizen_id_issue(cid)
    if problem:
        problems.add(LogbookError(citizen_id_problem(cid) or problem[0], key=f"err.cid.{problem[0]}", **problem[1]))
    first = problems.check(_text, person["first_name"], "first_name", limit=200)
    last = problems.check(_text, person["last_name"], "last_name", limit=200)
    sex = problems.check(_choice, person["sex"], ("M", "F"), "sex")
    born = problems.check(_date, person["birth_date"], "birth_date", earliest=dt.date(1880, 1, 1))
    welfare = problems.check(_flag, person["welfare_card"], "welfare_card")
    disabled = problems.check(_flag, person["disabled"], "disabled")
    problems.raise_any()
    with writing(engine) as conn:
        household_id = None
        if house_id:
            h = _household(conn, user, house_id, year, write=True)
            household_id, tambon_code, village_no = h["id"], h["tambon_code"], h["village_no"]
        else:
            if not tambon_code or village_no is None or village_no == "":
                raise LogbookError("give house_id, or tambon_code and village_no for a new household")
            ar = tables.area.c
            if not conn.execute(select(ar.code).where(ar.code == tambon_code, ar.level.in_(("tambon", "municipality")))).first():
                raise LogbookError(f"unknown tambon code {tambon_code!r}")
            try:
                village_no = int(village_no)
            except (TypeError, ValueError):
                raise LogbookError("village_no must be a whole number") from None
            if not 0 <= village_no <= 999:
                raise LogbookError("village_no must be 0-999")
            if not user.covers(tambon_code):
                raise refuse(
                    user,
                    f"tambon {tambon_code} is outside your area",
                    object_type="member_request",
                    area_code=tambon_code,
                    engine=conn.engine,
                )
        _check_duplicate(conn, year, cid)
        rid = insert_id(
            conn,
            tables.member_request,
            year=year,
            household_id=household_id,
            tambon_code=tambon_code,
            village_no=village_no,
            citizen_id=cid,
            first_name=first,
            last_name=last,
            sex=sex,
            birth_date=born,
            welfare_card=welfare,
            disabled=disabled,
            status="pending",
            requested_at=_now(),
            requested_by=user.username,
        )
        audit.record(
            "member_request",
            user=user,
            object_type="member_request",
            object_id=str(rid),
            area_code=tambon_code,
            detail={"house_id": house_id, "citizen_id": mask_citizen_id(cid), "year": year},
            conn=conn,
        )
    return RequestState(id=rid, status="pending")


def _check_duplicate(conn: Connection, year: int, cid: str, ignore_request: int | None = None) -> None:
    p, mr = tables.person.c, tables.member_request.c
    if conn.execute(select(p.id).where(p.year == year, p.citizen_id == cid)).first():
        raise LogbookError(
            f"citizen ID {mask_citizen_id(cid)} is already in the {year} survey",
            key="err.cid_in_survey",
            cid=mask_citizen_id(cid),
            year=year,
        )
    dup = conn.execute(
        select(mr.id).where(mr.year == year, mr.citizen_id == cid, mr.status != "rejected", mr.id != (ignore_request or -1))
    ).scalar()
    if dup:
        raise LogbookError(
            f"citizen ID {mask_citizen_id(cid)} was already added by request {dup}",
            key="err.cid_requested",
            cid=mask_citizen_id(cid),
            request=dup,
        )


def decide_request(
    user: CurrentUser | None, request_id: int, *, approve: bool, reason: str | None, engine: Engine | None = None
) -> RequestState:
    """The district chief of the request's amphoe approves or rejects it, with a reason, after the civil register check."""
    user = require_user(user)
    reason = _text(reason, "reason")
    with writing(engine) as conn:
        mr = tables.member_request
        r = conn.execute(select(mr).where(mr.c.id == request_id)).mappings().first()
        missing = NotFound(f"no member request {request_id}")
        if r is None:
            raise missing
        if not user.covers(r["tambon_code"]):  # a person's request outside the user's area: answered as none
            reason = f"member request {request_id} is outside your area"
            record_refusal(user, reason, object_type="member_request", object_id=str(request_id), engine=conn.engine)
            raise missing
        amphoe = r["tambon_code"][:4]
        if not may(user, LOGBOOK_APPROVE) or amphoe not in user.areas:
            raise refuse(
                user,
                f"only the district chief of amphoe {amphoe} decides this request",
                object_type="member_request",
                object_id=str(request_id),
                area_code=r["tambon_code"],
                engine=conn.engine,
            )
        if r["status"] != "pending":
            raise Conflict(f"request {request_id} was already {r['status']} by {r['decided_by']}")
        if approve:
            _check_duplicate(conn, r["year"], r["citizen_id"], ignore_request=request_id)
        status = "approved" if approve else "rejected"
        done = conn.execute(
            update(mr)
            .where(mr.c.id == request_id, mr.c.status == "pending")
            .values(status=status, reason=reason, decided_at=_now(), decided_by=user.username)
        )
        if done.rowcount != 1:
            raise Conflict(f"request {request_id} was decided by someone else at the same moment")
        refresh_tambon(conn, r["year"], r["tambon_code"])
        audit.record(
            f"member_request_{status}",
            user=user,
            object_type="member_request",
            object_id=str(request_id),
            area_code=r["tambon_code"],
            detail={"before": {"status": "pending"}, "after": {"status": status}, "reason": reason},
            conn=conn,
        )
    return RequestState(id=request_id, status=status)


class MemberRequest(TypedDict):
    """A member request as listed: every column of member_request but the household's row id (dates and moments
    as ISO text), the citizen ID masked, and the house_id it was asked for (None for a new household)."""

    id: int
    year: int
    tambon_code: str
    village_no: int
    citizen_id: str
    first_name: str
    last_name: str
    sex: str
    birth_date: str
    welfare_card: bool
    disabled: bool
    status: str
    reason: str | None
    requested_at: str
    requested_by: str
    decided_at: str | None
    decided_by: str | None
    house_id: str | None


def list_requests(
    user: CurrentUser | None, area_code: str, *, status: str | None = None, engine: Engine | None = None
) -> list[MemberRequest]:
    """Member requests of an area that the user covers (IDs masked)."""
    user = require_user(user)
    if not user.overlaps(area_code):
        raise refuse(user, f"area {area_code} is outside your area", object_type="area", area_code=area_code[:8], engine=engine)
    r, h = tables.member_request, tables.household
    # both the area asked for and the user's own, in SQL: nothing outside them is read at all
    q = (
        select(*(c for c in r.c if c.name != "household_id"), h.c.house_id)
        .select_from(r.outerjoin(h, h.c.id == r.c.household_id))
        .where(Scope.within(area_code).clause(r.c.tambon_code), user.household_scope.clause(r.c.tambon_code))
        .order_by(r.c.id)
    )
    if status:
        q = q.where(r.c.status == _choice(status, ("pending", "approved", "rejected"), "status"))
    with reading(engine) as conn:
        rows = conn.execute(q).mappings().all()
    return [
        cast(MemberRequest, {k: _jsonable(v) for k, v in row.items()} | {"citizen_id": mask_citizen_id(row["citizen_id"])})
        for row in rows
    ]


# --- Mentor teams -------------------------------------------------------------------------------


def create_mentor_team(
    user: CurrentUser | None, *, name: str, area_code: str, capacity: int = TEAM_CAPACITY, engine: Engine | None = None
) -> int:
    user = require_user(user)
    inside = user.area_scope.contains(str(area_code))
    if not may(user, LOGBOOK_WRITE) or not inside or len(str(area_code)) not in (4, 6) or not str(area_code).isdigit():
        raise refuse(
            user,
            "a mentor team belongs to an amphoe or tambon inside your area",
            object_type="mentor_team",
            area_code=str(area_code)[:8],
            engine=engine,
        )
    if capacity != TEAM_CAPACITY and not may(user, policy.TEAM_CAPACITY):
        raise refuse(user, "only the province raises a mentor team's household cap", object_type="mentor_team", engine=engine)
    if not 1 <= int(capacity) <= 20:
        raise LogbookError("capacity must be 1-20 households")
    with writing(engine) as conn:
        tid = insert_id(
            conn,
            tables.mentor_team,
            name=_text(name, "name", limit=200),
            area_code=area_code,
            capacity=int(capacity),
            created_at=_now(),
            created_by=user.username,
        )
        audit.record(
            "mentor_team",
            user=user,
            object_type="mentor_team",
            object_id=str(tid),
            area_code=area_code,
            detail={"capacity": capacity},
            conn=conn,
        )
    return tid


def _team(conn: Connection, user: CurrentUser, team_id: int, missing: NotFound | None = None) -> RowMapping:
    """The mentor team if it is in the user's area; `missing` (no such team) if it is not, or not there at all."""
    missing = missing or NotFound(f"no mentor team {team_id}")
    mt = tables.mentor_team
    t = conn.execute(select(mt).where(mt.c.id == team_id)).mappings().first()
    if t is None:
        raise missing
    if not user.overlaps(t["area_code"]):
        reason = f"mentor team {team_id} is outside your area"
        record_refusal(user, reason, object_type="mentor_team", object_id=str(team_id), engine=conn.engine)
        raise missing
    if not may(user, LOGBOOK_WRITE):
        raise refuse(
            user,
            f"the role {user.role!r} does not manage mentor teams",
            object_type="mentor_team",
            object_id=str(team_id),
            engine=conn.engine,
        )
    return t


def add_mentor(
    user: CurrentUser | None, team_id: int, *, name: str, kind: str, dimension: str | None = None, engine: Engine | None = None
) -> int:
    user = require_user(user)
    _choice(kind, MENTOR_KINDS, "kind")
    if dimension is not None:
        _choice(dimension, DIMENSIONS, "dimension")
    with writing(engine) as conn:
        _team(conn, user, team_id)
        mid = insert_id(conn, tables.mentor, team_id=team_id, name=_text(name, "name", limit=200), kind=kind, dimension=dimension)
        audit.record(
            "mentor_team", user=user, object_type="mentor", object_id=str(mid), detail={"team": team_id, "kind": kind}, conn=conn
        )
    return mid


def assign_household(user: CurrentUser | None, team_id: int, house_id: str, year: int, engine: Engine | None = None) -> None:
    """Give a household to a mentor team, at most `capacity` (5 unless the province raised it)."""
    user = require_user(user)
    with writing(engine) as conn:
        t = _team(conn, require_user(user), team_id)
        h = _household(conn, user, house_id, year, write=True)
        if not h["tambon_code"].startswith(t["area_code"]) and not t["area_code"].startswith(h["tambon_code"][:4]):
            raise LogbookError(f"household {house_id} is outside the team's area {t['area_code']}")
        ma = tables.mentor_assignment
        n = conn.execute(select(func.count()).where(ma.c.team_id == team_id)).scalar_one()
        if conn.execute(select(ma.c.team_id).where(ma.c.team_id == team_id, ma.c.household_id == h["id"])).first():
            return
        if n >= t["capacity"]:
            raise LogbookError(
                f"mentor team {t['name']!r} already looks after {n} households, its cap (the province can raise it)"
            )
        conn.execute(insert(ma).values(team_id=team_id, household_id=h["id"], assigned_at=_now(), assigned_by=user.username))
        audit.record(
            "mentor_assign",
            user=user,
            object_type="mentor_team",
            object_id=str(team_id),
            area_code=h["tambon_code"],
            detail={"house_id": house_id},
            conn=conn,
        )


class Mentor(TypedDict):
    id: int
    team_id: int
    name: str
    kind: str
    dimension: str | None
    handed_back_at: str | None  # ISO moment, UTC
    overloaded: bool  # an official serving more than OFFICIAL_OVERLOAD teams: hand the work back


class MentorTeam(TypedDict):
    id: int
    name: str
    area_code: str
    capacity: int
    households: int
    mentors: list[Mentor]
    full: bool


def workload(user: CurrentUser | None, area_code: str, engine: Engine | None = None) -> list[MentorTeam]:
    """Mentor teams of an area with their households; official mentors serving too many teams are flagged
    for hand-back to the governor's office."""
    user = require_user(user)
    if not user.overlaps(area_code):
        raise refuse(user, f"area {area_code} is outside your area", object_type="area", area_code=area_code[:8], engine=engine)
    t, a, m = tables.mentor_team.c, tables.mentor_assignment.c, tables.mentor.c
    # Rows, not just the requested area, are scoped: asking for an ancestor (TH) yields only the user's own.
    inside = (Scope.within(area_code).clause(t.area_code), household_clause(user, t.area_code))
    households = func.count(a.household_id).label("households")
    with reading(engine) as conn:
        teams = conn.execute(
            select(t.id, t.name, t.area_code, t.capacity, households)
            .select_from(tables.mentor_team.outerjoin(tables.mentor_assignment, a.team_id == t.id))
            .where(*inside)
            .group_by(t.id, t.name, t.area_code, t.capacity)
            .order_by(t.id)
        ).all()
        mentors = conn.execute(
            select(m.id, m.team_id, m.name, m.kind, m.dimension, m.handed_back_at)
            .select_from(tables.mentor.join(tables.mentor_team, t.id == m.team_id))
            .where(*inside)
        ).all()
    official_teams: dict[str, int] = {}
    for mr in mentors:
        if mr.kind == "official":
            official_teams[mr.name] = official_teams.get(mr.name, 0) + 1
    return [
        MentorTeam(
            id=tr.id,
            name=tr.name,
            area_code=tr.area_code,
            capacity=tr.capacity,
            households=tr.households,
            mentors=[
                Mentor(
                    id=mr.id,
                    team_id=mr.team_id,
                    name=mr.name,
                    kind=mr.kind,
                    dimension=mr.dimension,
                    handed_back_at=_jsonable(mr.handed_back_at),
                    overloaded=mr.kind == "official" and official_teams[mr.name] > OFFICIAL_OVERLOAD,
                )
                for mr in mentors
                if mr.team_id == tr.id
            ],
            full=tr.households >= tr.capacity,
        )
        for tr in teams
    ]


def hand_back(user: CurrentUser | None, mentor_id: int, engine: Engine | None = None) -> None:
    """An overloaded official mentor's work goes back to the governor's office (recorded, audited)."""
    with writing(engine) as conn:
        mt = tables.mentor
        m = conn.execute(select(mt.c.team_id, mt.c.kind).where(mt.c.id == mentor_id)).mappings().first()
        missing = NotFound(f"no mentor {mentor_id}")
        if m is None:
            raise missing
        t = _team(conn, require_user(user), m["team_id"], missing)
        if m["kind"] != "official":
            raise LogbookError("only an official mentor's work is handed back to the governor's office")
        conn.execute(update(mt).where(mt.c.id == mentor_id).values(handed_back_at=_now()))
        audit.record(
            "mentor_hand_back", user=user, object_type="mentor", object_id=str(mentor_id), area_code=t["area_code"], conn=conn
        )


# --- Progress (aggregates: public like the other figures) ---------------------------------------


def _covers_area(viewer: CurrentUser | None, area_code: str) -> bool:
    """Whether the whole area lies inside the viewer's own (who then sees exact Logbook figures)."""
    if viewer is None or not viewer.may_see_households:
        return False
    return viewer.household_scope.contains(area_code) if area_code != "TH" else viewer.covers_country


class Progress(TypedDict):
    """Logbook progress of an area; a count of 1 or 2 is None unless the viewer's area covers it (`exact`)."""

    households_visited: int | None
    households_helped: int | None
    households_flagged: int | None
    target_poor_in_flagged_households: int | None
    persons_added: int | None
    by_status: dict[str, int | None]
    open_needs: dict[str, int | None]
    baht_by_kind: dict[str, float]
    exact: bool
    baht_by_agency: NotRequired[dict[str, float]]  # exact only: agency names are free text
    suppressed_below: NotRequired[int]  # not exact only


def progress(area_code: str, year: int, engine: Engine | None = None, *, viewer: CurrentUser | None = None) -> Progress:
    """Logbook progress of an area: sums of its tambons' rollup rows. Exact (with agency names) for a viewer
    whose area covers it; for everyone else controlled vocabularies only and small cells suppressed."""
    prefix = "" if area_code == "TH" else area_code
    with reading(engine) as conn:
        lr = tables.logbook_rollup.c
        rows = tuples(
            conn.execute(
                select(lr.metric, func.sum(lr.value))
                .where(lr.year == year, lr.tambon_code.like(prefix + "%"))
                .group_by(lr.metric)
            )
        )
    return _shape({m: v for m, v in rows}, exact=_covers_area(viewer, area_code))


def progress_children(
    parent_code: str, child_digits: int, year: int, engine: Engine | None = None, *, viewer: CurrentUser | None = None
) -> dict[str, Progress]:
    prefix = "" if parent_code == "TH" else parent_code
    with reading(engine) as conn:
        lr = tables.logbook_rollup.c
        code = func.substr(lr.tambon_code, 1, literal(child_digits, literal_execute=True))  # grouped by as selected
        rows = tuples(
            conn.execute(
                select(code, lr.metric, func.sum(lr.value))
                .where(lr.year == year, lr.tambon_code.like(prefix + "%"))
                .group_by(code, lr.metric)
            )
        )
    by: dict[str, dict[str, float]] = {}
    for code, metric, value in rows:
        by.setdefault(code, {})[metric] = value
    return {code: _shape(m, exact=_covers_area(viewer, code)) for code, m in by.items()}


def _cell(value: float | None, exact: bool) -> int | None:
    n = int(value or 0)
    return n if exact or n == 0 or n >= MIN_CELL else None


@dataclass(frozen=True)
class Hidden:
    """A Logbook count kept from the viewer: one suppressed cell (None in a progress dict) is 1 to MIN_CELL - 1, and
    a sum holding k of them lies between its known part + k and + k × (MIN_CELL - 1). A value of its own, never 0:
    pages write its bounds, sort it after every number and draw it apart from the colour scale. The bounds say no
    more than the cells do (each is known to be 1 or 2); an exact total beside them would give a hidden cell away."""

    low: int
    high: int


def total(cells: Iterable[int | None]) -> int | Hidden:
    """The sum of progress cells, exact when none of them is suppressed."""
    cells = list(cells)
    known = sum(c for c in cells if c is not None)
    hidden = sum(1 for c in cells if c is None)
    return Hidden(known + hidden, known + hidden * (MIN_CELL - 1)) if hidden else known


def _shape(m: dict[str, float], exact: bool = True) -> Progress:
    out = Progress(
        households_visited=_cell(m.get("visited"), exact),
        households_helped=_cell(m.get("helped"), exact),
        households_flagged=_cell(m.get("flagged"), exact),
        target_poor_in_flagged_households=_cell(m.get("flagged_tp"), exact),
        persons_added=_cell(m.get("added"), exact),
        by_status={s: _cell(m.get(f"status:{s}"), exact) for s in LADDER},
        open_needs={d: _cell(m.get(f"open_needs:{d}"), exact) for d in DIMENSIONS},
        baht_by_kind={k[10:]: v for k, v in sorted(m.items()) if k.startswith("baht_kind:")},
        exact=exact,
    )
    if exact:
        out["baht_by_agency"] = {k[5:]: v for k, v in sorted(m.items()) if k.startswith("baht:")}
    else:
        out["suppressed_below"] = MIN_CELL
    return out


HELP_ROWS = ("any", *DIMENSIONS, "none")


class HelpRow(TypedDict):
    """Households of one kind of help by what became of them (FOLLOW_UPS), None where a cell is suppressed."""

    help: str
    households: int | None
    stayed: int | None
    exited: int | None
    left_survey: int | None
    exit_share: float | None  # among those the next survey found again


# the functional form: "from" is a Python keyword
HelpOutcomes = TypedDict(
    "HelpOutcomes", {"from": int, "to": int, "rows": list[HelpRow], "exact": bool, "suppressed_below": NotRequired[int]}
)


def help_outcomes(
    area_code: str, year_from: int, year_to: int, engine: Engine | None = None, *, viewer: CurrentUser | None = None
) -> HelpOutcomes:
    """Did the help reach those who got out? The `from` edition's target-poor households of the area, by the help
    the Logbook recorded for them (any, each dimension of help, none) and by what became of them in `to`: still
    target poor, out of it, or gone from the survey. Descriptive only: households were not helped at random, so a
    difference is no measure of what the help did. Sums of help_outcome_rollup (refreshed on import and by each
    Logbook write); cells of 1-2 households are suppressed for viewers whose area does not cover this one."""
    prefix = "" if area_code == "TH" else area_code
    ho = tables.help_outcome_rollup.c
    with reading(engine) as conn:
        rows = tuples(
            conn.execute(
                select(ho.help, ho.outcome, func.sum(ho.households))
                .where(ho.year_from == year_from, ho.year_to == year_to, ho.tambon_code.like(prefix + "%"))
                .group_by(ho.help, ho.outcome)
            )
        )
    counts: dict[str, dict[str, int]] = {h: dict.fromkeys(FOLLOW_UPS, 0) for h in HELP_ROWS}
    for help_, outcome, n in rows:
        if help_ in counts:
            counts[help_][outcome] += int(n or 0)
    exact = _covers_area(viewer, area_code)
    out = []
    for h in HELP_ROWS:
        c = counts[h]
        followed = c["stayed"] + c["exited"]
        row = HelpRow(
            help=h,
            households=_cell(sum(c.values()), exact),
            stayed=_cell(c["stayed"], exact),
            exited=_cell(c["exited"], exact),
            left_survey=_cell(c["left_survey"], exact),
            # the share who got out, among those the next survey found again
            exit_share=c["exited"] / followed if followed and (exact or followed >= MIN_CELL) else None,
        )
        out.append(row)
    result = HelpOutcomes({"from": year_from, "to": year_to, "rows": out, "exact": exact})
    if not exact:
        result["suppressed_below"] = MIN_CELL
    return result


class TrajectoryStep(TypedDict):
    """One edition in a household's life: how the survey found it, and the Logbook work recorded while that edition
    was the current one (the Logbook writes to the household row of the edition on screen)."""

    year: int
    surveyed: bool  # False: the household was not found in that edition's survey (nor its people in one household)
    house_id: str | None  # its house number in that edition: another one where it had moved
    target_poor: bool | None  # by the edition's own definition
    deprived_dimensions: list[str]
    members: int | None
    counted_members: int | None  # members counted as target poor by the edition's definition
    events: list[TimelineEntry]  # oldest first


_TRAJECTORY_COLUMNS = ("id", "year", "house_id", "tambon_code", "pattern", "n_persons", "n_welfare")


def _edition_row(conn: Connection, row: RowMapping, year: int) -> RowMapping | None:
    """The household of `row` in edition `year`: the same house_id, else the household it became at a new address,
    paired by its people as the flows pair it (a moved household had "left the survey" here while the flows said it
    stayed)."""
    hh = tables.household.c
    columns = [hh[c] for c in _TRAJECTORY_COLUMNS]
    same = conn.execute(select(*columns).where(hh.year == year, hh.house_id == row["house_id"])).mappings().first()
    if same is not None:
        return same
    moved = moved_to(conn, row["id"], row["year"], year)
    return None if moved is None else conn.execute(select(*columns).where(hh.id == moved)).mappings().first()


def _followed_rows(conn: Connection, anchor: RowMapping, years: list[int]) -> dict[int, RowMapping]:
    """The household in every edition it can be followed into, from the edition on screen outwards (each step from
    the last one found, so a household that moved twice is followed twice)."""
    found = {anchor["year"]: anchor}
    for direction in (
        sorted(y for y in years if y > anchor["year"]),
        sorted((y for y in years if y < anchor["year"]), reverse=True),
    ):
        last = anchor
        for y in direction:
            row = _edition_row(conn, last, y)
            if row is not None:
                found[y] = last = row
    return found


def _step(conn: Connection, y: int, r: RowMapping | None) -> TrajectoryStep:
    if r is None:
        return TrajectoryStep(
            year=y, surveyed=False, house_id=None, target_poor=None, deprived_dimensions=[], members=None,
            counted_members=None, events=[],
        )  # fmt: skip
    card = edition(y).needs_card
    return TrajectoryStep(
        year=y,
        surveyed=True,
        house_id=r["house_id"],
        target_poor=r["pattern"] != 0 and (r["n_welfare"] > 0 or not card),
        deprived_dimensions=dimensions_of(r["pattern"]),
        members=r["n_persons"],
        counted_members=(r["n_welfare"] if card else r["n_persons"]) if r["pattern"] else 0,
        events=_timeline(*(_list(conn, kind, r["id"]) for kind in ("visits", "needs", "assistance", "status"))),
    )


def trajectory(user: CurrentUser | None, house_id: str, year: int, engine: Engine | None = None) -> list[TrajectoryStep]:
    """The household across every survey edition, oldest first, with the Logbook work in between: by house_id, and
    where it moved, by its people (as the flows follow it). Scoped like the household itself (the row of `year`
    decides, and a row elsewhere the user does not cover is left out); part of the household view, which
    get_household audits."""
    hh = tables.household.c
    with reading(engine) as conn:
        _household(conn, user, house_id, year, write=False)  # 401/403/404 as for the page itself
        assert user is not None
        anchor = (
            conn.execute(select(*[hh[c] for c in _TRAJECTORY_COLUMNS]).where(hh.year == year, hh.house_id == house_id))
            .mappings()
            .one()
        )
        years = survey_years(conn)
        rows = {y: r for y, r in _followed_rows(conn, anchor, years).items() if user.covers(r["tambon_code"])}
        return [_step(conn, y, rows.get(y)) for y in years if y >= min(rows)]
