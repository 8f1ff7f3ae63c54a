"""The TPMAP Open application: a Dash multipage app on a Flask server, built by one factory.

`create_app()` builds it; `wsgi.py` (`gunicorn wsgi:server`) and `flask --app app:server ...` both get it
from there. Importing this module builds nothing: `app.server` is made on first use (PEP 562), so a test,
a benchmark or a script that builds its own app does not also build, and register callbacks for, this one.
"""

from __future__ import annotations

import gc
import json
import logging
import re
import time
from collections.abc import Callable, Collection, Hashable, Mapping
from html import escape
from pathlib import Path
from typing import TYPE_CHECKING, Any

import dash
from flask import Flask, Response, abort, current_app, jsonify, redirect, request

import cli
import config
import logsafety
import static_files
from api.docs import bp as api_docs_bp
from api.files import bp as files_bp
from api.v1 import bp as api_v1
from auth import web as auth_web
from field import bp as field_bp
from pages import _map_preview as map_preview

if TYPE_CHECKING:
    from flask.typing import ResponseReturnValue
    from werkzeug import Response as BaseResponse
    from werkzeug.exceptions import HTTPException, InternalServerError

    from components.view import View
    from data_access.cache import Shared
    from data_access.errors import DomainError

log = logging.getLogger(__name__)


def configure_logging() -> None:
    """The process's logging: personal data masked in every record, one line per event."""
    logsafety.install()
    root = logging.getLogger()
    if not root.handlers:
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("alembic").setLevel(logging.WARNING)


def create_app(settings: config.Settings | None = None) -> dash.Dash:
    """The app. Given settings are installed for the process (wsgi.py reads the environment once into them);
    without, each setting is read from the environment when used (the CLI and the tests)."""
    from auth.respond import callback_error
    from components.feedback import alert_line
    from components.layout import SHOWN_ARG, SHOWN_STORE, register_shown_reset

    if settings is not None:
        config.install(settings)
    logsafety.install()
    server = Flask(__name__)
    from api.inputs import BoundedInt

    server.url_map.converters["int"] = BoundedInt  # before any route: ids beyond 2^31-1 are not found
    # Uploads are committee orders (PDF, 5 MB by default): refuse anything much larger before reading it.
    server.config["MAX_CONTENT_LENGTH"] = config.settings().order_max_bytes + 1024 * 1024
    # layouts and callbacks: brotli 5 (about 8% smaller than Flask-Compress's 4, 3 ms on the national map's values)
    server.config.setdefault("COMPRESS_BR_LEVEL", 5)
    server.config.setdefault("COMPRESS_ALGORITHM", ["br", "gzip"])
    server.register_blueprint(api_v1)
    server.register_blueprint(files_bp)
    server.register_blueprint(api_docs_bp)  # /api/docs: the API's reference (Swagger UI, served from here)
    server.register_blueprint(field_bp)  # /field/: the installable field app (issue 18)
    cli.register(server)
    cli.register_demo(server)
    cli.register_data(server)
    cli.register_accounts(server)
    cli.register_registers(server)  # issue 33: list-registers, import-register
    register_metrics(server)  # first: its clock starts before any other hook, its count ends after every one
    register_request_connections(server)  # before auth: the credential's read is the request's first
    auth_web.init_app(server)
    register_read_routing(server)  # after auth: a bearer request is known by then
    register_public_page_cache(server)  # after auth (who is asking), before Dash's compression (it keeps its output)
    app = dash.Dash(
        __name__,
        server=server,  # type: ignore[arg-type]  # (Dash's annotation leaves out the Flask app it accepts)
        use_pages=True,
        title="TPMAP Open",
        serve_locally=True,
        suppress_callback_exceptions=True,
        compress=True,  # gzip/brotli every layout and callback response (flask-compress)
        # Without it a phone lays the page out at desktop width and zooms out: field forms become unusable.
        meta_tags=[{"name": "viewport", "content": "width=device-width, initial-scale=1"}],
        on_error=callback_error,  # components/feedback.py: every callback's refusal said on the page
        # what the screen shows after an in-place update (components.layout.SHOWN): the router skips that address
        routing_callback_inputs={SHOWN_ARG: dash.State(SHOWN_STORE, "data")},
        assets_ignore="|".join(f"^{re.escape(name)}$" for name in static_files.LAZY_ASSETS),
    )
    # one <main> landmark holding every page (its top bar, breadcrumb and content): nothing sits outside a landmark
    app.layout = dash.html.Main(
        [alert_line(), dash.page_container, dash.dcc.Store(id=SHOWN_STORE), dash.dcc.Store(id=LANG_STORE)],
        className="container-fluid",
        id="tp-main",
    )
    register_shown_reset(app)
    register_document_language(app)
    register_first_view(app)
    from components.layout import guard_years
    from data_access.figures import known_years

    guard_years(dash.page_registry, known_years)  # one place: no page renders a year the database lacks
    register_security_headers(server, app)
    register_unknown_addresses(server)
    register_routes(server)
    map_preview.register(server)  # /area-map/<code>: the map a control or a click asks for, drawn before the update
    register_preloads(server)
    register_lean_scripts(app)
    static_files.compress_dash_files(server)
    register_input_guards(server, app)
    register_public_answers(server)
    # Dash and Plotly leave a large heap of long-lived objects behind at start-up. Freezing it keeps
    # the periodic full garbage collection from walking all of it during a request (measured: the
    # p95 of the country's children call fell from 88 ms to 15 ms on the national database).
    gc.collect()
    gc.freeze()
    return app


