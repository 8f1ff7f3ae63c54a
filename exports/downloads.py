"""The tables a user can download, by name: each reuses the data-access function its page calls, so an export
holds exactly what the page shows that user (same scoping, same masking) and nothing more.

table(name, args, user, lang) → (rows, columns, file name, audit info). Columns are (key, label in the language).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from components import fmt, ranking_table
from components.i18n import area_name, defined, t
from components.labels import pivot_labels
from data_access import change, committees, figures, households, lenses, logbook, pivot, registers, reports, shortlists
from data_access.access import CurrentUser, require_user
from data_access.errors import BadRequest
from mpi import registers as register_kinds
from mpi.governance import parse_quarter
from mpi.lifestages import STAGE_KEYS
from mpi.rules import ALL_DIMENSIONS_MASK, DIMENSIONS, TARGET_DEFINITIONS, crisis_rule, dimensions_mask

MAX_ROWS = 100_000
CODE_RE = re.compile(r"^(TH|[0-9]{2}|[0-9]{4}|[0-9]{6})$")


GAP = "gap:"  # by=gap:<register> (the ranking), and a children file's gap columns gap:<register> (issue 33)
# what a table function gives: rows, (key, header) columns, the file's name, what the audit trail records
Table = tuple[list[dict[str, Any]], list[tuple[str, str]], str, dict[str, Any] | None]
Args = dict[str, Any]


class ExportError(BadRequest):
    pass


def _code(args: dict, key: str = "code", default: str | None = "TH") -> str:
    code = args.get(key) or default
    if code is None or not CODE_RE.match(code):
        raise ExportError(f"{key} must be TH or a 2-, 4- or 6-digit area code, got {code!r}")
    return code


def _asked_year(args: dict) -> int | None:
    raw = args.get("year")
    if raw is None or raw == "":
        return None
    if not re.fullmatch(r"[0-9]{4}", str(raw)):
        raise ExportError(f"year must be a Buddhist-era year such as 2561, got {raw!r}")
    return int(raw)


def _year(args: dict, code: str | None) -> int:
    """The year asked for, else the area's latest edition: the rule every page applies (figures.edition_for)."""
    year = figures.edition_for(code, _asked_year(args))
    if year is None:
        raise ExportError("no survey year has been imported")
    return year


def _compared_year(args: dict, code: str, level: str | None) -> int:
    """A comparison's year: the one asked for, else the latest covering every compared area (figures.comparison)."""
    year = figures.comparison(code, level, _asked_year(args)).year
    if year is None:
        raise ExportError("no survey year has been imported")
    return year


def _mask(args: dict) -> int:
    raw = args.get("dims") or args.get("dimensions")
    if not raw:
        return ALL_DIMENSIONS_MASK
    try:
        return dimensions_mask(d for d in raw.split(","))
    except ValueError as e:
        raise ExportError(str(e)) from None


def _definition(args: dict) -> str | None:
    """definition=registered|all|nocard, as on the page and in the API; none: the edition's own."""
    raw = args.get("definition") or None
    if raw is not None and raw not in TARGET_DEFINITIONS:
        raise ExportError(f"definition must be one of {', '.join(TARGET_DEFINITIONS)}, got {raw[:20]!r}")
    return raw


def _age(args: Args) -> str | None:
    """age=infant|preschool|school|working|elderly, as on the page and in the API (issue 34); none: every age."""
    raw = args.get("age") or None
    if raw is not None and raw not in STAGE_KEYS:
        raise ExportError(f"age must be one of {', '.join(STAGE_KEYS)}, got {str(raw)[:20]!r}")
    return raw


IDENTIFIERS = ("rank", "code", "name", "label", "source", "village_no")


def _staged(columns: list[tuple[str, str]], stage: str | None, lang: str) -> list[tuple[str, str]]:
    """Under a life stage, every figure's header names the stage the file counts."""
    if stage is None:
        return columns
    name = t(f"stage.{stage}", lang)
    return [(k, label if k in IDENTIFIERS else t("lens.stage_header", lang, label=label, stage=name)) for k, label in columns]


def _named(base: str, stage: str | None) -> str:
    return f"{base}-{stage}" if stage else base


