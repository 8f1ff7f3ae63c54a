"""Input at the edge: every number, year and JSON field a request carries is checked here, once, before it
reaches data_access or the database. A value out of its range is a 400 with the reason, never a 500 from
deep inside (an integer PostgreSQL cannot hold, a NUL byte in a string, NaN baht)."""

from __future__ import annotations

import math
import re

from werkzeug.routing import IntegerConverter

from data_access.errors import BadRequest

# Buddhist-era survey years the platform can hold: TPMAP's first edition is 2561.
YEAR_MIN, YEAR_MAX = 2500, 2700
INT32_MAX = 2**31 - 1
MAX_PAGE = 1_000_000
MAX_TEXT = 5000


class BadInput(BadRequest):
    """A request value that cannot be used; answered 400 with this message."""


class BoundedInt(IntegerConverter):
    """`<int:...>` in every route: a row id, so 1 .. 2^31-1; anything larger is simply not found (404)."""

    def __init__(self, map, *args, **kwargs):  # noqa: A002 - werkzeug's signature
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


def whole(raw, name: str, lo: int, hi: int, default: int | None = None) -> int:
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


def page(raw) -> int:
    return whole(raw, "page", 1, MAX_PAGE, default=1)


# JSON body fields of the write API and the type each must have (None is "not given" for optional ones).
FIELD_TYPES: dict[str, type | tuple[type, ...]] = {
    "visited_on": str,
    "outcome": str,
    "note": str,
    "visitor": str,
    "latitude": (int, float),
    "longitude": (int, float),
    "dimension": str,
    "description": str,
    "status": str,
    "member": int,
    "given_on": str,
    "kind": str,
    "agency": str,
    "amount_baht": (int, float),
    "need_id": int,
    "visit_id": int,
    "reason": str,
    "name": str,
    "area_code": str,
    "capacity": int,
    "house_id": str,
    "tambon_code": str,
    "village_no": (int, str),
    "rule": str,
    "position": str,
    "citizen_id": str,
    "first_name": str,
    "last_name": str,
    "sex": str,
    "birth_date": str,
    "welfare_card": (int, bool, str),
    "disabled": (int, bool, str),
    "refs": list,
    "username": str,
    "password": str,
    "version": (int, str),
}


def fields(
    body: dict, allowed: tuple[str, ...], required: tuple[str, ...] = (), extra_ok: tuple[str, ...] = ("version", "year")
) -> dict:
    """The allowed fields of a JSON object, each of its declared type; unknown or missing ones refused."""
    unknown = set(body) - set(allowed) - set(extra_ok)
    if unknown:
        raise BadInput(f"unknown field(s): {', '.join(sorted(str(u)[:40] for u in unknown))}")
    missing = [f for f in required if body.get(f) in (None, "")]
    if missing:
        raise BadInput(f"missing field(s): {', '.join(missing)}")
    out = {}
    for k in allowed:
        if k not in body or body[k] is None:
            continue
        out[k] = value(k, body[k])
    return out


def value(name: str, v):
    expected = FIELD_TYPES.get(name, str)
    kinds = expected if isinstance(expected, tuple) else (expected,)
    if isinstance(v, bool) and bool not in kinds:
        raise BadInput(f"{name} must be {_describe(kinds)}")
    if not isinstance(v, kinds):
        raise BadInput(f"{name} must be {_describe(kinds)}")
    if isinstance(v, float) and not math.isfinite(v):
        raise BadInput(f"{name} must be a finite number")
    if isinstance(v, int) and not isinstance(v, bool) and abs(v) > INT32_MAX:
        raise BadInput(f"{name} is out of range")
    if isinstance(v, str):
        if len(v) > MAX_TEXT:
            raise BadInput(f"{name} is longer than {MAX_TEXT:,} characters")
        if "\x00" in v:
            raise BadInput(f"{name} holds a NUL character")
    return v


def _describe(kinds: tuple[type, ...]) -> str:
    names = {str: "text", int: "a whole number", float: "a number", list: "a list", bool: "0 or 1"}
    return " or ".join(dict.fromkeys(names.get(k, k.__name__) for k in kinds))
