"""Issue 31: a database whose editions differ in coverage, as a deployment part-way through loading a year is (and
the demo: 2561 everywhere, 2562 for three provinces). One rule, applied by every page, export and API answer: an
area is shown in the edition asked for, else the latest that has figures for it; a comparison of several areas
(ranking, pivot) uses the latest edition that covers every one of them, offers the others and says whom it leaves
out; a change is computed only where both editions have the area.

The fixture: 2561 surveyed in Samut Songkhram (75) and Mae Hong Son (58); 2562 in Samut Songkhram only."""

from __future__ import annotations

import csv
import io
import re

import pytest

from data_access import accounts, figures
from data_access.survey_import import SurveyImport
from tests.utils.survey_factory import Survey, make_survey
from tests.utils.world import decoded, page_callback

FULL, PARTIAL = 2561, 2562
PASSWORD = "kept-secret-42"
COVERED, LACKING = "75", "58"  # Samut Songkhram has both editions; Mae Hong Son only the first


@pytest.fixture(scope="module")
def app(isolated_engine, tmp_path_factory, monkeypatch_module):
    survey = make_survey(n_households=160, seed=23)
    folder = tmp_path_factory.mktemp("coverage")
    SurveyImport(FULL, survey.write(folder / "a"), isolated_engine).run()
    houses = {h["house_id"] for h in survey.households if h["tambon_code"].startswith(COVERED)}
    later = Survey(
        households=[h for h in survey.households if h["house_id"] in houses],
        persons=[p for p in survey.persons if p["house_id"] in houses],
        failures=[f for f in survey.failures if f["house_id"] in houses],
    )
    SurveyImport(PARTIAL, later.write(folder / "b"), isolated_engine).run()
    monkeypatch_module.setenv("TPMAP_DATABASE_URL", isolated_engine.url.render_as_string(hide_password=False))
    accounts.create_user(
        username=f"coverage-{isolated_engine.dialect.name}",
        full_name="t",
        role="national",
        areas=["TH"],
        password=PASSWORD,
        engine=isolated_engine,
    )
    from app import create_app

    return create_app()


def _signed_in(app, engine_name: str):
    client = app.server.test_client()
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r"name='csrf_token' value='([^']+)'", page).group(1)
    r = client.post(
        "/login", data={"username": f"coverage-{engine_name}", "password": PASSWORD, "csrf_token": token, "next": "/"}
    )
    assert r.status_code == 302, r.get_data(as_text=True)[:500]
    return client, client.get_cookie("_csrf_token").value


@pytest.fixture(scope="module")
def monkeypatch_module():
    mp = pytest.MonkeyPatch()
    yield mp
    mp.undo()


def _year_shown(client, path: str, search: str = "", csrf: str | None = None) -> int:
    """The edition a page says it shows (the badge in its bar: "ข้อมูลปี พ.ศ. 2562")."""
    page = decoded(page_callback(client, path, search, csrf))
    years = re.findall(r"ข้อมูลปี พ.ศ. ([0-9]{4})", page)
    assert years, (path, page[:300])
    return int(years[0])


def test_the_rule_each_area_its_latest_and_the_country_not_a_partial_sum(app):
    assert figures.edition_for(COVERED) == PARTIAL
    assert figures.edition_for(LACKING) == FULL
    # 2562 covers one province: it is not the country's 2562 figure, so the country's latest stays 2561
    assert figures.edition_for("TH") == FULL
    assert figures.edition_for(LACKING, PARTIAL) == PARTIAL  # asked for: as asked
    cover = figures.comparison("TH")
    assert (cover.year, cover.complete) == (FULL, (FULL,))
    assert cover.years == (FULL, PARTIAL)
    asked = figures.comparison("TH", asked=PARTIAL)
    assert asked.compared == 1 and LACKING in asked.lacking and "10" in asked.never  # Bangkok: never surveyed


def test_every_page_of_an_area_shows_the_same_edition(app, isolated_engine):
    client, csrf = _signed_in(app, isolated_engine.dialect.name)
    for code, year in ((COVERED, PARTIAL), (LACKING, FULL)):
        for page in (f"/area/{code}", f"/area/{code}/story", f"/area/{code}/households", f"/area/{code}/vulnerable"):
            assert _year_shown(client, page, "", csrf) == year, page
    assert _year_shown(client, "/", "", csrf) == FULL