STATIC_PREFIXES = ("/assets/", "/_dash-component-suites/", "/shapes/", "/_favicon.ico", "/favicon.ico", "/field/", "/api/docs/")
# where dash-renderer points dcc.Graph for plotly.js when serving locally, and what this app sends there instead
PLOTLY_URL = "/_dash-component-suites/plotly/package_data/plotly.min.js"
PLOTLY_BUNDLE = Path(__file__).resolve().parent / "static" / "plotly-tpmap.min.js"
MODERN_URL = "/_tpmap/modern.min.js"
# dcc's lazily loaded parts every map page mounts (its graphs and its menus): webpack fetched them only once the
# renderer had built the page, a round trip on the way to the first map
ASYNC_CHUNKS = ("/_dash-component-suites/dash/dcc/async-graph.js", "/_dash-component-suites/dash/dcc/async-dropdown.js")
MODERN_SCRIPT = Path(__file__).resolve().parent / "static" / "modern.min.js"
ROBOTS = Path(__file__).resolve().parent / "static" / "robots.txt"
_POLYFILL_TAG = re.compile(r'<script src="([^"]*/deps/polyfill@[^"]*)"></script>')


def register_metrics(server: Flask) -> None:
    """Every answer counted and timed by route (the URL rule, never the raw path) and, for a Dash update, by the
    callback it named; the pools' use sampled as requests end. `/metrics` gives them in Prometheus's text format to
    the operator's networks only (TPMAP_METRICS_NETWORKS); anyone else is told there is no such address."""
    import ipaddress

    from flask import g

    from data_access import metrics
    from data_access.db import engines_in_use

    @server.before_request
    def _start_clock() -> None:
        g.started = time.perf_counter()

    @server.after_request
    def _count(response: Response) -> Response:
        started = g.pop("started", None)
        if started is None or request.path == "/metrics":
            return response
        rule = request.url_rule.rule if request.url_rule is not None else "unmatched"
        callback = None
        if request.path == "/_dash-update-component" and response.status_code == 200:  # a body the guards passed
            body = request.get_json(silent=True, cache=True)
            callback = metrics.callback_label(body.get("output") if isinstance(body, dict) else None)
        metrics.observe_request(rule, request.method, response.status_code, time.perf_counter() - started, callback)
        metrics.pool_use(engines_in_use())
        return response

    @server.get("/metrics")
    def prometheus_metrics() -> Response:
        try:
            address = ipaddress.ip_address(request.remote_addr or "")
        except ValueError:
            abort(404)
        allowed = [ipaddress.ip_network(n.strip(), strict=False) for n in config.settings().metrics_networks.split(",")]
        if not any(address in network for network in allowed if network.version == address.version):
            abort(404)
        body, content_type = metrics.exposition()
        response = server.response_class(body, content_type=content_type)
        response.headers["Cache-Control"] = "no-store"
        return response


LANG_STORE = "tp-lang"  # the clientside hook's output (it writes nothing: its work is the document's lang)
# the same rule as components.view.query_lang, in the browser: an in-app move (dcc.Link) reloads nothing
DOCUMENT_LANG_JS = """
function (search) {
    const asked = new URLSearchParams(search || "").get("lang");
    const kept = (document.cookie.match(/(?:^|; )%(cookie)s=([a-z]+)/) || [])[1];
    const langs = %(langs)s;
    document.documentElement.lang = langs.includes(asked) ? asked : langs.includes(kept) ? kept : "%(default)s";
    return window.dash_clientside.no_update;
}
"""


_EMPTY_DESCRIPTION = re.compile(r'(<meta (?:name|property)="(?:description|og:description|twitter:description)" content=)""')


def register_document_language(app: dash.Dash) -> None:
    """`<html lang>` says the page's language (a screen reader's voice, hyphenation and line breaking follow it):
    written into the page the server sends, by the rule the pages use (query, then cookie, then Thai), and set
    again in the browser when the address changes without a reload. The page's description is in that language."""
    import json

    from components.i18n import DEFAULT_LANG, LANGS, t
    from components.view import LANG_COOKIE, query_lang

    interpolate = app.interpolate_index

    def index(**parts: Any) -> str:
        lang = query_lang(request.args.to_dict())
        page = interpolate(**parts).replace("<html>", f'<html lang="{lang}">', 1)
        # Dash's pages write description, og:description and twitter:description empty (the registry's, one language)
        return _EMPTY_DESCRIPTION.sub(lambda m: f'{m.group(1)}"{escape(t("app.description", lang))}"', page)

    app.interpolate_index = index  # type: ignore[method-assign,assignment]
    app.clientside_callback(
        DOCUMENT_LANG_JS % {"cookie": LANG_COOKIE, "langs": json.dumps(list(LANGS)), "default": DEFAULT_LANG},
        dash.Output(LANG_STORE, "data"),
        dash.Input("_pages_location", "search"),
    )


def register_request_connections(server: Flask) -> None:
    """A request's reads share one pooled connection per database (data_access.db.hold_connections); it goes back
    to the pool when the request ends, whatever happened (teardown runs after errors too)."""
    from flask import g

    from data_access import db

    @server.before_request
    def _hold() -> None:
        if not request.path.startswith(STATIC_PREFIXES):
            g.held_connections = db.hold_connections()

    @server.teardown_request
    def _release(_error: BaseException | None) -> None:
        token = g.pop("held_connections", None)
        if token is not None:
            db.release_connections(token)


def register_read_routing(server: Flask) -> None:
    """Where each request's reads go, with a read replica configured (data_access.replica): decided once at its
    start; a write's WAL position kept in the session so that the same official's next pages wait for it."""
    from flask import g, session

    from data_access import replica

    if config.settings().database_read_url is None:
        return

    @server.before_request
    def _route() -> None:
        if request.path.startswith(STATIC_PREFIXES):
            return
        # a caller without a session cookie has no write to wait for; its session is not touched (a public answer
        # stays free of Vary: Cookie)
        has_session = server.config["SESSION_COOKIE_NAME"] in request.cookies
        pin = session.get(READ_PIN) if has_session else None
        tokens, pinned = replica.start(pin, bearer=bool(g.get("bearer")))
        g.read_route = tokens
        if pin is not None and pinned is None:
            session.pop(READ_PIN, None)

    @server.after_request
    def _pin(response: Response) -> Response:
        if g.get("read_route") is not None and not g.get("bearer"):
            position = replica.position_after_write()
            if position is not None:
                session[READ_PIN] = position
        return response

    @server.teardown_request
    def _unroute(_error: BaseException | None) -> None:
        tokens = g.pop("read_route", None)
        if tokens is not None:
            replica.finish(tokens)


