"""Issue 15: editions over time. Flows on a two-edition fixture computed by hand, on both backends; the trend
equals the per-year figures; headline figures equal the shared files; the definition switch of 2567; the
synthetic panel keeps its people and follows the published ratio."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

import config
from data_access import editions, flows
from data_access.figures import area_summary
from data_access.survey_import import SurveyImport
from mpi.editions import EDITIONS, MPI_AND_CARD, MPI_ONLY, comparable_indicators, edition
from tests.utils.survey_factory import Survey, make_citizen_id

T1, T2 = "750101", "750102"  # two tambons of amphoe 7501 (Mueang Samut Songkhram)


def _person(n: int, house: str, card: int, born: str = "1970-01-01") -> dict:
    return {
        "citizen_id": make_citizen_id(700 + n),
        "house_id": house,
        "first_name": f"คน{n}",
        "last_name": "ทดสอบ",
        "sex": "F" if n % 2 else "M",
        "birth_date": born,
        "welfare_card": card,
        "disabled": 0,
    }


def _house(house: str, tambon: str) -> dict:
    return {"house_id": house, "tambon_code": tambon, "village_no": 1, "latitude": "", "longitude": ""}


def two_editions() -> tuple[Survey, Survey]:
    """2561: H1 (T1) poor with P1, P2 carded and P3 not; H2 (T1) not poor, P4 carded; H3 (T2) poor, P5 carded;
    H4 (T1) poor, P6 carded. 2562: P2 died; H2 fell into poverty and had a baby (P7); H3 got out; H4 moved to T2
    as H4B (a new house_id, the same person); H5 (T2) was surveyed for the first time: poor, and nobody in it holds
    a card (P8, an elder), so it counts only under the "all" and "no card" definitions."""
    a = Survey(
        households=[_house("H1", T1), _house("H2", T1), _house("H3", T2), _house("H4", T1)],
        persons=[_person(1, "H1", 1), _person(2, "H1", 1), _person(3, "H1", 0), _person(4, "H2", 1)]
        + [_person(5, "H3", 1), _person(6, "H4", 1)],
        failures=[{"house_id": "H1", "indicator": "1.2"}, {"house_id": "H3", "indicator": "4.1"}]
        + [{"house_id": "H4", "indicator": "3.4"}],
    )
    b = Survey(
        households=[_house("H1", T1), _house("H2", T1), _house("H3", T2), _house("H4B", T2), _house("H5", T2)],
        persons=[_person(1, "H1", 1), _person(3, "H1", 0), _person(4, "H2", 1), _person(7, "H2", 0, "2018-03-01")]
        + [_person(5, "H3", 1), _person(6, "H4B", 1), _person(8, "H5", 0, "1950-01-01")],
        failures=[{"house_id": "H1", "indicator": "1.2"}, {"house_id": "H2", "indicator": "4.1"}]
        + [{"house_id": "H4B", "indicator": "3.4"}, {"house_id": "H5", "indicator": "5.1"}],
    )
    return a, b


@pytest.fixture(scope="module")
def two(isolated_engine, tmp_path_factory):
    a, b = two_editions()
    folder = tmp_path_factory.mktemp("editions")
    SurveyImport(2561, a.write(folder / "a"), isolated_engine).run()
    SurveyImport(2562, b.write(folder / "b"), isolated_engine).run()
    return isolated_engine


EXPECTED = {  # by hand from the docstring of two_editions
    T1: dict(stayed_persons=1, exited_persons=0, left_survey_persons=2, entered_persons=1)
    | dict(stayed_households=1, exited_households=0, left_survey_households=1, entered_households=1),
    T2: dict(stayed_persons=0, exited_persons=1, left_survey_persons=0, entered_persons=1)
    | dict(stayed_households=0, exited_households=1, left_survey_households=0, entered_households=1),
    # H4 moved inside 7501 (a new house_id, the same person): for the amphoe it stayed, as P6 did (issue 31, 4);
    # followed by house_id alone it had "left" with nobody leaving
    "7501": dict(stayed_persons=2, exited_persons=1, left_survey_persons=1, entered_persons=1)
    | dict(stayed_households=2, exited_households=1, left_survey_households=0, entered_households=1),
}


@pytest.mark.parametrize("code", list(EXPECTED))
def test_flows_on_a_fixture_computed_by_hand(two, code):
    got = flows.flows(code, 2561, 2562, engine=two)
    assert {k: got[k] for k in EXPECTED[code]} == EXPECTED[code]
    before = area_summary(code, 2561, engine=two)["target_poor_persons"]
    after = area_summary(code, 2562, engine=two)["target_poor_persons"]
    assert before == got["stayed_persons"] + got["exited_persons"] + got["left_survey_persons"]
    assert after == got["stayed_persons"] + got["entered_persons"]


@pytest.mark.parametrize("definition", ["registered", "all", "nocard"])
def test_no_flow_has_more_households_than_persons(two, definition):
    """Issue 31, 4: "left the survey" was 4 persons but 11 households in Samut Songkhram: a household that moved got
    a new house_id and was followed by it alone, while its people (followed by citizen ID) stayed. Households are
    followed by their people where their address changed, so every household in a flow brings a person into it."""
    for code in (T1, T2, "7501", "75", "TH"):
        for dimension in flows.FLOW_DIMENSIONS:
            got = flows.flows(code, 2561, 2562, engine=two, definition=definition, dimension=dimension)
            for kind in ("stayed", "exited", "entered", "left_survey"):
                assert got[f"{kind}_persons"] >= got[f"{kind}_households"], (code, dimension, kind, got)


def test_flows_api_is_pinned_and_refuses_what_it_cannot_know(two, monkeypatch):
    monkeypatch.setenv("TPMAP_DATABASE_URL", two.url.render_as_string(hide_password=False))
    from app import create_app

    client = create_app().server.test_client()
    body = client.get("/api/v1/areas/7501/flows?from=2561&to=2562").get_json()
    pinned = {"from", "to", "stayed_persons", "exited_persons", "entered_persons", "left_survey_persons"}
    assert pinned | {"stayed_households", "exited_households", "entered_households"} <= set(body)
    assert (body["from"], body["to"], body["stayed_persons"]) == (2561, 2562, 2)
    assert client.get("/api/v1/areas/58/flows?from=2561&to=2562").status_code == 404  # no microdata there
    assert client.get("/api/v1/areas/7501/flows?from=2562&to=2561").status_code in (400, 404)
    assert client.get("/api/v1/areas/7501/flows?from=abc&to=2562").status_code == 400
    trend = client.get("/api/v1/areas/7501/trend").get_json()["items"]
    assert [(i["year"], i["source"]) for i in trend] == [(2561, "survey"), (2562, "survey")]
    for item in trend:  # the trend equals the per-year figures
        f = area_summary("7501", item["year"], engine=two)
        assert (item["target_poor_persons"], item["surveyed_persons"], item["crisis_persons"]) == (
            f["target_poor_persons"],
            f["surveyed_persons"],
            f["crisis_persons"],
        )
    years = [e["year"] for e in client.get("/api/v1/editions").get_json()["items"]]
    assert years == sorted(years) and {2561, 2562, 2565, 2566, 2567} <= set(years)


def test_a_later_import_links_every_staying_person(two):
    """Everyone in both editions is followed by citizen ID: the country's flows account for every target poor."""
    th = flows.flows("TH", 2561, 2562, engine=two)
    assert th["stayed_persons"] + th["exited_persons"] + th["left_survey_persons"] == 4
    assert th["stayed_persons"] + th["entered_persons"] == 3


