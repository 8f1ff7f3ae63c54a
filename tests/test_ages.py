"""The life-course lens (issue 34, 2-3): the life-stage rollup adds up to the all-ages figures, and the API's
pinned `age=` and `/ages` answers, on both backends."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from sqlalchemy import text

import config
from data_access import ages
from data_access.figures import area_ages, area_summary, children_summaries, source_index
from data_access.published import import_published
from data_access.survey_import import SurveyImport
from mpi.editions import survey_date
from mpi.lifestages import SEXES, STAGE_KEYS, life_stage
from mpi.rules import ALL_DIMENSIONS_MASK, TARGET_DEFINITIONS
from synthetic.population import generate
from tests.utils.survey_factory import make_survey

YEAR = 2561  # the demo's edition (TPMAP's published figures and the generator's population)
FIXTURE_YEAR = 2562  # the small fixture's, in the same database
MASKS = range(ALL_DIMENSIONS_MASK + 1)  # every dimension choice, none selected included
SUMMED = ("surveyed_persons", "target_poor_persons", "crisis_persons")


@pytest.fixture(scope="module")
def fixture_db(isolated_engine, tmp_path_factory):
    """A small survey of two provinces (tests.utils.survey_factory) and nothing else."""
    survey = make_survey(n_households=240, seed=34, year=FIXTURE_YEAR)
    SurveyImport(FIXTURE_YEAR, survey.write(tmp_path_factory.mktemp("ages")), isolated_engine).run()
    return isolated_engine, survey


@pytest.fixture(scope="module")
def demo_db(fixture_db, tmp_path_factory):
    """As the demo: TPMAP's published 2561 figures for every area, the generator's 2561 population for a province."""
    engine, _ = fixture_db
    import_published(YEAR, config.DOMAIN_DIR, engine)
    out = tmp_path_factory.mktemp("synthetic")
    generate(YEAR, out, config.DOMAIN_DIR, config.GEO_DIR, ["75"], seed=34)
    SurveyImport(YEAR, out, engine).run()
    return engine


def _survey_areas(engine, year: int) -> list[str]:
    return sorted(c for c, s in source_index(engine).by_year[year].items() if s == "survey")


def _check_rows(engine, year: int) -> int:
    """Per area and household pattern, the stages' persons and card holders add up to the pattern rollup's: every
    figure of any dimension choice, crisis rule and definition is a sum over these, so this holds them all."""
    with engine.connect() as conn:
        stages = {
            (a, p): (n, w)
            for a, p, n, w in conn.execute(
                text(
                    "SELECT area_code, pattern, SUM(persons), SUM(welfare_persons) FROM area_stage_rollup "
                    "WHERE year = :y GROUP BY area_code, pattern"
                ),
                {"y": year},
            )
        }
        whole = {
            (a, p): (n, w)
            for a, p, n, w in conn.execute(
                text(
                    "SELECT area_code, pattern, persons, welfare_persons FROM area_pattern_rollup "
                    "WHERE year = :y AND source = 'survey' AND persons > 0"
                ),
                {"y": year},
            )
        }
    assert stages == whole
    return len(whole)


def _check_sums(engine, year: int) -> int:
    """Sum over stages and sexes == the all-ages figure, through the functions the API calls, for every definition
    and dimension choice, on the country (where the survey covers it), two provinces, amphoes and tambons."""
    checked = 0
    survey = _survey_areas(engine, year)
    sample = [c for n in (2, 4, 6) for c in [c for c in survey if len(c) == n][:2]] + [c for c in survey if c == "TH"]
    for code, definition, mask in itertools.product(sample, TARGET_DEFINITIONS, MASKS):
        whole = area_summary(code, year, mask, engine=engine, definition=definition)
        items = area_ages(code, year, mask, engine, definition=definition)
        assert {(i["stage"], i["sex"]) for i in items} == set(itertools.product(STAGE_KEYS, SEXES))
        for field in SUMMED:
            assert sum(i[field] for i in items) == whole[field], (code, definition, mask, field)
        checked += 1
    return checked


def test_the_stages_add_up_to_every_all_ages_figure_on_a_fixture(fixture_db):
    engine, _ = fixture_db
    assert _check_rows(engine, FIXTURE_YEAR) > 100
    assert _check_sums(engine, FIXTURE_YEAR) >= len(TARGET_DEFINITIONS) * len(MASKS) * 6


def test_each_person_is_in_the_stage_their_birth_date_gives(fixture_db):
    """The rollup's stage (a CASE on birth-date bounds, in SQL) is the one mpi.lifestages.life_stage gives."""
    engine, survey = fixture_db
    on = survey_date(FIXTURE_YEAR)
    tambon = {h["house_id"]: h["tambon_code"] for h in survey.households}
    expected: dict[tuple[str, str, str], int] = {}
    for p in survey.persons:
        key = (tambon[p["house_id"]], life_stage(dt.date.fromisoformat(p["birth_date"]), on, year=FIXTURE_YEAR), p["sex"])
        expected[key] = expected.get(key, 0) + 1
    with engine.connect() as conn:
        got = {
            (a, s, x): n
            for a, s, x, n in conn.execute(
                text(
                    "SELECT area_code, stage, sex, SUM(persons) FROM area_stage_rollup WHERE year = :y "
                    "AND length(area_code) = 6 GROUP BY area_code, stage, sex"
                ),
                {"y": FIXTURE_YEAR},
            )
        }
    assert got == expected
    assert {k[1] for k in expected} == set(STAGE_KEYS)  # the fixture has people of every stage


