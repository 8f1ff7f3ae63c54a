"""A map drawn on a canvas by assets/canvas-map.js instead of plotly.js (issue 35, 5): the area pages' map, and the
committees' and reports' status maps. The figure is the plotly figure components/figures.py builds, kept in a store;
the canvas's script is loaded the first time there is a figure to draw (static_files.LAZY_ASSETS)."""

from __future__ import annotations

import json
from typing import Any

from dash import MATCH, Input, Output, State, clientside_callback, dcc, html

from components.i18n import t
from static_files import CANVAS_SCRIPT, asset_url

# the figure that came last is the one drawn once the script is here; if the script cannot come, the map says so
# where it would be (`host` is the element's id in the page; `fig` the figure)
DRAW_JS = """
    function tpDrawMap(host, fig) {
        var no = window.dash_clientside.no_update;
        if (window.tpCanvasMap) { return window.tpCanvasMap.render(host, fig); }
        if (!fig) { return no; }
        window.tpCanvasFigs = window.tpCanvasFigs || {};
        window.tpCanvasFigs[host] = fig;
        var url = __URL__, script = document.querySelector('script[src="' + url + '"]');
        if (!script) {
            script = document.createElement('script');
            script.src = url;
            script.onload = function () {
                Object.keys(window.tpCanvasFigs).forEach(function (h) { window.tpCanvasMap.render(h, window.tpCanvasFigs[h]); });
            };
            script.onerror = function () {
                // as the canvas says it of a shape file that does not come
                Object.keys(window.tpCanvasFigs).forEach(function (h) {
                    var el = document.getElementById(h), meta = (window.tpCanvasFigs[h].layout || {}).meta || {};
                    var title = document.createElement('div');
                    title.className = 'tp-cmap-title';
                    title.textContent = meta.failed || '';
                    if (el) { el.replaceChildren(title); el.setAttribute('data-failed', '1'); }
                });
                script.remove();  // the next figure tries again
            };
            document.head.appendChild(script);
        }
        return no;
    }
""".replace("__URL__", json.dumps(asset_url(CANVAS_SCRIPT)))

FIGURE = "tp-cmap-fig"  # the store of a status map's figure: {"type": FIGURE, "host": the host element's id}


def with_meta(figure: dict, png: str, lang: str, **more: Any) -> dict:
    """The figure with what the canvas writes besides its traces: the PNG's name and button, the language, what it
    says when its shapes do not come."""
    meta = {"png": png, "png_label": t("map.save_png", lang), "failed": t("map.load_failed", lang), "lang": lang} | more
    return figure | {"layout": figure["layout"] | {"meta": figure["layout"].get("meta", {}) | meta}}


def still_map(name: str, figure: dict, png: str, lang: str) -> html.Div:
    """A map that only shows (the committees' and reports' states, a report's amphoes): hover and the PNG, no click
    leads anywhere from it."""
    return html.Div(
        [
            html.Div(id=name + "-host", className="tp-cmap"),
            dcc.Store(id={"type": FIGURE, "host": name + "-host"}, data=with_meta(figure, png, lang, click=None)),
        ],
        id=name,
        className="tp-map-box",
    )


def register_still_maps() -> None:
    """The status maps' drawing, registered by a page file (pages/committee_list.py): Dash runs page files for every
    app it makes, while this module is imported once per process, so a callback registered here at import went to
    the first app alone (a second app in the same process, as in the test suite, drew no status map)."""
    clientside_callback(
        "function (fig, id) {" + DRAW_JS + " return tpDrawMap(id.host, fig); }",
        Output({"type": FIGURE, "host": MATCH}, "modified_timestamp"),  # never written: a callback needs an output
        Input({"type": FIGURE, "host": MATCH}, "data"),
        State({"type": FIGURE, "host": MATCH}, "id"),
    )
