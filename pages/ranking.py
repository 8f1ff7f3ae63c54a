"""/ranking: child areas ranked by the crisis group, under a chosen rule (the source deck's as defaults)."""

from __future__ import annotations

from dataclasses import replace
from urllib.parse import urlencode

import dash
import dash_bootstrap_components as dbc
from dash import Input, Output, State, callback, dcc, html

from components import ranking_table
from components.coverage import coverage_note, year_links
from components.i18n import area_name, said, t
from components.layout import not_found, topbar
from components.view import parse, request_lang
from components.widgets import data_table
from data_access import areas as areas_da
from data_access import change as change_da
from data_access import editions as editions_da
from data_access import figures as figures_da
from data_access import shortlists
from mpi.rules import DIMENSIONS, crisis_rule, dimensions_mask

dash.register_page(__name__, path="/ranking", title="TPMAP Open")
RULES = ("ge3", "basic_needs")


LEVEL_NAMES = {"province": "level.province", "amphoe": "level.amphoe", "tambon": "level.tambon"}


def layout(area: str = "TH", by: str = "ge3", level: str = "", order: str = "improved", **query):
    view = parse(query)
    lang = view.lang
    chain = areas_da.ancestors(area)
    if not chain or chain[-1]["code"] != area:
        return not_found(t("notfound.area", lang, code=area), lang)
    by = by if by in (*RULES, "change") else "ge3"
    level = level if level in figures_da.RANK_LEVELS else ""
    # a comparison uses the latest edition that covers every compared area, unless a year was asked for
    cover = figures_da.comparison(area, level or None, view.year if view.asked else None)
    view = replace(view, year=cover.year or view.year)

    def link(**changes):
        year = changes.pop("year", None)
        base = view.query(year=year) if year else view.query()
        return "/ranking" + base + "&" + urlencode({"area": area, "by": by, "level": level} | changes)

    head = [
        topbar(chain, view, "/ranking"),
        html.H2(
            t("rank.change_title" if by == "change" else "rank.title", lang, area=area_name(chain[-1], lang)), className="h4 my-2"
        ),
    ]
    if by == "change":
        choice = order if order in change_da.ORDERS else "improved"
        return html.Div([*head, *_by_change(chain, view, level, choice, query.get("from"), link, cover)])
    rows = figures_da.ranking(
        area, view.year, crisis_rule(by), dimensions_mask(view.dims), level=level or None, definition=view.definition
    )
    columns = ranking_table.crisis_columns(by, lang)
    data = [r | {"name": f"[{r['name']}](/area/{r['code']}{view.query()})"} for r in ranking_table.crisis_rows(rows, lang)]
    table = data_table(
        lang,
        id="ranking-table",
        sort_action="native",
        markdown_options={"link_target": "_self"},
        row_selectable="multi",
        selected_rows=[],
        data=data,
        columns=ranking_table.page_columns(columns),
        style_cell={"padding": "4px 8px", "textAlign": "left"},
        style_header={"fontWeight": "bold"},
    )
    files = {"code": area, "year": view.year, "by": by, "level": level, "lang": lang} | _dims_args(view)
    return html.Div(
        [
            *head,
            html.P(t("rank.explain", lang), className="tp-sub"),
            _choices(by, level, link, lang),
            year_links(cover, view.year, lambda y: link(year=y), lang),
            _files(files),
            _save_box(lang),
            table,
            coverage_note(cover, view.year, lang),
            dcc.Store(id="ranking-state", data={"year": view.year, "by": by}),
        ]
    )


def _dims_args(view) -> dict:
    out = {}
    if tuple(view.dims) != DIMENSIONS:
        out["dims"] = ",".join(view.dims)
    if view.definition:
        out["definition"] = view.definition
    return out


def _choices(by: str, level: str, link, lang: str) -> html.Div:
    """The rule ranked by, and the level ranked (the children, or every amphoe or tambon inside)."""
    return html.Div(
        [
            dcc.Link(
                t(f"rank.{r}", lang),
                href=link(by=r),
                id=f"rank-by-{r}",
                className="btn tp-btn-big me-2 " + ("btn-dark" if r == by else "btn-outline-dark"),
            )
            for r in (*RULES, "change")
        ]
        + [
            dcc.Link(
                t(LEVEL_NAMES[lv], lang),
                href=link(level=lv),
                id=f"rank-level-{lv}",
                className="btn tp-btn-big ms-2 " + ("btn-secondary" if lv == level else "btn-outline-secondary"),
            )
            for lv in figures_da.RANK_LEVELS
        ],
        className="my-2",
    )


def _files(args: dict) -> html.Div:
    """One table, two formats: both files are the table above (components.ranking_table), as the page shows it."""
    q = urlencode(args)
    return html.Div(
        [
            html.A("CSV", href=f"/export/ranking.csv?{q}", id="ranking-csv", className="btn btn-outline-secondary tp-btn-big"),
            html.A(
                "XLSX", href=f"/export/ranking.xlsx?{q}", id="ranking-xlsx", className="btn btn-outline-secondary tp-btn-big ms-1"
            ),
        ],
        className="my-2",
    )


