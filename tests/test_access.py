"""Access control on both backends: every role through the API, pages and hand-made callback requests;
sign-in failures, lockout, CSRF, masking, rate limits, tokens and the audit trail."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import text

from components.i18n import t
from data_access import accounts, ratelimit
from data_access.access import Forbidden
from data_access.households import list_target_poor_households
from tests.utils.world import NATIONAL, PASSWORD, bearer, decoded, page_callback, refusal, session_client, world_for

YEAR = 2562
ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def world(isolated_engine, tmp_path_factory):
    with world_for(isolated_engine, tmp_path_factory.mktemp("access"), YEAR, "acc") as w:
        yield w


# role → which of the test households it may open (7501 and 7502 are amphoes of 75; 58 is Mae Hong Son); outside
# one's area a household is answered as one that does not exist (404, issue 30)
EXPECTED_HOUSES = {
    "national": {"7501": 200, "7502": 200, "7503": 200, "58": 200},
    "province": {"7501": 200, "7502": 200, "7503": 200, "58": 404},
    "district": {"7501": 200, "7502": 404, "7503": 404, "58": 404},
    "team": {"7501": 404, "7502": 200, "7503": 404, "58": 404},
    "bangkok": {"7501": 404, "7502": 404, "7503": 404, "58": 404},
    "admin": {"7501": 404, "7502": 404, "7503": 404, "58": 404},
}
MISSING = "H-NOT-THERE"  # a house id no survey has


def same_answer(outside, house: str, missing) -> bool:
    """A response about a household outside the area is the response about one that does not exist (its id aside,
    and the id Dash's page gives each of its sends)."""

    def text(r) -> str:
        return re.sub(r'"end_id":"[^"]*"', "", r.get_data(as_text=True))

    return outside.status_code == missing.status_code and text(outside) == text(missing).replace(MISSING, house)


EXPECTED_LISTS = {  # role → {area: status}
    "national": {"TH": 200, "75": 200, "58": 200},
    "province": {"75": 200, "7501": 200, "58": 403, "5801": 403},
    "district": {"75": 200, "7501": 200, "750101": 200, "7502": 403, "750201": 403, "58": 403},
    "team": {"7502": 200, "750201": 200, "750202": 200, "750301": 403, "750101": 403, "58": 403},  # a tambon just outside
    "bangkok": {"10": 200, "75": 403, "58": 403},
    "admin": {"TH": 403, "75": 403},
}


@pytest.mark.parametrize("role", sorted(EXPECTED_HOUSES))
def test_api_household_by_role(world, role):
    client = world["app"].server.test_client()
    headers = bearer(world, role)
    missing = client.get(f"/api/v1/households/{MISSING}?year={YEAR}", headers=headers)
    for area, status in EXPECTED_HOUSES[role].items():
        house = world["houses"][area]
        r = client.get(f"/api/v1/households/{house}?year={YEAR}", headers=headers)
        assert r.status_code == status, (role, area, r.get_json())
        body = r.get_json()
        if status == 200:
            assert body["house_id"] == house and body["members"]
            assert all(re.fullmatch(r"\d-\d{4}-xxxxx-xx-x", m["citizen_id"]) for m in body["members"])
        else:
            assert same_answer(r, house, missing), (role, area, body, missing.get_json())
            assert "members" not in body


@pytest.mark.parametrize("role", sorted(EXPECTED_LISTS))
def test_api_household_lists_by_role(world, role):
    client = world["app"].server.test_client()
    headers = bearer(world, role)
    user = accounts.user_for_token(headers["Authorization"][7:], engine=world["engine"])
    for area, status in EXPECTED_LISTS[role].items():
        r = client.get(f"/api/v1/areas/{area}/households?year={YEAR}&page=1", headers=headers)
        assert r.status_code == status, (role, area, r.get_json())
        if status == 200:
            body = r.get_json()
            assert set(body) >= {"items", "total", "page"} and body["page"] == 1
            for item in body["items"]:
                assert {"house_id", "village_no", "members", "target_poor_members", "deprived_dimensions", "crisis"} <= set(item)
                assert user.covers(item["tambon_code"]), (role, item["tambon_code"])  # never another area's row


def test_a_district_sees_only_its_own_households_inside_a_wider_area(world):
    client = world["app"].server.test_client()
    body = client.get(f"/api/v1/areas/75/households?year={YEAR}", headers=bearer(world, "district")).get_json()
    everyone = list_target_poor_households("7501", YEAR, user=NATIONAL, engine=world["engine"])
    assert body["total"] == everyone["total"] > 0
    assert {i["tambon_code"][:4] for i in body["items"]} == {"7501"}


def test_signed_out_requests_for_named_data_are_refused(world):
    client = world["app"].server.test_client()
    house = world["houses"]["7501"]
    assert client.get(f"/api/v1/households/{house}?year={YEAR}").status_code == 401
    assert client.get(f"/api/v1/areas/75/households?year={YEAR}").status_code == 401
    r = client.get(f"/household/{house}?year={YEAR}", headers={"Accept": "text/html"})
    assert r.status_code == 302 and r.headers["Location"].startswith("/login?next=/household/")
    assert client.get(f"/api/v1/areas/75?year={YEAR}").status_code == 200  # aggregates stay public


def test_pages_answer_an_outside_household_as_a_missing_one(world):
    client, csrf = session_client(world, "district")
    html = {"Accept": "text/html"}
    assert client.get(f"/household/{world['houses']['7501']}?year={YEAR}", headers=html).status_code == 200
    house = world["houses"]["58"]
    outside = client.get(f"/household/{house}?year={YEAR}", headers=html)
    missing = client.get(f"/household/{MISSING}?year={YEAR}", headers=html)
    assert outside.status_code == 404 and same_answer(outside, house, missing)
    # what the page then shows: "no such household", in the user's language (Thai by default), for both
    for lang in ("th", "en"):
        shown = page_callback(client, f"/household/{house}", f"?year={YEAR}&lang={lang}", csrf)
        assert t("notfound.household", lang, code=house) in decoded(shown)
        assert same_answer(shown, house, page_callback(client, f"/household/{MISSING}", f"?year={YEAR}&lang={lang}", csrf))
    assert client.get(f"/area/58/households?year={YEAR}", headers=html).status_code == 403  # areas are public
    assert client.get(f"/area/7501/households?year={YEAR}", headers=html).status_code == 200


def test_hand_made_callbacks_are_scoped(world):
    client, csrf = session_client(world, "district")
    ok = page_callback(client, f"/household/{world['houses']['7501']}", f"?year={YEAR}", csrf)
    assert ok.status_code == 200 and world["houses"]["7501"] in ok.get_data(as_text=True)
    house = world["houses"]["58"]
    bad = page_callback(client, f"/household/{house}", f"?year={YEAR}", csrf)
    # outside the area: the page of a household that does not exist, and nothing else (no member, no figure)
    assert same_answer(bad, house, page_callback(client, f"/household/{MISSING}", f"?year={YEAR}", csrf))
    members = [p for p in world["survey"].persons if p["house_id"] == house]
    assert t("notfound.household", "th", code=house) in decoded(bad)
    assert members and not any(p["first_name"] in decoded(bad) for p in members)
    # an area's list is refused, said on the page (issue 14: a callback's refusal was a bare JSON 403 that the
    # renderer dropped, leaving a person a blank page)
    assert refusal(page_callback(client, "/area/58/households", f"?year={YEAR}", csrf)) == t("error.403", "th")
    anon = world["app"].server.test_client()
    assert refusal(page_callback(anon, f"/household/{world['houses']['7501']}", f"?year={YEAR}", None)) == t("error.401", "th")


def test_csrf_is_required_for_session_requests_but_not_bearer(world):
    client, csrf = session_client(world, "district")
    assert page_callback(client, "/area/75", "", None).status_code == 403  # no X-CSRFToken header
    assert page_callback(client, "/area/75", "", "forged").status_code == 403
    assert page_callback(client, "/area/75", "", csrf).status_code == 200
    assert client.post("/logout").status_code == 403  # the sign-out form without its token
    assert client.post("/logout", data={"csrf_token": csrf}).status_code == 302
    fresh = world["app"].server.test_client()
    assert fresh.post("/login", data={"username": world["names"]["district"], "password": PASSWORD}).status_code == 403
    headers = bearer(world, "district")  # bearer: no CSRF token needed
    r = fresh.post(f"/api/v1/households/{world['houses']['7501']}/members/1/citizen-id?year={YEAR}", headers=headers)
    assert r.status_code == 200


def test_masking_and_reveal_one_record_at_a_time(world):
    client = world["app"].server.test_client()
    house = world["houses"]["7501"]
    members = [p for p in world["survey"].persons if p["house_id"] == house]
    full_ids = {p["citizen_id"] for p in members}
    r = client.post(f"/api/v1/households/{house}/members/1/citizen-id?year={YEAR}", headers=bearer(world, "district"))
    assert r.status_code == 200 and r.get_json()["citizen_id"] in full_ids
    r = client.post(f"/api/v1/households/{house}/members/1/citizen-id?year={YEAR}", headers=bearer(world, "province"))
    assert r.status_code == 403  # a province agency user sees IDs masked only
    r = client.post(
        f"/api/v1/households/{world['houses']['58']}/members/1/citizen-id?year={YEAR}", headers=bearer(world, "district")
    )
    assert r.status_code == 404 and "citizen_id" not in r.get_json()  # outside the area: as if not there (issue 30)


def test_wrong_passwords_lock_the_account(world):
    engine = world["engine"]
    accounts.create_user(
        username=f"lock-{engine.dialect.name}",
        full_name="Lock Test",
        role="district",
        areas=["7502"],
        password=PASSWORD,
        engine=engine,
    )
    client = world["app"].server.test_client()
    name = f"lock-{engine.dialect.name}"
    for _ in range(accounts.MAX_FAILED_LOGINS):
        r = client.post("/api/v1/auth/login", json={"username": name, "password": "wrong password!"})
        assert r.status_code == 401 and r.get_json()["error"] == accounts.LOGIN_REFUSED
    # locked: the right password is refused, with the very answer an unknown name gets (no enumeration)
    r = client.post("/api/v1/auth/login", json={"username": name, "password": PASSWORD})
    assert r.status_code == 401 and r.get_json()["error"] == accounts.LOGIN_REFUSED
    with engine.connect() as conn:
        actions = list(
            conn.execute(text("SELECT action FROM audit_event WHERE username = :u ORDER BY id"), {"u": name}).scalars()
        )
    assert actions.count("login_failed") == accounts.MAX_FAILED_LOGINS and "login_locked" in actions
    unknown = client.post("/api/v1/auth/login", json={"username": "nobody-here", "password": "x"})
    assert unknown.status_code == 401 and unknown.get_json()["error"] == accounts.LOGIN_REFUSED


def test_lookups_are_rate_limited_with_a_clear_message(world, monkeypatch):
    monkeypatch.setitem(ratelimit.LIMITS, "lookup", (3, 60))
    client = world["app"].server.test_client()
    headers = bearer(world, "district")
    codes = [
        client.get(f"/api/v1/households/{world['houses']['7501']}?year={YEAR}", headers=headers).status_code for _ in range(4)
    ]
    assert codes == [200, 200, 200, 429]
    r = client.get(f"/api/v1/households/{world['houses']['7501']}?year={YEAR}", headers=headers)
    assert "too many" in r.get_json()["error"] and r.headers["Retry-After"]


def test_logbook_records_have_their_own_allowance_apart_from_look_ups(world, monkeypatch):
    """A team sending its day from a phone that was offline makes many records in a minute: they count against the
    write allowance, not the look-up limit that stops scraping (and the write allowance is a limit too)."""
    monkeypatch.setitem(ratelimit.LIMITS, "lookup", (3, 60))
    monkeypatch.setitem(ratelimit.LIMITS, "write", (5, 60))
    client = world["app"].server.test_client()
    headers = bearer(world, "team")
    house = world["houses"]["7502"]
    body = {"visited_on": "2020-01-15", "outcome": "verified", "note": "allowance"}
    codes = [
        client.post(f"/api/v1/households/{house}/visits?year={YEAR}", json=body, headers=headers).status_code for _ in range(6)
    ]
    assert codes == [201] * 5 + [429]


def test_tokens_expire_and_are_revoked(world):
    client = world["app"].server.test_client()
    headers = bearer(world, "district")
    url = f"/api/v1/households/{world['houses']['7501']}?year={YEAR}"
    assert client.get(url, headers=headers).status_code == 200
    assert client.post("/api/v1/auth/logout", headers=headers).status_code == 200
    assert client.get(url, headers=headers).status_code == 401
    headers = bearer(world, "district")
    with world["engine"].begin() as conn:
        conn.execute(
            text("UPDATE api_token SET expires_at = :t WHERE revoked_at IS NULL"),
            {"t": __import__("datetime").datetime(2020, 1, 1, tzinfo=__import__("datetime").UTC)},
        )
    assert client.get(url, headers=headers).status_code == 401


def test_password_change_ends_other_sessions(world):
    engine = world["engine"]
    name = f"pw-{engine.dialect.name}"
    accounts.create_user(
        username=name, full_name="Password Test", role="district", areas=["7503"], password=PASSWORD, engine=engine
    )
    world["names"]["pw"] = name
    other, _ = session_client(world, "pw")
    client, csrf = session_client(world, "pw")
    r = client.post(
        "/account/password", data={"old": PASSWORD, "new": "another-secret-77", "again": "another-secret-77", "csrf_token": csrf}
    )
    assert r.status_code == 200 and "alert-success" in r.get_data(as_text=True)
    house = world["houses"]["7503"]
    assert client.get(f"/api/v1/households/{house}?year={YEAR}").status_code == 200  # this session goes on
    assert other.get(f"/api/v1/households/{house}?year={YEAR}").status_code == 401  # the other one is signed out
    with pytest.raises(accounts.AccountError, match="at least 10"):
        accounts.change_password(
            accounts.load_user(accounts.authenticate(name, "another-secret-77", engine=engine).user.id, engine=engine),
            "another-secret-77",
            "short",
            engine=engine,
        )


def test_views_and_reveals_are_audited_without_personal_data(world):
    engine = world["engine"]
    client = world["app"].server.test_client()
    headers = bearer(world, "district")
    house = world["houses"]["7501"]
    client.get(f"/api/v1/areas/7501/households?year={YEAR}", headers=headers)
    client.get(f"/api/v1/households/{house}?year={YEAR}", headers=headers)
    client.post(f"/api/v1/households/{house}/members/1/citizen-id?year={YEAR}", headers=headers)
    client.get(f"/api/v1/households/{world['houses']['58']}?year={YEAR}", headers=headers)
    with engine.connect() as conn:
        rows = conn.execute(
            text("SELECT action, object_id, detail FROM audit_event WHERE username = :u ORDER BY id"),
            {"u": world["names"]["district"]},
        ).all()
        everything = " ".join(str(tuple(r)) for r in conn.execute(text("SELECT * FROM audit_event")))
    actions = [(a, o) for a, o, _ in rows]
    assert ("view_household_list", "7501") in actions and ("view_household", house) in actions
    assert ("reveal_citizen_id", f"{house}#1") in actions and ("access_denied", world["houses"]["58"]) in actions
    ids = {p["citizen_id"] for p in world["survey"].persons}
    assert not set(re.findall(r"\d{13}", everything)) & ids  # no full citizen ID anywhere in the trail
    assert not any(p["last_name"] in everything for p in world["survey"].persons[:50])


def test_audit_trail_is_append_only(world):
    engine = world["engine"]
    with pytest.raises(Exception, match="append-only"):
        with engine.begin() as conn:
            conn.execute(text("UPDATE audit_event SET action = 'nothing'"))
    with pytest.raises(Exception, match="append-only"):
        with engine.begin() as conn:
            conn.execute(text("DELETE FROM audit_event"))


def test_audit_page_is_for_administrators_and_exports(world):
    client, _ = session_client(world, "admin")
    r = client.get("/admin/audit?action=login_ok")
    assert r.status_code == 200 and "audit-table" in r.get_data(as_text=True)
    csv_ = client.get("/admin/audit?action=login_ok&format=csv")
    assert csv_.status_code == 200 and csv_.mimetype == "text/csv" and "login_ok" in csv_.get_data(as_text=True)
    district, _ = session_client(world, "district")
    assert district.get("/admin/audit").status_code == 403
    with world["engine"].connect() as conn:
        assert (
            conn.execute(text("SELECT COUNT(*) FROM audit_event WHERE action = 'export' AND object_type = 'audit'")).scalar() >= 1
        )


def test_server_pages_are_templates_that_escape_what_users_typed(world):
    """Issue 14: the sign-in, account and audit pages are Jinja templates; a name typed as markup is shown as
    text on the administrator's page, never run."""
    engine = world["engine"]
    s = engine.dialect.name
    accounts.create_user(
        username=f"x-{s}", full_name="<script>alert(1)</script>", role="team", areas=["750201"], password=PASSWORD, engine=engine
    )
    client, _ = session_client(world, "admin")
    body = client.get("/admin/users").get_data(as_text=True)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body and "<script>alert(1)" not in body
    assert body.count("name='csrf_token'") >= 2 and '<html lang="th">' in body
    english = client.get("/admin/users?lang=en").get_data(as_text=True)
    assert t("auth.accounts", "en") in english and t("auth.accounts", "th") not in english
    login = world["app"].server.test_client().get("/login?next=/area/75%22%3E%3Cx")
    assert login.status_code == 200 and 'id="login-submit"' in login.get_data(as_text=True)
    assert '"><x' not in login.get_data(as_text=True)
    accounts.set_active(None, f"x-{s}", False, engine=engine)


def test_accounts_follow_the_committee_quotas(world):
    engine = world["engine"]
    s = engine.dialect.name
    accounts.create_user(
        username=f"d2-{s}", full_name="Second officer", role="district", areas=["7501"], password=PASSWORD, engine=engine
    )
    with pytest.raises(accounts.AccountError, match="quota"):
        accounts.create_user(
            username=f"d3-{s}", full_name="Third", role="district", areas=["7501"], password=PASSWORD, engine=engine
        )
    with pytest.raises(accounts.AccountError, match="one amphoe"):
        accounts.create_user(
            username=f"t-{s}", full_name="Team", role="team", areas=["750101", "750201"], password=PASSWORD, engine=engine
        )
    with pytest.raises(accounts.AccountError, match="one province"):
        accounts.create_user(
            username=f"p-{s}", full_name="Province", role="province", areas=["10"], password=PASSWORD, engine=engine
        )
    governor = accounts.load_user(
        accounts.authenticate(world["names"]["province"], PASSWORD, engine=engine).user.id, engine=engine
    )
    accounts.create_user(
        username=f"team75-{s}",
        full_name="Team 75",
        role="team",
        areas=["750301"],
        password=PASSWORD,
        manager=governor,
        engine=engine,
    )
    with pytest.raises(Forbidden):
        accounts.create_user(
            username=f"team58-{s}",
            full_name="Team 58",
            role="team",
            areas=["580101"],
            password=PASSWORD,
            manager=governor,
            engine=engine,
        )
    assert all(all(a.startswith("75") for a in acc["areas"]) for acc in accounts.list_accounts(governor, engine=engine))


def test_create_user_command_reads_the_password_from_stdin(world):
    env = dict(os.environ, TPMAP_DATABASE_URL=world["engine"].url.render_as_string(hide_password=False))
    name = f"cli-{world['engine'].dialect.name}"
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "flask",
            "--app",
            "app:server",
            "create-user",
            "--username",
            name,
            "--role",
            "district",
            "--area",
            "5801",
            "--full-name",
            "District Chief",
            "--password-stdin",
        ],
        input=PASSWORD + "\n",
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode == 0, out.stderr
    assert accounts.authenticate(name, PASSWORD, engine=world["engine"]).user.areas == ("5801",)
    bad = subprocess.run(
        [
            sys.executable,
            "-m",
            "flask",
            "--app",
            "app:server",
            "create-user",
            "--username",
            name + "x",
            "--role",
            "team",
            "--area",
            "58",
            "--full-name",
            "X",
            "--password-stdin",
        ],
        input=PASSWORD + "\n",
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert bad.returncode == 1 and "tambons" in bad.stderr


def test_no_citizen_id_or_name_reaches_the_application_log(world, caplog):
    caplog.set_level("DEBUG")
    client = world["app"].server.test_client()
    headers = bearer(world, "district")
    house = world["houses"]["7501"]
    client.get(f"/api/v1/households/{house}?year={YEAR}", headers=headers)
    client.post(f"/api/v1/households/{house}/members/1/citizen-id?year={YEAR}", headers=headers)
    logged = caplog.text + json.dumps([r.getMessage() for r in caplog.records], ensure_ascii=False)
    members = [p for p in world["survey"].persons if p["house_id"] == house]
    assert not any(p["citizen_id"] in logged or p["last_name"] in logged for p in members)


def test_a_hand_edited_reveal_callback_is_refused(world):
    """The reveal button's callback takes the house id from the page: an attacker edits it to another province's."""
    client, csrf = session_client(world, "district")
    deps = client.get("/_dash-dependencies").get_json()
    cb = next(c for c in deps if "revealed" in c["output"])
    member = {"type": "reveal", "member": 1}
    payload = {
        "output": cb["output"],
        "outputs": {"id": {"type": "revealed", "member": 1}, "property": "children"},
        "inputs": [{"id": member, "property": "n_clicks", "value": 1}],
        "state": [{"id": "reveal-house", "property": "data", "value": {"house_id": world["houses"]["58"], "year": YEAR}}],
        "changedPropIds": [json.dumps(member, separators=(",", ":"), sort_keys=True) + ".n_clicks"],
    }
    r = client.post("/_dash-update-component", json=payload, headers={"X-CSRFToken": csrf})
    assert refusal(r) and not re.search(r"\d{13}", r.get_data(as_text=True))
    # said as for a household that does not exist (issue 30)
    payload["state"][0]["value"]["house_id"] = MISSING
    missing = client.post("/_dash-update-component", json=payload, headers={"X-CSRFToken": csrf})
    assert same_answer(r, world["houses"]["58"], missing), (refusal(r), refusal(missing))
    payload["state"][0]["value"]["house_id"] = world["houses"]["7501"]
    ok = client.post("/_dash-update-component", json=payload, headers={"X-CSRFToken": csrf})
    assert ok.status_code == 200 and re.search(r"\d{13}", ok.get_data(as_text=True))


def test_names_can_be_masked_for_roles_that_do_not_work_by_name(world, monkeypatch):
    client = world["app"].server.test_client()
    house = world["houses"]["7501"]
    monkeypatch.setenv("TPMAP_MASK_NAMES", "1")
    province = client.get(f"/api/v1/households/{house}?year={YEAR}", headers=bearer(world, "province")).get_json()
    district = client.get(f"/api/v1/households/{house}?year={YEAR}", headers=bearer(world, "district")).get_json()
    assert all(re.fullmatch(r".\.", m["last_name"]) for m in province["members"])
    assert not any(re.fullmatch(r".\.", m["last_name"]) for m in district["members"])


def test_shortlists_of_areas_and_households(world):
    client = world["app"].server.test_client()
    national = bearer(world, "national")
    tambons = ["750101", "750102", "750103", "750201", "750202", "750301", "580101", "580102", "580201", "580301"]
    r = client.post(
        "/api/v1/shortlists",
        headers=national,
        json={"name": "สิบตำบลเร่งด่วน", "kind": "areas", "year": YEAR, "refs": tambons, "rule": "ge3"},
    )
    assert r.status_code == 201
    token = r.get_json()["token"]
    shared = client.get(f"/api/v1/shortlists/{token}").get_json()  # areas: public like the figures
    assert [i["code"] for i in shared["items"]] == tambons and shared["name"] == "สิบตำบลเร่งด่วน"
    csv_ = client.get(f"/api/v1/shortlists/{token}?format=csv", headers=national)
    assert csv_.mimetype == "text/csv" and csv_.get_data(as_text=True).count("\n") == 11
    assert (
        client.post(
            "/api/v1/shortlists", headers=national, json={"name": "x", "kind": "areas", "year": YEAR, "refs": ["999999"]}
        ).status_code
        == 400
    )
    # households: saved by the province, opened by a district that covers only some of them
    province = bearer(world, "province")
    houses = [world["houses"]["7501"], world["houses"]["7502"], world["houses"]["7503"]]
    r = client.post(
        "/api/v1/shortlists", headers=province, json={"name": "ครัวเรือนวิกฤต", "kind": "households", "year": YEAR, "refs": houses}
    )
    assert r.status_code == 201
    token = r.get_json()["token"]
    seen = client.get(f"/api/v1/shortlists/{token}", headers=bearer(world, "district")).get_json()
    assert [i["house_id"] for i in seen["items"]] == [world["houses"]["7501"]] and seen["hidden"] == 2
    assert client.get(f"/api/v1/shortlists/{token}").status_code == 401
    # a household outside one's area is listed as one that does not exist (issue 30)
    district = bearer(world, "district")
    shortlist = {"name": "x", "kind": "households", "year": YEAR}
    r = client.post("/api/v1/shortlists", headers=district, json=shortlist | {"refs": [world["houses"]["58"]]})
    missing = client.post("/api/v1/shortlists", headers=district, json=shortlist | {"refs": [MISSING]})
    assert r.status_code == 400 and same_answer(r, world["houses"]["58"], missing), r.get_json()


def test_priority_order_puts_the_most_deprived_first(world):
    from mpi.rules import popcount

    body = list_target_poor_households("75", YEAR, user=NATIONAL, engine=world["engine"], sort="priority", page_size=200)
    dims = [len(i["deprived_dimensions"]) for i in body["items"]]
    assert dims == sorted(dims, reverse=True) and dims[0] >= 3
    basic = list_target_poor_households("75", YEAR, user=NATIONAL, engine=world["engine"], rule="basic_needs")
    assert all({"health", "living", "income"} <= set(i["deprived_dimensions"]) for i in basic["items"])
    assert popcount(0b11100) == 3
