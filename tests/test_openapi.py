"""Issue 32, 6: the API as a contract. The OpenAPI 3.1 document (/api/v1/openapi.json) names every /api/v1 route
of the app with the pinned fields; /api/docs renders it from files this server sends; and Schemathesis, against
the live server on both backends and signed in as a district account, finds every answer inside the document and
no input that yields a 5xx."""

from __future__ import annotations

import re

import pytest
import schemathesis
from hypothesis import HealthCheck, settings

from api.contract import openapi_path
from tests.test_pinned_interfaces import AREA_FIELDS
from tests.utils.served import served
from tests.utils.world import bearer

YEAR = 2562
# Per operation: Schemathesis's coverage cases (each parameter's boundaries and wrong types) and this many drawn by
# Hypothesis. 46 operations, about 3,000 requests: under a minute per backend (measured on a 2-core machine).
MAX_EXAMPLES = 10


@pytest.fixture(scope="module")
def world(isolated_world):
    return isolated_world


@pytest.fixture(scope="module")
def document(world) -> dict:
    r = world["app"].server.test_client().get("/api/v1/openapi.json")
    assert r.status_code == 200 and r.mimetype == "application/json"
    return r.get_json()


def test_every_api_route_is_in_the_document(world, document):
    """A route added without its declaration (api.contract.operation) fails here, by name."""
    routes = {
        (openapi_path(rule.rule), method.lower())
        for rule in world["app"].server.url_map.iter_rules()
        if rule.rule.startswith("/api/v1/")
        for method in (rule.methods or set()) - {"HEAD", "OPTIONS"}
    }
    described = {(path, method) for path, item in document["paths"].items() for method in item}
    assert len(routes) > 40 and routes - described == set()
    assert described - routes == set()  # and nothing the app does not serve


def _schema(document: dict, path: str, method: str = "get", status: str = "200") -> dict:
    ref = document["paths"][path][method]["responses"][status]["content"]["application/json"]["schema"]["$ref"]
    return document["components"]["schemas"][ref.rsplit("/", 1)[-1]]


def test_the_document_carries_the_pinned_fields(document):
    assert document["openapi"].startswith("3.1")
    assert set(_schema(document, "/api/v1/areas/{code}")["required"]) >= AREA_FIELDS
    flows = set(_schema(document, "/api/v1/areas/{code}/flows")["required"])
    assert flows >= {"from", "to", "stayed_persons", "exited_persons", "entered_persons", "left_survey_persons"}
    rows = document["components"]["schemas"]["HouseholdRow"]["required"]
    assert set(rows) >= {"house_id", "village_no", "members", "target_poor_members", "deprived_dimensions", "crisis"}
    assert set(_schema(document, "/api/v1/auth/login", "post")["required"]) >= {"token", "expires_at", "role", "areas"}
    trend = document["components"]["schemas"]["TrendPoint"]["required"]
    assert set(trend) >= {"year", "target_poor_persons", "surveyed_persons", "crisis_persons", "source"}
    definition = next(p for p in document["paths"]["/api/v1/areas/{code}"]["get"]["parameters"] if p["name"] == "definition")
    assert definition["schema"]["enum"] == ["registered", "all", "nocard"]
    # a body's fields and which are required come from the same model the route validates with
    visit = document["components"]["schemas"]["VisitBody"]
    assert set(visit["required"]) == {"visited_on", "outcome"} and visit["additionalProperties"] is False


@pytest.mark.parametrize(
    "body,reason",
    [
        ({"visited_on": "2021-05-01", "outcome": "verified", "colour": "red"}, "unknown field(s): colour"),
        ({"visited_on": "2021-05-01", "outcome": ""}, "missing field(s): outcome"),
        ({"outcome": "verified"}, "missing field(s): visited_on"),
        ({"visited_on": "2021-05-01", "outcome": 3}, "outcome must be text"),
        ({"visited_on": "2021-05-01", "outcome": "verified", "latitude": "13.4"}, "latitude must be a whole number or a number"),
        ({"visited_on": "2021-05-01", "outcome": "verified", "latitude": True}, "latitude must be a whole number or a number"),
        ({"visited_on": "2021-05-01", "outcome": "verified", "latitude": float("nan")}, "latitude must be a finite number"),
        ({"visited_on": "2021-05-01", "outcome": "verified", "latitude": 2**40}, "latitude is out of range"),
        ({"visited_on": "2021-05-01", "outcome": "ok\x00"}, "outcome holds a NUL character"),
        ({"visited_on": "2021-05-01", "outcome": "x" * 5001}, "outcome is longer than 5,000 characters"),
    ],
)
def test_a_body_is_refused_as_the_hand_written_checks_refused_it(body, reason):
    """The models replaced api/inputs.FIELD_TYPES: the same refusals, word for word, first problem first."""
    from api import contract, inputs, models

    with pytest.raises(inputs.BadInput) as refused:
        contract.fields(body, models.VisitBody)
    assert str(refused.value) == reason


