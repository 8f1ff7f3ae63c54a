"""The MPI rules on hand-computed cases; the arithmetic is written out beside each figure."""

import pytest

from mpi import catalogue
from mpi.rules import (
    ALL_DIMENSIONS_MASK,
    IndicatorCount,
    PatternCount,
    area_figures,
    as_defined,
    citizen_id_check_digit,
    citizen_id_problem,
    deprivation_score,
    dimensions_mask,
    household_pattern,
    indicators_as_defined,
    is_crisis,
    is_target_poor,
    pattern_from_string,
    pattern_to_string,
)

DIMS = {i.code: i.dimension for i in catalogue.indicators_for_year(2561)}

# A small area, by hand:
#   A: 4 persons, 2 with a welfare card; fails 1.2 (health) and 4.3 (income) -> pattern 10010
#   B: 3 persons, all 3 welfare;         fails 2.1 (living), 3.2, 3.4 (education), 5.1 (access) -> 01101
#   C: 5 persons, 2 welfare;             fails nothing -> 00000
#   D: 2 persons, 0 welfare;             fails 4.1 (income) -> 00010
HOUSEHOLDS = {
    "A": (4, 2, ["1.2", "4.3"]),
    "B": (3, 3, ["2.1", "3.2", "3.4", "5.1"]),
    "C": (5, 2, []),
    "D": (2, 0, ["4.1"]),
}


def _area_rows():
    patterns, indicators = [], []
    for persons, welfare, failed in HOUSEHOLDS.values():
        p = household_pattern(failed, DIMS)
        patterns.append(PatternCount(p, 1, persons, welfare, 1 if welfare else 0))
        indicators += [IndicatorCount(code, welfare, persons) for code in failed]
    return patterns, indicators


def test_patterns_follow_tpmap_hleia_order():
    assert household_pattern(["1.2", "4.3"], DIMS) == 0b10010
    assert pattern_to_string(household_pattern(["2.1", "3.2", "3.4", "5.1"], DIMS)) == "01101"
    assert pattern_from_string("11111") == ALL_DIMENSIONS_MASK
    with pytest.raises(ValueError):
        pattern_from_string("1012")


def test_all_dimensions_hand_computed():
    f = area_figures(*_area_rows(), DIMS)
    assert f["surveyed_households"] == 4
    assert f["surveyed_persons"] == 4 + 3 + 5 + 2 == 14
    assert f["poor_persons"] == 4 + 3 + 2 == 9  # A, B, D
    assert f["target_poor_persons"] == 2 + 3 == 5  # welfare members of A and B
    assert f["target_poor_households"] == 2  # A and B
    assert f["crisis_persons"] == 3  # B's members, deprived in 3 dimensions
    assert f["dimension_target_poor"] == {"health": 2, "living": 3, "education": 3, "income": 2, "access": 3}
    assert f["deprived_dimensions_target_poor"] == {"1": 0, "2": 2, "3": 3, "4": 0, "5": 0}
    assert f["indicator_target_poor"]["1.2"] == 2 and f["indicator_target_poor"]["3.4"] == 3
    assert f["indicator_target_poor"]["4.1"] == 0  # D has no welfare member
    assert f["headcount_ratio"] == pytest.approx(5 / 14)
    # scores: A 2/5 for 2 persons, B 3/5 for 3 persons -> (0.8 + 1.8) / 5 = 0.52
    assert f["intensity"] == pytest.approx((2 * 2 / 5 + 3 * 3 / 5) / 5) == pytest.approx(0.52)
    assert f["mpi"] == pytest.approx(5 / 14 * 0.52)


def test_income_only_switch_recomputes_everything():
    f = area_figures(*_area_rows(), DIMS, dimensions_mask(["income"]))
    assert f["surveyed_persons"] == 14  # the denominator never changes
    assert f["poor_persons"] == 4 + 2 == 6  # A and D are income-deprived; B is not
    assert f["target_poor_persons"] == 2  # A's welfare members
    assert f["target_poor_households"] == 1
    assert f["crisis_persons"] == 0
    assert f["dimension_target_poor"] == {"health": 0, "living": 0, "education": 0, "income": 2, "access": 0}
    assert f["indicator_target_poor"]["4.3"] == 2
    assert f["indicator_target_poor"]["1.2"] == 0  # health is switched off: it does not count
    assert f["deprived_dimensions_target_poor"]["1"] == 2
    assert f["intensity"] == pytest.approx(1 / 5)  # each counts 1 selected dimension of 5
    assert f["mpi"] == pytest.approx(2 / 14 * 0.2)


def test_living_and_education_switch():
    f = area_figures(*_area_rows(), DIMS, dimensions_mask(["living", "education"]))
    assert f["target_poor_persons"] == 3  # B only
    assert f["crisis_persons"] == 0  # B counts 2 selected dimensions now
    assert f["deprived_dimensions_target_poor"]["2"] == 3
    assert f["intensity"] == pytest.approx(2 / 5)


