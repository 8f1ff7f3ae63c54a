"""Dashboard benchmark: shape sizes, bytes on the wire for a metric change, drill-down time in Chromium.

    python -m bench.dashboard            # against the embedded demo database (built if missing)

Targets (issue 4): national tambon layer <= 1.5 MB gzipped; a province's tambon layer <= 150 KB
gzipped; a metric change <= 50 KB on the wire; click-to-rendered drill-down <= 1 s.
"""

from __future__ import annotations

import logging
import statistics
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PROVINCE = "50"  # Chiang Mai: the largest demo province (25 amphoes)


def shape_sizes() -> dict:
    from sqlalchemy import text

    from data_access.db import get_engine
    from geo import shapes

    with get_engine().connect() as conn:
        provinces = list(
            conn.execute(text("SELECT code FROM area WHERE level = 'province' AND has_geometry ORDER BY code")).scalars()
        )

    from data_access.areas import display_shapes
    from static_files import compressed_copy

    def gz(name):
        """(raw, gzip, brotli) bytes of a shape file as the server sends it."""
        path = shapes.path_for(name, display_shapes)
        return path.stat().st_size, compressed_copy(path, "gzip").stat().st_size, compressed_copy(path, "br").stat().st_size

    national = gz("tambons.json")
    per_province = {p: gz(f"tambons-of/{p}.json") for p in provinces}
    return {"provinces": gz("provinces.json"), "national_tambons": national, "province_tambons": per_province}


def start_server():
    from werkzeug.serving import make_server

    from app import create_app

    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    httpd = make_server("127.0.0.1", 0, create_app().server, threaded=True)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    return httpd, f"http://127.0.0.1:{httpd.server_port}"


def browser():
    from scripts.chromium import make_driver

    return make_driver()


# the map drawn from this shape file by its canvas (assets/canvas-map.js marks each drawing and the file it drew)
RENDERED = """
const h = document.getElementById('area-canvas-host');
return !!(h && h.getAttribute('data-drawn') && h.getAttribute('data-shapes') === arguments[0]);
"""


def wait(driver, script, *args, timeout=20):
    end = time.time() + timeout
    while time.time() < end:
        if driver.execute_script(script, *args):
            return True
        time.sleep(0.02)
    raise TimeoutError(script[:60])


def choose_option(driver, dropdown_id: str, text_part: str) -> None:
    """Open a Dash 4 dropdown (a button with a listbox popover) and click the option containing text_part."""
    driver.find_element("css selector", f"#{dropdown_id}").click()
    end = time.time() + 10
    while time.time() < end:
        for opt in driver.find_elements("css selector", "[role=option]"):
            if text_part in opt.text:
                opt.click()
                return
        time.sleep(0.05)
    raise TimeoutError(f"no option {text_part!r} in #{dropdown_id}")


def metric_change_bytes(driver, base: str) -> dict:
    driver.get(base + f"/area/{PROVINCE}")
    wait(driver, RENDERED, f"/shapes/amphoes/{PROVINCE}.json")
    driver.execute_script("performance.clearResourceTimings(); performance.setResourceTimingBufferSize(1000);")
    choose_option(driver, "ctl-metric", "MPI")
    wait(driver, "return location.search.includes('metric=mpi')")
    wait(driver, RENDERED, f"/shapes/amphoes/{PROVINCE}.json")
    time.sleep(0.5)
    entries = driver.execute_script(
        "return performance.getEntriesByType('resource').map(e => [e.name, e.transferSize, e.encodedBodySize]);"
    )
    return {
        "requests": len(entries),
        "transfer_bytes": sum(e[1] for e in entries),
        "shape_bytes": sum(e[1] for e in entries if "/shapes/" in e[0]),
        "detail": [(e[0].split("?")[0].replace(base, ""), e[1]) for e in entries],
    }


def drill_down_seconds(driver, base: str, clicks: int) -> list[float]:
    """Click amphoes on the province map; time from the click to the tambon map being drawn."""
    from selenium.webdriver.common.actions.action_builder import ActionBuilder

    out = []
    for i in range(clicks):
        driver.get(base + f"/area/{PROVINCE}")
        wait(driver, RENDERED, f"/shapes/amphoes/{PROVINCE}.json")
        canvas = driver.find_element("css selector", "#area-canvas-host canvas.tp-cmap-over")
        driver.execute_script("arguments[0].scrollIntoView({block: 'center', behavior: 'instant'});", canvas)
        spot = driver.execute_script("return window.tpCanvasMap.spots('area-canvas-host', arguments[0])", i * 7)
        left, top = driver.execute_script("var r = arguments[0].getBoundingClientRect(); return [r.left, r.top]", canvas)
        click = ActionBuilder(driver)
        click.pointer_action.move_to_location(round(left + spot["x"]), round(top + spot["y"])).click()
        t0 = driver.execute_script("return performance.now();")
        click.perform()
        wait(driver, "return /\\/area\\/[0-9]{4}\\?/.test(location.pathname + location.search)")
        code = driver.execute_script("return location.pathname.split('/').pop();")
        wait(driver, RENDERED, f"/shapes/tambons/{code}.json")
        out.append((driver.execute_script("return performance.now();") - t0) / 1000)
    return out


def main() -> None:
    import argparse

    argparse.ArgumentParser(
        prog="python -m bench.dashboard",
        description="Shape sizes, bytes on the wire for a metric change and click-to-rendered drill-down in headless "
        "Chromium, on the embedded demo database (built first if missing).",
    ).parse_args()
    import demo

    demo.ensure_built()
    sizes = shape_sizes()
    httpd, base = start_server()
    d = browser()
    try:
        metric = metric_change_bytes(d, base)
        cold = drill_down_seconds(d, base, 8)  # first visit also writes each shape file on the server
        warm = drill_down_seconds(d, base, 8)
    finally:
        d.quit()
        httpd.shutdown()
    prov = sorted(v[1] for v in sizes["province_tambons"].values())
    worst = max(sizes["province_tambons"].items(), key=lambda kv: kv[1][1])
    print(f"TPMAP Open dashboard benchmark, {time.strftime('%Y-%m-%d')}")
    print(f"provinces layer: {sizes['provinces'][0] / 1e3:,.0f} KB raw, {sizes['provinces'][1] / 1e3:,.0f} KB gzipped")
    print(
        f"national tambon layer: {sizes['national_tambons'][0] / 1e6:,.2f} MB raw, "
        f"{sizes['national_tambons'][1] / 1e6:,.2f} MB gzipped (target <= 1.5 MB)"
    )
    print(
        f"province tambon layers, gzipped: median {statistics.median(prov) / 1e3:,.0f} KB, max {prov[-1] / 1e3:,.0f} KB "
        f"(province {worst[0]}) (target <= 150 KB)"
    )
    print(
        f"metric change on /area/{PROVINCE}: {metric['requests']} requests, {metric['transfer_bytes'] / 1e3:,.1f} KB "
        f"transferred, of which shapes {metric['shape_bytes']} B (target <= 50 KB)"
    )
    for name, size in metric["detail"]:
        print(f"    {size:>8,} B  {name}")
    print(
        f"drill-down province → amphoe, map click to rendered tambon map ({len(warm)} clicks): "
        f"cold median {statistics.median(cold):.2f} s (max {max(cold):.2f}), "
        f"warm median {statistics.median(warm):.2f} s (max {max(warm):.2f}) (target <= 1 s)"
    )


if __name__ == "__main__":
    main()
