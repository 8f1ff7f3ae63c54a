"""/household/<house_id>: members, failed indicators, the household star and a map pin."""
from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
import plotly.graph_objects as go
from dash import MATCH, Input, Output, State, callback, ctx, dash_table, dcc, html

from auth.web import current_user
from components.figures import graph_config, star
from components.i18n import area_name, t
from components.layout import dimension_badges, topbar
from components.view import parse
from data_access import areas as areas_da
from data_access.households import get_household, reveal_citizen_id
from geo.shapes import url_for_children
from mpi.rules import DIMENSIONS
from pages.area import not_found

dash.register_page(__name__, path_template="/household/<house_id>", title="TPMAP Open")


def _pin_map(h: dict, lang: str) -> go.Figure | None:
    if h["latitude"] is None:
        return None
    tambon = areas_da.get_area(h["tambon_code"]) or {}
    amphoe = tambon.get("parent_code")
    fig = go.Figure()
    if amphoe and tambon.get("has_geometry"):
        fig.add_trace(go.Choropleth(geojson=url_for_children(amphoe, "amphoe"), featureidkey="properties.code",
                                    locations=[h["tambon_code"]], z=[1], colorscale=[[0, "#fde0dd"], [1, "#fde0dd"]],
                                    showscale=False, marker_line_color="#c51b8a", marker_line_width=2,
                                    hovertemplate=area_name(tambon, lang) + "<extra></extra>"))
    fig.add_trace(go.Scattergeo(lat=[h["latitude"]], lon=[h["longitude"]], mode="markers",
                                marker={"size": 14, "color": "#49006a", "symbol": "circle"},
                                hovertemplate=f"{h['house_id']}<br>%{{lat:.5f}}, %{{lon:.5f}}<extra></extra>"))
    fig.update_geos(fitbounds="locations", visible=False)
    fig.update_layout(margin={"l": 0, "r": 0, "t": 0, "b": 0}, height=300, showlegend=False)
    return fig


def _reveal_buttons(h: dict, lang: str):
    """One button per member: the full ID is fetched one record at a time, and each reveal is audited."""
    return html.Div([
        html.Div([html.Button(f"{t('auth.reveal', lang)} #{m['member']}", className="btn btn-sm btn-outline-dark me-2 my-1",
                              id={"type": "reveal", "member": m["member"]}),
                  html.Code(id={"type": "revealed", "member": m["member"]})])
        for m in h["members"]] + [dcc.Store(id="reveal-house", data={"house_id": h["house_id"], "year": h.get("year")})],
        className="my-2", id="reveal-box")


@callback(Output({"type": "revealed", "member": MATCH}, "children"), Input({"type": "reveal", "member": MATCH}, "n_clicks"),
          State("reveal-house", "data"), prevent_initial_call=True)
def reveal(_n, house):
    member = ctx.triggered_id["member"]
    return reveal_citizen_id(house["house_id"], house["year"], member, user=current_user())


def layout(house_id: str = "", **query):
    view = parse(query)
    lang = view.lang
    user = current_user()
    h = get_household(house_id, view.year, user=user)  # scoped and audited in data_access
    if h is None:
        return not_found(t("notfound.household", lang, code=house_id), lang)
    chain = areas_da.ancestors(h["tambon_code"])
    shares = {d: (1.0 if d in h["deprived_dimensions"] else 0.0) for d in DIMENSIONS}
    members = dash_table.DataTable(
        id="members-table",
        data=[{"id": m["citizen_id"], "name": f"{m['first_name']} {m['last_name']}", "age": m["age"],
               "sex": t(f"sex.{m['sex']}", lang), "welfare": t("yes" if m["welfare_card"] else "no", lang),
               "disabled": t("yes" if m["disabled"] else "no", lang)} for m in h["members"]],
        columns=[{"name": t("hh.citizen_id", lang), "id": "id"}, {"name": t("hh.name", lang), "id": "name"},
                 {"name": t("hh.age", lang), "id": "age"}, {"name": t("hh.sex", lang), "id": "sex"},
                 {"name": t("hh.welfare", lang), "id": "welfare"}, {"name": t("hh.disabled", lang), "id": "disabled"}],
        style_cell={"fontFamily": "Sarabun, sans-serif", "padding": "6px 8px", "textAlign": "left"},
        style_header={"fontWeight": "bold"})
    failed = html.Ul([html.Li([html.Span(f["code"], className=f"tp-dim-icon tp-dim-{f['dimension']}"), " ",
                               f["name_th"] if lang == "th" else f["name_en"]]) for f in h["failed_indicators"]],
                     id="failed-indicators") if h["failed_indicators"] else html.P(t("hh.none_failed", lang))
    pin = _pin_map(h, lang)
    return html.Div([
        topbar(chain, view, f"/household/{house_id}"),
        html.H2([t("hh.title", lang, house_id=h["house_id"]), " ",
                 html.Span(t("hh.crisis", lang), className="badge bg-danger") if h["crisis"] else None],
                className="h4 my-2", id="household-title"),
        html.P([f"{t('hh.village', lang)} {h['village_no']} · ", *dimension_badges(h["deprived_dimensions"], lang)]),
        dbc.Row([
            dbc.Col([html.H3(t("hh.members_title", lang), className="h5"), members,
                     _reveal_buttons(h, lang) if user.may_reveal_ids else None,
                     html.H3(t("hh.failed_title", lang), className="h5 mt-3"), failed], lg=7),
            dbc.Col([dcc.Graph(id="household-star", figure=star([(h["house_id"], shares)], lang, t("star.household", lang)),
                               config=graph_config(f"tpmap-{house_id}-star")),
                     html.H3(t("hh.location", lang), className="h6"),
                     dcc.Graph(id="household-map", figure=pin, config=graph_config(f"tpmap-{house_id}-map")) if pin else
                     html.P(t("nodata", lang), className="tp-nodata")], lg=5),
        ]),
        dcc.Link(t("nav.back_to_area", lang), href=f"/area/{h['tambon_code']}/households{view.query()}",
                 className="btn btn-outline-primary tp-btn-big my-3"),
    ])
