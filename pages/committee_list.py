"""/committees: which provinces (or a province's amphoes) have filed their ศจพ. establishment orders, on a map and
in a table; /committees/<code>: one area's committee, its members and orders, and the upload form."""

from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
from dash import html

from auth.context import current_user
from components import fmt
from components.figures import status_map
from components.i18n import area_name, t
from components.layout import card, card_row, export_links, not_found, sign_in_prompt, topbar
from components.view import parse
from components.widgets import data_table
from data_access import areas as areas_da
from data_access import committees as committees_da
from mpi.governance import FILING_STATUSES
from pages._committee_shared import PALETTE
from pages._map_canvas import register_still_maps, still_map

dash.register_page(__name__, path="/committees", title="TPMAP Open")
register_still_maps()  # every status map's drawing (this page's, the reports' and a report's), once per app


def layout(level: str = "province", parent: str = "TH", **query: str) -> html.Div:
    view = parse(query)
    lang = view.lang
    if current_user() is None:
        return sign_in_prompt(lang, "/committees")
    level = level if level in ("province", "amphoe") else "province"
    if level == "amphoe" and len(parent) != 2:
        return not_found(t("notfound.area", lang, code=parent), lang)
    chain = areas_da.ancestors(parent)
    if not chain:
        return not_found(t("notfound.area", lang, code=parent), lang)
    rows = committees_da.filing_table(level, parent)
    counts = {s: sum(r["status"] == s for r in rows) for s in FILING_STATUSES}
    cards = card_row([card(t(f"com.status.{s}", lang), f"{counts[s]:,}", id_=f"com-count-{s}") for s in FILING_STATUSES])
    shapes = "/shapes/provinces.json" if level == "province" else f"/shapes/amphoes/{parent}.json"
    fig = status_map(
        shapes,
        [r["code"] for r in rows],
        [r["status"] for r in rows],
        [area_name(r, lang) for r in rows],
        PALETTE,
        {s: t(f"com.status.{s}", lang) for s in FILING_STATUSES},
        t("com.title", lang),
        extent=areas_da.map_frame("TH" if level == "province" else parent).extent,
    )
    table = data_table(
        lang,
        id="committee-table",
        sort_action="native",
        filter_action="native",
        page_size=80,
        markdown_options={"link_target": "_self"},
        data=[
            {
                "name": f"[{area_name(r, lang)}](/committees/{r['code']}{view.query()})",
                "code": r["code"],
                "status": t(f"com.status.{r['status']}", lang),
                "order_no": r["order_no"] or "–",
                "order_date": fmt.be_date(r["order_date"], lang),
                "filed_on": fmt.be_date(r["filed_on"], lang),
                "deadline": fmt.be_date(r["deadline"], lang),
                "sub": f"{r['sub_units_filed']}/{r['sub_units']}",
                "mentor_teams": r["mentor_teams"],
            }
            for r in rows
        ],
        columns=[
            {"name": t("table.area", lang), "id": "name", "presentation": "markdown"},
            {"name": t("table.code", lang), "id": "code"},
            {"name": t("com.status", lang), "id": "status"},
            {"name": t("com.order_no", lang), "id": "order_no"},
            {"name": t("com.order_date", lang), "id": "order_date"},
            {"name": t("com.filed_on", lang), "id": "filed_on"},
            {"name": t("com.deadline", lang), "id": "deadline"},
            {"name": t("com.sub_units", lang), "id": "sub"},
            {"name": t("com.mentor_teams", lang), "id": "mentor_teams", "type": "numeric"},
        ],
        style_cell={"padding": "4px 8px", "textAlign": "left"},
        style_header={"fontWeight": "bold"},
        style_data_conditional=[
            {
                "if": {"filter_query": f'{{status}} = "{t(f"com.status.{s}", lang)}"', "column_id": "status"},
                "backgroundColor": c,
                "color": "#111" if s in ("due", "filed_late") else "#fff",
            }
            for s, c in PALETTE.items()
        ],
    )
    return html.Div(
        [
            topbar(chain, view, "/committees"),
            html.H2(t("com.title", lang) + ("" if parent == "TH" else f": {area_name(chain[-1], lang)}"), className="h4 my-2"),
            html.P(t("com.rule", lang), className="tp-sub"),
            cards,
            dbc.Row(
                [
                    dbc.Col(still_map("committee-map", fig, "tpmap-committees", lang), lg=5),
                    dbc.Col([export_links("committees", lang, level=level, parent=parent), table], lg=7),
                ]
            ),
        ]
    )