READ_PIN = "rw_lsn"  # the session's last write, as the primary's WAL position


def register_public_page_cache(server: Flask) -> None:
    """A public answer is the same for every signed-out visitor: a page's render (the router's callback: its figures,
    tables and cards) and a map page's in-place change (a metric, a colour, a year, the dimensions) depend only on
    the view (components.view.View, validated and repaired as the page itself does), the area and the data. When a
    meeting opens one province on thirty screens at 9:00, the first answer is kept, compressed, in a store every
    gunicorn worker shares (data_access.cache.shared_get: files under instance/), and the others are sent the stored
    bytes. The key is the validated view, never the raw body: junk parameters (`&junk=1`, `metric=nonsense`) name the
    same entry as the view they fall back to, and an address whose view is not valid (an unknown area or year) is
    rendered and not kept. Signed-in users are never served from it and never write to it: their answers carry their
    name and what their area lets them see. Kept per data stamp (an import retires every entry) and for at most
    TPMAP_PAGE_CACHE_SECONDS (no render outlives a clock-dependent line by long)."""
    server.after_request(keep_public_answer)  # registered before Dash's compression, so it keeps the compressed bytes


def register_public_answers(server: Flask) -> None:
    """The kept answers served (register_public_page_cache), after the input guards: a body they refuse is refused,
    never answered from the store."""
    server.before_request(serve_public_answer)


ROUTER_OUTPUT = ".._pages_content.children..."  # the start of Dash's router callback's output
AREA_UPDATE_OUTPUT = "..area-canvas-fig.data..."  # the start of pages/area.py's update (the home page's map too)
AREA_STATE = "area-state.data"
# The pages whose signed-out render is kept, each with the parameters of its layout besides the view's and the path's
# (a projector's tour, the home page's ignored code): an address that names one of them is rendered, never kept.
PUBLIC_RENDERS: dict[str, tuple[str, ...]] = {
    "pages.home": ("tour", "every", "code"),
    "pages.area": ("tour", "every"),
    "pages.story": (),
}
# the map page's controls: a change of any of them alone (not a click on the map) is a public answer
AREA_CONTROLS = frozenset(
    f"{c}.value" for c in ("ctl-year", "ctl-metric", "ctl-colour", "ctl-dims", "ctl-definition", "ctl-level", "ctl-age")
)
MAX_KEPT_BODY = 64 * 1024  # a callback body larger than this is never a public page's


def _is_word(value: object, words: Collection[str]) -> bool:
    return isinstance(value, str) and value in words


def _is_year(value: object) -> bool:
    from data_access.figures import known_years

    return type(value) is int and value in known_years()


def _is_dims(value: object) -> bool:
    from mpi.rules import DIMENSIONS

    return isinstance(value, list) and bool(value) and tuple(d for d in DIMENSIONS if d in value) == tuple(value)


def _is_metric(value: object) -> bool:
    from components.view import METRIC_RE

    return isinstance(value, str) and METRIC_RE.fullmatch(value) is not None


def _view_checks() -> dict[str, Callable[[object], bool]]:
    """What each field of a view, as a map page keeps it in its state, may hold (components.view.parse's rules)."""
    from components.i18n import LANGS
    from mpi.lifestages import STAGE_KEYS
    from mpi.rules import TARGET_DEFINITIONS

    return {
        "year": _is_year,
        "metric": _is_metric,
        "colour": lambda v: _is_word(v, ("share", "count")),
        "dims": _is_dims,
        "present": lambda v: type(v) is bool,
        "lang": lambda v: _is_word(v, LANGS),
        "definition": lambda v: v is None or _is_word(v, TARGET_DEFINITIONS),
        "maplevel": lambda v: _is_word(v, ("province", "tambon")),
        "age": lambda v: v is None or _is_word(v, STAGE_KEYS),
        "asked": lambda v: type(v) is bool,
    }


def state_view(state: dict[str, Any]) -> View | None:
    """The view a map page's state holds (as pages/area.py reads it), when every field is one the page could have
    written; None for anything else (it is answered, and not kept)."""
    from components.view import View

    defaults = {"definition": None, "maplevel": "province", "age": None, "asked": True}
    fields: dict[str, Any] = {name: state.get(name, defaults.get(name)) for name in _view_checks()}
    if not all(check(fields[name]) for name, check in _view_checks().items()):
        return None
    return View(**(fields | {"dims": tuple(fields["dims"])}))


def asked_change(values: Mapping[str, object], old: View) -> tuple[Hashable, ...] | None:
    """The view a change of the map page's controls asks for, normalised as pages/area.py's update normalises it
    (so that two spellings of one change are one entry); None when a value is not one the controls can send."""
    from mpi.editions import definition_for
    from mpi.lifestages import STAGE_KEYS
    from mpi.rules import DIMENSIONS, TARGET_DEFINITIONS

    year = values.get("ctl-year.value") or old.year
    metric = values.get("ctl-metric.value") or old.metric
    colour = values.get("ctl-colour.value") or old.colour
    dims = values.get("ctl-dims.value")
    if not (_is_year(year) and _is_metric(metric) and _is_word(colour, ("share", "count"))):
        return None
    if dims is not None and not isinstance(dims, list):
        return None
    assert isinstance(year, int)  # (_is_year)
    chosen = tuple(d for d in DIMENSIONS if d in (dims or [])) or DIMENSIONS
    definition = values.get("ctl-definition.value")
    who = definition if _is_word(definition, TARGET_DEFINITIONS) and definition != definition_for(year) else None
    level = "tambon" if values.get("ctl-level.value") == "tambon" else "province"
    age = values.get("ctl-age.value")
    return (year, metric, colour, chosen, who, level, age if _is_word(age, STAGE_KEYS) else None)


