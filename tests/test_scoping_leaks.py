"""Issue 11, scoping that leaked and refusals audited everywhere: rows are scoped (not only the requested
area), public Logbook aggregates use controlled vocabularies with a minimum cell, every 403 leaves an audit row."""

from __future__ import annotations

import csv
import io
import json
import logging

import pytest
from sqlalchemy import text

from components.i18n import t
from data_access import areas
from tests.utils.world import bearer, component, decoded, page_callback, refusal, session_client

YEAR = 2563


@pytest.fixture(scope="module")
def world(isolated_world):
    return isolated_world


@pytest.fixture
def client(world):
    return world["app"].server.test_client()


def _denials(engine) -> int:
    with engine.connect() as conn:
        return conn.execute(text("SELECT COUNT(*) FROM audit_event WHERE action = 'access_denied'")).scalar()


@pytest.fixture(scope="module")
def mentor_teams(world):
    client = world["app"].server.test_client()
    ids = {}
    for key, area, mentor in (("district", "7501", "ครูสมหมาย เจ็ดห้าศูนย์หนึ่ง"), ("district7502", "7502", "พี่เลี้ยงลับ เจ็ดห้าศูนย์สอง")):
        headers = bearer(world, key)
        r = client.post("/api/v1/mentor-teams", headers=headers, json={"name": f"ทีม {area}", "area_code": area})
        assert r.status_code == 201, r.get_json()
        ids[area] = r.get_json()["id"]
        assert (
            client.post(
                f"/api/v1/mentor-teams/{ids[area]}/mentors", headers=headers, json={"name": mentor, "kind": "official"}
            ).status_code
            == 201
        )
    return ids


def test_mentor_teams_of_an_ancestor_area_list_only_the_users_rows(world, client, mentor_teams):
    headers = bearer(world, "district")
    body = decoded(client.get("/api/v1/areas/TH/mentor-teams", headers=headers))
    assert "เจ็ดห้าศูนย์หนึ่ง" in body and "พี่เลี้ยงลับ" not in body
    export = client.get("/export/mentors.csv?area=TH", headers=headers).get_data(as_text=True)
    assert "เจ็ดห้าศูนย์หนึ่ง" in export and "พี่เลี้ยงลับ" not in export
    browser, csrf = session_client(world, "district")
    page = decoded(page_callback(browser, "/logbook/mentors", "?area=TH", csrf))
    assert "เจ็ดห้าศูนย์หนึ่ง" in page and "พี่เลี้ยงลับ" not in page


@pytest.mark.parametrize("area", ["TH", "75", "5801", "abc"])
def test_mentor_teams_belong_to_an_amphoe_or_tambon_inside_the_users_area(world, client, area):
    r = client.post("/api/v1/mentor-teams", headers=bearer(world, "district"), json={"name": "x", "area_code": area})
    assert r.status_code in (400, 403) and "error" in r.get_json()


def test_a_household_shortlist_tells_an_outsider_nothing(world, client):
    province = bearer(world, "province")
    r = client.post(
        "/api/v1/shortlists",
        headers=province,
        json={
            "name": "ครัวเรือนลับของจังหวัด",
            "kind": "households",
            "year": YEAR,
            "refs": [world["houses"]["7501"], world["houses"]["7502"]],
        },
    )
    token = r.get_json()["token"]
    before = _denials(world["engine"])
    bangkok = bearer(world, "bangkok")
    outsider = client.get(f"/api/v1/shortlists/{token}", headers=bangkok)
    # not even that it exists: the answer of a token that was never made (issue 30), the refusal in the trail
    assert _same(outsider, token, client.get(f"/api/v1/shortlists/{GONE}", headers=bangkok)) and outsider.status_code == 404
    assert "ครัวเรือนลับ" not in decoded(outsider) and world["names"]["province"] not in decoded(outsider)
    assert _denials(world["engine"]) == before + 1


GONE = "NOT-THERE-1"  # an id no record has


def _same(outside, record: str, missing, stand_in: str = GONE) -> bool:
    """The answer about a record outside the area is the answer about one that does not exist (`stand_in`), its id
    aside."""
    said = missing.get_data(as_text=True).replace(stand_in, record)
    return outside.status_code == missing.status_code and outside.get_data(as_text=True) == said


