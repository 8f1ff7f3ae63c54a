"""The app's dropdowns and tables, built once: every word they show (a search box, "no options", a table's
filter hint) comes from the catalogue in the reader's language, and every table looks the same."""

from __future__ import annotations

from dash import dash_table, dcc

from components.i18n import t

FONT = "Sarabun, sans-serif"
# dcc.Dropdown replaces its labels whole, so every one is given ({num_selected} is filled in by the component)
DROPDOWN_LABELS = (
    "select_all",
    "deselect_all",
    "selected_count",
    "search",
    "clear_search",
    "clear_selection",
    "no_options_found",
)


def dropdown(lang: str, **kw) -> dcc.Dropdown:
    kw.setdefault("placeholder", t("dd.placeholder", lang))
    return dcc.Dropdown(labels={k: t(f"dd.{k}", lang) for k in DROPDOWN_LABELS}, **kw)


def data_table(lang: str, **kw) -> dash_table.DataTable:
    """A DataTable with the filter row's hint in the reader's language and the app's type and padding
    (a page may add to the cell style). The one place tables are built: dash_table is deprecated upstream, but
    dash-ag-grid would load 358 KB (compressed) of script on every page and needs `new Function` for its
    function strings (our CSP forbids eval); when that changes, the switch happens here."""
    if kw.get("filter_action") in ("native", "custom"):
        kw.setdefault("filter_options", {"placeholder_text": t("table.filter_hint", lang), "case": "insensitive"})
    kw["style_cell"] = {"fontFamily": FONT, "padding": "6px 8px", "textAlign": "left"} | kw.get("style_cell", {})
    kw.setdefault("style_header", {"fontWeight": "bold", "whiteSpace": "normal"})
    return dash_table.DataTable(**kw)
