"""/area/<code>/vulnerable: vulnerable households (ครัวเรือนเปราะบาง) of an area under a rule kept in the URL: counts
per selection condition and burden, by child area, and (signed in, own area only) the households themselves."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import urlencode

import dash
import dash_bootstrap_components as dbc
from dash import Input, Output, State, callback, dcc, html
from dash.development.base_component import Component

from auth.context import current_user
from components import fmt
from components.i18n import area_name, said, t
from components.layout import card, card_row, export_links, not_found, topbar
from components.view import View, parse
from components.widgets import data_table, dropdown
from data_access import areas as areas_da
from data_access import vulnerable as vulnerable_da
from data_access.access import Forbidden
from mpi import registers as register_kinds
from mpi.vulnerable import BURDENS, SELECTIONS, VulnerableRule, rule_from

dash.register_page(__name__, path_template="/area/<code>/vulnerable", title="TPMAP Open", order=0)


def layout(
    code: str = "TH",
    selections: str = "",
    burdens: str = "",
    min_burdens: str = "1",
    burden: str = "",
    page: str = "1",
    **query: str,
) -> html.Div:
    view = parse(query, code)
    lang = view.lang
    chain = areas_da.ancestors(code)
    if not chain or chain[-1]["code"] != code:
        return not_found(t("notfound.area", lang, code=code), lang)
    here = f"/area/{code}/vulnerable"
    try:
        rule = rule_from(selections, burdens, min_burdens)
    except ValueError as e:
        return html.Div([topbar(chain, view, here), dbc.Alert(said(e, lang), color="warning")])
    f = vulnerable_da.area_figures(code, view.year, rule)
    rule_args = {
        "selections": ",".join(sorted(rule.selections)),
        "burdens": ",".join(sorted(rule.burdens)),
        "min_burdens": rule.min_burdens,
    }
    controls = dbc.Row(
        [
            dbc.Col(
                [
                    dbc.Label(t("vul.selections", lang)),
                    dbc.Checklist(
                        id="vul-selections",
                        value=sorted(rule.selections),
                        options=[{"label": t(f"vul.sel.{s}", lang), "value": s} for s in SELECTIONS],
                    ),
                ],
                md=5,
            ),
            dbc.Col(
                [
                    dbc.Label(t("vul.burdens", lang)),
                    dbc.Checklist(
                        id="vul-burdens",
                        value=sorted(rule.burdens),
                        options=[{"label": t(f"vul.burden.{b}", lang), "value": b} for b in BURDENS],
                    ),
                ],
                md=4,
            ),
            dbc.Col(
                [
                    dbc.Label(t("vul.min_burdens", lang)),
                    dropdown(
                        lang,
                        id="vul-min",
                        value=rule.min_burdens,
                        clearable=False,
                        options=[{"label": str(k), "value": k} for k in range(0, len(BURDENS) + 1)],
                    ),
                    dbc.Button(t("vul.apply", lang), id="vul-apply", color="primary", className="mt-2 tp-btn-big"),
                ],
                md=3,
            ),
        ],
        className="g-2 tp-controls tp-chrome my-2",
    )
    head = [
        topbar(chain, view, here),
        html.H2(t("vul.title", lang, area=area_name(dict(chain[-1]), lang)), className="h4 my-2"),
        html.P(t("vul.explain", lang), className="tp-sub"),
        controls,
        dcc.Store(id="vul-state", data={"here": here, "query": view.query()}),
        dcc.Location(id="vul-nav", refresh="callback-nav"),
    ]
    if not f["assessed_households"]:
        return html.Div(head + [html.P(t("vul.none", lang), className="tp-nodata", id="vul-none")])
    cards = card_row(
        [
            card(t("vul.households", lang), fmt.number(f["vulnerable_households"]), id_="vul-households"),
            card(t("vul.persons", lang), fmt.number(f["vulnerable_persons"]), id_="vul-persons"),
            card(t("vul.selected", lang), fmt.number(f["selected_households"])),
            card(
                t("vul.assessed", lang),
                fmt.number(f["assessed_households"]),
                f"{fmt.percent(f['assessed_households'] / f['surveyed_households'], 0)}" if f["surveyed_households"] else None,
            ),
        ]
    )

    def link(b: str) -> str:
        return here + view.query() + "&" + urlencode(rule_args | {"burden": b})

    burden_rows = html.Ul(
        [
            html.Li(
                [
                    dcc.Link(t(f"vul.burden.{b}", lang), href=link(b)),
                    ": ",
                    html.B(fmt.number(f["by_burden"][b]), id=f"vul-burden-{b}"),
                ]
            )
            for b in BURDENS
            if b in rule.burdens
        ],
        className="tp-burdens",
    )
    sel_rows = html.Ul(
        [
            html.Li([t(f"vul.sel.{s}", lang), ": ", html.B(fmt.number(f["by_selection"][s]))])
            for s in SELECTIONS
            if s in rule.selections
        ]
    )
    children = data_table(
        lang,
        id="vul-children",
        sort_action="native",
        markdown_options={"link_target": "_self"},
        data=[
            {
                "name": f"[{area_name(dict(c), lang)}](/area/{c['code']}/vulnerable{view.query()}&{urlencode(rule_args)})",
                "code": c["code"],
                "vulnerable": c["vulnerable_households"],
                "persons": c["vulnerable_persons"],
                "assessed": c["assessed_households"],
                **{b: c["by_burden"][b] for b in BURDENS},
            }
            for c in f["children"]
        ],
        columns=[
            {"name": t("table.area", lang), "id": "name", "presentation": "markdown"},
            {"name": t("vul.households", lang), "id": "vulnerable", "type": "numeric", "format": {"specifier": ","}},
            {"name": t("vul.persons", lang), "id": "persons", "type": "numeric", "format": {"specifier": ","}},
            {"name": t("vul.assessed", lang), "id": "assessed", "type": "numeric", "format": {"specifier": ","}},
        ]
        + [{"name": t(f"vul.burden.{b}", lang), "id": b, "type": "numeric", "format": {"specifier": ","}} for b in BURDENS],
        style_cell={"padding": "4px 8px", "textAlign": "left", "whiteSpace": "normal"},
        style_header={"fontWeight": "bold", "whiteSpace": "normal"},
        style_table={"overflowX": "auto"},
    )
    return html.Div(
        head
        + [
            cards,
            dbc.Row(
                [
                    dbc.Col([html.H3(t("vul.by_burden", lang), className="h5 mt-3"), burden_rows], md=6),
                    dbc.Col([html.H3(t("vul.selections", lang), className="h5 mt-3"), sel_rows], md=6),
                ]
            ),
            children,
            _sources(f["sources"], lang),
            _households(code, view, rule, rule_args, burden or None, page, lang),
        ]
    )


def _criterion_name(criterion: str, lang: str) -> str:
    return t(f"vul.sel.{criterion}" if criterion in SELECTIONS else f"vul.burden.{criterion}", lang)


def _source_said(source: Mapping[str, Any], lang: str) -> str:
    """A loaded register by its name, owner and as-of date; otherwise the survey file's optional columns."""
    if source["register"] is None:
        return t("vul.source.survey", lang)
    kind = register_kinds.kinds()[source["register"]]
    return t("vul.source.register", lang, name=kind.name(lang), owner=kind.owner(lang), date=fmt.be_date(source["as_of"], lang))


