"""The Logbook through the pinned API, on both backends: every record type, scoping, audit, approval by the
right and the wrong district chief, the mentor-team cap, concurrent edits, bad GPS points and bad IDs."""

from __future__ import annotations

import datetime as dt
import json
import logging

import pytest
import shapely
from sqlalchemy import text

from components.i18n import t
from mpi.calendar import numeric_moment
from mpi.rules import citizen_id_check_digit
from tests.utils.world import bearer, component, decoded, page_callback, refusal, run_callback, session_client, world_for

YEAR = 2563


@pytest.fixture(scope="module")
def world(isolated_engine, tmp_path_factory):
    with world_for(isolated_engine, tmp_path_factory.mktemp("logbook"), YEAR, "lb") as w:
        yield w


@pytest.fixture
def client(world):
    return world["app"].server.test_client()


def url(world, area: str, what: str) -> str:
    return f"/api/v1/households/{world['houses'][area]}/{what}?year={YEAR}"


def count(world, table: str) -> int:
    with world["engine"].connect() as conn:
        return conn.execute(text(f"SELECT COUNT(*) FROM {table}")).scalar()


def audit_actions(world, username: str) -> list[str]:
    with world["engine"].connect() as conn:
        return list(
            conn.execute(text("SELECT action FROM audit_event WHERE username = :u ORDER BY id"), {"u": username}).scalars()
        )


def inside_point(boundaries, tambon: str) -> tuple[float, float]:
    geom = next(a.geom for a in boundaries.areas if a.code == tambon)
    p = shapely.point_on_surface(geom)
    return p.y, p.x


def new_citizen_id(serial: int) -> str:
    first12 = f"8{serial:011d}"  # not a survey ID (those start with 9 in the test factory)
    return first12 + str(citizen_id_check_digit(first12))


def test_visit_is_recorded_listed_and_audited(world, client, boundaries):
    headers = bearer(world, "team")
    house = world["houses"]["7502"]
    tambon = next(h["tambon_code"] for h in world["survey"].households if h["house_id"] == house)
    lat, lon = inside_point(boundaries, tambon)
    r = client.post(
        url(world, "7502", "visits"),
        headers=headers,
        json={"visited_on": "2021-05-01", "outcome": "verified", "note": "ครอบครัวอยู่ครบ", "latitude": lat, "longitude": lon},
    )
    assert r.status_code == 201, r.get_json()
    body = r.get_json()
    assert body["id"] > 0 and body["warnings"] == []
    items = client.get(url(world, "7502", "visits"), headers=headers).get_json()["items"]
    assert items[0]["id"] == body["id"] and items[0]["outcome"] == "verified" and items[0]["gps_inside_tambon"] is True
    assert "logbook_visit" in audit_actions(world, world["names"]["team"])


def test_a_gps_point_outside_the_tambon_is_saved_with_a_warning(world, client):
    r = client.post(
        url(world, "7502", "visits"),
        headers=bearer(world, "team"),
        json={"visited_on": "2021-05-02", "outcome": "verified", "latitude": 18.3, "longitude": 97.9},
    )
    assert r.status_code == 201 and "outside tambon" in r.get_json()["warnings"][0]


@pytest.mark.parametrize(
    "payload,reason",
    [
        ({"visited_on": "2021-05-01", "outcome": "maybe"}, "outcome must be one of"),
        ({"visited_on": "2564-05-01", "outcome": "verified"}, "in the future (a Buddhist-era year?"),
        ({"visited_on": "01/05/2021", "outcome": "verified"}, "must be a date"),
        ({"visited_on": "2021-05-01", "outcome": "verified", "latitude": 13.4}, "both latitude and longitude"),
        ({"visited_on": "2021-05-01", "outcome": "verified", "latitude": 130, "longitude": 100}, "not a point on Earth"),
        ({"visited_on": "2021-05-01", "outcome": "not_found"}, "note is required"),
        ({"visited_on": "2021-05-01", "outcome": "verified", "colour": "red"}, "unknown field"),
    ],
)
def test_bad_visits_are_refused_and_nothing_is_written(world, client, payload, reason):
    before = count(world, "visit")
    r = client.post(url(world, "7502", "visits"), headers=bearer(world, "team"), json=payload)
    assert r.status_code == 400 and reason in r.get_json()["error"]
    assert count(world, "visit") == before


