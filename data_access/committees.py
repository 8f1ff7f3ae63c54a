"""Committees (ศจพ.) per area, their members and establishment orders, and who has filed.

The units of the source deck: ศจพ. (national), ศจพ.จ. (province), ศจพ.กทม. (Bangkok), ศจพ.อ. (district),
ศจพ.ข. (Bangkok district) and area operation teams (per amphoe or tambon). Mentor teams live in the Logbook
and are counted here, not filed: their orders are filed by the province with its operation teams.

Who may change what: a province (or Bangkok) account manages every unit in its province, a district (or khet)
account its own amphoe's, national accounts the national unit, the administrator all. Any signed-in user may
read the filing table; orders are official documents but served to signed-in users only.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import os
import re
from typing import Any, TypedDict, cast

from sqlalchemy import Connection, Engine, func, literal, select, update

import config
from data_access import audit
from data_access import models as tables
from data_access.access import CurrentUser, Scope, refuse, require_user
from data_access.db import get_engine, insert_id, reading, tuples, writing
from data_access.errors import BadRequest, NotFoundError
from data_access.policy import COMMITTEES_MANAGE, COMMITTEES_NATIONAL, EVERYTHING_ADMINISTRATIVE, may, roles_with
from mpi.governance import DateError, filing_status, parse_date

KINDS = ("national", "province", "bangkok", "district", "bangkok_district", "operation_team")
POSITIONS = ("chair", "vice_chair", "member", "secretary", "assistant_secretary")
SHORT_NAMES = {
    "national": "ศจพ.",
    "province": "ศจพ.จ.",
    "bangkok": "ศจพ.กทม.",
    "district": "ศจพ.อ.",
    "bangkok_district": "ศจพ.ข.",
    "operation_team": "ทีมปฏิบัติการ",
}
MANAGER_ROLES = roles_with(COMMITTEES_MANAGE)


def max_order_bytes() -> int:
    """The largest committee order accepted (TPMAP_ORDER_MAX_BYTES), read at use: the app's own settings."""
    return config.settings().order_max_bytes


class CommitteeError(BadRequest):
    """Bad input: answered 400 with the reason."""


class NotFound(NotFoundError):
    pass


def kind_for(area_code: str) -> str:
    """The committee an area is expected to have."""
    if area_code == "TH":
        return "national"
    if len(area_code) == 2:
        return "bangkok" if area_code == "10" else "province"
    if len(area_code) == 4:
        return "bangkok_district" if area_code.startswith("10") else "district"
    raise CommitteeError(f"no committee is set up for area {area_code}; tambons have operation teams")


def _check_kind(kind: str, area_code: str) -> None:
    if kind not in KINDS:
        raise CommitteeError(f"kind must be one of {', '.join(KINDS)}, got {kind!r}")
    if kind == "operation_team":
        if len(area_code) not in (4, 6):
            raise CommitteeError("an operation team works in an amphoe or a tambon (4- or 6-digit code)")
    elif kind_for(area_code) != kind:
        raise CommitteeError(f"area {area_code} has a {kind_for(area_code)} committee, not {kind}")


def may_manage(user: CurrentUser, area_code: str) -> bool:
    if may(user, EVERYTHING_ADMINISTRATIVE):
        return True
    if may(user, COMMITTEES_NATIONAL):
        return area_code == "TH"
    if may(user, COMMITTEES_MANAGE):
        return area_code != "TH" and user.area_scope.contains(area_code)
    return False


def _require_manager(user: CurrentUser | None, area_code: str) -> CurrentUser:
    user = require_user(user)
    if not may_manage(user, area_code):
        raise refuse(
            user, f"your account does not manage committees of area {area_code}", object_type="committee", area_code=area_code
        )
    return user


def _today() -> dt.date:
    return dt.date.today()


def _area_name(conn: Connection, code: str) -> str:
    name = conn.scalar(select(tables.area.c.name_th).where(tables.area.c.code == code))
    if name is None:
        raise NotFound(f"unknown area {code}")
    return name


class Unit(TypedDict):
    """A committee unit: an area's committee, or one of its operation teams."""

    id: int
    kind: str
    area_code: str
    name: str


class AddedMember(TypedDict):
    id: int
    unit_id: int
    name: str
    position: str


class FiledOrder(TypedDict):
    id: int
    unit_id: int
    order_no: str
    order_date: str  # ISO date
    filed_on: str  # ISO date
    url: str  # where the order's PDF is served


