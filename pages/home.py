"""/ : the country view (the area page for TH)."""
import dash

from pages.area import layout as area_layout

dash.register_page(__name__, path="/", title="TPMAP Open")


def layout(**query):
    query.pop("code", None)
    return area_layout(code="TH", **query)
