"""Issue 11, scoping that leaked and refusals audited everywhere: rows are scoped (not only the requested
area), public Logbook aggregates use controlled vocabularies with a minimum cell, every 403 leaves an audit row."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from tests.utils.world import bearer, decoded, page_callback, session_client

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
    outsider = client.get(f"/api/v1/shortlists/{token}", headers=bearer(world, "bangkok"))
    assert outsider.status_code == 403
    assert "ครัวเรือนลับ" not in decoded(outsider) and world["names"]["province"] not in decoded(outsider)
    assert _denials(world["engine"]) == before + 1


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
