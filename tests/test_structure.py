"""Issue 14, the seams: the app that is served registers each callback once, no page imports another, the
factory is the only way to an app."""

from __future__ import annotations

import ast
import collections
import json
import pathlib
import re
import subprocess
import sys

from sqlalchemy import text

ROOT = pathlib.Path(__file__).resolve().parent.parent

SERVED = """
import collections, json, sys
sys.path.insert(0, {root!r})
import app
assert not app._built, "importing app.py built an app"
deps = {entry}.test_client().get("/_dash-dependencies").get_json()
print(json.dumps([d["output"] for d in deps]))
"""


def _served_outputs(entry: str) -> list[str]:
    """The callbacks' outputs of an app as a server process builds it (a fresh interpreter, as gunicorn or
    `flask --app app:server` would): Dash runs every page file again when it loads the pages, so a page that
    imports another registers that one's callbacks twice, in this app and not in one built by a test."""
    out = subprocess.run(
        [sys.executable, "-c", SERVED.format(root=str(ROOT), entry=entry)], capture_output=True, text=True, cwd=ROOT, timeout=300
    )
    assert out.returncode == 0, out.stderr[-2000:]
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_the_served_app_registers_each_callback_once():
    for entry in ("app.server", "__import__('wsgi').server"):
        outputs = _served_outputs(entry)
        twice = [o for o, n in collections.Counter(outputs).items() if n > 1]
        assert len(outputs) > 10 and twice == [], (entry, twice)


def test_no_two_page_modules_differ_by_one_letter():
    """`committee` and `committees` were two pages; a reader following a URL opened the wrong one. Names say
    what the page is (`_list`, `_card`, `_form`, …) and no two are one edit apart."""

    def one_edit_apart(a: str, b: str) -> bool:
        if abs(len(a) - len(b)) > 1 or a == b:
            return False
        if len(a) == len(b):
            return sum(x != y for x, y in zip(a, b, strict=True)) == 1
        short, long_ = sorted((a, b), key=len)
        return any(long_[:i] + long_[i + 1 :] == short for i in range(len(long_)))

    names = sorted(f.stem for f in (ROOT / "pages").glob("*.py"))
    close = [(a, b) for i, a in enumerate(names) for b in names[i + 1 :] if one_edit_apart(a, b)]
    assert close == []


