"""Issue 11, no 500 from input: every route and parameter, with hostile values drawn by Hypothesis, answers
below 500 (a clear 4xx, or a page), anonymous and signed in, on both backends. The JSON API answers errors as
JSON with a reason. Issue 30: no 500 from a body either (JSON nested 5,000 deep, a Dash update that is not one),
nor from an export link a page renders."""

from __future__ import annotations

import csv
import io
import json
import logging
import re
from urllib.parse import parse_qs, quote, urlsplit

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from api.inputs import MAX_CALLBACK_BYTES, MAX_JSON_BYTES, MAX_JSON_DEPTH, nested_too_deep
from data_access import ratelimit
from tests.utils.world import bearer, page_callback, page_update, session_client

YEAR = 2562

HOSTILE = [
    "",
    "-1",
    "0",
    "abc",
    "10" * 9,
    "1e309",
    "nan",
    "inf",
    "-inf",
    "3000000000",
    "9" * 22,
    "%00",
    "\x00",
    "2561\x00",
    "' OR 1=1 --",
    "<script>alert(1)</script>",
    "dim:garbage",
    "ind:99.9",
    "lb:nope",
    "../../etc/passwd",
    "TH",
    "75",
    "7501",
    "750101",
    "750151",
    "ก" * 300,
    "1" * 5000,
    "2561",
    "2562",
    "25610",
    "count",
    "share",
    "ge3",
    "custom",
    "csv",
    "xlsx",
    "json",
    "tambon",
    "province",
    "2564-Q3",
    "2564-Q9",
    "99999-Q1",
    "true",
    "1.5",
]
PARAMS = [
    "year",
    "page",
    "metric",
    "colour",
    "dims",
    "dimensions",
    "area",
    "code",
    "level",
    "by",
    "k",
    "required",
    "format",
    "capacity",
    "rule",
    "sort",
    "lang",
    "present",
    "tour",
    "every",
    "quarter",
    "selections",
    "burdens",
    "min_burdens",
    "rows",
    "cols",
    "value",
    "token",
    "next",
    "parent",
    "dimension",
    "crisis",
    "status",
    "page_size",
    "username",
    "action",
    "since",
    "until",
    "from",
    "to",
    "definition",
    "house_id",
    "village_no",
    "tambon_code",
]
SEGMENT = st.sampled_from(
    [
        "TH",
        "75",
        "7501",
        "750101",
        "H00001",
        "0",
        "-1",
        "9" * 22,
        "%00",
        "abc",
        "..",
        "1" * 300,
        "2564-Q3",
        "2564-Q0",
        "75.pdf",
        "x.csv",
        "1",
    ]
)
VALUE = st.one_of(st.sampled_from(HOSTILE), st.text(max_size=30))
QUERY = st.dictionaries(st.sampled_from(PARAMS), VALUE, max_size=4)


@pytest.fixture(scope="module")
def world(isolated_world):
    return isolated_world


def _routes(app) -> list[tuple[str, list[str], set[str]]]:
    out = []
    for rule in app.server.url_map.iter_rules():
        if rule.rule.startswith(("/_dash", "/assets", "/_reload", "/_favicon", "/static", "/logout")):
            continue
        methods = (rule.methods or set()) - {"HEAD", "OPTIONS"}
        out.append((rule.rule, list(rule.arguments), methods))
    return sorted(out)


def _fill(rule: str, values: dict) -> str:
    return re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", lambda m: quote(values.get(m.group(1), "x"), safe=""), rule)


def _query(q: dict) -> str:
    return "&".join(f"{quote(k)}={quote(v, safe='')}" for k, v in q.items())


@pytest.fixture(scope="module")
def identities(world):
    return {"anonymous": {}, "national": bearer(world, "national"), "team": bearer(world, "team")}


SETTINGS = settings(max_examples=250, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)


