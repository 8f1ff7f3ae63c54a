"""Household and person reads: the one place that serves named records.

Every function takes the signed-in user (`user=`) and applies the area rule of
data_access.access here, so no page, callback or API route can forget it: no user → Unauthorized
(401), an area outside the user's area → Forbidden (403), a household outside it → the answer of a
household that does not exist (None, or NotFoundError: 404), the refusal audited. Every look is rate-limited
per user and written to the audit trail. Citizen IDs come back masked; a full ID is revealed one
record at a time by reveal_citizen_id, to roles that need it, and that is audited too.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any, NotRequired, TypedDict

from sqlalchemy import (
    BindParameter,
    ColumnElement,
    Connection,
    Engine,
    Integer,
    RowMapping,
    String,
    bindparam,
    case,
    func,
    literal_column,
    select,
    text,
)

import config
from data_access import abuse, audit, idempotency, ratelimit
from data_access import models as tables
from data_access.access import CurrentUser, household_clause, record_refusal, refuse, require_user
from data_access.db import reading
from data_access.errors import BadRequest, NotFoundError
from data_access.masking import mask_citizen_id
from data_access.register_facts import member_facts
from mpi import catalogue
from mpi.calendar import age_on
from mpi.editions import definition_for, survey_date, survey_period
from mpi.lifestages import life_stages
from mpi.rules import (
    ALL_DIMENSIONS_MASK,
    ALL_POOR,
    CRISIS_MIN_DIMENSIONS,
    CRISIS_RULES,
    DIMENSION_BIT,
    REGISTERED,
    dimensions_of,
    popcount,
)

PAGE_SIZE = 25
# The lists read the household table as `h` (the alias LISTED names it by)
_hh = tables.household.alias("h")
_h, _a = _hh.c, tables.assistance.c
# each household's latest help
_last_help = select(_a.household_id, func.max(_a.given_on).label("last_help")).group_by(_a.household_id).subquery("lh")
# Deprived dimensions of a pattern (portable: no popcount function in SQLite).
_DIMS = case({p: popcount(p) for p in range(32)}, value=_h.pattern, else_=0)
_COUNTED: ColumnElement[int] = literal_column(
    "n_counted"
)  # the members counted under the definition, as the list's column names it
SORTS: dict[str, tuple[ColumnElement[Any], ...]] = {
    "village": (_h.village_no, _h.house_id),
    "members": (_h.n_persons.desc(), _h.house_id),
    "target": (_COUNTED.desc(), _h.house_id),
    "house": (_h.house_id,),
    # the committee's order: most dimensions first, then those helped longest ago (never helped first)
    "priority": (
        _DIMS.desc(),
        case((_last_help.c.last_help.is_(None), 0), else_=1),
        _last_help.c.last_help,
        _h.house_id,
    ),
}


# Household lists by life stage (issue 34, 5): who in the household makes it one of these. Ages on the edition's
# survey date, from the life stages' birth-date bounds (mpi.lifestages), compared as dates on both backends.
MEMBER_FILTERS = ("elderly_alone", "school_child_3_2", "disabled")


def _member_params(kind: str | None, year: int) -> dict[str, Any]:
    """The member filter's values for LISTED. elderly_alone: one member, aged 60+ (a listed household counts them, so
    they are target poor); school_child_3_2: a child of school age in a household failing 3.2 (children 6-14 out of
    school); disabled: a disabled member. None: every household."""
    off: dict[str, Any] = {"m_alone": 0, "m_child": 0, "m_disabled": 0, "old_by": None, "child_after": None}
    off["child_by"] = None
    if kind is None:
        return off
    if kind not in MEMBER_FILTERS:
        raise BadRequest(f"member must be one of {', '.join(MEMBER_FILTERS)}, not {kind!r}")
    try:
        stages = {s.key: s for s in life_stages(year)}
    except KeyError:  # a year no catalogue defines holds no survey: the answer of any other list of it
        raise NotFoundError(f"no survey in {year}") from None
    on = survey_date(year)
    if kind == "elderly_alone":
        return off | {"m_alone": 1, "old_by": stages["elderly"].born_range(on)[1]}
    if kind == "school_child_3_2":
        after, by = stages["school"].born_range(on)
        return off | {"m_child": 1, "child_after": after, "child_by": by}
    return off | {"m_disabled": 1}


def _lookup(user: CurrentUser | None) -> CurrentUser:
    user = require_user(user)
    ratelimit.hit("lookup", user.username, "too many household look-ups in a minute; wait a moment and try again")
    return user


def check_area(user: CurrentUser | None, code: str, engine: Engine | None = None) -> CurrentUser:
    """The user may list households of this area (it overlaps theirs); else Unauthorized/Forbidden."""
    user = require_user(user)
    if not user.overlaps(code):
        raise refuse(user, f"area {code} is outside your area", object_type="area", object_id=code, area_code=code, engine=engine)
    return user


def mask_name(first: str, last: str) -> tuple[str, str]:
    return first, (last[:1] + "." if last else "")


def names_masked_for(user: CurrentUser) -> bool:
    """TPMAP_MASK_NAMES=1 shows surnames as an initial to roles that do not work with people by name."""
    return config.settings().mask_names and not user.may_reveal_ids


def _area_range(code: str) -> dict[str, str]:
    """Households under an area code. `LIKE '7501%'` cannot use the (year, tambon_code) index under a database's
    non-C collation (PostgreSQL scanned every household of the year: 100 ms at 3 provinces, seconds nationally),
    so the prefix is also given as a range of codes, which can; the LIKE keeps the answer exact whatever the
    collation does with the range's ends. The country's range holds every code ("~" sorts after the digits)."""
    if code == "TH" or not code.isdigit():
        return {"prefix": ("" if code == "TH" else code) + "%", "code_from": "", "code_to": "~"}
    # the next code of the same length ("7501" -> "7502"), unless all nines
    upto = str(int(code) + 1).zfill(len(code)) if code.strip("9") else "~"
    return {"prefix": code + "%", "code_from": code, "code_to": upto}


def _scope(user: CurrentUser) -> dict[str, object]:
    """The user's area as LISTED's parameters: every household, or those whose code starts with one of the
    user's area codes (2, 4 or 6 digits, or a whole code), each length tested against its own list."""
    scope = user.household_scope
    by_length = {n: [c for c in scope.prefixes if len(c) == n] for n in (2, 4, 6)}
    exact = [c for c in scope.prefixes if len(c) not in (2, 4, 6)]
    return {
        "everywhere": scope.everywhere,
        "scope2": by_length[2],
        "scope4": by_length[4],
        "scope6": by_length[6],
        "scope": exact,
    }


