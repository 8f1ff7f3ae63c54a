"""Rules of the committee process (ศจพ.), pure: dates in either era, the 30-day filing rule, fiscal quarters.

From the source deck (March 2021 meeting): every level uploads its establishment order by 30 April 2564
(2021-04-30); after any change of a committee or team, the new order is uploaded "within 30 days of the day the
order is announced". Thai law counts such a period from the day after the event (Civil and Commercial Code
s. 193/3), so an order signed on 31 January is due on 2 March (1 March in a leap year).

Quarterly reports follow the Thai fiscal year, which starts on 1 October: fiscal year 2564 (BE) runs from
1 October 2020 to 30 September 2021, and its third quarter is April-June 2021.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from mpi.calendar import BE_OFFSET, THAI_MONTHS, THAI_MONTHS_SHORT, english_date, thai_date  # noqa: F401 - re-exported
from mpi.errors import BadRequest

INITIAL_DEADLINE = dt.date(2021, 4, 30)  # ภายในวันที่ 30 เมษายน 2564
FILING_DAYS = 30
FILING_STATUSES = ("filed", "filed_late", "due", "late", "missing")

_THAI_DIGITS = str.maketrans("๐๑๒๓๔๕๖๗๘๙", "0123456789")


class DateError(BadRequest):
    """A date or a quarter that cannot be read (400); the English reason says how to write it."""

    key = "err.date_written"


def _year(y: int) -> int:
    """A year as written: 2400 and later is Buddhist era (2564), earlier is Common Era (2021)."""
    return y - BE_OFFSET if y >= 2400 else y


def parse_date(value: object) -> dt.date:
    """A date as Thai offices write it: 2564-03-15, 15/03/2564, 15 มีนาคม 2564, 15 มี.ค. 64, or the Common Era.

    Buddhist-era years are recognised by their size (2400 or later); two-digit years are Buddhist era (64 = 2564).
    """
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    s = str(value or "").strip().translate(_THAI_DIGITS)
    s = re.sub(r"^(วันที่|ลงวันที่)\s*", "", s)
    try:
        if m := re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})", s):
            return dt.date(_year(int(m[1])), int(m[2]), int(m[3]))
        if m := re.fullmatch(r"(\d{1,2})/(\d{1,2})/(\d{4})", s):
            return dt.date(_year(int(m[3])), int(m[2]), int(m[1]))
        if m := re.fullmatch(r"(\d{1,2})\s*(\S+?)\s*(?:พ\.ศ\.\s*)?(\d{2}|\d{4})", s):
            month = m[2]
            if month in THAI_MONTHS:
                mo = THAI_MONTHS.index(month) + 1
            elif month in THAI_MONTHS_SHORT:
                mo = THAI_MONTHS_SHORT.index(month) + 1
            else:
                raise DateError(f"unknown month {month!r}")
            y = int(m[3])
            return dt.date(_year(y + 2500 if y < 100 else y), mo, int(m[1]))
    except ValueError as e:
        raise DateError(f"not a real date: {value!r} ({e})") from None
    raise DateError(f"write a date as 2564-03-15, 15/03/2564 or 15 มีนาคม 2564, not {value!r}")


def filing_deadline(order_date: dt.date) -> dt.date:
    """The last day to upload an order signed on order_date: 30 days after it, never before the initial deadline."""
    return max(INITIAL_DEADLINE, order_date + dt.timedelta(days=FILING_DAYS))


@dataclass(frozen=True)
class FilingStatus:
    status: str  # one of FILING_STATUSES
    deadline: dt.date
    order_date: dt.date | None = None
    filed_on: dt.date | None = None


def filing_status(
    orders: list[tuple[dt.date, dt.date]], *, today: dt.date, changed_on: dt.date | None = None, exists: bool = True
) -> FilingStatus:
    """Where a unit stands. orders: (order_date, filed_on) pairs; changed_on: the last change of members.

    filed: the current order was uploaded in time; filed_late: uploaded, but after its deadline;
    due: nothing current on file and the deadline has not passed; late: a change (or the unit itself) is past its
    deadline with no new order; missing: no order has ever been filed and the initial deadline has passed.
    """
    if not orders:
        if today <= INITIAL_DEADLINE:
            return FilingStatus("due", INITIAL_DEADLINE)
        return FilingStatus("late" if exists and changed_on else "missing", INITIAL_DEADLINE)
    order_date, filed_on = max(orders)
    if changed_on is not None and changed_on > order_date:
        deadline = changed_on + dt.timedelta(days=FILING_DAYS)
        return FilingStatus("due" if today <= deadline else "late", deadline, order_date, filed_on)
    deadline = filing_deadline(order_date)
    return FilingStatus("filed" if filed_on <= deadline else "filed_late", deadline, order_date, filed_on)


# --- Fiscal quarters ----------------------------------------------------------------------------------

QUARTER_RE = re.compile(r"^(\d{4})-Q([1-4])$")


def parse_quarter(value: str) -> tuple[int, int]:
    """'2564-Q3' → (2564, 3). The year is the Buddhist-era fiscal year."""
    m = QUARTER_RE.match(value or "")
    if not m:
        raise DateError(f"a quarter is written like 2564-Q3 (Buddhist-era fiscal year), not {value!r}")
    year = int(m[1])
    if year < 2400:
        raise DateError(f"the year of a quarter is in the Buddhist era (e.g. 2564), not {year}")
    return year, int(m[2])


def quarter_range(fiscal_year_be: int, quarter: int) -> tuple[dt.date, dt.date]:
    """First and last day of a fiscal quarter: Q1 of 2564 is 1 Oct 2020 - 31 Dec 2020."""
    if quarter not in (1, 2, 3, 4):
        raise DateError(f"quarter must be 1-4, not {quarter}")
    ce = fiscal_year_be - BE_OFFSET
    start_month = (10, 1, 4, 7)[quarter - 1]
    start_year = ce - 1 if quarter == 1 else ce
    start = dt.date(start_year, start_month, 1)
    end_month = start_month + 2
    end = dt.date(start_year + (end_month // 12), end_month % 12 + 1, 1) - dt.timedelta(days=1)
    return start, end


def quarter_of(day: dt.date) -> tuple[int, int]:
    """The fiscal (BE year, quarter) a day falls in."""
    fy = day.year + 1 if day.month >= 10 else day.year
    q = 1 if day.month >= 10 else (day.month - 1) // 3 + 2
    return fy + BE_OFFSET, q
