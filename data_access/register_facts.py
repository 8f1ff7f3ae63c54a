"""What the agencies' registers say of a household's members (issue 33): for each loaded register, whether each
member is on it, as of which date, from which agency, with the rows themselves (an allowance's monthly amount, each
assistance programme received). Read only inside a household read that has already checked the viewer's area
(data_access.households.get_household, data_access.field.package): the facts are personal data and go where the
members go; they carry no citizen ID.

`receipts` puts a household's help side by side, each row saying its source: the agencies' assistance register
(`assistance_received`) and the help the Logbook recorded, so a team sees everything the household already receives.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping, Sequence
from typing import Literal, TypedDict

from sqlalchemy import Connection, select

from data_access import models as tables
from data_access.db import tuples
from mpi import registers as spec

ASSISTANCE_REGISTER = "assistance_received"  # the agencies' register of help given (programme, amount, date)
PROGRAMME_COLUMN = "programme"


class RegisterItem(TypedDict):
    """One row of a register for one person: the programme (where the register names one), amount and date."""

    programme: str | None
    amount: float | None
    on: str | None  # ISO date: the register's own date column (received on, since, screened on)


class LinkedFact(TypedDict):
    register: str
    name_th: str
    name_en: str
    owner_th: str
    owner_en: str
    as_of: str
    receives: bool
    amount: float | None
    items: list[RegisterItem]  # the person's rows of it, by date (empty: not on it)


def _loaded(conn: Connection) -> dict[str, dt.date]:
    rv = tables.register_version.c
    return dict(tuples(conn.execute(select(rv.register_key, rv.as_of).where(rv.replaced_at.is_(None)))))


def _programme(fields: str | None) -> str | None:
    """The programme a row names (the kind's `programme` column, kept in the row's JSON of other columns)."""
    if not fields:
        return None
    try:
        value = json.loads(fields).get(PROGRAMME_COLUMN)
    except (ValueError, AttributeError):
        return None
    return str(value) if value not in (None, "") else None


def _rows_of(conn: Connection, citizen_ids: list[str]) -> dict[tuple[str, str], list[RegisterItem]]:
    """(citizen ID, register) → the person's rows of it, oldest first."""
    rr = tables.register_row.c
    out: dict[tuple[str, str], list[RegisterItem]] = {}
    for cid, key, amount, on, fields in tuples(
        conn.execute(
            select(rr.citizen_id, rr.register_key, rr.amount, rr.event_date, rr.fields)
            .where(rr.citizen_id.in_(citizen_ids))
            .order_by(rr.citizen_id, rr.register_key, rr.event_date, rr.id)
        )
    ):
        item = RegisterItem(
            programme=_programme(fields),
            amount=None if amount is None else float(amount),
            on=on.isoformat() if on is not None else None,
        )
        out.setdefault((cid, key), []).append(item)
    return out


def _total(items: list[RegisterItem]) -> float | None:
    """A person's amount on a register: the sum of their rows' amounts (several assistance rows), None if none has one."""
    amounts = [i["amount"] for i in items if i["amount"] is not None]
    return sum(amounts) if amounts else None


def member_facts(conn: Connection, citizen_ids: list[str]) -> dict[str, list[LinkedFact]]:
    """citizen ID → one fact per loaded register (declared order): on it or not, as of the register's date."""
    loaded = _loaded(conn)
    if not loaded or not citizen_ids:
        return {}
    on: dict[tuple[str, str], list[RegisterItem]] = {}
    for i in range(0, len(citizen_ids), 900):  # the field package asks for thousands: a bounded IN list each time
        on |= _rows_of(conn, citizen_ids[i : i + 900])
    kinds = [k for k in spec.kinds().values() if k.key in loaded]
    return {
        cid: [
            LinkedFact(
                register=k.key,
                name_th=k.name_th,
                name_en=k.name_en,
                owner_th=k.owner_th,
                owner_en=k.owner_en,
                as_of=loaded[k.key].isoformat(),
                receives=(cid, k.key) in on,
                amount=_total(on.get((cid, k.key), [])),
                items=on.get((cid, k.key), []),
            )
            for k in kinds
        ]
        for cid in citizen_ids
    }


class Receipt(TypedDict):
    """One piece of help the household receives, with its source: an agency's register or the Logbook."""

    source: Literal["register", "logbook"]
    register: str | None  # the register's key (source register)
    member: int | None  # the member it was given to, by their number on the card; None: the household
    what_th: str
    what_en: str
    agency_th: str  # who gives it: the register's owner, or the agency the team recorded
    agency_en: str
    amount: float | None
    on: str | None  # ISO date it was given
    as_of: str | None  # the register's as-of date (source register)


def _register_receipts(numbered: Sequence[tuple[int, Sequence[Mapping]]]) -> list[Receipt]:
    out: list[Receipt] = []
    for number, facts in numbered:
        for f in facts:
            if f["register"] != ASSISTANCE_REGISTER:
                continue
            for item in f.get("items", []):
                out.append(
                    Receipt(
                        source="register",
                        register=f["register"],
                        member=number,
                        what_th=item["programme"] or f["name_th"],
                        what_en=item["programme"] or f["name_en"],
                        agency_th=f["owner_th"],
                        agency_en=f["owner_en"],
                        amount=item["amount"],
                        on=item["on"],
                        as_of=f["as_of"],
                    )
                )
    return out


def receipts(
    numbered: Sequence[tuple[int, Sequence[Mapping]]],
    logbook_help: Sequence[Mapping],
    kinds: Mapping[str, Mapping],
) -> list[Receipt]:
    """A household's help side by side, newest first: each member's rows of the agencies' assistance register
    (`numbered`: (member number, the member's facts as member_facts gives them)) and the Logbook's recorded help
    (data_access.logbook Assistance rows; `kinds`: assistance kinds by code, for their names). Pure."""
    return with_logbook(register_receipts(numbered), logbook_help, kinds)


def register_receipts(numbered: Sequence[tuple[int, Sequence[Mapping]]]) -> list[Receipt]:
    """The members' rows of the agencies' assistance register as receipts (the register's part of `receipts`)."""
    return _register_receipts(numbered)


def with_logbook(
    register_rows: Sequence[Mapping], logbook_help: Sequence[Mapping], kinds: Mapping[str, Mapping]
) -> list[Receipt]:
    """The register's receipts beside the Logbook's recorded help, newest first (a save on the card adds to the
    Logbook's part; the register's part is as the page read it). Pure."""
    out: list[Receipt] = [Receipt(**r) for r in register_rows]  # type: ignore[typeddict-item]
    for a in logbook_help:
        kind = kinds.get(a["kind"], {})
        out.append(
            Receipt(
                source="logbook",
                register=None,
                member=None,
                what_th=str(kind.get("name_th", a["kind"])),
                what_en=str(kind.get("name_en", a["kind"])),
                agency_th=a["agency"],
                agency_en=a["agency"],
                amount=None if a.get("amount_baht") is None else float(a["amount_baht"]),
                on=a["given_on"],
                as_of=None,
            )
        )
    out.sort(key=lambda r: r["on"] or "", reverse=True)
    return out


def assistance_loaded(facts: Sequence[Mapping]) -> bool:
    """Whether the agencies' assistance register was loaded (its fact is among a member's facts)."""
    return any(f["register"] == ASSISTANCE_REGISTER for f in facts)