def test_the_story_tells_its_edition_among_the_peers_that_have_it(app):
    client = app.server.test_client()
    page = decoded(page_callback(client, f"/area/{COVERED}/story", "", None))
    assert "ไม่มีข้อมูลของพื้นที่นี้" not in page
    assert re.search(r"จาก 1 จังหวัดในประเทศไทยที่มีข้อมูลปี 2562 \(อีก 1 จังหวัดยังไม่มีข้อมูลปีนี้\)", page), page[:2000]


def test_links_without_a_year_leave_each_area_its_own(app):
    """The story button, the breadcrumb and a presentation tour carry no year unless one was asked for, so each
    stop opens in its own latest edition; a year picked is kept."""
    client = app.server.test_client()
    home = decoded(page_callback(client, "/", "?present=1&tour=TH,75,58&every=30", None))
    nxt = re.search(r'"href": "(/area/75[^"]*)"', home).group(1)
    assert "year=" not in nxt
    assert _year_shown(client, "/area/75", "?" + nxt.split("?", 1)[1]) == PARTIAL
    asked = decoded(page_callback(client, "/", f"?year={FULL}&present=1&tour=TH,75&every=30", None))
    assert re.search(r'"href": "/area/75\?year=2561', asked)


def test_a_comparison_uses_the_edition_covering_every_area_and_says_whom_it_leaves_out(app):
    client = app.server.test_client()
    page = decoded(page_callback(client, "/ranking", "?area=TH&by=ge3", None))
    assert "ข้อมูลปี พ.ศ. 2561" in page
    assert "rank-year-2562" in page and "2562 (บางพื้นที่)" in page  # the other edition offered, marked partial
    assert "เปรียบเทียบ 2 พื้นที่ที่มีข้อมูลปี 2561" in page and "ไม่มีข้อมูลในทุกปี" in page
    asked = decoded(page_callback(client, "/ranking", f"?area=TH&by=ge3&year={PARTIAL}", None))
    assert "เปรียบเทียบ 1 พื้นที่ที่มีข้อมูลปี 2562" in asked and "ยังไม่มีข้อมูลปี 2562" in asked
    pivot = decoded(page_callback(client, "/pivot", "", None))
    assert "ไม่มีข้อมูลของพื้นที่นี้" not in pivot and "เปรียบเทียบ 2 พื้นที่ที่มีข้อมูลปี 2561" in pivot


def test_a_change_ranking_ranks_only_areas_with_both_editions(app):
    client = app.server.test_client()
    page = decoded(page_callback(client, "/ranking", "?area=TH&by=change", None))
    assert "จัดอันดับ 1 พื้นที่ที่มีข้อมูลทั้งปี 2561 และปี 2562" in page
    body = client.get(f"/api/v1/areas/TH/ranking?by=change&year={PARTIAL}&from={FULL}").get_json()
    assert [i["code"] for i in body["items"]] == [COVERED] and body["lacking"] == 1


def test_exports_and_the_api_follow_the_same_rule(app):
    client = app.server.test_client()
    assert client.get(f"/api/v1/areas/{COVERED}").get_json()["year"] == PARTIAL
    assert client.get(f"/api/v1/areas/{LACKING}").get_json()["year"] == FULL
    assert client.get("/api/v1/areas/TH").get_json()["year"] == FULL
    ranking = client.get("/api/v1/areas/TH/ranking").get_json()
    assert ranking["year"] == FULL and {i["code"] for i in ranking["items"]} == {COVERED, LACKING}
    assert ranking["left_out"] == {"without_this_edition": 0, "without_any_edition": 75}
    for code, year in ((COVERED, PARTIAL), (LACKING, FULL)):
        r = client.get(f"/export/children.csv?code={code}")
        assert r.status_code == 200 and f"-{year}" in r.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(client.get("/export/ranking.csv?code=TH&by=ge3").get_data(as_text=True).lstrip("\ufeff"))))
    assert len(rows) == 3  # the header and both provinces: 2561 covers both