def _values(items: object) -> dict[str, object]:
    """A Dash update's inputs or states as {"id.property": value} (pattern-matching ids are left out)."""
    found: dict[str, object] = {}
    for item in items if isinstance(items, list) else []:
        if isinstance(item, dict) and isinstance(item.get("id"), str):
            found[f"{item['id']}.{item.get('property')}"] = item.get("value")
    return found


def public_page(pathname: str, search: str) -> tuple[dict[str, Any], str, View, dict[str, Any]] | None:
    """The public page an address renders, as (its registry entry, the area, the view, the layout's arguments); None
    for any other page, an address with a parameter of its own (a tour), or an area or year the database lacks."""
    from dash._pages import _parse_query_string, _path_to_page

    from components.view import parse
    from data_access.areas import is_known

    page, variables = _path_to_page(pathname.strip("/"))
    own = PUBLIC_RENDERS.get(page.get("module", "")) if page else None
    query = _parse_query_string(search)
    if own is None or any(name in query for name in own):
        return None
    asked = {**(variables or {}), **query}  # as Dash's router calls the layout: the query over the path
    code = asked.pop("code", "TH")
    if not isinstance(code, str) or not is_known(code):
        return None
    view = parse(asked, code)
    if "year" in asked and (str(asked["year"]) != str(view.year) or not _is_year(view.year)):
        return None  # (the page that names the years there are: components.layout.guard_years)
    return page, code, view, {**(variables or {}), **query}


def render_key(body: dict[str, Any]) -> tuple[Hashable, ...] | None:
    """The router's render of a public page, as (page, area, view); None for any other page or an address whose
    area or year is not one the database has."""
    from components.layout import SHOWN_STORE

    values, states = _values(body.get("inputs")), _values(body.get("state"))
    pathname, search = values.get("_pages_location.pathname"), values.get("_pages_location.search") or ""
    if not isinstance(pathname, str) or not isinstance(search, str) or states.get(f"{SHOWN_STORE}.data"):
        return None  # (an address already on the screen is not rendered at all)
    found = public_page(pathname, search)
    if found is None:
        return None
    page, code, view, _ = found
    return ("render", page["module"], code, view)


def update_key(body: dict[str, Any]) -> tuple[Hashable, ...] | None:
    """A map page's change of its controls, as (area, the view shown, the view asked); None for a click on the map
    (a drill-down), or a state or value the page could not have sent."""
    from data_access.areas import is_known

    changed = body.get("changedPropIds")
    if not isinstance(changed, list) or not changed or not set(map(str, changed)) <= AREA_CONTROLS:
        return None
    state = _values(body.get("state")).get(AREA_STATE)
    if not isinstance(state, dict) or not isinstance(state.get("code"), str) or not is_known(state["code"]):
        return None
    old = state_view(state)
    new = asked_change(_values(body.get("inputs")), old) if old is not None else None
    return None if new is None else ("update", state["code"], old, new)


def _callback_body() -> dict[str, Any] | None:
    """A signed-out Dash update's body, parsed, when it is small enough to be a public page's; else None."""
    from flask import g

    if request.method != "POST" or request.path != "/_dash-update-component" or g.get("user") is not None:
        return None
    if request.content_length is None or request.content_length > MAX_KEPT_BODY:
        return None
    body = request.get_json(silent=True)  # (parsed, bounded and checked by the input guards already)
    return body if isinstance(body, dict) and isinstance(body.get("output"), str) else None


def public_answer_key() -> tuple[Hashable, ...] | None:
    """The key this request's answer is kept under for every signed-out visitor, or None when it is not public."""
    from components.i18n import LANGS
    from components.view import LANG_COOKIE

    lifetime = config.settings().page_cache_seconds
    body = _callback_body() if lifetime > 0 else None
    if body is None:
        return None
    output = body["output"]
    key = (
        render_key(body)
        if output.startswith(ROUTER_OUTPUT)
        else update_key(body)
        if output.startswith(AREA_UPDATE_OUTPUT)
        else None
    )
    if key is None:
        return None
    cookie = request.cookies.get(LANG_COOKIE)
    encoding = static_files.accepted(request.headers.get("Accept-Encoding", ""))
    return (*key, cookie if cookie in LANGS else None, encoding)


def _shown_map(body: object) -> object:
    """The map a map page's state says it shows (its traces and their areas: pages._area_shared.map_signature)."""
    state = _values(body.get("state")).get(AREA_STATE) if isinstance(body, dict) else None
    return state.get("map") if isinstance(state, dict) else None


def _fits_shown_map(meta: dict[str, Any]) -> bool:
    """An update's answer patches the values of the map the page shows when that is the map the answer leaves, and
    sends the whole map otherwise: a kept one is served to a page on the same side of that line as the first."""
    if "map" not in meta:
        return True
    return (_shown_map(request.get_json(silent=True)) == meta["map"]) == meta["same"]


def _fits(kept: Shared) -> bool:
    """A kept answer is served while it is young enough, to a page it fits."""
    return time.time() < kept.meta["until"] and _fits_shown_map(kept.meta)