def test_headline_figures_equal_the_shared_files(isolated_engine):
    for year in (2562, 2565, 2566):
        editions.import_headlines(year, config.DOMAIN_DIR, isolated_engine)
    with open(config.DOMAIN_DIR / "tpmap_national_totals.csv", encoding="utf-8", newline="") as f:
        national = {int(r["tpmap_year_label_be"]): r for r in csv.DictReader(f)}
    rows = {h["year"]: h for h in editions.headlines("TH", isolated_engine)}
    assert rows[2562]["target_poor_persons"] == 983_316 and rows[2562]["status"].startswith("DERIVED")
    assert (rows[2565]["target_poor_persons"], rows[2565]["surveyed_persons"]) == (1_025_782, 36_103_806)
    assert (rows[2566]["target_poor_persons"], rows[2566]["surveyed_persons"]) == (655_365, 36_130_610)
    for year, r in rows.items():
        assert str(r["target_poor_persons"] or "") == national[year]["target_poor_persons"]
        assert r["source_url"] == national[year]["source_url"]
    chiang_mai = {h["year"]: h for h in editions.headlines("50", isolated_engine)}
    assert chiang_mai[2565]["target_poor_persons"] == 52_928 and chiang_mai[2565]["rank"] == 1
    assert chiang_mai[2566]["target_poor_persons"] is None  # the press named it without a count: never invented
    trend = editions.trend("50", engine=isolated_engine)
    assert [i["year"] for i in trend] == [2565]  # a name without a number is no point on a trend
    with pytest.raises(editions.HeadlineError):
        editions.import_headlines(2570, config.DOMAIN_DIR, isolated_engine)