def _project_imports() -> dict[str, set[str]]:
    """Module → the project modules it imports, counting imports inside functions (a lazy import hides a
    cycle from Python, not from the reader)."""
    mods: dict[str, pathlib.Path] = {}
    for pkg in ("mpi", "geo", "data_access", "components", "auth", "api", "exports"):
        for f in (ROOT / pkg).rglob("*.py"):
            if "migrations" not in f.parts:
                mods[".".join(f.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")] = f
    for name in ("config", "app", "wsgi", "cli", "demo", "logsafety"):
        mods[name] = ROOT / f"{name}.py"
    graph: dict[str, set[str]] = {m: set() for m in mods}
    for m, f in mods.items():
        for node in ast.walk(ast.parse(f.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
            elif isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            else:
                continue
            graph[m] |= {n for n in names if n in mods and n != m}
    return graph


def test_no_import_cycles_between_project_modules():
    graph = _project_imports()
    cycles = []

    def visit(node: str, path: list[str], done: set[str]) -> None:
        for nxt in sorted(graph[node]):
            if nxt in path:
                cycles.append(path[path.index(nxt) :] + [nxt])
            elif nxt not in done:
                visit(nxt, path + [nxt], done)
        done.add(node)

    done: set[str] = set()
    for start in sorted(graph):
        if start not in done:
            visit(start, [start], done)
    assert cycles == []


def test_the_data_layer_does_not_reach_up_into_the_web_or_the_words():
    """data_access answers with keys and numbers; labels, pages, sessions and files are built above it, and
    geometry files are built from rows the data layer hands over."""
    graph = _project_imports()
    upward = ("components", "pages", "api", "exports", "auth.web", "app")
    offenders = sorted(
        f"{m} imports {n}"
        for m, ns in graph.items()
        if m.startswith(("data_access", "geo", "mpi"))
        for n in ns
        if n.startswith(upward) or (m.startswith(("geo", "mpi")) and n.startswith("data_access"))
    )
    assert offenders == []


def test_no_page_imports_another_page():
    offenders = []
    for f in sorted((ROOT / "pages").glob("*.py")):
        for node in ast.walk(ast.parse(f.read_text(encoding="utf-8"))):
            names = (
                [node.module]
                if isinstance(node, ast.ImportFrom) and node.module
                else [a.name for a in node.names]
                if isinstance(node, ast.Import)
                else []
            )
            for name in names:
                parts = name.split(".")
                if parts[0] == "pages" and len(parts) > 1 and not parts[1].startswith("_"):
                    offenders.append(f"{f.name} imports {name}")
    assert offenders == []


YEAR = 2561


def _reveal(client, csrf, house_id: str, year: int):
    """The request Dash's renderer sends for a household page's "show the full ID" button (a pattern-matching
    callback: the output names the wildcard, the inputs the button pressed)."""
    deps = client.get("/_dash-dependencies").get_json()
    cb = next(c for c in deps if '"revealed"' in c["output"])
    member = {"member": 1, "type": "reveal"}
    payload = {
        "output": cb["output"],
        "outputs": {"id": {"member": 1, "type": "revealed"}, "property": "children"},
        "inputs": [{"id": member, "property": "n_clicks", "value": 1}],
        "changedPropIds": [json.dumps(member, separators=(",", ":"), sort_keys=True) + ".n_clicks"],
        "state": [{"id": "reveal-house", "property": "data", "value": {"house_id": house_id, "year": year}}],
    }
    return client.post("/_dash-update-component", json=payload, headers={"X-CSRFToken": csrf})


def test_a_refusal_inside_a_callback_is_said_on_the_page_in_the_readers_language(isolated_world):
    from tests.utils.world import session_client

    # a province office reads named households but may not reveal a full citizen ID (that is the district's)
    client, csrf = session_client(isolated_world, "province")
    client.set_cookie("tpmap_lang", "th")
    r = _reveal(client, csrf, isolated_world["houses"]["7501"], YEAR)
    # not a bare JSON 403 that the renderer drops: a 200 whose side update writes the reason on the page
    assert r.status_code == 200, r.get_data(as_text=True)[:300]
    body = r.get_json()
    alert = json.dumps(body.get("sideUpdate", {}).get("app-alert", {}), ensure_ascii=False)
    assert "Alert" in alert and re.search("[\u0e00-\u0e7f]", alert), body
    assert "revealed" not in json.dumps(body.get("response", {}))  # nothing was shown
    with isolated_world["engine"].connect() as conn:  # and the refusal is in the trail
        assert conn.execute(text("SELECT COUNT(*) FROM audit_event WHERE action = 'access_denied'")).scalar() >= 1


SETTINGS_CHILD = """
import json, sys
sys.path.insert(0, {root!r})
import config
from app import create_app
app = create_app(config.Settings.from_env({{}}).but(database_url={url!r}))
r = app.server.test_client().get("/api/v1/areas/75?year={year}")
print(json.dumps([r.status_code, (r.get_json() or {{}}).get("target_poor_persons")]))
"""


def test_the_settings_given_to_the_factory_are_the_ones_used(isolated_world, tmp_path):
    """create_app(settings) serves the database its settings name, whatever the environment says."""
    from data_access.figures import area_summary

    url = isolated_world["engine"].url.render_as_string(hide_password=False)
    env = {k: v for k, v in __import__("os").environ.items() if not k.startswith("TPMAP_")}
    env["TPMAP_DATABASE_URL"] = f"sqlite:///{tmp_path / 'not-this-one.sqlite'}"  # would have no figures at all
    out = subprocess.run(
        [sys.executable, "-c", SETTINGS_CHILD.format(root=str(ROOT), url=url, year=YEAR)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=300,
    )
    assert out.returncode == 0, out.stderr[-2000:]
    status, target_poor = json.loads(out.stdout.strip().splitlines()[-1])
    assert status == 200
    assert target_poor == area_summary("75", YEAR, engine=isolated_world["engine"])["target_poor_persons"]
    assert not (tmp_path / "not-this-one.sqlite").exists()
