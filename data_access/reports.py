"""Quarterly reports of each province (and Bangkok): figures filled in, the unit's own text, draft and submit.

The figures come from the rollups (target poor, crisis group, deprivation by dimension) and from the Logbook's
dated records inside the quarter (visits, help, status changes, people added, needs still open at its end). A
submitted report freezes its figures, so what the committee received never changes under it.

Readers: signed-in users of the province (any account whose area lies inside it) and national roles. Writers:
the province's own committee accounts (province, or bangkok for Bangkok).
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Literal, NotRequired, TypedDict, cast

from sqlalchemy import Connection, Engine, Join, RowMapping, Table, distinct, func, insert, literal, or_, select, update

from data_access import audit, change, figures, flows
from data_access import models as tables
from data_access.access import CurrentUser, refuse, require_user
from data_access.db import get_engine, reading, tuples, writing
from data_access.errors import BadRequest, ConflictError, NotFoundError
from data_access.policy import EVERYTHING_ADMINISTRATIVE, REPORTS_READ_ALL, REPORTS_WRITE, may, roles_with
from mpi.governance import quarter_of, quarter_range
from mpi.rules import CRISIS_RULES, DIMENSIONS

WRITER_ROLES = roles_with(REPORTS_WRITE)
NATIONAL_ROLES = roles_with(REPORTS_READ_ALL)
TextField = Literal["progress", "obstacles", "suggestions"]
TEXT_FIELDS: tuple[TextField, ...] = ("progress", "obstacles", "suggestions")
TEXT_LIMIT = 8000


class ReportError(BadRequest):
    pass


class ReportConflict(ConflictError):
    pass


def may_read(user: CurrentUser, province_code: str) -> bool:
    if may(user, REPORTS_READ_ALL) or user.covers_country:
        return True
    return user.area_scope.overlaps(province_code)


def may_write(user: CurrentUser, province_code: str) -> bool:
    return (may(user, REPORTS_WRITE) and province_code in user.areas) or may(user, EVERYTHING_ADMINISTRATIVE)


def _check(user: CurrentUser | None, province_code: str, write: bool = False) -> CurrentUser:
    user = require_user(user)
    if len(province_code) != 2 or not province_code.isdigit():
        raise ReportError(f"a quarterly report belongs to a province (2-digit code), not {province_code!r}")
    if not (may_write(user, province_code) if write else may_read(user, province_code)):
        raise refuse(user, f"the quarterly report of province {province_code} is not yours to " + ("write" if write else "read"))
    return user


def _check_quarter(fiscal_year: int, quarter: int) -> tuple[dt.date, dt.date]:
    start, end = quarter_range(fiscal_year, quarter)
    if start > dt.date.today():
        raise ReportError(f"quarter {quarter}/{fiscal_year} has not started yet")
    return start, end


def survey_year_for(fiscal_year: int, engine: Engine | None = None) -> int | None:
    """The newest survey year not after the fiscal year (else the oldest we have)."""
    years = figures.known_years(engine)
    if not years:
        return None
    before = [y for y in years if y <= fiscal_year]
    return before[-1] if before else years[0]


class AmphoeFigures(TypedDict):
    code: str
    name_th: str | None
    name_en: str | None
    target_poor_persons: int
    crisis_ge3: int
    crisis_basic_needs: int
    visits: int


class QuarterFigures(TypedDict):
    """A province's figures for a quarter's report: the edition's (where it has one) and the Logbook's work."""

    province_code: str
    fiscal_year: int
    quarter: int
    start: str  # ISO dates
    end: str
    survey_year: int | None
    computed_at: str
    name_th: str | None
    name_en: str | None
    source: NotRequired[str]
    surveyed_persons: NotRequired[int]
    target_poor_persons: NotRequired[int]
    target_poor_households: NotRequired[int | None]
    mpi: NotRequired[float]
    dimension_target_poor: NotRequired[dict[str, int]]
    crisis_ge3: NotRequired[int]
    crisis_basic_needs: NotRequired[int]
    change: NotRequired[change.AreaChange | None]
    flows: NotRequired[flows.Flows | None]
    visits: int
    households_visited: int
    assistance: int
    households_helped: int
    assistance_baht: float
    status_changes: dict[str, int]
    persons_added: int
    open_needs: dict[str, int]
    amphoes: list[AmphoeFigures]


def compute_figures(province_code: str, fiscal_year: int, quarter: int, engine: Engine | None = None) -> QuarterFigures:
    engine = engine or get_engine()
    start, end = quarter_range(fiscal_year, quarter)
    after = dt.datetime.combine(end + dt.timedelta(days=1), dt.time(), tzinfo=dt.UTC)
    before = dt.datetime.combine(start, dt.time(), tzinfo=dt.UTC)
    year = survey_year_for(fiscal_year, engine)
    out: dict = {
        "province_code": province_code,
        "fiscal_year": fiscal_year,
        "quarter": quarter,
        "start": str(start),
        "end": str(end),
        "survey_year": year,
        "computed_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
    }
    if year is not None:
        try:
            s = figures.area_summary(province_code, year, engine=engine)
        except figures.NotFound:
            s = None
        if s is not None:
            out |= {
                "name_th": s["name_th"],
                "name_en": s["name_en"],
                "source": s["source"],
                "surveyed_persons": s["surveyed_persons"],
                "target_poor_persons": s["target_poor_persons"],
                "target_poor_households": s["target_poor_households"],
                "mpi": s["mpi"],
                "dimension_target_poor": s["dimension_target_poor"],
            }
        if s is not None:
            out |= figures.crisis_counts([province_code], year, engine=engine).get(province_code, {})
            # the change since the edition before, and who got out or came in where household data allows
            out["change"] = change.area_change(province_code, year, engine=engine)
            if out["change"] is not None:
                try:
                    out["flows"] = flows.flows(province_code, out["change"]["year_from"], year, engine=engine)
                except NotFoundError:
                    out["flows"] = None
        try:
            amphoes = figures.ranking(province_code, year, CRISIS_RULES["ge3"], engine=engine)
        except figures.NotFound:
            amphoes = []
    else:
        amphoes = []
    h, vt, at, st, nd, mr = (
        tables.household,
        tables.visit,
        tables.assistance,
        tables.status_change,
        tables.need,
        tables.member_request.c,
    )
    here = h.c.tambon_code.like(province_code + "%")

    def of_households(t: Table) -> Join:
        """The records of the province's households."""
        return t.join(h, h.c.id == t.c.household_id)

    amphoe = func.substr(h.c.tambon_code, 1, literal(4, literal_execute=True))  # grouped by as selected
    with reading(engine) as conn:
        if "name_th" not in out:
            ar = tables.area.c
            found = conn.execute(select(ar.name_th, ar.name_en).where(ar.code == province_code)).first()
            if found is None:
                raise figures.NotFound(f"unknown province {province_code}")
            out |= {"name_th": found[0], "name_en": found[1]}
        v = conn.execute(
            select(func.count(), func.count(distinct(vt.c.household_id)))
            .select_from(of_households(vt))
            .where(here, vt.c.visited_on.between(start, end))
        ).one()
        a = conn.execute(
            select(func.count(), func.count(distinct(at.c.household_id)), func.coalesce(func.sum(at.c.amount_baht), 0))
            .select_from(of_households(at))
            .where(here, at.c.given_on.between(start, end))
        ).one()
        sc: dict[str, int] = dict(
            tuples(
                conn.execute(
                    select(st.c.status, func.count())
                    .select_from(of_households(st))
                    .where(here, st.c.changed_at >= before, st.c.changed_at < after)
                    .group_by(st.c.status)
                )
            )
        )
        added = conn.execute(
            select(func.count()).where(
                mr.tambon_code.like(province_code + "%"), mr.status == "approved", mr.decided_at >= before, mr.decided_at < after
            )
        ).scalar()
        # A need was open at the quarter's end if it existed by then and was not resolved by then.
        needs: dict[str, int] = dict(
            tuples(
                conn.execute(
                    select(nd.c.dimension, func.count())
                    .select_from(of_households(nd))
                    .where(here, nd.c.created_at < after, or_(nd.c.status != "resolved", nd.c.updated_at >= after))
                    .group_by(nd.c.dimension)
                )
            )
        )
        visits_by_amphoe: dict[str, int] = dict(
            tuples(
                conn.execute(
                    select(amphoe, func.count())
                    .select_from(of_households(vt))
                    .where(here, vt.c.visited_on.between(start, end))
                    .group_by(amphoe)
                )
            )
        )
    out |= {
        "visits": int(v[0]),
        "households_visited": int(v[1]),
        "assistance": int(a[0]),
        "households_helped": int(a[1]),
        "assistance_baht": float(a[2]),
        "status_changes": {k: int(sc.get(k, 0)) for k in ("survival", "sufficiency", "sustainability")},
        "persons_added": int(added or 0),
        "open_needs": {d: int(needs.get(d, 0)) for d in DIMENSIONS},
    }
    out["amphoes"] = [
        AmphoeFigures(
            code=r["code"],
            name_th=r["name_th"],
            name_en=r["name_en"],
            target_poor_persons=r["target_poor_persons"],
            crisis_ge3=r["crisis_ge3"],
            crisis_basic_needs=r["crisis_basic_needs"],
            visits=int(visits_by_amphoe.get(r["code"], 0)),
        )
        for r in sorted(amphoes, key=lambda r: r["code"])
    ]
    return cast(QuarterFigures, out)


