"""The indicator catalogue in the database: a copy of mpi/data for each imported year."""

from __future__ import annotations

from sqlalchemy import Connection

from data_access.models import indicator
from mpi import catalogue
from mpi.rules import DIMENSION_BIT


def sync_indicators(conn: Connection, year: int) -> None:
    """Write the year's indicator set (from mpi/data) into the indicator table."""
    rows = [
        {
            "year": year,
            "code": i.code,
            "dimension": i.dimension,
            "dimension_bit": DIMENSION_BIT[i.dimension],
            "jpt_no": i.jpt_no,
            "name_th": i.name_th,
            "name_en": i.name_en,
        }
        for i in catalogue.indicators_for_year(year)
    ]
    conn.execute(indicator.delete().where(indicator.c.year == year))
    conn.execute(indicator.insert(), rows)