def test_every_route_answers_hostile_input_without_a_server_error(world, identities):
    routes = _routes(world["app"])
    assert len(routes) > 40  # the whole surface, not a sample
    client = world["app"].server.test_client()

    @SETTINGS
    @given(
        route=st.sampled_from(routes),
        segments=st.dictionaries(
            st.sampled_from(
                [
                    "code",
                    "house_id",
                    "member",
                    "token",
                    "quarter",
                    "province_code",
                    "unit_id",
                    "order_id",
                    "team_id",
                    "mentor_id",
                    "request_id",
                    "decision",
                    "table",
                    "fmt",
                    "name",
                    "lang",
                    "path",
                ]
            ),
            SEGMENT,
        ),
        query=QUERY,
        who=st.sampled_from(sorted(identities)),
        body=st.dictionaries(
            st.sampled_from(
                PARAMS
                + [
                    "name",
                    "kind",
                    "refs",
                    "visited_on",
                    "outcome",
                    "note",
                    "latitude",
                    "longitude",
                    "description",
                    "given_on",
                    "amount_baht",
                    "agency",
                    "reason",
                    "version",
                    "password",
                    "citizen_id",
                    "first_name",
                    "birth_date",
                ]
            ),
            st.one_of(VALUE, st.integers(), st.floats(), st.none(), st.lists(VALUE, max_size=3)),
            max_size=5,
        ),
    )
    def probe(route, segments, query, who, body):
        rule, _args, methods = route
        path = _fill(rule, segments) + ("?" + _query(query) if query else "")
        for method in sorted(methods):
            r = client.open(path, method=method, headers=identities[who], json=body if method != "GET" else None)
            assert r.status_code < 500, (method, path, who, body, r.status_code, r.get_data(as_text=True)[:400])
            if path.startswith("/api/") and r.status_code >= 400:
                assert r.is_json and "error" in r.get_json(), (method, path, r.get_data(as_text=True)[:200])

    probe()


def test_every_page_renders_hostile_urls_without_a_server_error(world):
    browser, csrf = session_client(world, "national")
    pages = [
        "/",
        "/area/{c}",
        "/area/{c}/households",
        "/area/{c}/vulnerable",
        "/area/{c}/story",
        "/household/{c}",
        "/ranking",
        "/pivot",
        "/committees",
        "/committees/{c}",
        "/reports",
        "/reports/{c}/2564-Q3",
        "/shortlists/{c}",
        "/logbook/requests",
        "/logbook/mentors",
    ]

    @SETTINGS
    @given(page=st.sampled_from(pages), code=SEGMENT, query=QUERY)
    def probe(page, code, query):
        path = page.format(c=quote(code, safe=""))
        search = "?" + _query(query) if query else ""
        r = page_callback(browser, path, search, csrf)
        assert r.status_code < 500, (path, search, r.status_code, r.get_data(as_text=True)[:400])

    probe()


# Issue 30: an export link a page renders answers with its file (or a deliberate 401/403), never a 5xx. Every page
# that has download buttons, at every level, signed in and not: the links are collected from the layout each page
# sends, not listed by hand, so a new button is followed too.
DOWNLOAD = re.compile(r"^/(export|reports/quarterly)/|^/api/v1/.*[?&]format=(csv|xlsx)\b")


def _hrefs(node) -> list[str]:
    """Every link in a Dash layout as JSON: components' href props, and those in plain tables' data."""
    out: list[str] = []
    if isinstance(node, dict):
        if isinstance(node.get("href"), str):
            out.append(node["href"])
        if isinstance(node.get("a"), str):  # a link in a plain table's data (components.widgets._portable)
            out.append(node["a"])
        if isinstance(node.get("data-table"), str):
            out += _hrefs(json.loads(node["data-table"]))
        for v in node.values():
            out += _hrefs(v)
    elif isinstance(node, list):
        for v in node:
            out += _hrefs(v)
    return out


def _a_real_file(r, path: str) -> None:
    """A download that parses as what it says it is, with a header row at least."""
    kind = urlsplit(path).path.rsplit(".", 1)[-1] if "format=" not in path else parse_qs(urlsplit(path).query)["format"][0]
    if kind == "csv":
        rows = list(csv.reader(io.StringIO(r.get_data().decode("utf-8-sig"))))
        assert rows and all(rows[0]), (path, rows[:2])
    elif kind == "xlsx":
        sheet = load_workbook(io.BytesIO(r.get_data()), read_only=True).worksheets[0]
        header = next(sheet.iter_rows(max_row=1, values_only=True))
        assert all(header), (path, header)
    else:
        assert kind == "pdf" and r.get_data().startswith(b"%PDF"), (path, r.get_data()[:20])


