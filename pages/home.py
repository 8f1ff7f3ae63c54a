"""/ : the country view."""
import dash
from dash import html

dash.register_page(__name__, path="/")


def layout(**_query):
    return html.Div([html.H1("TPMAP Open"), html.P("แผนที่ชี้เป้าคนจน")])