# Raw: the index of poor households (models.ix_household_poor) is partial, and a planner uses it only when the
# query's condition holds its predicate as written, with the mask a literal (test_service checks the text); the rest
# is bound, and a filter that is not asked for is given a value that keeps every row.
LISTED = (
    "h.year = :y AND (h.pattern & 31) <> 0 "
    "AND (:definition = 'all' OR (:definition = 'registered' AND h.n_welfare > 0) "
    "OR (:definition = 'nocard' AND h.n_welfare = 0)) "
    "AND h.tambon_code LIKE :prefix AND h.tambon_code >= :code_from AND h.tambon_code < :code_to "
    "AND (:everywhere OR substr(h.tambon_code, 1, 2) IN :scope2 OR substr(h.tambon_code, 1, 4) IN :scope4 "
    "OR substr(h.tambon_code, 1, 6) IN :scope6 OR h.tambon_code IN :scope) "
    "AND (h.pattern & :bit) <> 0 AND h.pattern IN :patterns "
    # the member filters (issue 34, _member_params): each off (0) keeps every row
    "AND (:m_alone = 0 OR (h.n_persons = 1 AND EXISTS (SELECT 1 FROM person p WHERE p.household_id = h.id "
    "AND p.birth_date <= :old_by))) "
    "AND (:m_child = 0 OR (EXISTS (SELECT 1 FROM person p WHERE p.household_id = h.id AND p.birth_date > :child_after "
    "AND p.birth_date <= :child_by) AND EXISTS (SELECT 1 FROM household_failure f WHERE f.household_id = h.id "
    "AND f.indicator_code = '3.2'))) "
    "AND (:m_disabled = 0 OR EXISTS (SELECT 1 FROM person p WHERE p.household_id = h.id AND p.disabled = TRUE))"
)
# the lists bound into LISTED, typed (an empty one is written as an empty set of its type)
_EXPANDING: tuple[BindParameter[Any], ...] = (
    *(bindparam(name, expanding=True, type_=String) for name in ("scope2", "scope4", "scope6", "scope")),
    bindparam("patterns", expanding=True, type_=Integer),
)
# the same, counted (its text is what test_service reads)
COUNT_LISTED = "SELECT COUNT(*) FROM household h WHERE " + LISTED
assert ALL_DIMENSIONS_MASK == 31 and (ALL_POOR, REGISTERED) == ("all", "registered")  # as LISTED spells them