def _row(conn: Connection, province_code: str, fiscal_year: int, quarter: int) -> RowMapping | None:
    r = tables.quarterly_report
    return (
        conn.execute(select(r).where(r.c.province_code == province_code, r.c.fiscal_year == fiscal_year, r.c.quarter == quarter))
        .mappings()
        .first()
    )


class ReportState(TypedDict):
    status: str  # none | draft | submitted
    version: int
    progress: str
    obstacles: str
    suggestions: str
    figures: QuarterFigures | None  # frozen at submission, else computed now
    updated_at: str | None
    updated_by: str | None
    submitted_at: str | None
    submitted_by: str | None


class Report(ReportState):
    province_code: str
    fiscal_year: int
    quarter: int
    may_write: bool


class Submission(TypedDict):
    code: str
    name_th: str | None
    name_en: str | None
    status: str
    submitted_at: str | None
    submitted_by: str | None
    updated_at: str | None
    overdue: bool
    pdf: str  # where its PDF is served


assert TEXT_FIELDS == ("progress", "obstacles", "suggestions")  # as ReportState names them


def _public(row: RowMapping | None, live: QuarterFigures | None) -> ReportState:
    if row is None:
        return cast(
            ReportState,
            {
                "status": "none",
                "version": 0,
                **{f: "" for f in TEXT_FIELDS},
                "figures": live,
                "updated_at": None,
                "updated_by": None,
                "submitted_at": None,
                "submitted_by": None,
            },
        )
    return cast(
        ReportState,
        {
            "status": row["status"],
            "version": row["version"],
            **{f: row[f] or "" for f in TEXT_FIELDS},
            "figures": json.loads(row["figures"]) if row["figures"] else live,
            "updated_at": str(row["updated_at"])[:19],
            "updated_by": row["updated_by"],
            "submitted_at": str(row["submitted_at"])[:19] if row["submitted_at"] else None,
            "submitted_by": row["submitted_by"],
        },
    )


