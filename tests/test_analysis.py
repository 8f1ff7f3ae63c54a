"""Vulnerable households, the pivot and the area story, on both backends.

Vulnerable: hand-made rule cases, then a survey with the optional columns whose bits (computed in SQL on import)
must equal the pure reference household by household, rollups equal to a count over those households, and a list
that stays inside the user's area. Pivot: totals equal the API's figures. Story: every number equals the API's."""

from __future__ import annotations

import copy
import csv
import datetime as dt
import io
import random

import pytest
from sqlalchemy import text

from components.story import compose
from data_access import story as story_da
from data_access.survey_import import SurveyImport, SurveyImportError
from mpi.vulnerable import (
    BURDEN_BIT,
    SELECTION_BIT,
    Household,
    Member,
    VulnerableCount,
    VulnerableRule,
    classify,
    figures,
    rule_from,
)
from tests.utils.world import bearer, decoded, page_callback, session_client, world_for

YEAR = 2564  # the database year (test_committees_reports re-imports it after this module)
RULE_YEAR = 2566  # the hand-made cases: ages counted on its survey date, 30 Apr 2022
D = dt.date


# --- Rules on hand-made households (2566 BE: ages counted on 30 Apr 2022) -------------------------------------


def adult(**kw) -> Member:
    return Member(birth_date=D(1980, 5, 1), **kw)


def test_selection_conditions():
    farming = Household(
        (adult(),), any_welfare_card=False, fails_insecure_housing=False, head_farming=True, farmer_registered=False
    )
    assert classify(farming, RULE_YEAR) == (SELECTION_BIT["farmer_unregistered"], 0)
    registered = Household((adult(),), False, False, head_farming=True, farmer_registered=True)
    assert classify(registered, RULE_YEAR) == (0, 0)
    # 99,999 baht is below the line; 100,000 is not; a welfare card disqualifies.
    assert (
        classify(Household((adult(),), False, False, income_per_capita=99_999), RULE_YEAR)[0]
        == SELECTION_BIT["low_income_no_welfare"]
    )
    assert classify(Household((adult(),), False, False, income_per_capita=100_000), RULE_YEAR)[0] == 0
    assert classify(Household((adult(),), True, False, income_per_capita=20_000), RULE_YEAR)[0] == 0
    # Nothing to judge either condition by: not assessed.
    assert classify(Household((adult(),), False, False, head_farming=True), RULE_YEAR)[0] is None


def test_burdens_by_age_and_allowance():
    # On 30 Apr 2022: born 30 Apr 2019 is exactly 3 (a young child); born 1 May 2019 is 2; born 30 Apr 2007 is 15.
    assert (
        classify(Household((Member(D(2019, 4, 30)),), False, False, income_per_capita=1), RULE_YEAR)[1]
        == BURDEN_BIT["young_children"]
    )
    assert classify(Household((Member(D(2019, 5, 1)),), False, False, income_per_capita=1), RULE_YEAR)[1] == 0
    assert (
        classify(Household((Member(D(2007, 5, 1)),), False, False, income_per_capita=1), RULE_YEAR)[1]
        == BURDEN_BIT["young_children"]
    )
    assert classify(Household((Member(D(2007, 4, 30)),), False, False, income_per_capita=1), RULE_YEAR)[1] == 0
    # Elderly (60 on 30 Apr 2022: born by 30 Apr 1962) without the allowance; with it; allowance unknown.
    old = D(1962, 4, 30)
    assert (
        classify(Household((Member(old, old_age_allowance=False),), False, False, income_per_capita=1), RULE_YEAR)[1]
        == BURDEN_BIT["elderly_no_allowance"]
    )
    assert classify(Household((Member(old, old_age_allowance=True),), False, False, income_per_capita=1), RULE_YEAR)[1] == 0
    assert classify(Household((Member(old),), False, False, income_per_capita=1), RULE_YEAR)[1] == 0
    assert (
        classify(Household((Member(D(1962, 5, 1), old_age_allowance=False),), False, False, income_per_capita=1), RULE_YEAR)[1]
        == 0
    )
    both = Household(
        (
            adult(disabled=True, disability_allowance=False),
            adult(chronic_dependent=True),
            Member(D(2012, 6, 1), moe_poor_child=True),
        ),
        False,
        True,
        income_per_capita=1,
    )
    assert classify(both, RULE_YEAR)[1] == (
        BURDEN_BIT["insecure_housing"]
        | BURDEN_BIT["disabled_no_allowance"]
        | BURDEN_BIT["chronic_dependent"]
        | BURDEN_BIT["poor_child"]
        | BURDEN_BIT["young_children"]
    )


