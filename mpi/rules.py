"""The MPI rules, pure: no I/O, no database. Everything the API reports is computed here.

Deprivation is household-level (a household failing an indicator deprives every member),
so a household's deprivation is one 5-bit *pattern* over the dimensions, in TPMAP's order
health, living, education, income, access: 0b10000 = health only, 0b11111 = all five. The
bit string equals TPMAP's `pattern_HLEIA` column, so int("10010", 2) is health + income.

Area figures are computed from counts per pattern (at most 32 rows), which is how a
dimension switch is answered without rescanning persons. A dimension switched off does not
count for anyone: a person's pattern is intersected with the selection before anything is
counted, so the deprivation score, crisis, per-dimension and per-indicator figures all
follow the selection (the pinned "every figure is recomputed under it").
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from mpi.errors import BadRequest

DIMENSIONS: tuple[str, ...] = ("health", "living", "education", "income", "access")
# Leftmost character of the HLEIA string is the highest bit.
DIMENSION_BIT: dict[str, int] = {d: 1 << (len(DIMENSIONS) - 1 - i) for i, d in enumerate(DIMENSIONS)}
ALL_DIMENSIONS_MASK = (1 << len(DIMENSIONS)) - 1
CRISIS_MIN_DIMENSIONS = 3


def popcount(value: int) -> int:
    return bin(value).count("1")


def pattern_to_string(pattern: int) -> str:
    return format(pattern, "05b")


def pattern_from_string(text: str) -> int:
    if len(text) != len(DIMENSIONS) or set(text) - {"0", "1"}:
        raise BadRequest(f"a pattern is 5 characters of 0/1 in the order HLEIA, not {text!r}")
    return int(text, 2)


def dimensions_mask(names: Iterable[str]) -> int:
    """The bit mask for a set of dimension names; raises ValueError on an unknown name or an empty set."""
    mask = 0
    for name in names:
        key = name.strip().lower()
        if key not in DIMENSION_BIT:
            raise BadRequest(f"unknown dimension {name!r}; expected some of {', '.join(DIMENSIONS)}")
        mask |= DIMENSION_BIT[key]
    if mask == 0:
        raise BadRequest("at least one dimension must be selected")
    return mask


def dimensions_of(mask: int) -> list[str]:
    return [d for d in DIMENSIONS if mask & DIMENSION_BIT[d]]


def household_pattern(failed_indicators: Iterable[str], dimension_of: Mapping[str, str]) -> int:
    """The deprivation pattern of a household from the indicator codes it fails."""
    pattern = 0
    for code in failed_indicators:
        pattern |= DIMENSION_BIT[dimension_of[code]]
    return pattern


def deprivation_score(pattern: int, mask: int = ALL_DIMENSIONS_MASK) -> float:
    """Deprived (selected) dimensions / 5."""
    return popcount(pattern & mask) / len(DIMENSIONS)


def is_poor(pattern: int, mask: int = ALL_DIMENSIONS_MASK) -> bool:
    return (pattern & mask) != 0


def is_target_poor(pattern: int, welfare_card: bool, mask: int = ALL_DIMENSIONS_MASK) -> bool:
    return welfare_card and is_poor(pattern, mask)


def is_crisis(pattern: int, welfare_card: bool, mask: int = ALL_DIMENSIONS_MASK) -> bool:
    return is_target_poor(pattern, welfare_card, mask) and popcount(pattern & mask) >= CRISIS_MIN_DIMENSIONS


@dataclass(frozen=True)
class PatternCount:
    """Counts of one area for the households sharing one deprivation pattern (0 = not deprived).

    welfare_persons: members registered and verified for state welfare (target poor when pattern
    is selected). welfare_households: households with at least one such member; None where the
    source does not publish it.
    """

    pattern: int
    households: int
    persons: int
    welfare_persons: int
    welfare_households: int | None = None


@dataclass(frozen=True)
class IndicatorCount:
    """Welfare-registered members of households failing one indicator.

    Failing an indicator deprives a person in its dimension, so while that dimension is
    selected every one of them is target poor; while it is switched off the indicator does
    not count for anyone. One number per indicator therefore answers every selection.
    """

    code: str
    welfare_persons: int
    persons: int | None = None  # every member of a household failing it, card or not (None: the source lacks it)


# --- Who counts as target poor: the definition switch ---------------------------------------------
# TPMAP's own definition up to 2566 is REGISTERED: MPI-poor and holding a verified state-welfare card. ALL counts
# every MPI-poor person (TPMAP 2567's definition); NO_CARD the MPI-poor without a card, i.e. ALL minus REGISTERED:
# the candidates for exclusion errors that the source deck asks field teams to find. A household counts under
# NO_CARD when nobody in it holds a card, so REGISTERED + NO_CARD households = ALL households.
REGISTERED, ALL_POOR, NO_CARD = "registered", "all", "nocard"
TARGET_DEFINITIONS: tuple[str, ...] = (REGISTERED, ALL_POOR, NO_CARD)


def check_definition(definition: str) -> str:
    if definition not in TARGET_DEFINITIONS:
        raise BadRequest(f"definition must be one of {', '.join(TARGET_DEFINITIONS)}, not {definition!r}")
    return definition


def as_defined(patterns: Iterable[PatternCount], definition: str = REGISTERED) -> list[PatternCount]:
    """The pattern rows with `welfare_persons` and `welfare_households` holding whoever the definition counts, so
    every figure computed from them (target poor, crisis, intensity, per dimension) follows the definition."""
    check_definition(definition)
    if definition == REGISTERED:
        return list(patterns)
    out = []
    for p in patterns:
        if definition == ALL_POOR:
            out.append(PatternCount(p.pattern, p.households, p.persons, p.persons, p.households))
        else:
            hh = None if p.welfare_households is None else p.households - p.welfare_households
            out.append(PatternCount(p.pattern, p.households, p.persons, p.persons - p.welfare_persons, hh))
    return out


def indicators_as_defined(counts: Iterable[IndicatorCount], definition: str = REGISTERED) -> list[IndicatorCount] | None:
    """Per-indicator counts under the definition; None where the source lacks the persons the definition needs
    (TPMAP's published files count the target poor per indicator, not every poor person)."""
    check_definition(definition)
    counts = list(counts)
    if definition == REGISTERED:
        return counts
    if any(c.persons is None for c in counts):
        return None
    return [
        IndicatorCount(c.code, (c.persons or 0) - (c.welfare_persons if definition == NO_CARD else 0), c.persons) for c in counts
    ]


def _ratio(numerator: float, denominator: float) -> float:
    return numerator / denominator if denominator else 0.0


def area_figures(
    patterns: Iterable[PatternCount],
    indicator_counts: Iterable[IndicatorCount] | None,
    indicator_dimension: Mapping[str, str],
    mask: int = ALL_DIMENSIONS_MASK,
) -> dict:
    """Every figure of the read API for one area, under the union rule over the selected dimensions."""
    surveyed_households = surveyed_persons = 0
    poor_persons = target_poor = 0
    target_poor_households: int | None = 0
    crisis = 0
    score_sum = 0
    by_dimension = dict.fromkeys(DIMENSIONS, 0)
    by_count = {str(k): 0 for k in range(1, len(DIMENSIONS) + 1)}
    for row in patterns:
        surveyed_households += row.households
        surveyed_persons += row.persons
        selected = row.pattern & mask
        if not selected:
            continue
        n_dims = popcount(selected)
        poor_persons += row.persons
        target_poor += row.welfare_persons
        if target_poor_households is not None:
            target_poor_households = None if row.welfare_households is None else target_poor_households + row.welfare_households
        score_sum += n_dims * row.welfare_persons
        by_count[str(n_dims)] += row.welfare_persons
        if n_dims >= CRISIS_MIN_DIMENSIONS:
            crisis += row.welfare_persons
        for d in DIMENSIONS:
            if selected & DIMENSION_BIT[d]:
                by_dimension[d] += row.welfare_persons

    # None: not known under this definition (indicators_as_defined), never shown as a zero
    by_indicator: dict[str, int | None] = dict.fromkeys(indicator_dimension, None if indicator_counts is None else 0)
    for ic in indicator_counts or ():
        if mask & DIMENSION_BIT[indicator_dimension[ic.code]]:
            by_indicator[ic.code] = (by_indicator[ic.code] or 0) + ic.welfare_persons

    headcount = _ratio(target_poor, surveyed_persons)
    intensity = _ratio(score_sum / len(DIMENSIONS), target_poor)
    return {
        "surveyed_households": surveyed_households,
        "surveyed_persons": surveyed_persons,
        "poor_persons": poor_persons,
        "target_poor_persons": target_poor,
        "target_poor_households": target_poor_households,
        "crisis_persons": crisis,
        "dimension_target_poor": by_dimension,
        "indicator_target_poor": by_indicator,
        "deprived_dimensions_target_poor": by_count,
        "headcount_ratio": headcount,
        "intensity": intensity,
        "mpi": headcount * intensity,
    }


# --- Thai citizen ID -------------------------------------------------------------------------

CITIZEN_ID_PROBLEMS = {
    "empty": "citizen ID is empty",
    "length": "citizen ID must have 13 digits, got {length} characters",
    "digits": "citizen ID must contain digits 0-9 only",
    "check": "citizen ID check digit is {got}, expected {expected}",
}


def citizen_id_issue(value: str) -> tuple[str, dict] | None:
    """What is wrong with a 13-digit Thai citizen ID, as (kind, values), or None if it is valid.

    The 13th digit is a check digit: (11 - sum(d_i * (14 - i) for i in 1..12) mod 11) mod 10.
    """
    if value is None or value == "":
        return "empty", {}
    if len(value) != 13:
        return "length", {"length": len(value)}
    if not value.isascii() or not value.isdigit():
        return "digits", {}
    expected = citizen_id_check_digit(value[:12])
    if int(value[12]) != expected:
        return "check", {"got": value[12], "expected": expected}
    return None


def citizen_id_problem(value: str) -> str | None:
    """Why a 13-digit Thai citizen ID is invalid (in English), or None if it is valid."""
    issue = citizen_id_issue(value)
    return None if issue is None else CITIZEN_ID_PROBLEMS[issue[0]].format(**issue[1])


def citizen_id_check_digit(first12: str) -> int:
    total = sum(int(d) * (13 - i) for i, d in enumerate(first12))
    return (11 - total % 11) % 10


# --- Crisis rules (configurable; the source deck's two as defaults) -------------------------------


@dataclass(frozen=True)
class CrisisRule:
    """Who among the target poor is in crisis: deprived in at least `min_dimensions` of the selected dimensions,
    and in every dimension of `required` (the source deck's "basic needs": income, living conditions, health)."""

    key: str
    min_dimensions: int = 0
    required: frozenset[str] = frozenset()

    def matches(self, pattern: int, mask: int = ALL_DIMENSIONS_MASK) -> bool:
        selected = pattern & mask
        if not selected:
            return False
        need = sum(DIMENSION_BIT[d] for d in self.required)
        return popcount(selected) >= self.min_dimensions and (selected & need) == need


CRISIS_RULES = {
    "ge3": CrisisRule("ge3", min_dimensions=CRISIS_MIN_DIMENSIONS),
    "basic_needs": CrisisRule("basic_needs", required=frozenset({"income", "living", "health"})),
}


def crisis_rule(key: str | None = None, *, min_dimensions: int | None = None, required: Iterable[str] = ()) -> CrisisRule:
    """A named rule, or a custom one (k of the dimensions and/or a required set)."""
    required = frozenset(r.strip().lower() for r in required if r.strip())
    if key and key in CRISIS_RULES and min_dimensions is None and not required:
        return CRISIS_RULES[key]
    if key and key not in CRISIS_RULES and key != "custom":
        raise BadRequest(f"unknown crisis rule {key!r}; use {', '.join(CRISIS_RULES)} or custom")
    unknown = required - set(DIMENSIONS)
    if unknown:
        raise BadRequest(f"unknown dimension(s) {', '.join(sorted(unknown))}")
    k = 0 if min_dimensions is None else int(min_dimensions)
    if not 0 <= k <= len(DIMENSIONS):
        raise BadRequest("min_dimensions must be 0-5")
    if k == 0 and not required:
        raise BadRequest("a custom rule needs min_dimensions or required dimensions")
    return CrisisRule("custom", k, required)


def crisis_count(patterns: Iterable[PatternCount], rule: CrisisRule, mask: int = ALL_DIMENSIONS_MASK) -> int:
    """Target poor in crisis under a rule: welfare members of households whose pattern matches."""
    return sum(p.welfare_persons for p in patterns if rule.matches(p.pattern, mask))


def ranking_measures(
    rules: Iterable[CrisisRule], mask: int, definition: str = REGISTERED
) -> dict[str, tuple[dict[int, int], str]]:
    """What a ranking or a map of many areas sums, as {measure: ({pattern: weight}, which count)}: every figure of
    them is a weighted sum of pattern rows' counts, so a database can add them up for thousands of areas at once.
    The count is "persons" (everyone surveyed), "welfare" (card holders), or "nocard" (persons less card holders),
    after the definition of who is target poor (as_defined). Besides each crisis rule: the surveyed, the target poor,
    the target poor deprived in each dimension, and `deprivations` (each counted person times the dimensions they
    are deprived in: intensity and MPI follow from it)."""
    check_definition(definition)
    counted = {REGISTERED: "welfare", ALL_POOR: "persons", NO_CARD: "nocard"}[definition]
    every = range(1 << len(DIMENSIONS))
    out: dict[str, tuple[dict[int, int], str]] = {
        "surveyed": (dict.fromkeys(every, 1), "persons"),
        "target_poor": ({p: 1 for p in every if p & mask}, counted),
        "deprivations": ({p: popcount(p & mask) for p in every if p & mask}, counted),
    }
    for d in DIMENSIONS:
        out[f"dim_{d}"] = ({p: 1 for p in every if p & mask & DIMENSION_BIT[d]}, counted)
    for rule in rules:
        out[f"crisis_{rule.key}"] = ({p: 1 for p in every if rule.matches(p, mask)}, counted)
    return out


# --- Cross-tabulation of target poor over deprivation patterns (the pivot's non-area axes) ------------------


def pattern_categories(axis: str, mask: int = ALL_DIMENSIONS_MASK) -> list[tuple[str, Callable[[int], bool]]]:
    """The categories of an axis and the test a deprivation pattern passes to fall in each.

    dimension: deprived in that (selected) dimension; crisis: accepted by each source-deck rule;
    deprivations: deprived in exactly k of the selected dimensions; a person can be in several categories of the
    dimension and crisis axes, so their cells do not add up to the total.
    """

    def deprived_in(bit: int) -> Callable[[int], bool]:
        return lambda p: bool(p & mask & bit)

    def accepted_by(rule: CrisisRule) -> Callable[[int], bool]:
        return lambda p: rule.matches(p, mask)

    def deprived_exactly(k: int) -> Callable[[int], bool]:
        return lambda p: popcount(p & mask) == k

    if axis == "dimension":
        return [(d, deprived_in(DIMENSION_BIT[d])) for d in DIMENSIONS if mask & DIMENSION_BIT[d]]
    if axis == "crisis":
        return [(k, accepted_by(r)) for k, r in CRISIS_RULES.items()]
    if axis == "deprivations":
        return [(str(k), deprived_exactly(k)) for k in range(1, popcount(mask) + 1)]
    if axis == "total":
        return [("total", lambda p: bool(p & mask))]
    raise BadRequest(f"unknown axis {axis!r}")


def cross_tab(patterns: Iterable[PatternCount], rows: str, cols: str, mask: int = ALL_DIMENSIONS_MASK) -> dict:
    """Target poor persons by (row category, column category): {row: {col: persons}}."""
    rcat, ccat = pattern_categories(rows, mask), pattern_categories(cols, mask)
    out = {r: dict.fromkeys((c for c, _ in ccat), 0) for r, _ in rcat}
    for row in patterns:
        if not row.pattern & mask or not row.welfare_persons:
            continue
        for r, rtest in rcat:
            if rtest(row.pattern):
                for c, ctest in ccat:
                    if ctest(row.pattern):
                        out[r][c] += row.welfare_persons
    return out