class HouseholdRow(TypedDict):
    """One household of a list."""

    house_id: str
    tambon_code: str
    village_no: int
    members: int
    target_poor_members: int  # counted under the list's definition
    deprived_dimensions: list[str]
    crisis: bool
    basic_needs: bool
    last_help: str | None  # ISO date


class HouseholdPage(TypedDict):
    items: list[HouseholdRow]
    total: int
    page: int
    page_size: int
    definition: str


def list_target_poor_households(
    code: str,
    year: int,
    *,
    page: int = 1,
    page_size: int = PAGE_SIZE,
    dimension: str | None = None,
    crisis_only: bool = False,
    sort: str = "village",
    rule: str | None = None,
    definition: str | None = None,
    member: str | None = None,
    user: CurrentUser | None,
    engine: Engine | None = None,
) -> HouseholdPage:
    """Target-poor households of an area (at least one welfare-card member in a deprived household) that
    the user may see, paged. Under definition=all every MPI-poor household; under nocard those where nobody holds a
    card (the exclusion errors the field teams look for). The list is audited (area, page, filters), not each row."""
    user = check_area(_lookup(user), code, engine)
    definition = definition_for(year, definition)
    counted = {REGISTERED: _h.n_welfare, ALL_POOR: _h.n_persons}.get(definition, _h.n_persons - _h.n_welfare)
    household_clause(user, _h.tambon_code)  # refused here if the role reads no households
    patterns = list(range(32))
    if crisis_only:
        rule = rule or "ge3"
    if rule:
        # The patterns are few: list those the crisis rule accepts.
        chosen = CRISIS_RULES[rule] if rule in CRISIS_RULES else None
        if chosen is None:
            raise BadRequest(f"unknown crisis rule {rule!r}")
        patterns = [p for p in range(32) if chosen.matches(p)]
    params = {
        "y": year,
        "definition": definition,
        **_area_range(code),
        **_scope(user),
        "bit": DIMENSION_BIT[dimension] if dimension else ALL_DIMENSIONS_MASK,  # every dimension: no filter
        "patterns": patterns,
        **_member_params(member, year),
    }
    # raw: LISTED holds the partial index's predicate as written (see there)
    where = text(LISTED).bindparams(*_EXPANDING, **params)
    page = max(1, page)
    listed = (
        select(
            _h.house_id,
            _h.tambon_code,
            _h.village_no,
            _h.n_persons,
            counted.label("n_counted"),
            _h.pattern,
            _last_help.c.last_help,
        )
        .select_from(_hh.outerjoin(_last_help, _last_help.c.household_id == _h.id))
        .where(where)
        .order_by(*SORTS.get(sort, SORTS["village"]))
        .limit(page_size)
        .offset((page - 1) * page_size)
    )
    with reading(engine) as conn:
        # raw for the same reason, and its text is the one test_service reads
        counting = text(COUNT_LISTED).bindparams(*_EXPANDING)
        total: int = conn.execute(counting, params).scalar_one()
        rows = conn.execute(listed).all()
    items = [
        HouseholdRow(
            house_id=r.house_id,
            tambon_code=r.tambon_code,
            village_no=r.village_no,
            members=r.n_persons,
            target_poor_members=r.n_counted,
            deprived_dimensions=dimensions_of(r.pattern),
            crisis=popcount(r.pattern) >= CRISIS_MIN_DIMENSIONS,
            basic_needs=CRISIS_RULES["basic_needs"].matches(r.pattern),
            last_help=str(r.last_help)[:10] if r.last_help else None,
        )
        for r in rows
    ]
    audit.record(
        "view_household_list",
        user=user,
        object_type="area",
        object_id=code,
        area_code=code,
        detail={
            "year": year,
            "page": page,
            "dimension": dimension,
            "crisis_only": crisis_only,
            "sort": sort,
            "definition": definition,
            "member": member,
            "rows": len(items),
        },
        engine=engine,
    )
    return HouseholdPage(items=items, total=total, page=page, page_size=page_size, definition=definition)