def test_rules_over_rollup_rows():
    rows = [
        VulnerableCount(1, 0, 10, 40),  # farmer, no burden
        VulnerableCount(2, 4 | 8, 5, 20),  # low income, young children and elderly
        VulnerableCount(3, 1, 2, 6),  # both conditions, insecure housing
        VulnerableCount(0, 63, 7, 30),
    ]  # every burden, no selection
    f = figures(rows)  # default: a selection condition and at least one burden
    assert (f.assessed_households, f.selected_households, f.vulnerable_households, f.vulnerable_persons) == (24, 17, 7, 26)
    assert f.by_selection == {"farmer_unregistered": 2, "low_income_no_welfare": 7}
    assert f.by_burden["young_children"] == 5 and f.by_burden["insecure_housing"] == 2 and f.by_burden["chronic_dependent"] == 0
    assert figures(rows, VulnerableRule(min_burdens=0)).vulnerable_households == 17
    assert figures(rows, VulnerableRule(min_burdens=2)).vulnerable_households == 5
    assert figures(rows, rule_from("farmer_unregistered", "insecure_housing", "1")).vulnerable_households == 2
    for bad in (("nope", None, None), (None, "flood", None), (None, None, "x"), (None, "poor_child", "2")):
        with pytest.raises(ValueError):
            rule_from(*bad)


# --- On the database ---------------------------------------------------------------------------------------------


def _with_optional_columns(survey, seed: int = 5):
    rng = random.Random(seed)
    s = copy.deepcopy(survey)

    def flag(p_one: float, p_blank: float = 0.1) -> str:
        return "" if rng.random() < p_blank else ("1" if rng.random() < p_one else "0")

    for h in s.households:
        h["head_farming"] = flag(0.4)
        h["farmer_registered"] = flag(0.5)
        h["income_per_capita"] = "" if rng.random() < 0.1 else str(rng.choice([15000, 60000, 99999, 100000, 250000]))
    for p in s.persons:
        p["old_age_allowance"] = flag(0.6)
        p["disability_allowance"] = flag(0.5)
        p["chronic_dependent"] = flag(0.1, 0.3)
        p["moe_poor_child"] = flag(0.2, 0.3)
    return s


def _reference(survey) -> dict[str, tuple[int | None, int]]:
    def fl(v: str) -> bool | None:
        return None if v == "" else v == "1"

    members: dict[str, list[Member]] = {}
    welfare: dict[str, bool] = {}
    for p in survey.persons:
        members.setdefault(p["house_id"], []).append(
            Member(
                D.fromisoformat(p["birth_date"]),
                p["disabled"] == "1",
                fl(p["old_age_allowance"]),
                fl(p["disability_allowance"]),
                fl(p["chronic_dependent"]),
                fl(p["moe_poor_child"]),
            )
        )
        welfare[p["house_id"]] = welfare.get(p["house_id"], False) or p["welfare_card"] == "1"
    housing = {f["house_id"] for f in survey.failures if f["indicator"] == "2.1"}
    return {
        h["house_id"]: classify(
            Household(
                tuple(members[h["house_id"]]),
                welfare[h["house_id"]],
                h["house_id"] in housing,
                fl(h["head_farming"]),
                fl(h["farmer_registered"]),
                None if h["income_per_capita"] == "" else float(h["income_per_capita"]),
            ),
            YEAR,
        )
        for h in survey.households
    }


@pytest.fixture(scope="module")
def world(isolated_engine, tmp_path_factory):
    folder = tmp_path_factory.mktemp("analysis")
    with world_for(isolated_engine, folder / "base", YEAR, "an") as w:
        survey = _with_optional_columns(w["survey"])
        SurveyImport(YEAR, survey.write(folder / "vulnerable"), isolated_engine).run()
        w["vsurvey"] = survey
        yield w


@pytest.fixture
def client(world):
    return world["app"].server.test_client()


def test_sql_bits_equal_the_reference(world):
    expected = _reference(world["vsurvey"])
    with world["engine"].connect() as conn:
        got = {
            h: (s, b)
            for h, s, b in conn.execute(
                text("SELECT house_id, vuln_selection, vuln_burdens FROM household WHERE year = :y"), {"y": YEAR}
            )
        }
    assert len(got) == len(expected) > 200
    want = {h: (s, b if s is not None else None) for h, (s, b) in expected.items()}
    assert got == want
    kinds = {s for s, _ in got.values()}
    assert None in kinds and {0, 1, 2, 3} <= kinds  # every case occurs in the test data


