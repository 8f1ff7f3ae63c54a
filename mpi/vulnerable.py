"""Vulnerable households (ครัวเรือนเปราะบาง), pure: the Community Development Department's selection conditions and
burdens (domain brief §6) as bits, and configurable rules over them.

Selection (either qualifies):
  farmer_unregistered    the household head farms, yet nobody in the household is on the farmer register (Farmer ONE)
  low_income_no_welfare  income per person below 100,000 baht a year, and nobody holds a state-welfare card
Burdens:
  insecure_housing       fails indicator 2.1 (จปฐ. 8: secure housing)
  poor_child             a member is a poor child in the Ministry of Education's database
  young_children         a member aged 3-14
  elderly_no_allowance   a member aged 60 or more who does not receive the old-age allowance
  disabled_no_allowance  a disabled member who does not receive the disability allowance
  chronic_dependent      a chronically ill member who cannot look after themselves

Each assessed household is stored with its selection bits and burden bits (computed in SQL on import, with the
thresholds below), and rolled up per area as (selection bits, burden bits) → households, persons: at most 256
rows an area. Which selections and burdens count, and how many burdens are needed, is decided at query time by a
VulnerableRule, so a committee can change the rule without re-importing. The brief infers (does not state) that a
household is vulnerable when it meets a selection condition and has at least one burden: that is the default.

A condition that cannot be judged (its optional column was not supplied) is not met; households for which neither
selection condition can be judged are not assessed, and counted as such.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

from mpi.calendar import years_before
from mpi.editions import survey_date
from mpi.errors import BadRequest

SELECTIONS = ("farmer_unregistered", "low_income_no_welfare")
BURDENS = (
    "insecure_housing",
    "poor_child",
    "young_children",
    "elderly_no_allowance",
    "disabled_no_allowance",
    "chronic_dependent",
)
SELECTION_BIT = {s: 1 << i for i, s in enumerate(SELECTIONS)}
BURDEN_BIT = {b: 1 << i for i, b in enumerate(BURDENS)}
INSECURE_HOUSING_INDICATOR = "2.1"


@dataclass(frozen=True)
class Thresholds:
    """Applied on import (change them and re-import the year)."""

    income_per_capita: float = 100_000  # baht a year, strictly below
    child_min_age: int = 3
    child_max_age: int = 14
    elderly_age: int = 60

    def reference_date(self, year_be: int) -> dt.date:
        """Ages are counted on the edition's survey date, as everywhere (mpi.editions.survey_date)."""
        return survey_date(year_be)

    def born_bounds(self, year_be: int) -> dict[str, dt.date]:
        """Birth-date bounds for the ages, so SQL compares dates (the same on PostgreSQL and SQLite).
        young child: child_born_after < birth_date <= child_born_by; elderly: birth_date <= elderly_born_by."""
        ref = self.reference_date(year_be)
        return {
            "child_born_by": years_before(ref, self.child_min_age),
            "child_born_after": years_before(ref, self.child_max_age + 1),
            "elderly_born_by": years_before(ref, self.elderly_age),
        }


THRESHOLDS = Thresholds()


@dataclass(frozen=True)
class Member:
    birth_date: dt.date
    disabled: bool = False
    old_age_allowance: bool | None = None
    disability_allowance: bool | None = None
    chronic_dependent: bool | None = None
    moe_poor_child: bool | None = None


@dataclass(frozen=True)
class Household:
    members: tuple[Member, ...]
    any_welfare_card: bool
    fails_insecure_housing: bool
    head_farming: bool | None = None
    farmer_registered: bool | None = None
    income_per_capita: float | None = None