# Members are numbered on the page, and a full ID is revealed by that number: both read them in this order (the
# row id breaks ties between twins, whose birth dates are the same).
MEMBER_ORDER = (tables.person.c.birth_date, tables.person.c.id)


def _household_row(conn: Connection, house_id: str, year: int, user: CurrentUser) -> RowMapping | None:
    """The household if it exists and the user covers it; None otherwise (one outside the user's area is answered
    as one that does not exist: its refusal is in the audit trail)."""
    t = tables.household.c
    h = (
        conn.execute(
            select(
                t.id, t.house_id, t.tambon_code, t.village_no, t.latitude, t.longitude, t.pattern, t.n_persons, t.n_welfare
            ).where(t.year == year, t.house_id == house_id)
        )
        .mappings()
        .first()
    )
    if h is not None and not user.covers(h["tambon_code"]):
        record_refusal(
            user,
            f"household {house_id} is outside your area",
            object_type="household",
            object_id=house_id,
            area_code=h["tambon_code"],
            engine=conn.engine,
        )
        return None
    return h


def check_household(user: CurrentUser | None, house_id: str, year: int, engine: Engine | None = None) -> bool:
    """Whether the household exists for this user (Unauthorized when signed out)."""
    user = require_user(user)
    with reading(engine) as conn:
        return _household_row(conn, house_id, year, user) is not None


class Member(TypedDict):
    member: int  # its number on the page, by which a full ID is revealed
    citizen_id: str  # masked
    first_name: str
    last_name: str  # an initial where the setting says so
    sex: str
    age: int  # on the edition's survey date
    welfare_card: bool
    disabled: bool
    registers: NotRequired[list[Any]]  # on a record: what the agencies' registers say of the member (issue 33)


class FailedIndicator(TypedDict):
    code: str
    dimension: str
    name_th: str
    name_en: str
    concerns: NotRequired[list[int] | None]  # on a record: the members it asks about (issue 34); None: everyone


class HouseholdRecord(TypedDict):
    """One household as its record shows it."""

    house_id: str
    tambon_code: str
    village_no: int
    latitude: float | None
    longitude: float | None
    pattern: int
    n_persons: int
    n_welfare: int
    deprived_dimensions: list[str]
    crisis: bool
    members: list[Member]
    failed_indicators: list[FailedIndicator]
    year: int


def get_household(house_id: str, year: int, *, user: CurrentUser | None, engine: Engine | None = None) -> HouseholdRecord | None:
    """One household with members (IDs masked) and failed indicators; None if no such household."""
    user = _lookup(user)
    abuse.watch("record_views", user, engine=engine)
    with reading(engine) as conn:
        h = _household_row(conn, house_id, year, user)
        if h is None:
            return None
        p, f = tables.person.c, tables.household_failure.c
        members = (
            conn.execute(
                select(p.citizen_id, p.first_name, p.last_name, p.sex, p.birth_date, p.welfare_card, p.disabled)
                .where(p.household_id == h["id"])
                .order_by(*MEMBER_ORDER)
            )
            .mappings()
            .all()
        )
        failed: list[str] = list(
            conn.scalars(select(f.indicator_code).where(f.household_id == h["id"]).order_by(f.indicator_code))
        )
        # agencies' registers (issue 33): read here, after the area check, and masked with the members they belong to
        facts = member_facts(conn, [m["citizen_id"] for m in members])
    names = {i.code: i for i in catalogue.indicators_for_year(year)}
    ref = survey_date(year)
    hide_names = names_masked_for(user)
    out = HouseholdRecord(
        house_id=h["house_id"],
        tambon_code=h["tambon_code"],
        village_no=h["village_no"],
        latitude=h["latitude"],
        longitude=h["longitude"],
        pattern=h["pattern"],
        n_persons=h["n_persons"],
        n_welfare=h["n_welfare"],
        deprived_dimensions=dimensions_of(h["pattern"]),
        crisis=h["n_welfare"] > 0 and popcount(h["pattern"]) >= CRISIS_MIN_DIMENSIONS,
        members=[
            Member(**member_view(i + 1, m, ref, hide_names), registers=facts.get(m["citizen_id"], []))
            for i, m in enumerate(members)
        ],
        failed_indicators=failed_view(
            failed, names, members=[(m["birth_date"], bool(m["disabled"])) for m in members], period=survey_period(year)
        ),
        year=year,
    )
    audit.record(
        "view_household",
        user=user,
        object_type="household",
        object_id=house_id,
        area_code=h["tambon_code"],
        detail={"year": year},
        engine=engine,
    )
    return out


