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
from data_access import figures as figures_da
from data_access import shortlists
from mpi.rules import crisis_rule, dimensions_mask

dash.register_page(__name__, path="/ranking", title="TPMAP Open")
RULES = ("ge3", "basic_needs")


LEVEL_NAMES = {"province": "level.province", "amphoe": "level.amphoe", "tambon": "level.tambon"}


def layout(area: str = "TH", by: str = "ge3", level: str = "", **query):
    view = parse(query)
    lang = view.lang
    chain = areas_da.ancestors(area)
    if not chain or chain[-1]["code"] != area:
        return not_found(t("notfound.area", lang, code=area), lang)
    by = by if by in RULES else "ge3"
    level = level if level in figures_da.RANK_LEVELS else ""
    rows = figures_da.ranking(area, view.year, crisis_rule(by), dimensions_mask(view.dims), level=level or None)
    base = view.query()

    def link(**changes):
        return "/ranking" + base + "&" + urlencode({"area": area, "by": by, "level": level} | changes)

    choose = html.Div(
        [
            dcc.Link(
                t(f"rank.{r}", lang),
                href=link(by=r),
                id=f"rank-by-{r}",
                className="btn tp-btn-big me-2 " + ("btn-dark" if r == by else "btn-outline-dark"),
            )
            for r in RULES
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
