"""How personal identifiers are shown where the viewer may not see them whole."""

from __future__ import annotations


def mask_citizen_id(value: str) -> str:
    """1-2345-xxxxx-xx-x: enough to find the row, not enough to identify the person."""
    v = str(value)
    if len(v) == 13 and v.isdigit():
        return f"{v[0]}-{v[1:5]}-xxxxx-xx-x"
    return "(malformed)"