def member_view(number: int, m: RowMapping | Mapping[str, Any], ref: dt.date, hide_names: bool) -> Member:
    """One member as a record shows it (and the field app stores it): numbered, ID masked, age on the survey's
    survey date, the surname an initial where the setting says so."""
    born = m["birth_date"]
    first, last = mask_name(m["first_name"], m["last_name"]) if hide_names else (m["first_name"], m["last_name"])
    return Member(
        member=number,
        citizen_id=mask_citizen_id(m["citizen_id"]),
        first_name=first,
        last_name=last,
        sex=m["sex"],
        age=age_on(born, ref),
        welfare_card=bool(m["welfare_card"]),
        disabled=bool(m["disabled"]),
    )


def failed_view(
    codes: list[str],
    names: Mapping[str, catalogue.Indicator],
    *,
    members: list[tuple[dt.date, bool]] | None = None,
    period: tuple[dt.date, dt.date] | None = None,
) -> list[FailedIndicator]:
    """A household's failed indicators with their dimension and names (codes not in the year's catalogue left out).
    Given the members (birth date, disabled; in MEMBER_ORDER) and the survey's period, each says whom it concerns
    (issue 34): `concerns`, the numbers of the members within its scope during the interviews (as the import checks
    it), or null for one about the whole household."""
    out: list[FailedIndicator] = []
    for c in codes:
        if c not in names:
            continue
        ind = names[c]
        item = FailedIndicator(code=c, dimension=ind.dimension, name_th=ind.name_th, name_en=ind.name_en)
        if members is not None and period is not None:
            item["concerns"] = (
                [i + 1 for i, (born, disabled) in enumerate(members) if ind.covers(born, disabled, *period)]
                if ind.scoped
                else None
            )
        out.append(item)
    return out


def reveal_citizen_id(house_id: str, year: int, member: int, *, user: CurrentUser | None, engine: Engine | None = None) -> str:
    """The full citizen ID of one member (numbered as in get_household), for roles that need it; audited."""
    user = _lookup(user)
    if not user.may_reveal_ids:
        raise refuse(
            user, "your role sees citizen IDs masked", object_type="citizen_id", object_id=f"{house_id}#{member}", engine=engine
        )
    abuse.watch("id_reveals", user, engine=engine)
    with reading(engine) as conn:
        h = _household_row(conn, house_id, year, user)
        if h is None:
            raise NotFoundError(f"no household {house_id} in {year}")
        p = tables.person.c
        ids: list[str] = list(conn.scalars(select(p.citizen_id).where(p.household_id == h["id"]).order_by(*MEMBER_ORDER)))
    if not 1 <= member <= len(ids):
        raise NotFoundError(f"household {house_id} has no member {member}")
    audit.record(
        "reveal_citizen_id",
        user=user,
        object_type="person",
        object_id=f"{house_id}#{member}",
        area_code=h["tambon_code"],
        detail={"masked": mask_citizen_id(ids[member - 1]), "year": year},
        engine=engine,
    )
    idempotency.personal_answer()  # an answer holding the ID is never kept for replay: a repeat is audited again
    return ids[member - 1]