class FilingStatus(TypedDict):
    """A unit's filing status (mpi.governance.filing_status) and its latest order."""

    status: str
    deadline: str
    order_id: int | None
    order_no: str | None
    order_date: str | None
    filed_on: str | None


class FilingRow(FilingStatus):
    """An area of the national view of who has filed."""

    code: str
    name_th: str | None
    name_en: str | None
    unit_id: int | None
    unit: str | None
    sub_units: int
    sub_units_filed: int
    operation_teams: int
    mentor_teams: int


class ListedMember(TypedDict):
    id: int
    unit_id: int
    name: str
    position: str
    agency: str | None
    added_on: str | None  # ISO date
    removed_on: str | None


class ListedOrder(TypedDict):
    id: int
    order_no: str
    order_date: str
    filed_on: str
    uploaded_by: str


class AreaUnit(FilingStatus):
    id: int
    kind: str
    area_code: str
    name: str
    changed_on: str | None
    members: list[ListedMember]
    orders: list[ListedOrder]


class AreaUnits(TypedDict):
    code: str
    name_th: str | None
    expected_kind: str | None
    own: AreaUnit | None  # the area's own committee
    units: list[AreaUnit]


def create_unit(
    user: CurrentUser | None, *, kind: str, area_code: str, name: str | None = None, engine: Engine | None = None
) -> Unit:
    user = _require_manager(user, area_code)
    _check_kind(kind, area_code)
    with writing(engine) as conn:
        area_name = _area_name(conn, area_code)
        name = (name or "").strip()
        if kind == "operation_team" and not name:
            raise CommitteeError("an operation team needs a name (an area can have several)")
        name = name or f"{SHORT_NAMES[kind]}{area_name}"
        u = tables.committee_unit
        exists = conn.scalar(select(u.c.id).where(u.c.kind == kind, u.c.area_code == area_code, u.c.name == name))
        if exists:
            raise CommitteeError(f"{name} is already set up (unit {exists})")
        uid = insert_id(
            conn, u, kind=kind, area_code=area_code, name=name[:200], created_at=dt.datetime.now(dt.UTC), created_by=user.username
        )
        audit.record(
            "committee_changed",
            user=user,
            object_type="committee",
            object_id=str(uid),
            area_code=area_code,
            detail={"created": kind, "name": name},
            conn=conn,
        )
    return Unit(id=uid, kind=kind, area_code=area_code, name=name)


def unit_for(user: CurrentUser | None, area_code: str, engine: Engine | None = None) -> Unit:
    """The area's own committee, set up on first use by someone who manages it."""
    engine = engine or get_engine()
    kind = kind_for(area_code)
    with reading(engine) as conn:
        u = tables.committee_unit.c
        row = (
            conn.execute(
                select(u.id, u.kind, u.area_code, u.name).where(u.kind == kind, u.area_code == area_code).order_by(u.id).limit(1)
            )
            .mappings()
            .first()
        )
    if row is None:
        return create_unit(user, kind=kind, area_code=area_code, engine=engine)
    return Unit(id=row["id"], kind=row["kind"], area_code=row["area_code"], name=row["name"])


def _unit(conn: Connection, unit_id: int) -> dict[str, Any]:
    row = conn.execute(select(tables.committee_unit).where(tables.committee_unit.c.id == unit_id)).mappings().first()
    if row is None:
        raise NotFound(f"no committee unit {unit_id}")
    return dict(row)


def add_member(
    user: CurrentUser | None, unit_id: int, *, name: str, position: str, agency: str | None = None, engine: Engine | None = None
) -> AddedMember:
    name = (name or "").strip()
    if not name:
        raise CommitteeError("a member needs a name")
    if position not in POSITIONS:
        raise CommitteeError(f"position must be one of {', '.join(POSITIONS)}, got {position!r}")
    with writing(engine) as conn:
        unit = _unit(conn, unit_id)
        user = _require_manager(user, unit["area_code"])
        today = _today()
        m = tables.committee_member
        mid = insert_id(
            conn,
            m,
            unit_id=unit_id,
            name=name[:200],
            position=position,
            agency=(agency or "").strip()[:200] or None,
            added_on=today,
            created_by=user.username,
        )
        _member_changed(conn, unit_id, today)
        audit.record(
            "committee_changed",
            user=user,
            object_type="committee",
            object_id=str(unit_id),
            area_code=unit["area_code"],
            detail={"member_added": position},
            conn=conn,
        )
    return AddedMember(id=mid, unit_id=unit_id, name=name, position=position)