def classify(h: Household, year_be: int, th: Thresholds = THRESHOLDS) -> tuple[int | None, int]:
    """(selection bits or None when not assessable, burden bits) of one household: the reference the SQL must match."""
    b = th.born_bounds(year_be)
    selection: int | None = None
    if h.head_farming is not None and h.farmer_registered is not None:
        selection = SELECTION_BIT["farmer_unregistered"] if h.head_farming and not h.farmer_registered else 0
    if h.income_per_capita is not None:
        low = h.income_per_capita < th.income_per_capita and not h.any_welfare_card
        selection = (selection or 0) | (SELECTION_BIT["low_income_no_welfare"] if low else 0)
    burdens = BURDEN_BIT["insecure_housing"] if h.fails_insecure_housing else 0
    for m in h.members:
        if m.moe_poor_child:
            burdens |= BURDEN_BIT["poor_child"]
        if b["child_born_after"] < m.birth_date <= b["child_born_by"]:
            burdens |= BURDEN_BIT["young_children"]
        if m.birth_date <= b["elderly_born_by"] and m.old_age_allowance is False:
            burdens |= BURDEN_BIT["elderly_no_allowance"]
        if m.disabled and m.disability_allowance is False:
            burdens |= BURDEN_BIT["disabled_no_allowance"]
        if m.chronic_dependent:
            burdens |= BURDEN_BIT["chronic_dependent"]
    return selection, burdens


@dataclass(frozen=True)
class VulnerableRule:
    """Vulnerable = meets any of `selections` and has at least `min_burdens` of `burdens` (0: selection alone)."""

    selections: frozenset[str] = frozenset(SELECTIONS)
    burdens: frozenset[str] = frozenset(BURDENS)
    min_burdens: int = 1

    def __post_init__(self) -> None:
        for s in self.selections:
            if s not in SELECTION_BIT:
                raise BadRequest(f"unknown selection condition {s!r}; there are {', '.join(SELECTIONS)}")
        for b in self.burdens:
            if b not in BURDEN_BIT:
                raise BadRequest(f"unknown burden {b!r}; there are {', '.join(BURDENS)}")
        if not self.selections:
            raise BadRequest("choose at least one selection condition")
        if not 0 <= self.min_burdens <= len(self.burdens):
            raise BadRequest(f"min_burdens must be 0-{len(self.burdens)}")

    @property
    def selection_mask(self) -> int:
        return sum(SELECTION_BIT[s] for s in self.selections)

    @property
    def burden_mask(self) -> int:
        return sum(BURDEN_BIT[b] for b in self.burdens)

    def matches(self, selection: int, burdens: int) -> bool:
        return bool(selection & self.selection_mask) and bin(burdens & self.burden_mask).count("1") >= self.min_burdens


DEFAULT_RULE = VulnerableRule()


@dataclass(frozen=True)
class VulnerableCount:
    """One rollup row: households (and their persons) with these selection and burden bits."""

    selection: int
    burdens: int
    households: int
    persons: int


@dataclass
class VulnerableFigures:
    assessed_households: int = 0
    selected_households: int = 0
    vulnerable_households: int = 0
    vulnerable_persons: int = 0
    by_selection: dict[str, int] = field(default_factory=lambda: dict.fromkeys(SELECTIONS, 0))
    by_burden: dict[str, int] = field(default_factory=lambda: dict.fromkeys(BURDENS, 0))

    def as_dict(self) -> dict:
        return dict(self.__dict__)


def figures(rows: Iterable[VulnerableCount], rule: VulnerableRule = DEFAULT_RULE) -> VulnerableFigures:
    """Counts for one area under a rule. by_selection and by_burden count vulnerable households (a household can be
    in several), so each reads "vulnerable households with this condition / burden"."""
    out = VulnerableFigures()
    for r in rows:
        out.assessed_households += r.households
        if r.selection & rule.selection_mask:
            out.selected_households += r.households
        if not rule.matches(r.selection, r.burdens):
            continue
        out.vulnerable_households += r.households
        out.vulnerable_persons += r.persons
        for s in SELECTIONS:
            if r.selection & SELECTION_BIT[s]:
                out.by_selection[s] += r.households
        for b in BURDENS:
            if r.burdens & BURDEN_BIT[b]:
                out.by_burden[b] += r.households
    return out


def rule_from(selections: str | None = None, burdens: str | None = None, min_burdens: str | int | None = None) -> VulnerableRule:
    """A rule from query-string values (comma-separated names), defaults where missing."""

    def names(v: str | None, default: tuple[str, ...]) -> frozenset[str]:
        return frozenset(x.strip() for x in v.split(",") if x.strip()) if v else frozenset(default)

    try:
        k = 1 if min_burdens is None or min_burdens == "" else int(min_burdens)
    except ValueError:
        raise BadRequest(f"min_burdens must be a whole number, not {min_burdens!r}") from None
    return VulnerableRule(names(selections, SELECTIONS), names(burdens, BURDENS), k)
