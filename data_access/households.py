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

from sqlalchemy import Engine, select, text

import config
from data_access import abuse, audit, idempotency, ratelimit
from data_access import models as tables
from data_access.access import CurrentUser, household_filter, record_refusal, refuse, require_user
from data_access.counted import household_counted
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
# Deprived dimensions of a pattern, as SQL (portable: no popcount function in SQLite).
_DIMS_SQL = "CASE h.pattern " + " ".join(f"WHEN {p} THEN {bin(p).count('1')}" for p in range(32)) + " ELSE 0 END"
SORTS = {
    "village": "h.village_no, h.house_id",
    "members": "h.n_persons DESC, h.house_id",
    "target": "n_counted DESC, h.house_id",  # the members counted under the definition
    "house": "h.house_id",
    # the committee's order: most dimensions first, then those helped longest ago (never helped first)
    "priority": f"{_DIMS_SQL} DESC, CASE WHEN lh.last_help IS NULL THEN 0 ELSE 1 END, lh.last_help, h.house_id",
}


# Household lists by life stage (issue 34, 5): who in the household makes it one of these. Ages on the edition's
# survey date, from the life stages' birth-date bounds (mpi.lifestages), compared as dates on both backends.
MEMBER_FILTERS = ("elderly_alone", "school_child_3_2", "disabled")


def _member_filter(kind: str, year: int, where: list[str], params: dict) -> None:
    """elderly_alone: one member, aged 60+ (a listed household counts them, so they are target poor); school_child_3_2:
    a child of school age in a household failing 3.2 (children 6-14 out of school); disabled: a disabled member."""
    try:
        stages = {s.key: s for s in life_stages(year)}
    except KeyError:  # a year no catalogue defines holds no survey: the answer of any other list of it
        raise NotFoundError(f"no survey in {year}") from None
    on = survey_date(year)
    if kind == "elderly_alone":
        where.append(
            "h.n_persons = 1 AND EXISTS (SELECT 1 FROM person p WHERE p.household_id = h.id AND p.birth_date <= :old_by)"
        )
        params["old_by"] = stages["elderly"].born_range(on)[1]
    elif kind == "school_child_3_2":
        after, by = stages["school"].born_range(on)
        where.append(
            "EXISTS (SELECT 1 FROM person p WHERE p.household_id = h.id AND p.birth_date > :child_after "
            "AND p.birth_date <= :child_by) AND EXISTS (SELECT 1 FROM household_failure f WHERE f.household_id = h.id "
            "AND f.indicator_code = '3.2')"
        )
        params |= {"child_after": after, "child_by": by}
    elif kind == "disabled":
        where.append(f"EXISTS (SELECT 1 FROM person p WHERE p.household_id = h.id AND p.disabled = {_TRUE})")
    else:
        raise ValueError(f"member must be one of {', '.join(MEMBER_FILTERS)}, not {kind!r}")


_TRUE = "TRUE"  # a boolean literal both backends read (SQLite 3.23+ knows TRUE)


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


