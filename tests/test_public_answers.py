"""Issue 35.3, the same answer computed for everyone: a signed-out page's render and a map page's control change are
kept in one store every worker shares (files under TPMAP_CALLBACK_CACHE_DIR), keyed by the validated view and the
data stamp. Junk in an address makes no new entry; a signed-in answer is never written to it nor served from it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event, text

from data_access import cache
from tests.utils.world import decoded, page_callback, page_update, session_client

ROOT = Path(__file__).resolve().parent.parent
YEAR = 2562


@pytest.fixture(scope="module")
def world(isolated_world):
    return isolated_world


def _kept(folder: Path) -> list[Path]:
    return sorted(p for p in folder.glob("*") if not p.name.startswith(".tmp-")) if folder.exists() else []


def _rendered(engine, call) -> tuple[object, bool]:
    """The call's answer, and whether it read any figure (a render or an update ran) beyond the data stamp."""
    seen: list[str] = []

    def listen(conn, cursor, statement, *_):
        seen.append(statement)

    event.listen(engine, "before_cursor_execute", listen)
    try:
        answer = call()
    finally:
        event.remove(engine, "before_cursor_execute", listen)
    return answer, any("rollup" in s and "area_rollup_source" not in s for s in seen)


def rendered_data(response, element: str) -> Any:
    """The `data` of the store `element` in a render's answer (the page's state, the map's figure)."""

    def find(node):
        if isinstance(node, dict):
            if node.get("props", {}).get("id") == element:
                return node["props"]["data"]
            return next((f for v in node.values() if (f := find(v)) is not None), None)
        if isinstance(node, list):
            return next((f for v in node if (f := find(v)) is not None), None)
        return None

    found = find(response.get_json())
    assert found is not None
    return found


def _area_state(response) -> dict:
    """The map page's state as its render wrote it (the dcc.Store the update reads)."""
    return rendered_data(response, "area-state")


def area_update(client, state: dict, changed: str, **asked: Any) -> Any:
    """The body Dash's renderer sends to a map page's update when `changed` (an input, as `id.property`) changes to
    what `asked` says (by input id), the other controls as the page's state says."""
    deps = client.get("/_dash-dependencies").get_json()
    cb = next(c for c in deps if c["output"].startswith("..area-canvas-fig.data..."))
    shown = {"ctl-year": state["year"], "ctl-metric": state["metric"], "ctl-colour": state["colour"]}
    shown |= {"ctl-dims": list(state["dims"]), "ctl-definition": state["definition"], "ctl-level": state["maplevel"]}
    shown |= {"ctl-age": state["age"], "area-map": None}
    values = shown | {k.replace("_", "-"): v for k, v in asked.items()}
    body = {
        "output": cb["output"],
        "outputs": [{"id": o.split(".")[0], "property": o.split(".")[1]} for o in cb["output"].strip(".").split("...")],
        "inputs": [{"id": i["id"], "property": i["property"], "value": values[i["id"]]} for i in cb["inputs"]],
        "changedPropIds": [changed],
        "state": [{"id": "area-state", "property": "data", "value": state}],
    }
    return client.post("/_dash-update-component", json=body)


def _metric_change(client, state: dict, metric: str) -> Any:
    """The body Dash's renderer sends when the metric menu changes on a map page."""
    return area_update(client, state, "ctl-metric.value", ctl_metric=metric)


def test_junk_in_an_address_makes_no_new_entry(world, store):
    engine = world["engine"]
    anon = world["app"].server.test_client()
    first, rendered = _rendered(engine, lambda: page_callback(anon, "/area/75", f"?year={YEAR}", None))
    assert first.status_code == 200 and rendered and len(_kept(store)) == 1
    # the same view spelt otherwise, with junk and with a metric the page repairs to its default
    for search in (f"?year={YEAR}&junk=1", f"?metric=nonsense&year={YEAR}&colour=share", f"?year={YEAR}&dims=junk"):
        again, rendered = _rendered(engine, lambda s=search: page_callback(anon, "/area/75", s, None))
        assert again.get_data() == first.get_data() and not rendered, search
    assert len(_kept(store)) == 1
    # an address whose view is not one the database has: answered, never kept
    for path, search in (("/area/75", "?year=2599"), ("/area/9999", f"?year={YEAR}"), ("/area/75", "?year=02562")):
        assert page_callback(anon, path, search, None).status_code == 200
    assert len(_kept(store)) == 1
    # an answer older than TPMAP_PAGE_CACHE_SECONDS is computed again (a line that depends on the clock)
    (kept,) = _kept(store)
    head, _, body = kept.read_bytes().partition(b"\n")
    kept.write_bytes(json.dumps(json.loads(head) | {"until": time.time() - 1}).encode() + b"\n" + body)
    again, rendered = _rendered(engine, lambda: page_callback(anon, "/area/75", f"?year={YEAR}", None))
    assert again.get_data() == first.get_data() and rendered and len(_kept(store)) == 1
    assert json.loads(kept.read_bytes().partition(b"\n")[0])["until"] > time.time()
    # another view is another entry
    assert page_callback(anon, "/area/75", f"?year={YEAR}&metric=crisis", None).status_code == 200
    assert len(_kept(store)) == 2