def test_the_definition_switch_of_2567():
    assert [EDITIONS[y].definition for y in (2561, 2562, 2565, 2566)] == [MPI_AND_CARD] * 4
    assert EDITIONS[2567].definition == MPI_ONLY and not EDITIONS[2567].needs_card
    assert edition(2563).definition == MPI_AND_CARD and edition(2568).definition == MPI_ONLY
    assert comparable_indicators(2561, 2562) and not comparable_indicators(2561, 2567)
    # 2567 counts every MPI-poor person (its own definition is the switch's "all"); the editions before, card holders
    assert [edition(y).target_definition for y in (2561, 2566, 2567)] == ["registered", "registered", "all"]
    assert flows.pair_definition(2561, 2562) == "registered" and flows.pair_definition(2566, 2567) == "edition"


def test_the_panel_keeps_its_people_and_follows_the_published_ratio(tmp_path):
    import pandas as pd

    from synthetic.panel import evolve, province_ratio, published_ratio
    from synthetic.population import generate

    generate(2561, tmp_path / "61", config.DOMAIN_DIR, None, ["75"], seed=5)
    evolve(tmp_path / "61", 2562, tmp_path / "62", config.DOMAIN_DIR, None, seed=5)

    def read(d: Path):
        p = pd.read_csv(d / "persons.csv", dtype=str)
        f = pd.read_csv(d / "failures.csv", dtype=str)
        return p, p[p["house_id"].isin(set(f["house_id"])) & (p["welfare_card"] == "1")]

    p1, tp1 = read(tmp_path / "61")
    p2, tp2 = read(tmp_path / "62")
    kept = set(p1["citizen_id"]) & set(p2["citizen_id"])
    assert 0.95 * len(p1) < len(kept) < len(p1)  # most stay, some die
    assert p2["citizen_id"].is_unique and len(set(p2["citizen_id"]) - kept) > 0  # births with IDs of their own
    ratio = published_ratio(config.DOMAIN_DIR, 2561, 2562)
    assert abs(ratio - 983_316 / 1_032_987) < 1e-12
    # each province its own change around the country's: Samut Songkhram's, not the national -4.8 % everywhere
    assert abs(len(tp2) / len(tp1) - province_ratio(ratio, "75")) < 0.02
    assert len({round(province_ratio(ratio, p), 3) for p in ("50", "58", "75")}) == 3
    assert abs(sum(province_ratio(ratio, f"{p:02d}") for p in range(10, 97)) / 87 - ratio) < 0.01  # the country's on average
    assert 0 < len(set(tp1["citizen_id"]) - set(tp2["citizen_id"])) < len(tp1)  # some got out, not all
    # issue 31: a year on, nobody fails an indicator they have grown out of, a mover's village is one of its tambon's
    from tests.utils.plausible import born_after_the_survey, impossible_failures, village_gaps

    assert impossible_failures(tmp_path / "62", 2562) == [] and born_after_the_survey(tmp_path / "62", 2562) == 0
    assert village_gaps(tmp_path / "62") == {}
    # the same seed, the same panel
    evolve(tmp_path / "61", 2562, tmp_path / "62b", config.DOMAIN_DIR, None, seed=5)
    assert (tmp_path / "62" / "persons.csv").read_bytes() == (tmp_path / "62b" / "persons.csv").read_bytes()


