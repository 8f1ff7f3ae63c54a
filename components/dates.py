"""A date field people read the way they write a date: day, month by name, Buddhist-era year.

A browser's own date picker shows the Christian era in the phone's format (11/30/2026), so a field team
wrote 2569 where 2026 was meant. Three native selects are as quick with a thumb and cannot be misread;
the server puts them back together (`iso_from_parts`) and says plainly when a day does not exist."""

from __future__ import annotations

import datetime as dt

import dash_bootstrap_components as dbc
from dash import html

from components.i18n import t
from data_access.errors import BadRequest
from mpi.calendar import BE_OFFSET, THAI_MONTHS

ENGLISH_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


def be_date_input(
    id_: str, label: str, lang: str, value: dt.date | None, first_year: int, last_year: int | None = None
) -> html.Fieldset:
    """Selects `<id_>-d`, `<id_>-m`, `<id_>-y` (years as Buddhist era, newest first); years are Christian era here."""
    last_year = last_year or dt.date.today().year
    months = THAI_MONTHS if lang == "th" else ENGLISH_MONTHS
    blank = [{"label": "–", "value": ""}]
    parts = [
        (
            f"{id_}-d",
            t("date.day", lang),
            blank + [{"label": str(d), "value": str(d)} for d in range(1, 32)],
            str(value.day) if value else "",
        ),
        (
            f"{id_}-m",
            t("date.month", lang),
            blank + [{"label": m, "value": str(i)} for i, m in enumerate(months, 1)],
            str(value.month) if value else "",
        ),
        (
            f"{id_}-y",
            t("date.year_be", lang),
            blank + [{"label": str(y + BE_OFFSET), "value": str(y + BE_OFFSET)} for y in range(last_year, first_year - 1, -1)],
            str(value.year + BE_OFFSET) if value else "",
        ),
    ]
    return html.Fieldset(
        [
            html.Legend(label, className="fs-6 mb-1"),
            dbc.Row(
                [
                    dbc.Col(
                        [dbc.Label(name, html_for=pid, className="small mb-0"), dbc.Select(id=pid, options=opts, value=val)],
                        width=w,
                    )
                    for (pid, name, opts, val), w in zip(parts, (3, 5, 4), strict=True)
                ],
                className="g-1",
            ),
        ],
        className="tp-date",
        id=id_,
    )


def iso_from_parts(day: int | str | None, month: int | str | None, year_be: int | str | None, field: str) -> str | None:
    """The ISO (Christian-era) date of three selects, None when all are empty; a refusal saying why otherwise."""
    if not day and not month and not year_be:
        return None
    if not (day and month and year_be):
        raise BadRequest(f"{field}: give day, month and year", key="err.date_parts", field=field)
    try:
        return dt.date(int(year_be) - BE_OFFSET, int(month), int(day)).isoformat()
    except ValueError:
        raise BadRequest(
            f"{field}: {day}/{month}/{year_be} is not a date", key="err.date_none", field=field, day=f"{day}/{month}/{year_be}"
        ) from None