def _area_filter(code: str, where: list[str], params: dict) -> None:
    """Households under an area code. `LIKE '7501%'` cannot use the (year, tambon_code) index under a database's
    non-C collation (PostgreSQL scanned every household of the year: 100 ms at 3 provinces, seconds nationally),
    so the prefix is also given as a range of codes, which can; the LIKE keeps the answer exact whatever the
    collation does with the range's ends."""
    if code == "TH":
        return
    where.append("h.tambon_code LIKE :prefix")
    params["prefix"] = code + "%"
    if code.isdigit():
        where.append("h.tambon_code >= :code_from")
        params["code_from"] = code
        if code.strip("9"):  # the next code of the same length ("7501" -> "7502"), unless all nines
            where.append("h.tambon_code < :code_to")
            params["code_to"] = str(int(code) + 1).zfill(len(code))


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
) -> dict:
    """Target-poor households of an area (at least one welfare-card member in a deprived household) that
    the user may see, paged. Under definition=all every MPI-poor household; under nocard those where nobody holds a
    card (the exclusion errors the field teams look for). The list is audited (area, page, filters), not each row."""
    user = check_area(_lookup(user), code, engine)
    definition = definition_for(year, definition)
    counted = {REGISTERED: "h.n_welfare", ALL_POOR: "h.n_persons"}.get(definition, "h.n_persons - h.n_welfare")
    where = ["h.year = :y", household_counted("h", definition, ALL_DIMENSIONS_MASK)]
    params: dict = {"y": year}
    _area_filter(code, where, params)
    household_filter(user, where, params)
    if dimension:
        where.append("(h.pattern & :bit) <> 0")
        params["bit"] = DIMENSION_BIT[dimension]
    if member:
        _member_filter(member, year, where, params)
    if crisis_only:
        rule = rule or "ge3"
    if rule:
        # The patterns are few: list those the crisis rule accepts.
        chosen = CRISIS_RULES[rule] if rule in CRISIS_RULES else None
        if chosen is None:
            raise BadRequest(f"unknown crisis rule {rule!r}")
        where.append(f"h.pattern IN ({', '.join(str(p) for p in range(32) if chosen.matches(p))})")
    clause = " AND ".join(where)
    page = max(1, page)
    with reading(engine) as conn:
        total = conn.execute(text(f"SELECT COUNT(*) FROM household h WHERE {clause}"), params).scalar()
        rows = conn.execute(
            text(
                f"SELECT h.house_id, h.tambon_code, h.village_no, h.n_persons, {counted} AS n_counted, h.pattern, lh.last_help "
                f"FROM household h LEFT JOIN (SELECT household_id, MAX(given_on) AS last_help FROM assistance "
                f"GROUP BY household_id) lh ON lh.household_id = h.id "
                f"WHERE {clause} ORDER BY {SORTS.get(sort, SORTS['village'])} LIMIT :lim OFFSET :off"
            ),
            params | {"lim": page_size, "off": (page - 1) * page_size},
        ).all()
    items = [
        {
            "house_id": r.house_id,
            "tambon_code": r.tambon_code,
            "village_no": r.village_no,
            "members": r.n_persons,
            "target_poor_members": r.n_counted,
            "deprived_dimensions": dimensions_of(r.pattern),
            "crisis": popcount(r.pattern) >= CRISIS_MIN_DIMENSIONS,
            "basic_needs": CRISIS_RULES["basic_needs"].matches(r.pattern),
            "last_help": str(r.last_help)[:10] if r.last_help else None,
        }
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
    return {"items": items, "total": total, "page": page, "page_size": page_size, "definition": definition}


# Members are numbered on the page, and a full ID is revealed by that number: both read them in this order (the
# row id breaks ties between twins, whose birth dates are the same).
MEMBER_ORDER = (tables.person.c.birth_date, tables.person.c.id)


def _household_row(conn, house_id: str, year: int, user: CurrentUser):
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


def get_household(house_id: str, year: int, *, user: CurrentUser | None, engine: Engine | None = None) -> dict | None:
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
    out = dict(h) | {
        "deprived_dimensions": dimensions_of(h["pattern"]),
        "crisis": h["n_welfare"] > 0 and popcount(h["pattern"]) >= CRISIS_MIN_DIMENSIONS,
    }
    hide_names = names_masked_for(user)
    out["members"] = [
        member_view(i + 1, m, ref, hide_names) | {"registers": facts.get(m["citizen_id"], [])} for i, m in enumerate(members)
    ]
    out["failed_indicators"] = failed_view(
        failed, names, members=[(m["birth_date"], bool(m["disabled"])) for m in members], period=survey_period(year)
    )
    del out["id"]
    out["year"] = year
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


def member_view(number: int, m, ref: dt.date, hide_names: bool) -> dict:
    """One member as a record shows it (and the field app stores it): numbered, ID masked, age on the survey's
    survey date, the surname an initial where the setting says so."""
    born = m["birth_date"]
    first, last = mask_name(m["first_name"], m["last_name"]) if hide_names else (m["first_name"], m["last_name"])
    return {
        "member": number,
        "citizen_id": mask_citizen_id(m["citizen_id"]),
        "first_name": first,
        "last_name": last,
        "sex": m["sex"],
        "age": age_on(born, ref),
        "welfare_card": bool(m["welfare_card"]),
        "disabled": bool(m["disabled"]),
    }


def failed_view(
    codes: list[str],
    names: dict,
    *,
    members: list[tuple[dt.date, bool]] | None = None,
    period: tuple[dt.date, dt.date] | None = None,
) -> list[dict]:
    """A household's failed indicators with their dimension and names (codes not in the year's catalogue left out).
    Given the members (birth date, disabled; in MEMBER_ORDER) and the survey's period, each says whom it concerns
    (issue 34): `concerns`, the numbers of the members within its scope during the interviews (as the import checks
    it), or null for one about the whole household."""
    out = []
    for c in codes:
        if c not in names:
            continue
        ind = names[c]
        item = {"code": c, "dimension": ind.dimension, "name_th": ind.name_th, "name_en": ind.name_en}
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
