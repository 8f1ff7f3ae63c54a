"""Issue 11, no 500 from input: every route and parameter, with hostile values drawn by Hypothesis, answers
below 500 (a clear 4xx, or a page), anonymous and signed in, on both backends. The JSON API answers errors as
JSON with a reason."""

from __future__ import annotations

import re
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.utils.world import bearer, page_callback, session_client

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