def test_rollup_and_api_equal_a_count_over_households(world, client):
    ref = _reference(world["vsurvey"])
    tambon = {h["house_id"]: h["tambon_code"] for h in world["vsurvey"].households}
    size = {}
    for p in world["vsurvey"].persons:
        size[p["house_id"]] = size.get(p["house_id"], 0) + 1
    for code in ("75", "7501", "750102", "58", "TH"):
        rows: dict[tuple, list] = {}
        for h, (s, b) in ref.items():
            if s is not None and (code == "TH" or tambon[h].startswith(code)):
                rows.setdefault((s, b), [0, 0])
                rows[(s, b)][0] += 1
                rows[(s, b)][1] += size[h]
        counts = [VulnerableCount(s, b, n, p) for (s, b), (n, p) in rows.items()]
        for query, rule in (
            ("", VulnerableRule()),
            ("&min_burdens=2", VulnerableRule(min_burdens=2)),
            (
                "&selections=low_income_no_welfare&burdens=young_children,elderly_no_allowance",
                rule_from("low_income_no_welfare", "young_children,elderly_no_allowance"),
            ),
        ):
            api = client.get(f"/api/v1/areas/{code}/vulnerable?year={YEAR}{query}").get_json()
            want = figures(counts, rule)
            assert (api["vulnerable_households"], api["vulnerable_persons"], api["assessed_households"]) == (
                want.vulnerable_households,
                want.vulnerable_persons,
                want.assessed_households,
            ), (code, query)
            assert api["by_burden"] == want.by_burden
    assert client.get(f"/api/v1/areas/75/vulnerable?year={YEAR}&burdens=flood").status_code == 400


def test_bad_optional_values_are_refused_row_by_row(world, tmp_path):
    bad = copy.deepcopy(world["vsurvey"])
    bad.households[3]["income_per_capita"] = "lots"
    bad.persons[5]["old_age_allowance"] = "yes"
    with pytest.raises(SurveyImportError) as e:
        SurveyImport(YEAR, bad.write(tmp_path / "bad"), world["engine"]).validate()
    text_ = "\n".join(e.value.lines())
    assert "households.csv row 5: income_per_capita must be baht a year" in text_
    assert "persons.csv row 7: old_age_allowance must be 0, 1 or blank" in text_


def test_vulnerable_list_is_scoped(world, client):
    district = bearer(world, "district")  # 7501
    r = client.get(f"/api/v1/areas/75/vulnerable/households?year={YEAR}", headers=district)
    assert r.status_code == 200
    body = r.get_json()
    assert body["total"] and all(i["tambon_code"].startswith("7501") for i in body["items"])
    ref = _reference(world["vsurvey"])
    for item in body["items"]:
        s, b = ref[item["house_id"]]
        assert VulnerableRule().matches(s, b)
        assert item["burdens"] == [k for k, bit in BURDEN_BIT.items() if b & bit]
    assert client.get(f"/api/v1/areas/58/vulnerable/households?year={YEAR}", headers=district).status_code == 403
    assert client.get(f"/api/v1/areas/75/vulnerable/households?year={YEAR}").status_code == 401
    r = client.get(f"/export/vulnerable.csv?code=75&year={YEAR}&burden=young_children", headers=district)
    rows = list(csv.DictReader(io.StringIO(r.data.decode("utf-8-sig"))))
    assert rows and all(row["รหัสตำบล"].startswith("7501") and row["มีเด็กอายุ 3–14 ปี"] == "1" for row in rows)
    session, csrf = session_client(world, "district")
    page = decoded(page_callback(session, "/area/75/vulnerable", f"?year={YEAR}", csrf))
    assert "vul-households-table" in page and "580" not in "".join(i["tambon_code"] for i in body["items"])


# --- Pivot ------------------------------------------------------------------------------------------------------


