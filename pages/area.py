"""/area/<code>: the choropleth of the child areas, headline cards, the star, the table."""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

import dash
from dash import Input, Output, Patch, State, callback, clientside_callback, ctx, no_update
from dash.development.base_component import Component

from components import area_ids as ids
from components.area_view import recoloured
from components.layout import SHOWN_STORE
from components.view import View, parse
from data_access.db import one_connection
from mpi.editions import definition_for
from mpi.lifestages import STAGE_KEYS
from mpi.rules import DIMENSIONS, TARGET_DEFINITIONS
from pages._area_shared import area_parts, area_view, metric_options, tour_args
from pages._map_canvas import DRAW_JS

dash.register_page(__name__, path_template="/area/<code>", title="TPMAP Open", order=1)


def layout(code: str = "TH", tour: str = "", every: str = "30", **query: Any) -> Component:
    """tour=58,75,50&every=30 (with present=1) advances through those areas, one every 30 seconds."""
    stops, seconds = tour_args(tour, every)
    return area_view(code, parse(query, code), stops, seconds)


def _view(state: dict) -> View:
    return View(
        year=state["year"],
        metric=state["metric"],
        colour=state["colour"],
        dims=tuple(state["dims"]),
        present=state["present"],
        lang=state["lang"],
        definition=state.get("definition"),
        maplevel=state.get("maplevel", "province"),
        age=state.get("age"),
        asked=state.get("asked", True),
    )


# the update's outputs, by name (the callback answers a dict of them; a name left out is not updated)
OUTPUTS = {
    # first: app.AREA_UPDATE_OUTPUT knows this callback by the start of its outputs
    "canvas": Output(ids.CANVAS_FIGURE, "data"),
    "star": Output(ids.STAR_BOX, "children"),
    "cards": Output(ids.CARDS, "children"),
    "weakest": Output(ids.WEAKEST, "children"),
    "actions": Output(ids.ACTIONS, "children"),
    "details": Output(ids.DETAILS, "children"),
    "table": Output(ids.TABLE_BOX, "children"),
    "source": Output(ids.SOURCE, "children"),
    "topbar": Output(ids.TOPBAR, "children"),
    "options": Output(ids.METRIC, "options"),
    "value": Output(ids.METRIC, "value"),
    "state": Output(ids.STATE, "data"),
    "nav": Output(ids.NAV, "href"),
}
INPUTS = {
    "year": Input(ids.YEAR, "value"),
    "metric": Input(ids.METRIC, "value"),
    "colour": Input(ids.COLOUR, "value"),
    "dims": Input(ids.DIMS, "value"),
    "definition": Input(ids.DEFINITION, "value"),
    "maplevel": Input(ids.LEVEL, "value"),
    "age": Input(ids.AGE, "value"),
    "click": Input(ids.MAP, "data"),  # the canvas writes a click there (assets/canvas-map.js)
}
STATES = {"state": State(ids.STATE, "data")}
NOTHING: dict[str, Any] = dict.fromkeys(OUTPUTS, no_update)
# the parts an update re-sends always, and those a metric or colour change leaves standing
ALWAYS = ("actions", "table", "topbar")
WITH_FIGURES = ("cards", "weakest", "details", "source")


def _clicked(click: dict | None) -> str | None:
    """The area a map click chose: a polygon reports its location, a municipal unit's symbol its code."""
    if not click or not click.get("points"):
        return None
    point = click["points"][0]
    return point.get("location") or ((point.get("customdata") or [None, None, None])[2:3] or [None])[0]


def _chosen(controls: dict[str, Any], old: View) -> View:
    """The view the controls ask for."""
    year = controls["year"] or old.year
    dims = tuple(d for d in DIMENSIONS if d in (controls["dims"] or [])) or DIMENSIONS
    definition, age = controls["definition"], controls["age"]
    # the edition's own definition stays out of the link (a link without one keeps meaning "the edition's own")
    who = definition if definition in TARGET_DEFINITIONS and definition != definition_for(year) else None
    return replace(
        old,
        year=year,
        asked=old.asked or year != old.year,  # a year picked on the page is asked for: links keep it
        metric=controls["metric"] or old.metric,
        colour=controls["colour"] or old.colour,
        dims=dims,
        definition=who,
        maplevel="tambon" if controls["maplevel"] == "tambon" else "province",
        age=age if age in STAGE_KEYS else None,
    )


def _patched(whole: dict, state: dict, signature: list[str]) -> Patch:
    """The map's values as a Patch: the browser keeps its shapes (a national map's 7,425 codes and names stay)."""
    figure = Patch()
    if state.get("map") == signature:
        # the same traces over the same areas: their colours and words alone
        for i, trace in enumerate(whole["data"]):
            for key, value in recoloured(trace).items():
                figure["data"][i][key] = value
    else:
        figure["data"] = whole["data"]
    figure["layout"]["title"] = whole["layout"]["title"]
    if "meta" in whole["layout"]:  # the canvas's hover words follow the metric
        figure["layout"]["meta"] = whole["layout"]["meta"]
    return figure


