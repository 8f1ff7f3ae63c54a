"""A page's first view as plain HTML, for the page's first response (issue 35, 5): a signed-out visitor sees the
title, the cards and the controls as soon as the HTML and the style sheets are in, instead of after Dash's scripts
have run and the router's callback has answered (about 0.6 s on a cold load). Dash's render then takes its place
(app.register_first_view swaps the two in one frame: nothing moves).

What is written is a picture, not the page: an id becomes data-tp-id (the real elements come with the ids; assets/10-tpmap.css sizes the boxes by it), the menus are
boxes with their chosen option's words, the charts and the map empty boxes of their size, a table written as data
(components.widgets.plain_table) is left out; none of it is wired to anything. It is built from the component tree
as JSON (what Dash's router sends), so it can be made from a kept router answer as well as from a layout."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from html import escape
from typing import Any

# dash_html_components' names that are not their tag's
TAGS = {"MapEl": "map", "ObjectEl": "object"}
VOID = frozenset({"br", "hr", "img", "input", "meta", "link", "source", "track", "wbr", "col", "area"})
# React writes these camelCase props as these attributes
ATTRIBUTES = {"className": "class", "htmlFor": "for", "colSpan": "colspan", "rowSpan": "rowspan", "tabIndex": "tabindex"}
# props of Dash's components that are no attribute (or one the picture must not carry: ids are the real page's)
NOT_ATTRIBUTES = frozenset(
    {"id", "children", "style", "loading_state", "n_clicks", "n_clicks_timestamp", "disable_n_clicks", "key", "setProps"}
)
# CSS properties React writes without a unit when given a number
UNITLESS = frozenset({"flex", "flexGrow", "flexShrink", "opacity", "zIndex", "fontWeight", "lineHeight", "order", "zoom"})
BREAKPOINTS = ("xs", "sm", "md", "lg", "xl", "xxl")


def _css(style: Mapping[str, Any] | None) -> str:
    if not style:
        return ""
    parts = []
    for name, value in style.items():
        if value is None:
            continue
        prop = re.sub(r"[A-Z]", lambda m: "-" + str(m.group(0)).lower(), str(name))
        shown = (
            f"{value}px" if isinstance(value, (int, float)) and not isinstance(value, bool) and name not in UNITLESS else value
        )
        parts.append(f"{prop}:{shown}")
    return ";".join(parts)


def _attrs(props: Mapping[str, Any], **extra: Any) -> str:
    """The element's attributes: its own props that are attributes (booleans as HTML writes them), then `extra`."""
    out = []
    css = _css(props.get("style"))
    items = [(k, v) for k, v in props.items() if k not in NOT_ATTRIBUTES] + list(extra.items())
    for name, value in items:
        if value is None or value is False or name == "data-table":
            continue
        attr = ATTRIBUTES.get(name, name)
        if not re.fullmatch(r"[a-zA-Z][a-zA-Z0-9_:.-]*", attr):
            continue
        out.append(f" {attr}" if value is True else f' {attr}="{escape(str(value))}"')
    if css:
        out.append(f' style="{escape(css)}"')
    if isinstance(props.get("id"), str):  # the real element's id, for the style sheet's rules that name it
        out.append(f' data-tp-id="{escape(props["id"])}"')
    return "".join(out)


def _classes(*names: object) -> str | None:
    return " ".join(str(n) for n in names if n) or None


def _children(node: Any) -> str:
    if node is None or node is False:
        return ""
    if isinstance(node, (list, tuple)):
        return "".join(_children(n) for n in node)
    if isinstance(node, Mapping) and "type" in node and "props" in node:
        return _component(node)
    return escape(str(node))


def _html(kind: str, props: Mapping[str, Any]) -> str:
    tag = TAGS.get(kind, kind.lower())
    if tag in VOID:
        return f"<{tag}{_attrs(props)}>"
    return f"<{tag}{_attrs(props)}>{_children(props.get('children'))}</{tag}>"


def _link(props: Mapping[str, Any]) -> str:
    attrs = {k: props.get(k) for k in ("className", "style", "title", "target")}
    return f"<a{_attrs(attrs, href=props.get('href'))}>{_children(props.get('children'))}</a>"


