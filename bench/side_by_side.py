"""Issue 16: the dashboard side by side with a naive Dash app (bench/naive_app.py) and with the floor, in headless
Chromium at 1920×1080, in interleaved rounds, on one database.

    python -m bench.side_by_side [--database-url URL] [--rounds 10] [--province 50] [--json FILE]
                                 [--gunicorn 4 [--checkout PATH]]

Actions, each timed from its start to the map drawn with the new values, with the bytes it moved:
  cold load      a new browser opens the country page
  first visit    a new browser, started (it has shown a blank page), opens the country page: a visitor's first time
  return visit   the same browser opens it again, its cache and compiled scripts kept: the visitor's next time
  metric change  on a province's page, the metric menu set to MPI (as the driver sees it)
  metric in page the same, timed in the page: the option's click event to the end of Plotly.react's redraw (or of
                 the canvas's drawing)
  metric to frame  the same click to the end of the first frame the browser renders after that drawing: what the
                 viewer sees (the page's other updates, the style, layout and paint of that frame included)
  drill-down     on a province's page, a click on one of its amphoes (the pointer rests on it 0.3 s first); in the
                 page and to the frame as a metric change
  tambon map     (the project alone) a new browser opens the national tambon map, /?level=tambon
  tambon recolour  (the project alone) on that map, the metric menu set to MPI (in the page and to the frame too)
The floor is measured in the same rounds: an empty page, and plotly.js alone drawing the same province layer
(the project's own bundle and shape file, no Dash). Prints p50 and p90 per app and action, the bytes, and the
ratio naive/project per action (pairs of the same round). Both apps are served by werkzeug's threaded server in
this process, on loopback; with --gunicorn, the project as deployed instead (its own processes: a page's map
preview and its update are computed side by side, not in one interpreter), from this checkout or --checkout's.
"""

from __future__ import annotations

import argparse
import json
import logging
import statistics
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

# the map drawn: plotly.js's SVG, or the national tambon map's canvas (assets/canvas-map.js marks each drawing)
DRAWN = """
const want = arguments[0];
const h = document.getElementById('area-canvas-host');
if (h && h.getAttribute('data-drawn') && h.offsetParent !== null)
  return want === null || h.textContent.includes(want) || h.getAttribute('data-shapes') === want;
const g = document.querySelector('#area-map .js-plotly-plot') || document.querySelector('.js-plotly-plot');
if (!g || !g.data || !g.querySelectorAll('path.choroplethlocation').length) return false;
return want === null || (g.layout && g.layout.title && String(g.layout.title.text || '').includes(want))
    || g.data.some(t => t.geojson === want);
"""
BYTES = "return performance.getEntriesByType('resource').reduce((a, e) => a + e.transferSize, 0)"
NAV_BYTES = "const n = performance.getEntriesByType('navigation')[0]; return n ? n.transferSize : 0"


def serve(app, port: int = 0):
    from werkzeug.serving import make_server

    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    httpd = make_server("127.0.0.1", port, app, threaded=True)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    return httpd, f"http://127.0.0.1:{httpd.server_port}"


def floor_app(plotly_path: Path, shape_path: Path):
    """The floor: an empty page, and plotly.js alone drawing one layer (no Dash, no callbacks)."""
    from flask import Flask, send_file

    from static_files import send

    app = Flask("floor")

    @app.get("/empty")
    def empty():
        return "<!doctype html><html><head><title>empty</title></head><body><p>empty</p></body></html>"

    @app.get("/plotly.js")
    def plotly():
        return send(plotly_path, "text/javascript", max_age=0)

    @app.get("/layer.json")
    def layer():
        return send(shape_path, "application/geo+json", max_age=0)

    @app.get("/alone")
    def alone():
        return """<!doctype html><html><head><title>plotly alone</title></head><body>
<div id="area-map"><div id="g" style="width:1000px;height:700px"></div></div>
<script src="/plotly.js"></script>
<script>
fetch("/layer.json").then(r => r.json()).then(geo => {
  const codes = geo.features.map(f => f.properties.code);
  Plotly.newPlot("g", [{type: "choropleth", geojson: geo, featureidkey: "properties.code", locations: codes,
    z: codes.map((c, i) => i), colorscale: "RdPu"}], {geo: {fitbounds: "locations", visible: false},
    margin: {l: 0, r: 0, t: 30, b: 0}}, {topojsonURL: "/topojson/"});
});
</script></body></html>"""

    @app.get("/topojson/world_110m.json")
    def topojson():
        return send_file(ROOT / "assets" / "topojson" / "world_110m.json")

    return app