def test_a_form_with_several_mistakes_is_told_all_of_them_at_once(world, client):
    """Issue 14: validation collects every problem before anything is written (it stopped at the first)."""
    before = count(world, "visit")
    payload = {"visited_on": "2564-05-01", "outcome": "maybe", "latitude": 130, "longitude": 100}
    r = client.post(url(world, "7502", "visits"), headers=bearer(world, "team"), json=payload)
    error = r.get_json()["error"]
    assert r.status_code == 400, error
    for reason in ("in the future", "outcome must be one of", "not a point on Earth", "note is required"):
        assert reason in error, (reason, error)
    assert count(world, "visit") == before

    from components.i18n import said
    from data_access import logbook

    with pytest.raises(logbook.LogbookProblems) as e:
        logbook.add_assistance(
            None, "x", YEAR, given_on="2021-02-30", dimension="wealth", kind="cash", agency=" ", amount_baht="lots"
        )
    thai = said(e.value, "th")
    assert len(e.value.problems) == 4 and e.value.status == 400
    assert thai.count(";") == 3 and "หน่วยงาน" in thai, thai  # each problem in the reader's language


def test_needs_are_created_updated_and_listed(world, client):
    headers = bearer(world, "team")
    r = client.post(
        url(world, "7502", "needs"),
        headers=headers,
        json={"dimension": "income", "description": "ต้องการอาชีพเสริม", "status": "open"},
    )
    assert r.status_code == 201
    nid = r.get_json()["id"]
    house = world["houses"]["7502"]
    r = client.patch(f"/api/v1/households/{house}/needs/{nid}?year={YEAR}", headers=headers, json={"status": "in_progress"})
    assert r.status_code == 200
    items = client.get(url(world, "7502", "needs"), headers=headers).get_json()["items"]
    assert next(i for i in items if i["id"] == nid)["status"] == "in_progress"
    bad = client.post(url(world, "7502", "needs"), headers=headers, json={"dimension": "wealth", "description": "x"})
    assert bad.status_code == 400 and "dimension must be one of" in bad.get_json()["error"]


def test_assistance_needs_an_amount_for_money_and_a_need_of_the_same_household(world, client):
    headers = bearer(world, "team")
    need = client.post(
        url(world, "7502", "needs"), headers=headers, json={"dimension": "living", "description": "หลังคารั่ว"}
    ).get_json()["id"]
    r = client.post(
        url(world, "7502", "assistance"),
        headers=headers,
        json={
            "given_on": "2021-06-01",
            "dimension": "living",
            "kind": "housing_repair",
            "agency": "พมจ.สมุทรสงคราม",
            "amount_baht": 15000,
            "need_id": need,
            "note": "ซ่อมหลังคา",
        },
    )
    assert r.status_code == 201
    assert client.get(url(world, "7502", "assistance"), headers=headers).get_json()["items"][0]["amount_baht"] == 15000
    no_amount = client.post(
        url(world, "7502", "assistance"),
        headers=headers,
        json={"given_on": "2021-06-01", "dimension": "living", "kind": "cash_transfer", "agency": "x"},
    )
    assert no_amount.status_code == 400 and "give amount_baht" in no_amount.get_json()["error"]
    unknown = client.post(
        url(world, "7502", "assistance"),
        headers=headers,
        json={"given_on": "2021-06-01", "dimension": "living", "kind": "lottery", "agency": "x"},
    )
    assert unknown.status_code == 400 and "kind must be one of" in unknown.get_json()["error"]
    other_need = client.post(
        url(world, "7502", "assistance"),
        headers=headers,
        json={"given_on": "2021-06-01", "dimension": "living", "kind": "referral", "agency": "x", "need_id": 999999},
    )
    assert other_need.status_code == 400 and "is not a need of household" in other_need.get_json()["error"]