def _graph(props: Mapping[str, Any]) -> str:
    attrs = {"className": _classes("dash-graph", props.get("className")), "style": props.get("style"), "id": props.get("id")}
    return f"<div{_attrs(attrs)}></div>"


def _option_label(option: Any) -> Any:
    return option.get("label") if isinstance(option, Mapping) else option


def _chosen(props: Mapping[str, Any]) -> list[Any]:
    value = props.get("value")
    wanted = value if isinstance(value, list) else [value]
    options = props.get("options") or []
    return [o for o in options if (o.get("value") if isinstance(o, Mapping) else o) in wanted]


def _dropdown(props: Mapping[str, Any]) -> str:
    """A menu as a box with its chosen option's words (Bootstrap's select style: the same height and border)."""
    words = ", ".join(str(_option_label(o)) for o in _chosen(props)) or props.get("placeholder") or ""
    return f'<div class="form-select">{_children(words)}</div>'


def _choices(props: Mapping[str, Any], kind: str) -> str:
    """dbc's RadioItems and Checklist: Bootstrap's form-check markup, the chosen ones checked."""
    chosen = [o.get("value") if isinstance(o, Mapping) else o for o in _chosen(props)]
    inline = " form-check-inline" if props.get("inline") else ""
    out = []
    for option in props.get("options") or []:
        value = option.get("value") if isinstance(option, Mapping) else option
        box = f'<input class="form-check-input" type="{kind}" tabindex="-1"{" checked" if value in chosen else ""}>'
        out.append(
            f'<div class="form-check{inline}">{box}<label class="form-check-label">{_children(_option_label(option))}</label></div>'
        )
    return f"<div{_attrs({'className': props.get('className'), 'style': props.get('style')})}>{''.join(out)}</div>"


def _col_classes(props: Mapping[str, Any]) -> str:
    names = []
    for point in ("width", *BREAKPOINTS):
        size = props.get(point)
        if isinstance(size, Mapping):
            size = size.get("size")
        if size is None:
            continue
        infix = "" if point in ("width", "xs") else f"-{point}"
        names.append(f"col{infix}" if size is True else f"col{infix}-{size}")
    return _classes(*(names or ["col"]), props.get("className")) or "col"


def _box(tag: str, classes: str | None, props: Mapping[str, Any]) -> str:
    """A component drawn as one element with its classes, its style and its children."""
    attrs = {"className": classes, "style": props.get("style"), "id": props.get("id")}
    return f"<{tag}{_attrs(attrs)}>{_children(props.get('children'))}</{tag}>"


def _div(classes: str | None, props: Mapping[str, Any]) -> str:
    return _box("div", classes, props)


def _nothing(_props: Mapping[str, Any]) -> str:
    return ""


# Dash's and dbc's components the first views use, written as the markup they draw
WRITERS: dict[str, Callable[[Mapping[str, Any]], str]] = {
    "dash_core_components.Link": _link,
    "dash_core_components.Graph": _graph,
    "dash_core_components.Dropdown": _dropdown,
    "dash_core_components.Store": _nothing,
    "dash_core_components.Location": _nothing,
    "dash_core_components.Interval": _nothing,
    "dash_bootstrap_components.Row": lambda p: _div(_classes("row", p.get("className")), p),
    "dash_bootstrap_components.Col": lambda p: _div(_col_classes(p), p),
    "dash_bootstrap_components.Label": lambda p: _box("label", _classes("form-label", p.get("className")), p),
    "dash_bootstrap_components.RadioItems": lambda p: _choices(p, "radio"),
    "dash_bootstrap_components.Checklist": lambda p: _choices(p, "checkbox"),
    "dash_bootstrap_components.Badge": lambda p: _box("span", _classes("badge", p.get("className")), p),
}


def _component(node: Mapping[str, Any]) -> str:
    namespace, kind, props = node.get("namespace"), str(node.get("type")), node.get("props") or {}
    if namespace == "dash_html_components":
        return _html(kind, props)
    writer = WRITERS.get(f"{namespace}.{kind}")
    if writer is not None:
        return writer(props)
    # anything else: its children, in a box with its class (a table library, a component added later)
    return _div(props.get("className"), props) if props.get("children") is not None else ""


def to_html(tree: Any) -> str:
    """The component tree, as JSON (a component's to_plotly_json, recursively: plotly.io.json's encoding of it),
    written as HTML."""
    return _children(tree)
