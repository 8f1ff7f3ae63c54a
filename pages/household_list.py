"""/area/<code>/households: the target-poor households of an area, paged on the server."""

from __future__ import annotations

import math
from urllib.parse import urlencode

import dash
from dash import dcc, html
from dash.development.base_component import Component

from auth.context import current_user
from components.i18n import area_name, defined, t
from components.layout import export_links, not_found, topbar
from components.view import parse
from components.widgets import data_table
from data_access import areas as areas_da
from data_access import logbook as logbook_da
from data_access.figures import has_survey
from data_access.households import MEMBER_FILTERS, PAGE_SIZE, SORTS, list_target_poor_households
from mpi.editions import definition_for
from mpi.rules import CRISIS_RULES, DIMENSIONS, TARGET_DEFINITIONS

# order 0: tried before /area/<code>, whose wildcard would also match this path
dash.register_page(__name__, path_template="/area/<code>/households", title="TPMAP Open", order=0)


def layout(
    code: str = "TH",
    page: str = "1",
    dim: str | None = "",
    crisis: str = "",
    sort: str = "village",
    rule: str = "",
    member: str = "",
    **query: str,
) -> html.Div:
    view = parse(query, code)
    lang = view.lang
    chain = areas_da.ancestors(code)
    if not chain or chain[-1]["code"] != code:
        return not_found(t("notfound.area", lang, code=code), lang)
    here = f"/area/{code}/households"
    who = view.definition
    head: list[Component] = [
        topbar(chain, view, here),
        html.H2(f"{t(defined('nav.households', who), lang)}: {area_name(chain[-1], lang)}", className="h4 my-2"),
    ]
    if not has_survey(code, view.year):
        return html.Div(head + [html.P(t("nodata.households", lang), className="tp-nodata", id="no-households")])
    dim = dim if dim in DIMENSIONS else None
    crisis_only = crisis == "1"
    sort = sort if sort in SORTS else "village"
    rule = rule if rule in CRISIS_RULES else ""
    member = member if member in MEMBER_FILTERS else ""
    page_no = int(page) if str(page).isdigit() and 0 < int(page) < 1_000_000 else 1
    # Scoped in data_access: outside the user's area this raises Forbidden (403), signed out Unauthorized (401).
    result = list_target_poor_households(
        code,
        view.year,
        page=page_no,
        dimension=dim,
        crisis_only=crisis_only,
        sort=sort,
        rule=rule or None,
        definition=view.definition,
        member=member or None,
        user=current_user(),
    )
    pages = max(1, math.ceil(result["total"] / PAGE_SIZE))

    def link(**changes: str | int) -> str:
        state = {
            "page": page_no,
            "dim": dim or "",
            "crisis": "1" if crisis_only else "",
            "sort": sort,
            "rule": rule,
            "member": member,
        } | changes
        q = {k: v for k, v in state.items() if v not in ("", None)}
        return here + view.query() + "&" + urlencode(q)

    # who is listed: the target poor, every MPI-poor household, or the poor households nobody in which holds a card
    # (the exclusion errors the deck asks teams to find)
    own = definition_for(view.year)
    definitions = html.Div(
        [html.Span(t("definition", lang) + ": ", className="me-1")]
        + [
            dcc.Link(
                t(f"definition.{d}", lang),
                href=here + view.query(definition=None if d == own else d) + "&" + urlencode({"sort": sort}),
                id=f"definition-{d}",
                className="btn btn-sm tp-btn-big me-1 " + ("btn-dark" if d == (who or own) else "btn-outline-dark"),
            )
            for d in TARGET_DEFINITIONS
        ]
        + ([html.P(t(f"definition.note.{who}", lang), className="tp-definition-note mt-2")] if who and who != own else []),
        className="my-2",
    )
    filters = html.Div(
        [
            html.Span(t("hh.filter_dim", lang) + ": ", className="me-1"),
            *[
                dcc.Link(
                    t("hh.any", lang) if d is None else t(f"dim.{d}", lang),
                    href=link(dim=d or "", page=1),
                    className="btn btn-sm tp-btn-big me-1 " + ("btn-dark" if d == dim else "btn-outline-dark"),
                )
                for d in [None, *DIMENSIONS]
            ],
            dcc.Link(
                t("hh.crisis_only", lang),
                href=link(crisis="" if crisis_only else "1", rule="", page=1),
                id="crisis-filter",
                className="btn btn-sm tp-btn-big ms-2 " + ("btn-danger" if crisis_only else "btn-outline-danger"),
            ),
            # the source deck's two crisis rules, as controls (issue 12: `rule=` is honoured, and visible)
            *[
                dcc.Link(
                    t(f"rank.{key}", lang),
                    href=link(rule="" if rule == key else key, crisis="", page=1),
                    id=f"rule-{key}",
                    className="btn btn-sm tp-btn-big ms-1 " + ("btn-danger" if rule == key else "btn-outline-danger"),
                )
                for key in CRISIS_RULES
            ],
            # by life stage (issue 34): who in the household makes it one to visit
            html.Span(t("hh.filter_member", lang) + ": ", className="ms-3 me-1"),
            *[
                dcc.Link(
                    t(f"hh.member.{key}", lang),
                    href=link(member="" if member == key else key, page=1),
                    id=f"member-{key}",
                    className="btn btn-sm tp-btn-big me-1 " + ("btn-dark" if member == key else "btn-outline-dark"),
                )
                for key in MEMBER_FILTERS
            ],
            html.Span(t("hh.sort", lang) + ": ", className="ms-3 me-1"),
            *[
                dcc.Link(
                    t(label, lang),
                    href=link(sort=key, page=1),
                    className="btn btn-sm tp-btn-big me-1 " + ("btn-secondary" if key == sort else "btn-outline-secondary"),
                )
                for key, label in (
                    ("village", "hh.village"),
                    ("members", "hh.members"),
                    ("target", "hh.target_members"),
                    ("priority", "hh.sort_priority"),
                )
            ],
        ],
        className="my-2 tp-controls",
    )
    tambons = areas_da.names([h["tambon_code"] for h in result["items"]])
    rows = [
        {
            "house": f"[{h['house_id']}](/household/{h['house_id']}{view.query()})",
            "village": h["village_no"],
            "tambon": area_name(tambons[h["tambon_code"]], lang) if h["tambon_code"] in tambons else h["tambon_code"],
            "members": h["members"],
            "target": h["target_poor_members"],
            "dims": " · ".join(t(f"dim.{d}", lang) for d in h["deprived_dimensions"]),
            "crisis": t("yes", lang) if h["crisis"] else "",
        }
        for h in result["items"]
    ]
    table = data_table(
        lang,
        id="households-table",
        data=rows,
        markdown_options={"link_target": "_self"},
        columns=[
            {"name": t("hh.house", lang), "id": "house", "presentation": "markdown"},
            {"name": t("level.tambon", lang), "id": "tambon"},
            {"name": t("hh.village", lang), "id": "village"},
            {"name": t("hh.members", lang), "id": "members"},
            {"name": t(defined("hh.target_members", who), lang), "id": "target"},
            {"name": t("hh.dims", lang), "id": "dims"},
            {"name": t("hh.crisis", lang), "id": "crisis"},
        ],
        style_cell={"padding": "6px 8px", "textAlign": "left"},
        style_header={"fontWeight": "bold"},
        style_data_conditional=[{"if": {"filter_query": '{crisis} != ""'}, "backgroundColor": "#fde0dd"}],
    )
    pager = html.Div(
        [
            dcc.Link(t("hh.prev", lang), href=link(page=page_no - 1), className="btn btn-outline-primary tp-btn-big me-2")
            if page_no > 1
            else None,
            html.Span(t("hh.page", lang, page=page_no, pages=pages, total=f"{result['total']:,}"), id="households-total"),
            dcc.Link(
                t("hh.next", lang),
                href=link(page=page_no + 1),
                className="btn btn-outline-primary tp-btn-big ms-2",
                id="next-page",
            )
            if page_no < pages
            else None,
        ],
        className="my-2",
    )
    added = [r for r in logbook_da.list_requests(current_user(), code, status="approved")]
    added_section = (
        html.Div(
            [
                html.H3(t("lb.added", lang), className="h5 mt-4"),
                html.Ul(
                    [
                        html.Li(
                            f"{r['first_name']} {r['last_name']} · {r['citizen_id']} · "
                            f"{r['house_id'] or (r['tambon_code'] + ' ' + t('hh.village', lang) + ' ' + str(r['village_no']))}"
                            f" · {r['decided_by']}"
                        )
                        for r in added
                    ],
                    id="added-members",
                ),
            ]
        )
        if added
        else None
    )
    requests_link = dcc.Link(
        t("lb.requests", lang),
        href=f"/logbook/requests?area={code}",
        className="btn btn-outline-dark tp-btn-big my-2",
        id="requests-link",
    )
    mentors_link = dcc.Link(
        t("lb.mentors", lang),
        href=f"/logbook/mentors?area={code}",
        className="btn btn-outline-dark tp-btn-big my-2 ms-2",
        id="mentors-link",
    )
    exports = export_links(
        "households",
        lang,
        code=code,
        year=view.year,
        dimension=dim,
        crisis="1" if crisis_only else None,
        sort=sort,
        rule=rule or None,
        definition=who,
    )
    return html.Div(head + [definitions, filters, exports, pager, table, pager, added_section, requests_link, mentors_link])
