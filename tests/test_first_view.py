"""Issue 35, 5: a public page's first response carries its first view as HTML (app.register_first_view,
components.snapshot) for signed-out visitors, and never a signed-in user's page."""

from __future__ import annotations

import re

import pytest

from tests.utils.world import session_client

YEAR = 2561  # the world this module builds
PICTURE = re.compile(
    r'<div id="tp-first-view" class="container-fluid" inert aria-hidden="true">(.*?)</div>\s*<div id="react-entry-point">', re.S
)


@pytest.fixture(scope="module")
def client(isolated_world):
    return isolated_world["app"].server.test_client()


def _picture(html: str) -> str | None:
    found = PICTURE.search(html)
    return found.group(1) if found else None


def test_the_country_and_a_province_come_with_their_first_view(client, isolated_world):
    from components.i18n import t

    for path in ("/", "/area/75", "/area/75?lang=en", "/area/7501"):
        html = client.get(path).get_data(as_text=True)
        picture = _picture(html)
        assert picture is not None, path
        lang = "en" if "lang=en" in path else "th"
        assert t("app.title", lang) in picture, path  # the page's heading, in the reader's language
        assert 'class="tp-card"' in picture and 'data-tp-id="area-map-box"' in picture, path
        assert ' id="' not in picture, path  # the real page's ids are the real page's alone
        assert "<script" not in picture and "csrf" not in picture.lower(), path
        assert html.index("tp-first-view") < html.index('id="react-entry-point"') < html.index("dash_renderer")
    # the same for the next visitor, from the store: the same bytes
    assert _picture(client.get("/area/75").get_data(as_text=True)) == _picture(client.get("/area/75").get_data(as_text=True))


def test_the_faces_come_with_the_page(client):
    """The four Sarabun files are preloaded at the addresses the style sheet asks for (else fetched twice)."""
    html = client.get("/").get_data(as_text=True)
    preloads = re.findall(r'<link rel="preload" href="(/assets/fonts/[^"]+)" as="font" type="font/woff2" crossorigin>', html)
    faces = re.findall(r'url\("(fonts/[^"]+\.woff2)"\)', client.get("/assets/10-tpmap.css").get_data(as_text=True))
    assert sorted(preloads) == sorted(f"/assets/{f}" for f in faces) and len(preloads) == 4
    for url in preloads:
        assert client.get(url).status_code == 200, url


def test_no_picture_for_a_signed_in_user_nor_for_other_pages(client, isolated_world):
    signed_in, _ = session_client(isolated_world, "province")
    for path in ("/", "/area/75"):
        html = signed_in.get(path).get_data(as_text=True)
        assert "tp-first-view" not in html, path
    for path in (
        "/login",
        "/ranking",
        "/area/75?tour=75,58&present=1",
        "/area/75?present=1",
        "/area/99",
        "/no-such-page",
        "/area/75?year=1999",
    ):
        assert "tp-first-view" not in client.get(path).get_data(as_text=True), path


def test_a_picture_that_fails_leaves_the_page_as_dash_draws_it(client, monkeypatch):
    import app

    def broken() -> str:
        raise RuntimeError("a component the picture cannot write")

    monkeypatch.setattr(app, "_draw_first_view", broken)
    page = client.get("/area/75?colour=count")  # (a view not kept yet)
    assert page.status_code == 200 and "tp-first-view" not in page.get_data(as_text=True)
    assert 'id="react-entry-point"' in page.get_data(as_text=True)


