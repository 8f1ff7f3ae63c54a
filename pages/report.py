"""/reports/<province>/<quarter>: one province's quarterly report: figures filled in, its own text, draft, submit."""
from __future__ import annotations

import dash

from components.view import parse
from pages.reports import report_layout

dash.register_page(__name__, path_template="/reports/<province>/<quarter>", title="TPMAP Open")


def layout(province: str = "", quarter: str = "", **query):
    return report_layout(province, quarter, parse(query))