def serve_public_answer() -> Response | None:
    """Before the callback runs: the kept answer, when there is one for this request's key."""
    from flask import g

    from data_access import cache
    from data_access.db import is_outage, read_engine

    try:  # (the key reads the data stamp, the areas and the years: the database's)
        key = public_answer_key()
        kept = cache.shared_get(read_engine(), key, _fits) if key is not None else None
    except Exception as error:
        if not is_outage(error):
            raise
        return None  # the callback itself meets the outage, and says so on the page as every callback does
    if key is None:
        return None
    g.public_answer_key = key
    if kept is None:
        return None
    response = current_app.response_class(kept.body, headers=kept.meta["headers"])
    response.direct_passthrough = True  # compressed already, when it was
    g.public_answer_key = None
    return response


def _answered_map(response: Response) -> object:
    """The map an update's answer leaves the page showing (its new state's), from the answer as sent."""
    import gzip

    import brotli

    raw = response.get_data()
    encoding = response.headers.get("Content-Encoding")
    raw = brotli.decompress(raw) if encoding == "br" else gzip.decompress(raw) if encoding == "gzip" else raw
    answer = json.loads(raw).get("response", {})
    state = answer.get("area-state", {}).get("data") if isinstance(answer, dict) else None
    return state.get("map") if isinstance(state, dict) else None


def keep_public_answer(response: Response) -> Response:
    """After the callback ran (and Dash compressed its answer): kept for the next visitor, when it is whole and
    public. An update is kept with the map it leaves the page showing, and whether the page it answered showed
    that map already (then it is a patch of the map's values, else the whole map): see _fits_shown_map."""
    from flask import g

    from data_access import cache
    from data_access.db import is_outage, read_engine

    key = g.get("public_answer_key")
    if key is None or response.status_code != 200 or g.get("callback_refused") or g.get("user") is not None:
        return response
    if response.headers.get("Set-Cookie") or response.direct_passthrough:
        return response
    meta: dict[str, Any] = {
        "headers": {h: response.headers[h] for h in ("Content-Type", "Content-Encoding", "Vary") if h in response.headers},
        "until": time.time() + config.settings().page_cache_seconds,  # then computed again (a clock-dependent line)
    }
    if key[0] == "update":
        answered = _answered_map(response)
        meta |= {"map": answered, "same": _shown_map(request.get_json(silent=True)) == answered}
    try:
        cache.shared_put(read_engine(), key, response.get_data(), meta)
    except Exception as error:
        if not is_outage(error):
            raise  # (the database went away since the render: that answer is simply not kept)
    return response


FIRST_VIEW_ID = "tp-first-view"  # the picture's box; assets/first-view.js removes it when Dash's page is in


def register_first_view(app: dash.Dash) -> None:
    """A public page's first response carries its first view as HTML (components.snapshot): the title, the cards and
    the controls are painted once the HTML and the style sheets are in, not after Dash's scripts, its layout and the
    router's callback (issue 35, 5). The picture lies over the page, outside React's root (React would empty it at
    its first render, before the router's answer); assets/first-view.js removes it in the task that puts Dash's page
    in, before the next frame, so nothing is seen to move. Only for signed-out visitors: it is kept for all of them
    in the public answers' store (register_public_page_cache), under the view, the language cookie and the data; a
    signed-in user's page is never drawn here, nor kept."""
    interpolate = app.interpolate_index
    # The Thai and Latin faces the page is written in, asked for with the page rather than once the style sheet is
    # read: painted in a fallback face first, the picture's text was narrower than the page's, and the page's own
    # paragraph, painted later in Sarabun, became the largest paint (LCP) in the picture's place.
    fonts = "".join(
        f'<link rel="preload" href="/assets/fonts/{name}" as="font" type="font/woff2" crossorigin>'
        for name in sorted(p.name for p in (static_files.ASSETS / "fonts").glob("sarabun-*.woff2"))
    )

    def index(**parts: Any) -> str:
        parts["css"] = fonts + parts["css"]
        picture = first_view_html()
        if picture is not None:
            # a picture, not the page: nothing in it is focused, clicked or read out (inert, aria-hidden)
            box = f'<div id="{FIRST_VIEW_ID}" class="container-fluid" inert aria-hidden="true">{picture}</div>'
            parts["app_entry"] = box + parts["app_entry"]
        return interpolate(**parts)

    app.interpolate_index = index  # type: ignore[method-assign,assignment]


def first_view_html() -> str | None:
    """The first view of the public page this request asks for, as HTML, from the store or rendered (and kept); None
    for a signed-in user, any other page, or when the database is away (the page then comes as Dash's alone)."""
    from flask import g

    from data_access import cache
    from data_access.db import is_outage, read_engine

    if request.method != "GET" or g.get("user") is not None or config.settings().page_cache_seconds <= 0:
        return None
    try:
        key = first_view_key()
        if key is None:
            return None
        kept = cache.shared_get(read_engine(), key, lambda k: time.time() < k.meta["until"])
        if kept is not None:
            return kept.body.decode()
        picture = _draw_first_view()
        if picture is not None:
            meta = {"until": time.time() + config.settings().page_cache_seconds}
            cache.shared_put(read_engine(), key, picture.encode(), meta)
        return picture
    except Exception as error:  # noqa: BLE001 - a picture is never worth the page: without it, Dash draws the page
        if not is_outage(error):
            log.warning("no first view for %s: %s", request.path[:80], type(error).__name__, exc_info=True)
        return None


def first_view_key() -> tuple[Hashable, ...] | None:
    from components.i18n import LANGS
    from components.view import LANG_COOKIE

    found = public_page(request.path, "?" + request.query_string.decode("utf-8", "replace"))
    if found is None:
        return None
    page, code, view, _ = found
    if view.present:  # a projector's screen is laid out by its body's class, which a script sets: no picture of it
        return None
    cookie = request.cookies.get(LANG_COOKIE)
    return ("first-view", page["module"], code, view, cookie if cookie in LANGS else None)