def test_status_ladder_keeps_its_history_and_concurrent_edits_conflict(world, client):
    team, district = bearer(world, "team"), bearer(world, "province")
    house = world["houses"]["7502"]
    version = client.get(f"/api/v1/households/{house}/logbook?year={YEAR}", headers=team).get_json()["version"]
    first = client.put(
        f"/api/v1/households/{house}/status?year={YEAR}",
        headers=team,
        json={"status": "survival", "reason": "ได้รับถุงยังชีพ", "version": version},
    )
    assert first.status_code == 200
    history_before = count(world, "status_change")
    # A second officer who read the same version must not overwrite silently
    second = client.put(
        f"/api/v1/households/{house}/status?year={YEAR}",
        headers=district,
        json={"status": "sufficiency", "reason": "มีรายได้", "version": version},
    )
    assert second.status_code == 409 and "reload" in second.get_json()["error"]
    assert count(world, "status_change") == history_before  # nothing half-written
    fresh = client.get(f"/api/v1/households/{house}/logbook?year={YEAR}", headers=district).get_json()
    assert fresh["status"] == "survival" and fresh["version"] == version + 1
    again = client.put(
        f"/api/v1/households/{house}/status?year={YEAR}",
        headers=district,
        json={"status": "sufficiency", "reason": "มีรายได้", "version": fresh["version"]},
    )
    assert again.status_code == 200
    history = client.get(f"/api/v1/households/{house}/logbook?year={YEAR}", headers=team).get_json()["status_history"]
    assert [h["status"] for h in history[:2]] == ["sufficiency", "survival"] and history[0]["previous"] == "survival"
    assert (
        client.put(
            f"/api/v1/households/{house}/status?year={YEAR}", headers=team, json={"status": "rich", "reason": "x"}
        ).status_code
        == 400
    )
    assert (
        client.put(f"/api/v1/households/{house}/status?year={YEAR}", headers=team, json={"status": "survival"}).status_code == 400
    )  # a change needs a reason


def test_the_logbook_is_scoped_and_read_only_for_national(world, client):
    ok = client.post(
        url(world, "7501", "visits"), headers=bearer(world, "district"), json={"visited_on": "2021-05-03", "outcome": "verified"}
    )
    assert ok.status_code == 201
    for role, area in (("district", "58"), ("team", "7501"), ("district", "7502")):
        # outside one's area a household is answered as one that does not exist (issue 30)
        r = client.post(
            url(world, area, "visits"), headers=bearer(world, role), json={"visited_on": "2021-05-03", "outcome": "verified"}
        )
        assert r.status_code == 404, (role, area)
        assert client.get(url(world, area, "visits"), headers=bearer(world, role)).status_code == 404
    national = bearer(world, "national")
    assert client.get(url(world, "7501", "visits"), headers=national).status_code == 200
    assert (
        client.post(
            url(world, "7501", "visits"), headers=national, json={"visited_on": "2021-05-03", "outcome": "verified"}
        ).status_code
        == 403
    )
    assert client.post(url(world, "7501", "visits"), json={"visited_on": "2021-05-03", "outcome": "verified"}).status_code == 401


def test_inclusion_error_flags_without_deleting_and_figures_show_both(world, client):
    house = world["houses"]["7501"]
    with world["engine"].connect() as conn:
        n_welfare = conn.execute(
            text("SELECT n_welfare FROM household WHERE year = :y AND house_id = :h"), {"y": YEAR, "h": house}
        ).scalar()
    before = client.get(f"/api/v1/areas/7501/progress?year={YEAR}", headers=bearer(world, "district")).get_json()
    r = client.post(
        url(world, "7501", "visits"),
        headers=bearer(world, "district"),
        json={"visited_on": "2021-05-04", "outcome": "inclusion_error", "note": "มีรายได้ประจำ ไม่ใช่คนจน"},
    )
    assert r.status_code == 201
    after = client.get(f"/api/v1/areas/7501/progress?year={YEAR}", headers=bearer(world, "district")).get_json()
    assert after["households_flagged"] == before["households_flagged"] + 1
    assert after["target_poor_in_flagged_households"] == before["target_poor_in_flagged_households"] + n_welfare
    with world["engine"].connect() as conn:  # the survey record is untouched
        assert (
            conn.execute(
                text("SELECT COUNT(*) FROM household WHERE year = :y AND house_id = :h"), {"y": YEAR, "h": house}
            ).scalar()
            == 1
        )
    survey = client.get(f"/api/v1/areas/7501?year={YEAR}").get_json()
    assert survey["target_poor_persons"] >= after["target_poor_in_flagged_households"]


