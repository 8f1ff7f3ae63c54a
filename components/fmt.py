"""Number and date formatting: thousands separators, percentages, Buddhist-era years."""

from __future__ import annotations


def number(value) -> str:
    return "–" if value is None else f"{value:,.0f}"


def percent(fraction, digits: int = 2) -> str:
    return "–" if fraction is None else f"{fraction * 100:.{digits}f}%"


def index(value, digits: int = 4) -> str:
    return "–" if value is None else f"{value:.{digits}f}"


def be_date(iso: str | None, lang: str = "th") -> str:
    """An ISO date (or timestamp) as people read it: 15 มี.ค. 2564, or 15 Mar 2564 BE."""
    import datetime as dt

    from mpi.calendar import english_date, thai_date

    if not iso:
        return "–"
    d = dt.date.fromisoformat(str(iso)[:10])
    return english_date(d) if lang == "en" else thai_date(d, short=True)
