"""/area/<code>: the choropleth of the child areas, headline cards, the star, the table."""

from __future__ import annotations

import dash
from dash import Input, Output, State, callback, ctx, no_update

from components.view import View, parse
from mpi.editions import definition_for
from mpi.rules import DIMENSIONS, TARGET_DEFINITIONS
from pages._area_shared import area_view, tour_args

dash.register_page(__name__, path_template="/area/<code>", title="TPMAP Open", order=1)


def layout(code: str = "TH", tour: str = "", every: str = "30", **query):
    """tour=58,75,50&every=30 (with present=1) advances through those areas, one every 30 seconds."""
    stops, seconds = tour_args(tour, every)
    return area_view(code, parse(query), stops, seconds, year_given="year" in query)


@callback(
    Output("area-nav", "href"),
    Input("ctl-year", "value"),
    Input("ctl-metric", "value"),
    Input("ctl-colour", "value"),
    Input("ctl-dims", "value"),
    Input("ctl-definition", "value"),
    Input("area-map", "clickData"),
    State("area-state", "data"),
    prevent_initial_call=True,
)
def navigate(year, metric, colour, dims, definition, click, state):
    """Every control is a link: it changes the URL, and the page renders what the URL says."""
    view = View(
        year=state["year"],
        metric=state["metric"],
        colour=state["colour"],
        dims=tuple(state["dims"]),
        present=state["present"],
        lang=state["lang"],
        definition=state.get("definition"),
    )
    if ctx.triggered_id == "area-map":
        if not click or not click.get("points"):
            return no_update
        point = click["points"][0]
        # a polygon reports its location; a municipal unit's symbol carries its code in customdata
        target = point.get("location") or ((point.get("customdata") or [None, None, None])[2:3] or [None])[0]
        if not target or target == state["code"]:
            return no_update
        return f"/area/{target}" + view.query()
    chosen = tuple(d for d in DIMENSIONS if d in (dims or [])) or DIMENSIONS
    # the edition's own definition stays out of the link (a link without one keeps meaning "the edition's own")
    who = definition if definition in TARGET_DEFINITIONS and definition != definition_for(year or view.year) else None
    return state["here"] + view.query(
        year=year or view.year, metric=metric or view.metric, colour=colour or view.colour, dims=chosen, definition=who
    )