def _figure_columns(lang: str, definition: str | None = None) -> list[tuple[str, str]]:
    return (
        [
            ("code", t("table.code", lang)),
            ("name", t("table.area", lang)),
            ("surveyed_persons", t("table.surveyed", lang)),
            ("target_poor_persons", t(defined("metric.target_poor", definition), lang)),
            ("target_poor_households", t(defined("rep.target_poor_households", definition), lang)),
            ("crisis_persons", t("metric.crisis", lang)),
            ("mpi", "MPI"),
            ("headcount_pct", t("table.headcount", lang) + " (%)"),
            ("intensity_pct", t("table.intensity", lang) + " (%)"),
        ]
        + [(f"dim_{d}", t(f"dim.{d}", lang)) for d in DIMENSIONS]
        + [("source", t("table.source", lang))]
    )


def percent(share: float | None, digits: int = 2) -> float | None:
    """Shares leave in one convention: per cent, rounded as the pages show them (labelled "(%)")."""
    return None if share is None else round(100 * share, digits)


def _figure_row(r: dict[str, Any], lang: str) -> dict[str, Any]:
    return (
        r
        | {
            "name": (r.get("name_en") if lang == "en" else r.get("name_th")) or r["code"],
            "headcount_pct": percent(r.get("headcount_ratio")),
            "intensity_pct": percent(r.get("intensity")),
            "mpi": None if r.get("mpi") is None else round(r["mpi"], 4),
        }
        | {f"dim_{d}": (r.get("dimension_target_poor") or {}).get(d) for d in DIMENSIONS}
    )


def _children(args: Args, user: CurrentUser | None, lang: str) -> Table:
    """The area page's table: each child's figures (of a life stage's persons under age=, a child with published
    figures only saying it cannot be split), and each loaded register's coverage gap with its date in the header."""
    code = _code(args)
    year = _year(args, code)
    who, stage = _definition(args), _age(args)
    rows = []
    for r in figures.children_summaries(code, year, _mask(args), definition=who, stage=stage):
        row = _figure_row(dict(r), lang)
        if not r.get("age_split", True):
            row["source"] = t("lens.source_unsplit", lang)
        rows.append(row)
    gap_rows, gap_columns = _gap_columns(code, year, user, lang)
    rows = [r | gap_rows.get(r["code"], {}) for r in rows]
    columns = _staged(_figure_columns(lang, who), stage, lang) + gap_columns
    return rows, columns, _named(f"tpmap-{code}-{year}", stage), {"object_type": "area", "object_id": code, "area_code": code}


def _gap_columns(
    code: str, year: int, user: CurrentUser | None, lang: str
) -> tuple[dict[str, dict[str, Any]], list[tuple[str, str]]]:
    """Each child's coverage gaps (issue 33) as the map counts them, scoped as on the map (a count of 1 or 2 kept from
    a viewer outside the child written as the page writes it): {code: {gap:<key>: n}}, and one column per loaded
    register, its header stating the date of the register's data."""
    loaded = registers.gap_registers(year)
    digits = 2 if code == "TH" else lenses.CHILD_DIGITS.get(len(code))
    if not loaded or digits is None:
        return {}, []
    found = registers.gaps_children(code, digits, year, viewer=user)
    cells: dict[str, dict[str, Any]] = {}
    for child, by in found.items():
        cells[child] = {
            GAP + k: g["unserved_persons"] if g["unserved_persons"] is not None else fmt.count(None, lang) for k, g in by.items()
        }
    columns = []
    for key, as_of in loaded:
        kind = register_kinds.kinds().get(key)
        label = f"{t('rank.gap.unserved', lang)}: {kind.name(lang) if kind else key}"
        columns.append((GAP + key, ranking_table.as_of_header(label, as_of, lang)))
    return cells, columns


def _villages(args: Args, user: CurrentUser | None, lang: str) -> Table:
    code = _code(args, default=None)
    year = _year(args, code)
    if _age(args) is not None:  # villages are rolled up for all ages only: said, never all ages under a stage's name
        raise lenses.NotByStage("villages")
    rows = [
        dict(r)
        | {"code": f"{code}-{r['village_no']:02d}", "name": f"{t('hh.village', lang)} {r['village_no']}"}
        | {f"dim_{d}": (r.get("dimension_target_poor") or {}).get(d) for d in DIMENSIONS}
        for r in figures.village_summaries(code, year, _mask(args), definition=_definition(args))
    ]
    return (
        rows,
        _figure_columns(lang, _definition(args))[:-1],
        f"tpmap-villages-{code}-{year}",
        {"object_type": "area", "object_id": code, "area_code": code},
    )


