"""A small world for access and Logbook tests: a survey in Samut Songkhram and Mae Hong Son, one account
per role, and a client of the app on that database."""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import text

from data_access import accounts
from data_access.access import CurrentUser
from data_access.households import list_target_poor_households
from data_access.survey_import import SurveyImport
from tests.utils.survey_factory import make_survey

PASSWORD = "kept-secret-42"
NATIONAL = CurrentUser(0, "test-national", "t", "national", ("TH",))
ROLES = {
    "national": ("national", ["TH"]),
    "province": ("province", ["75"]),
    "district": ("district", ["7501"]),
    "district7502": ("district", ["7502"]),
    "team": ("team", ["750201", "750202"]),
    "bangkok": ("bangkok", ["10"]),
    "admin": ("admin", ["TH"]),
}


@contextmanager
def world_for(engine, folder, year: int, tag: str) -> Iterator[dict]:
    """make_world, with TPMAP_DATABASE_URL pointed at the test database for the duration and restored after."""
    saved = os.environ.get("TPMAP_DATABASE_URL")
    try:
        yield make_world(engine, folder, year, tag)
    finally:
        if saved is None:
            os.environ.pop("TPMAP_DATABASE_URL", None)
        else:
            os.environ["TPMAP_DATABASE_URL"] = saved


def make_world(engine, folder, year: int, tag: str) -> dict:
    os.environ["TPMAP_DATABASE_URL"] = engine.url.render_as_string(hide_password=False)
    survey = make_survey(n_households=240, seed=31)
    SurveyImport(year, survey.write(folder), engine).run()
    # Test modules share one database per backend: earlier modules' accounts would use up the committee
    # quotas (which count active accounts), so each module starts from its own set.
    with engine.begin() as conn:
        conn.execute(text("UPDATE user_account SET active = :f"), {"f": False})
    names = {}
    for key, (role, areas) in ROLES.items():
        username = f"{key}-{tag}-{engine.dialect.name[:2]}"
        accounts.create_user(
            username=username,
            full_name=f"Test {key}",
            role=role,
            areas=areas,
            password=PASSWORD,
            is_area_admin=key == "province",
            engine=engine,
        )
        names[key] = username
    houses = {
        code: list_target_poor_households(code, year, user=NATIONAL, engine=engine)["items"][0]["house_id"]
        for code in ("7501", "7502", "7503", "58")
    }
    from app import create_app

    return {"engine": engine, "names": names, "houses": houses, "app": create_app(), "survey": survey, "year": year}


def bearer(world, key: str) -> dict:
    client = world["app"].server.test_client()
    r = client.post("/api/v1/auth/login", json={"username": world["names"][key], "password": PASSWORD})
    assert r.status_code == 200, r.get_json()
    return {"Authorization": "Bearer " + r.get_json()["token"]}


def session_client(world, key: str):
    """A browser-like client signed in through the HTML form; returns it with the session's CSRF token."""
    client = world["app"].server.test_client()
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r"name='csrf_token' value='([^']+)'", page).group(1)
    r = client.post("/login", data={"username": world["names"][key], "password": PASSWORD, "csrf_token": token, "next": "/"})
    assert r.status_code == 302, r.get_data(as_text=True)
    # Signing in starts a new session with a new CSRF token, handed to the page's scripts in a cookie.
    fresh = client.get_cookie("_csrf_token").value
    assert fresh != token
    return client, fresh


def page_callback(client, path: str, search: str, csrf: str | None):
    """The request Dash's renderer makes to render a page: built by hand, as an attacker would."""
    headers = {"X-CSRFToken": csrf} if csrf else {}
    return client.post("/_dash-update-component", json=page_update(client, path, search), headers=headers)


def page_update(client, path: str, search: str) -> dict:
    """The body of the router's update that renders a page, as the renderer writes it."""
    deps = client.get("/_dash-dependencies").get_json()
    cb = next(c for c in deps if any(i["id"] == "_pages_location" and i["property"] == "pathname" for i in c["inputs"]))
    inputs = [
        {"id": i["id"], "property": i["property"], "value": path if i["property"] == "pathname" else search} for i in cb["inputs"]
    ]
    return {
        "output": cb["output"],
        "outputs": [{"id": o.split(".")[0], "property": o.split(".")[1]} for o in cb["output"].strip(".").split("...")],
        "inputs": inputs,
        "changedPropIds": ["_pages_location.pathname"],
        # the router's states (the address an in-place update showed): none, as on a first visit
        "state": [{"id": st["id"], "property": st["property"], "value": None} for st in cb.get("state", [])],
    }


def decoded(response) -> str:
    """A response body as text with JSON decoded, so Thai is comparable (Dash escapes it as \\uXXXX)."""
    data = response.get_json(silent=True)
    return json.dumps(data, ensure_ascii=False) if data is not None else response.get_data(as_text=True)


def refusal(response) -> str | None:
    """What a Dash callback answered when it refused (components/feedback.py): the reason, written in the page's
    alert line, and nothing else (no output of the callback, so no record reaches the browser). None when the
    response is not such a refusal."""
    if response.status_code != 200:
        return None
    body = response.get_json(silent=True) or {}
    side = body.get("sideUpdate") or {}
    if body.get("response") or set(side) != {"app-alert"}:
        return None
    alert = side["app-alert"]["children"]
    return alert["props"]["children"] if alert.get("type") == "Alert" else None


def component(layout, id_) -> dict | None:
    """The props of the component with this id in a Dash layout (or a callback's answer) as JSON."""
    if isinstance(layout, dict):
        if layout.get("props", {}).get("id") == id_:
            return layout["props"]
        layout = list(layout.values())
    if isinstance(layout, list):
        for v in layout:
            if (found := component(v, id_)) is not None:
                return found
    return None


def run_callback(client, csrf: str | None, trigger: str | dict, values: dict):
    """A page callback called as Dash's renderer calls it, for the control `trigger`: "id.property", or the
    pattern-matching id of a button clicked once (an input of ALL such buttons). Every other input and state takes
    its value from `values` ("id.property" → value)."""
    deps = client.get("/_dash-dependencies").get_json()
    pressed = trigger if isinstance(trigger, dict) else None

    def wildcard(dep_id: str) -> bool:
        return pressed is not None and dep_id.startswith("{") and json.loads(dep_id).get("type") == pressed["type"]

    cb = next(c for c in deps if any(wildcard(i["id"]) or f"{i['id']}.{i['property']}" == trigger for i in c["inputs"]))

    def dep(d: dict):
        if wildcard(d["id"]):
            return [{"id": pressed, "property": d["property"], "value": 1}]
        return {"id": d["id"], "property": d["property"], "value": values.get(f"{d['id']}.{d['property']}")}

    changed = json.dumps(pressed, sort_keys=True, separators=(",", ":")) + ".n_clicks" if pressed else trigger
    payload = {
        "output": cb["output"],
        "outputs": [{"id": o.split(".")[0], "property": o.split(".", 1)[1]} for o in cb["output"].strip(".").split("...")],
        "inputs": [dep(i) for i in cb["inputs"]],
        "changedPropIds": [changed],
        "state": [dep(st) for st in cb.get("state", [])],
    }
    return client.post("/_dash-update-component", json=payload, headers={"X-CSRFToken": csrf} if csrf else {})
