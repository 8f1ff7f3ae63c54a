"""GET /area-map/<code>?<view>: the map an area page is about to show, as the figure its canvas draws (issue 35, 5).

A metric chosen in the menu or an area clicked on the map is drawn from this answer as soon as it comes, before
Dash's update of the whole page: that update dispatches the control's change through every mounted component,
sends a larger answer and applies its many parts, and the map's frame came 100-200 ms after the click. The update
still follows and stays the authority: its figure is the same one (the same model and builder as `area_parts`'s,
`components.area_view.area_map`), and the canvas draws it again only if it differs (assets/canvas-map.js,
`meta.shown`).

The view is the page's own query, read as the page reads it (`components.view.parse`, lenient, against the area
the page shows); `to` names the area clicked on its map, drawn with that same view as the update's drill-down does.
Signed out, the answer is the same for everyone: kept in the public answers' store under the validated view (never
the raw query) and the data stamp. Signed in, it is computed for the user and never kept."""

from __future__ import annotations

import time
from typing import Any

from flask import Flask, Response, current_app, g, request
from plotly.io.json import to_json_plotly

import config
from components import area_ids as ids
from components.area_view import recoloured
from components.view import View, parse
from data_access.cache import Shared
from data_access.errors import NotFoundError


def register(server: Flask) -> None:
    server.add_url_rule(ids.PREVIEW_PATH + "<code>", "area_map_preview", preview, methods=["GET"])


def preview(code: str) -> Response:
    """The figure of `to` (else `code`) in the view the query asks for, read against `code`; its values alone when
    `have` names the map the page shows already (layout.meta.map: the same traces over the same areas)."""
    from data_access.areas import is_known

    target = request.args.get("to", code)
    if not is_known(code) or not is_known(target):
        raise NotFoundError("no such area", key="notfound.area", code=target)
    view = parse(request.args.to_dict(), code)
    if view.present:
        # a projector's click navigates to the area's own page: nothing is drawn in place there
        raise NotFoundError("a projector's map is not previewed", key="notfound.area", code=target)
    have = request.args.get("have")
    public = g.get("user") is None and config.settings().page_cache_seconds > 0
    kept = _kept(target, view, have) if public else None
    if kept is not None:
        return _answer(kept)
    figure = _drawn(target, view)
    whole, values = to_json_plotly(figure).encode(), to_json_plotly(_values(figure)).encode()
    if public:  # both forms kept at once: the next visitor asks for either
        signature = figure["layout"]["meta"]["map"]
        _keep(_key(target, view, "whole"), whole, signature)
        _keep(_key(target, view, "values"), values, signature)
    return _answer(values if have == figure["layout"]["meta"]["map"] else whole)


def _answer(body: bytes) -> Response:
    response = current_app.response_class(body, mimetype="application/json")
    response.headers["Cache-Control"] = "no-cache"  # the data may change at the next import: asked again each time
    return response


def _drawn(target: str, view: View) -> dict[str, Any]:
    from components.area_view import area_map
    from data_access.db import one_connection

    with one_connection():  # as the update callback reads it: one pooled connection
        figure = area_map(target, view)
    if figure is None:
        raise NotFoundError("no such area", key="notfound.area", code=target)
    return figure


def _values(figure: dict[str, Any]) -> dict[str, Any]:
    """What differs between two views of one map: each trace's keys but its areas and shapes, the title, the meta
    (the canvas lays them over the figure it holds, as Dash lays the update's patch over its store)."""
    layout = figure["layout"]
    return {
        "values": [recoloured(trace) for trace in figure["data"]],
        "layout": {"title": layout["title"], "meta": layout["meta"]},
    }


def _key(target: str, view: View, form: str) -> tuple[Any, ...]:
    return ("map", target, view, form)


def _kept(target: str, view: View, have: str | None) -> bytes | None:
    """The kept answer: the values when the page shows this map (its signature, kept beside them), else the whole."""
    from data_access import cache
    from data_access.db import read_engine

    def fits(kept: Shared) -> bool:
        return time.time() < kept.meta["until"]

    if have:
        values = cache.shared_get(read_engine(), _key(target, view, "values"), fits)
        if values is not None and values.meta["map"] == have:
            return values.body
    whole = cache.shared_get(read_engine(), _key(target, view, "whole"), fits)
    return whole.body if whole is not None else None


def _keep(key: tuple[Any, ...], body: bytes, signature: str) -> None:
    from data_access import cache
    from data_access.db import read_engine

    meta = {"until": time.time() + config.settings().page_cache_seconds, "map": signature}
    cache.shared_put(read_engine(), key, body, meta)