def wait(driver, script, *args, timeout=60.0) -> bool:
    end = time.time() + timeout
    while time.time() < end:
        if driver.execute_script(script, *args):
            return True
        time.sleep(0.01)
    raise TimeoutError(script[:80])


def now(driver) -> float:
    return driver.execute_script("return performance.now()")


# when a new document's map is first drawn (plotly.js's paths, or the canvas's mark), in the page's own clock
DRAWN_HOOK = (
    "new MutationObserver(function (m, o) {"
    " if (document.querySelector('path.choroplethlocation, #area-canvas-host[data-drawn]'))"
    " { window.__drawn = performance.now(); o.disconnect(); } }).observe(document,"
    " {subtree: true, childList: true, attributes: true, attributeFilter: ['data-drawn']});"
)


def cold_load(make_driver, url: str) -> tuple[float, int]:
    d = make_driver()
    try:
        d.execute_cdp_cmd(
            "Page.addScriptToEvaluateOnNewDocument",
            {"source": DRAWN_HOOK},
        )
        d.get(url)
        wait(d, "return window.__drawn || (document.title === 'empty' && (window.__drawn = performance.now()))")
        drawn = d.execute_script("return window.__drawn")
        time.sleep(0.5)
        return drawn, d.execute_script(BYTES) + d.execute_script(NAV_BYTES)
    finally:
        d.quit()


def visits(make_driver, url: str) -> tuple[tuple[float, int], tuple[float, int]]:
    """A visitor's first time and next time: a new browser, already started (it has shown a blank page: a browser's
    very first navigation also pays for starting its own machinery), opens the page; then opens it again, its cache
    and compiled scripts kept."""
    d = make_driver()
    try:
        d.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": DRAWN_HOOK})
        out = []
        for _ in range(2):
            d.get("about:blank")
            time.sleep(0.3)
            d.get(url)
            wait(d, "return window.__drawn")
            drawn = d.execute_script("return window.__drawn")
            time.sleep(0.5)
            out.append((drawn, d.execute_script(BYTES) + d.execute_script(NAV_BYTES)))
        return out[0], out[1]
    finally:
        d.quit()


def choose(driver, dropdown_id: str, text_part: str) -> None:
    from bench.dashboard import choose_option

    choose_option(driver, dropdown_id, text_part)


_VALUES = """
const c = window.tpCanvasMap && window.tpCanvasMap.values('area-canvas-host');
const g = document.querySelector('#area-map .js-plotly-plot') || document.querySelector('.js-plotly-plot');
const values = c ? JSON.stringify(c) : g && g.data && g.data.length ? JSON.stringify(g.data.map(t => t.z || null)) : null;
"""
VALUES = _VALUES + "return values;"
CHANGED = _VALUES + "return values !== null && values !== arguments[0];"


