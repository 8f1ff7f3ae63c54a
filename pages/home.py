"""/ : the country view (the area page for TH)."""

import dash

from components.view import parse
from pages._area_shared import area_view, tour_args

dash.register_page(__name__, path="/", title="TPMAP Open")


def layout(tour: str = "", every: str = "30", **query):
    query.pop("code", None)
    stops, seconds = tour_args(tour, every)
    return area_view("TH", parse(query, "TH"), stops, seconds)
