"""Issue 11, security headers on every response: a Content-Security-Policy that the Dash pages pass (the
browser tests fail on any console error, CSP violations included), nosniff, no framing, a referrer policy,
and no-store on anything that can name a person."""

from __future__ import annotations

import pytest

from tests.utils.world import bearer, session_client

YEAR = 2562


@pytest.fixture(scope="module")
def world(isolated_world):
    return isolated_world


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/area/75",
        "/api/v1/areas/TH?year=2562",
        "/login",
        "/assets/10-tpmap.css",
        "/no-such-page",
        "/api/v1/no-such-route",
        "/_dash-layout",
    ],
)
def test_every_response_carries_the_headers(world, path):
    r = world["app"].server.test_client().get(path)
    csp = r.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in csp and "unsafe-eval" not in csp
    if r.mimetype == "text/html":  # a page: its own scripts, Dash's inline ones by hash, nothing else
        assert "script-src 'self'" in csp and "'unsafe-inline'" not in csp.split("script-src")[1].split(";")[0]
    else:  # a style sheet, JSON: never a page, so nothing may run or load if one is opened as if it were
        assert csp == "default-src 'none'; frame-ancestors 'none'", path
    assert r.headers["X-Content-Type-Options"] == "nosniff" and r.headers["X-Frame-Options"] == "DENY"
    assert r.headers["Referrer-Policy"] == "same-origin"


def test_the_field_apps_service_worker_keeps_the_pages_policy(world):
    """A worker is governed by its own script's policy: the short one would stop its fetches (connect-src)."""
    client = world["app"].server.test_client()
    csp = client.get("/field/sw.js", headers={"Service-Worker": "script"}).headers["Content-Security-Policy"]
    assert "connect-src 'self'" in csp and "script-src 'self'" in csp


def test_the_policy_hashes_dashs_own_inline_script(world):
    import base64
    import hashlib
    import re

    page = world["app"].server.test_client().get("/").get_data(as_text=True)
    page = re.sub(r"<!--.*?-->", "", page, flags=re.S)  # Dash's IE notice sits in a conditional comment
    csp = world["app"].server.test_client().get("/").headers["Content-Security-Policy"]
    inline = [m for m in re.findall(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>(.*?)</script>", page, re.S)]
    assert inline
    for body in inline:
        digest = base64.b64encode(hashlib.sha256(body.encode()).digest()).decode()
        assert f"'sha256-{digest}'" in csp


def test_named_records_are_never_cached(world):
    headers = bearer(world, "district")
    client = world["app"].server.test_client()
    r = client.get(f"/api/v1/households/{world['houses']['7501']}?year={YEAR}", headers=headers)
    assert r.status_code == 200 and r.headers["Cache-Control"] == "no-store"
    assert client.get(f"/api/v1/areas/7501/households?year={YEAR}", headers=headers).headers["Cache-Control"] == "no-store"
    browser, _ = session_client(world, "district")
    assert browser.get("/area/7501/households").headers["Cache-Control"] == "no-store"
    assert "no-store" not in (client.get("/assets/10-tpmap.css").headers.get("Cache-Control") or "")
