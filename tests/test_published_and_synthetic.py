"""TPMAP's published 2561 figures, and the synthetic population calibrated to them (both backends)."""

from __future__ import annotations

import hashlib
import re

import pandas as pd
import pytest
import shapely
from sqlalchemy import text

import config
from data_access.figures import area_summary, children_summaries
from data_access.published import compare_sources, import_published
from data_access.survey_import import SurveyImport
from mpi.rules import citizen_id_problem, dimensions_of
from synthetic.population import generate

YEAR = 2561


@pytest.fixture(scope="module")
def published(isolated_engine):
    return import_published(YEAR, config.DOMAIN_DIR, isolated_engine)


def test_national_figures_are_tpmaps_own(published, isolated_engine):
    th = area_summary("TH", YEAR, engine=isolated_engine, source="published")
    assert th["target_poor_persons"] == 1_032_987
    assert th["surveyed_persons"] == 36_647_817 and th["surveyed_households"] == 12_935_866
    assert th["poor_persons"] == 4_405_684
    assert th["dimension_target_poor"] == {
        "health": 217_081,
        "living": 244_739,
        "education": 378_080,
        "income": 376_091,
        "access": 6_490,
    }
    assert th["crisis_persons"] == 26_999
    assert th["deprived_dimensions_target_poor"] == {"1": 873_201, "2": 132_787, "3": 24_339, "4": 2_611, "5": 49}
    assert th["indicator_target_poor"]["3.2"] == 276_750
    assert th["target_poor_households"] is None  # not published: null, not invented
    assert th["intensity"] == pytest.approx(0.237, abs=0.001)


def test_every_dimension_switch_equals_tpmaps_union_counts(published, isolated_engine):
    """TPMAP published the count for each of the 31 selections; our pattern sums must equal each one."""
    rows = pd.read_csv(config.DOMAIN_DIR / "tpmap_2561_province_patterns.csv", dtype={"area_code": str, "pattern_HLEIA": str})
    for code in ("58", "50"):
        for r in rows[rows["area_code"] == code].itertuples():
            mask = int(r.pattern_HLEIA, 2)
            got = area_summary(code, YEAR, mask, engine=isolated_engine, source="published")
            assert got["target_poor_persons"] == r.union_target_poor, (code, dimensions_of(mask))
            assert got["poor_persons"] == r.union_persons, (code, dimensions_of(mask))


def test_samut_songkhram_star_shows_income_and_education(published, isolated_engine):
    dims = area_summary("75", YEAR, engine=isolated_engine, source="published")["dimension_target_poor"]
    assert sorted(dims, key=dims.get, reverse=True)[:2] == ["income", "education"]


def test_municipal_units_are_areas_before_the_published_figures_arrive(published, isolated_engine):
    # the boundary import made them (issue 12): the published import finds them there and creates none
    assert "110151" not in published.created_without_geometry
    children = {c["code"]: c for c in children_summaries("1101", YEAR, engine=isolated_engine)}
    unit = children["110151"]
    assert unit["level"] == "municipality" and unit["target_poor_persons"] >= 0
    assert unit["name_th"] == "เขตเทศบาล 1 ของอำเภอเมืองสมุทรปราการ (110151)" and len(unit["point"]) == 2


@pytest.fixture(scope="module")
def synthetic_75(tmp_path_factory):
    out = tmp_path_factory.mktemp("synthetic")
    counts = generate(YEAR, out, config.DOMAIN_DIR, config.GEO_DIR, ["75"], seed=7)
    return out, counts


def test_generator_is_deterministic(synthetic_75, tmp_path):
    out, _ = synthetic_75
    again = generate(YEAR, tmp_path / "again", config.DOMAIN_DIR, config.GEO_DIR, ["75"], seed=7)
    assert again == synthetic_75[1]
    for name in ("households.csv", "persons.csv", "failures.csv"):
        assert (
            hashlib.sha256((out / name).read_bytes()).digest()
            == hashlib.sha256((tmp_path / "again" / name).read_bytes()).digest()
        )
    other = generate(YEAR, tmp_path / "other", config.DOMAIN_DIR, config.GEO_DIR, ["75"], seed=8)
    assert (tmp_path / "other" / "persons.csv").read_bytes() != (out / "persons.csv").read_bytes()
    assert other["households.csv"] == again["households.csv"]  # calibrated counts do not depend on the seed