def _draw_first_view() -> str | None:
    from plotly.io.json import to_json_plotly

    from components.layout import SHOWN_ARG
    from components.snapshot import to_html

    found = public_page(request.path, "?" + request.query_string.decode("utf-8", "replace"))
    if found is None:
        return None
    page, _, _, arguments = found
    layout = page["layout"](**arguments, **{SHOWN_ARG: None})
    if layout is None or layout is dash.no_update:
        return None
    return to_html(json.loads(to_json_plotly(layout)))


# responses a browser never runs as a page (HTML, SVG, XML and PDF are not here: each can be one)
INERT_TYPES = frozenset(
    ("text/javascript", "application/javascript", "text/css", "application/json", "application/geo+json",
     "font/woff2", "font/woff", "image/png", "image/x-icon", "image/vnd.microsoft.icon")
)  # fmt: skip
INERT_POLICY = "default-src 'none'; frame-ancestors 'none'"


def register_security_headers(server: Flask, app: dash.Dash) -> None:
    """Headers on every response. The policy allows scripts from this origin only, plus the inline scripts
    Dash itself writes into the page, by hash (Dash computes them); nothing is loaded from elsewhere."""

    from flask import g

    policy: dict[str, str] = {}

    def csp() -> str:
        if not policy:  # after every page has registered its callbacks, so every inline script is hashed
            hashes = " ".join(app.csp_hashes())
            policy["value"] = "; ".join(
                (
                    "default-src 'self'",
                    f"script-src 'self' {hashes}",
                    "style-src 'self' 'unsafe-inline'",
                    "img-src 'self' data: blob:",
                    "font-src 'self' data:",
                    "connect-src 'self'",
                    "object-src 'none'",
                    "base-uri 'self'",
                    "form-action 'self'",
                    "frame-ancestors 'none'",
                )
            )
        return policy["value"]

    @server.after_request
    def _headers(response: Response) -> Response:
        h = response.headers
        # A policy governs a document or a worker. A script, a style sheet, a font or JSON is never one, and opened
        # on its own it may do nothing at all; it gets that in 45 bytes instead of the pages' 640 (their inline
        # scripts' hashes). A page's first load is about 30 such responses (20 KB). A service worker's script is
        # fetched with `Service-Worker: script` and is governed by its own response's policy: it keeps the full one.
        inert = response.mimetype in INERT_TYPES and request.headers.get("Service-Worker") != "script"
        h.setdefault("Content-Security-Policy", INERT_POLICY if inert else csp())
        h.setdefault("X-Content-Type-Options", "nosniff")
        h.setdefault("X-Frame-Options", "DENY")
        h.setdefault("Referrer-Policy", "same-origin")
        if not inert:
            h.setdefault("Permissions-Policy", "geolocation=(self), camera=(), microphone=()")
        if config.settings().secure_cookies:
            h.setdefault("Strict-Transport-Security", "max-age=31536000")
        static = request.path.startswith(STATIC_PREFIXES)
        named = request.path.startswith(("/api/v1/households", "/household/", "/export/")) or "/households" in request.path
        if not static and (named or g.get("user") is not None):
            # anything a signed-in user receives may name people: never kept by a browser or a proxy cache
            h["Cache-Control"] = "no-store"
            h.setdefault("Pragma", "no-cache")
        return response


def register_input_guards(server: Flask, app: dash.Dash) -> None:
    """The last line of defence against input the routes did not foresee: no request becomes a 500."""
    from sqlalchemy.exc import DataError, InterfaceError, OperationalError
    from sqlalchemy.exc import TimeoutError as PoolTimeout
    from werkzeug.exceptions import HTTPException

    server.before_request(refuse_control_characters)
    server.before_request(lambda: bounded_json(app))
    server.register_error_handler(HTTPException, http_error)
    for out_of_range in (DataError, OverflowError):
        server.register_error_handler(out_of_range, value_out_of_range)
    for outage in (OperationalError, InterfaceError, PoolTimeout):
        server.register_error_handler(outage, database_unavailable)
    server.register_error_handler(500, server_error)


def _answer(error: DomainError) -> BaseResponse:
    """`error` answered over HTTP, as its surface reads it (a page or JSON: only Dash's on_error hook answers in a
    callback's alert line)."""
    from auth.respond import respond, surface_of_request

    response = respond(error, surface_of_request())
    assert response is not None  # (an HTTP surface always gets an answer)
    return response


def refuse_control_characters() -> ResponseReturnValue | None:
    """A NUL cannot be stored by PostgreSQL and never belongs in a path or a query: refused at the door."""
    from data_access.errors import BadRequest

    if "\x00" in request.path or any("\x00" in k or "\x00" in v for k, v in request.args.items(multi=True)):
        return _answer(BadRequest("the request holds a NUL character", key="err.nul"))
    return None


def bounded_json(app: dash.Dash) -> ResponseReturnValue | None:
    """Every JSON body, before a route or Dash reads it (both parse with request.get_json, which keeps this parse):
    bounded in size, in depth, and a Dash update in shape."""
    from werkzeug.exceptions import BadRequest as NotJson

    from api import inputs
    from data_access.errors import BadRequest, TooLarge

    if not request.is_json:
        return None
    dash_update = request.path == "/_dash-update-component"
    limit = inputs.MAX_CALLBACK_BYTES if dash_update else inputs.MAX_JSON_BYTES
    if (request.content_length or 0) > limit or len(request.get_data(cache=True)) > limit:
        return _answer(TooLarge(f"the body is larger than {limit:,} bytes"))
    try:
        body = request.get_json()
    except RecursionError:  # the parser's own guard, some 1,000 levels down
        return _answer(BadRequest(f"the JSON body is nested more than {inputs.MAX_JSON_DEPTH} deep"))
    except NotJson:
        # not JSON: a route says what it expected ("send a JSON object"); Dash would answer it with a 500
        return _answer(BadRequest("the body is not valid JSON")) if dash_update else None
    if inputs.nested_too_deep(body):
        return _answer(BadRequest(f"the JSON body is nested more than {inputs.MAX_JSON_DEPTH} deep"))
    problem = inputs.callback_body_problem(body, app.callback_map) if dash_update else None
    return None if problem is None else _answer(BadRequest(problem))