@pytest.fixture(scope="module")
def exports_world(world):
    """The world with what makes more buttons appear: Logbook records (the progress section and its export) and
    a shortlist of each kind (a team's, of its own households, so it may see them)."""
    team = bearer(world, "team")
    client = world["app"].server.test_client()
    house = next(h for h in world["survey"].households if h["tambon_code"].startswith(("750201", "750202")))
    base = f"/api/v1/households/{house['house_id']}"
    assert (
        client.post(
            f"{base}/visits?year={YEAR}", headers=team, json={"visited_on": "2021-05-01", "outcome": "verified"}
        ).status_code
        == 201
    )
    need = {"dimension": "health", "description": "ยาประจำตัว"}
    assert client.post(f"{base}/needs?year={YEAR}", headers=team, json=need).status_code == 201
    tokens = {}
    for kind, refs in (("areas", ["7501", "7502"]), ("households", [house["house_id"]])):
        r = client.post("/api/v1/shortlists", headers=team, json={"name": kind, "kind": kind, "year": YEAR, "refs": refs})
        assert r.status_code == 201, r.get_json()
        tokens[kind] = r.get_json()["token"]
    return world | {"tokens": tokens, "tambon": house["tambon_code"]}


def test_every_export_link_a_page_renders_answers_with_a_file(exports_world, caplog):
    w = exports_world
    caplog.set_level(logging.ERROR)
    y = f"?year={YEAR}"
    pages = [
        ("/", y),
        ("/area/75", y),
        ("/area/7502", y),
        (f"/area/{w['tambon']}", y),
        ("/area/75", y + "&metric=lb:open_needs&lang=en"),
        ("/area/7502/households", y),
        ("/area/75/vulnerable", y),
        ("/area/75/story", y),
        ("/ranking", y + "&area=75"),
        ("/ranking", y + "&area=TH&level=tambon"),
        ("/pivot", y + "&area=75"),
        ("/pivot", y + "&area=75&rows=area&cols=status"),
        ("/committees", ""),
        ("/committees/75", ""),
        ("/reports", ""),
        ("/reports/75/2564-Q3", ""),
        ("/logbook/requests", "?area=75"),
        ("/logbook/mentors", "?area=75"),
        *[(f"/shortlists/{token}", "") for token in w["tokens"].values()],
    ]
    signed_in, csrf = session_client(w, "team")
    national, national_csrf = session_client(w, "national")
    visitors = {
        "signed out": (w["app"].server.test_client(), None),
        "team": (signed_in, csrf),
        "national": (national, national_csrf),
    }
    followed: dict[str, int] = {}
    for who, (client, token) in visitors.items():
        for path, search in pages:
            r = page_callback(client, path, search, token)
            assert r.status_code == 200, (who, path, search, r.status_code)
            ratelimit.reset()  # one visitor following every link of every page exceeds the anonymous export limit
            for href in sorted({h for h in _hrefs(r.get_json()) if DOWNLOAD.search(h)}):
                got = client.get(href)
                assert got.status_code in (200, 401, 403), (who, path, href, got.status_code, got.get_data(as_text=True)[:300])
                if got.status_code == 200:
                    _a_real_file(got, href)
                followed[urlsplit(href).path] = got.status_code
    tables = {p.rsplit("/", 1)[-1].split(".")[0] for p in followed if p.startswith("/export/")}
    # (this world has no vulnerable-household data: that page's export is followed in test_analysis)
    assert tables >= {"children", "villages", "ranking", "households", "pivot", "progress", "committees"}, tables
    assert tables >= {"reports", "shortlist", "requests", "mentors"} and "/reports/quarterly/75/2564-Q3.pdf" in followed, tables
    # and no page failed on the way (a callback's failure is answered as a line on the page, and logged)
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR], [r.getMessage() for r in caplog.records]