def _ranking(args: Args, user: CurrentUser | None, lang: str) -> Table:
    """The ranking page's own table (components.ranking_table): the same columns, headers, values and rounding; of a
    life stage's persons under age= (the stage in every figure's header and the file's name), or by a coverage gap
    (by=gap:<register>, the register's date in the headers)."""
    code, level = _code(args), args.get("level") or None
    if level is not None and level not in figures.RANK_LEVELS:
        raise ExportError(f"level must be one of {', '.join(figures.RANK_LEVELS)}")
    year = _compared_year(args, code, level)
    stage, by = _age(args), str(args.get("by") or "ge3")
    if by == "change":
        if stage is not None:
            raise lenses.NotByStage("change")
        return _change_ranking(args, code, year, level, lang)
    if by.startswith(GAP):
        return _gap_ranking(code, year, by[len(GAP) :], level, user, lang)
    try:
        k = args.get("k")
        rule = crisis_rule(
            by,
            min_dimensions=int(k) if k is not None and k != "" else None,
            required=(args.get("required") or "").split(","),
        )
        if stage is None:
            rows = figures.ranking(code, year, rule, _mask(args), level=level, definition=_definition(args))
        else:
            staged = lenses.stage_ranking(code, year, rule, _mask(args), stage, level, definition=_definition(args))
            if staged["unsplit"] and not staged["items"]:  # published figures only: said, never all ages
                raise lenses.NotSplit(code, year)
            rows = staged["items"]
    except ValueError as e:
        raise ExportError(str(e)) from None
    columns = ranking_table.staged(ranking_table.crisis_columns(rule.key, lang), stage, lang)
    return (
        ranking_table.crisis_rows(rows, lang),
        ranking_table.file_columns(columns),
        _named(f"tpmap-ranking-{code}-{year}", stage),
        {"object_type": "area", "object_id": code, "area_code": code},
    )


def _gap_ranking(code: str, year: int, key: str, level: str | None, user: CurrentUser | None, lang: str) -> Table:
    if key not in register_kinds.kinds():
        raise ExportError(f"by=gap:<register> names a declared register, not {key[:40]!r}")
    ranked = lenses.gap_ranking(code, year, key, level, viewer=user)
    kind = register_kinds.kinds()[key]
    columns = ranking_table.gap_columns(kind.name(lang), ranked["as_of"], lang)
    return (
        ranking_table.gap_rows(ranked["items"], lang),
        ranking_table.file_columns(columns),
        f"tpmap-gap-{key}-{code}-{year}",
        {"object_type": "area", "object_id": code, "area_code": code},
    )


def _change_ranking(args: Args, code: str, year: int, level: str | None, lang: str) -> Table:
    raw_from = args.get("from")
    if not raw_from or not re.fullmatch(r"[0-9]{4}", str(raw_from)):
        raise ExportError("from must be the Buddhist-era year the change is measured from, such as 2561")
    order = args.get("order") or "improved"
    try:
        result = change.change_ranking(
            code, year, int(raw_from), _mask(args), level=level, order=order, definition=_definition(args)
        )
    except ValueError as e:
        raise ExportError(str(e)) from None
    columns = ranking_table.change_columns(int(raw_from), year, lang)
    return (
        ranking_table.change_rows(result["items"], lang),
        ranking_table.file_columns(columns),
        f"tpmap-change-{code}-{raw_from}-{year}",
        {"object_type": "area", "object_id": code, "area_code": code},
    )


def _households(args: Args, user: CurrentUser | None, lang: str) -> Table:
    code = _code(args, default=None)
    year = _year(args, code)
    try:
        listing = households.list_target_poor_households(
            code,
            year,
            page=1,
            page_size=MAX_ROWS,
            dimension=args.get("dimension") or None,
            crisis_only=args.get("crisis") == "1",
            sort=args.get("sort") or "village",
            rule=args.get("rule") or None,
            definition=_definition(args),
            user=user,
        )
    except ValueError as e:
        raise ExportError(str(e)) from None
    rows = [
        r | {"deprived_dimensions": ", ".join(t(f"dim.{d}", lang) for d in r["deprived_dimensions"])} for r in listing["items"]
    ]
    cols = [
        ("house_id", t("hh.house", lang)),
        ("tambon_code", t("table.tambon_code", lang)),
        ("village_no", t("hh.village", lang)),
        ("members", t("hh.members", lang)),
        ("target_poor_members", t(defined("metric.target_poor", _definition(args)), lang)),
        ("deprived_dimensions", t("hh.dims", lang)),
        ("crisis", t("rank.ge3", lang)),
        ("basic_needs", t("rank.basic_needs", lang)),
        ("last_help", t("hh.last_help", lang)),
    ]
    return rows, cols, f"tpmap-households-{code}-{year}", {"object_type": "area", "object_id": code, "area_code": code}