def test_outside_ones_area_a_record_and_a_missing_one_get_the_same_answer(world, client, mentor_teams):
    """Issue 30: a district official asks for Mae Hong Son's household, the other amphoe's mentor team: each
    answered as a record that does not exist, in the API's every way of asking, and each refusal audited."""
    district, house, team = bearer(world, "district"), world["houses"]["58"], str(mentor_teams["7502"])
    visit = {"visited_on": "2021-05-03", "outcome": "verified"}
    asked = [  # (method, address of the record {}, the record outside, body)
        ("GET", "/api/v1/households/{}?year=%s", house, None),
        ("POST", "/api/v1/households/{}/members/1/citizen-id?year=%s", house, None),
        ("GET", "/api/v1/households/{}/logbook?year=%s", house, None),
        ("GET", "/api/v1/households/{}/visits?year=%s", house, None),
        ("POST", "/api/v1/households/{}/visits?year=%s", house, visit),
        ("PUT", "/api/v1/households/{}/status?year=%s", house, {"status": "survival", "reason": "x"}),
        ("POST", "/api/v1/mentor-teams/{}/mentors", team, {"name": "x", "kind": "official"}),
        ("POST", "/api/v1/mentor-teams/{}/households", team, {"house_id": world["houses"]["7502"], "year": YEAR}),
    ]
    for method, address, record, body in asked:
        address = address.replace("%s", str(YEAR))
        before = _denials(world["engine"])
        outside = client.open(address.format(record), method=method, headers=district, json=body)
        assert _denials(world["engine"]) == before + 1, (method, address)
        stand_in = GONE if record == house else "999999"  # a team's id is a number
        missing = client.open(address.format(stand_in), method=method, headers=district, json=body)
        assert outside.status_code == 404 and _same(outside, record, missing, stand_in), (method, address, outside.get_json())
    # saving a shortlist of it: the answer to a house id that does not exist (it was 403 against 400)
    shortlist = {"name": "x", "kind": "households", "year": YEAR}
    outside = client.post("/api/v1/shortlists", headers=district, json=shortlist | {"refs": [house]})
    missing = client.post("/api/v1/shortlists", headers=district, json=shortlist | {"refs": [GONE]})
    assert outside.status_code == 400 and _same(outside, house, missing), outside.get_json()


def test_public_logbook_progress_hides_free_text_and_small_cells(world, client):
    house = world["houses"]["7502"]
    headers = bearer(world, "team")
    agency = "ร้านป้าแดง บ้านเลขที่ 5 หมู่ 3"
    r = client.post(
        f"/api/v1/households/{house}/assistance?year={YEAR}",
        headers=headers,
        json={"given_on": "2021-06-01", "dimension": "income", "kind": "cash_transfer", "agency": agency, "amount_baht": 500},
    )
    assert r.status_code == 201, r.get_json()
    with world["engine"].connect() as conn:
        tambon = conn.execute(
            text("SELECT tambon_code FROM household WHERE year = :y AND house_id = :h"), {"y": YEAR, "h": house}
        ).scalar()
    public = client.get(f"/api/v1/areas/{tambon}/progress?year={YEAR}")
    body = public.get_json()
    assert public.status_code == 200 and agency not in decoded(public) and "baht_by_agency" not in body
    assert body["households_helped"] is None and body["suppressed_below"] == 3  # one household: not published
    assert body["baht_by_kind"] == {"cash_transfer": 500.0}
    own = client.get(f"/api/v1/areas/{tambon}/progress?year={YEAR}", headers=headers).get_json()
    assert own["households_helped"] == 1 and own["baht_by_agency"] == {agency: 500.0}


REFUSED = [  # (account, method, path): each answered 403 by a different module
    ("district", "GET", "/api/v1/reports/quarterly/58/2564-Q3"),
    ("district", "POST", "/api/v1/committees"),
    ("district", "GET", "/api/v1/areas/58/mentor-teams"),
    ("district", "GET", "/api/v1/areas/58/households"),
    ("district", "GET", "/api/v1/areas/58/member-requests"),
    ("district", "GET", "/admin/users"),
    ("district", "GET", "/admin/audit"),
    ("team", "GET", "/export/households.csv?code=58&year=2563"),
]


@pytest.mark.parametrize("who,method,path", REFUSED)
def test_every_refusal_is_audited(world, client, who, method, path):
    before = _denials(world["engine"])
    body = {"kind": "province", "area_code": "58", "name": "x"} if method == "POST" else None
    r = client.open(path, method=method, headers=bearer(world, who), json=body)
    assert r.status_code == 403, (r.status_code, r.get_data(as_text=True)[:300])
    assert _denials(world["engine"]) == before + 1


# Issue 30, 5: a suppressed Logbook cell (1 or 2, kept from viewers whose area does not cover it) is a value of its
# own through every sum, sort and colour scale, on the map page, its table, the progress section, the story and the
# export: never summed as 0, never a blank, never drawn as 0.


def _table_row(layout, code: str) -> list:
    """A plain table's row, as its cells go to the browser: [shown, sort key or None, css]."""
    spec = json.loads(component(layout, "area-table-box")["children"][1]["props"]["data-table"])
    return next(row for row in spec["rows"] if row[1][0] == code)


