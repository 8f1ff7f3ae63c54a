"""The TPMAP Open application: a Dash multipage app on a Flask server.

`server` is the Flask app (for `flask --app app:server ...` and WSGI servers).
"""
from __future__ import annotations

import logging

import dash
import dash_bootstrap_components as dbc
from flask import Flask

import cli
from api.v1 import bp as api_v1


def create_app() -> dash.Dash:
    server = Flask(__name__)
    server.register_blueprint(api_v1)
    cli.register(server)
    cli.register_demo(server)
    cli.register_data(server)
    app = dash.Dash(
        __name__,
        server=server,
        use_pages=True,
        title="TPMAP Open",
        serve_locally=True,
        suppress_callback_exceptions=True,
    )
    app.layout = dbc.Container([dash.page_container], fluid=True)
    return app


logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
logging.getLogger("alembic").setLevel(logging.WARNING)
app = create_app()
server = app.server

if __name__ == "__main__":
    app.run(debug=False, host="127.0.0.1", port=8050)
