"""/pivot: a cross-tab explorer of the target poor. The whole view lives in the URL, so a link reopens it."""

from __future__ import annotations

from dataclasses import replace
from typing import Any
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
from components.view import View, parse
from components.widgets import data_table, dropdown
from data_access import ages as ages_da
from data_access import areas as areas_da
from data_access import figures as figures_da
from data_access import pivot as pivot_da
from mpi.lifestages import STAGE_KEYS
from mpi.rules import DIMENSIONS, dimensions_mask

dash.register_page(__name__, path="/pivot", title="TPMAP Open")
ALL_AGES = "all"  # the life-stage choice "every age" (no `age=` in a link)


def _href(area: str, rows: str, cols: str, value: str, query: str) -> str:
    return "/pivot" + query + "&" + urlencode({"area": area, "rows": rows, "cols": cols, "value": value})


def layout(area: str = "TH", rows: str = "area", cols: str = "dimension", value: str = "count", **query: Any) -> html.Div:
    view = parse(query)
    lang = view.lang
    chain = [dict(a) for a in areas_da.ancestors(area)]
    if not chain or chain[-1]["code"] != area:
        return not_found(t("notfound.area", lang, code=area), lang)
    # a cross-tab over the sub-areas: the year asked for, else the latest edition that covers every one of them
    # (a tambon, with none, its own latest)
    cover = figures_da.comparison(area, None, view.year if view.asked else None)
    own = figures_da.edition_for(area, view.year if view.asked else None) or view.year
    view = replace(view, year=cover.year if cover.years and cover.year is not None else own)
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
            _age_control(view),
        ],
        className="g-2 tp-controls tp-chrome my-2",
    )
    title = t("pivot.title", lang, area=area_name(chain[-1], lang))
    if view.age:
        title = t("lens.stage_title", lang, title=title, stage=t(f"stage.{view.age}", lang))
    head = [
        topbar(chain, view, here),
        html.H2(title, className="h4 my-2", id="pivot-title"),
        _stage_note(view),
        controls,
        year_links(cover, view.year, lambda y: _href(area, rows, cols, value, view.query(year=y)), lang, "pivot-year"),
        coverage_note(cover, view.year, lang, "pivot-coverage") if cover.years else None,
        # the view's query without its stage: the callback adds the stage chosen
        dcc.Store(id="pivot-state", data={"area": area, "query": view.query(age=None)}),
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
            stage=view.age,
        )
    except ages_da.CannotSplit as e:  # published figures, or a figure not counted by stage: said, never all ages
        return html.Div(head + [html.P(said(e, lang), className="tp-nodata", id="no-stage-split")])
    except pivot_da.PivotError as e:
        return html.Div(head + [dbc.Alert(said(e, lang), color="warning", id="pivot-error")])
    except figures_da.NotFound:
        return html.Div(head + [html.P(t("nodata.area", lang, year=view.year), className="tp-nodata")])
    lab = pivot_labels(dict(result), lang)

    def show(v: float | None) -> str:
        if value == "share":
            return fmt.percent(v, 1)
        # a Logbook status count kept from this viewer (None) is "under 3", not "–"
        return fmt.count(None if v is None else int(v), lang) if "status" in (rows, cols) else fmt.number(v)

    def row(r: dict, label: str, link: str | None = None) -> dict[str, str]:
        out = {"label": f"[{label}]({link})" if link else label, "base": fmt.number(r["base"])}
        out |= {f"c{i}": show(r["cells"].get(k)) for i, k in enumerate(result["columns"])}
        return out

    data = [
        row(
            dict(r),
            lab["rows"][r["key"]],
            _href(r["key"], rows, cols, value, view.query()) if rows == "area" and len(r["key"]) < 6 else None,
        )
        for r in result["items"]
    ]
    data.append(row(dict(result["total"]), t("pivot.total", lang, area=area_name(chain[-1], lang))))
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
                "pivot",
                lang,
                area=area,
                year=view.year,
                rows=rows,
                cols=cols,
                value=value,
                dims=dims,
                definition=view.definition,
                age=view.age,
            ),
            table,
            html.P(t("lens.unsplit", lang, n=len(result["unsplit"])), className="tp-sub", id="pivot-unsplit")
            if result.get("unsplit")
            else None,
        ]
    )


def _age_control(view: View) -> dbc.Col:
    """The life-stage choice (issue 34): the cross-tab of that stage's persons; kept in every link of the page."""
    return dbc.Col(
        [
            dbc.Label(t("stage.control", view.lang), html_for="pivot-age"),
            dropdown(
                view.lang,
                id="pivot-age",
                value=view.age or ALL_AGES,
                clearable=False,
                options=[{"label": t("stage.all", view.lang), "value": ALL_AGES}]
                + [{"label": t(f"stage.{k}", view.lang), "value": k} for k in STAGE_KEYS],
            ),
        ],
        md=3,
    )


def _stage_note(view: View) -> html.P | None:
    if view.age is None:
        return None
    return html.P(
        t("stage.note", view.lang, stage=t(f"stage.{view.age}", view.lang)), className="tp-definition-note", id="stage-note"
    )


@callback(
    Output("pivot-nav", "href"),
    Input("pivot-rows", "value"),
    Input("pivot-cols", "value"),
    Input("pivot-value", "value"),
    Input("pivot-age", "value"),
    State("pivot-state", "data"),
    prevent_initial_call=True,
)
def change_view(rows: str, cols: str, value: str, age: str | None, state: dict) -> str:
    query = state["query"] + (f"&age={age}" if age in STAGE_KEYS else "")
    return _href(state["area"], rows, cols, value, query)
