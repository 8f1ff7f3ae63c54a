"""Number and date formatting: thousands separators, percentages, Buddhist-era years."""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeVar

if TYPE_CHECKING:
    from data_access.logbook import Hidden

T = TypeVar("T")


def number(value: float | None) -> str:
    return "–" if value is None else f"{value:,.0f}"


def count(value: int | Hidden | None, lang: str) -> str:
    """A public Logbook count: the number, or one kept from a viewer whose area does not cover it by its bounds
    ("under 3" for a suppressed cell, None in a progress dict; "4 to 6" for a sum holding such cells)."""
    from components.i18n import t
    from data_access.logbook import MIN_CELL, Hidden

    if value is not None and not isinstance(value, Hidden):
        return number(value)
    hidden = value or Hidden(1, MIN_CELL - 1)  # a suppressed cell: 1 to MIN_CELL - 1 (logbook.total([None]))
    if (hidden.low, hidden.high) == (1, MIN_CELL - 1):
        return t("help.small", lang, n=MIN_CELL)
    return t("count.between", lang, low=number(hidden.low), high=number(hidden.high))


def percent(fraction: float | None, digits: int = 2) -> str:
    """The one way a share is written: 0.69% (a label never puts "ร้อยละ" before it: the sign says it)."""
    return "–" if fraction is None else f"{fraction * 100:.{digits}f}%"


def signed(value: float | None, digits: int = 0) -> str:
    """A change with its sign: +1,234, −56 (a minus sign, not a hyphen), ±0."""
    if value is None:
        return "–"
    shown = f"{abs(value):,.{digits}f}"
    if float(shown.replace(",", "")) == 0:
        return "±" + shown
    return ("+" if value > 0 else "\u2212") + shown


def change(now: float, before: float) -> str:
    """A count's change between two editions, in persons and per cent of the earlier: +43 (+4.8%)."""
    diff = now - before
    return signed(diff) + (f" ({signed(100 * diff / before, 1)}%)" if before else "")


def index(value: float | None, digits: int = 4) -> str:
    return "–" if value is None else f"{value:.{digits}f}"


def be_date(iso: str | None, lang: str = "th") -> str:
    """An ISO date (or timestamp) as people read it: 15 มี.ค. 2564, or 15 Mar 2564 BE."""
    import datetime as dt

    from mpi.calendar import english_date, thai_date

    if not iso:
        return "–"
    d = dt.date.fromisoformat(str(iso)[:10])
    return english_date(d) if lang == "en" else thai_date(d, short=True)


# A spreadsheet runs a cell that starts with one of these as a formula (=HYPERLINK(...), +cmd|...): text
# typed by a user (a note, a name, an agency) must never become one. Numbers are numbers, not text.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n", "\uff1d", "\uff0b", "\uff0d", "\uff20")


def neutralise(v: T) -> T | str:
    """Text that a spreadsheet would read as a formula, prefixed with an apostrophe (shown, never run)."""
    if isinstance(v, str) and v.startswith(FORMULA_START):
        return "'" + v
    return v
