"""The field app's day offline (issue 18): one read of everything a team needs for its tambons.

A team prepares on the office Wi-Fi and works where there is no signal. Its phone gets, in one answer: the
target-poor households of its tambons (only those: the area rule of data_access.access applies), each with its
members (citizen IDs masked; a full ID never reaches the phone) and what the agencies' registers say of each (issue 33:
receives or not, as of when, whose data), failed indicators with the members each concerns (issue 34), Logbook version
and status, visits, needs and help, everything the household already receives side by side with its source (the
agencies' assistance register and the Logbook), and the assistance kinds. One request instead of one per household: the per-record
look-up limit and the scraping alert count a person reading records one by one, and a prepared day is neither.
It is audited once, with the number of households, and limited per account.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any, TypedDict

from sqlalchemy import Connection, Engine, RowMapping, select

from data_access import audit, ratelimit
from data_access import logbook as logbook_da
from data_access import models as tables
from data_access.access import CurrentUser, refuse, require_user
from data_access.counted import household_counts
from data_access.db import reading, tuples
from data_access.errors import BadRequest
from data_access.households import MEMBER_ORDER, FailedIndicator, Member, failed_view, member_view, names_masked_for
from data_access.policy import LOGBOOK_WRITE, may
from data_access.register_facts import LinkedFact, Receipt, member_facts, receipts
from mpi import catalogue
from mpi.editions import definition_for, survey_date, survey_period
from mpi.rules import ALL_DIMENSIONS_MASK, CRISIS_MIN_DIMENSIONS, dimensions_of, popcount

MAX_HOUSEHOLDS = 2000  # a team's day; a district's 24,000 households are not a phone's to carry


class TooLarge(BadRequest):
    """The tambons asked for hold more households than a phone should carry (400)."""


def tambons_for(user: CurrentUser, asked: list[str]) -> list[str]:
    """The tambons to prepare: those asked for, else the user's own when they are tambons; each must be the user's."""
    codes = asked or [a for a in user.areas if len(a) == 6]
    if not codes:
        raise BadRequest("name the tambons to prepare: ?tambon=750101 (your area is larger than a tambon)")
    for code in codes:
        if len(code) != 6 or not code.isdigit():
            raise BadRequest(f"a tambon code has 6 digits, got {code[:12]!r}")
        if not user.covers(code):
            raise refuse(user, f"tambon {code} is outside your area", object_type="area", object_id=code, area_code=code)
    return sorted(set(codes))


class FieldHousehold(TypedDict):
    """A household as the phone keeps it: its record, its Logbook state and lists."""

    house_id: str
    tambon_code: str
    village_no: int
    latitude: float | None
    longitude: float | None
    members_count: int
    target_poor_members: int
    deprived_dimensions: list[str]
    crisis: bool
    members: list[Member]  # each with `registers`: what the agencies' registers say of them (issue 33)
    failed_indicators: list[FailedIndicator]  # each with `concerns`: the members it is about, or null (issue 34)
    version: int
    status: str | None
    visits: list[logbook_da.Record]
    needs: list[logbook_da.Record]
    assistance: list[logbook_da.Record]
    receipts: list[Receipt]  # the agencies' assistance rows and the Logbook's help, newest first, each with its source


class FieldTambon(TypedDict):
    code: str
    name_th: str
    name_en: str


class FieldPackage(TypedDict):
    year: int
    definition: str
    prepared_at: str  # ISO moment, to the second
    tambons: list[FieldTambon]
    households: list[FieldHousehold]
    assistance_kinds: list[logbook_da.AssistanceKind]
    outcomes: list[str]
    statuses: list[str]


class _Read(TypedDict):
    """What one package reads beside its households, by household row id."""

    members: dict[int, list[RowMapping]]
    failed: dict[int, list[str]]
    lists: dict[str, dict[int, list[logbook_da.Record]]]
    states: dict[int, tuple[int, str | None]]
    facts: dict[str, list[LinkedFact]]


def _read(conn: Connection, ids: list[int]) -> _Read:
    """Members, failed indicators, Logbook lists and states of the households (already scoped), and what the agencies'
    registers say of their members: one statement of each per 500 households."""
    p, f, st = tables.person.c, tables.household_failure.c, tables.logbook_state.c
    out = _Read(members={i: [] for i in ids}, failed={i: [] for i in ids}, lists={}, states={}, facts={})
    for chunk in _chunks(ids, 500):
        for m in conn.execute(
            select(p.household_id, p.citizen_id, p.first_name, p.last_name, p.sex, p.birth_date, p.welfare_card, p.disabled)
            .where(p.household_id.in_(chunk))
            .order_by(p.household_id, *MEMBER_ORDER)
        ).mappings():
            out["members"][m["household_id"]].append(m)
        for household_id, code in tuples(
            conn.execute(
                select(f.household_id, f.indicator_code)
                .where(f.household_id.in_(chunk))
                .order_by(f.household_id, f.indicator_code)
            )
        ):
            out["failed"][household_id].append(code)
        for kind in ("visits", "needs", "assistance"):
            for household_id, items in logbook_da.lists_of(conn, kind, chunk).items():
                out["lists"].setdefault(kind, {})[household_id] = items
        for s in conn.execute(select(st.household_id, st.version, st.status).where(st.household_id.in_(chunk))):
            out["states"][s.household_id] = (s.version, s.status)
    # the agencies' registers (issue 33): read after the area rule chose the households, for their members only
    out["facts"] = member_facts(conn, [m["citizen_id"] for ms in out["members"].values() for m in ms])
    return out


class _Context(TypedDict):
    """What every household of a package is shown with: the edition's indicators and dates, and the viewer."""

    indicators: dict[str, catalogue.Indicator]
    ref: dt.date
    period: tuple[dt.date, dt.date]
    hide_names: bool
    kinds: dict[str, Any]