def get_report(
    user: CurrentUser | None, province_code: str, fiscal_year: int, quarter: int, engine: Engine | None = None
) -> Report:
    user = _check(user, province_code)
    engine = engine or get_engine()
    _check_quarter(fiscal_year, quarter)
    with reading(engine) as conn:
        row = _row(conn, province_code, fiscal_year, quarter)
    live = None if row is not None and row["figures"] else compute_figures(province_code, fiscal_year, quarter, engine)
    return cast(
        Report,
        {
            "province_code": province_code,
            "fiscal_year": fiscal_year,
            "quarter": quarter,
            "may_write": may_write(user, province_code),
        }
        | _public(row, live),
    )


def save(
    user: CurrentUser | None,
    province_code: str,
    fiscal_year: int,
    quarter: int,
    *,
    texts: dict,
    version: int | None = None,
    submit: bool = False,
    engine: Engine | None = None,
) -> Report:
    """Save the unit's text as a draft, or submit it (figures frozen). version: the one the editor started from."""
    user = _check(user, province_code, write=True)
    engine = engine or get_engine()
    _check_quarter(fiscal_year, quarter)
    unknown = set(texts) - set(TEXT_FIELDS)
    if unknown:
        raise ReportError(f"unknown field {sorted(unknown)[0]!r}; a report has {', '.join(TEXT_FIELDS)}")
    clean = {}
    for f in TEXT_FIELDS:
        v = texts.get(f)
        if v is not None and not isinstance(v, str):
            raise ReportError(f"{f} must be text")
        if v is not None and len(v) > TEXT_LIMIT:
            raise ReportError(f"{f} is {len(v)} characters; the limit is {TEXT_LIMIT}")
        clean[f] = v.strip() if isinstance(v, str) else None
    now = dt.datetime.now(dt.UTC)
    frozen = json.dumps(compute_figures(province_code, fiscal_year, quarter, engine), ensure_ascii=False) if submit else None
    with writing(engine) as conn:
        row = _row(conn, province_code, fiscal_year, quarter)
        current = row["version"] if row else 0
        if row is not None and row["status"] == "submitted":
            raise ReportConflict(
                f"the report was submitted on {str(row['submitted_at'])[:16]} by {row['submitted_by']}; "
                "it can no longer be changed"
            )
        if version is not None and version != current:
            by = f" by {row['updated_by']} at {str(row['updated_at'])[:16]}" if row is not None else ""
            raise ReportConflict(f"the report was changed{by} after you opened it; reload to see their text")
        merged = {f: clean[f] if clean[f] is not None else (row[f] if row else None) for f in TEXT_FIELDS}
        if submit and not (merged["progress"] or "").strip():
            raise ReportError("write the progress section before submitting")
        values = merged | {
            "status": "submitted" if submit else "draft",
            "version": current + 1,
            "updated_at": now,
            "updated_by": user.username,
            "figures": frozen,
            **({"submitted_at": now, "submitted_by": user.username} if submit else {}),
        }
        qr = tables.quarterly_report
        if row is None:
            conn.execute(insert(qr).values(province_code=province_code, fiscal_year=fiscal_year, quarter=quarter, **values))
        else:
            which = (qr.c.province_code == province_code, qr.c.fiscal_year == fiscal_year, qr.c.quarter == quarter)
            conn.execute(update(qr).where(*which).values(**values))
        audit.record(
            "report_submitted" if submit else "report_saved",
            user=user,
            object_type="report",
            object_id=f"{province_code}/{fiscal_year}-Q{quarter}",
            area_code=province_code,
            conn=conn,
        )
    return get_report(user, province_code, fiscal_year, quarter, engine)