def _sources(sources: Sequence[Mapping[str, Any]], lang: str) -> html.Div:
    """Where each condition came from (issue 33, 6): the register that decided it, as of when, or the survey file."""
    return html.Div(
        [
            html.H3(t("vul.sources", lang), className="h5 mt-3"),
            html.Ul(
                [
                    html.Li(
                        [_criterion_name(s["criterion"], lang), ": ", html.Span(_source_said(s, lang), className="tp-when")],
                        id=f"vul-source-{s['criterion']}",
                        **_data_source(s),
                    )
                    for s in sources
                ],
                className="tp-sources",
            ),
        ],
        id="vul-sources",
    )


def _data_source(source: Mapping[str, Any]) -> dict[str, Any]:
    """The condition's source as the item's data-source attribute: a register's key, or survey."""
    return {"data-source": source["register"] or "survey"}


def _households(
    code: str, view: View, rule: VulnerableRule, rule_args: dict[str, Any], burden: str | None, page: str, lang: str
) -> Component:
    user = current_user()
    if user is None:
        return html.P(
            dcc.Link(t("vul.sign_in", lang), href=f"/login?next=/area/{code}/vulnerable", refresh=True),
            className="my-3",
            id="vul-sign-in",
        )
    try:
        page_no = max(1, int(page))
    except ValueError:
        page_no = 1
    try:
        listing = vulnerable_da.list_households(code, view.year, user=user, rule=rule, burden=burden, page=page_no)
    except Forbidden as e:
        return dbc.Alert(said(e, lang), color="secondary", className="my-3", id="vul-forbidden")
    tambons = areas_da.names([r["tambon_code"] for r in listing["items"]])
    rows = [
        {
            "house": f"[{r['house_id']}](/household/{r['house_id']}{view.query()})",
            "tambon": area_name(dict(tambons.get(r["tambon_code"], {"code": r["tambon_code"]})), lang),
            "village": r["village_no"],
            "members": r["members"],
            "income": fmt.number(r["income_per_capita"]),
            "selection": " · ".join(t(f"vul.sel.{s}", lang) for s in r["selection"]),
            "burdens": " · ".join(t(f"vul.burden.{b}", lang) for b in r["burdens"]),
        }
        for r in listing["items"]
    ]
    pages = max(1, -(-listing["total"] // listing["page_size"]))
    base = f"/area/{code}/vulnerable" + view.query() + "&" + urlencode(rule_args | ({"burden": burden} if burden else {}))
    pager = html.Div(
        [
            dcc.Link(t("hh.prev", lang), href=f"{base}&page={page_no - 1}", className="btn btn-sm btn-outline-secondary me-2")
            if page_no > 1
            else None,
            html.Span(t("hh.page", lang, page=page_no, pages=pages, total=fmt.number(listing["total"]))),
            dcc.Link(t("hh.next", lang), href=f"{base}&page={page_no + 1}", className="btn btn-sm btn-outline-secondary ms-2")
            if page_no < pages
            else None,
        ],
        className="my-2",
    )
    return html.Div(
        [
            html.H3(t("vul.list", lang) + (f": {t(f'vul.burden.{burden}', lang)}" if burden else ""), className="h5 mt-4"),
            export_links("vulnerable", lang, code=code, year=view.year, burden=burden, **rule_args),
            pager,
            data_table(
                lang,
                id="vul-households-table",
                data=rows,
                markdown_options={"link_target": "_self"},
                columns=[
                    {"name": t("hh.house", lang), "id": "house", "presentation": "markdown"},
                    {"name": t("level.tambon", lang), "id": "tambon"},
                    {"name": t("hh.village", lang), "id": "village"},
                    {"name": t("hh.members", lang), "id": "members"},
                    {"name": t("vul.income", lang), "id": "income"},
                    {"name": t("vul.selections", lang), "id": "selection"},
                    {"name": t("vul.burdens", lang), "id": "burdens"},
                ],
                style_cell={
                    "padding": "4px 8px",
                    "textAlign": "left",
                    "whiteSpace": "normal",
                },
                style_header={"fontWeight": "bold"},
            ),
        ]
    )


@callback(
    Output("vul-nav", "href"),
    Input("vul-apply", "n_clicks"),
    State("vul-selections", "value"),
    State("vul-burdens", "value"),
    State("vul-min", "value"),
    State("vul-state", "data"),
    prevent_initial_call=True,
)
def apply_rule(_n: int | None, selections: list[str] | None, burdens: list[str] | None, k: int, state: dict[str, str]) -> str:
    args = {"selections": ",".join(selections or []), "burdens": ",".join(burdens or []), "min_burdens": k}
    return state["here"] + state["query"] + "&" + urlencode(args)
