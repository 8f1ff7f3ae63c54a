"""The committee-process rules, pure: dates in either era, the 30-day filing rule across month ends, leap years and
year ends, filing states, and Thai fiscal quarters. Every expected date is worked out by hand in the comment."""

from __future__ import annotations

import datetime as dt

import pytest

from mpi.governance import (
    INITIAL_DEADLINE,
    DateError,
    filing_deadline,
    filing_status,
    parse_date,
    parse_quarter,
    quarter_of,
    quarter_range,
    thai_date,
)

D = dt.date


@pytest.mark.parametrize(
    "written, expected",
    [
        ("2564-03-15", D(2021, 3, 15)),  # ISO with a Buddhist-era year: 2564 - 543 = 2021
        ("2021-03-15", D(2021, 3, 15)),  # ISO in the Common Era stays as it is
        ("15/03/2564", D(2021, 3, 15)),  # day/month/BE year, as on Thai forms
        ("5/1/2565", D(2022, 1, 5)),
        ("30 ตุลาคม 2563", D(2020, 10, 30)),  # the PM Office order 347/2563's own date
        ("ลงวันที่ 30 เมษายน 2564", D(2021, 4, 30)),
        ("1 ก.พ. 64", D(2021, 2, 1)),  # short month, two-digit BE year: 64 → 2564 → 2021
        ("๑๕ มีนาคม ๒๕๖๔", D(2021, 3, 15)),  # Thai digits
        ("29/02/2567", D(2024, 2, 29)),  # 2567 BE = 2024, a leap year
    ],
)
def test_dates_in_either_era(written, expected):
    assert parse_date(written) == expected


@pytest.mark.parametrize(
    "written",
    [
        "29/02/2564",  # 2021 is not a leap year
        "31/04/2564",
        "2564-13-01",
        "15 Marchh 2564",
        "yesterday",
        "",
    ],
)
def test_impossible_or_unreadable_dates_are_refused(written):
    with pytest.raises(DateError):
        parse_date(written)


def test_thai_date_is_written_in_the_buddhist_era():
    assert thai_date(D(2021, 4, 30)) == "30 เมษายน 2564"
    assert thai_date(D(2021, 4, 30), short=True) == "30 เม.ย. 2564"


@pytest.mark.parametrize(
    "order_date, deadline",
    [
        (D(2021, 3, 15), INITIAL_DEADLINE),  # before the first deadline: 15 Mar + 30 = 14 Apr < 30 Apr 2564
        (D(2021, 4, 15), D(2021, 5, 15)),  # 15 Apr + 30 days = 15 May
        (D(2021, 7, 31), D(2021, 8, 30)),  # 31 Jul: 31 Jul + 30 = 30 Aug
        (D(2023, 1, 31), D(2023, 3, 2)),  # across February in a common year: 28 days, so 2 March
        (D(2024, 1, 31), D(2024, 3, 1)),  # in a leap year (2567 BE): 29 days, so 1 March
        (D(2021, 12, 15), D(2022, 1, 14)),  # across the year end (2564 → 2565 BE)
    ],
)
def test_filing_deadline_is_thirty_days_after_the_order(order_date, deadline):
    assert filing_deadline(order_date) == deadline


def test_filing_deadline_from_buddhist_era_text():
    # "31 มกราคม 2567" is 31 Jan 2024; 30 days later is 1 Mar 2024 (February 2024 has 29 days).
    assert filing_deadline(parse_date("31 มกราคม 2567")) == D(2024, 3, 1)
    assert thai_date(filing_deadline(parse_date("31/01/2566"))) == "2 มีนาคม 2566"


def test_filing_states():
    # Nothing filed: due until 30 Apr 2564, missing after.
    assert filing_status([], today=D(2021, 4, 30)).status == "due"
    assert filing_status([], today=D(2021, 5, 1)).status == "missing"
    # An order of 1 Jun 2021 has until 1 Jul 2021; filed on the last day is on time, the day after is late.
    assert filing_status([(D(2021, 6, 1), D(2021, 7, 1))], today=D(2021, 8, 1)).status == "filed"
    s = filing_status([(D(2021, 6, 1), D(2021, 7, 2))], today=D(2021, 8, 1))
    assert (s.status, s.deadline) == ("filed_late", D(2021, 7, 1))
    # Members changed on 10 Aug after that order: a new order is due by 9 Sep, then late.
    orders = [(D(2021, 6, 1), D(2021, 6, 2))]
    assert filing_status(orders, today=D(2021, 9, 9), changed_on=D(2021, 8, 10)).status == "due"
    assert filing_status(orders, today=D(2021, 9, 10), changed_on=D(2021, 8, 10)).status == "late"
    # The new order (20 Aug, filed 25 Aug) covers the change; the newest order counts, whatever the filing order.
    orders.append((D(2021, 8, 20), D(2021, 8, 25)))
    assert filing_status(list(reversed(orders)), today=D(2021, 9, 10), changed_on=D(2021, 8, 10)).status == "filed"
    # A unit set up, members changed, never an order: late, not missing.
    assert filing_status([], today=D(2022, 1, 1), changed_on=D(2021, 11, 1)).status == "late"


@pytest.mark.parametrize(
    "year, q, start, end",
    [
        (2564, 1, D(2020, 10, 1), D(2020, 12, 31)),  # the fiscal year 2564 starts on 1 Oct 2563 (2020)
        (2564, 2, D(2021, 1, 1), D(2021, 3, 31)),
        (2564, 3, D(2021, 4, 1), D(2021, 6, 30)),
        (2564, 4, D(2021, 7, 1), D(2021, 9, 30)),
        (2567, 2, D(2024, 1, 1), D(2024, 3, 31)),
    ],
)
def test_fiscal_quarters(year, q, start, end):
    assert quarter_range(year, q) == (start, end)
    assert quarter_of(start) == (year, q) and quarter_of(end) == (year, q)


def test_quarter_names():
    assert parse_quarter("2564-Q3") == (2564, 3)
    for bad in ("2021-Q3", "2564-Q5", "2564Q3", "2564-q3", ""):
        with pytest.raises(DateError):
            parse_quarter(bad)