def _by_change(chain: list[dict], view, level: str, order: str, raw_from: str | None, link, cover) -> list:
    """Areas by the change in target poor between two editions: most improved or most worsened first. Only areas with
    figures in both editions are ranked; the others are counted and said."""
    lang, area = view.lang, chain[-1]["code"]
    held = sorted(set(cover.years) | {e["year"] for e in editions_da.editions() if e["figures"] != "none"})
    later = [y for y in held if any(x < y for x in held)]
    if not view.asked and later:  # the pair of editions that has the most areas in both, the latest among equals
        pairs = [(change_da.compared_count(area, b, a, level or None), b, a) for a, b in zip(held, held[1:], strict=False)]
        _, to, before = max(pairs)
        view = replace(view, year=to)
        raw_from = raw_from or str(before)
    earlier = [y for y in held if y < view.year]
    year_from = int(raw_from) if raw_from and raw_from.isdigit() and int(raw_from) in earlier else (earlier or [None])[-1]
    buttons = _choices("change", level, link, lang)
    if year_from is None:
        return [buttons, html.P(t("trend.one", lang, year=view.year))]
    result = change_da.change_ranking(
        area, view.year, year_from, dimensions_mask(view.dims), level=level or None, order=order, definition=view.definition
    )
    controls = html.Div(
        [
            *[
                dcc.Link(
                    t(f"rank.order.{o}", lang),
                    href=link(order=o, **{"from": year_from}),
                    id=f"rank-order-{o}",
                    className="btn tp-btn-big me-2 " + ("btn-secondary" if o == order else "btn-outline-secondary"),
                )
                for o in change_da.ORDERS
            ],
            html.Span(t("rank.from", lang) + ":", className="ms-2 me-1"),
            *[
                dcc.Link(
                    str(y),
                    href=link(order=order, **{"from": y}),
                    id=f"rank-from-{y}",
                    className="btn me-1 " + ("btn-secondary" if y == year_from else "btn-outline-secondary"),
                )
                for y in earlier
            ],
            html.Span(t("rank.to", lang) + ":", className="ms-2 me-1"),
            *[
                dcc.Link(
                    str(y),
                    href=link(order=order, year=y),
                    id=f"rank-to-{y}",
                    className="btn me-1 " + ("btn-secondary" if y == view.year else "btn-outline-secondary"),
                )
                for y in later
            ],
        ],
        className="my-2 d-flex flex-wrap gap-1 align-items-center",
    )
    columns = ranking_table.change_columns(year_from, view.year, lang)
    rows = ranking_table.change_rows(result["items"], lang)
    table = data_table(
        lang,
        id="ranking-table",
        sort_action="native",
        markdown_options={"link_target": "_self"},
        style_table={"overflowX": "auto"},
        data=[r | {"name": f"[{r['name']}](/area/{r['code']}{view.query()})"} for r in rows],
        columns=ranking_table.page_columns(columns),
        style_cell={"padding": "4px 8px", "textAlign": "left", "whiteSpace": "normal", "height": "auto"},
        style_header={"fontWeight": "bold", "whiteSpace": "normal", "height": "auto"},
    )
    files = {"code": area, "year": view.year, "from": year_from, "by": "change", "order": order, "level": level, "lang": lang}
    return [
        html.P(t("rank.change_explain", lang, a=year_from, b=view.year), className="tp-sub"),
        buttons,
        controls,
        _files(files | _dims_args(view)),
        table if result["items"] else html.P(t("rank.none", lang), className="tp-nodata", id="rank-none"),
        html.P(
            t("rank.change_compared", lang, n=len(result["items"]), a=year_from, b=view.year)
            + (" " + t("rank.lacking", lang, n=result["lacking"]) if result["lacking"] else ""),
            className="tp-sub",
            id="rank-lacking",
        ),
    ]


def _save_box(lang: str):
    from auth.context import current_user

    if current_user() is None:
        return None
    return dbc.Row(
        [
            dbc.Col(
                dcc.Input(id="shortlist-name", type="text", placeholder=t("short.name", lang), className="form-control"), md=5
            ),
            dbc.Col(dbc.Button(t("short.save", lang), id="shortlist-save", color="primary", className="w-100"), md=3),
            dbc.Col(html.Div(id="shortlist-result"), md=4),
        ],
        className="g-2 my-2",
    )


@callback(
    Output("shortlist-result", "children"),
    Input("shortlist-save", "n_clicks"),
    State("shortlist-name", "value"),
    State("ranking-table", "selected_rows"),
    State("ranking-table", "data"),
    State("ranking-state", "data"),
    prevent_initial_call=True,
)
def save(_n, name, selected, data, state):
    from auth.context import current_user

    refs = [data[i]["code"] for i in sorted(selected or [])]
    try:
        saved = shortlists.create(current_user(), name=name, kind="areas", year=state["year"], refs=refs, rule=state["by"])
    except shortlists.ShortlistError as e:
        return dbc.Alert(said(e, request_lang()), color="danger", className="mb-0")
    return dcc.Link(saved["url"], href=saved["url"], id="shortlist-link")
