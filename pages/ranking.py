"""/ranking: child areas ranked by the crisis group, under a chosen rule (the source deck's as defaults)."""

from __future__ import annotations

from urllib.parse import urlencode

import dash
import dash_bootstrap_components as dbc
from dash import Input, Output, State, callback, dcc, html

from components.i18n import area_name, said, t
from components.layout import not_found, topbar
from components.view import parse, request_lang
from components.widgets import data_table
from data_access import areas as areas_da
from data_access import change as change_da
from data_access import editions as editions_da
from data_access import figures as figures_da
from data_access import shortlists
from mpi.rules import crisis_rule, dimensions_mask

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
    base = view.query()

    def link(**changes):
        return "/ranking" + base + "&" + urlencode({"area": area, "by": by, "level": level} | changes)

    if by == "change":
        return _by_change(chain, view, level, order if order in change_da.ORDERS else "improved", query.get("from"), link)
    rows = figures_da.ranking(
        area, view.year, crisis_rule(by), dimensions_mask(view.dims), level=level or None, definition=view.definition
    )

    choose = html.Div(
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
            # one table, two formats: both buttons use the same export (same columns, values and headers)
            html.A(
                "CSV",
                href=f"/export/ranking.csv?code={area}&year={view.year}&by={by}&level={level}&lang={lang}",
                id="ranking-csv",
                className="btn btn-outline-secondary tp-btn-big",
            ),
            html.A(
                "XLSX",
                href=f"/export/ranking.xlsx?code={area}&year={view.year}&by={by}&level={level}&lang={lang}",
                id="ranking-xlsx",
                className="btn btn-outline-secondary tp-btn-big ms-1",
            ),
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
    table = data_table(
        lang,
        id="ranking-table",
        sort_action="native",
        markdown_options={"link_target": "_self"},
        row_selectable="multi",
        selected_rows=[],
        data=[
            {
                "rank": r["rank"],
                "name": f"[{area_name(r, lang)}](/area/{r['code']}{base})",
                "code": r["code"],
                "crisis": r["crisis"],
                "share": round(100 * r["crisis_share"], 3),
                "target_poor": r["target_poor_persons"],
                "ge3": r["crisis_ge3"],
                "basic": r["crisis_basic_needs"],
            }
            for r in rows
        ],
        columns=[
            {"name": "#", "id": "rank", "type": "numeric"},
            {"name": t("table.area", lang), "id": "name", "presentation": "markdown"},
            {"name": t("table.code", lang), "id": "code"},
            {"name": t(f"rank.{by}", lang), "id": "crisis", "type": "numeric", "format": {"specifier": ","}},
            {"name": t("rank.share", lang), "id": "share", "type": "numeric"},
            {"name": t("table.target_poor", lang), "id": "target_poor", "type": "numeric", "format": {"specifier": ","}},
            {"name": t("rank.ge3", lang), "id": "ge3", "type": "numeric", "format": {"specifier": ","}},
            {"name": t("rank.basic_needs", lang), "id": "basic", "type": "numeric", "format": {"specifier": ","}},
        ],
        style_cell={"padding": "4px 8px", "textAlign": "left"},
        style_header={"fontWeight": "bold"},
    )
    return html.Div(
        [
            topbar(chain, view, "/ranking"),
            html.H2(t("rank.title", lang, area=area_name(chain[-1], lang)), className="h4 my-2"),
            html.P(t("rank.explain", lang), className="tp-sub"),
            choose,
            _save_box(lang),
            table,
            dcc.Store(id="ranking-state", data={"year": view.year, "by": by}),
        ]
    )


def _by_change(chain: list[dict], view, level: str, order: str, raw_from: str | None, link):
    """Areas by the change in target poor between two editions: most improved or most worsened first."""
    lang, area = view.lang, chain[-1]["code"]
    held = sorted(set(figures_da.known_years()) | {e["year"] for e in editions_da.editions() if e["figures"] != "none"})
    earlier = [y for y in held if y < view.year]
    year_from = int(raw_from) if raw_from and raw_from.isdigit() and int(raw_from) in earlier else (earlier or [None])[-1]
    buttons = [
        dcc.Link(
            t(f"rank.{r}", lang),
            href=link(by=r),
            id=f"rank-by-{r}",
            className="btn tp-btn-big me-2 " + ("btn-dark" if r == "change" else "btn-outline-dark"),
        )
        for r in (*RULES, "change")
    ]
    head = [
        topbar(chain, view, "/ranking"),
        html.H2(t("rank.change_title", lang, area=area_name(chain[-1], lang)), className="h4 my-2"),
    ]
    if year_from is None:
        return html.Div([*head, html.Div(buttons, className="my-2"), html.P(t("trend.one", lang, year=view.year))])
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
            *[
                dcc.Link(
                    t(LEVEL_NAMES[lv], lang),
                    href=link(level=lv, order=order, **{"from": year_from}),
                    id=f"rank-level-{lv}",
                    className="btn tp-btn-big ms-2 " + ("btn-secondary" if lv == level else "btn-outline-secondary"),
                )
                for lv in figures_da.RANK_LEVELS
            ],
        ],
        className="my-2 d-flex flex-wrap gap-1 align-items-center",
    )

    def signed(v, digits=0):
        return None if v is None else round(v, digits) if digits else v

    table = data_table(
        lang,
        id="ranking-table",
        sort_action="native",
        markdown_options={"link_target": "_self"},
        style_table={"overflowX": "auto"},
        data=[
            {
                "rank": r["rank"],
                "name": f"[{area_name(r, lang)}](/area/{r['code']}{view.query()})",
                "code": r["code"],
                "before": r["before"],
                "after": r["after"],
                "change": r["change"],
                "points": signed(r["change_points"], 2),
                "pct": signed(r["change_pct"], 1),
                "source": " → ".join(t(f"rank.source.{x}", lang) for x in (r["source_before"], r["source_after"])),
            }
            for r in result["items"]
        ],
        columns=[
            {"name": "#", "id": "rank", "type": "numeric"},
            {"name": t("table.area", lang), "id": "name", "presentation": "markdown"},
            {"name": t("table.code", lang), "id": "code"},
            {"name": t("rank.before", lang, year=year_from), "id": "before", "type": "numeric", "format": {"specifier": ","}},
            {"name": t("rank.before", lang, year=view.year), "id": "after", "type": "numeric", "format": {"specifier": ","}},
            {"name": t("rank.change_persons", lang), "id": "change", "type": "numeric", "format": {"specifier": "+,"}},
            {"name": t("rank.change_points", lang), "id": "points", "type": "numeric", "format": {"specifier": "+.2f"}},
            {"name": t("rank.change_pct", lang), "id": "pct", "type": "numeric", "format": {"specifier": "+.1f"}},
            {"name": t("rank.source", lang), "id": "source"},
        ],
        style_cell={"padding": "4px 8px", "textAlign": "left", "whiteSpace": "normal", "height": "auto"},
        style_header={"fontWeight": "bold", "whiteSpace": "normal", "height": "auto"},
    )
    return html.Div(
        [
            *head,
            html.P(t("rank.change_explain", lang, a=year_from, b=view.year), className="tp-sub"),
            html.Div(buttons, className="my-2"),
            controls,
            table if result["items"] else html.P(t("rank.none", lang), className="tp-nodata", id="rank-none"),
            html.P(t("rank.lacking", lang, n=result["lacking"]), className="tp-sub", id="rank-lacking")
            if result["lacking"]
            else None,
        ]
    )


def _save_box(lang: str):
    from auth.web import current_user

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
    from auth.web import current_user

    refs = [data[i]["code"] for i in sorted(selected or [])]
    try:
        saved = shortlists.create(current_user(), name=name, kind="areas", year=state["year"], refs=refs, rule=state["by"])
    except shortlists.ShortlistError as e:
        return dbc.Alert(said(e, request_lang()), color="danger", className="mb-0")
    return dcc.Link(saved["url"], href=saved["url"], id="shortlist-link")
