"""Number and date formatting: thousands separators, percentages, Buddhist-era years."""
from __future__ import annotations


def number(value) -> str:
    return "–" if value is None else f"{value:,.0f}"


def percent(fraction, digits: int = 2) -> str:
    return "–" if fraction is None else f"{fraction * 100:.{digits}f}%"


def index(value, digits: int = 4) -> str:
    return "–" if value is None else f"{value:.{digits}f}"


def be_year(ce_year: int) -> int:
    return ce_year + 543
