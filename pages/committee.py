"""/committees/<code>: one area's committee (ศจพ.), its members and orders, and the upload form."""
from __future__ import annotations

import dash

from components.view import parse
from pages.committees import area_layout

dash.register_page(__name__, path_template="/committees/<code>", title="TPMAP Open")


def layout(code: str = "TH", filed: str | None = None, error: str | None = None, **query):
    return area_layout(code, parse(query), filed=filed, error=error)