def test_a_body_keeps_the_values_it_was_given():
    from api import contract, models

    f = contract.fields({"given_on": "2021-05-02", "dimension": "income", "kind": "cash", "agency": "พมจ.",
                         "amount_baht": 0, "note": None, "version": 3, "year": 2562}, models.AssistanceBody)  # fmt: skip
    assert f == {"given_on": "2021-05-02", "dimension": "income", "kind": "cash", "agency": "พมจ.", "amount_baht": 0}
    assert type(f["amount_baht"]) is int  # a whole number stays one (not 0.0)


def test_a_sign_in_that_is_not_an_object_is_refused(world):
    """A JSON array as the sign-in's body was a 500 (`.get` of a list); the model refuses it, as any other."""
    client = world["app"].server.test_client()
    for body in ([1], "x", {"username": 1, "password": "p"}):
        r = client.post("/api/v1/auth/login", json=body)
        assert r.status_code == 400 and r.get_json()["error"] == 'send JSON {"username": …, "password": …}', body


def test_the_reference_page_loads_only_from_this_server(world):
    client = world["app"].server.test_client()
    r = client.get("/api/docs")
    assert r.status_code == 200 and r.mimetype == "text/html"
    csp = r.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-eval" not in csp
    page = r.get_data(as_text=True)
    assert not re.search(r"<script(?![^>]*\bsrc=)", page)  # no inline script for the policy to refuse
    addresses = re.findall(r'(?:src|href)="([^"]+)"', page)
    assert addresses and all(a.startswith("/") and not a.startswith("//") for a in addresses), addresses
    for address in addresses:
        assert client.get(address).status_code == 200, address
    assert 'data-url="/api/v1/openapi.json"' in page
    assert client.get("/api/docs/LICENSE").status_code == 404  # only the page's own files are served there


@pytest.fixture(scope="module")
def live(world):
    with served(world["app"].server) as base:
        yield f"http://{base}"


@pytest.mark.browser
def test_api001_the_reference_renders_under_the_pages_policy(live):
    """Swagger UI in Chromium, under the policy the app sends: every operation drawn, no console error (a CSP
    violation is one)."""
    import os

    from scripts import chromium
    from tests.utils.waiting import wait_until

    if not chromium.available():
        message = "the reference page's test needs Debian's chromium and chromium-driver"
        if os.environ.get("TPMAP_REQUIRE_BROWSER") == "1":
            pytest.fail(message)
        pytest.skip(message)
    driver = chromium.make_driver(console_log=True)
    try:
        driver.get(f"{live}/api/docs?lang=en")
        wait_until(lambda: len(driver.find_elements("css selector", ".opblock")) > 40, 30, "the operations drawn")
        drawn = len(driver.find_elements("css selector", ".opblock"))
        assert drawn > 40 and driver.title == "TPMAP Open: API reference", (drawn, driver.title)
        assert [e for e in driver.get_log("browser") if e["level"] == "SEVERE"] == []
    finally:
        driver.quit()


@pytest.fixture(scope="module")
def api_schema(live):
    schema = schemathesis.openapi.from_url(f"{live}/api/v1/openapi.json")
    # methods a path does not have (TRACE, PUT on a GET-only route ...) are answered by routing itself, the same
    # JSON 405 for every path (app's _http_error): about 300 requests of this test's budget, left out
    schema.config.phases.coverage.unexpected_methods = set()
    return schema


@pytest.fixture(scope="module")
def district(world) -> dict:
    return bearer(world, "district")


contract = schemathesis.pytest.from_fixture("api_schema")
CHECKS = [
    schemathesis.checks.not_a_server_error,
    schemathesis.checks.status_code_conformance,
    schemathesis.checks.content_type_conformance,
    schemathesis.checks.response_schema_conformance,
]


@pytest.fixture
def _node_id(request):
    """schemathesis 4.32's lazy schema names each operation's subtest through `node._nodeid`, which pytest 9 no
    longer has: given back as the node's id (only the subtests' names read it)."""
    if not hasattr(request.node, "_nodeid"):
        request.node._nodeid = request.node.nodeid


@pytest.mark.usefixtures("_node_id")
@contract.parametrize()
@settings(max_examples=MAX_EXAMPLES, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
def test_every_answer_is_in_the_document_and_none_is_a_server_error(case, district):
    # signing out would revoke the district's token for every later case: it is called without one (a 401)
    headers = {} if case.path == "/api/v1/auth/logout" else district
    case.call_and_validate(headers=headers, checks=CHECKS)
