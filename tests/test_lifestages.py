"""Life stages as data (issue 34, 1): the bands, their labels, and the one function from birth date to stage."""

from __future__ import annotations

import datetime as dt

import pytest

from components.i18n import CATALOGUE
from mpi import catalogue
from mpi.calendar import years_before
from mpi.editions import survey_date
from mpi.lifestages import STAGE_KEYS, life_stage, life_stages, stage_for_age, stages_of_set

YEAR = 2561
ON = survey_date(YEAR)  # 30 April 2560 BE (2017 CE)


@pytest.mark.parametrize(
    ("age", "key"),
    [
        (0, "infant"),
        (2, "infant"),
        (3, "preschool"),
        (5, "preschool"),
        (6, "school"),
        (14, "school"),
        (15, "working"),
        (59, "working"),
        (60, "elderly"),
        (104, "elderly"),
    ],
)
def test_each_band_edge_falls_in_its_stage(age, key):
    assert stage_for_age(age, YEAR).key == key


def test_age_is_counted_on_the_survey_date_not_today():
    sixty_on_the_day = years_before(ON, 60)
    assert life_stage(sixty_on_the_day, ON, year=YEAR) == "elderly"
    assert life_stage(sixty_on_the_day + dt.timedelta(days=1), ON, year=YEAR) == "working"  # 60 the day after
    assert life_stage(ON, ON, year=YEAR) == "infant"  # born on the survey's last day
    # the same person is of another stage in a later edition's survey
    born = years_before(ON, 14)
    assert life_stage(born, survey_date(YEAR + 1), year=YEAR + 1) == "working"


def test_a_birth_after_the_survey_date_is_an_error():
    with pytest.raises(ValueError, match="after the survey date"):
        life_stage(ON + dt.timedelta(days=1), ON, year=YEAR)


def test_29_february_birthdays():
    born = dt.date(2000, 2, 29)
    assert life_stage(born, dt.date(2015, 2, 28), year=YEAR) == "school"  # 14: the birthday has not come
    assert life_stage(born, dt.date(2015, 3, 1), year=YEAR) == "working"


def test_born_ranges_agree_with_the_function():
    """The rollup compares birth dates with each stage's range: every day of two years of births lands in the
    stage the function gives, and in exactly one range."""
    ranges = [(s.key, *s.born_range(ON)) for s in life_stages(YEAR)]
    day = years_before(ON, 61)
    while day <= ON:
        inside = [key for key, after, by in ranges if (after is None or day > after) and day <= by]
        assert inside == [life_stage(day, ON, year=YEAR)], day
        day += dt.timedelta(days=(1 if day.year in (2017, 2012, 1957) else 97))


def test_every_edition_with_a_catalogue_has_the_pinned_stages_labelled():
    for year in catalogue.known_years():
        keys = tuple(s.key for s in life_stages(year))
        assert keys == STAGE_KEYS
        for key in keys:
            th, en = CATALOGUE[f"stage.{key}"]
            assert th != en


def test_stages_name_the_indicators_that_concern_them():
    stages = {s.key: s.indicators for s in stages_of_set("jpt2560")}
    assert "1.1" in stages["infant"] and "3.2" in stages["school"] and "4.2" in stages["elderly"]
    assert "3.2" not in stages["elderly"]  # a stage names only indicators whose ages meet its own
