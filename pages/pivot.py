"""/pivot: a cross-tab explorer of the target poor. The whole view lives in the URL, so a link reopens it."""

from __future__ import annotations

from dataclasses import replace
from urllib.parse import urlencode

import dash
import dash_bootstrap_components as dbc
from dash import Input, Output, State, callback, dcc, html

from auth.context import current_user
from components import fmt
from components.coverage import coverage_note, year_links
from components.i18n import area_name, said, t
from components.labels import pivot_labels
from components.layout import export_links, not_found, topbar
from components.view import parse
from components.widgets import data_table, dropdown
from data_access import areas as areas_da
from data_access import figures as figures_da
from data_access import pivot as pivot_da
from mpi.rules import DIMENSIONS, dimensions_mask

dash.register_page(__name__, path="/pivot", title="TPMAP Open")


def _href(area: str, rows: str, cols: str, value: str, query: str) -> str:
    return "/pivot" + query + "&" + urlencode({"area": area, "rows": rows, "cols": cols, "value": value})


def layout(area: str = "TH", rows: str = "area", cols: str = "dimension", value: str = "count", **query):
    view = parse(query)
    lang = view.lang
    chain = areas_da.ancestors(area)
    if not chain or chain[-1]["code"] != area:
        return not_found(t("notfound.area", lang, code=area), lang)
    # a cross-tab over the sub-areas: the year asked for, else the latest edition that covers every one of them
    # (a tambon, with none, its own latest)
    cover = figures_da.comparison(area, None, view.year if view.asked else None)
    view = replace(
        view, year=cover.year if cover.years else figures_da.edition_for(area, view.year if view.asked else None) or view.year
    )
    here = "/pivot"
    controls = dbc.Row(
        [
            dbc.Col(
                [
                    dbc.Label(t("pivot.rows", lang)),
                    dropdown(
                        lang,
                        id="pivot-rows",
                        value=rows,
                        clearable=False,
                        options=[{"label": t(f"pivot.axis.{a}", lang), "value": a} for a in pivot_da.AXES],
                    ),
                ],
                md=3,
            ),
            dbc.Col(
                [
                    dbc.Label(t("pivot.cols", lang)),
                    dropdown(
                        lang,
                        id="pivot-cols",
                        value=cols,
                        clearable=False,
                        options=[{"label": t(f"pivot.axis.{a}", lang), "value": a} for a in pivot_da.AXES],
                    ),
                ],
                md=3,
            ),
            dbc.Col(
                [
                    dbc.Label(t("pivot.value", lang)),
                    dbc.RadioItems(
                        id="pivot-value",
                        value=value,
                        inline=True,
                        options=[{"label": t(f"pivot.value.{v}", lang), "value": v} for v in pivot_da.VALUES],
                    ),
                ],
                md=3,
            ),
        ],
        className="g-2 tp-controls tp-chrome my-2",
    )
    head = [
        topbar(chain, view, here),
        html.H2(t("pivot.title", lang, area=area_name(chain[-1], lang)), className="h4 my-2"),
        controls,
        year_links(cover, view.year, lambda y: _href(area, rows, cols, value, view.query(year=y)), lang, "pivot-year"),
        coverage_note(cover, view.year, lang, "pivot-coverage") if cover.years else None,
        dcc.Store(id="pivot-state", data={"area": area, "query": view.query()}),
        dcc.Location(id="pivot-nav", refresh="callback-nav"),
    ]
    try:
        result = pivot_da.pivot(
            area,
            view.year,
            rows,
            cols,
            mask=dimensions_mask(view.dims),
            value=value,
            viewer=current_user(),
            definition=view.definition,
        )
    except pivot_da.PivotError as e:
        return html.Div(head + [dbc.Alert(said(e, lang), color="warning", id="pivot-error")])
    except figures_da.NotFound:
        return html.Div(head + [html.P(t("nodata.area", lang, year=view.year), className="tp-nodata")])
    lab = pivot_labels(result, lang)

    def show(v) -> str:
        if value == "share":
            return fmt.percent(v, 1)
        # a Logbook status count kept from this viewer (None) is "under 3", not "–"
        return fmt.count(v, lang) if "status" in (rows, cols) else fmt.number(v)

    def row(r, label, link=None):
        out = {"label": f"[{label}]({link})" if link else label, "base": fmt.number(r["base"])}
        out |= {f"c{i}": show(r["cells"].get(k)) for i, k in enumerate(result["columns"])}
        return out

    data = [
        row(
            r,
            lab["rows"][r["key"]],
            _href(r["key"], rows, cols, value, view.query()) if rows == "area" and len(r["key"]) < 6 else None,
        )
        for r in result["items"]
    ]
    data.append(row(result["total"], t("pivot.total", lang, area=area_name(chain[-1], lang))))
    base_label = t("pivot.base_area", lang) if rows == "area" else t("pivot.base_cat", lang)
    columns = [{"name": "", "id": "label", "presentation": "markdown"}, {"name": base_label, "id": "base"}] + [
        {"name": lab["cols"][k], "id": f"c{i}"} for i, k in enumerate(result["columns"])
    ]
    table = data_table(
        lang,
        id="pivot-table",
        data=data,
        columns=columns,
        markdown_options={"link_target": "_self"},
        style_cell={
            "padding": "4px 8px",
            "textAlign": "right",
            "whiteSpace": "normal",
            "maxWidth": "14rem",
        },
        style_cell_conditional=[{"if": {"column_id": "label"}, "textAlign": "left"}],
        style_data_conditional=[{"if": {"row_index": len(data) - 1}, "fontWeight": "bold", "borderTop": "2px solid #333"}],
        style_header={"fontWeight": "bold", "whiteSpace": "normal"},
        style_table={"overflowX": "auto"},
    )
    dims = ",".join(view.dims) if tuple(view.dims) != DIMENSIONS else None
    return html.Div(
        head
        + [
            html.P(t(f"pivot.unit.{result['unit']}", lang) + " · " + t(f"pivot.value_explain.{value}", lang), className="tp-sub"),
            export_links(
                "pivot", lang, area=area, year=view.year, rows=rows, cols=cols, value=value, dims=dims, definition=view.definition
            ),
            table,
        ]
    )


@callback(
    Output("pivot-nav", "href"),
    Input("pivot-rows", "value"),
    Input("pivot-cols", "value"),
    Input("pivot-value", "value"),
    State("pivot-state", "data"),
    prevent_initial_call=True,
)
def change_view(rows, cols, value, state):
    return _href(state["area"], rows, cols, value, state["query"])