def test_the_stages_add_up_on_the_demo_and_published_areas_cannot_be_split(demo_db):
    assert "75" in _survey_areas(demo_db, YEAR)
    assert _check_rows(demo_db, YEAR) > 100
    assert _check_sums(demo_db, YEAR) >= len(TARGET_DEFINITIONS) * len(MASKS) * 5
    with pytest.raises(ages.CannotSplit) as refused:  # Chiang Mai: TPMAP's published figures only
        area_ages("50", YEAR, engine=demo_db)
    assert refused.value.status == 422 and "cannot be split" in str(refused.value)


def test_a_stage_restricts_the_area_and_its_children_to_its_persons(demo_db):
    whole = area_summary("75", YEAR, engine=demo_db)
    parts = [area_summary("75", YEAR, engine=demo_db, stage=s) for s in STAGE_KEYS]
    assert set(parts[0]) == set(whole) | {"age", "age_split"}  # the same fields, and which stage they count
    assert sum(p["target_poor_persons"] for p in parts) == whole["target_poor_persons"]
    assert all(p["surveyed_households"] is None and p["age"] == s for p, s in zip(parts, STAGE_KEYS, strict=True))
    elderly = area_summary("75", YEAR, engine=demo_db, stage="elderly")
    assert 0 < elderly["target_poor_persons"] < whole["target_poor_persons"]
    kids = {c["code"]: c for c in children_summaries("75", YEAR, engine=demo_db, stage="elderly")}
    assert sum(c["target_poor_persons"] for c in kids.values()) == elderly["target_poor_persons"]
    provinces = {c["code"]: c for c in children_summaries("TH", YEAR, engine=demo_db, stage="elderly")}
    assert provinces["75"]["age_split"] and provinces["75"]["target_poor_persons"] == elderly["target_poor_persons"]
    assert provinces["50"]["age_split"] is False and provinces["50"]["target_poor_persons"] is None
    with pytest.raises(ages.CannotSplit):
        area_summary("TH", YEAR, engine=demo_db, stage="elderly")


@pytest.fixture(scope="module")
def client(demo_db):
    import os

    saved = os.environ.get("TPMAP_DATABASE_URL")
    os.environ["TPMAP_DATABASE_URL"] = demo_db.url.render_as_string(hide_password=False)
    from app import create_app

    yield create_app().server.test_client()
    if saved is None:
        os.environ.pop("TPMAP_DATABASE_URL", None)
    else:
        os.environ["TPMAP_DATABASE_URL"] = saved