def _member_changed(conn: Connection, unit_id: int, today: dt.date) -> None:
    """A change of members after an order is on file needs a new order within 30 days; the change date starts
    that clock. Before the first order the members are the unit's first composition: no clock yet."""
    o, u = tables.committee_order, tables.committee_unit
    if conn.execute(select(o.c.id).where(o.c.unit_id == unit_id).limit(1)).first():
        conn.execute(update(u).where(u.c.id == unit_id).values(changed_on=today))


def remove_member(user: CurrentUser | None, unit_id: int, member_id: int, engine: Engine | None = None) -> None:
    with writing(engine) as conn:
        unit = _unit(conn, unit_id)
        user = _require_manager(user, unit["area_code"])
        today = _today()
        n = conn.execute(
            update(tables.committee_member)
            .where(
                tables.committee_member.c.id == member_id,
                tables.committee_member.c.unit_id == unit_id,
                tables.committee_member.c.removed_on.is_(None),
            )
            .values(removed_on=today)
        ).rowcount
        if not n:
            raise NotFound(f"no current member {member_id} in unit {unit_id}")
        _member_changed(conn, unit_id, today)
        audit.record(
            "committee_changed",
            user=user,
            object_type="committee",
            object_id=str(unit_id),
            area_code=unit["area_code"],
            detail={"member_removed": member_id},
            conn=conn,
        )


def check_pdf(filename: str, content: bytes) -> None:
    """Refuse anything but a PDF of sensible size: by name, by its magic bytes and by its trailer."""
    if not filename or not filename.lower().endswith(".pdf"):
        raise CommitteeError(f"the order must be a PDF file (.pdf), got {filename or 'no file'!r}")
    if not content:
        raise CommitteeError("the file is empty")
    limit = max_order_bytes()
    if len(content) > limit:
        raise CommitteeError(f"the file is {len(content) / 1048576:.1f} MB; the limit is {limit / 1048576:.0f} MB")
    if not content.startswith(b"%PDF-"):
        raise CommitteeError("the file is not a PDF (it does not start with %PDF-); scan the order to PDF and try again")
    if b"%%EOF" not in content[-2048:]:
        raise CommitteeError("the PDF is incomplete (no end-of-file marker); the upload may have been cut off")
    tail = content[content.rfind(b"%%EOF") + 5 :]
    if tail.strip(b"\r\n\t \x00"):
        raise CommitteeError(
            "the PDF has data after its end-of-file marker (another file joined to it); save the scan again as a plain PDF"
        )
    active = pdf_active_content(content)
    if active:
        raise CommitteeError(
            f"the PDF holds {active}, which an order never needs; print it to PDF or scan it again and upload that"
        )


# Names that make a PDF run something, or carry other files: an order is a scanned page. (/OpenAction and
# /AA themselves are common and harmless when they only go to a page; what they run is what is refused.)
ACTIVE_NAMES = {
    "/JavaScript": "JavaScript",
    "/JS": "JavaScript",
    "/Launch": "a program launch",
    "/EmbeddedFile": "an embedded file",
    "/EmbeddedFiles": "embedded files",
    "/RichMedia": "rich media",
    "/XFA": "an XFA form",
    "/SubmitForm": "a form that submits data",
    "/ImportData": "a data import",
    "/GoToE": "an embedded link",
}
_NAME_ESCAPE = re.compile(rb"#([0-9A-Fa-f]{2})")
_MARKUP = re.compile(rb"<\s*(script|html|svg|iframe|body|\?php)\b", re.IGNORECASE)


def pdf_active_content(content: bytes) -> str | None:
    """What active or foreign content a PDF holds, or None. Looks twice: at the raw bytes (names decoded
    from their #xx escapes) and, through pypdf, at every object reachable from the trailer, so that names
    inside compressed object streams are seen too."""
    raw = _NAME_ESCAPE.sub(lambda m: bytes([int(m.group(1), 16)]), content)
    for name, what in ACTIVE_NAMES.items():
        if re.search(re.escape(name.encode()) + rb"(?![A-Za-z0-9])", raw):
            return what
    if _MARKUP.search(content):
        return "HTML or script markup (a file that is also a web page)"
    try:
        from pypdf import PdfReader
        from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject

        reader = PdfReader(io.BytesIO(content), strict=False)
        stack, seen = [reader.trailer], set[int]()
        while stack and len(seen) < 50_000:
            obj = stack.pop()
            if isinstance(obj, IndirectObject):
                key = (obj.idnum, obj.generation)
                if key in seen:
                    continue
                seen.add(key)
                obj = obj.get_object()
            if isinstance(obj, DictionaryObject):
                for k, v in obj.items():
                    if k in ACTIVE_NAMES:
                        return ACTIVE_NAMES[k]
                    if k == "/S" and v in ACTIVE_NAMES:
                        return ACTIVE_NAMES[v]
                    stack.append(v)
            elif isinstance(obj, ArrayObject):
                stack.extend(obj)
    except Exception:  # noqa: BLE001 - a PDF that pypdf cannot read at all is refused below
        return "a structure that cannot be read as a PDF"
    return None


