"""Issue 11, security headers on every response: a Content-Security-Policy that the Dash pages pass (the
browser tests fail on any console error, CSP violations included), nosniff, no framing, a referrer policy,
and no-store on anything that can name a person. Issues 30 and 31, the web's own rules: every address answers
with its real status (an unknown one 404, JSON under /api/), and robots.txt is a real file."""

from __future__ import annotations

from pathlib import Path

import pytest

from components.i18n import t
from tests.utils.world import bearer, decoded, page_callback, session_client

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


@pytest.mark.parametrize("path", ["/api/v1/nope", "/api/v1/areas/75/nope", "/api/v2/areas/75", "/api/v1/areas/75/", "/api/"])
def test_an_unknown_api_address_is_a_json_404(world, path):
    client = world["app"].server.test_client()
    for method in ("GET", "POST"):
        r = client.open(path, method=method, json={} if method == "POST" else None, headers={"Accept": "text/html"})
        assert r.status_code == 404 and r.is_json and r.get_json()["error"], (method, path, r.status_code, r.mimetype)


def test_a_known_api_address_asked_with_another_method_is_a_json_405(world):
    client = world["app"].server.test_client()
    for method, path, allowed in (("GET", "/api/v1/auth/login", "POST"), ("DELETE", "/api/v1/areas/75", "GET")):
        r = client.open(path, method=method)
        assert r.status_code == 405 and r.is_json and allowed in r.headers["Allow"], (method, path, r.status_code)


PAGES_NOT_THERE = {  # address → what its page says, in the reader's language
    "/foo": ("notfound.title", {}),
    "/robots.txt.bak": ("notfound.title", {}),
    "/not-found-404": ("notfound.title", {}),
    "/area/9999": ("notfound.area", {"code": "9999"}),
    "/area/9999/story": ("notfound.area", {"code": "9999"}),
    "/area/75/nope": ("notfound.area", {"code": "75/nope"}),
}


@pytest.mark.parametrize("path", sorted(PAGES_NOT_THERE))
def test_an_unknown_page_or_area_is_a_404_in_the_readers_language(world, path):
    client = world["app"].server.test_client()
    key, values = PAGES_NOT_THERE[path]
    for lang, search in (("th", ""), ("en", "?lang=en")):
        r = client.get(path + search, headers={"Accept": "text/html"})
        assert r.status_code == 404 and r.mimetype == "text/html", (path, r.status_code)
        assert t(key, lang, **values) in decoded(page_callback(client, path, search, None)), (path, lang)


@pytest.mark.parametrize("path", ["/", "/?lang=en", "/area/TH", "/area/75", "/area/7501/story", "/ranking", "/pivot"])
def test_a_known_page_is_a_200(world, path):
    assert world["app"].server.test_client().get(path, headers={"Accept": "text/html"}).status_code == 200


def test_the_icon_is_where_a_browser_looks_for_it(world):
    """A page that names no icon (the server-rendered sign-in page) makes the browser ask /favicon.ico."""
    r = world["app"].server.test_client().get("/favicon.ico")
    icon = Path(__file__).resolve().parent.parent / "assets" / "favicon.ico"
    assert r.status_code == 200 and r.mimetype == "image/x-icon" and r.get_data() == icon.read_bytes()


def test_robots_txt_is_a_real_file(world):
    r = world["app"].server.test_client().get("/robots.txt")
    text = r.get_data(as_text=True)
    assert r.status_code == 200 and r.mimetype == "text/plain"
    assert text == (Path(__file__).resolve().parent.parent / "static" / "robots.txt").read_text()
    rules = [line.split(":", 1) for line in text.splitlines() if ":" in line and not line.startswith("#")]
    assert ["User-agent", " *"] in rules and ["Allow", " /"] in rules
    disallowed = {value.strip() for field, value in rules if field == "Disallow"}
    assert {"/api/", "/household/", "/export/", "/admin/", "/field/"} <= disallowed


@pytest.mark.parametrize("path", ["/", "/area/75", "/no-such-page"])
def test_a_page_says_its_language_and_describes_itself_in_it(world, path):
    """<html lang> (issue 31, 6): the page's `lang`, else the toggle's cookie, else Thai, as the pages choose their
    words; the description a search engine shows is in that language too."""
    from html import escape

    from components.view import LANG_COOKIE

    for lang, search, cookie in (("th", "", None), ("en", "?lang=en", None), ("en", "", "en"), ("th", "?lang=th", "en")):
        client = world["app"].server.test_client()
        if cookie:
            client.set_cookie(LANG_COOKIE, cookie)
        html = client.get(path + search, headers={"Accept": "text/html"}).get_data(as_text=True)
        assert f'<html lang="{lang}">' in html, (path, search, cookie)
        assert f'<meta name="description" content="{escape(t("app.description", lang))}">' in html, (path, lang)