def test_missed_person_needs_the_right_district_chief(world, client):
    team = bearer(world, "team")
    house = world["houses"]["7502"]
    person = {
        "citizen_id": new_citizen_id(1),
        "first_name": "สมใจ",
        "last_name": "ตกสำรวจ",
        "sex": "F",
        "birth_date": "1960-03-01",
        "welfare_card": 1,
        "disabled": 0,
    }
    r = client.post(f"/api/v1/member-requests?year={YEAR}", headers=team, json={"house_id": house, "year": YEAR, **person})
    assert r.status_code == 201 and r.get_json()["status"] == "pending", r.get_json()
    rid = r.get_json()["id"]
    wrong = client.post(
        f"/api/v1/member-requests/{rid}/approve", headers=bearer(world, "district"), json={"reason": "ตรวจทะเบียนราษฎร์แล้ว"}
    )
    # another amphoe's chief: a request outside one's area is answered as one that does not exist (issue 30)
    assert wrong.status_code == 404 and wrong.get_json()["error"] == f"no member request {rid}", wrong.get_data(as_text=True)
    assert (
        client.post(f"/api/v1/member-requests/{rid}/approve", headers=bearer(world, "province"), json={"reason": "x"}).status_code
        == 403
    )
    chief = bearer(world, "district7502")
    assert client.post(f"/api/v1/member-requests/{rid}/approve", headers=chief, json={}).status_code == 400  # needs a reason
    before = client.get(f"/api/v1/areas/7502/progress?year={YEAR}", headers=bearer(world, "province")).get_json()["persons_added"]
    ok = client.post(f"/api/v1/member-requests/{rid}/approve", headers=chief, json={"reason": "ตรวจทะเบียนราษฎร์แล้ว"})
    assert ok.status_code == 200 and ok.get_json()["status"] == "approved"
    assert (
        client.get(f"/api/v1/areas/7502/progress?year={YEAR}", headers=bearer(world, "province")).get_json()["persons_added"]
        == before + 1
    )
    assert client.post(f"/api/v1/member-requests/{rid}/reject", headers=chief, json={"reason": "x"}).status_code == 409
    listed = client.get("/api/v1/areas/7502/member-requests?status=approved", headers=chief).get_json()["items"]
    assert any(i["id"] == rid and i["citizen_id"].endswith("xxxxx-xx-x") for i in listed)
    assert "member_request_approved" in audit_actions(world, world["names"]["district7502"])
    # a whole new household, then a rejection with its reason
    new = client.post(
        f"/api/v1/member-requests?year={YEAR}",
        headers=team,
        json={"tambon_code": "750201", "village_no": 4, **person, "citizen_id": new_citizen_id(2)},
    )
    assert new.status_code == 201
    rej = client.post(
        f"/api/v1/member-requests/{new.get_json()['id']}/reject", headers=chief, json={"reason": "ไม่พบในทะเบียนราษฎร์"}
    )
    assert rej.status_code == 200 and rej.get_json()["status"] == "rejected"


@pytest.mark.parametrize(
    "change,reason",
    [
        ({"citizen_id": "1234567890123"}, "check digit"),
        ({"citizen_id": "12345"}, "13 digits"),
        ({"birth_date": "2530-01-01"}, "in the future"),
        ({"sex": "X"}, "sex must be one of"),
    ],
)
def test_bad_missed_person_is_refused(world, client, change, reason):
    person = {
        "citizen_id": new_citizen_id(50),
        "first_name": "ก",
        "last_name": "ข",
        "sex": "M",
        "birth_date": "1970-01-01",
        "welfare_card": 0,
        "disabled": 0,
    } | change
    before = count(world, "member_request")
    r = client.post(
        f"/api/v1/member-requests?year={YEAR}",
        headers=bearer(world, "team"),
        json={"house_id": world["houses"]["7502"], "year": YEAR, **person},
    )
    assert r.status_code == 400 and reason in r.get_json()["error"]
    assert count(world, "member_request") == before