def test_the_pinned_ages_answer(client, demo_db):
    r = client.get(f"/api/v1/areas/75/ages?year={YEAR}&definition=all&dimensions=health,income")
    assert r.status_code == 200, r.get_json()
    items = r.get_json()["items"]
    assert len(items) == len(STAGE_KEYS) * len(SEXES)
    assert all(set(i) == {"stage", "sex", "surveyed_persons", "target_poor_persons", "crisis_persons"} for i in items)
    whole = client.get(f"/api/v1/areas/75?year={YEAR}&definition=all&dimensions=health,income").get_json()
    assert sum(i["target_poor_persons"] for i in items) == whole["target_poor_persons"]
    elderly = client.get(f"/api/v1/areas/75?year={YEAR}&age=elderly").get_json()
    assert elderly["age"] == "elderly" and set(elderly) >= set(whole)
    kids = client.get(f"/api/v1/areas/75/children?year={YEAR}&age=school").get_json()["items"]
    assert kids and all(k["age"] == "school" for k in kids if "age" in k)


@pytest.mark.parametrize(
    ("path", "status", "words"),
    [
        ("/api/v1/areas/50/ages?year=2561", 422, "cannot be split"),
        ("/api/v1/areas/TH?year=2561&age=elderly", 422, "cannot be split"),
        ("/api/v1/areas/75?year=2561&age=old", 400, "age must be one of infant"),
        ("/api/v1/areas/75/children?year=2561&age=60%2B", 400, "age must be one of"),
        ("/api/v1/areas/99/ages?year=2561", 404, "unknown area"),
    ],
)
def test_what_cannot_be_split_or_asked_says_so(client, path, status, words):
    r = client.get(path)
    assert r.status_code == status and words in r.get_json()["error"], (r.status_code, r.get_json())


def _page(client, path: str, search: str) -> str:
    from tests.utils.world import decoded, page_callback

    r = page_callback(client, path, search, None)
    assert r.status_code == 200
    return decoded(r)


def test_the_area_page_keeps_the_stage_in_its_links_and_draws_the_pyramid(client):
    page = _page(client, "/area/75", f"?year={YEAR}&age=elderly")
    assert "ctl-age" in page and "area-pyramid" in page and "stage-note" in page
    assert "ตัวเลขในหน้านี้นับเฉพาะผู้สูงอายุ (60 ปีขึ้นไป)" in page  # the stage said in Thai
    assert "age=elderly" in page  # the view's links keep it
    assert "วัยเรียน (6–14 ปี)" in page and '"fill": "toself"' in page  # the pyramid's Thai stage labels, its bars
    whole = _page(client, "/area/75", f"?year={YEAR}")
    assert "stage-note" not in whole and "area-pyramid" in whole
    elderly = area_summary("75", YEAR, engine=None, stage="elderly")
    assert f"{elderly['target_poor_persons']:,}" in page  # the cards count the stage


def test_a_published_area_says_it_cannot_be_split(client):
    page = _page(client, "/area/50", f"?year={YEAR}&age=elderly")
    assert "no-stage-split" in page and "แยกตามช่วงวัยไม่ได้" in page
    assert "area-pyramid" not in _page(client, "/area/50", f"?year={YEAR}")  # no microdata: no pyramid


