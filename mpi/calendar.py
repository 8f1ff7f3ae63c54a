"""The Thai calendar, pure: the Buddhist-era offset (in one place), month names, dates as people write them."""

from __future__ import annotations

import datetime as dt

BE_OFFSET = 543  # Buddhist era = Christian era + 543
THAI_MONTHS = (
    "มกราคม",
    "กุมภาพันธ์",
    "มีนาคม",
    "เมษายน",
    "พฤษภาคม",
    "มิถุนายน",
    "กรกฎาคม",
    "สิงหาคม",
    "กันยายน",
    "ตุลาคม",
    "พฤศจิกายน",
    "ธันวาคม",
)
THAI_MONTHS_SHORT = ("ม.ค.", "ก.พ.", "มี.ค.", "เม.ย.", "พ.ค.", "มิ.ย.", "ก.ค.", "ส.ค.", "ก.ย.", "ต.ค.", "พ.ย.", "ธ.ค.")


def thai_date(d: dt.date, short: bool = False) -> str:
    months = THAI_MONTHS_SHORT if short else THAI_MONTHS
    return f"{d.day} {months[d.month - 1]} {d.year + BE_OFFSET}"


def english_date(d: dt.date) -> str:
    return f"{d.day} {d.strftime('%b')} {d.year + BE_OFFSET} BE"


def numeric_date(d: dt.date) -> str:
    """day/month/Buddhist-era year, as on a Thai form: 1/12/2569."""
    return f"{d.day}/{d.month}/{d.year + BE_OFFSET}"


THAILAND = dt.timezone(dt.timedelta(hours=7))  # Indochina Time all year (no daylight saving)


def numeric_moment(moment: dt.datetime | str | None) -> str:
    """A stored moment (UTC; naive or ISO text from SQLite) as a clock in Thailand reads it: 7/12/2569 12:40."""
    if moment is None:
        return "–"
    at = moment if isinstance(moment, dt.datetime) else dt.datetime.fromisoformat(str(moment))
    local = (at if at.tzinfo else at.replace(tzinfo=dt.UTC)).astimezone(THAILAND)
    return f"{numeric_date(local.date())} {local:%H:%M}"


def years_before(d: dt.date, n: int) -> dt.date:
    """The same day `n` years earlier (29 February → 28 February in a common year)."""
    try:
        return d.replace(year=d.year - n)
    except ValueError:
        return d.replace(year=d.year - n, day=28)


def age_on(born: dt.date, on: dt.date) -> int:
    """Age in completed years on a day: a person is n on their n-th birthday."""
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))