def test_a_missed_person_already_in_the_data_is_caught(world, client):
    surveyed = world["survey"].persons[0]
    r = client.post(
        f"/api/v1/member-requests?year={YEAR}",
        headers=bearer(world, "team"),
        json={
            "house_id": world["houses"]["7502"],
            "year": YEAR,
            **{
                k: surveyed[k] for k in ("citizen_id", "first_name", "last_name", "sex", "birth_date", "welfare_card", "disabled")
            },
        },
    )
    assert r.status_code == 400 and f"already in the {YEAR} survey" in r.get_json()["error"]
    assert surveyed["citizen_id"] not in r.get_data(as_text=True)  # the reason masks the ID


def test_mentor_team_cap_and_workload(world, client):
    engine = world["engine"]
    district = bearer(world, "district")
    tid = client.post("/api/v1/mentor-teams", headers=district, json={"name": "ทีมพี่เลี้ยง 1", "area_code": "7501"}).get_json()["id"]
    assert (
        client.post(
            f"/api/v1/mentor-teams/{tid}/mentors",
            headers=district,
            json={"name": "ครูสมศรี", "kind": "official", "dimension": "education"},
        ).status_code
        == 201
    )
    from data_access.access import CurrentUser
    from data_access.households import list_target_poor_households

    houses = [
        h["house_id"]
        for h in list_target_poor_households(
            "7501", YEAR, user=CurrentUser(0, "t", "t", "national", ("TH",)), engine=engine, page_size=6
        )["items"]
    ]
    for h in houses[:5]:
        assert (
            client.post(
                f"/api/v1/mentor-teams/{tid}/households", headers=district, json={"house_id": h, "year": YEAR}
            ).status_code
            == 201
        )
    sixth = client.post(f"/api/v1/mentor-teams/{tid}/households", headers=district, json={"house_id": houses[5], "year": YEAR})
    assert sixth.status_code == 400 and "its cap" in sixth.get_json()["error"]
    assert (
        client.post(
            "/api/v1/mentor-teams", headers=district, json={"name": "ใหญ่", "area_code": "7501", "capacity": 8}
        ).status_code
        == 403
    )
    assert (
        client.post(
            "/api/v1/mentor-teams", headers=bearer(world, "province"), json={"name": "ใหญ่", "area_code": "7501", "capacity": 8}
        ).status_code
        == 201
    )
    teams = client.get("/api/v1/areas/7501/mentor-teams", headers=district).get_json()["items"]
    mine = next(t for t in teams if t["id"] == tid)
    assert mine["households"] == 5 and mine["full"] and mine["mentors"][0]["kind"] == "official"
    assert client.get("/api/v1/areas/58/mentor-teams", headers=district).status_code == 403


def test_reimporting_the_year_keeps_the_logbook(world, client, tmp_path):
    from data_access.survey_import import SurveyImport, SurveyImportError

    headers = bearer(world, "team")
    assert (
        client.post(
            url(world, "7502", "visits"), headers=headers, json={"visited_on": "2021-07-01", "outcome": "verified"}
        ).status_code
        == 201
    )
    visits_before = client.get(url(world, "7502", "visits"), headers=headers).get_json()["items"]
    SurveyImport(YEAR, world["survey"].write(tmp_path / "same"), world["engine"]).run()
    assert client.get(url(world, "7502", "visits"), headers=headers).get_json()["items"] == visits_before
    # a file that drops a household with Logbook records is refused, row-level, and changes nothing
    import copy

    smaller = copy.deepcopy(world["survey"])
    gone = world["houses"]["7502"]
    smaller.households = [h for h in smaller.households if h["house_id"] != gone]
    smaller.persons = [p for p in smaller.persons if p["house_id"] != gone]
    smaller.failures = [f for f in smaller.failures if f["house_id"] != gone]
    with pytest.raises(SurveyImportError) as err:
        SurveyImport(YEAR, smaller.write(tmp_path / "smaller"), world["engine"]).run()
    assert any(f"household {gone!r} has Logbook records" in str(p) for p in err.value.problems)
    assert client.get(url(world, "7502", "visits"), headers=headers).get_json()["items"] == visits_before


def test_mentor_workload_page_is_scoped(world, client):
    district = bearer(world, "district")
    client.post("/api/v1/mentor-teams", headers=district, json={"name": "ทีมพี่เลี้ยงหน้าเว็บ", "area_code": "7501"})
    browser_like, csrf = session_client(world, "district")
    ok = page_callback(browser_like, "/logbook/mentors", "?area=7501", csrf)
    assert ok.status_code == 200 and "ทีมพี่เลี้ยงหน้าเว็บ" in decoded(ok)
    assert refusal(page_callback(browser_like, "/logbook/mentors", "?area=58", csrf)) == t("error.403", "th")


