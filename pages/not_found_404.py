"""Any unknown path."""

import dash
from dash import dcc, html

from components.i18n import t
from components.view import parse

dash.register_page(__name__, title="TPMAP Open")


def layout(**query: str) -> html.Div:
    lang = parse(query).lang
    return html.Div([html.H1(t("notfound.title", lang)), dcc.Link(t("nav.country", lang), href="/")], className="my-5")