def test_the_picture_draws_the_components_as_their_markup():
    import json

    import dash_bootstrap_components as dbc
    from dash import dcc, html
    from plotly.io.json import to_json_plotly

    from components.snapshot import to_html

    tree = html.Div(
        [
            dbc.Row([dbc.Col(dbc.Label("ปี"), md=2, lg=3), dbc.Col(html.Span("x", style={"marginTop": 4, "opacity": 0.5}))]),
            html.Div(dcc.Dropdown(options=[{"label": "2561", "value": 2561}], value=2561), className="tp-dropdown"),
            dbc.RadioItems(options=[{"label": "a", "value": "a"}, {"label": "b", "value": "b"}], value="b", inline=True),
            dcc.Link("<ไป>", href="/area/75?year=2561&lang=th", id="go"),
            dcc.Graph(id="area-map", figure={"data": []}, style={"display": "none"}),
            dcc.Store(id="s", data={"secret": 1}),
            html.Div(id="t", **{"data-table": "{}"}),
        ],
        id="area-page",
        hidden=True,
    )
    out = to_html(json.loads(to_json_plotly(tree)))
    assert out.startswith('<div hidden data-tp-id="area-page">')
    assert '<div class="row"><div class="col-md-2 col-lg-3"><label class="form-label">ปี</label></div>' in out
    assert '<span style="margin-top:4px;opacity:0.5">x</span>' in out
    assert '<div class="tp-dropdown"><div class="form-select">2561</div></div>' in out
    assert out.count('type="radio"') == 2 and out.count(" checked") == 1 and "form-check-inline" in out
    assert '<a href="/area/75?year=2561&amp;lang=th">&lt;ไป&gt;</a>' in out
    assert '<div class="dash-graph" style="display:none" data-tp-id="area-map"></div>' in out
    assert "secret" not in out and "data-table" not in out


# what the page's own observers saw from its start: the first paint, Dash's page coming in, the picture leaving, the
# layout shifts (as Lighthouse sums them: those without a recent input), and both in the document at once
WATCH = """
window.__fv = {shifts: 0, both: false};
new PerformanceObserver(l => l.getEntries().forEach(e => { if (!e.hadRecentInput) window.__fv.shifts += e.value; }))
  .observe({type: 'layout-shift', buffered: true});
new PerformanceObserver(l => l.getEntries().forEach(e => { if (e.name === 'first-contentful-paint') window.__fv.fcp = e.startTime; }))
  .observe({type: 'paint', buffered: true});
new MutationObserver(() => {
  const page = document.querySelector('#area-page'), picture = document.getElementById('tp-first-view');
  if (picture && !window.__fv.pictured) window.__fv.pictured = performance.now();
  if (page && !window.__fv.page) window.__fv.page = performance.now();
  if (window.__fv.pictured && !picture && !window.__fv.gone) window.__fv.gone = performance.now();
}).observe(document, {childList: true, subtree: true});
(function frame() {  // before each frame is painted: the picture and the page never in one frame
  if (document.getElementById('tp-first-view') && document.querySelector('#area-page')) window.__fv.both = true;
  if (!window.__fv.gone) requestAnimationFrame(frame);
})();
"""


@pytest.mark.browser
def test_the_picture_is_painted_before_dash_and_gives_way_without_a_shift(isolated_world):
    import os

    from scripts import chromium
    from tests.utils.served import served
    from tests.utils.waiting import wait_until

    if not chromium.available():
        if os.environ.get("TPMAP_REQUIRE_BROWSER") == "1":
            pytest.fail("browser tests need Debian's chromium and chromium-driver")
        pytest.skip("no chromium")
    driver = chromium.make_driver(width=1350, height=940, console_log=True, lang="th")
    try:
        driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": WATCH})
        with served(isolated_world["app"].server) as base:
            for path in ("/area/75", "/"):
                driver.get(f"http://{base}{path}")
                # the page in, its star drawn by plotly.js (held back until the map was drawn, then fetched)
                wait_until(
                    lambda: driver.execute_script("return !!document.querySelector('#area-star .main-svg')"), 30, "the star"
                )
                seen = driver.execute_script("return Object.assign({}, window.__fv, {released: window.__tpPlotlyReleased})")
                assert driver.execute_script("return document.getElementById('tp-first-view')") is None, path
                assert seen["fcp"] < seen["page"], (path, seen)  # the picture was painted before Dash's page came
                assert seen["shifts"] <= 0.05 and not seen["both"], (path, seen)
                assert seen["released"] is not None, (path, seen)
                ids = driver.execute_script("return [...document.querySelectorAll('[id]')].map(e => e.id)")
                assert len(ids) == len(set(ids)), path
        errors = [e for e in driver.get_log("browser") if e["level"] == "SEVERE"]
    finally:
        driver.quit()
    assert errors == [], errors