# The end of the frame rendered after a drawing: the next animation frame's callback runs before that frame's style,
# layout and paint, and a message posted from it is delivered after them (window.__framed, one per drawing)
FRAME_AFTER = """
window.__framed = [];
window.__frameAfter = function () {
  requestAnimationFrame(() => {
    const c = new MessageChannel();
    c.port1.onmessage = () => window.__framed.push(performance.now());
    c.port2.postMessage(0);
  });
};
"""
# Timed inside the page as well: from the option's click event to the end of the Plotly.react that draws the new
# values (a wrapper around it), without the driver's own round trips (about 35 ms per click, 10 ms per poll); and to
# the frame after it.
IN_PAGE = (
    FRAME_AFTER
    + """
window.__reacted = [];
document.addEventListener('click', () => { window.__clicked = window.__clicked || performance.now(); }, true);
if (window.Plotly) {
  const react = window.Plotly.react;
  window.Plotly.react = function () {
    return Promise.resolve(react.apply(this, arguments)).then(x => {
      window.__reacted.push(performance.now());
      window.__frameAfter();
      return x;
    });
  };
}
document.addEventListener('tp-map-drawn', () => { window.__reacted.push(performance.now()); window.__frameAfter(); });
"""
)


def metric_change(driver, url: str, menu: str, pick: str) -> tuple[float, int, float, float]:
    driver.get(url)
    wait(driver, DRAWN, None)
    time.sleep(0.5)
    before = driver.execute_script(VALUES)
    driver.execute_script("performance.clearResourceTimings()")
    # the menu is opened first and the time starts at the choice (opening it is the browser's, not the app's)
    driver.find_element("css selector", f"#{menu}").click()
    end = time.time() + 10
    while time.time() < end:
        options = [o for o in driver.find_elements("css selector", "[role=option]") if pick in o.text]
        if options:
            break
        time.sleep(0.02)
    driver.execute_script(IN_PAGE)
    t0 = now(driver)
    options[0].click()
    wait(driver, CHANGED, before)
    wait(driver, DRAWN, None)
    took = now(driver) - t0
    time.sleep(0.3)
    # the first redraw after the click that holds the new values (a later one, if any, redraws the same)
    in_page = driver.execute_script("return window.__reacted.length ? window.__reacted[0] - window.__clicked : null")
    framed = driver.execute_script("return window.__framed.length ? window.__framed[0] - window.__clicked : null")
    return took, driver.execute_script(BYTES), in_page if in_page is not None else took, framed if framed is not None else took


# A drill-down timed inside the page: from the click to the end of the drawing of the new level's map (its
# Plotly.react, or the canvas's), whatever the star and the trend beside it are doing.
MAP_DRAWN = (
    FRAME_AFTER
    + """
window.__mapDrawn = null;
document.addEventListener('click', () => { window.__clicked = performance.now(); }, true);
if (window.Plotly) {
  const react = window.Plotly.react;
  window.Plotly.react = function (gd) {
    const map = gd && gd.closest && gd.closest('.tp-map-box');
    return Promise.resolve(react.apply(this, arguments)).then(x => {
      if (map && window.__mapDrawn === null) { window.__mapDrawn = performance.now(); window.__frameAfter(); }
      return x;
    });
  };
}
// the map's canvas (assets/canvas-map.js): its first drawing after the click, of the new level's shapes
document.addEventListener('tp-map-drawn', (e) => {
  const h = e.target;
  if (window.__mapDrawn === null && window.__clicked && h.getAttribute('data-shapes') !== window.__shapesBefore) {
    window.__mapDrawn = performance.now();
    window.__frameAfter();
  }
});
window.__shapesBefore = (document.getElementById('area-canvas-host') || {getAttribute: () => null}).getAttribute('data-shapes');
"""
)