def test_empty_area_has_zero_ratios_not_errors():
    f = area_figures([], [], DIMS)
    assert f["surveyed_persons"] == 0 and f["headcount_ratio"] == 0 and f["intensity"] == 0 and f["mpi"] == 0


def test_unknown_welfare_households_stay_unknown():
    f = area_figures([PatternCount(0b10000, 10, 30, 5, None)], [], DIMS)
    assert f["target_poor_households"] is None and f["target_poor_persons"] == 5


def test_person_rules():
    assert deprivation_score(0b10010) == pytest.approx(2 / 5)
    assert deprivation_score(0b10010, dimensions_mask(["health"])) == pytest.approx(1 / 5)
    assert is_target_poor(0b00010, True) and not is_target_poor(0b00010, False)
    assert not is_target_poor(0b00010, True, dimensions_mask(["health"]))
    assert is_crisis(0b11100, True) and not is_crisis(0b11000, True) and not is_crisis(0b11100, False)


def test_dimension_names_are_checked():
    assert dimensions_mask(["health", "access"]) == 0b10001
    with pytest.raises(ValueError, match="unknown dimension"):
        dimensions_mask(["wealth"])
    with pytest.raises(ValueError, match="at least one"):
        dimensions_mask([])


def test_citizen_id_check_digit():
    # 1-1017-00203-81-?: 1*13 + 1*12 + 0*11 + 1*10 + 7*9 + 0*8 + 0*7 + 2*6 + 0*5 + 3*4 + 8*3 + 1*2 = 148
    # 148 mod 11 = 5; (11 - 5) mod 10 = 6
    assert citizen_id_check_digit("110170020381") == 6
    assert citizen_id_problem("1101700203816") is None
    assert "check digit is 4, expected 6" in citizen_id_problem("1101700203814")
    assert "13 digits" in citizen_id_problem("110170020381")
    assert "digits 0-9" in citizen_id_problem("11017002038l6")
    # remainder 1 gives 11 - 1 = 10, which wraps to 0: 0-1000-00000-00-?: 1*12 = 12, 12 mod 11 = 1
    assert citizen_id_check_digit("010000000000") == 0
    # remainder 0 gives 11, which wraps to 1
    assert citizen_id_check_digit("000000000000") == 1


def test_catalogue_is_data_versioned_by_year():
    for year in range(2561, 2566):
        inds = catalogue.indicators_for_year(year)
        assert len(inds) == 17
        per_dim = {}
        for i in inds:
            per_dim[i.dimension] = per_dim.get(i.dimension, 0) + 1
        assert per_dim == {"health": 4, "living": 4, "education": 4, "income": 3, "access": 2}
    assert catalogue.indicators_for_year(2561)[0].name_th.startswith("เด็กแรกเกิด")
    with pytest.raises(KeyError):
        catalogue.indicators_for_year(2570)


def test_crisis_rules_hand_computed():
    from mpi.rules import CRISIS_RULES, crisis_count, crisis_rule

    # A: health+income (2 dims), B: living+education+access (3), E: health+living+income (3), F: all but access (4)
    rows = [
        PatternCount(0b10010, 1, 4, 2),
        PatternCount(0b01101, 1, 3, 3),
        PatternCount(0b11010, 1, 5, 4),
        PatternCount(0b11110, 1, 2, 1),
    ]
    assert crisis_count(rows, CRISIS_RULES["ge3"]) == 3 + 4 + 1  # B, E, F
    assert crisis_count(rows, CRISIS_RULES["basic_needs"]) == 4 + 1  # E and F have health, living and income
    assert crisis_count(rows, crisis_rule("custom", min_dimensions=2, required=["income"])) == 2 + 4 + 1  # A, E, F
    # switching living off: E and F no longer meet basic needs, and only F keeps 3 selected dimensions
    assert crisis_count(rows, CRISIS_RULES["basic_needs"], dimensions_mask(["health", "income", "education"])) == 0
    assert crisis_count(rows, CRISIS_RULES["ge3"], dimensions_mask(["health", "income", "education"])) == 1
    with pytest.raises(ValueError):
        crisis_rule("custom")
    with pytest.raises(ValueError):
        crisis_rule("custom", required=["wealth"])


