"""/ : the country view (the area page for TH)."""

from typing import Any

import dash
from dash.development.base_component import Component

from components.view import parse
from pages._area_shared import area_view, tour_args

dash.register_page(__name__, path="/", title="TPMAP Open")


def layout(tour: str = "", every: str = "30", **query: Any) -> Component:
    """The country's page: the area view of TH, driven by pages/area.py's callbacks (components.area_ids names
    the elements they address; this page renders every one of them)."""
    query.pop("code", None)
    stops, seconds = tour_args(tour, every)
    return area_view("TH", parse(query, "TH"), stops, seconds)
