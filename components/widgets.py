"""The app's dropdowns and tables, built once: every word they show (a search box, "no options", a table's
filter hint) comes from the catalogue in the reader's language, and every table looks the same."""

from __future__ import annotations

import json
from typing import Any, cast

from dash import dcc, html
from dash.dash_table.DataTable import DataTable  # (the same class as dash_table.DataTable, which mypy cannot see)
from dash.development.base_component import Component

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


def dropdown(lang: str, **kw: Any) -> html.Div:  # (any of dcc.Dropdown's properties)
    """A dcc.Dropdown in a box that holds its height (.tp-dropdown) before dcc's dropdown script has arrived and
    drawn it: the controls, cards and map below it no longer move down when it does (layout shift, issue 31)."""
    kw.setdefault("placeholder", t("dd.placeholder", lang))
    labels = cast(dcc.Dropdown.Labels, {k: t(f"dd.{k}", lang) for k in DROPDOWN_LABELS})
    return html.Div(dcc.Dropdown(labels=labels, **kw), className="tp-dropdown")


NUMBERS_RIGHT: dict[str, Any] = {"if": {"column_type": "numeric"}, "textAlign": "right"}


def data_table(lang: str, **kw: Any) -> DataTable:  # (any of DataTable's properties)
    """A DataTable with the filter row's hint in the reader's language and the app's type and padding
    (a page may add to the cell style). The one place tables are built: dash_table is deprecated upstream, but
    dash-ag-grid would load 358 KB (compressed) of script on every page and needs `new Function` for its
    function strings (our CSP forbids eval); when that changes, the switch happens here."""
    if kw.get("filter_action") in ("native", "custom"):
        kw.setdefault("filter_options", {"placeholder_text": t("table.filter_hint", lang), "case": "insensitive"})
    kw["style_cell"] = {"fontFamily": FONT, "padding": "6px 8px", "textAlign": "left"} | kw.get("style_cell", {})
    kw.setdefault("style_header", {"fontWeight": "bold", "whiteSpace": "normal"})
    # numbers right-aligned under a right-aligned header, so digits line up on a projector; the cell style's "left"
    # (for names and words) had overridden dash_table's own right alignment of numeric columns
    for part in ("style_cell_conditional", "style_header_conditional"):
        kw[part] = [NUMBERS_RIGHT, *kw.get(part, [])]
    if "columns" in kw:
        kw["columns"] = counts_formatted(kw["columns"], kw.get("data") or [])
    return DataTable(**kw)


def counts_formatted(columns: list[dict], data: list[dict]) -> list[dict]:
    """A column of whole numbers that names no type or format of its own is a count: written with thousands
    separators and right-aligned, as every other table writes them (the shortlist printed 52248)."""
    out = []
    for c in columns:
        values = [r.get(c["id"]) for r in data if r.get(c["id"]) is not None]
        whole = values and all(isinstance(v, int) and not isinstance(v, bool) for v in values)
        if whole and not {"type", "format", "presentation"} & set(c):
            c = c | {"type": "numeric", "format": {"specifier": ","}}
        out.append(c)
    return out


def plain_table(lang: str, *, id: str, columns: list[dict], rows: list[dict], sortable: bool = True) -> html.Div:
    """A plain HTML table for the area pages: no table library to download (dash_table's script is 146 KB
    compressed, a third of the country page), sorted in the browser by assets/table-sort.js when a header is
    clicked. A column is {"id", "name", "numeric": bool, "format": callable, "missing": text for None (default "–"),
    "className": added to its cells}; a row maps a column's id to its value (a number, text or a component such as a
    link) and may give "<id>:sort", the value it sorts by.

    The table goes to the browser as data (one `data-table` attribute) that assets/plain-table.js writes out as
    HTML, not as a tree of Dash components: the country's 77 rows were about 700 components, and every change of the
    page made Dash's renderer and React walk them (a metric change on the country page spent about 100 ms there).
    Cells hold text and links (dcc.Link, html.Span of those); a table with any other component in a cell is built as
    components, as before."""
    head = [
        (c["name"], " ".join(filter(None, ("tp-num-col" if c.get("numeric") else None, c.get("className")))) or None)
        for c in columns
    ]

    def cell(row: dict, c: dict) -> tuple[object, str | None, str | None]:
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
        css = " ".join(filter(None, ("tp-num" if c.get("numeric") else None, c.get("className"))))
        return shown, None if sort == shown else sort, css or None  # the script sorts by the text when they are equal

    cells = [[cell(r, c) for c in columns] for r in rows]
    portable = [[(_portable(shown), sort, css) for shown, sort, css in row] for row in cells]
    if all(shown is not None for row in portable for shown, _, _ in row):
        spec = {
            "id": id,
            "sort": t("table.sort", lang) if sortable else None,
            "head": head,
            # (a number shown as it is sorts by its own text: no second copy)
            "rows": [[[shown, None if sort == shown else sort, css] for shown, sort, css in row] for row in portable],
        }
        data: dict[str, Any] = {"data-table": json.dumps(spec, ensure_ascii=False, separators=(",", ":"))}
        return html.Div(className="tp-table-wrap", **data)
    return _component_table(lang, id, head, cells, sortable)


def _portable(value: object) -> object | None:
    """A cell's content as assets/plain-table.js writes it: text, a link {"a": href, "t": text}, or parts
    {"p": [...]}; None for anything else (the table is then built as components)."""
    if isinstance(value, str):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    css = getattr(value, "className", None)
    if isinstance(value, dcc.Link) and isinstance(value.children, str):
        href = getattr(value, "href", None)  # (typed as a constructor argument only; every Link has one)
        if _set_props(value) - {"children", "href", "className"} or not str(href).startswith("/"):
            return None
        return {"a": href, "t": value.children} | ({"c": css} if css else {})
    if isinstance(value, html.Span) and not _set_props(value) - {"children", "className"}:
        children = value.children if isinstance(value.children, list) else [value.children]
        parts = [_portable(part) for part in children if part is not None]
        if any(part is None for part in parts):
            return None
        return {"p": parts} | ({"c": css} if css else {})
    return None


def _set_props(component: Component) -> set[str]:
    return {name for name in component._prop_names if getattr(component, name, None) is not None}


def _cell_props(sort: str | None, css: str | None) -> dict[str, Any]:
    return ({"data-sort": sort} if sort is not None else {}) | ({"className": css} if css else {})


def _component_table(
    lang: str,
    id: str,
    head: list[tuple[str, str | None]],
    cells: list[list[tuple[object, str | None, str | None]]],
    sortable: bool,
) -> html.Div:
    """The same table as Dash components (a cell holds something the browser script does not write)."""
    unsorted: dict[str, Any] = {"aria-sort": "none"} if sortable else {}
    header = html.Tr(
        [
            html.Th(
                html.Button(name, className="tp-sort", type="button", title=t("table.sort", lang)) if sortable else name,
                className=css,
                **unsorted,
            )
            for name, css in head
        ]
    )
    body = [
        html.Tr(
            [
                html.Td(shown, **_cell_props(sort, css))  # type: ignore[arg-type]  # (a cell holds text or components)
                for shown, sort, css in row
            ]
        )
        for row in cells
    ]
    return html.Div(
        html.Table([html.Thead(header), html.Tbody(body)], className="table table-sm tp-table", id=id),
        className="tp-table-wrap",
    )