def test_generated_people_look_real(synthetic_75):
    out, _ = synthetic_75
    persons = pd.read_csv(out / "persons.csv", dtype=str)
    households = pd.read_csv(out / "households.csv", dtype={"tambon_code": str})
    assert persons["citizen_id"].str.fullmatch(r"900\d{10}").all()
    assert all(citizen_id_problem(c) is None for c in persons["citizen_id"].sample(500, random_state=1))
    assert set(persons["sex"]) == {"M", "F"}
    ages = 2017 - persons["birth_date"].str[:4].astype(int)
    assert ages.min() >= 0 and ages.max() < 110 and (ages < 15).any() and (ages >= 60).any()
    cards = persons[persons["welfare_card"] == "1"]
    assert (2017 - cards["birth_date"].str[:4].astype(int) >= 17).mean() > 0.95
    sizes = persons.groupby("house_id").size()
    assert 1 <= sizes.min() and 2 < sizes.mean() < 4
    assert re.fullmatch(r"[\u0e00-\u0e7f]+", persons["first_name"].iloc[0])
    import geopandas as gpd

    tambons = gpd.read_file(config.GEO_DIR / "tambons.geojson").set_index("code")
    amphoes = gpd.read_file(config.GEO_DIR / "amphoes.geojson").set_index("code")
    sample = households.dropna(subset=["latitude"]).sample(300, random_state=2)
    # a municipal unit has no polygon: its households are placed inside its amphoe
    inside = [
        (tambons.geometry[r.tambon_code] if r.tambon_code in tambons.index else amphoes.geometry[r.tambon_code[:4]]).covers(
            shapely.Point(r.longitude, r.latitude)
        )
        for r in sample.itertuples()
    ]
    assert all(inside)
    units = households[households["tambon_code"].str[4:].astype(int) >= 51]
    assert len(units) and units["latitude"].notna().any()


def test_generated_households_can_exist(tmp_path):
    """Issue 31: households whose failures nobody in them can have (750151000034, members of 28 and 1, failing 4.2
    "aged 60+ have an occupation"; 750103000000, aged 38, 37 and three of 15, failing 3.2 "children of 6-14 at
    school"), births after the survey, village numbers with gaps. Fast: a few tambons of 75, those the issue names."""
    from mpi import catalogue
    from synthetic.population import PointSampler, generate_tambon, load_targets
    from tests.utils.plausible import born_after_the_survey, impossible_failures, village_gaps

    wanted = {"750101", "750102", "750103", "750151", "750312"}
    indicators = list(catalogue.indicators_for_year(YEAR))
    checked = 0
    for t in (t for t in load_targets(config.DOMAIN_DIR, YEAR, ["75"]) if t.code in wanted):
        folder = tmp_path / t.code
        folder.mkdir()
        for name, frame in zip(
            ("households.csv", "persons.csv", "failures.csv"),
            generate_tambon(t, YEAR, 7, 1, PointSampler(None), indicators),
            strict=True,
        ):
            frame.to_csv(folder / name, index=False)
        assert impossible_failures(folder, YEAR) == [], t.code
        assert born_after_the_survey(folder, YEAR) == 0 and village_gaps(folder) == {}, t.code
        checked += len(pd.read_csv(folder / "failures.csv"))
    assert checked > 100  # something was checked


def test_synthetic_75_can_exist(synthetic_75):
    from tests.utils.plausible import born_after_the_survey, impossible_failures, village_gaps

    out, _ = synthetic_75
    assert impossible_failures(out, YEAR) == [] and born_after_the_survey(out, YEAR) == 0 and village_gaps(out) == {}


def test_synthetic_rollups_equal_published_tambon_figures(published, synthetic_75, isolated_engine):
    out, _ = synthetic_75
    SurveyImport(YEAR, out, isolated_engine).run()
    with isolated_engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT r.area_code, r.pattern, r.source, r.households, r.persons, r.welfare_persons "
                "FROM area_pattern_rollup r JOIN area a ON a.code = r.area_code "
                "WHERE r.year = :y AND r.area_code LIKE '75%'"
            ),
            {"y": YEAR},
        ).all()
        ind = conn.execute(
            text(
                "SELECT area_code, indicator_code, source, welfare_persons FROM area_indicator_rollup "
                "WHERE year = :y AND area_code LIKE '75%'"
            ),
            {"y": YEAR},
        ).all()
    cells: dict = {}
    for code, pattern, source, *values in rows:
        cells.setdefault((code, pattern), {})[source] = tuple(values)
    differing = [k for k, v in cells.items() if v.get("survey", (0, 0, 0)) != v.get("published", (0, 0, 0))]
    assert len(cells) > 500 and differing == []
    inds: dict = {}
    for code, i, source, v in ind:
        inds.setdefault((code, i), {})[source] = v
    off = [
        (k, v) for k, v in inds.items() if abs(v.get("survey", 0) - v.get("published", 0)) > max(2, 0.05 * v.get("published", 0))
    ]
    assert off == []
    agree = compare_sources(YEAR, "tambon", isolated_engine)
    assert agree and all(r["target_poor_persons"][0] == r["target_poor_persons"][1] for r in agree)
    assert area_summary("75", YEAR, engine=isolated_engine)["source"] == "survey"  # microdata wins


