"""The field app's day offline (issue 18): one read of everything a team needs for its tambons.

A team prepares on the office Wi-Fi and works where there is no signal. Its phone gets, in one answer: the
target-poor households of its tambons (only those: the area rule of data_access.access applies), each with its
members (citizen IDs masked; a full ID never reaches the phone), failed indicators, Logbook version and status,
visits, needs and help, and the assistance kinds. One request instead of one per household: the per-record
look-up limit and the scraping alert count a person reading records one by one, and a prepared day is neither.
It is audited once, with the number of households, and limited per account.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import TypedDict

from sqlalchemy import Engine, select

from data_access import audit, ratelimit
from data_access import logbook as logbook_da
from data_access import models as tables
from data_access.access import CurrentUser, refuse, require_user
from data_access.counted import household_counts
from data_access.db import reading, tuples
from data_access.errors import BadRequest
from data_access.households import MEMBER_ORDER, FailedIndicator, Member, failed_view, member_view, names_masked_for
from data_access.policy import LOGBOOK_WRITE, may
from mpi import catalogue
from mpi.editions import definition_for, survey_date
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
    members: list[Member]
    failed_indicators: list[FailedIndicator]
    version: int
    status: str | None
    visits: list[logbook_da.Record]
    needs: list[logbook_da.Record]
    assistance: list[logbook_da.Record]


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


def package(user: CurrentUser | None, year: int, tambons: list[str] | None = None, engine: Engine | None = None) -> FieldPackage:
    """The field package of the user's tambons (or those asked for, inside the user's area) for one edition."""
    user = require_user(user)
    if not may(user, LOGBOOK_WRITE):
        raise refuse(user, "your role does not record Logbook visits", object_type="field_package")
    codes = tambons_for(user, tambons or [])
    ratelimit.hit("prepare", user.username, "this phone was prepared a moment ago; wait a few minutes")
    definition = definition_for(year, None)
    p, f, a, h, st = tables.person.c, tables.household_failure.c, tables.area.c, tables.household.c, tables.logbook_state.c
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
        ids = [r["id"] for r in rows]
        members: dict[int, list] = {i: [] for i in ids}
        failed: dict[int, list[str]] = {i: [] for i in ids}
        lists: dict[str, dict[int, list[logbook_da.Record]]] = {}
        states: dict[int, tuple[int, str | None]] = {}
        for chunk in _chunks(ids, 500):
            for m in conn.execute(
                select(p.household_id, p.citizen_id, p.first_name, p.last_name, p.sex, p.birth_date, p.welfare_card, p.disabled)
                .where(p.household_id.in_(chunk))
                .order_by(p.household_id, *MEMBER_ORDER)
            ).mappings():
                members[m["household_id"]].append(m)
            for household_id, code in tuples(
                conn.execute(
                    select(f.household_id, f.indicator_code)
                    .where(f.household_id.in_(chunk))
                    .order_by(f.household_id, f.indicator_code)
                )
            ):
                failed[household_id].append(code)
            for kind in ("visits", "needs", "assistance"):
                for household_id, items in logbook_da.lists_of(conn, kind, chunk).items():
                    lists.setdefault(kind, {})[household_id] = items
            for s in conn.execute(select(st.household_id, st.version, st.status).where(st.household_id.in_(chunk))):
                states[s.household_id] = (s.version, s.status)
        names = {
            r["code"]: (r["name_th"], r["name_en"])
            for r in conn.execute(select(a.code, a.name_th, a.name_en).where(a.code.in_(codes))).mappings()
        }
    indicators = {i.code: i for i in catalogue.indicators_for_year(year)}
    ref = survey_date(year)
    hide_names = names_masked_for(user)
    households = []
    for r in rows:
        version, status = states.get(r["id"], (0, None))
        households.append(
            FieldHousehold(
                house_id=r["house_id"],
                tambon_code=r["tambon_code"],
                village_no=r["village_no"],
                latitude=r["latitude"],
                longitude=r["longitude"],
                members_count=r["n_persons"],
                target_poor_members=r["n_welfare"],
                deprived_dimensions=dimensions_of(r["pattern"]),
                crisis=r["n_welfare"] > 0 and popcount(r["pattern"]) >= CRISIS_MIN_DIMENSIONS,
                members=[member_view(i + 1, m, ref, hide_names) for i, m in enumerate(members[r["id"]])],  # IDs masked
                failed_indicators=failed_view(failed[r["id"]], indicators),
                version=version,
                status=status,
                visits=lists.get("visits", {}).get(r["id"], []),
                needs=lists.get("needs", {}).get(r["id"], []),
                assistance=lists.get("assistance", {}).get(r["id"], []),
            )
        )
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
        assistance_kinds=logbook_da.assistance_kinds(engine),
        outcomes=list(logbook_da.OUTCOMES),
        statuses=list(logbook_da.LADDER),
    )


def _chunks(items: list[int], size: int) -> Iterator[list[int]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]