def test_requests_and_mentor_exports_are_scoped_masked_and_audited(world, client):
    import csv
    import io
    import re

    chief = bearer(world, "district7502")  # the requests of the earlier tests are in 7502
    r = client.get(f"/export/requests.csv?area=75&year={YEAR}", headers=chief)
    assert r.status_code == 200
    rows = list(csv.DictReader(io.StringIO(r.data.decode("utf-8-sig"))))
    assert rows and all(row["รหัสตำบล"].startswith("7502") for row in rows)
    district = bearer(world, "district")  # 7501: the same export holds none of 7502's requests
    other = client.get(f"/export/requests.csv?area=75&year={YEAR}", headers=district).data.decode("utf-8-sig")
    assert other.count("\n") == 1
    assert all(re.fullmatch(r"\d-\d{4}-xxxxx-xx-x", row["เลขประจำตัวประชาชน"]) for row in rows)
    assert client.get("/export/requests.xlsx?area=58", headers=district).status_code == 403
    assert client.get("/export/requests.csv?area=75").status_code == 401
    r = client.get("/export/mentors.xlsx?area=7501", headers=district)
    from openpyxl import load_workbook

    sheet = list(load_workbook(io.BytesIO(r.data)).active.iter_rows(min_row=2, values_only=True))
    assert sheet and all(row[1].startswith("7501") for row in sheet)  # area_code column
    assert client.get("/export/mentors.csv?area=7502", headers=district).status_code == 403
    with world["engine"].connect() as conn:
        n = conn.execute(
            text("SELECT COUNT(*) FROM audit_event WHERE action = 'export' AND object_type = 'member_request'")
        ).scalar()
    assert n >= 1


# Issue 30, 1: a refused save on the household page says why, in the reader's language, through the page's own
# callbacks (a system error and a traceback before: the page called a method domain errors do not have), and after
# someone else's write it offers the household's current state, with which the retry succeeds.


def _page_state(browser, csrf, house: str, lang: str = "th") -> dict:
    page = page_callback(browser, f"/household/{house}", f"?year={YEAR}&lang={lang}", csrf).get_json()
    return component(page, "lb-state")["data"]


def _visit(state: dict, day=("1", "5", "2564"), **fields) -> dict:
    d, m, y = day
    return {
        "lb-visit-save.n_clicks": 1,
        "lb-visit-date-d.value": d,
        "lb-visit-date-m.value": m,
        "lb-visit-date-y.value": y,
        "lb-visit-outcome.value": "verified",
        "lb-state.data": state,
    } | {f"lb-visit-{k}.value": v for k, v in fields.items()}


def _said(r, form: str) -> str:
    """What a save answered beside its form's button (never the page's "something went wrong" line)."""
    assert r.status_code == 200 and refusal(r) is None, decoded(r)[:400]
    return json.dumps(r.get_json()["response"][f"lb-{form}-msg"]["children"], ensure_ascii=False)


@pytest.fixture
def errors_logged(caplog):
    caplog.set_level(logging.ERROR)
    yield caplog
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR], [r.getMessage() for r in caplog.records]