def file_order(
    user: CurrentUser | None,
    unit_id: int,
    *,
    order_no: str,
    order_date: object,
    filename: str,
    content: bytes,
    engine: Engine | None = None,
) -> FiledOrder:
    order_no = (order_no or "").strip()
    if not order_no:
        raise CommitteeError("the order number is missing (e.g. 1234/2564)")
    try:
        day = parse_date(order_date)
    except DateError as e:
        raise CommitteeError(f"order date: {e}") from None
    today = _today()
    if day > today:
        raise CommitteeError(f"the order date {day} is in the future")
    if day < dt.date(2020, 10, 30):
        raise CommitteeError("the order date is before PM Office order 347/2563 (30 October 2563) that created ศจพ.")
    check_pdf(filename, content)
    with writing(engine) as conn:
        unit = _unit(conn, unit_id)
        user = _require_manager(user, unit["area_code"])
        o = tables.committee_order
        oid = insert_id(
            conn,
            o,
            unit_id=unit_id,
            order_no=order_no[:40],
            order_date=day,
            filed_on=today,
            filename=os.path.basename(filename)[:200],
            size_bytes=len(content),
            sha256=hashlib.sha256(content).hexdigest(),
            content=content,
            uploaded_by=user.username,
            uploaded_at=dt.datetime.now(dt.UTC),
        )
        # The newest order on file is the current composition: it covers every change recorded before it was
        # filed (members are often typed in from the order itself). An older order filed late covers nothing.
        newest = conn.scalar(select(func.max(o.c.order_date)).where(o.c.unit_id == unit_id, o.c.id != oid))
        if newest is None or day >= newest:
            u = tables.committee_unit
            conn.execute(update(u).where(u.c.id == unit_id).values(changed_on=None))
        audit.record(
            "committee_order",
            user=user,
            object_type="committee",
            object_id=str(unit_id),
            area_code=unit["area_code"],
            detail={"order_no": order_no, "order_date": str(day), "bytes": len(content)},
            conn=conn,
        )
    return FiledOrder(
        id=oid,
        unit_id=unit_id,
        order_no=order_no,
        order_date=str(day),
        filed_on=str(today),
        url=f"/api/v1/committee-orders/{oid}.pdf",
    )


def order_file(user: CurrentUser | None, order_id: int, engine: Engine | None = None) -> tuple[str, bytes]:
    require_user(user)
    with reading(engine) as conn:
        o = tables.committee_order.c
        row = conn.execute(select(o.filename, o.content).where(o.id == order_id)).first()
    if row is None:
        raise NotFound(f"no order {order_id}")
    return row[0], bytes(row[1])


def _status_of(unit: dict | None, orders: list[dict], today: dt.date) -> FilingStatus:
    s = filing_status(
        [(o["order_date"], o["filed_on"]) for o in orders],
        today=today,
        changed_on=unit["changed_on"] if unit else None,
        exists=unit is not None,
    )
    latest = max(orders, key=lambda o: (o["order_date"], o["id"])) if orders else None
    return FilingStatus(
        status=s.status,
        deadline=str(s.deadline),
        order_id=latest["id"] if latest else None,
        order_no=latest["order_no"] if latest else None,
        order_date=str(latest["order_date"]) if latest else None,
        filed_on=str(latest["filed_on"]) if latest else None,
    )


def _load(conn: Connection, prefix: str | None) -> tuple[list[dict[str, Any]], dict[int, list[dict[str, Any]]]]:
    """The units of an area and everything below it, and their orders (dates as dates on both backends)."""
    u, o = tables.committee_unit, tables.committee_order
    inside = Scope.within(prefix or "TH").clause(u.c.area_code)
    units = [dict(r) for r in conn.execute(select(u).where(inside).order_by(u.c.id)).mappings()]
    orders: dict[int, list[dict[str, Any]]] = {}
    for r in conn.execute(
        select(o.c.id, o.c.unit_id, o.c.order_no, o.c.order_date, o.c.filed_on, o.c.uploaded_by)
        .join(u, u.c.id == o.c.unit_id)
        .where(inside)
    ).mappings():
        orders.setdefault(r["unit_id"], []).append(dict(r))
    return units, orders


