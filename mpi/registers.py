"""Agencies' registers as data (issue 33): what each register kind holds and who is eligible for what it records.

The kinds and the eligibility rules are read from mpi/data/registers.json: a new register kind, or a new gap rule, is
a row there and no code. Pure: the data layer validates files against these declarations and counts the gaps in SQL.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path

DATA_FILE = Path(__file__).resolve().parent / "data" / "registers.json"

# the deck's words for where an agency's data stands (the catalogue's status)
STATUSES = ("linked", "requested", "denied", "no_key")
TYPES = ("citizen_id", "text", "date", "amount", "integer", "tambon")
ID_COLUMN = "citizen_id"
PLACE_COLUMN = "tambon_code"  # the address a register holds: places a row that does not link to a surveyed person


@dataclass(frozen=True)
class Column:
    name: str
    type: str


@dataclass(frozen=True)
class RegisterKind:
    key: str
    name_th: str
    name_en: str
    owner_th: str
    owner_en: str
    columns: tuple[Column, ...]
    required: tuple[str, ...]
    unique: tuple[str, ...]

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]

    def type_of(self, name: str) -> str:
        return next(c.type for c in self.columns if c.name == name)

    def name(self, lang: str) -> str:
        return self.name_th if lang == "th" else self.name_en

    def owner(self, lang: str) -> str:
        return self.owner_th if lang == "th" else self.owner_en

    def listing(self) -> dict:
        """The pinned shape of `flask list-registers` (key, owner, columns, required), with names and types beside."""
        return {
            "key": self.key,
            "owner": self.owner_th,
            "owner_en": self.owner_en,
            "name": self.name_th,
            "name_en": self.name_en,
            "columns": self.column_names,
            "required": list(self.required),
            "types": {c.name: c.type for c in self.columns},
            "unique": list(self.unique),
        }


@dataclass(frozen=True)
class GapRule:
    """Target-poor persons eligible for what a register records: by age on the edition's survey date (min_age, and
    max_age inclusive), by disability, or every member of a household whose head farms; household_poor counts the
    members of target-poor households instead of target-poor persons. Served: on the register (for
    a household rule: anyone of the household on it)."""

    register: str
    rule: str
    min_age: int | None = None
    max_age: int | None = None
    disabled: bool = False
    farming_household: bool = False
    # eligible as a member of a target-poor household (children hold no welfare card of their own, so under a
    # card definition no child is a target-poor person: the children of target-poor households are meant)
    household_poor: bool = False


def _kind(raw: dict) -> RegisterKind:
    columns = tuple(Column(c["name"], c["type"]) for c in raw["columns"])
    kind = RegisterKind(
        raw["key"],
        raw["name_th"],
        raw["name_en"],
        raw["owner_th"],
        raw["owner_en"],
        columns,
        tuple(raw["required"]),
        tuple(raw["unique"]),
    )
    names = kind.column_names
    if not names or names[0] != ID_COLUMN:
        raise ValueError(f"register {kind.key}: the first column must be {ID_COLUMN}")
    unknown = [c.type for c in columns if c.type not in TYPES] + [c for c in (*kind.required, *kind.unique) if c not in names]
    if unknown:
        raise ValueError(f"register {kind.key}: undeclared types or columns {unknown}")
    return kind


@cache
def kinds() -> dict[str, RegisterKind]:
    """Every declared register kind, by key, in the file's order."""
    raw = json.loads(DATA_FILE.read_text(encoding="utf-8"))
    return {k["key"]: _kind(k) for k in raw["kinds"]}


@cache
def gap_rules() -> tuple[GapRule, ...]:
    raw = json.loads(DATA_FILE.read_text(encoding="utf-8"))
    rules = tuple(GapRule(**g) for g in raw["gaps"])
    missing = [g.register for g in rules if g.register not in kinds()]
    if missing:
        raise ValueError(f"gap rules name undeclared registers: {missing}")
    return rules


def kind(key: str) -> RegisterKind:
    """The declared kind, or KeyError naming the declared ones."""
    found = kinds().get(key)
    if found is None:
        raise KeyError(f"register {key!r} is not declared; declared: {', '.join(kinds())}")
    return found


def gap_rule(register: str) -> GapRule | None:
    return next((g for g in gap_rules() if g.register == register), None)


def listing() -> list[dict]:
    return [k.listing() for k in kinds().values()]