def test_crisis_rules_reproduce_the_derived_province_counts():
    """The brief's DERIVED files count, per province, target poor in >= 3 dimensions and in health+living+income."""
    import csv

    import config
    from mpi.rules import CRISIS_RULES, crisis_count, pattern_from_string

    patterns: dict[str, list] = {}
    with open(config.DOMAIN_DIR / "tpmap_2561_province_patterns.csv", encoding="utf-8") as f:
        for r in csv.DictReader(f):
            patterns.setdefault(r["area_code"], []).append(
                PatternCount(pattern_from_string(r["pattern_HLEIA"]), 0, 0, int(r["exact_target_poor"]))
            )
    with open(config.DOMAIN_DIR / "tpmap_2561_province_deprivation_count_DERIVED.csv", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    checked = 0
    for r in rows:
        if r["province_code"] not in patterns:
            continue
        p = patterns[r["province_code"]]
        assert crisis_count(p, CRISIS_RULES["ge3"]) == int(r["tp_ge3_dims"]), r["province_code"]
        assert crisis_count(p, CRISIS_RULES["basic_needs"]) == int(r["tp_health_and_living_and_income"]), r["province_code"]
        checked += 1
    assert checked == 76


def test_the_three_definitions_of_target_poor_hand_computed():
    """all = every MPI-poor person (A 4 + B 3 + D 2 = 9); nocard = the poor without a card (A's 2 uncarded + D's 2 = 4;
    households where nobody holds one: D alone); registered + nocard = all, in persons and households."""
    patterns, indicators = _area_rows()
    every = area_figures(as_defined(patterns, "all"), indicators_as_defined(indicators, "all"), DIMS)
    nocard = area_figures(as_defined(patterns, "nocard"), indicators_as_defined(indicators, "nocard"), DIMS)
    assert (every["target_poor_persons"], every["target_poor_households"]) == (9, 3)
    assert (nocard["target_poor_persons"], nocard["target_poor_households"]) == (4, 1)
    assert every["crisis_persons"] == 3 and nocard["crisis_persons"] == 0  # B (3 dimensions) is carded throughout
    assert every["dimension_target_poor"] == {"health": 4, "living": 3, "education": 3, "income": 6, "access": 3}
    assert nocard["dimension_target_poor"] == {"health": 2, "living": 0, "education": 0, "income": 4, "access": 0}
    assert (every["indicator_target_poor"]["4.1"], nocard["indicator_target_poor"]["4.1"]) == (2, 2)  # D
    assert (every["indicator_target_poor"]["1.2"], nocard["indicator_target_poor"]["1.2"]) == (4, 2)  # A
    # intensity of the uncarded: A's 2 at 2/5 and D's 2 at 1/5 -> (0.8 + 0.4) / 4 = 0.3
    assert nocard["intensity"] == pytest.approx(0.3)
    # a source that counts card holders alone per indicator (TPMAP's published files) has no figure for the others
    published = [IndicatorCount(c.code, c.welfare_persons) for c in indicators]
    assert indicators_as_defined(published, "all") is None
    assert set(area_figures(patterns, None, DIMS)["indicator_target_poor"].values()) == {None}
    with pytest.raises(ValueError):
        as_defined(patterns, "poorest")


def test_indicator_scopes_are_data_and_ages_count_on_the_survey_date():
    """Issue 34: each indicator's scope comes from mpi/data (the jpt wording, TPMAP-DOMAIN.md §4), and ages are counted
    on the edition's survey date, the last day of its interviews (January-April of the survey year)."""
    import datetime as dt

    from mpi.editions import survey_date, survey_period

    scopes = {
        i.code: (i.min_age, i.max_age, i.disabled_member, i.scope_basis) for i in catalogue.indicators_for_year(2561) if i.scoped
    }
    assert scopes == {
        "1.1": (0, 0, False, "stated"),
        "1.4": (6, None, False, "stated"),
        "3.1": (3, 5, False, "stated"),
        "3.2": (6, 14, False, "stated"),
        "3.3": (13, 17, False, "inferred"),
        "3.4": (15, 59, False, "stated"),
        "4.1": (15, 59, False, "stated"),
        "4.2": (60, None, False, "stated"),
        "5.1": (60, None, False, "stated"),
        "5.2": (None, None, True, "stated"),
    }
    assert survey_period(2561) == (dt.date(2017, 1, 1), dt.date(2017, 4, 30)) and survey_date(2562) == dt.date(2018, 4, 30)
    by = {i.code: i for i in catalogue.indicators_for_year(2562)}
    first, last = survey_period(2562)
    # 60 on the survey date: born on 30 Apr 1958 or before
    assert by["4.2"].covers(dt.date(1958, 4, 30), False, last) and not by["4.2"].covers(dt.date(1958, 5, 1), False, last)
    # 14 on 1 January, 15 on the survey date: a child of 6-14 during the interviews, not on their last day
    assert by["3.2"].covers(dt.date(2003, 3, 1), False, first, last) and not by["3.2"].covers(dt.date(2003, 3, 1), False, last)
    assert by["1.1"].born_range(last, last) == (dt.date(2017, 4, 30), dt.date(2018, 4, 30))  # under 1: born in the year
    assert by["5.2"].covers(dt.date(1990, 1, 1), True, last) and not by["5.2"].covers(dt.date(1990, 1, 1), False, last)
    assert by["4.2"].scope_words() == "aged 60 or over" and by["1.1"].scope_words() == "aged under 1"
