"""Linked facts where the teams work (issue 33, 5-6; issue 34, 5) on both backends: each member's register facts on
the household card, the API and the field package, scoped as household data are (another area's user gets the answer
of a household that does not exist); what a household already receives, the agencies' assistance rows beside the
Logbook's help, each saying its source; failed indicators naming their members in the field package; vulnerable
households' conditions decided by the registers once loaded (recounted household by household with the pure rules)
and the page naming each condition's source; the navigation's link to /data."""

from __future__ import annotations

import csv
import datetime as dt
import json
import random

import pytest
from sqlalchemy import select

from data_access import logbook as logbook_da
from data_access import models as tables
from data_access import vulnerable as vulnerable_da
from data_access.access import CurrentUser
from data_access.registers import RegisterImport
from data_access.survey_import import SurveyImport
from mpi import vulnerable as rules
from tests.utils.world import bearer, component, page_callback, session_client

YEAR = 2561
AS_OF = dt.date(2024, 1, 31)
TEAM = CurrentUser(0, "test-team-linked", "t", "team", ("750201", "750202"))


def _render(client, path: str, search: str, csrf: str | None = None) -> dict:
    """A page as Dash's router renders it for this client (its layout as JSON)."""
    r = page_callback(client, path, search, csrf)
    assert r.status_code == 200, r.get_data(as_text=True)[:300]
    return r.get_json()