def _options(parts: dict, code: str, old: View, drilled: bool) -> Any:
    """The metric menu, re-made when the year, the definition, the map level or the area changes."""
    new, m = parts["view"], parts["model"]
    if (new.year, new.definition, new.maplevel) == (old.year, old.definition, old.maplevel) and not drilled:
        return no_update
    return metric_options(
        new.year,
        new.lang,
        with_change=parts["previous"] is not None,
        definition=new.definition,
        national=new.maplevel == "tambon" and code == "TH",
        gaps=m.gap_registers,
    )


@callback(output=OUTPUTS, inputs=INPUTS, state=dict(STATES), prevent_initial_call=True)  # Dash merges into its state argument
def update(
    year: int | None,
    metric: str | None,
    colour: str | None,
    dims: list[str] | None,
    definition: str | None,
    maplevel: str | None,
    age: str | None,
    click: dict | None,
    state: dict,
) -> dict[str, Any]:
    """The page changes in place, its chrome (the bar, the controls) left standing, and the address follows (the
    clientside callback below). A control re-colours: the map's values go as a Patch (the browser holds its
    shapes), with the table, the links and whichever cards, star and sections the change touches; a metric or
    colour change sends the map's values, the table and the links alone. A click on the map drills down: the new
    level's map, figures and sections. On a projector, where the page has none of those parts, a click navigates."""
    old = _view(state)
    code = state["code"]
    if ctx.triggered_id == ids.MAP:
        target = _clicked(click)
        if not target or target == code:
            return NOTHING
        if old.present:
            return NOTHING | {"nav": f"/area/{target}" + old.query()}
        code, new = target, old
    else:
        controls = dict(year=year, metric=metric, colour=colour, dims=dims, definition=definition, maplevel=maplevel, age=age)
        new = _chosen(controls, old)
        if new == old:
            return NOTHING
    drilled = code != state["code"]
    relevelled = new.maplevel != old.maplevel  # another layer of shapes: the whole figure, as for a drill-down
    only_colour = not drilled and (new.year, new.dims, new.definition, new.age) == (old.year, old.dims, old.definition, old.age)
    with one_connection():  # the whole update reads through one pooled connection, like a page render
        parts = area_parts(code, new, full=not only_colour)
    if not isinstance(parts, dict):
        return NOTHING
    new = parts["view"]
    # another map (a drill-down, another level): its shapes, frame and names; else its values
    figure = parts["figure"] if drilled or relevelled else _patched(parts["figure"], state, parts["state"]["map"])
    out = NOTHING | {k: parts[k] for k in ALWAYS}
    if not only_colour:
        out |= {k: parts[k] for k in WITH_FIGURES}
        out["star"] = dash.dcc.Graph(id=ids.STAR, figure=parts["star"], config=_star_config(code, new)) if parts["f"] else None
    # a change map asked of an edition with nothing before it shows the count itself: the menu says so too
    value = new.metric if new.metric != (metric or old.metric) else no_update
    return out | {
        "canvas": figure,
        "options": _options(parts, code, old, drilled),
        "value": value,
        "state": parts["state"] | {"pushed": True},
    }


# The map's canvas draws whatever figure its store holds (assets/canvas-map.js, pages._map_canvas): its script
# is loaded the first time there is a figure to draw (static_files.LAZY_ASSETS): the pages without a map never need it.
clientside_callback(
    "function (fig) {" + DRAW_JS + " return tpDrawMap(" + json.dumps(ids.CANVAS_HOST) + ", fig); }",
    Output(ids.CANVAS_HOST, "title"),
    Input(ids.CANVAS_FIGURE, "data"),
)


def _star_config(code: str, view: View) -> Any:
    """The star's graph config (its PNG named for the area)."""
    from components.figures import graph_config

    return graph_config(f"tpmap-{code}-star", view.lang)


# The address follows the view after an in-place update: pushed by the page itself, then given to Dash's router (so
# the back button and the links know where the screen is) with the shown address set first, so that the router's
# render of it is skipped (components.layout.SHOWN_STORE). A first render leaves the address as it was typed. The
# router is told once the browser has shown the update: telling it is a callback of its own (Dash's dispatches and a
# request), which ran between the map's drawing and the frame that showed it.
clientside_callback(
    """function (state) {
        // a page's first render (its state is new, so Dash runs this) leaves the address as it was typed
        if (!state || !state.pushed) { return window.dash_clientside.no_update; }
        var url = state.here + state.query;
        if (window.location.pathname + window.location.search === url) { return window.dash_clientside.no_update; }
        window.history.pushState({}, '', url);
        var href = window.location.href;
        requestAnimationFrame(function () {
            setTimeout(function () {
                // a later update has pushed its own address meanwhile, and tells the router of it itself (the router
                // told of this one would write it back into the address bar)
                if (window.location.pathname + window.location.search !== url) { return; }
                window.dash_clientside.set_props('tp-shown', {data: url});
                window.dash_clientside.set_props('_pages_location', {pathname: state.here, search: state.query, href: href});
            }, 0);
        });
        return window.dash_clientside.no_update;
    }""",
    Output(SHOWN_STORE, "data", allow_duplicate=True),
    Input(ids.STATE, "data"),
    prevent_initial_call=True,
)