def _committees(args: Args, user: CurrentUser | None, lang: str) -> Table:
    require_user(user)
    level = args.get("level") or "province"
    parent = _code(args, "parent")
    rows = [
        dict(r)
        | {
            "name": (r["name_en"] if lang == "en" else r["name_th"]) or r["code"],
            "status_label": t(f"com.status.{r['status']}", lang),
        }
        for r in committees.filing_table(level, parent)
    ]
    cols = [
        ("code", t("table.code", lang)),
        ("name", t("table.area", lang)),
        ("unit", t("com.unit", lang)),
        ("status_label", t("com.status", lang)),
        ("order_no", t("com.order_no", lang)),
        ("order_date", t("com.order_date", lang)),
        ("filed_on", t("com.filed_on", lang)),
        ("deadline", t("com.deadline", lang)),
        ("sub_units", "sub_units"),
        ("sub_units_filed", t("com.sub_units", lang)),
        ("operation_teams", t("com.operation_teams", lang)),
        ("mentor_teams", t("com.mentor_teams", lang)),
    ]
    return rows, cols, f"tpmap-committees-{parent}-{level}", {"object_type": "committee", "object_id": parent}


def _reports(args: Args, user: CurrentUser | None, lang: str) -> Table:
    year, q = parse_quarter(args.get("quarter") or "")
    rows = [
        dict(r)
        | {
            "name": (r["name_en"] if lang == "en" else r["name_th"]) or r["code"],
            "status_label": t(f"rep.status.{r['status']}", lang),
        }
        for r in reports.submissions(user, year, q)
    ]
    cols = [
        ("code", t("table.code", lang)),
        ("name", t("table.area", lang)),
        ("status_label", t("com.status", lang)),
        ("submitted_at", "submitted_at"),
        ("submitted_by", "submitted_by"),
        ("updated_at", "updated_at"),
        ("overdue", t("rep.overdue", lang)),
    ]
    return rows, cols, f"tpmap-quarterly-{year}-Q{q}", {"object_type": "report", "object_id": f"{year}-Q{q}"}


def _shortlist(args: Args, user: CurrentUser | None, lang: str) -> Table:
    """The columns the shortlist's page shows, in its words (the API's CSV keeps the raw keys)."""
    s = shortlists.get(args.get("token") or "", user=user)
    if s is None:
        raise ExportError("no such shortlist")
    if s["kind"] == "areas":
        items: list[dict[str, Any]] = [dict(i) for i in s["items"]]
        rows = [i | {"name": area_name(i, lang) if "name_th" in i else i["code"]} for i in items]
        cols = [
            ("position", "#"),
            ("code", t("table.code", lang)),
            ("name", t("table.area", lang)),
            ("target_poor_persons", t("table.target_poor", lang)),
            ("crisis_ge3", t("rank.ge3", lang)),
            ("crisis_basic_needs", t("rank.basic_needs", lang)),
        ]
    else:
        rows = [dict(i) for i in s["items"]]
        cols = [
            ("position", "#"),
            ("house_id", t("hh.house", lang)),
            ("tambon_code", t("table.tambon_code", lang)),
            ("village_no", t("hh.village", lang)),
            ("members", t("hh.members", lang)),
            ("target_poor_members", t("hh.target_members", lang)),
        ]
    return rows, cols, f"tpmap-shortlist-{s['token']}", {"object_type": "shortlist", "object_id": s["token"]}