def test_ranking_by_both_crisis_rules_equals_the_derived_counts(published, isolated_engine):
    import csv

    from data_access.figures import ranking
    from mpi.rules import CRISIS_RULES

    with open(config.DOMAIN_DIR / "tpmap_2561_province_deprivation_count_DERIVED.csv", encoding="utf-8") as f:
        derived = {r["province_code"]: r for r in csv.DictReader(f)}
    for key, column in (("ge3", "tp_ge3_dims"), ("basic_needs", "tp_health_and_living_and_income")):
        rows = ranking("TH", YEAR, CRISIS_RULES[key], engine=isolated_engine)
        assert [r["rank"] for r in rows] == list(range(1, len(rows) + 1))
        assert all(a["crisis"] >= b["crisis"] for a, b in zip(rows, rows[1:], strict=False))
        for r in rows:
            assert r["crisis"] == int(derived[r["code"]][column]), (key, r["code"])
    assert rows and ranking("TH", YEAR, CRISIS_RULES["ge3"], engine=isolated_engine)[0]["code"] == "50"  # Chiang Mai first


def test_ranking_api_answers_json_and_csv(published, isolated_engine, monkeypatch):
    monkeypatch.setenv("TPMAP_DATABASE_URL", isolated_engine.url.render_as_string(hide_password=False))
    from app import create_app

    client = create_app().server.test_client()
    body = client.get(f"/api/v1/areas/58/ranking?year={YEAR}&by=custom&k=2&required=education").get_json()
    assert body["rule"] == {"key": "custom", "min_dimensions": 2, "required": ["education"]}
    assert all(i["crisis"] <= i["target_poor_persons"] for i in body["items"]) and body["items"]
    csv_ = client.get(f"/api/v1/areas/TH/ranking?year={YEAR}&format=csv")
    assert csv_.mimetype == "text/csv" and "เชียงใหม่" in csv_.get_data(as_text=True)
    assert client.get(f"/api/v1/areas/TH/ranking?year={YEAR}&by=custom").status_code == 400


def test_ranking_all_tambons_of_a_province(published, isolated_engine):
    import csv

    from data_access.figures import ranking
    from mpi.rules import CRISIS_RULES, PatternCount, crisis_count, pattern_from_string

    rows = ranking("58", YEAR, CRISIS_RULES["ge3"], level="tambon", engine=isolated_engine)
    expected: dict[str, list] = {}
    with open(config.DOMAIN_DIR / "tpmap_2561_tambon_patterns.csv", encoding="utf-8") as f:
        for r in csv.DictReader(f):
            if r["area_code"].startswith("58"):
                expected.setdefault(r["area_code"], []).append(
                    PatternCount(pattern_from_string(r["pattern_HLEIA"]), 0, 0, int(r["exact_target_poor"]))
                )
    # municipal units are ranked with the tambons, labelled by their level (issue 12)
    assert {r["code"] for r in rows} == set(expected)
    assert all(r["level"] == ("municipality" if int(r["code"][4:]) >= 51 else "tambon") for r in rows)
    for r in rows:
        assert r["crisis"] == crisis_count(expected[r["code"]], CRISIS_RULES["ge3"]), r["code"]
    with pytest.raises(ValueError):
        ranking("58", YEAR, CRISIS_RULES["ge3"], level="village", engine=isolated_engine)


