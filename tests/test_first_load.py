"""Issue 16: what a browser downloads before the first map, counted as sent (brotli) from the page's own script and
style tags, plus what the map asks for next (plotly.js, the fonts). A budget of bytes, not a timing: a library added
to every page, or plotly.js rebuilt with every trace, fails here before anyone measures a slow page."""

from __future__ import annotations

import re

import pytest

# static bytes of the country page as sent with brotli (measured 2026-12-02: 655 KB, of which plotly.js 330 KB; the
# whole first load in Chromium, with the layout, the first callback and the provinces layer, 700 KB)
STATIC_BUDGET = 670_000
BR = {"Accept-Encoding": "br"}
YEAR = 2561  # the world this module builds


@pytest.fixture(scope="module")
def client(isolated_world):
    return isolated_world["app"].server.test_client()


def _sent(client, url: str) -> int:
    r = client.get(url, headers=BR)
    assert r.status_code == 200, url
    if r.mimetype in ("text/javascript", "application/javascript", "text/css"):
        assert r.headers.get("Content-Encoding") == "br", url  # (woff2 and icons are compressed already)
    return len(r.get_data())


def test_the_country_page_fits_its_byte_budget(client):
    page = client.get("/", headers=BR)
    html = client.get("/").get_data(as_text=True)
    tags = re.findall(r'<(?:script|link)[^>]*(?:src|href)="(/[^"]+)"', html)
    fonts = re.findall(r'url\("(fonts/[^"]+\.woff2)"\)', client.get("/assets/10-tpmap.css").get_data(as_text=True))
    assert len(fonts) == 4
    urls = dict.fromkeys(tags + ["/_dash-component-suites/plotly/package_data/plotly.min.js"] + [f"/assets/{f}" for f in fonts])
    total = len(page.get_data()) + sum(_sent(client, u) for u in urls)
    assert total <= STATIC_BUDGET, f"{total:,} bytes"


def test_no_babel_polyfill_for_a_current_browser_but_an_older_one_still_gets_it(client):
    html = client.get("/").get_data(as_text=True)
    assert not re.search(r'<script src="[^"]*polyfill@[^"]*"', html)
    tag = re.search(r'<script src="(/_tpmap/modern\.min\.js\?v=\w+)" data-polyfill="([^"]+)"></script>', html)
    assert tag, "the runtime script stands first, where the polyfill was"
    assert html.index(tag.group(0)) < html.index("react@")
    runtime = client.get(tag.group(1))
    assert runtime.status_code == 200 and runtime.mimetype == "text/javascript"
    assert b"regeneratorRuntime" in runtime.get_data() and b"document.write" in runtime.get_data()
    assert "max-age=31536000" in runtime.headers["Cache-Control"]
    polyfill = client.get(tag.group(2))  # the fallback's address is one Dash still serves
    assert polyfill.status_code == 200 and b"regeneratorRuntime" in polyfill.get_data()


def test_a_map_page_fetches_its_shapes_with_the_page_and_plotly_after_the_map(client):
    """The page's shape file and dcc's graph and menu code are preloaded (Link) on map pages only. plotly.js is on no
    page's critical path (issue 35, 5): neither preloaded nor in a script tag; dcc.Graph asks for it when a chart
    mounts and assets/plotly-later.js holds that request until the map is drawn."""
    plotly = "/_dash-component-suites/plotly/package_data/plotly.min.js"
    page = client.get("/area/75")
    assert "</shapes/amphoes/75.json>; rel=preload" in page.headers["Link"]
    assert plotly not in page.headers["Link"] and plotly not in page.get_data(as_text=True)
    assert re.search(r'<script (?:defer )?src="/assets/plotly-later\.js[^"]*"></script>', page.get_data(as_text=True))
    assert client.get(plotly).status_code == 200  # where dcc.Graph asks for it
    # and dcc's graph and menu code, which webpack would fetch only once the page was built
    for chunk in ("async-graph.js", "async-dropdown.js"):
        url = f"/_dash-component-suites/dash/dcc/{chunk}"
        assert f"<{url}>; rel=preload; as=script" in page.headers["Link"]
        assert client.get(url).status_code == 200, url
    # the maps' canvas script comes with the map pages alone (static_files.LAZY_ASSETS), preloaded
    national = client.get("/?level=tambon")
    for r in (page, client.get("/"), national):
        script = re.search(r"<([^>]*canvas-map\.js\?v=\w+)>; rel=preload; as=script", r.headers["Link"]).group(1)
        assert client.get(script).status_code == 200
        assert not re.search(r"<script[^>]*src=\"[^\"]*canvas-map", r.get_data(as_text=True))  # run when there is a map to draw
    for other in ("/login", "/area/75/households"):
        r = client.get(other)
        assert "Link" not in r.headers and plotly not in r.get_data(as_text=True), other
        assert "canvas-map" not in r.get_data(as_text=True), other


def test_the_plotly_bundle_carries_the_recolour_patches():
    """vendor/plotly/build.mjs patches plotly.js so a recolour does not redo what depends only on geometry; a bundle
    rebuilt without them would still draw, only slowly. The patches leave these marks in the minified code (the
    property names survive minification)."""
    from app import PLOTLY_BUNDLE

    bundle = PLOTLY_BUNDLE.read_text(encoding="utf-8")
    assert "__tpmapLine" in bundle  # a path's outline colour and width written only when they change
    assert bundle.count("WeakMap") >= 4  # features, hit polygons, boxes and outlines kept with their geometry
    assert 'getAttribute("d")' in bundle or "getAttribute('d')" in bundle  # an outline written only when it differs
