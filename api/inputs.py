"""Input at the edge: every number, year and JSON field a request carries is checked here, once, before it
reaches data_access or the database. A value out of its range is a 400 with the reason, never a 500 from
deep inside (an integer PostgreSQL cannot hold, a NUL byte in a string, NaN baht)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from werkzeug.routing import IntegerConverter, Map

from data_access.errors import BadRequest

# JSON bodies (app.register_input_guards): their size bounded before they are read, their depth before anything
# but the parser reads them. Python's parser and much that reads a value recurse: 5,000 levels deep raised
# RecursionError, a 500, on every JSON route. An API body is a record of a few short fields.
MAX_JSON_DEPTH = 64
MAX_JSON_BYTES = 1024 * 1024
# a Dash update carries the states its callback reads: the largest is the ranking table's rows when a shortlist is
# saved from the country's tambons (7,425 rows of about 200 bytes)
MAX_CALLBACK_BYTES = 4 * 1024 * 1024
# Buddhist-era survey years the platform can hold: TPMAP's first edition is 2561.
YEAR_MIN, YEAR_MAX = 2500, 2700
INT32_MAX = 2**31 - 1
MAX_PAGE = 1_000_000
MAX_TEXT = 5000
# parsed JSON (or Dash's own declaration of a callback's outputs): any shape at all until checked here
Parsed = Any


class BadInput(BadRequest):
    """A request value that cannot be used; answered 400 with this message."""


class BoundedInt(IntegerConverter):
    """`<int:...>` in every route: a row id, so 1 .. 2^31-1; anything larger is simply not found (404)."""

    def __init__(self, map: Map, *args: Any, **kwargs: Any) -> None:  # noqa: A002 - werkzeug's signature
        kwargs.setdefault("max", INT32_MAX)
        super().__init__(map, *args, **kwargs)


def year(raw: str | int | None, default: int | None = None) -> int:
    if raw is None or raw == "":
        if default is None:
            raise BadInput("give year, a Buddhist-era year such as 2561")
        return default
    text = str(raw)
    if not re.fullmatch(r"[0-9]{4}", text) or not YEAR_MIN <= int(text) <= YEAR_MAX:
        raise BadInput(f"year must be a Buddhist-era year {YEAR_MIN}-{YEAR_MAX} such as 2561, got {text[:20]!r}")
    return int(text)


def whole(raw: object, name: str, lo: int, hi: int, default: int | None = None) -> int:
    if raw is None or raw == "":
        if default is None:
            raise BadInput(f"give {name}")
        return default
    if isinstance(raw, bool) or not re.fullmatch(r"-?[0-9]{1,12}", str(raw).strip()):
        raise BadInput(f"{name} must be a whole number {lo}-{hi}, got {str(raw)[:20]!r}")
    value = int(str(raw).strip())
    if not lo <= value <= hi:
        raise BadInput(f"{name} must be a whole number {lo}-{hi}, got {value}")
    return value


def page(raw: str | None) -> int:
    return whole(raw, "page", 1, MAX_PAGE, default=1)


def nested_too_deep(value: Parsed, limit: int = MAX_JSON_DEPTH) -> bool:
    """Whether parsed JSON nests arrays and objects more than `limit` deep, walked one level at a time (no
    recursion, so no depth of input can exhaust the stack here; 7 ms for a ranking table's 7,425 rows)."""
    level = [value] if type(value) in (dict, list) else []
    for _ in range(limit):
        level = [
            child
            for node in level
            for child in (node.values() if type(node) is dict else node)
            if type(child) is dict or type(child) is list
        ]
        if not level:
            return False
    return True


def callback_body_problem(body: object, callbacks: Mapping[str, Mapping[str, Any]]) -> str | None:
    """What is wrong with a Dash update's body, or None. Dash reads the body as its renderer writes it (a body
    without `output` was a KeyError, an unknown one too, a missing input an IndexError, outputs that are not the
    callback's a CallbackException: each a 500); a hand-made one must name a callback of this app, give each of its
    inputs and states, and name its outputs."""
    if not isinstance(body, dict):
        return "a Dash update is a JSON object"
    output = body.get("output")
    if not isinstance(output, str) or output not in callbacks:
        return "the update names no callback of this app (output)"
    spec = callbacks[output]
    for name in ("inputs", "state"):
        given = body.get(name, [])
        if not isinstance(given, list) or len(given) != len(spec[name]) or not all(map(_dependency, given)):
            return f"the update must give each of its callback's {name}, as the page sends them"
    if not spec.get("no_output") and not _outputs_match(body.get("outputs"), spec["output"]):
        return "the update's outputs are not its callback's"
    changed = body.get("changedPropIds", [])
    if not isinstance(changed, list) or not all(isinstance(c, str) for c in changed):
        return "changedPropIds must be a list of names"
    return None


def _dependency(item: object) -> bool:
    """One input, state or output as the renderer sends it ({"id", "property", ...}), or a wildcard's list of them."""
    items = item if isinstance(item, list) else [item]
    return all(isinstance(i, dict) and isinstance(i.get("id"), str | dict) and isinstance(i.get("property"), str) for i in items)


def _outputs_match(given: Parsed, declared: Parsed) -> bool:
    """The body's outputs are the callback's (one, or a list of as many; a wildcard's a list), as Dash checks them
    after the callback has run."""
    from dash import Output

    several = isinstance(declared, list | tuple)
    if not several:
        declared, given = [declared], [given]
    if not isinstance(given, list) or len(given) != len(declared) or not all(map(_dependency, given)):
        return False
    for want, each in zip(declared, given, strict=True):
        for item in each if isinstance(each, list) else [each]:
            try:  # the property as the renderer names a duplicate output ("children@<hash>")
                if Output(item["id"], item["property"].split("@")[0]) != want:
                    return False
            except (TypeError, ValueError):
                return False
    return True