def test_every_amphoes_children_add_up_and_every_target_poor_is_drawn(published, isolated_engine):
    """Issue 12: for every amphoe (published 2561), the children's figures sum to the amphoe's, each child with
    target poor is on the map (a polygon, a tambon counted under it, or a symbol), and each municipal unit's
    point lies inside its amphoe."""
    import shapely

    from components.figures import map_layers
    from data_access.areas import children_with_geometry
    from data_access.figures import area_summary

    with isolated_engine.connect() as conn:
        geom = "ST_AsBinary(geom)" if isolated_engine.dialect.name == "postgresql" else "geom"
        amphoes = {
            c: shapely.from_wkb(bytes(g))
            for c, g in conn.execute(text(f"SELECT code, {geom} FROM area WHERE level = 'amphoe' AND has_geometry"))
        }
        with_published = list(
            conn.execute(
                text(
                    "SELECT DISTINCT s.area_code FROM area_rollup_source s JOIN area a ON a.code = s.area_code "
                    "WHERE s.year = :y AND s.source = 'published' AND a.level = 'amphoe' ORDER BY 1"
                ),
                {"y": YEAR},
            ).scalars()
        )
    assert len(with_published) == 878
    units = drawn_units = 0
    for amphoe in with_published:
        total = area_summary(amphoe, YEAR, engine=isolated_engine, source="published")
        children = children_summaries(amphoe, YEAR, engine=isolated_engine, include_counted_under=True)
        counted = [c for c in children if c.get("counted_under") is None]
        for field in ("target_poor_persons", "surveyed_persons", "crisis_persons"):
            assert sum(c[field] for c in counted) == total[field], (amphoe, field)
        polygons, symbols = map_layers(children, set(children_with_geometry(amphoe, isolated_engine)), "th")
        on_map = {p["code"] for p in polygons} | {s["code"] for s in symbols}
        carried = {c["counted_under"] for c in children if c.get("counted_under")}
        for c in counted:
            if c["target_poor_persons"]:
                assert c["code"] in on_map or c["code"] in carried, (amphoe, c["code"])
        for s in symbols:
            assert amphoes[amphoe].covers(shapely.Point(*s["point"])), (amphoe, s["code"], s["point"])
            drawn_units += 1
        units += sum(1 for c in children if c["level"] == "municipality")
    assert units == 593 and 0 < drawn_units <= units


def test_a_tambon_counted_under_a_unit_says_where_its_people_are(published, isolated_engine):
    items = {c["code"]: c for c in children_summaries("7501", YEAR, engine=isolated_engine, include_counted_under=True)}
    assert items["750101"]["counted_under"] == "750151" and items["750101"]["target_poor_persons"] is None
    assert items["750151"]["level"] == "municipality" and items["750151"]["surveyed_persons"] > 0


def test_a_municipal_households_pin_is_drawn_in_a_boundary(published, isolated_engine, use_engine):
    """Issue 31, 4: a household of a municipal unit (a point, no boundary of its own) showed a lone dot on white. Its
    pin is drawn in the tambons whose people the unit counts (750151: แม่กลอง), else in its amphoe's tambons."""
    from app import create_app
    from data_access.areas import children_with_geometry, get_area

    create_app()  # a page module registers itself with the app
    from pages.household_card import _boundaries

    unit = get_area("750151", isolated_engine)
    assert unit is not None and not unit["has_geometry"]
    assert [codes for codes, _, _ in _boundaries("750151", unit)] == [["750101"]]
    # a unit no tambon is counted under: its amphoe's tambons around the pin
    drawn = _boundaries("500151", get_area("500151", isolated_engine) or {})
    assert [codes for codes, _, _ in drawn] == [children_with_geometry("5001", isolated_engine)]


def test_the_country_map_names_every_province_with_room_over_a_halo(published, isolated_engine, monkeypatch):
    """Issue 31: Chiang Mai, the largest province, was left unnamed and 23 of 77 names were written; names are
    placed by the room their area has, in dark letters on a white halo that reads on any fill. The map of every
    tambon draws no municipal dots over the country (it says how many it leaves to the amphoes' maps)."""
    monkeypatch.setenv("TPMAP_DATABASE_URL", isolated_engine.url.render_as_string(hide_password=False))
    from app import create_app
    from components.figures import HALO
    from components.view import View
    from pages._area_shared import area_parts

    app = create_app()
    with app.server.test_request_context("/"):
        counts = {}
        for present in (False, True):
            fig = area_parts("TH", View(year=YEAR, present=present))["figure"]
            names = next(tr for tr in fig["data"] if tr.get("name") == "names")
            assert "เชียงใหม่" in names["text"]
            assert names["textfont"]["color"] == "#111" and names["textfont"]["shadow"] == HALO
            assert min(names["textfont"]["size"]) >= (24 if present else 8.8)  # a projector's are never under 24 px
            counts[present] = len(names["text"])
        assert counts[False] >= 30 and counts[True] >= 23
        national = area_parts("TH", View(year=YEAR, maplevel="tambon"))
    assert not any(tr.get("mode") == "markers" for tr in national["figure"]["data"])
    note = [p for p in national["details"] if getattr(p, "id", None) == "municipal-note"]
    assert note and 400 < int(re.search(r"[0-9]+", note[0].children).group()) <= 593  # the units without a tambon's shape


