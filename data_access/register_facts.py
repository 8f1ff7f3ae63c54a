"""What the agencies' registers say of a household's members (issue 33): for each loaded register, whether each
member is on it, as of which date, from which agency. Read only inside a household read that has already checked the
viewer's area (data_access.households.get_household): the facts are personal data and go where the members go."""

from __future__ import annotations

import datetime as dt
from typing import TypedDict

from sqlalchemy import Connection, select

from data_access import models as tables
from data_access.db import tuples
from mpi import registers as spec


class LinkedFact(TypedDict):
    register: str
    name_th: str
    name_en: str
    owner_th: str
    owner_en: str
    as_of: str
    receives: bool
    amount: float | None


def member_facts(conn: Connection, citizen_ids: list[str]) -> dict[str, list[LinkedFact]]:
    """citizen ID → one fact per loaded register (declared order): on it or not, as of the register's date."""
    rv, rr = tables.register_version.c, tables.register_row.c
    loaded: dict[str, dt.date] = dict(tuples(conn.execute(select(rv.register_key, rv.as_of).where(rv.replaced_at.is_(None)))))
    if not loaded or not citizen_ids:
        return {}
    on: dict[tuple[str, str], float | None] = {}
    for cid, key, amount in tuples(
        conn.execute(select(rr.citizen_id, rr.register_key, rr.amount).where(rr.citizen_id.in_(citizen_ids)))
    ):
        if amount is None:
            on.setdefault((cid, key), None)
        else:  # a person with several assistance rows: their sum
            on[(cid, key)] = (on.get((cid, key)) or 0.0) + float(amount)
    kinds = [k for k in spec.kinds().values() if k.key in loaded]
    return {
        cid: [
            {
                "register": k.key,
                "name_th": k.name_th,
                "name_en": k.name_en,
                "owner_th": k.owner_th,
                "owner_en": k.owner_en,
                "as_of": loaded[k.key].isoformat(),
                "receives": (cid, k.key) in on,
                "amount": on.get((cid, k.key)),
            }
            for k in kinds
        ]
        for cid in citizen_ids
    }