def test_pivot_totals_equal_the_api(world, client):
    area = client.get(f"/api/v1/areas/75?year={YEAR}").get_json()
    children = {c["code"]: c for c in client.get(f"/api/v1/areas/75/children?year={YEAR}").get_json()["items"]}
    from data_access.pivot import pivot

    p = pivot("75", YEAR, "area", "dimension")
    assert p["total"]["cells"] == area["dimension_target_poor"] and p["total"]["base"] == area["target_poor_persons"]
    assert {r["key"]: r["cells"] for r in p["items"]} == {c: v["dimension_target_poor"] for c, v in children.items()}
    p = pivot("75", YEAR, "indicator", "area")  # transposed
    for r in p["items"]:
        assert r["base"] == area["indicator_target_poor"][r["key"]]
        assert r["cells"] == {c: v["indicator_target_poor"][r["key"]] for c, v in children.items()}
    ranked = {r["code"]: r for r in client.get(f"/api/v1/areas/75/ranking?year={YEAR}").get_json()["items"]}
    p = pivot("75", YEAR, "area", "crisis")
    assert {r["key"]: r["cells"]["ge3"] for r in p["items"]} == {c: r["crisis_ge3"] for c, r in ranked.items()}
    # dimension × dimension: the diagonal is each dimension's count; the totals row is the API's.
    p = pivot("75", YEAR, "dimension", "dimension", mask=0b11110)
    assert all(r["cells"][r["key"]] == area["dimension_target_poor"][r["key"]] for r in p["items"])
    assert "access" not in p["columns"]
    # deprivations: the cells of the total row add up to the target poor
    p = pivot("TH", YEAR, "crisis", "deprivations")
    th = client.get(f"/api/v1/areas/TH?year={YEAR}").get_json()
    assert sum(p["total"]["cells"].values()) == th["target_poor_persons"]
    assert p["total"]["cells"] == {k: v for k, v in th["deprived_dimensions_target_poor"].items()}
    assert p["items"][0]["cells"]["1"] == 0 and p["items"][0]["cells"]["2"] == 0  # ≥3 dimensions has no 1s or 2s
    # shares divide by the row's base; pairs that are not rolled up are refused
    s = pivot("75", YEAR, "area", "dimension", value="share")
    row = s["items"][0]
    assert row["cells"]["income"] == pytest.approx(
        children[row["key"]]["dimension_target_poor"]["income"] / children[row["key"]]["target_poor_persons"]
    )
    from data_access.pivot import PivotError

    with pytest.raises(PivotError, match="not rolled up"):
        pivot("75", YEAR, "indicator", "dimension")
    r = client.get(f"/export/pivot.csv?area=75&year={YEAR}&rows=area&cols=dimension")
    lines = list(csv.reader(io.StringIO(r.data.decode("utf-8-sig"))))
    assert lines[-1][1:] == [str(area["dimension_target_poor"][d]) for d in ("health", "living", "education", "income", "access")]
    session, csrf = session_client(world, "national")
    page = decoded(page_callback(session, "/pivot", f"?year={YEAR}&area=75&rows=dimension&cols=crisis&value=share", csrf))
    assert "pivot-table" in page and "ขาดตั้งแต่ 3 มิติ" in page


# --- Story ------------------------------------------------------------------------------------------------------


def _api_value(client, api: str, field: str):
    body = client.get(api).get_json()
    if field.startswith("items["):
        key, rest = field[6:].split("].", 1)  # an area's code, or a trend item's year
        return next(i for i in body["items"] if str(i.get("code", i.get("year"))) == key)[rest]
    if field == "open_needs.*":
        return sum(body["open_needs"].values())
    head, _, key = field.partition(".")  # indicator codes have a dot of their own: split once
    return body[head][key] if key else body[head]


@pytest.mark.parametrize("code", ["TH", "75", "7501", "750102"])
@pytest.mark.parametrize("lang", ["th", "en"])
def test_story_numbers_equal_the_api(world, client, code, lang):
    paras = compose(story_da.facts(code, YEAR), lang, f"?year={YEAR}")
    numbers = [s for p in paras for s in p if isinstance(s, dict)]
    assert len(paras) >= 3 and len(numbers) >= 5
    for n in numbers:
        assert n["value"] == _api_value(client, n["api"], n["field"]), n
        assert n["href"].startswith(("/area/", "/?"))
    again = compose(story_da.facts(code, YEAR), lang, f"?year={YEAR}")
    assert again == paras  # reproducible: same figures, same words


def test_story_page(world):
    session, csrf = session_client(world, "national")
    page = decoded(page_callback(session, "/area/75/story", f"?year={YEAR}", csrf))
    assert "สมุทรสงคราม มีคนจนเป้าหมาย" in page and "tp-num" in page
    page = decoded(page_callback(session, "/area/75/story", f"?year={YEAR}&lang=en", csrf))
    assert "Samut Songkhram has" in page