def test_a_survey_imports_without_the_published_figures(synthetic_75, isolated_engine):
    """Issue 12: import-boundaries → generate-population → import-survey, no published figures in between:
    the municipal units are in the tree already, so their households are accepted and listed like a tambon's."""
    from data_access.households import list_target_poor_households
    from tests.utils.world import NATIONAL

    out, _ = synthetic_75
    report = SurveyImport(YEAR, out, isolated_engine).run()
    assert report.households > 6000
    unit = next(c for c in children_summaries("7501", YEAR, engine=isolated_engine) if c["code"] == "750151")
    assert unit["level"] == "municipality" and unit["source"] == "survey" and unit["surveyed_persons"] > 0
    # listed and scoped like a tambon's: the unit's list holds only its own households (its target poor, if any)
    listed = list_target_poor_households("750151", YEAR, user=NATIONAL, engine=isolated_engine, page_size=5000)
    assert listed["total"] == unit["target_poor_households"]
    assert all(h["tambon_code"] == "750151" for h in listed["items"])
    with isolated_engine.connect() as conn:
        assert (
            conn.execute(text("SELECT COUNT(*) FROM household WHERE year = :y AND tambon_code = '750151'"), {"y": YEAR}).scalar()
            == unit["surveyed_households"]
            > 0
        )


@pytest.mark.parametrize("definition", [None, "all", "nocard"])
def test_a_ranking_sums_in_one_statement_what_each_areas_figures_say(published, isolated_engine, definition):
    """Issue 16: the ranking adds up pattern rows in the database (mpi.rules.ranking_measures); for every area,
    under every definition and dimension selection, its numbers are the area's own figures."""
    from data_access.db import reading
    from data_access.figures import _sources, figures_for_sources, ranked_areas, ranking
    from mpi.rules import CRISIS_RULES, crisis_rule, dimensions_mask

    custom = crisis_rule("custom", min_dimensions=2, required=["income"])
    # the source deck's rule with every dimension is read from the stored sums (area_measure_rollup), the rest summed
    for code, level, mask, rule in (
        (code, level, mask, rule)
        for code, level in (("TH", None), ("75", "tambon"), ("58", "tambon"))
        for mask in (31, dimensions_mask(["income", "health"]))
        for rule in (custom, CRISIS_RULES["ge3"])
    ):
        rows = ranking(code, YEAR, rule, mask, level=level, definition=definition, engine=isolated_engine)
        with reading(isolated_engine) as conn:
            areas = ranked_areas(conn, code, level)
            chosen = _sources(conn, YEAR, [a["code"] for a in areas])
            rules = (*CRISIS_RULES.values(), custom)
            ref = figures_for_sources(conn, YEAR, chosen, mask, rules, definition)
        assert {r["code"] for r in rows} == set(ref)
        for r in rows:
            f = ref[r["code"]]
            assert (r["surveyed_persons"], r["target_poor_persons"], r["crisis"]) == (
                f["surveyed_persons"],
                f["target_poor_persons"],
                f[f"crisis_{rule.key}"],
            ), (code, level, mask, rule.key, r["code"])
            assert (r["crisis_ge3"], r["crisis_basic_needs"]) == (f["crisis_ge3"], f["crisis_basic_needs"])


@pytest.mark.parametrize("definition", ["registered", "all", "nocard"])
def test_the_stored_sums_are_what_the_pattern_rows_add_up_to(published, isolated_engine, definition):
    """Issue 16: area_measure_rollup, refreshed on import, holds for every area and source exactly what summing its
    pattern rows gives (the published country and the survey's three provinces)."""
    from sqlalchemy import select

    from data_access import measures
    from data_access import models as tables

    asked = measures.stored_measures(definition)
    with isolated_engine.connect() as conn:
        stored = measures.sums(conn, YEAR, asked, select(tables.area.c.code), 31, definition)
        summed = {
            (r["area_code"], r["source"]): {k: int(r[k]) for k in asked}
            for r in conn.execute(measures.sum_select(YEAR, asked)).mappings()
        }
    assert stored == summed
    assert len(stored) > 8000 and {src for _, src in stored} == {"published", "survey"}
