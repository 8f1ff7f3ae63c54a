"""Issue 13, the pure parts behind what a room and a field team read: names placed on a map without
collisions, titles broken before they overflow, label points inside their area, dates in the Buddhist era,
and refusals in the reader's language."""

from __future__ import annotations

import pytest
import shapely

from components.dates import iso_from_parts
from components.figures import place_labels, text_width, wrap
from components.i18n import said
from data_access.errors import BadRequest
from data_access.logbook import LogbookError, _date, _text
from geo.boundaries import label_point


def test_names_that_would_touch_keep_the_first_and_drop_the_second():
    # two names 0.01° apart on a 1000 px map of a 1° box: the first (more important) one is kept
    extent = (100.0, 13.0, 101.0, 14.0)
    kept = place_labels([(100.5, 13.5), (100.51, 13.5), (100.1, 13.9)], ["อัมพวา", "บางคนที", "เมือง"], 1000, 1000, 24, extent)
    assert kept == [0, 2]
    # far apart on the same map, all three fit
    assert place_labels([(100.1, 13.1), (100.5, 13.5), (100.9, 13.9)], ["a", "b", "c"], 1000, 1000, 24, extent) == [0, 1, 2]
    # the same names on a phone-sized map no longer fit side by side
    assert len(place_labels([(100.3, 13.5), (100.5, 13.5), (100.7, 13.5)], ["สมุทรสงคราม"] * 3, 200, 200, 24, extent)) == 1


def test_thai_marks_take_no_width():
    assert text_width("พื้นที่", 10) == text_width("พนท", 10)


def test_a_long_title_breaks_at_its_joint_and_a_short_one_stays():
    title = "คนจนเป้าหมาย รายพื้นที่ย่อย: สมุทรสงคราม ปี 2561"
    assert wrap(title, 2000, 17) == title
    assert wrap(title, 300, 17) == "คนจนเป้าหมาย รายพื้นที่ย่อย:<br>สมุทรสงคราม ปี 2561"


def test_a_label_point_lies_inside_a_crescent_where_its_centroid_does_not():
    crescent = shapely.Point(0, 0).buffer(10).difference(shapely.Point(2, 0).buffer(9.5))
    assert not crescent.contains(crescent.centroid)
    lon, lat = label_point(crescent)
    assert crescent.contains(shapely.Point(lon, lat))
    assert label_point(None) is None


def test_three_selects_make_a_christian_era_date_and_a_day_that_does_not_exist_is_refused_in_thai():
    assert iso_from_parts("1", "1", "2503", "birth_date") == "1960-01-01"
    assert iso_from_parts("29", "2", "2567", "given_on") == "2024-02-29"  # a leap year
    assert iso_from_parts("", "", "", "birth_date") is None
    with pytest.raises(BadRequest) as e:
        iso_from_parts("29", "2", "2566", "given_on")
    assert "ไม่มีอยู่จริง" in said(e.value, "th") and "วันที่ให้ความช่วยเหลือ" in said(e.value, "th")
    assert "not a date" in said(e.value, "en") and e.value.status == 400
    with pytest.raises(BadRequest) as e:
        iso_from_parts("3", "", "2566", "visited_on")
    assert "วันที่เยี่ยม" in said(e.value, "th")


def test_logbook_refusals_are_english_for_programs_and_thai_on_the_form():
    with pytest.raises(LogbookError) as e:
        _date("2999-01-01", "visited_on")
    assert "in the future" in str(e.value)  # the API's words stay
    # the form's reader sees the field's Thai name and the date in the Buddhist era (1/1/2999 is 1/1/3542)
    assert "วันที่เยี่ยม" in said(e.value, "th") and "อนาคต" in said(e.value, "th") and "1/1/3542" in said(e.value, "th")
    with pytest.raises(LogbookError) as e:
        _text("", "agency")
    assert said(e.value, "th") == "กรุณากรอกหน่วยงาน" and said(e.value, "en") == "agency is required"


def test_every_error_key_raised_in_data_access_is_in_the_catalogue():
    import pathlib
    import re

    from components.i18n import CATALOGUE

    keys = set()
    for f in pathlib.Path("data_access").glob("*.py"):
        keys |= set(re.findall(r'key="(err\.[a-z_.]+)"', f.read_text(encoding="utf-8")))
    keys |= {f"err.cid.{k}" for k in ("empty", "length", "digits", "check")}
    assert keys and not sorted(k for k in keys if k not in CATALOGUE)