def drill_down(driver, url: str, index: int) -> tuple[float, int, float | None, float | None]:
    from selenium.webdriver.common.action_chains import ActionChains

    driver.get(url)
    wait(driver, DRAWN, None)
    time.sleep(0.5)
    before = driver.current_url
    paths = driver.find_elements("css selector", "path.choroplethlocation")
    # the pointer rests on the area a moment first, as a hand does before it clicks (both apps alike)
    if paths:
        ActionChains(driver).move_to_element(paths[index % len(paths)]).perform()
    else:  # the map's canvas: a point well inside one of its areas (the index-th's, as with the paths)
        from selenium.webdriver.common.actions.action_builder import ActionBuilder

        canvas = driver.find_element("css selector", "#area-canvas-host canvas.tp-cmap-over")
        driver.execute_script("arguments[0].scrollIntoView({block: 'center', behavior: 'instant'});", canvas)
        spot = driver.execute_script("return window.tpCanvasMap.spots('area-canvas-host', arguments[0])", index)
        left, top = driver.execute_script("var r = arguments[0].getBoundingClientRect(); return [r.left, r.top]", canvas)
        move = ActionBuilder(driver)
        move.pointer_action.move_to_location(round(left + spot["x"]), round(top + spot["y"]))
        move.perform()
    time.sleep(0.3)
    driver.execute_script("performance.clearResourceTimings()")
    in_page = driver.execute_script("return !!document.querySelector('.tp-map-box')")
    if in_page:
        driver.execute_script(MAP_DRAWN)
    # wall time: the naive app's drill-down loads a new document, which starts performance.now() again
    t0 = time.perf_counter()
    ActionChains(driver).click().perform()
    wait(driver, "return window.location.href !== arguments[0]", before)
    code = driver.current_url.split("?")[0].rstrip("/").split("/")[-1]
    wait(driver, DRAWN, f"/shapes/tambons/{code}.json" if "/area/" in driver.current_url else None)
    # the naive app draws from an inline GeoJSON: wait until its map is of the new area
    wait(
        driver,
        "if (document.getElementById('area-canvas-host')) return true;"
        "const g = document.querySelector('.js-plotly-plot'); return g && g.data && "
        "g.data[0].locations && g.data[0].locations.length && String(g.data[0].locations[0]).startsWith(arguments[0])",
        code,
    )
    took = (time.perf_counter() - t0) * 1000
    time.sleep(0.3)
    framed = None
    if in_page:
        in_page = driver.execute_script("return window.__mapDrawn && window.__mapDrawn - window.__clicked")
        framed = driver.execute_script("return window.__framed.length ? window.__framed[0] - window.__clicked : null")
    return took, driver.execute_script(BYTES), in_page or None, framed


