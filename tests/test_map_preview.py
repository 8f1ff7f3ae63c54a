"""Issue 35, 5: GET /area-map/<code>, the map a chosen metric or a clicked area asks for, which the canvas draws before
the page's update comes (pages/_map_preview.py). It must be the map the update then sends (else the page would show
one map and then another), kept once for every signed-out visitor, never kept for a signed-in one, and refuse what a
page could not have asked the same way whether the area exists or not."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote

import pytest

from tests.test_public_answers import _area_state, _kept, _metric_change, _served, area_update, rendered_data
from tests.utils.world import page_callback, session_client

YEAR = 2562
QUERY = f"?year={YEAR}&metric=target_poor&colour=share"


@pytest.fixture(scope="module")
def world(isolated_world):
    return isolated_world


def _patched(store_figure: dict[str, Any], answer: dict[str, Any]) -> dict[str, Any]:
    """The map's store after Dash lays the update's answer over it: a whole figure, or a patch of its parts."""
    sent = answer["response"]["area-canvas-fig"]["data"]
    if "__dash_patch_update" not in sent:
        return sent
    out = json.loads(json.dumps(store_figure))
    for op in sent["operations"]:
        assert op["operation"] == "Assign", op
        *where, last = op["location"]
        node = out
        for part in where:
            node = node[part]
        node[last] = op["params"]["value"]
    return out


def _laid(shown: dict[str, Any], values: dict[str, Any]) -> dict[str, Any]:
    """The canvas's own laying of a preview's values over the figure it shows (assets/canvas-map.js, preview)."""
    return {
        "data": [trace | v for trace, v in zip(shown["data"], values["values"], strict=True)],
        "layout": shown["layout"] | values["layout"],
    }


def _drill(client, state: dict, to: str):
    """The body Dash's renderer sends when the map's canvas reports a click on `to`."""
    return area_update(client, state, "area-map.data", area_map={"points": [{"location": to}]})


def _shown(client, path: str, search: str) -> tuple[dict, dict]:
    """A page's state and the map figure its render put in the canvas's store."""
    render = page_callback(client, path, search, None)
    return _area_state(render), rendered_data(render, "area-canvas-fig")


def test_a_chosen_metric_is_previewed_as_the_update_then_draws_it(world, store):
    anon = world["app"].server.test_client()
    state, shown = _shown(anon, "/area/75", QUERY)
    meta = shown["layout"]["meta"]
    assert meta["preview"]["url"] == "/area-map/75" + QUERY and meta["preview"]["controls"]["ctl-metric"] == "metric"
    update = _patched(shown, _metric_change(anon, state, "crisis").get_json())
    # the whole figure, asked without the map the page shows
    whole = anon.get(meta["preview"]["url"].replace("target_poor", "crisis"))
    assert whole.status_code == 200 and whole.headers["Cache-Control"] == "no-cache"
    assert whole.get_json() == update
    assert update["layout"]["meta"]["shown"] == "75" + QUERY.replace("target_poor", "crisis")
    # a province's map names other amphoes for another metric (its traces differ): the whole map, as the update's
    asked = meta["preview"]["url"].replace("target_poor", "crisis") + "&have=" + quote(meta["map"])
    assert anon.get(asked).get_json() == update


def test_a_recoloured_national_map_gets_its_values_alone_as_the_update_does(world, store):
    anon = world["app"].server.test_client()
    state, shown = _shown(anon, "/", QUERY + "&level=tambon")
    meta = shown["layout"]["meta"]
    answer = _metric_change(anon, state, "crisis").get_json()
    update = _patched(shown, answer)
    url = meta["preview"]["url"].replace("target_poor", "crisis")
    values = anon.get(url + "&have=" + quote(meta["map"])).get_json()
    # the values alone, laid over the shown figure: the update's figure again, without the areas' codes on the wire
    assert set(values) == {"values", "layout"} and not any("locations" in v for v in values["values"])
    assert _laid(shown, values) == update
    assert update["layout"]["meta"]["shown"] == "TH" + QUERY.replace("target_poor", "crisis") + "&level=tambon"
    # a map it does not show gets the whole figure
    assert anon.get(url + "&have=junk").get_json() == update


def test_a_clicked_area_is_previewed_as_the_drill_down_draws_it(world, store):
    anon = world["app"].server.test_client()
    state, shown = _shown(anon, "/area/75", QUERY)
    coloured = next(tr for tr in shown["data"] if tr.get("name") != "no data" and tr.get("locations"))
    child = coloured["locations"][0]
    drilled = _drill(anon, state, child).get_json()["response"]["area-canvas-fig"]["data"]
    assert "__dash_patch_update" not in drilled  # another level: the whole map
    preview = anon.get(shown["layout"]["meta"]["preview"]["url"] + f"&to={child}")
    assert preview.status_code == 200 and preview.get_json() == drilled
    assert drilled["layout"]["meta"]["shown"].startswith(child + "?")


def test_the_preview_is_computed_once_for_everyone_signed_out_and_never_kept_signed_in(world, store):
    anon = world["app"].server.test_client()
    url = f"/area-map/75?year={YEAR}&metric=mpi&colour=count"
    hits = _served("map")
    first = anon.get(url)
    assert first.status_code == 200 and len(_kept(store)) == 2  # the whole figure and its values, kept together
    other = world["app"].server.test_client()
    assert other.get(url).get_data() == first.get_data() and _served("map") == hits + 1
    # junk in the address names the same view: the same entry
    assert other.get(url + "&junk=1&metric2=x").get_data() == first.get_data() and _served("map") == hits + 2
    official, _ = session_client(world, "province")
    mine = official.get(f"/area-map/75?year={YEAR}&metric=crisis&colour=count")
    assert mine.status_code == 200 and mine.headers["Cache-Control"] == "no-store"
    assert len(_kept(store)) == 2 and _served("map") == hits + 2
    again = official.get(url)
    assert again.status_code == 200 and _served("map") == hits + 2  # never served from the public store either


@pytest.mark.parametrize(
    "path",
    [
        "/area-map/99?metric=mpi",  # no such area
        "/area-map/75?metric=mpi&to=99",  # no such area clicked
        "/area-map/75?metric=mpi&to=7501%27%20OR%201=1--",
        "/area-map/75?metric=mpi&present=1",  # a projector's click navigates: nothing drawn in place
    ],
)
def test_what_a_page_could_not_have_asked_is_not_found(world, store, path):
    anon = world["app"].server.test_client()
    answer = anon.get(path)
    assert answer.status_code == 404 and "Traceback" not in answer.get_data(as_text=True)


def test_an_unknown_area_and_an_unknown_clicked_one_get_the_same_answer(world, store):
    anon = world["app"].server.test_client()
    unknown, made_up = anon.get("/area-map/98?metric=mpi"), anon.get("/area-map/75?metric=mpi&to=98")
    assert unknown.status_code == made_up.status_code == 404
    assert unknown.get_data().replace(b"98", b"") == made_up.get_data().replace(b"98", b"")
    assert anon.get("/area-map/75?metric=mpi&to=%00").status_code == 400  # refused at the door