def _progress(args: Args, user: CurrentUser | None, lang: str) -> Table:
    code = _code(args)
    year = _year(args, code)
    digits = {"TH": 2}.get(code, len(code) + 2)
    prog = logbook.progress_children(code, digits, year, viewer=user)
    names = {c["code"]: c for c in figures.children_summaries(code, year)} if digits <= 6 else {}
    rows = []

    def cell(
        n: int | None,
    ) -> int | str:  # a suppressed count (None) is written as the page writes it ("under 3"), never left blank as if 0
        return n if n is not None else fmt.count(n, lang)

    for c, p in sorted(prog.items()):
        a = names.get(c, {"code": c})
        rows.append(
            {
                "code": c,
                "name": (a.get("name_en") if lang == "en" else a.get("name_th")) or c,
                "visited": cell(p["households_visited"]),
                "helped": cell(p["households_helped"]),
                "flagged": cell(p["households_flagged"]),
                "added": cell(p["persons_added"]),
            }
            | {f"open_{d}": cell(p["open_needs"][d]) for d in DIMENSIONS}
        )
    cols = [
        ("code", t("table.code", lang)),
        ("name", t("table.area", lang)),
        ("visited", t("rep.households_visited", lang)),
        ("helped", t("rep.households_helped", lang)),
        ("flagged", t("table.flagged", lang)),
        ("added", t("rep.persons_added", lang)),
    ] + [(f"open_{d}", f"{t('rep.col_open', lang)}: {t(f'dim.{d}', lang)}") for d in DIMENSIONS]
    return rows, cols, f"tpmap-progress-{code}-{year}", {"object_type": "area", "object_id": code}


def _pivot(args: Args, user: CurrentUser | None, lang: str) -> Table:
    stage = _age(args)
    try:
        result = pivot.pivot(
            _code(args, "area"),
            _compared_year(args, _code(args, "area"), None),
            args.get("rows", "area"),
            args.get("cols", "dimension"),
            mask=_mask(args),
            value=args.get("value", "count"),
            definition=_definition(args),
            stage=stage,
        )
    except pivot.PivotError as e:
        raise ExportError(str(e)) from None
    lab = pivot_labels(dict(result), lang)
    corner = t("pivot.corner", lang, rows=t(f"pivot.axis.{result['rows']}", lang), cols=t(f"pivot.axis.{result['cols']}", lang))
    if stage:  # the cells count the stage's persons: the corner says which
        corner = t("lens.stage_header", lang, label=corner, stage=t(f"stage.{stage}", lang))
    cols = [("label", corner)] + [(f"c:{k}", lab["cols"][k]) for k in result["columns"]]
    hidden = result["value"] == "count" and "status" in (result["rows"], result["cols"])  # None: a suppressed count

    def cells(r: dict[str, Any]) -> dict[str, Any]:
        return {f"c:{k}": fmt.count(v, lang) if hidden and v is None else v for k, v in r["cells"].items()}

    rows = [{"label": lab["rows"][r["key"]]} | cells(dict(r)) for r in result["items"]]
    area = {"code": result["code"], **{k: result["total"].get(k) for k in ("name_th", "name_en")}}
    rows.append({"label": t("pivot.total", lang, area=area_name(area, lang))} | cells(dict(result["total"])))
    return (
        rows,
        cols,
        _named(f"tpmap-pivot-{result['code']}-{result['year']}-{result['rows']}-{result['cols']}", stage),
        {"object_type": "area", "object_id": result["code"]},
    )


def _vulnerable(args: Args, user: CurrentUser | None, lang: str) -> Table:
    from data_access import vulnerable
    from mpi.vulnerable import BURDENS, SELECTIONS, rule_from

    code = _code(args, default=None)
    year = _year(args, code)
    try:
        rule = rule_from(args.get("selections"), args.get("burdens"), args.get("min_burdens"))
        listing = vulnerable.list_households(
            code, year, user=user, rule=rule, burden=args.get("burden") or None, page=1, page_size=MAX_ROWS
        )
    except ValueError as e:
        raise ExportError(str(e)) from None
    rows = [
        r | {f"s:{s}": s in r["selection"] for s in SELECTIONS} | {f"b:{b}": b in r["burdens"] for b in BURDENS}
        for r in listing["items"]
    ]
    cols = (
        [
            ("house_id", t("hh.house", lang)),
            ("tambon_code", t("table.tambon_code", lang)),
            ("village_no", t("hh.village", lang)),
            ("members", t("hh.members", lang)),
            ("income_per_capita", t("vul.income", lang)),
        ]
        + [(f"s:{s}", t(f"vul.sel.{s}", lang)) for s in SELECTIONS]
        + [(f"b:{b}", t(f"vul.burden.{b}", lang)) for b in BURDENS]
    )
    return rows, cols, f"tpmap-vulnerable-{code}-{year}", {"object_type": "vulnerable", "object_id": code, "area_code": code}