def _nested(depth: int) -> str:
    return '{"a":' * (depth // 2) + "[" * (depth - depth // 2) + "1" + "]" * (depth - depth // 2) + "}" * (depth // 2)


def test_json_nested_too_deep_is_refused_on_every_json_route(world, identities):
    client = world["app"].server.test_client()
    writes = [
        (rule, m) for rule, _args, methods in _routes(world["app"]) for m in methods if m in ("POST", "PUT", "PATCH", "DELETE")
    ]
    writes = [(re.sub(r"<[^>]+>", "1", rule), m) for rule, m in writes if rule.startswith("/api/")]
    writes.append(("/_dash-update-component", "POST"))
    assert ("/api/v1/auth/login", "POST") in writes and len(writes) > 15
    for path, method in writes:
        for who in ("anonymous", "national"):
            r = client.open(path, method=method, data=_nested(5000), content_type="application/json", headers=identities[who])
            assert r.status_code == 400 and "nested" in r.get_json()["error"], (method, path, who, r.status_code)
    # the limit itself: one level more than MAX_JSON_DEPTH is refused, MAX_JSON_DEPTH is read
    sign_in = client.post("/api/v1/auth/login", data=_nested(MAX_JSON_DEPTH + 1), content_type="application/json")
    assert sign_in.status_code == 400 and "nested" in sign_in.get_json()["error"]
    sign_in = client.post("/api/v1/auth/login", data=_nested(MAX_JSON_DEPTH), content_type="application/json")
    assert sign_in.status_code == 400 and "username" in sign_in.get_json()["error"]
    assert not nested_too_deep([[[]]], 3) and nested_too_deep([[[[]]]], 3) and nested_too_deep({"a": [{"b": {}}]}, 3)


def test_json_bodies_are_bounded_in_size(world, identities):
    client = world["app"].server.test_client()
    big = '{"name": "' + "x" * MAX_JSON_BYTES + '"}'
    r = client.post("/api/v1/shortlists", data=big, content_type="application/json", headers=identities["national"])
    assert r.status_code == 413 and "larger" in r.get_json()["error"]
    update = page_update(client, "/", "")
    update["state"][0]["value"] = "x" * MAX_CALLBACK_BYTES
    assert client.post("/_dash-update-component", json=update).status_code == 413


def _without(key):
    return lambda b: b.pop(key) and None


MALFORMED_UPDATES = {
    "no output": _without("output"),
    "an unknown output": lambda b: b.update(output="nope.children"),
    "output not text": lambda b: b.update(output=5),
    "no inputs": _without("inputs"),
    "inputs not a list": lambda b: b.update(inputs=5),
    "an input short": lambda b: b.update(inputs=b["inputs"][1:]),
    "an input not a dependency": lambda b: b["inputs"].__setitem__(0, 5),
    "an input without its id": lambda b: b["inputs"][0].pop("id"),
    "no state": _without("state"),
    "no outputs": _without("outputs"),
    "outputs one short": lambda b: b.update(outputs=b["outputs"][1:]),
    "outputs not the callback's": lambda b: b.update(outputs=[{"id": "x", "property": "y"}] * len(b["outputs"])),
    "outputs a dict": lambda b: b.update(outputs=b["outputs"][0]),
    "changedPropIds not a list": lambda b: b.update(changedPropIds="x"),
    "a list": lambda b: [b],
}


def test_a_malformed_dash_update_is_a_400(world):
    client = world["app"].server.test_client()
    assert client.post("/_dash-update-component", json=page_update(client, "/area/75", "")).status_code == 200
    for name, damage in MALFORMED_UPDATES.items():
        body = page_update(client, "/area/75", "")
        sent = damage(body)
        r = client.post("/_dash-update-component", json=body if sent is None else sent)
        assert r.status_code == 400 and r.get_json()["error"], (name, r.status_code, r.get_data(as_text=True)[:200])
    for raw in ("{", "[1,", '"x"', "null"):
        r = client.post("/_dash-update-component", data=raw, content_type="application/json")
        assert r.status_code == 400, (raw, r.status_code)