def submissions(user: CurrentUser | None, fiscal_year: int, quarter: int, engine: Engine | None = None) -> list[Submission]:
    """Every province with the state of its report for the quarter: the national view of who has submitted."""
    require_user(user)
    _, end = quarter_range(fiscal_year, quarter)
    due = end + dt.timedelta(days=30)
    q = tables.quarterly_report.c
    with reading(engine) as conn:
        rows = {
            r["province_code"]: r
            for r in conn.execute(
                select(q.province_code, q.status, q.updated_at, q.submitted_at, q.submitted_by).where(
                    q.fiscal_year == fiscal_year, q.quarter == quarter
                )
            ).mappings()
        }
        a = tables.area.c
        provinces = tuples(conn.execute(select(a.code, a.name_th, a.name_en).where(a.level == "province").order_by(a.code)))
    out = []
    for code, th, en in provinces:
        r = rows.get(code)
        out.append(
            Submission(
                code=code,
                name_th=th,
                name_en=en,
                status=r["status"] if r else "none",
                submitted_at=str(r["submitted_at"])[:19] if r and r["submitted_at"] else None,
                submitted_by=r["submitted_by"] if r else None,
                updated_at=str(r["updated_at"])[:19] if r else None,
                overdue=(r is None or r["status"] != "submitted") and dt.date.today() > due,
                pdf=f"/reports/quarterly/{code}/{fiscal_year}-Q{quarter}.pdf",
            )
        )
    return out


def current_quarter() -> tuple[int, int]:
    """The last finished quarter: the one a unit reports on now."""
    y, q = quarter_of(dt.date.today())
    return (y, q - 1) if q > 1 else (y - 1, 4)


def quarter_label(fiscal_year: int, quarter: int, lang: str = "th") -> str:
    from mpi.calendar import english_date, thai_date

    start, end = quarter_range(fiscal_year, quarter)
    if lang == "en":
        return f"Q{quarter} of fiscal year {fiscal_year} ({english_date(start)} - {english_date(end)})"
    return f"ไตรมาสที่ {quarter} ปีงบประมาณ {fiscal_year} ({thai_date(start)} – {thai_date(end)})"
