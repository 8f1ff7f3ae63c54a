"""Issue 13, the pure parts behind what a room and a field team read: names placed on a map without
collisions, titles broken before they overflow, label points inside their area, dates in the Buddhist era,
and refusals in the reader's language."""

from __future__ import annotations

from pathlib import Path

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


def test_names_with_rooms_never_touch_stay_in_the_frame_and_sit_on_their_area():
    """Issue 31: every area's name that has room is written, the largest areas first, smaller or beside its point
    where it must be, never over another name nor past the map's edge, and never far larger than its area."""
    import random

    from components.figures import _name_box, _Projection, place_names

    rng = random.Random(5)
    extent = (97.0, 5.0, 106.0, 21.0)
    rooms, points, texts = [], [], []
    for _ in range(80):
        w, s = rng.uniform(97, 105), rng.uniform(5, 20)
        size = rng.uniform(0.2, 1.5)
        rooms.append((w, s, min(w + size, 106), min(s + size, 21)))
        points.append(((rooms[-1][0] + rooms[-1][2]) / 2, (rooms[-1][1] + rooms[-1][3]) / 2))
        texts.append(rng.choice(["เชียงใหม่", "แม่ฮ่องสอน", "นครศรีธรรมราช", "ตาก", "น่าน"]))
    placed = place_names(points, texts, 760, 520, 11, extent, rooms=rooms, min_font_px=9)
    proj = _Projection(extent, 760, 520)
    boxes = [_name_box(*proj.xy(*points[n.index]), texts[n.index], n.size, n.position) for n in placed]
    for i, a in enumerate(boxes):
        assert a[0] >= 0 and a[1] >= 0 and a[2] <= 760 and a[3] <= 520
        for b in boxes[i + 1 :]:
            assert a[2] < b[0] or a[0] > b[2] or a[3] < b[1] or a[1] > b[3]
    for n, box in zip(placed, boxes, strict=True):
        room = proj.box(rooms[n.index])
        assert room[0] <= (box[0] + box[2]) / 2 <= room[2] and 9 <= n.size <= 11
    largest = max(range(80), key=lambda i: (rooms[i][2] - rooms[i][0]) * (rooms[i][3] - rooms[i][1]))
    assert largest in {n.index for n in placed}  # the largest area is always named


def test_every_trace_type_the_pages_name_is_in_the_dashboards_plotly_bundle():
    """The dashboard's plotly.js holds only the traces it draws (vendor/plotly/tpmap-plotly.js); a figure of any
    other type is drawn as nothing or as a scatter's lines (the first pyramid's bars were lines). Every trace type
    written in components/ and pages/ must be one the bundle registers."""
    import re

    import plotly.graph_objects as go

    root = Path(__file__).resolve().parent.parent
    bundle = (root / "vendor" / "plotly" / "tpmap-plotly.js").read_text()
    bundled = {"scatter"} | set(re.findall(r"plotly\.js/lib/(\w+)", bundle)) - {"core"}
    known = {name.lower() for name in dir(go) if name[:1].isupper()}
    named: set[str] = set()
    for folder in ("components", "pages"):
        for path in (root / folder).glob("*.py"):
            named |= {v for v in re.findall(r'"type":\s*"(\w+)"', path.read_text()) if v in known}
    assert {"scatter", "choropleth", "scatterpolar"} <= named  # the scan finds what the pages draw
    assert named <= bundled, sorted(named - bundled)
