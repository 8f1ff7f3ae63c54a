"""The app's dropdowns and tables, built once: every word they show (a search box, "no options", a table's
filter hint) comes from the catalogue in the reader's language, and every table looks the same."""

from __future__ import annotations

from dash import dash_table, dcc, html

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


def plain_table(lang: str, *, id: str, columns: list[dict], rows: list[dict], sortable: bool = True) -> html.Div:
    """A plain HTML table for the area pages: no table library to download (dash_table's script is 146 KB
    compressed, a third of the country page), sorted in the browser by assets/table-sort.js when a header is
    clicked. A column is {"id", "name", "numeric": bool, "format": callable, "missing": text for None (default "–"),
    "className": added to its cells}; a row maps a column's id to its value (a number, text or a component such as a
    link) and may give "<id>:sort", the value it sorts by."""
    head = html.Tr(
        [
            html.Th(
                html.Button(c["name"], className="tp-sort", type="button", title=t("table.sort", lang))
                if sortable
                else c["name"],
                className=" ".join(filter(None, ("tp-num-col" if c.get("numeric") else None, c.get("className")))) or None,
                **{"aria-sort": "none"} if sortable else {},
            )
            for c in columns
        ]
    )

    def cell(row: dict, c: dict):
        value = row.get(c["id"])
        key = row.get(f"{c['id']}:sort", value)
        if value is None:
            shown = c.get("missing", "–")
        elif c.get("format") and not hasattr(value, "to_plotly_json"):
            shown = c["format"](value)
        else:
            shown = value
        if key is None or hasattr(key, "to_plotly_json"):
            sort = ""
        elif isinstance(key, float):
            sort = f"{key:.6g}"  # enough to order by; the full float's digits only cost bytes on every page
        else:
            sort = str(key)
        props = {} if sort == shown else {"data-sort": sort}  # the script sorts by the text when they are equal
        css = " ".join(filter(None, ("tp-num" if c.get("numeric") else None, c.get("className"))))
        if css:
            props["className"] = css
        return html.Td(shown, **props)

    body = [html.Tr([cell(r, c) for c in columns]) for r in rows]
    return html.Div(
        html.Table([html.Thead(head), html.Tbody(body)], className="table table-sm tp-table", id=id),
        className="tp-table-wrap",
    )