def _write(path, header, rows):
    with open(path, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(header)
        w.writerows(rows)
    return path


@pytest.fixture(scope="module")
def world(isolated_world, tmp_path_factory):
    """The module's world re-imported with the optional vulnerable columns (every elderly member said to receive the
    old-age allowance, so the survey file alone finds no elderly burden), then an old-age allowance register that
    lists one elderly person in two and an assistance register for the team's households."""
    survey = isolated_world["survey"]
    rng = random.Random(5)
    for h in survey.households:
        h |= {"head_farming": str(rng.randint(0, 1)), "farmer_registered": str(rng.randint(0, 1)), "income_per_capita": "20000"}
    for p in survey.persons:
        p |= {"old_age_allowance": "1", "disability_allowance": "1", "chronic_dependent": "0", "moe_poor_child": "0"}
    engine = isolated_world["engine"]
    SurveyImport(YEAR, survey.write(tmp_path_factory.mktemp("optional")), engine).run()
    return isolated_world


def _elderly(world) -> list[str]:
    bounds = rules.THRESHOLDS.born_bounds(YEAR)
    return [
        p["citizen_id"] for p in world["survey"].persons if dt.date.fromisoformat(p["birth_date"]) <= bounds["elderly_born_by"]
    ]


@pytest.fixture(scope="module")
def registers(world, tmp_path_factory):
    folder = tmp_path_factory.mktemp("reg")
    listed = _elderly(world)[::2]
    path = _write(folder / "old.csv", ["citizen_id", "monthly_amount"], [[c, "600"] for c in listed])
    RegisterImport("old_age_allowance", AS_OF, path, engine=world["engine"]).run()  # re-derives the bits itself
    team_people = [p for p in world["survey"].persons if p["house_id"] == world["houses"]["7502"]]
    helped = team_people[0]["citizen_id"]
    path = _write(
        folder / "help.csv",
        ["citizen_id", "programme", "amount", "received_on"],
        [[helped, "เงินช่วยเหลือภัยแล้ง", "3000", "2023-08-01"], [helped, "ถุงยังชีพ", "500", "2023-11-15"]],
    )
    RegisterImport("assistance_received", AS_OF, path, engine=world["engine"]).run()
    return {"old_age": set(listed), "helped": helped}


def _recount(world, old_age: set[str] | None) -> dict[str, tuple[int | None, int]]:
    """Every household's (selection, burdens) by mpi.vulnerable.classify, the old-age allowance read from the register
    when given (on it: receives), else from the survey file."""
    survey = world["survey"]
    failing = {f["house_id"] for f in survey.failures if f["indicator"] == rules.INSECURE_HOUSING_INDICATOR}
    members: dict[str, list[dict]] = {}
    for p in survey.persons:
        members.setdefault(p["house_id"], []).append(p)
    out = {}
    for h in survey.households:
        people = members.get(h["house_id"], [])
        household = rules.Household(
            members=tuple(
                rules.Member(
                    birth_date=dt.date.fromisoformat(p["birth_date"]),
                    disabled=p["disabled"] == "1",
                    old_age_allowance=(p["citizen_id"] in old_age) if old_age is not None else p["old_age_allowance"] == "1",
                    disability_allowance=p["disability_allowance"] == "1",
                    chronic_dependent=p["chronic_dependent"] == "1",
                    moe_poor_child=p["moe_poor_child"] == "1",
                )
                for p in people
            ),
            any_welfare_card=any(p["welfare_card"] == "1" for p in people),
            fails_insecure_housing=h["house_id"] in failing,
            head_farming=h["head_farming"] == "1",
            farmer_registered=h["farmer_registered"] == "1",
            income_per_capita=float(h["income_per_capita"]),
        )
        out[h["house_id"]] = rules.classify(household, YEAR)
    return out


def _stored(world) -> dict[str, tuple[int | None, int]]:
    h = tables.household.c
    with world["engine"].connect() as conn:
        rows = conn.execute(select(h.house_id, h.vuln_selection, h.vuln_burdens).where(h.year == YEAR)).all()
    return {r.house_id: (r.vuln_selection, r.vuln_burdens) for r in rows}


def test_a_loaded_register_decides_its_vulnerable_condition_and_the_page_names_it(world, tmp_path):
    before = _stored(world)
    assert before == _recount(world, None)  # the survey file's columns: nobody elderly lacks the allowance
    elderly_bit = rules.BURDEN_BIT["elderly_no_allowance"]
    assert not any(b & elderly_bit for _, b in before.values())
    sources = {s["criterion"]: s for s in vulnerable_da.area_figures("75", YEAR)["sources"]}
    assert sources["elderly_no_allowance"]["register"] is None  # survey file
    # the register is loaded: it decides the condition, household by household as the pure rules say
    old_age = set(_elderly(world)[::2])
    path = _write(tmp_path / "old.csv", ["citizen_id", "monthly_amount"], [[c, "600"] for c in sorted(old_age)])
    RegisterImport("old_age_allowance", dt.date(2023, 12, 31), path, engine=world["engine"]).run()  # re-derives the bits
    after = _stored(world)
    assert after == _recount(world, old_age)
    assert any(b & elderly_bit for _, b in after.values())  # the register found elderly people without it
    figures = vulnerable_da.area_figures("TH", YEAR, rules.VulnerableRule(min_burdens=0))
    counted = sum(1 for s, b in after.values() if s and b & elderly_bit)
    assert figures["by_burden"]["elderly_no_allowance"] == counted > 0  # the rollup follows the bits
    sources = {s["criterion"]: s for s in figures["sources"]}
    assert sources["elderly_no_allowance"] == {
        "criterion": "elderly_no_allowance",
        "register": "old_age_allowance",
        "as_of": "2023-12-31",
    }
    assert sources["disabled_no_allowance"]["register"] is None and sources["chronic_dependent"]["register"] is None
    # a survey re-import keeps the register deciding (the import's rollup step applies the loaded registers)
    SurveyImport(YEAR, world["survey"].write(tmp_path / "again"), world["engine"]).run()
    assert _stored(world) == after
    # the page says each source: the register's name and its Buddhist-era as-of date, or the survey file
    client = world["app"].server.test_client()
    for lang, said, survey in (("th", "31 ธ.ค. 2566", "ไฟล์สำรวจ"), ("en", "31 Dec 2566", "survey file")):
        layout = _render(client, "/area/75/vulnerable", f"?year={YEAR}&lang={lang}&min_burdens=0")
        elderly = json.dumps(component(layout, "vul-source-elderly_no_allowance"), ensure_ascii=False)
        assert said in elderly and ("ผู้รับเบี้ยยังชีพผู้สูงอายุ" if lang == "th" else "Old-age allowance recipients") in elderly
        assert survey in json.dumps(component(layout, "vul-source-chronic_dependent"), ensure_ascii=False)


def _house_in(world, prefix: str) -> str:
    return world["houses"][prefix]


def test_a_members_facts_reach_a_covering_user_and_nobody_else(world, registers):
    house = _house_in(world, "7501")
    client = world["app"].server.test_client()
    mine = client.get(f"/api/v1/households/{house}?year={YEAR}", headers=bearer(world, "district")).get_json()
    facts = [f for m in mine["members"] for f in m["registers"]]
    assert {f["register"] for f in facts} >= {"old_age_allowance", "assistance_received"}
    in_house = {p["citizen_id"] for p in world["survey"].persons if p["house_id"] == house}
    assert sum(f["receives"] for f in facts if f["register"] == "old_age_allowance") == len(in_house & registers["old_age"])
    assert not in_house & {f.get("citizen_id") for f in facts}  # a fact names no one
    for cid in in_house:
        assert cid not in json.dumps(mine)
    # another province's district: the answer of a household that does not exist, word for word
    other = bearer(world, "district7502")
    outside = client.get(f"/api/v1/households/{house}?year={YEAR}", headers=other)
    missing = client.get(f"/api/v1/households/H99999?year={YEAR}", headers=other)
    assert outside.status_code == missing.status_code == 404
    assert outside.get_json()["error"].replace(house, "?") == missing.get_json()["error"].replace("H99999", "?")
    assert "registers" not in outside.get_data(as_text=True)
    # and the card: the covering user sees the facts, the other area's the page of a household that does not exist
    district, csrf = session_client(world, "district")
    card = json.dumps(_render(district, f"/household/{house}", f"?year={YEAR}&lang=en", csrf), ensure_ascii=False)
    assert "Old-age allowance recipients" in card and "registers-checked" in card
    stranger, csrf = session_client(world, "district7502")
    seen = _render(stranger, f"/household/{house}", f"?year={YEAR}&lang=en", csrf)
    absent = _render(stranger, "/household/H99999", f"?year={YEAR}&lang=en", csrf)
    assert json.dumps(seen).replace(house, "?") == json.dumps(absent).replace("H99999", "?")
    assert "Old-age allowance" not in json.dumps(seen)


def _help(world, house: str) -> None:
    version = logbook_da.logbook(TEAM, house, YEAR, engine=world["engine"])["version"]
    kind = logbook_da.assistance_kinds(world["engine"])[0]["code"]
    logbook_da.add_assistance(
        TEAM,
        house,
        YEAR,
        given_on="2024-02-03",
        dimension="income",
        kind=kind,
        agency="อบต. ทดสอบ",
        amount_baht=1200,
        version=version,
        engine=world["engine"],
    )


def test_the_field_package_carries_facts_help_beside_the_registers_and_whom_indicators_concern(world, registers):
    house = _house_in(world, "7502")
    _help(world, house)
    client = world["app"].server.test_client()
    r = client.get(f"/api/v1/field/package?year={YEAR}", headers=bearer(world, "team"))
    assert r.status_code == 200, r.get_json()
    package = r.get_json()
    hh = next(h for h in package["households"] if h["house_id"] == house)
    # each member's facts: every loaded register, receives or not, as of its date, whose data
    assert all({f["register"] for f in m["registers"]} >= {"old_age_allowance", "assistance_received"} for m in hh["members"])
    assert all(f["as_of"] and f["owner_en"] for m in hh["members"] for f in m["registers"])
    # the household's help: the register's two rows for member 1 and the Logbook's, newest first, each with its source
    got = [(r["source"], r["member"], r["on"], r["amount"]) for r in hh["receipts"]]
    helped = next(m["member"] for m in hh["members"] if m["registers"] and _is(world, house, m["member"], registers["helped"]))
    assert got == [
        ("logbook", None, "2024-02-03", 1200.0),
        ("register", helped, "2023-11-15", 500.0),
        ("register", helped, "2023-08-01", 3000.0),
    ]
    assert {r["what_th"] for r in hh["receipts"] if r["source"] == "register"} == {"เงินช่วยเหลือภัยแล้ง", "ถุงยังชีพ"}
    assert all(r["as_of"] == AS_OF.isoformat() for r in hh["receipts"] if r["source"] == "register")
    assert next(r for r in hh["receipts"] if r["source"] == "logbook")["agency_th"] == "อบต. ทดสอบ"
    # whom each failed indicator concerns: the members in its scope, or null for the household
    assert all("concerns" in i for h in package["households"] for i in h["failed_indicators"])
    scoped = [i for h in package["households"] for i in h["failed_indicators"] if i["concerns"] is not None]
    assert all(
        1 <= n <= len(h["members"]) for h in package["households"] for i in h["failed_indicators"] for n in i["concerns"] or []
    )
    assert scoped or any(i["concerns"] is None for h in package["households"] for i in h["failed_indicators"])
    text = r.get_data(as_text=True)
    assert registers["helped"] not in text and not any(p["citizen_id"] in text for p in world["survey"].persons)
    # another area's tambon: refused alike whether or not it holds households
    outside = client.get(f"/api/v1/field/package?year={YEAR}&tambon=750101", headers=bearer(world, "team"))
    nowhere = client.get(f"/api/v1/field/package?year={YEAR}&tambon=759999", headers=bearer(world, "team"))
    assert outside.status_code == nowhere.status_code == 403
    assert outside.get_json()["error"].replace("750101", "?") == nowhere.get_json()["error"].replace("759999", "?")


def _is(world, house: str, number: int, citizen_id: str) -> bool:
    """Whether member `number` of the household (birth date, then row order: the card's numbering) is this person."""
    people = sorted(
        (p for p in world["survey"].persons if p["house_id"] == house),
        key=lambda p: p["birth_date"],
    )
    return people[number - 1]["citizen_id"] == citizen_id


def test_the_card_shows_the_registers_help_beside_the_logbooks(world, registers):
    house = _house_in(world, "7502")
    client, csrf = session_client(world, "province")
    layout = _render(client, f"/household/{house}", f"?year={YEAR}&lang=en", csrf)
    table = component(layout, "receipts-box")
    assert table is not None
    shown = json.dumps(table, ensure_ascii=False)
    assert "ถุงยังชีพ" in shown and "Agencies' data" in shown and "as of 31 Jan 2567" in shown
    assert "Logbook: recorded by the team (อบต. ทดสอบ)" in shown
    assert registers["helped"] not in json.dumps(layout)


def test_the_navigation_links_to_the_register_catalogue_for_everyone(world):
    client = world["app"].server.test_client()
    for lang, label in (("th", "ข้อมูลจากหน่วยงาน"), ("en", "Agencies' data")):
        link = component(_render(client, "/area/75", f"?year={YEAR}&lang={lang}"), "nav-data")
        assert link is not None and link["href"].startswith("/data?")
        assert f"lang={lang}" in link["href"] or lang == "th"  # as every link of the view: Thai needs no parameter
        assert link["children"] == label