def test_a_stage_costs_no_more_statements_than_all_ages(client, monkeypatch):
    """As tests/test_queries.py counts them: a page with a life stage chosen asks no more than one without."""
    from sqlalchemy import event

    from data_access.db import get_engine
    from tests.utils.world import page_callback

    monkeypatch.setenv("TPMAP_PAGE_CACHE_SECONDS", "0")  # every render renders

    def render(search: str) -> int:
        seen: list[str] = []
        page_callback(client, "/area/75", search, None)  # warms the caches
        engine = get_engine()

        def count(conn, cursor, statement, *_):
            seen.append(statement)

        event.listen(engine, "before_cursor_execute", count)
        try:
            assert page_callback(client, "/area/75", search, None).status_code == 200
        finally:
            event.remove(engine, "before_cursor_execute", count)
        assert not [s for s in seen if "FROM person" in s or "FROM household" in s]
        return len(seen)

    assert render(f"?year={YEAR}&age=elderly") <= render(f"?year={YEAR}")


@pytest.mark.parametrize("member", ["elderly_alone", "school_child_3_2", "disabled"])
def test_household_lists_by_life_stage(demo_db, member):
    """Each filter lists exactly the target-poor households its words say, ages counted on the survey date (the
    expectation computed here in Python from the members, the list in SQL)."""
    from data_access.households import list_target_poor_households
    from tests.utils.world import NATIONAL

    def listed(**kw) -> set[str]:
        r = list_target_poor_households("75", YEAR, page_size=100_000, user=NATIONAL, engine=demo_db, **kw)
        return {h["house_id"] for h in r["items"]}

    everyone = listed()
    with demo_db.connect() as conn:
        members = conn.execute(
            text(
                "SELECT h.house_id, p.birth_date, p.disabled, h.n_persons, "
                "EXISTS (SELECT 1 FROM household_failure f WHERE f.household_id = h.id AND f.indicator_code = '3.2') "
                "FROM person p JOIN household h ON h.id = p.household_id WHERE h.year = :y AND h.tambon_code LIKE '75%'"
            ),
            {"y": YEAR},
        ).all()
    on = survey_date(YEAR)
    wanted: set[str] = set()
    for house, born, disabled, n, fails_3_2 in members:
        stage = life_stage(born if isinstance(born, dt.date) else dt.date.fromisoformat(born), on, year=YEAR)
        if (
            (member == "elderly_alone" and n == 1 and stage == "elderly")
            or (member == "school_child_3_2" and stage == "school" and fails_3_2)
            or (member == "disabled" and disabled)
        ):
            wanted.add(house)
    got = listed(member=member)
    assert got == wanted & everyone
    assert got, member  # the demo has such households: the filter is not trivially empty


def test_the_household_api_refuses_an_unknown_member_filter(client):
    r = client.get(f"/api/v1/areas/75/households?year={YEAR}&member=teenager")
    assert r.status_code in (400, 401)  # signed out: asked to sign in first; signed in: told the choices


def test_the_household_card_says_whom_each_failed_indicator_concerns(demo_db):
    """A scoped indicator names the members within its scope on the survey date; the others the whole household."""
    from data_access.households import get_household, list_target_poor_households
    from mpi import catalogue
    from tests.utils.world import NATIONAL

    houses = list_target_poor_households("75", YEAR, page_size=400, user=NATIONAL, engine=demo_db)["items"]
    scopes = {i.code: i for i in catalogue.indicators_for_year(YEAR)}
    on = survey_date(YEAR)
    scoped_seen = 0
    for item in houses[:60]:
        h = get_household(item["house_id"], YEAR, user=NATIONAL, engine=demo_db)
        assert h is not None
        for f in h["failed_indicators"]:
            ind = scopes[f["code"]]
            if not ind.scoped:
                assert f["concerns"] is None
                continue
            scoped_seen += 1
            age_of = {m["member"]: m["age"] for m in h["members"]}  # on the survey's last day
            assert f["concerns"], f  # the import refuses a failure with nobody in scope during the interviews
            for n in f["concerns"]:
                lo, hi = ind.min_age or 0, ind.max_age if ind.max_age is not None else 200
                # within the scope on some day of the interviews: a year older at most by their end
                assert lo <= age_of[n] <= hi + 1 or ind.disabled_member, (f, age_of[n], on)
    assert scoped_seen > 0