def test_a_save_after_someone_elses_write_says_who_and_when_and_reloads(world, errors_logged):
    house = next(h["house_id"] for h in world["survey"].households if h["tambon_code"] == "750201")
    browser, csrf = session_client(world, "team")
    for lang in ("th", "en"):
        state = _page_state(browser, csrf, house, lang)
        other = world["app"].server.test_client()
        written = dt.datetime.now(dt.UTC)
        visit = {"visited_on": "2021-05-04", "outcome": "verified", "version": state["version"]}
        r = other.post(f"/api/v1/households/{house}/visits?year={YEAR}", headers=bearer(world, "district7502"), json=visit)
        assert r.status_code == 201
        refused = run_callback(browser, csrf, "lb-visit-save.n_clicks", _visit(state, note="ตามนัด"))
        said = _said(refused, "visit")
        # day/month/BE year and hour:minute on a clock in Thailand, of the write (a minute may turn meanwhile)
        when = {numeric_moment(moment) for moment in (written, dt.datetime.now(dt.UTC))}
        assert world["names"]["district7502"] in said and any(w in said for w in when), said
        button = component(refused.get_json(), {"type": "lb-reload", "form": "visit"})
        assert button["children"] == t("lb.reload", lang)
        assert "lb-state" not in refused.get_json()["response"]  # nothing saved: the page keeps what it had
        reloaded = run_callback(browser, csrf, {"type": "lb-reload", "form": "visit"}, {"lb-state.data": state})
        body = reloaded.get_json()["response"]
        fresh = other.get(f"/api/v1/households/{house}/logbook?year={YEAR}", headers=bearer(world, "team")).get_json()
        assert body["lb-state"]["data"]["version"] == fresh["version"] == state["version"] + 1
        assert t("lb.reloaded", lang) in _said(reloaded, "visit")
        again = run_callback(browser, csrf, "lb-visit-save.n_clicks", _visit(body["lb-state"]["data"], note="ตามนัด"))
        assert t("lb.saved", lang) in _said(again, "visit")


def test_every_refusal_on_the_household_page_is_said_in_the_readers_words(world, errors_logged):
    house = next(h["house_id"] for h in world["survey"].households if h["tambon_code"] == "750202")
    team, csrf = session_client(world, "team")
    state = _page_state(team, csrf, house)
    # a point outside the tambon is a warning, not a refusal: the visit is saved and the team told to check it
    r = run_callback(team, csrf, "lb-visit-save.n_clicks", _visit(state, lat=18.3, lon=97.9))
    said = _said(r, "visit")
    assert t("lb.gps_outside", "th", tambon="750202") in said and t("lb.saved", "th") in said
    state = r.get_json()["response"]["lb-state"]["data"]
    day = t("err.date_none", "th", field=t("field.visited_on", "th"), day="31/2/2564")
    assert day in _said(run_callback(team, csrf, "lb-visit-save.n_clicks", _visit(state, day=("31", "2", "2564"))), "visit")
    help_ = {
        "lb-assist-save.n_clicks": 1,
        "lb-assist-date-d.value": "2",
        "lb-assist-date-m.value": "5",
        "lb-assist-date-y.value": "2564",
        "lb-assist-dimension.value": "income",
        "lb-assist-kind.value": "lottery_ticket",
        "lb-assist-agency.value": "อบต.",
        "lb-state.data": state,
    }
    kind = t("err.choice", "th", field=t("field.kind", "th"))
    assert kind in _said(run_callback(team, csrf, "lb-assist-save.n_clicks", help_), "assist")
    need = t("err.choice", "th", field=t("field.need", "th"))
    for chosen in (None, "1 OR 1=1"):  # no need to choose, or a forged one
        updated = {"lb-needupd-save.n_clicks": 1, "lb-needupd-need.value": chosen, "lb-state.data": state}
        assert need in _said(run_callback(team, csrf, "lb-needupd-save.n_clicks", updated), "needupd")
    # outside the user's area: said as for a household that does not exist (issue 30); a role that reads but does
    # not write: refused, and said so; in English too
    district, district_csrf = session_client(world, "district")
    national, national_csrf = session_client(world, "national")
    for lang in ("th", "en"):
        outside = _said(run_callback(district, district_csrf, "lb-visit-save.n_clicks", _visit(state | {"lang": lang})), "visit")
        gone = state | {"lang": lang, "house_id": "H-NOT-THERE"}
        missing = _said(run_callback(district, district_csrf, "lb-visit-save.n_clicks", _visit(gone)), "visit")
        assert outside == missing.replace("H-NOT-THERE", house) and t("error.403", lang) not in outside, (outside, missing)
        r = run_callback(national, national_csrf, "lb-visit-save.n_clicks", _visit(state | {"lang": lang}))
        assert t("error.403", lang) in _said(r, "visit")
    # a session that ended: sign in again, and nothing was sent
    r = run_callback(world["app"].server.test_client(), None, "lb-visit-save.n_clicks", _visit(state))
    said = _said(r, "visit")
    assert t("error.401", "th") in said and f"/login?next=/household/{house}" in said
