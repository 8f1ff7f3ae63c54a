"""Who counts as target poor under each definition (mpi.rules), as SQL conditions on the household and person
tables: the one place the flows, the help outcomes and the household lists spell them."""

from __future__ import annotations

from sqlalchemy import ColumnElement, and_, literal, true
from sqlalchemy.sql import ColumnCollection

from mpi.rules import ALL_POOR, NO_CARD, REGISTERED


def person_counted(p: str, h: str, definition: str, bit: int) -> str:
    """SQL: the person (alias p, household h) counts as target poor under the definition, deprived in `bit`."""
    card = {REGISTERED: f" AND {p}.welfare_card", NO_CARD: f" AND NOT {p}.welfare_card", ALL_POOR: ""}[definition]
    return f"(({h}.pattern & {bit}) <> 0{card})"


def household_counted(h: str, definition: str, bit: int) -> str:
    """SQL: the household counts under the definition (registered: a card holder; nocard: none), deprived in `bit`."""
    card = {REGISTERED: f" AND {h}.n_welfare > 0", NO_CARD: f" AND {h}.n_welfare = 0", ALL_POOR: ""}[definition]
    return f"(({h}.pattern & {bit}) <> 0{card})"


def household_counts(h: ColumnCollection, definition: str, bit: int) -> ColumnElement[bool]:
    """household_counted as a Core condition on the household table's columns `h` (its `.c`, or an alias's)."""
    card = {REGISTERED: h.n_welfare > 0, NO_CARD: h.n_welfare == 0, ALL_POOR: true()}[definition]
    return and_(_deprived(h, bit), card)


def person_counts(p: ColumnCollection, h: ColumnCollection, definition: str, bit: int) -> ColumnElement[bool]:
    """person_counted as a Core condition on the person's and its household's columns."""
    card = {REGISTERED: p.welfare_card, NO_CARD: ~p.welfare_card, ALL_POOR: true()}[definition]
    return and_(_deprived(h, bit), card)


def _deprived(h: ColumnCollection, bit: int) -> ColumnElement[bool]:
    """(pattern & bit) <> 0 with the numbers written into the statement: with every dimension's bits it is the
    predicate of the index of poor households (models.ix_household_poor), which a planner matches only as written."""
    return h.pattern.bitwise_and(literal(bit, literal_execute=True)) != literal(0, literal_execute=True)