def test_the_change_map_colours_each_tambon_by_its_change_on_a_diverging_scale(two, monkeypatch):
    """7501 between 2561 and 2562, by hand: T1 3 → 2 target poor (−1; 3/5 → 2/4 of its surveyed: −10 points),
    T2 1 → 1 (0; 1/1 → 1/3: −66.67 points); tambons without both editions are grey "no data", never "no change"."""
    monkeypatch.setenv("TPMAP_DATABASE_URL", two.url.render_as_string(hide_password=False))
    from app import create_app
    from components.figures import DIVERGING
    from components.view import View
    from pages._area_shared import area_view

    app = create_app()
    with app.server.test_request_context("/area/7501"):
        page = area_view("7501", View(year=2562, metric="change", colour="count"))
        shares = area_view("7501", View(year=2562, metric="change", colour="share"))
    fig = next(c.data for c in _walk(page) if getattr(c, "id", None) == "area-canvas-fig")
    coloured = next(
        tr for tr in fig["data"] if tr["type"] == "choropleth" and tr.get("name") != "no data" and len(tr.get("z") or ()) > 1
    )
    assert dict(zip(coloured["locations"], coloured["z"], strict=True)) == {T1: -1, T2: 0}
    fig_s = next(c.data for c in _walk(shares) if getattr(c, "id", None) == "area-canvas-fig")
    z = next(
        tr for tr in fig_s["data"] if tr["type"] == "choropleth" and tr.get("name") != "no data" and len(tr.get("z") or ()) > 1
    )
    assert dict(zip(z["locations"], z["z"], strict=True)) == {T1: -10.0, T2: pytest.approx(100 * (1 / 3 - 1), abs=1e-3)}
    assert [c for _, c in coloured["colorscale"]] == [c for _, c in DIVERGING] and coloured["zmin"] == -coloured["zmax"]
    grey = next(tr for tr in fig["data"] if tr.get("name") == "no data")
    assert T1 not in grey["locations"] and "750103" in grey["locations"]
    assert "2561→2562" in fig["layout"]["title"]["text"]
    with app.server.test_request_context("/area/7501"):
        first = area_view("7501", View(year=2561, metric="change"))  # nothing earlier: the count
    fig1 = next(c.data for c in _walk(first) if getattr(c, "id", None) == "area-canvas-fig")
    assert "2561→" not in fig1["layout"]["title"]["text"]


def _walk(component):
    yield component
    children = getattr(component, "children", None)
    for child in children if isinstance(children, list) else [children] if children is not None else []:
        if hasattr(child, "to_plotly_json"):
            yield from _walk(child)


# Who counts, by hand from the docstring of two_editions (amphoe 7501). Persons and households per definition; the
# per-indicator counts of 2562; and registered + nocard = all, always.
BY_DEFINITION = {
    2561: {"registered": (4, 3), "all": (5, 3), "nocard": (1, 0)},  # P3 is poor without a card, in a carded household
    2562: {"registered": (3, 3), "all": (6, 4), "nocard": (3, 1)},  # P3, P7 (born uncarded), P8 (H5: nobody carded)
}
INDICATORS_2562 = {
    "registered": {"1.2": 1, "4.1": 1, "3.4": 1, "5.1": 0},
    "all": {"1.2": 2, "4.1": 2, "3.4": 1, "5.1": 1},
    "nocard": {"1.2": 1, "4.1": 1, "3.4": 0, "5.1": 1},
}


@pytest.mark.parametrize("year", [2561, 2562])
def test_the_definition_switch_on_a_fixture_computed_by_hand(two, year):
    for definition, (persons, households) in BY_DEFINITION[year].items():
        f = area_summary("7501", year, engine=two, definition=definition)
        assert (f["target_poor_persons"], f["target_poor_households"]) == (persons, households), definition
        assert f["definition"] == definition
        if year == 2562:
            assert {k: f["indicator_target_poor"][k] for k in INDICATORS_2562[definition]} == INDICATORS_2562[definition]
    own = area_summary("7501", year, engine=two)  # no definition: the edition's own (registered up to 2566)
    assert own["target_poor_persons"] == BY_DEFINITION[year]["registered"][0] and own["definition"] == "registered"


