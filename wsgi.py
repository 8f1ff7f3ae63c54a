"""The production entry point: `gunicorn --workers N --bind HOST:PORT wsgi:server`.

Settings come from the environment (see config.py and docs/deploying.md). gunicorn.conf.py preloads this module in
the server's own process, so what is done here is done once, before the workers fork and any request is accepted."""

import json
import logging
import re
from typing import Any

from flask import Flask

import config
import static_files
from app import configure_logging, create_app

ROUTER_INPUT = {"id": "_pages_location", "property": "pathname"}  # Dash pages' router: the address's path


def _router_body(dep: dict[str, Any], page: str) -> dict[str, Any]:
    """The body the browser posts to render `path` (Dash's renderer writes the same for the router callback)."""
    text = str(dep["output"])
    parts = text[2:-2].split("...") if text.startswith("..") and text.endswith("..") else [text]
    outputs = [dict(zip(("id", "property"), part.rsplit(".", 1), strict=True)) for part in parts]
    path, _, query = page.partition("?")
    values = {"pathname": path, "search": "?" + query if query else "", "hash": ""}

    def valued(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return [x | {"value": values.get(x["property"]) if x["id"] == "_pages_location" else None} for x in items]

    return {
        "output": text,
        "outputs": outputs if len(parts) > 1 else outputs[0],
        "inputs": valued(dep["inputs"]),
        "changedPropIds": ["_pages_location.pathname"],
        "state": valued(dep.get("state", [])),
    }


def warm_first_views(server: Flask, pages: tuple[str, ...]) -> int:
    """Render the first view of each page once, here in the preloaded process: the first render in a process paid
    for plotly's validators, the figure modules and the area sets (360 ms for `/`, and 150 ms for the first page's
    HTML), so a visitor after a start waited about half a second more than the next one (bench/RESULTS.md, issue
    35). The workers fork with all of it in memory, and the signed-out answer is in the shared store. The number of
    pages rendered."""
    from data_access.areas import has_polygon

    has_polygon("TH")  # the set every map page's preload header reads (8,431 codes): 30 ms of a first area page
    client = server.test_client()
    deps = client.get("/_dash-dependencies").get_json()
    router = next(d for d in deps if ROUTER_INPUT in [{"id": i["id"], "property": i["property"]} for i in d["inputs"]])
    done = 0
    for page in pages:
        client.get(page)
        answer = client.post("/_dash-update-component", data=json.dumps(_router_body(router, page)),
                             headers={"Content-Type": "application/json", "Accept-Encoding": "br"})  # fmt: skip
        done += answer.status_code == 200
    return done


configure_logging()
server = create_app(config.Settings.from_env()).server  # read once, at start
# Dash's scripts and styles compressed at brotli 11 now (kept on disk for the release), not by a first visitor
static_files.warm(server)


def warm_worker() -> None:
    """In each worker as it starts (gunicorn.conf.py's post_fork), before it accepts a request: its own database
    connection opened and a request through every hook and the compressed files' path, which a first visitor after a
    start otherwise paid for in each worker it reached."""
    client = server.test_client()
    try:
        client.get("/healthz")
        first = re.search(r'src="(/_dash-component-suites/[^"]+)"', client.get("/").get_data(as_text=True))
        if first:
            client.get(first.group(1), headers={"Accept-Encoding": "br"})
    except Exception:  # a warm-up that fails must not stop a worker from serving: log it and go on
        logging.getLogger(__name__).exception("warming the worker failed")


# the country's first view rendered once here, before the workers fork: they start with what it loaded, and its
# signed-out answer is in the shared store (named by the release: a restart of the same release keeps the others)
try:
    warm_first_views(server, config.settings().warm_pages)
except Exception:  # the database not there yet: serve anyway (503 until it is), the first visitors render
    logging.getLogger(__name__).exception("rendering the first views at start failed")