def http_error(e: HTTPException) -> ResponseReturnValue:
    """The JSON API answers every error as JSON with a reason, even a 404 or 405 from routing itself."""
    from auth.respond import respond
    from data_access.errors import HttpError

    if not request.path.startswith("/api/"):
        return e
    response = respond(HttpError(e.description or e.name, e.code or 500), "api")
    assert response is not None  # (the API's surface always gets an answer)
    for header in ("Allow", "Retry-After"):
        if e.get_response().headers.get(header):
            response.headers[header] = e.get_response().headers[header]
    return response


def value_out_of_range(e: Exception) -> ResponseReturnValue:
    """A value the database cannot hold (an integer past 2^63, a malformed date): the request's fault."""
    from data_access.errors import BadRequest

    log.warning("refused a value the database cannot hold on %s: %s", request.path[:80], type(e).__name__)
    return _answer(BadRequest("a value in the request is out of range", key="err.range"))


def database_unavailable(e: Exception) -> ResponseReturnValue:
    """A restart of PostgreSQL, a dropped connection, a full pool: 503 with Retry-After, said as the database's
    absence, never an HTML 500. The pool replaces a connection the server dropped (data_access.db), so service
    resumes by itself once the database is back."""
    from auth.respond import as_domain_error

    return _answer(as_domain_error(e))


def server_error(e: InternalServerError) -> ResponseReturnValue:
    from sqlalchemy.exc import StatementError

    from data_access.db import is_outage
    from data_access.errors import BadRequest, ServerError

    original = getattr(e, "original_exception", None)
    if original is not None and is_outage(original):
        return database_unavailable(original)
    if isinstance(original, StatementError) and isinstance(getattr(original, "orig", None), (ValueError, OverflowError)):
        return _answer(BadRequest("a value in the request is out of range", key="err.range"))
    return _answer(ServerError("something went wrong on the server; it is logged and nothing was changed"))


DASH_CATCH_ALL = "/<path:path>"  # the endpoint by which Dash sends its page to any address nothing else claims
# a page's address names an area by these variables (/area/<code>, /committees/<code>, /reports/<province>/...)
AREA_VARIABLES = ("code", "province")


def register_unknown_addresses(server: Flask) -> None:
    """Every address answers with its own status. Dash sends its page, with a 200, to any address that no route
    claims: /api/v1/nope and /robots.txt answered with the dashboard. Under /api/ an unknown address is now a JSON
    404 (405 with Allow for a known one asked with another method). A page is looked up as Dash's router looks it
    up; an unknown one, or one naming an unknown area, is still sent (the router renders its not-found page, in the
    reader's language) with a 404. A guard that finds a page's record missing says so with g.page_not_found."""
    from dash._pages import _path_to_page  # the router's own lookup: the status agrees with what it renders
    from flask import g
    from werkzeug.exceptions import MethodNotAllowed
    from werkzeug.routing import Map

    from data_access.areas import is_known

    api: list[Map] = []

    def api_route(path: str, method: str) -> None:
        """Raises what the API's own routes answer for this address: NotFound, or MethodNotAllowed."""
        if not api:  # made on first use, when every route is registered
            rules = [r.empty() for r in server.url_map.iter_rules() if r.rule.startswith("/api/")]
            api.append(Map(rules, converters=server.url_map.converters))
        api[0].bind("localhost").match(path, method)

    def page_exists(path: str) -> bool:
        page, variables = _path_to_page(path.strip("/"))
        if not page or page["module"] == "pages.not_found_404":
            return False
        return all(is_known(variables[name]) for name in AREA_VARIABLES if name in (variables or {}))

    @server.before_request
    def _unknown_address() -> None:
        caught = request.url_rule is not None and request.url_rule.endpoint == DASH_CATCH_ALL
        if request.path.startswith("/api/"):
            if caught or isinstance(request.routing_exception, MethodNotAllowed):
                api_route(request.path, request.method)
        elif caught and not page_exists(request.path):
            g.page_not_found = True

    @server.after_request
    def _not_found(response: Response) -> Response:
        if g.pop("page_not_found", False) and response.status_code == 200:
            response.status_code = 404
        return response


def shape_of_page(path: str) -> str | None:
    """The shape file a page's map draws (the country's provinces, a province's amphoes, an amphoe's tambons; a
    tambon or municipal unit among its amphoe's), so the page can ask for it before its map is built."""
    if path == "/":
        return "/shapes/tambons.json" if request.args.get("level") == "tambon" else "/shapes/provinces.json"
    parts = path.strip("/").split("/")
    if len(parts) != 2 or parts[0] != "area" or not parts[1].isdigit() or len(parts[1]) not in (2, 4, 6):
        return None
    from data_access.areas import has_polygon

    code = parts[1]
    if not has_polygon(code):  # an unknown code gets its "not found" page, and no shape is asked for
        return None
    return {2: f"/shapes/amphoes/{code}.json", 4: f"/shapes/tambons/{code}.json", 6: f"/shapes/tambons/{code[:4]}.json"}[
        len(code)
    ]