def _served(kind: str) -> float:
    """Answers of this kind served from the store so far, in this process (the /metrics counter)."""
    from prometheus_client import REGISTRY

    return REGISTRY.get_sample_value("tpmap_cache_lookups_total", {"cache": kind, "outcome": "hit"}) or 0.0


def test_a_metric_change_is_computed_once_for_everyone(world, store):
    anon = world["app"].server.test_client()
    state = _area_state(page_callback(anon, "/area/75", f"?year={YEAR}", None))
    before, hits = len(_kept(store)), _served("update")
    first = _metric_change(anon, state, "crisis")
    assert first.status_code == 200 and "crisis" in decoded(first) and len(_kept(store)) == before + 1
    assert _served("update") == hits
    other = world["app"].server.test_client()
    again = _metric_change(other, state, "crisis")
    assert again.get_data() == first.get_data() and _served("update") == hits + 1
    # what the update does not read (the state's address words) is the same entry
    served = _metric_change(other, state | {"here": "/junk", "query": "?junk=1"}, "crisis")
    assert served.get_data() == first.get_data() and _served("update") == hits + 2
    # any other map than the one the answer leaves gets the whole map, as the first did: the same entry
    mapped = _metric_change(other, state | {"map": ["junk"]}, "crisis")
    assert mapped.get_data() == first.get_data() and _served("update") == hits + 3
    # a page that shows that map already gets a patch of its values alone: not the kept answer
    answered = first.get_json()["response"]["area-state"]["data"]["map"]
    patched = _metric_change(other, state | {"map": answered}, "crisis")
    assert patched.status_code == 200 and patched.get_data() != first.get_data() and _served("update") == hits + 3
    # a state the page could not have written (a year it does not have) is answered, not kept
    assert _metric_change(other, state | {"year": 2599}, "crisis").status_code in (200, 204)
    assert _metric_change(other, state, "mpi").status_code == 200
    assert len(_kept(store)) == before + 2


def test_a_signed_in_answer_never_enters_the_store_nor_leaves_its_user(world, store):
    engine = world["engine"]
    official, csrf = session_client(world, "province")
    mine = page_callback(official, "/area/75", f"?year={YEAR}&metric=mpi", csrf)
    assert mine.status_code == 200 and "Test province" in decoded(mine)
    changed = _metric_change_signed_in(official, csrf, _area_state(mine))
    assert changed.status_code == 200
    assert _kept(store) == []
    # then a signed-out visitor asks for the same view: rendered for them, without the official's name
    anon = world["app"].server.test_client()
    theirs, rendered = _rendered(engine, lambda: page_callback(anon, "/area/75", f"?year={YEAR}&metric=mpi", None))
    assert rendered and "Test province" not in decoded(theirs) and "sign-in-link" in decoded(theirs)
    # and the official, asking again after the visitor's answer was kept, is rendered for again
    again, rendered = _rendered(engine, lambda: page_callback(official, "/area/75", f"?year={YEAR}&metric=mpi", csrf))
    assert rendered and "Test province" in decoded(again)
    with engine.connect() as conn:
        ids = [r[0] for r in conn.execute(text("SELECT citizen_id FROM person LIMIT 50"))]
    kept = b"".join(_plain(p) for p in _kept(store))
    assert kept and b"Test province" not in kept and not any(i.encode() in kept for i in ids)


def _metric_change_signed_in(client, csrf: str, state: dict):
    client.environ_base["HTTP_X_CSRFTOKEN"] = csrf
    try:
        return _metric_change(client, state, "crisis")
    finally:
        client.environ_base.pop("HTTP_X_CSRFTOKEN", None)


def _plain(path: Path) -> bytes:
    """A kept answer's words, decompressed as its headers say."""
    import gzip

    import brotli

    head, _, body = path.read_bytes().partition(b"\n")
    encoding = json.loads(head)["headers"].get("Content-Encoding")
    return head + (brotli.decompress(body) if encoding == "br" else gzip.decompress(body) if encoding == "gzip" else body)