def filing_table(
    level: str = "province", parent: str = "TH", *, today: dt.date | None = None, engine: Engine | None = None
) -> list[FilingRow]:
    """Every area of a level (provinces, or the amphoes of a province) with its committee's filing status and counts
    of its sub-units: the national view of who has filed, is late, or is missing."""
    if level not in ("province", "amphoe"):
        raise CommitteeError("level must be province or amphoe")
    today = today or _today()
    with reading(engine) as conn:
        digits = 2 if level == "province" else 4
        ac = tables.area.c
        q = select(ac.code, ac.name_th, ac.name_en).where(ac.level == level).order_by(ac.code)
        if parent != "TH":
            q = q.where(ac.parent_code == parent)
        areas = conn.execute(q).mappings().all()
        units, orders = _load(conn, parent)
        # the area a team is in, at the level listed (its digits written into the statement: grouped by as selected)
        team_area = func.substr(tables.mentor_team.c.area_code, 1, literal(digits, literal_execute=True))
        teams: dict[str, int] = dict(tuples(conn.execute(select(team_area, func.count()).group_by(team_area))))
    own: dict[str, dict] = {}
    subs: dict[str, list[dict]] = {}
    for u in units:
        if u["kind"] == "operation_team" or len(u["area_code"]) > digits:
            subs.setdefault(u["area_code"][:digits], []).append(u)
        elif len(u["area_code"]) == digits:
            own.setdefault(u["area_code"], u)
    rows = []
    for a in areas:
        unit = own.get(a["code"])
        row: dict[str, Any] = {
            "code": a["code"],
            "name_th": a["name_th"],
            "name_en": a["name_en"],
            "unit_id": unit["id"] if unit else None,
            "unit": unit["name"] if unit else None,
        }
        row |= _status_of(unit, orders.get(unit["id"], []) if unit else [], today)
        sub = subs.get(a["code"], [])
        sub_status = [_status_of(u, orders.get(u["id"], []), today)["status"] for u in sub]
        row["sub_units"] = len(sub)
        row["sub_units_filed"] = sum(s in ("filed", "filed_late") for s in sub_status)
        row["operation_teams"] = sum(u["kind"] == "operation_team" for u in sub)
        row["mentor_teams"] = int(teams.get(a["code"], 0))
        rows.append(cast(FilingRow, row))
    return rows


def area_units(code: str, *, today: dt.date | None = None, engine: Engine | None = None) -> AreaUnits:
    """The committee of an area and the units under it, each with members and orders (files not included)."""
    today = today or _today()
    with reading(engine) as conn:
        name = _area_name(conn, code)
        units, orders = _load(conn, code)
        members: dict[int, list[dict]] = {}
        ids = [u["id"] for u in units]
        if ids:
            m = tables.committee_member
            for r in conn.execute(
                select(m.c.id, m.c.unit_id, m.c.name, m.c.position, m.c.agency, m.c.added_on, m.c.removed_on)
                .where(m.c.unit_id.in_(ids))
                .order_by(m.c.unit_id, m.c.id)
            ).mappings():
                members.setdefault(r["unit_id"], []).append({k: (str(v) if isinstance(v, dt.date) else v) for k, v in r.items()})
    out = []
    for u in units:
        if code != "TH" and not u["area_code"].startswith(code):
            continue
        item: dict[str, Any] = {
            "id": u["id"],
            "kind": u["kind"],
            "area_code": u["area_code"],
            "name": u["name"],
            "changed_on": str(u["changed_on"]) if u["changed_on"] else None,
        }
        item |= _status_of(u, orders.get(u["id"], []), today)
        item["members"] = [m for m in members.get(u["id"], []) if not m["removed_on"]]
        item["orders"] = [
            {k: (str(v) if k in ("order_date", "filed_on") else v) for k, v in o.items() if k != "unit_id"}
            for o in sorted(orders.get(u["id"], []), key=lambda o: o["id"], reverse=True)
        ]
        out.append(cast(AreaUnit, item))
    expected = None
    try:
        expected = kind_for(code)
    except CommitteeError:
        pass
    return AreaUnits(
        code=code,
        name_th=name,
        expected_kind=expected,
        own=next((u for u in out if u["area_code"] == code and u["kind"] == expected), None),
        units=out,
    )
