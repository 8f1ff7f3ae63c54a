"""The life stage (issue 34) and the coverage gaps (issue 33) beyond the area page, on both backends: the ranking,
the pivot, the story and the exports. The stages add up to all ages on the ranking and the pivot; a page rendered
under `age=` keeps it in every link; a file under `age=` names the stage in its headers and holds the API's numbers;
a gap ranking follows the gap rollup and states the register's date; a published-only area says it cannot split."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re

import pytest
from openpyxl import load_workbook

import config
from components.fmt import be_date
from components.story import compose
from data_access import ages, lenses, registers
from data_access.figures import ranking
from data_access.pivot import pivot
from data_access.published import import_published
from data_access.registers import RegisterImport
from data_access.story import facts
from data_access.survey_import import SurveyImport
from mpi.calendar import age_on
from mpi.editions import survey_date
from mpi.lifestages import STAGE_KEYS
from mpi.rules import CRISIS_RULES, crisis_rule
from synthetic.population import generate
from tests.utils.world import decoded, page_callback

YEAR = 2561  # TPMAP's published figures for every area, and the generator's population of Samut Songkhram
AS_OF = dt.date(2024, 1, 31)
GAP = "old_age_allowance"
ELDERLY = "ผู้สูงอายุ (60 ปีขึ้นไป)"


@pytest.fixture(scope="module")
def db(isolated_engine, tmp_path_factory):
    """As the demo: TPMAP's published 2561 figures for every area (Chiang Mai, 50, and Mae Hong Son, 58, have only
    those), the generator's 2561 population for Samut Songkhram (75), and an old-age allowance register holding two
    of every three of its persons aged 60+."""
    engine = isolated_engine
    import_published(YEAR, config.DOMAIN_DIR, engine)
    out = tmp_path_factory.mktemp("synthetic")
    generate(YEAR, out, config.DOMAIN_DIR, config.GEO_DIR, ["75"], seed=35)
    SurveyImport(YEAR, out, engine).run()
    on = survey_date(YEAR)
    with open(out / "persons.csv", encoding="utf-8") as f:
        elderly = [p for p in csv.DictReader(f) if age_on(dt.date.fromisoformat(p["birth_date"]), on) >= 60]
    path = tmp_path_factory.mktemp("reg") / "old_age.csv"
    with open(path, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["citizen_id", "monthly_amount", "since", "tambon_code"])
        w.writerows([p["citizen_id"], "600", "2015-10-01", ""] for i, p in enumerate(elderly) if i % 3 != 2)
    RegisterImport(GAP, AS_OF, path, engine=engine).run()
    return engine


@pytest.fixture(scope="module")
def client(db):
    import os

    saved = os.environ.get("TPMAP_DATABASE_URL")
    os.environ["TPMAP_DATABASE_URL"] = db.url.render_as_string(hide_password=False)
    from app import create_app

    yield create_app().server.test_client()
    if saved is None:
        os.environ.pop("TPMAP_DATABASE_URL", None)
    else:
        os.environ["TPMAP_DATABASE_URL"] = saved


def _page(client, path: str, search: str) -> str:
    r = page_callback(client, path, search, None)
    assert r.status_code == 200, r.get_data(as_text=True)[:300]
    return decoded(r)


def _csv(client, url: str) -> list[list[str]]:
    r = client.get(url)
    assert r.status_code == 200, r.get_data(as_text=True)[:300]
    return list(csv.reader(io.StringIO(r.data.decode("utf-8-sig"))))


# --- the stages add up to all ages -----------------------------------------------------------------------------


@pytest.mark.parametrize(("code", "level"), [("75", None), ("75", "tambon"), ("TH", None), ("7501", None)])
@pytest.mark.parametrize("rule", ["ge3", "basic_needs"])
def test_the_stages_of_a_ranking_add_up_to_all_ages(db, code, level, rule):
    whole = {r["code"]: r for r in ranking(code, YEAR, crisis_rule(rule), level=level, engine=db)}
    parts = [lenses.stage_ranking(code, YEAR, crisis_rule(rule), 31, s, level, db) for s in STAGE_KEYS]
    split = {r["code"] for r in parts[0]["items"]}
    assert split, "the survey's areas are ranked under a stage"
    for p in parts:  # the same areas under every stage: the survey's; the published ones counted apart
        assert {r["code"] for r in p["items"]} == split
        assert set(p["unsplit"]) == set(whole) - split
        assert [r["rank"] for r in p["items"]] == list(range(1, len(p["items"]) + 1))
        assert [r["crisis"] for r in p["items"]] == sorted((r["crisis"] for r in p["items"]), reverse=True)
    for c in split:
        rows = [next(r for r in p["items"] if r["code"] == c) for p in parts]
        for field in ("surveyed_persons", "target_poor_persons", "crisis_ge3", "crisis_basic_needs", "crisis"):
            assert sum(r[field] for r in rows) == whole[c][field], (c, field)
    if code == "TH":  # the country's provinces: Chiang Mai has published figures only
        assert "50" in parts[0]["unsplit"] and "75" in split


@pytest.mark.parametrize(
    ("rows", "cols"),
    [("area", "dimension"), ("area", "crisis"), ("deprivations", "area"), ("crisis", "deprivations"), ("dimension", "dimension")],
)
@pytest.mark.parametrize("definition", [None, "all"])
def test_the_stages_of_a_pivot_add_up_to_all_ages(db, rows, cols, definition):
    whole = pivot("75", YEAR, rows, cols, engine=db, definition=definition)
    parts = [pivot("75", YEAR, rows, cols, engine=db, definition=definition, stage=s) for s in STAGE_KEYS]
    assert all(p["age"] == s and p["columns"] == whole["columns"] for p, s in zip(parts, STAGE_KEYS, strict=True))
    for i, item in enumerate(whole["items"]):
        for k in whole["columns"]:
            assert sum(p["items"][i]["cells"][k] for p in parts) == item["cells"][k], (item["key"], k)
        assert sum(p["items"][i]["base"] for p in parts) == item["base"]
    for k in whole["columns"]:
        assert sum(p["total"]["cells"][k] for p in parts) == whole["total"]["cells"][k]
    assert any(p["total"]["cells"] != whole["total"]["cells"] for p in parts)  # a stage is not all ages


def test_what_a_stage_cannot_count_is_refused_not_shown_for_all_ages(db, client):
    with pytest.raises(lenses.NotByStage) as refused:
        pivot("75", YEAR, "area", "indicator", engine=db, stage="elderly")
    assert refused.value.status == 422 and "not counted by life stage" in str(refused.value)
    with pytest.raises(lenses.NotByStage):
        pivot("75", YEAR, "status", "area", engine=db, stage="school")
    with pytest.raises(ages.CannotSplit):  # Chiang Mai: TPMAP's published figures only
        pivot("50", YEAR, "area", "dimension", engine=db, stage="elderly")
    with pytest.raises(ages.CannotSplit):
        facts("50", YEAR, stage="elderly")


# --- the pages keep the stage in every link -------------------------------------------------------------------


def _links(page: str) -> list[str]:
    """Every in-app address a rendered layout holds: hrefs, and the markdown links of its tables."""
    found = re.findall(r'"href": "([^"]+)"', page) + re.findall(r"\]\((/[^)\s]*)\)", page)
    return [h for h in found if h.startswith(("/", "?")) and not h.startswith(("/login", "/api/", "/assets/"))]


@pytest.mark.parametrize(
    ("path", "search", "choice"),
    [
        ("/ranking", "?year=2561&area=75&age=elderly", "rank-age-all"),
        ("/ranking", "?year=2561&area=75&level=tambon&by=basic_needs&age=elderly", "rank-age-all"),
        ("/ranking", f"?year=2561&area=75&by=gap:{GAP}&age=elderly", "rank-age-all"),
        ("/pivot", "?year=2561&area=75&rows=area&cols=crisis&age=elderly", None),
        ("/area/75/story", "?year=2561&age=elderly", "story-age-all"),
    ],
)
def test_a_page_under_a_stage_keeps_it_in_every_link(client, path, search, choice):
    page = _page(client, path, search)
    assert "stage-note" in page and ELDERLY in page  # the stage named on the page
    links = _links(page)
    assert sum("age=elderly" in h for h in links) >= 5
    lost = [h for h in links if "age=" not in h]  # the stage choice's other stages keep one too
    if choice:  # the one link that leaves every stage: the choice "every age"
        assert choice in page and len(lost) == 1, lost
    else:
        assert not lost, lost


def test_the_ranking_under_a_stage_shows_the_stages_figures(client, db):
    page = _page(client, "/ranking", "?year=2561&area=75&age=elderly")
    staged = lenses.stage_ranking("75", YEAR, CRISIS_RULES["ge3"], 31, "elderly", None, db)["items"]
    for r in staged:
        assert f'"target_poor": {r["target_poor_persons"]}' in page
    assert f"({ELDERLY})" in page  # the figures' headers name the stage


def test_the_story_under_a_stage_tells_that_stages_numbers(client, db):
    f = facts("75", YEAR, stage="elderly")
    assert f["stage"] == "elderly" and f["villages"] == [] and f["change"] is None
    page = _page(client, "/area/75/story", "?year=2561&age=elderly")
    assert f"{f['area']['target_poor_persons']:,}" in page and ELDERLY in page
    api = client.get("/api/v1/areas/75?year=2561&age=elderly").get_json()
    assert api["target_poor_persons"] == f["area"]["target_poor_persons"]
    numbers = [n for p in compose(dict(f), "th", "?year=2561&age=elderly") for n in p if isinstance(n, dict)]
    staged = [n for n in numbers if "age=elderly" in n["api"]]
    assert len(staged) >= 5 and all("age=elderly" in n["href"] for n in numbers)
    for n in staged:  # each number is the stage's, as the API answers it under age=
        assert n["value"] == _api_value(client, n["api"], n["field"]), n


def _api_value(client, api: str, field: str) -> object:
    body = client.get(api).get_json()
    if field.startswith("items["):
        key, rest = field[6:].split("].", 1)
        return next(i for i in body["items"] if key in (i.get("code"), i.get("register")))[rest]
    head, _, key = field.partition(".")
    return body[head][key] if key else body[head]


# --- files under a stage --------------------------------------------------------------------------------------


def test_a_children_file_under_a_stage_names_it_and_holds_the_apis_numbers(client):
    lines = _csv(client, "/export/children.csv?code=75&year=2561&age=elderly")
    header, rows = lines[0], lines[1:]
    column = next(i for i, h in enumerate(header) if h.startswith("คนจนเป้าหมาย") and ELDERLY in h)
    api = client.get("/api/v1/areas/75/children?year=2561&age=elderly").get_json()["items"]
    by_code = {i["code"]: i for i in api if i.get("target_poor_persons") is not None}
    assert by_code and {r[0] for r in rows} >= set(by_code)
    for r in rows:
        if r[0] in by_code:
            assert int(r[column]) == by_code[r[0]]["target_poor_persons"], r
    whole = _csv(client, "/export/children.csv?code=75&year=2561")
    assert not any(ELDERLY in h for h in whole[0])  # all ages: no stage named
    r = client.get("/export/children.xlsx?code=75&year=2561&age=elderly")
    assert r.status_code == 200 and "elderly" in r.headers["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(r.data)).active
    assert any(ELDERLY in str(c.value) for c in sheet[1])


def test_a_ranking_and_a_pivot_file_under_a_stage(client):
    lines = _csv(client, "/export/ranking.csv?code=75&year=2561&by=ge3&age=school")
    header = lines[0]
    school = "วัยเรียน (6–14 ปี)"
    assert sum(school in h for h in header) >= 3 and school not in header[1]  # figures named, the area's name not
    target = next(i for i, h in enumerate(header) if h.startswith("คนจนเป้าหมาย"))
    for row in lines[1:]:
        api = client.get(f"/api/v1/areas/{row[2]}?year=2561&age=school").get_json()
        assert int(row[target]) == api["target_poor_persons"], row
    pivot_lines = _csv(client, "/export/pivot.csv?area=75&year=2561&rows=area&cols=dimension&age=school")
    assert school in pivot_lines[0][0]
    area = client.get("/api/v1/areas/75?year=2561&age=school").get_json()
    dims = ("health", "living", "education", "income", "access")
    assert pivot_lines[-1][1:] == [str(area["dimension_target_poor"][d]) for d in dims]


@pytest.mark.parametrize(
    "url",
    [
        "/export/pivot.csv?area=50&year=2561&rows=area&cols=dimension&age=elderly",
        "/export/ranking.csv?code=50&year=2561&age=elderly",
        "/export/children.csv?code=TH&year=2561&age=elderly",
        "/export/villages.csv?code=750101&year=2561&age=elderly",
        "/export/pivot.csv?area=75&year=2561&rows=indicator&cols=area&age=elderly",
    ],
)
def test_a_file_that_cannot_split_says_so(client, url):
    r = client.get(url)
    if "children" in url:  # the country's provinces: the surveyed ones split, the published ones said so row by row
        lines = list(csv.reader(io.StringIO(r.data.decode("utf-8-sig"))))
        source = lines[0].index("แหล่งข้อมูล")
        target = next(i for i, h in enumerate(lines[0]) if h.startswith("คนจนเป้าหมาย"))
        cm = next(row for row in lines if row[0] == "50")
        assert "แยกตามช่วงวัยไม่ได้" in cm[source] and cm[target] == ""
        ss = next(row for row in lines if row[0] == "75")
        assert ss[target].isdigit() and "แยก" not in ss[source]
        return
    assert r.status_code == 422, (r.status_code, r.get_data(as_text=True)[:200])
    assert "life stage" in r.get_json()["error"]


def test_published_areas_say_they_cannot_split_on_every_page(client):
    for path, search in (
        ("/pivot", "?year=2561&area=50&age=elderly"),
        ("/area/50/story", "?year=2561&age=elderly"),
        ("/ranking", "?year=2561&area=50&age=elderly"),
    ):
        page = _page(client, path, search)
        assert "no-stage-split" in page and "แยกตามช่วงวัยไม่ได้" in page, path
    page = _page(client, "/ranking", "?year=2561&area=TH&age=elderly")  # some provinces split, the others counted
    assert "rank-unsplit" in page and "ranking-table" in page


# --- coverage gaps --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("code", "level", "digits"), [("75", "tambon", 6), ("TH", None, 2), ("75", None, 4)])
def test_a_gap_ranking_orders_by_the_gap_rollup(db, code, level, digits):
    ranked = lenses.gap_ranking(code, YEAR, GAP, level, engine=db)
    rollup = registers.gaps_children(code, digits, YEAR, engine=db)
    expected = {c: g[GAP] for c, g in rollup.items() if GAP in g and g[GAP]["eligible_persons"] != 0}
    assert ranked["as_of"] == AS_OF.isoformat()
    assert {r["code"] for r in ranked["items"]} == set(expected)
    assert ranked["items"], "the fixture has eligible elderly target poor"
    for r in ranked["items"]:
        g = expected[r["code"]]
        assert (r["eligible_persons"], r["served_persons"], r["unserved_persons"]) == (
            g["eligible_persons"],
            g["served_persons"],
            g["unserved_persons"],
        )
    keys = [(r["unserved_persons"] if r["unserved_persons"] is not None else 1.5) for r in ranked["items"]]
    assert keys == sorted(keys, reverse=True)


def test_the_gap_ranking_page_file_and_story_state_the_registers_date(client, db):
    thai_date = be_date(AS_OF.isoformat(), "th")
    page = _page(client, "/ranking", f"?year=2561&area=TH&by=gap:{GAP}")
    assert thai_date in page and "ranking-table" in page and f"rank-by-gap-{GAP}" in page
    lines = _csv(client, f"/export/ranking.csv?code=TH&year=2561&by=gap:{GAP}")
    assert sum(thai_date in h for h in lines[0]) >= 3
    ranked = lenses.gap_ranking("TH", YEAR, GAP, None, engine=db)["items"]
    assert [row[2] for row in lines[1:]] == [r["code"] for r in ranked]
    english = _csv(client, f"/export/ranking.csv?code=TH&year=2561&by=gap:{GAP}&lang=en")
    assert any(be_date(AS_OF.isoformat(), "en") in h for h in english[0])
    children = _csv(client, "/export/children.csv?code=75&year=2561")
    gap_col = next(i for i, h in enumerate(children[0]) if thai_date in h)
    rollup = registers.gaps_children("75", 4, YEAR, engine=db)
    for row in children[1:]:
        g = rollup.get(row[0], {}).get(GAP)
        if g and g["unserved_persons"] is not None:
            assert int(row[gap_col]) == g["unserved_persons"]
    story = _page(client, "/area/75/story", "?year=2561")
    gap = registers.gaps("75", YEAR, engine=db)[0]
    assert thai_date in story and f"gap%3A{GAP}" in story
    numbers = [s for p in compose(dict(facts("75", YEAR)), "th", "?year=2561") for s in p if isinstance(s, dict)]
    told = [s for s in numbers if s["api"] == f"/api/v1/areas/75/gaps?year={YEAR}"]
    assert len(told) == 2 and told[0]["value"] == gap["unserved_persons"]
    for n in told:  # the pinned gaps answer holds each number
        assert n["value"] == _api_value(client, n["api"], n["field"]), n


def test_the_area_pages_table_file_is_of_the_stage_shown(client):
    """The area page's download beside its table (under age=) is that stage's file: the link keeps the stage and the
    file names it in its headers."""
    page = _page(client, "/area/75", "?year=2561&age=elderly")
    href = next(h for h in re.findall(r'"href": "([^"]+)"', page) if h.startswith("/export/children.csv"))
    assert "age=elderly" in href
    header = _csv(client, href)[0]
    assert any(ELDERLY in cell for cell in header), header