def test_the_definition_switch_in_the_api_and_the_household_list(two, monkeypatch):
    monkeypatch.setenv("TPMAP_DATABASE_URL", two.url.render_as_string(hide_password=False))
    from app import create_app
    from data_access.households import list_target_poor_households
    from tests.utils.world import NATIONAL

    client = create_app().server.test_client()
    get = lambda url: client.get(url).get_json()  # noqa: E731
    assert get("/api/v1/areas/7501?year=2562&definition=nocard")["target_poor_persons"] == 3
    assert get("/api/v1/areas/7501?year=2562")["target_poor_persons"] == 3  # the default is the edition's: registered
    r = client.get("/api/v1/areas/7501?year=2562&definition=poorest")
    assert r.status_code == 400 and "registered, all, nocard" in r.get_json()["error"]
    kids = {c["code"]: c["target_poor_persons"] for c in get("/api/v1/areas/7501/children?year=2562&definition=all")["items"]}
    assert (kids[T1], kids[T2]) == (4, 2)  # T1: P1, P3, P4, P7; T2: P6, P8
    trend = get("/api/v1/areas/7501/trend?definition=all")["items"]
    assert [(i["year"], i["target_poor_persons"]) for i in trend] == [(2561, 5), (2562, 6)]
    nocard = list_target_poor_households("7501", 2562, definition="nocard", user=NATIONAL, engine=two)
    assert [(h["house_id"], h["target_poor_members"]) for h in nocard["items"]] == [("H5", 1)]
    every = list_target_poor_households("7501", 2562, definition="all", user=NATIONAL, engine=two)
    assert {h["house_id"] for h in every["items"]} == {"H1", "H2", "H4B", "H5"}


# Flows of 7501 by definition and dimension, by hand (pair 2561 → 2562): (stayed, exited, left, entered) persons.
FLOWS_BY_VARIANT = {
    ("all", "all"): (3, 1, 1, 3),  # P1, P3, P6 stay (P6 moved inside 7501); P5 out; P2 died; P4, P7, P8 in
    ("nocard", "all"): (1, 0, 0, 2),  # P3 stays uncarded; P7 and P8 come in
    ("registered", "health"): (1, 0, 1, 0),  # P1 stays health-deprived; P2 died
    ("registered", "income"): (0, 1, 0, 1),  # P5 out of income deprivation; P4 in
    ("nocard", "access"): (0, 0, 0, 1),  # P8
}


@pytest.mark.parametrize("variant", list(FLOWS_BY_VARIANT))
def test_flows_per_definition_and_dimension_by_hand(two, variant):
    definition, dimension = variant
    got = flows.flows("7501", 2561, 2562, engine=two, definition=definition, dimension=dimension)
    assert (got["stayed_persons"], got["exited_persons"], got["left_survey_persons"], got["entered_persons"]) == (
        FLOWS_BY_VARIANT[variant]
    )
    if dimension == "all":  # the identities, under every definition
        before = area_summary("7501", 2561, engine=two, definition=definition)
        after = area_summary("7501", 2562, engine=two, definition=definition)
        assert before["target_poor_persons"] == got["stayed_persons"] + got["exited_persons"] + got["left_survey_persons"]
        assert after["target_poor_persons"] == got["stayed_persons"] + got["entered_persons"]
        assert before["target_poor_households"] == sum(got[f"{k}_households"] for k in ("stayed", "exited", "left_survey"))
        assert after["target_poor_households"] == got["stayed_households"] + got["entered_households"]