def pct(values: list[float], q: float) -> float:
    s = sorted(values)
    return s[min(len(s) - 1, int(round(q * (len(s) - 1))))]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--database-url", default=None, help="default: the embedded demo database")
    ap.add_argument("--rounds", type=int, default=10)
    ap.add_argument("--province", default="50")
    ap.add_argument("--json", type=Path)
    ap.add_argument("--no-national", dest="national", action="store_false", help="leave out the national tambon map")
    ap.add_argument(
        "--gunicorn",
        type=int,
        metavar="WORKERS",
        help="serve the project as deployed (gunicorn, gunicorn.conf.py) with this many workers, as the issue measured"
        " it; by default werkzeug's threaded server in this process, where the page's requests share one interpreter",
    )
    ap.add_argument("--checkout", type=Path, default=ROOT, help="with --gunicorn: the checkout to serve (default: this one)")
    a = ap.parse_args()
    import os

    if a.database_url:
        os.environ["TPMAP_DATABASE_URL"] = a.database_url
    import config
    from app import create_app
    from bench.naive_app import make_app
    from data_access.areas import display_shapes
    from geo import shapes
    from scripts.chromium import make_driver

    if a.gunicorn:
        from bench.load import start_server

        if not a.database_url:
            raise SystemExit("--gunicorn serves a --database-url (the embedded file is the in-process server's)")
        log = Path("/tmp/tpmap-side-by-side-gunicorn.log")
        project_proc, project = start_server(a.database_url, a.gunicorn, dev=False, cwd=a.checkout, log_path=log, wait=300)
        project_httpd = None
    else:
        project_httpd, project = serve(create_app().server)
    naive_httpd, naive = serve(make_app(config.database_url()).server)
    layer = f"amphoes/{a.province}.json"
    shape_file = shapes.path_for(layer, display_shapes)
    floor_httpd, floor = serve(floor_app(ROOT / "static" / "plotly-tpmap.min.js", shape_file))

    def driver():
        return make_driver(1920, 1080)

    results: dict[tuple[str, str], list[tuple[float, int]]] = {}
    d = driver()
    try:
        for r in range(a.rounds):
            for app_name, base in (("project", project), ("naive", naive)):
                results.setdefault((app_name, "cold load"), []).append(cold_load(driver, base + "/"))
                first, again = visits(driver, base + "/")
                results.setdefault((app_name, "first visit"), []).append(first)
                results.setdefault((app_name, "return visit"), []).append(again)
                page = f"{base}/area/{a.province}" if app_name == "project" else f"{base}/{a.province}"
                menu, pick = ("ctl-metric", "MPI") if app_name == "project" else ("metric", "crisis")
                took, moved, in_page, framed = metric_change(d, page, menu, pick)
                results.setdefault((app_name, "metric change"), []).append((took, moved))
                results.setdefault((app_name, "metric in page"), []).append((in_page, moved))
                results.setdefault((app_name, "metric to frame"), []).append((framed, moved))
                took, moved, in_page, framed = drill_down(d, page, r * 7)
                results.setdefault((app_name, "drill-down"), []).append((took, moved))
                # (a frame not seen is counted as the driver's time, never as the drawing's: the larger of the two)
                if in_page is not None:  # the project's: the naive app's drill-down loads a new document
                    results.setdefault((app_name, "drill in page"), []).append((in_page, moved))
                    results.setdefault((app_name, "drill to frame"), []).append((framed if framed is not None else took, moved))
            if a.national:  # the project alone: the naive app has no national tambon map
                results.setdefault(("project", "tambon map"), []).append(cold_load(driver, project + "/?level=tambon"))
                took, moved, in_page, framed = metric_change(d, project + "/?level=tambon", "ctl-metric", "MPI")
                results.setdefault(("project", "tambon recolour"), []).append((took, moved))
                results.setdefault(("project", "tambon in page"), []).append((in_page, moved))
                results.setdefault(("project", "tambon to frame"), []).append((framed, moved))
            results.setdefault(("floor", "empty page"), []).append(cold_load(driver, floor + "/empty"))
            results.setdefault(("floor", "plotly alone"), []).append(cold_load(driver, floor + "/alone"))
            print(f"round {r + 1}/{a.rounds} done", file=sys.stderr)
    finally:
        d.quit()
        for h in (project_httpd, naive_httpd, floor_httpd):
            if h is not None:
                h.shutdown()
        if a.gunicorn:
            import os
            import signal

            os.killpg(project_proc.pid, signal.SIGINT)  # gunicorn's quick shutdown, its workers with it
            project_proc.wait(timeout=60)

    print(f"\n{'app':<9}{'action':<15}{'p50 ms':>9}{'p90 ms':>9}{'KB':>9}")
    for (app_name, action), rows in results.items():
        ms = [t for t, _ in rows]
        kb = statistics.median(b for _, b in rows) / 1024
        print(f"{app_name:<9}{action:<15}{pct(ms, 0.5):>9.0f}{pct(ms, 0.9):>9.0f}{kb:>9.0f}")
    print(f"\n{'action':<15}{'naive/project (median of per-round ratios)':>45}")
    for action in (
        "cold load",
        "first visit",
        "return visit",
        "metric change",
        "metric in page",
        "metric to frame",
        "drill-down",
    ):
        pairs = zip(results[("naive", action)], results[("project", action)], strict=True)
        ratio = statistics.median(n[0] / p[0] for n, p in pairs)
        print(f"{action:<15}{ratio:>45.1f}")
    if a.json:
        a.json.write_text(json.dumps({f"{k[0]}|{k[1]}": v for k, v in results.items()}, indent=1))


if __name__ == "__main__":
    main()