def _requests(args: Args, user: CurrentUser | None, lang: str) -> Table:
    code = _code(args, "area", default=(user.areas[0] if user and user.areas else None)) if user else None
    rows = [dict(r) for r in logbook.list_requests(user, code or "TH", status=args.get("status") or None)]
    cols = [
        ("id", "#"),
        ("status", t("com.status", lang)),
        ("house_id", t("hh.house", lang)),
        ("tambon_code", t("table.tambon_code", lang)),
        ("village_no", t("hh.village", lang)),
        ("citizen_id", t("hh.citizen_id", lang)),
        ("first_name", t("hh.name", lang)),
        ("last_name", "last_name"),
        ("sex", t("hh.sex", lang)),
        ("birth_date", "birth_date"),
        ("requested_by", "requested_by"),
        ("requested_at", "requested_at"),
        ("decided_by", "decided_by"),
        ("reason", "reason"),
    ]
    return rows, cols, f"tpmap-member-requests-{code}", {"object_type": "member_request", "object_id": code, "area_code": code}


NO_MENTOR: dict[str, Any] = {"name": "", "kind": "", "dimension": "", "overloaded": False, "handed_back_at": None}


def _mentors(args: Args, user: CurrentUser | None, lang: str) -> Table:
    code = _code(args, "area", default=(user.areas[0] if user and user.areas else None)) if user else None
    teams = logbook.workload(user, code or "TH")
    rows = [
        {
            "team": tm["name"],
            "area_code": tm["area_code"],
            "households": tm["households"],
            "capacity": tm["capacity"],
            "mentor": m["name"],
            "kind": m["kind"],
            "dimension": m["dimension"] or "",
            "overloaded": m["overloaded"],
            "handed_back": bool(m["handed_back_at"]),
        }
        for tm in teams
        for m in ([dict(x) for x in tm["mentors"]] or [NO_MENTOR])
    ]
    cols = [
        ("team", t("lb.mentors", lang)),
        ("area_code", t("table.code", lang)),
        ("households", t("table.households", lang)),
        ("capacity", t("table.capacity", lang)),
        ("mentor", t("hh.name", lang)),
        ("kind", "kind"),
        ("dimension", "dimension"),
        ("overloaded", "overloaded"),
        ("handed_back", "handed_back"),
    ]
    return rows, cols, f"tpmap-mentor-teams-{code}", {"object_type": "mentor_team", "object_id": code, "area_code": code}


TABLES: dict[str, Callable[[Args, CurrentUser | None, str], Table]] = {
    "requests": _requests,
    "mentors": _mentors,
    "pivot": _pivot,
    "vulnerable": _vulnerable,
    "children": _children,
    "villages": _villages,
    "ranking": _ranking,
    "households": _households,
    "committees": _committees,
    "reports": _reports,
    "shortlist": _shortlist,
    "progress": _progress,
}


DATE_COLUMN = re.compile(r"(_at|_on|_date|^deadline|^last_help)$")


def table(name: str, args: Args, *, user: CurrentUser | None, lang: str = "th") -> Table:
    """Rows and columns of one table, as the page shows them: one pass here gives every table headers in the
    user's language (a column still named by its key gets its catalogue label) and Buddhist-era dates."""
    fn = TABLES.get(name)
    if fn is None:
        raise ExportError(f"no table {name!r}; there are {', '.join(sorted(TABLES))}")
    rows, cols, filename, audit_info = fn(args, user, lang)
    cols = [(k, t(f"col.{k}", lang) if label == k else label) for k, label in cols]
    dates = [k for k, _ in cols if DATE_COLUMN.search(k)]
    if dates:
        from components.fmt import be_date

        def shown(v: Any) -> Any:
            try:
                return be_date(v, lang) if v else v
            except (TypeError, ValueError):
                return v  # not a date after all: as it is

        rows = [r | {k: shown(r.get(k)) for k in dates} for r in rows]
    return rows, cols, filename, audit_info