def test_ranking_by_change_most_improved_and_most_worsened(two, monkeypatch):
    """7501's tambons, 2561 → 2562 by hand: T1 3 → 2 (−1, −33.3 %), T2 1 → 1 (0); no other tambon has both."""
    from data_access.change import area_change, change_ranking

    improved = change_ranking("7501", 2562, 2561, engine=two)
    assert [(r["code"], r["before"], r["after"], r["change"]) for r in improved["items"]] == [(T1, 3, 2, -1), (T2, 1, 1, 0)]
    assert improved["items"][0]["change_pct"] == pytest.approx(-100 / 3) and improved["lacking"] == 0
    worsened = change_ranking("7501", 2562, 2561, order="worsened", engine=two)
    assert [r["code"] for r in worsened["items"]] == [T2, T1] and worsened["items"][0]["rank"] == 1
    # under "no card", T2 went from nobody to P8: the most worsened
    nocard = change_ranking("7501", 2562, 2561, order="worsened", definition="nocard", engine=two)
    assert [(r["code"], r["change"]) for r in nocard["items"]] == [(T1, 1), (T2, 1)]
    assert area_change("7501", 2562, engine=two) == {
        "year_from": 2561,
        "year_to": 2562,
        "before": 4,
        "after": 3,
        "change": -1,
        "change_points": pytest.approx(100 * (3 / 7 - 4 / 6)),
        "change_pct": -25.0,
    }
    monkeypatch.setenv("TPMAP_DATABASE_URL", two.url.render_as_string(hide_password=False))
    from app import create_app

    client = create_app().server.test_client()
    body = client.get("/api/v1/areas/7501/ranking?by=change&year=2562&from=2561&order=worsened").get_json()
    assert (body["from"], body["order"], [i["code"] for i in body["items"]]) == (2561, "worsened", [T2, T1])
    assert client.get("/api/v1/areas/7501/ranking?by=change&year=2562").get_json()["from"] == 2561  # the edition before
    assert client.get("/api/v1/areas/7501/ranking?by=change&year=2562&order=sideways").status_code == 400


def test_help_outcomes_and_the_household_trajectory(two, monkeypatch, tmp_path):
    """Help recorded for 2561's target-poor households after 2562 was imported (the rollup follows the Logbook write):
    H1 (helped in health) stayed poor, H3 (helped in income) got out, H4 (not helped) moved and stayed poor (followed
    by its people to its new house_id, as the flows follow it: issue 31, 4)."""
    from data_access import logbook
    from data_access.access import CurrentUser

    district = CurrentUser(0, "test-district-7501", "t", "district", ("7501",))
    logbook.add_assistance(
        district, "H1", 2561, given_on="2019-05-01", dimension="health", kind="referral", agency="รพ.สต.", engine=two
    )
    logbook.add_visit(district, "H3", 2561, visited_on="2019-05-02", outcome="verified", engine=two)
    logbook.add_assistance(
        district,
        "H3",
        2561,
        given_on="2019-05-02",
        dimension="income",
        kind="cash_transfer",
        agency="พมจ.",
        amount_baht=2000,
        engine=two,
    )
    got = {r["help"]: r for r in logbook.help_outcomes("7501", 2561, 2562, engine=two, viewer=district)["rows"]}
    assert {k: got["any"][k] for k in ("households", "stayed", "exited", "left_survey")} == dict(
        households=2, stayed=1, exited=1, left_survey=0
    )
    assert (got["health"]["stayed"], got["income"]["exited"], got["none"]["stayed"], got["none"]["left_survey"]) == (1, 1, 1, 0)
    assert got["any"]["exit_share"] == 0.5 and got["none"]["exit_share"] == 0.0  # H4 was found again, still poor
    # a viewer whose area does not cover 7501 sees cells of 1-2 households suppressed
    public = logbook.help_outcomes("7501", 2561, 2562, engine=two, viewer=None)
    assert public["rows"][0]["households"] is None and public["suppressed_below"] == 3
    monkeypatch.setenv("TPMAP_DATABASE_URL", two.url.render_as_string(hide_password=False))
    from app import create_app

    body = create_app().server.test_client().get("/api/v1/areas/7501/help-outcomes?from=2561&to=2562").get_json()
    assert "not a measure of what the help did" in body["caveat"] and body["exact"] is False

    # importing 2562 again keeps the Logbook work on 2561's households, and its outcomes
    b = two_editions()[1]
    SurveyImport(2562, b.write(tmp_path / "again"), two).run()
    again = {r["help"]: r for r in logbook.help_outcomes("7501", 2561, 2562, engine=two, viewer=district)["rows"]}
    assert again == got

    # the trajectory: H3 was target poor in 2561 (income), helped in between, and not poor in 2562
    steps = logbook.trajectory(district, "H3", 2562, engine=two)
    assert [(s["year"], s["surveyed"], s["target_poor"], s["deprived_dimensions"]) for s in steps] == [
        (2561, True, True, ["income"]),
        (2562, True, False, []),
    ]
    assert [e["kind"] for e in steps[0]["events"]] == ["visit", "assistance"] and steps[1]["events"] == []
    # H4 moved and became H4B: followed by its people, as the flows follow it, from either edition
    moved = logbook.trajectory(district, "H4", 2561, engine=two)
    assert [(s["year"], s["surveyed"], s["house_id"], s["target_poor"]) for s in moved] == [
        (2561, True, "H4", True),
        (2562, True, "H4B", True),
    ]
    back = logbook.trajectory(district, "H4B", 2562, engine=two)
    assert [(s["year"], s["house_id"]) for s in back] == [(2561, "H4"), (2562, "H4B")]
    from components.logbook_ui import trajectory as drawn

    words = str(drawn(moved, "en", {}, 2561))
    assert "at house H4B (moved; followed by its members)" in words and "at house H4 " not in words
    # outside the user's area a household is answered as one that does not exist (issue 30, 10)
    outsider = CurrentUser(0, "test-district-5801", "t", "district", ("5801",))
    with pytest.raises(logbook.NotFound) as theirs:
        logbook.trajectory(outsider, "H3", 2562, engine=two)
    with pytest.raises(logbook.NotFound) as nobodys:
        logbook.trajectory(outsider, "H999", 2562, engine=two)
    assert str(theirs.value).replace("H3", "?") == str(nobodys.value).replace("H999", "?")