def test_an_import_retires_every_entry_and_the_store_is_bounded(world, store, monkeypatch):
    engine = world["engine"]
    anon = world["app"].server.test_client()
    assert page_callback(anon, "/area/75", f"?year={YEAR}", None).status_code == 200
    old = {p.name for p in _kept(store)}
    with engine.begin() as conn:
        conn.execute(text("UPDATE survey_year SET imported_at = CURRENT_TIMESTAMP"))
    cache.data_changed(engine)
    fresh, rendered = _rendered(engine, lambda: page_callback(anon, "/area/75", f"?year={YEAR}", None))
    assert rendered and old and not old & {p.name for p in _kept(store)}  # the old data's files are gone
    # at most TPMAP_CALLBACK_CACHE_ENTRIES, the least lately used out first
    folder = store / "bounded"
    folder.mkdir()
    for n in range(5):
        (folder / f"p-{n}").write_bytes(b"{}\n")
        os.utime(folder / f"p-{n}", (time.time() - 100 + n, time.time() - 100 + n))
    (folder / "q-0").write_bytes(b"{}\n")  # another data stamp's
    cache.sweep(folder, "p-", 2)
    assert sorted(p.name for p in folder.iterdir()) == ["p-3", "p-4"]


def test_the_store_is_shared_by_processes_and_counted(world, store):
    """A second process (a gunicorn worker beside this one) serves the kept answer without rendering."""
    anon = world["app"].server.test_client()
    first = page_callback(anon, "/area/75", f"?year={YEAR}&metric=crisis&lang=en", None)
    assert first.status_code == 200
    script = (
        "import sys; sys.path.insert(0, '.');"
        "from prometheus_client import REGISTRY;"
        "from app import create_app;"
        "from tests.utils.world import page_callback;"
        "client = create_app().server.test_client();"
        f"r = page_callback(client, '/area/75', '?year={YEAR}&metric=crisis&lang=en', None);"
        "hits = REGISTRY.get_sample_value('tpmap_cache_lookups_total', {'cache': 'render', 'outcome': 'hit'});"
        "print(r.status_code, hits);"
        "sys.stdout.flush(); sys.stdout.buffer.write(r.get_data())"
    )
    out = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, env=dict(os.environ), timeout=300, check=True
    ).stdout
    head, _, body = out.partition(b"\n")
    assert head == b"200 1.0" and body == first.get_data()
    metrics = anon.get("/metrics").get_data(as_text=True)
    assert 'tpmap_cache_lookups_total{cache="render",outcome="hit"}' in metrics
    assert 'tpmap_cache_lookups_total{cache="render",outcome="miss"}' in metrics


def test_a_restart_keeps_the_releases_answers_and_a_new_release_never_sends_them(world, store, monkeypatch):
    """The production server's start (wsgi.py) renders the country's first view into the store and removes nothing:
    a restart of the same release serves what the previous process kept (the first visit after a start is as fast
    as the next). Answers are named by the release, so another release renders afresh and sweeps the old ones."""
    anon = world["app"].server.test_client()
    assert page_callback(anon, "/area/75", f"?year={YEAR}&lang=en", None).status_code == 200
    (kept,) = _kept(store)
    warm = dict(os.environ, TPMAP_WARM_PAGES=f"/, /area/75?year={YEAR}&metric=crisis")
    started = subprocess.run([sys.executable, "-c", "import wsgi"], cwd=ROOT, capture_output=True, env=warm, timeout=300)
    assert started.returncode == 0, started.stderr.decode()[-2000:]
    after = _kept(store)
    # nothing removed; the two pages TPMAP_WARM_PAGES names added, each its router's answer and its first view's
    # picture (app.register_first_view: the page's HTML asked for by the start)
    assert kept in after and len(after) == 5
    as_a_browser = {"Accept-Encoding": "gzip, deflate, br"}  # what the server asked itself for, and browsers send
    body = page_update(anon, "/area/75", f"?year={YEAR}&metric=crisis")
    crisis, rendered = _rendered(world["engine"], lambda: anon.post("/_dash-update-component", json=body, headers=as_a_browser))
    assert not rendered and crisis.status_code == 200 and crisis.headers["Content-Encoding"] == "br"
    # with the database not there at start, the server starts all the same (and answers 503 until it is)
    gone = dict(warm, TPMAP_DATABASE_URL="postgresql+psycopg://nobody@127.0.0.1:9/none?connect_timeout=2")
    started = subprocess.run([sys.executable, "-c", "import wsgi"], cwd=ROOT, capture_output=True, env=gone, timeout=300)
    assert started.returncode == 0 and b"rendering the first views at start failed" in started.stderr
    again, rendered = _rendered(world["engine"], lambda: page_callback(anon, "/area/75", f"?year={YEAR}&lang=en", None))
    assert not rendered and again.status_code == 200
    monkeypatch.setattr(cache, "release", lambda: "another release")
    fresh, rendered = _rendered(world["engine"], lambda: page_callback(anon, "/area/75", f"?year={YEAR}&lang=en", None))
    assert rendered and fresh.get_data() == again.get_data()
    assert kept not in _kept(store) and len(_kept(store)) == 1  # the old release's answers swept by the first write