def _household(r: RowMapping, read: _Read, ctx: _Context) -> FieldHousehold:
    """One household as the phone keeps it (IDs masked: member_view masks them; facts carry none)."""
    version, status = read["states"].get(r["id"], (0, None))
    people = read["members"][r["id"]]
    members = [
        Member(**member_view(i + 1, m, ctx["ref"], ctx["hide_names"]), registers=read["facts"].get(m["citizen_id"], []))
        for i, m in enumerate(people)
    ]
    assistance = read["lists"].get("assistance", {}).get(r["id"], [])
    return FieldHousehold(
        house_id=r["house_id"],
        tambon_code=r["tambon_code"],
        village_no=r["village_no"],
        latitude=r["latitude"],
        longitude=r["longitude"],
        members_count=r["n_persons"],
        target_poor_members=r["n_welfare"],
        deprived_dimensions=dimensions_of(r["pattern"]),
        crisis=r["n_welfare"] > 0 and popcount(r["pattern"]) >= CRISIS_MIN_DIMENSIONS,
        members=members,
        failed_indicators=failed_view(
            read["failed"][r["id"]],
            ctx["indicators"],
            members=[(m["birth_date"], bool(m["disabled"])) for m in people],
            period=ctx["period"],
        ),
        version=version,
        status=status,
        visits=read["lists"].get("visits", {}).get(r["id"], []),
        needs=read["lists"].get("needs", {}).get(r["id"], []),
        assistance=assistance,
        receipts=receipts([(m["member"], m.get("registers", [])) for m in members], assistance, ctx["kinds"]),
    )


def package(user: CurrentUser | None, year: int, tambons: list[str] | None = None, engine: Engine | None = None) -> FieldPackage:
    """The field package of the user's tambons (or those asked for, inside the user's area) for one edition."""
    user = require_user(user)
    if not may(user, LOGBOOK_WRITE):
        raise refuse(user, "your role does not record Logbook visits", object_type="field_package")
    codes = tambons_for(user, tambons or [])
    ratelimit.hit("prepare", user.username, "this phone was prepared a moment ago; wait a few minutes")
    definition = definition_for(year, None)
    a, h = tables.area.c, tables.household.c
    with reading(engine) as conn:
        rows = (
            conn.execute(
                select(
                    h.id, h.house_id, h.tambon_code, h.village_no, h.latitude, h.longitude, h.pattern, h.n_persons, h.n_welfare
                )
                .where(h.year == year, h.tambon_code.in_(codes), household_counts(h, definition, ALL_DIMENSIONS_MASK))
                .order_by(h.tambon_code, h.village_no, h.house_id)
            )
            .mappings()
            .all()
        )
        if len(rows) > MAX_HOUSEHOLDS:
            raise TooLarge(f"{len(rows)} households is more than a phone carries ({MAX_HOUSEHOLDS}): prepare fewer tambons")
        read = _read(conn, [r["id"] for r in rows])
        names = {
            r["code"]: (r["name_th"], r["name_en"])
            for r in conn.execute(select(a.code, a.name_th, a.name_en).where(a.code.in_(codes))).mappings()
        }
    kinds = logbook_da.assistance_kinds(engine)
    ctx = _Context(
        indicators={i.code: i for i in catalogue.indicators_for_year(year)},
        ref=survey_date(year),
        period=survey_period(year),
        hide_names=names_masked_for(user),
        kinds={k["code"]: k for k in kinds},
    )
    households = [_household(r, read, ctx) for r in rows]
    audit.record(
        "field_prepare",
        user=user,
        object_type="area",
        object_id=",".join(codes)[:64],
        area_code=codes[0],
        detail={"year": year, "tambons": codes, "households": len(households)},
        engine=engine,
    )
    return FieldPackage(
        year=year,
        definition=definition,
        prepared_at=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        tambons=[FieldTambon(code=c, name_th=names.get(c, ("", ""))[0], name_en=names.get(c, ("", ""))[1]) for c in codes],
        households=households,
        assistance_kinds=kinds,
        outcomes=list(logbook_da.OUTCOMES),
        statuses=list(logbook_da.LADDER),
    )


def _chunks(items: list[int], size: int) -> Iterator[list[int]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]