@pytest.fixture(scope="module")
def small_cells(world):
    """In one tambon of team's area: a visit (1 household: suppressed), one open health need (suppressed) and four
    open income needs (published): its open needs total between 5 and 6 for the public, 5 for the team."""
    house = next(h for h in world["survey"].households if h["tambon_code"].startswith("750202"))
    client, headers = world["app"].server.test_client(), bearer(world, "team")
    base = f"/api/v1/households/{house['house_id']}"
    visit = {"visited_on": "2021-05-01", "outcome": "verified"}
    assert client.post(f"{base}/visits?year={YEAR}", headers=headers, json=visit).status_code == 201
    status = {"status": "survival", "reason": "ยังต้องช่วยเหลือ"}
    assert client.put(f"{base}/status?year={YEAR}", headers=headers, json=status).status_code == 200
    for dimension, n in (("health", 1), ("income", 4)):
        for i in range(n):
            need = {"dimension": dimension, "description": f"ความต้องการ {i}"}
            assert client.post(f"{base}/needs?year={YEAR}", headers=headers, json=need).status_code == 201
    public = client.get(f"/api/v1/areas/{house['tambon_code']}/progress?year={YEAR}").get_json()
    assert public["open_needs"]["health"] is None and public["open_needs"]["income"] == 4  # the rule these tests read
    assert public["households_visited"] is None
    return house["tambon_code"]


def test_a_suppressed_cell_stays_hidden_through_the_maps_sum_sort_and_colours(world, small_cells, caplog):
    tambon = small_cells
    anon = world["app"].server.test_client()
    for path, code, lang, words in (
        ("/area/75", "7502", "th", "5 ถึง 6"),
        ("/area/7502", tambon, "en", "5 to 6"),
    ):
        r = page_callback(anon, path, f"?year={YEAR}&metric=lb:open_needs&lang={lang}", None)
        assert r.status_code == 200 and refusal(r) is None, decoded(r)[:300]
        layout = r.get_json()
        shown, sort, _ = _table_row(layout, code)[-1]
        assert shown == {"p": [words]} and sort == ""  # its bounds, and a blank key: table-sort.js puts it last
        figure = component(layout, "area-canvas-fig")["data"]
        traces = {tr.get("name"): tr for tr in figure["data"]}
        coloured = next(tr for tr in figure["data"] if tr["type"] == "choropleth" and tr.get("showscale", True))
        assert code not in coloured["locations"] and code not in traces.get("no data", {}).get(
            "locations", []
        )  # neither 0 nor grey
        assert traces["hidden"]["locations"] == [code] and words in traces["hidden"]["customdata"][0][1]
        assert t("lb.suppressed", lang, n=3) in decoded(r)
    # the team covers the tambon: its exact count, coloured on the scale
    team, csrf = session_client(world, "team")
    r = page_callback(team, "/area/7502", f"?year={YEAR}&metric=lb:open_needs", csrf)
    shown, sort, _ = _table_row(r.get_json(), tambon)[-1]
    assert (shown, sort) == ("5", None)
    assert not [rec for rec in caplog.records if rec.levelno >= logging.ERROR]


def test_a_suppressed_cell_is_said_as_such_in_progress_story_and_export(world, small_cells):
    tambon = small_cells
    anon = world["app"].server.test_client()
    under = t("help.small", "th", n=3)
    progress = component(page_callback(anon, f"/area/{tambon}", f"?year={YEAR}", None).get_json(), "area-progress")
    text = json.dumps(progress, ensure_ascii=False)
    assert f'"{under}"' in text  # the visited card
    assert f"{t('dim.health', 'th')} {under}" in text and f"{t('dim.income', 'th')} 4" in text
    story = decoded(page_callback(anon, f"/area/{tambon}/story", f"?year={YEAR}&lang=en", None))
    assert "teams have visited " in story and "under 3" in story and "5 to 6" in story
    assert t("story.open_most", "en", dim=t("dim.income", "en")) in story  # 4 known outnumber a hidden 1 or 2
    rows = list(
        csv.DictReader(io.StringIO(anon.get(f"/export/progress.csv?code=7502&year={YEAR}").get_data().decode("utf-8-sig")))
    )
    row = next(r for r in rows if r[t("table.code", "th")] == tambon)
    open_col = f"{t('rep.col_open', 'th')}: {t('dim.health', 'th')}"
    assert row[t("rep.households_visited", "th")] == under and row[open_col] == under
    # the pivot of households by Logbook status: the one household on the ladder, on the page and in its export
    query = f"?year={YEAR}&area=7502&rows=area&cols=status"
    pivot = component(page_callback(anon, "/pivot", query, None).get_json(), "pivot-table")
    name = areas.get_area(tambon)["name_th"]
    assert next(r for r in pivot["data"] if r["label"] == name)["c0"] == under
    rows = list(csv.reader(io.StringIO(anon.get(f"/export/pivot.csv{query}").get_data().decode("utf-8-sig"))))
    assert [under, "0", "0"] in [r[1:] for r in rows]
