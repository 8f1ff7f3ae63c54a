"""Every pinned command and route of issues 2-7, called exactly as a script calls it: no terminal, no
prompts, the documented flags and fields. A change that breaks one of these breaks someone's tooling."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.utils.survey_factory import make_survey
from tests.utils.world import PASSWORD

ROOT = Path(__file__).resolve().parent.parent


def _flask(args: list[str], url: str, **kw) -> subprocess.CompletedProcess:
    """`flask --app app:server ARGS` as a separate process, the way a script calls a pinned command."""
    env = dict(os.environ, TPMAP_DATABASE_URL=url)
    return subprocess.run(
        [sys.executable, "-m", "flask", "--app", "app:server", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        **kw,
    )


YEAR = 2561
AREA_FIELDS = {
    "code",
    "level",
    "name_th",
    "name_en",
    "parent_code",
    "year",
    "surveyed_households",
    "surveyed_persons",
    "poor_persons",
    "target_poor_persons",
    "target_poor_households",
    "crisis_persons",
    "dimension_target_poor",
    "indicator_target_poor",
    "deprived_dimensions_target_poor",
    "headcount_ratio",
    "intensity",
    "mpi",
    "source",
}


@pytest.fixture(scope="module")
def scripted(isolated_engine, tmp_path_factory):
    """A database set up only through the pinned commands, run as subprocesses without a terminal."""
    url = isolated_engine.url.render_as_string(hide_password=False)
    folder = tmp_path_factory.mktemp("pinned")

    def run(args, stdin=None):
        out = _flask(args, url, input=stdin, stdin=None if stdin is not None else subprocess.DEVNULL)
        assert out.returncode == 0, (args, out.stdout[-500:], out.stderr[-2000:])
        return out

    run(["init-db"])
    run(["import-boundaries"])
    run(["import-published", "--year", str(YEAR)])
    survey = make_survey(n_households=60, seed=77, tambons=["750101", "750102", "750201"])
    run(["import-survey", "--year", str(YEAR), str(survey.write(folder / "survey"))])
    run(["compare-sources", "--year", str(YEAR), "--level", "province"])
    # issue 15, pinned: the next edition of the same people, and the headline figures of a later edition
    run(["generate-population", "--year", "2562", "--previous", str(folder / "survey"), "--seed", "4", str(folder / "next")])
    run(["import-survey", "--year", "2562", str(folder / "next")])
    run(["import-published", "--year", "2565"])
    # the pinned bootstrap: no --full-name, no terminal, the password on standard input
    out = run(
        ["create-user", "--username", "script.district", "--role", "district", "--area", "7501", "--password-stdin"],
        stdin=PASSWORD + "\n",
    )
    assert "name is missing" in out.stdout
    run(
        [
            "create-user",
            "--username",
            "script.team",
            "--role",
            "team",
            "--area",
            "750101,750102",
            "--full-name",
            "ทีมตำบล",
            "--password-stdin",
        ],
        stdin=PASSWORD + "\n",
    )
    run(
        [
            "create-user",
            "--username",
            "script.admin",
            "--role",
            "admin",
            "--area",
            "TH",
            "--full-name",
            "Admin",
            "--password-stdin",
        ],
        stdin=PASSWORD + "\n",
    )
    import os

    from app import create_app

    saved = os.environ.get("TPMAP_DATABASE_URL")
    os.environ["TPMAP_DATABASE_URL"] = url
    try:
        yield {"client": create_app().server.test_client(), "engine": isolated_engine, "survey": survey}
    finally:
        if saved is None:
            os.environ.pop("TPMAP_DATABASE_URL", None)
        else:
            os.environ["TPMAP_DATABASE_URL"] = saved


def _token(client, username: str) -> dict:
    r = client.post("/api/v1/auth/login", json={"username": username, "password": PASSWORD})
    assert r.status_code == 200 and set(r.get_json()) >= {"token"}, r.get_json()
    return {"Authorization": "Bearer " + r.get_json()["token"]}


def test_generate_population_writes_the_import_format(tmp_path):
    out = _flask(["generate-population", "--year", "2561", "--provinces", "75", "--seed", "3", str(tmp_path / "g")], "")
    assert out.returncode == 0, out.stderr
    assert {p.name for p in (tmp_path / "g").iterdir()} >= {"households.csv", "persons.csv", "failures.csv"}


def test_the_time_routes_keep_their_fields(scripted):
    client = scripted["client"]
    flows = client.get("/api/v1/areas/750102/flows?from=2561&to=2562").get_json()  # a tambon the microdata covers
    assert set(flows) >= {"from", "to", "stayed_persons", "exited_persons", "entered_persons", "left_survey_persons"}
    assert set(flows) >= {"stayed_households", "exited_households", "entered_households"}
    before = client.get(f"/api/v1/areas/750102?year={YEAR}").get_json()["target_poor_persons"]
    assert before == flows["stayed_persons"] + flows["exited_persons"] + flows["left_survey_persons"]
    # on the synthetic panel the identities hold under every definition, for persons and households
    for who in ("registered", "all", "nocard"):
        fl = client.get(f"/api/v1/areas/750102/flows?from={YEAR}&to=2562&definition={who}").get_json()
        a = client.get(f"/api/v1/areas/750102?year={YEAR}&definition={who}").get_json()
        b = client.get(f"/api/v1/areas/750102?year=2562&definition={who}").get_json()
        assert a["target_poor_persons"] == fl["stayed_persons"] + fl["exited_persons"] + fl["left_survey_persons"], who
        assert b["target_poor_persons"] == fl["stayed_persons"] + fl["entered_persons"], who
        assert a["target_poor_households"] == fl["stayed_households"] + fl["exited_households"] + fl["left_survey_households"]
        assert b["target_poor_households"] == fl["stayed_households"] + fl["entered_households"], who
    items = client.get("/api/v1/areas/TH/trend").get_json()["items"]
    assert [i["year"] for i in items] == sorted(i["year"] for i in items) and {2561, 2565} <= {i["year"] for i in items}
    for i in items:
        assert set(i) >= {"year", "target_poor_persons", "surveyed_persons", "crisis_persons", "source"}
        assert i["source"] in ("published", "survey")
    assert next(i for i in items if i["year"] == 2565)["target_poor_persons"] == 1_025_782


def test_public_area_routes_keep_their_fields(scripted):
    client = scripted["client"]
    for code in ("TH", "75", "7501", "750101"):
        r = client.get(f"/api/v1/areas/{code}?year={YEAR}&dimensions=health,income")
        assert r.status_code == 200 and set(r.get_json()) >= AREA_FIELDS, (code, r.get_json())
    items = client.get(f"/api/v1/areas/75/children?year={YEAR}").get_json()["items"]
    assert items and all(set(i) >= AREA_FIELDS for i in items)
    assert client.get(f"/api/v1/areas/99?year={YEAR}").status_code == 404
    assert client.get("/api/v1/areas/75?year=abc").get_json()["error"]


def test_the_script_made_account_works_and_its_missing_name_is_shown(scripted):
    client = scripted["client"]
    headers = _token(client, "script.district")
    body = client.get(f"/api/v1/areas/7501/households?year={YEAR}&page=1", headers=headers).get_json()
    assert set(body) >= {"items", "total", "page"} and body["items"]
    item = body["items"][0]
    assert set(item) >= {
        "house_id",
        "village_no",
        "members",
        "target_poor_members",
        "deprived_dimensions",
        "crisis",
        "tambon_code",
    }
    house = client.get(f"/api/v1/households/{item['house_id']}?year={YEAR}", headers=headers)
    assert house.status_code == 200
    reveal = client.post(f"/api/v1/households/{item['house_id']}/members/1/citizen-id?year={YEAR}", headers=headers)
    assert reveal.status_code == 200 and len(reveal.get_json()["citizen_id"]) == 13
    assert client.post("/api/v1/auth/logout", headers=headers).get_json() == {"revoked": True}
    admin = client.post("/api/v1/auth/login", json={"username": "script.admin", "password": PASSWORD})
    assert admin.status_code == 200
    import re

    page = client.get("/login").get_data(as_text=True)
    token = re.search(r"name='csrf_token' value='([^']+)'", page).group(1)
    client.post("/login", data={"username": "script.admin", "password": PASSWORD, "csrf_token": token, "next": "/"})
    users = client.get("/admin/users").get_data(as_text=True)
    assert "script.district" in users and "is-invalid" in users  # the missing name is asked for


def test_the_field_app_routes_keep_their_shapes(scripted):
    client = scripted["client"]
    headers = _token(client, "script.team")
    house = next(h["house_id"] for h in scripted["survey"].households if h["tambon_code"] == "750101")
    base = f"/api/v1/households/{house}"
    visit = client.post(
        f"{base}/visits?year={YEAR}", headers=headers, json={"visited_on": "2021-05-01", "outcome": "verified", "note": "ok"}
    )
    assert visit.status_code == 201 and "id" in visit.get_json()
    need = client.post(
        f"{base}/needs?year={YEAR}", headers=headers, json={"dimension": "income", "description": "ต้องการอาชีพ", "status": "open"}
    )
    assert need.status_code == 201
    assert (
        client.patch(
            f"{base}/needs/{need.get_json()['id']}?year={YEAR}", headers=headers, json={"status": "in_progress"}
        ).status_code
        == 200
    )
    assert (
        client.post(
            f"{base}/assistance?year={YEAR}",
            headers=headers,
            json={"given_on": "2021-05-02", "dimension": "income", "kind": "job_training", "agency": "พมจ.", "amount_baht": 0},
        ).status_code
        == 201
    )
    assert (
        client.put(f"{base}/status?year={YEAR}", headers=headers, json={"status": "survival", "reason": "เริ่มต้น"}).status_code
        == 200
    )
    for kind in ("visits", "needs", "assistance"):
        assert "items" in client.get(f"{base}/{kind}?year={YEAR}", headers=headers).get_json()
    assert client.get(f"{base}/logbook?year={YEAR}", headers=headers).status_code == 200
    progress = client.get(f"/api/v1/areas/750101/progress?year={YEAR}").get_json()
    assert {"households_visited", "households_helped", "by_status", "open_needs"} <= set(progress)
    ranking = client.get(f"/api/v1/areas/75/ranking?year={YEAR}&by=custom&k=2&required=income")
    assert ranking.status_code == 200 and "items" in ranking.get_json()
    csv_ = client.get(f"/api/v1/areas/75/ranking?year={YEAR}&by=ge3&format=csv")
    assert csv_.mimetype == "text/csv"
    shortlist = client.post(
        "/api/v1/shortlists",
        headers=headers,
        json={"name": "ชุดทดสอบ", "kind": "areas", "year": YEAR, "refs": ["7501", "7502"], "rule": "ge3"},
    )
    assert (
        shortlist.status_code == 201
        and client.get(f"/api/v1/shortlists/{shortlist.get_json()['token']}?format=csv").status_code == 200
    )
