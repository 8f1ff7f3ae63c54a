"""The TPMAP Open application: a Dash multipage app on a Flask server.

`server` is the Flask app (for `flask --app app:server ...` and WSGI servers).
"""
from __future__ import annotations

import gc
import logging

import dash
import dash_bootstrap_components as dbc
from flask import Flask, abort, redirect, request, send_file

import cli
from api.files import bp as files_bp
from api.v1 import bp as api_v1
from auth import web as auth_web


def create_app() -> dash.Dash:
    server = Flask(__name__)
    # Uploads are committee orders (PDF, 5 MB by default): refuse anything much larger before reading it.
    from data_access.committees import MAX_ORDER_BYTES

    server.config["MAX_CONTENT_LENGTH"] = MAX_ORDER_BYTES + 1024 * 1024
    server.register_blueprint(api_v1)
    server.register_blueprint(files_bp)
    cli.register(server)
    cli.register_demo(server)
    cli.register_data(server)
    cli.register_accounts(server)
    auth_web.init_app(server)
    app = dash.Dash(
        __name__,
        server=server,
        use_pages=True,
        title="TPMAP Open",
        serve_locally=True,
        suppress_callback_exceptions=True,
        compress=True,  # gzip/brotli every layout and callback response (flask-compress)
        # Without it a phone lays the page out at desktop width and zooms out: field forms become unusable.
        meta_tags=[{"name": "viewport", "content": "width=device-width, initial-scale=1"}],
    )
    app.layout = dbc.Container([dash.page_container], fluid=True)
    register_routes(server)
    # Dash and Plotly leave a large heap of long-lived objects behind at start-up. Freezing it keeps
    # the periodic full garbage collection from walking all of it during a request (measured: the
    # p95 of the country's children call fell from 88 ms to 15 ms on the national database).
    gc.collect()
    gc.freeze()
    return app


def register_routes(server: Flask) -> None:
    from components.view import LANG_COOKIE
    from geo import shapes

    @server.get("/shapes/<path:name>")
    def shape_file(name: str):
        """Simplified boundaries as static files: cached by the browser, never sent through callbacks."""
        path = shapes.path_for(name)
        if path is None:
            abort(404)
        gz = shapes.gzip_path(path)
        if "gzip" in request.headers.get("Accept-Encoding", "") and gz is not None:
            response = send_file(gz, mimetype="application/geo+json", max_age=86400, conditional=True, etag=True)
            response.headers["Content-Encoding"] = "gzip"
            response.headers["Vary"] = "Accept-Encoding"
            return response
        return send_file(path, mimetype="application/geo+json", max_age=86400, conditional=True, etag=True)

    @server.get("/lang/<lang>")
    def set_language(lang: str):
        """The language toggle: remembered in a cookie, so it persists across pages and visits."""
        from auth.security import safe_next

        response = redirect(safe_next(request.args.get("next")))
        if lang in ("th", "en"):
            response.set_cookie(LANG_COOKIE, lang, max_age=365 * 86400, samesite="Lax")
        return response


logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
logging.getLogger("alembic").setLevel(logging.WARNING)
app = create_app()
server = app.server

if __name__ == "__main__":
    import demo

    demo.ensure_built()  # the same as `make run`: migrate (and build the embedded demo once)
    app.run(debug=False, host="127.0.0.1", port=8050)