def test_the_story_and_the_report_tell_the_change(two, monkeypatch):
    """The story's change paragraph and the quarterly report's change lines, their numbers as the APIs give them."""
    monkeypatch.setenv("TPMAP_DATABASE_URL", two.url.render_as_string(hide_password=False))
    from app import create_app
    from components.story import compose
    from data_access import reports
    from data_access import story as story_da

    client = create_app().server.test_client()
    for definition in (None, "all"):
        paras = compose(story_da.facts("7501", 2562, definition=definition), "th", "?year=2562")
        change = next(p for p in paras if any(isinstance(s, dict) and "/flows?" in s["api"] for s in p))
        numbers = [s for s in change if isinstance(s, dict)]
        assert len(numbers) == 6  # before, after; exited, stayed, left, entered
        for n in numbers:
            body = client.get(n["api"]).get_json()
            if n["field"].startswith("items["):
                year, field = n["field"][6:].split("].")
                assert n["value"] == next(i for i in body["items"] if str(i["year"]) == year)[field], n
            else:
                assert n["value"] == body[n["field"]], n
    f = reports.compute_figures("75", 2563, 1, engine=two)
    assert (f["survey_year"], f["change"]["before"], f["change"]["after"]) == (2562, 4, 3)
    assert (f["flows"]["exited_persons"], f["flows"]["entered_persons"]) == (1, 1)


def test_a_press_figure_the_source_doubts_is_kept_but_counted_nowhere(isolated_engine):
    """The press printed 903 for Samut Sakhon in 2562; the shared file says it is probably Samut Songkhram's 2561
    figure (a province mix-up). It is stored with its status, and is no trend point, change or ranking entry."""
    report = editions.import_headlines(2562, config.DOMAIN_DIR, isolated_engine)
    assert any(line.strip().startswith("disputed") and "74" in line for line in report.lines())
    row = next(h for h in editions.headlines("74", isolated_engine) if h["year"] == 2562)
    assert (row["target_poor_persons"], row["disputed"]) == (903, True)
    assert [i["year"] for i in editions.trend("74", engine=isolated_engine)] == []