def register_lean_scripts(app: dash.Dash) -> None:
    """Every page's first script is Dash's @babel/polyfill, 29 KB with brotli, of which a current browser needs
    only regeneratorRuntime: static/modern.min.js (vendor/runtime, 3 KB) brings that, and writes the polyfill in
    for a browser that lacks the newer built-ins (its address, still served by Dash, in data-polyfill)."""
    generate = app._generate_scripts_html

    def scripts_html() -> str:
        html = _deferred(generate())
        return _POLYFILL_TAG.sub(
            lambda m: f'<script src="{MODERN_URL}?v={static_files.content_version(MODERN_SCRIPT)}" data-polyfill="{m.group(1)}"></script>',
            html,
            count=1,
        )

    # Dash's renderer is started by an inline script after the others: with theirs deferred, it waits for them too
    app.renderer = f"document.addEventListener('DOMContentLoaded', function () {{ window.renderer = {app.renderer.removeprefix('var renderer = ')} }});"

    app._generate_scripts_html = scripts_html  # type: ignore[method-assign]

    @app.server.get(MODERN_URL)
    def modern_script() -> Response:
        return static_files.send(MODERN_SCRIPT, "text/javascript", max_age=365 * 86400)


_SCRIPT_SRC = re.compile(r'<script src="(?![^"]*/deps/polyfill@)')


def _deferred(html: str) -> str:
    """Dash's script tags, deferred (issue 35, 5): the browser paints the page's first view (app.register_first_view)
    as soon as the style sheets are in, and runs the scripts, in their order, once the document is parsed, instead of
    the parser stopping at each. The runtime that stands for the polyfill is left as it is: it writes the polyfill in
    with document.write for an older browser, which a deferred script may not."""
    return _SCRIPT_SRC.sub('<script defer src="', html)


def register_preloads(server: Flask) -> None:
    """A map page starts downloading its shape file and dcc's graph and menu code with the page itself (Link:
    rel=preload), instead of after the renderer has built the layout and mounted the graph (measured: about a second
    later). plotly.js is not among them (issue 35, 5): the star and the trend want it, after the map, and
    assets/plotly-later.js holds dcc.Graph's request for it until then; preloaded, its 320 KB competed with the page's
    own scripts for the first view's bandwidth."""

    @server.after_request
    def _preload(response: Response) -> Response:
        if request.method != "GET" or response.mimetype != "text/html" or response.status_code != 200:
            return response
        shape = shape_of_page(request.path)
        if shape is None:
            return response
        links = [f"<{shape}>; rel=preload; as=fetch; crossorigin=anonymous"]
        links += [f"<{chunk}>; rel=preload; as=script" for chunk in ASYNC_CHUNKS]
        # every map is drawn by the canvas's script (assets/canvas-map.js)
        links.append(f"<{static_files.asset_url(static_files.CANVAS_SCRIPT)}>; rel=preload; as=script")
        response.headers.add("Link", ", ".join(links))
        return response


def register_routes(server: Flask) -> None:
    from components.view import LANG_COOKIE
    from data_access.areas import display_shapes
    from geo import shapes

    @server.get("/shapes/<path:name>")
    def shape_file(name: str) -> Response:
        """Simplified boundaries as static files: cached by the browser, never sent through callbacks."""
        path = shapes.path_for(name, display_shapes)
        if path is None:
            abort(404)
        return static_files.send(path, "application/geo+json", max_age=86400)

    @server.get(PLOTLY_URL)
    def plotly_bundle() -> Response:
        """dcc.Graph loads plotly.js from this address (the renderer's own, not fingerprinted): the dashboard's own
        build with only the traces it draws (vendor/plotly), 0.4 MB with brotli instead of 1.4 MB gzipped."""
        return static_files.send(PLOTLY_BUNDLE, "text/javascript", max_age=86400)

    @server.get("/robots.txt")
    def robots() -> Response:
        """What a crawler may read: the public pages and figures; not the API, named records, exports or sign-in."""
        return static_files.send(ROBOTS, "text/plain", max_age=86400)

    @server.get("/favicon.ico")
    def favicon() -> Response:
        """Where a browser looks for the icon of a page that names none (the server-rendered ones): the dashboard's."""
        return static_files.send(static_files.ASSETS / "favicon.ico", "image/x-icon", max_age=86400)

    @server.get("/healthz")
    def healthz() -> Response:
        """For a load balancer or a monitor (pinned): 200 {"status": "ok"} when the database answers, else 503."""
        from sqlalchemy import text

        from data_access.db import get_engine

        try:
            with get_engine().connect() as conn:
                conn.execute(text("SELECT 1")).scalar()
        except Exception as e:  # noqa: BLE001 - whatever the cause, the answer is "not ready"
            log.warning("health check: the database did not answer (%s)", type(e).__name__)
            response = jsonify({"status": "unavailable", "database": "unreachable"})
            response.status_code = 503
            response.headers["Retry-After"] = "5"
            response.headers["Cache-Control"] = "no-store"
            return response
        from data_access import replica

        body = {"status": "ok"}
        standby = replica.status()
        if standby is not None:
            body["replica"] = standby  # a replica away is not an outage: its reads go to the primary meanwhile
        response = jsonify(body)
        response.headers["Cache-Control"] = "no-store"
        return response

    @server.get("/lang/<lang>")
    def set_language(lang: str) -> BaseResponse:
        """The language toggle: remembered in a cookie, so it persists across pages and visits."""
        from auth.security import safe_next

        response = redirect(safe_next(request.args.get("next")))
        if lang in ("th", "en"):
            response.set_cookie(LANG_COOKIE, lang, max_age=365 * 86400, samesite="Lax")
        return response


_built: dict[str, dash.Dash] = {}


def __getattr__(name: str) -> Any:
    """`app` and `server`, built on first use: `flask --app app:server` reads `server` here."""
    if name in ("app", "server"):
        if "app" not in _built:
            configure_logging()
            _built["app"] = create_app()
        return _built["app"] if name == "app" else _built["app"].server
    raise AttributeError(name)


if __name__ == "__main__":
    import demo

    demo.ensure_built()  # the same as `make run`: migrate (and build the embedded demo once)
    __getattr__("app").run(debug=False, host="127.0.0.1", port=8050)
