"""Issue 34, 6 and 4: flows by life stage, and TPMAP's published counts of groups where there is no microdata.

On both backends: a hand-built tambon whose flows by stage are computed by hand (a person who turns 60 between the
editions counts in the stage of the edition the flow is counted from), the stages adding up to the all-ages flows
for every area, definition and dimension of a messier random population (and, per stage, to the `from` edition's
target poor of that stage, read another way: the stage rollup), the API's `age=`, the table builders, and the
published counts of groups equal to the shared CSV files, in the area payload and after migrations 0021/0022 fill
a database that held the data before them."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from plotly.utils import PlotlyJSONEncoder
from sqlalchemy import Engine, select

import config
from components.published_groups import published_group_lines, published_groups_block
from components.stage_flows import stage_flow_rows, stage_flows_table
from data_access import flows
from data_access import models as tables
from data_access.figures import area_summary
from data_access.published import GROUP_FIELDS, import_published, published_groups
from data_access.survey_import import SurveyImport
from mpi.lifestages import STAGE_KEYS
from mpi.rules import TARGET_DEFINITIONS
from tests.utils.survey_factory import Survey, make_citizen_id, make_survey

T1 = "750101"  # the hand-built tambon: nothing else in Samut Songkhram
RANDOM_TAMBONS = ["580101", "580102", "580201", "580301"]  # a random population in Mae Hong Son
# the published files, cut down to these and their amphoes and tambons: provinces the surveys leave alone, so that the
# surveyed amphoes and provinces stay covered by their microdata (a published area the survey covers in part is not)
PUBLISHED_PROVINCES = ("TH", "50", "96")


def _person(n: int, house: str, born: str) -> dict:
    return {
        "citizen_id": make_citizen_id(5000 + n),
        "house_id": house,
        "first_name": f"คน{n}",
        "last_name": "ช่วงวัย",
        "sex": "F" if n % 2 else "M",
        "birth_date": born,
        "welfare_card": 1,
        "disabled": 0,
    }


def _house(house: str) -> dict:
    return {"house_id": house, "tambon_code": T1, "village_no": 1, "latitude": "", "longitude": ""}


A, B, C, D, E, F, G = (  # (number, birth date); ages on 30 April 2560 (2017) and 2561 (2018), the survey dates
    (1, "1957-06-01"),  # 59, then 60: working age in 2561, elderly in 2562
    (2, "1940-01-01"),  # elderly
    (3, "2010-01-01"),  # 7: school age
    (4, "1945-01-01"),  # elderly
    (5, "2012-05-01"),  # 4: pre-school (5 the next day)
    (6, "1980-01-01"),  # working age
    (7, "2018-01-01"),  # born between the editions: an infant in 2562
)


def hand_editions() -> tuple[Survey, Survey]:
    """2561: S1 poor (A, B, C), S2 poor (D, E), S3 not poor (F). 2562: S1 still poor (A, C; B died), S2 got out
    (D, E), S3 fell into poverty and had a baby (F, G). Everyone holds a card, so every definition but `nocard`
    counts them all; 1.2 fails in the health dimension."""
    a = Survey(
        households=[_house("S1"), _house("S2"), _house("S3")],
        persons=[_person(n, "S1", born) for n, born in (A, B, C)]
        + [_person(n, "S2", born) for n, born in (D, E)]
        + [_person(F[0], "S3", F[1])],
        failures=[{"house_id": "S1", "indicator": "1.2"}, {"house_id": "S2", "indicator": "1.2"}],
    )
    b = Survey(
        households=[_house("S1"), _house("S2"), _house("S3")],
        persons=[_person(n, "S1", born) for n, born in (A, C)]
        + [_person(n, "S2", born) for n, born in (D, E)]
        + [_person(n, "S3", born) for n, born in (F, G)],
        failures=[{"house_id": "S1", "indicator": "1.2"}, {"house_id": "S3", "indicator": "1.2"}],
    )
    return a, b


def _both(hand: Survey, random: Survey) -> Survey:
    return Survey(hand.households + random.households, hand.persons + random.persons, hand.failures + random.failures)


def _cut_published(folder: Path) -> Path:
    """The 2561 published files of PUBLISHED_PROVINCES only (every file load_published reads), so the import is quick."""
    folder.mkdir(parents=True, exist_ok=True)
    for src in sorted(config.DOMAIN_DIR.glob("tpmap_2561_*.csv")):
        with open(src, encoding="utf-8-sig", newline="") as f:
            reader = csv.DictReader(f)
            fields = reader.fieldnames or []
            key = next((k for k in ("area_code", "tambon_code", "amphoe_code", "province_code") if k in fields), None)
            rows = [r for r in reader if key is None or "country" in src.name or r[key].startswith(PUBLISHED_PROVINCES)]
        with open(folder / src.name, "w", encoding="utf-8", newline="") as f:
            w = csv.DictWriter(f, fieldnames=fields, lineterminator="\n")
            w.writeheader()
            w.writerows(rows)
    return folder


@pytest.fixture(scope="module")
def two(isolated_engine: Engine, tmp_path_factory: pytest.TempPathFactory) -> Engine:
    """The hand-built tambon and a random population in two editions, then the cut-down published 2561 figures."""
    hand_a, hand_b = hand_editions()
    a = _both(hand_a, make_survey(160, seed=3, tambons=RANDOM_TAMBONS, year=2561))
    b = _both(hand_b, make_survey(130, seed=4, tambons=RANDOM_TAMBONS, year=2562))
    folder = tmp_path_factory.mktemp("stage_flows")
    SurveyImport(2561, a.write(folder / "a"), isolated_engine).run()
    SurveyImport(2562, b.write(folder / "b"), isolated_engine).run()
    import_published(2561, _cut_published(folder / "published"), isolated_engine)
    return isolated_engine


PERSONS = ("stayed_persons", "exited_persons", "entered_persons", "left_survey_persons")
BY_HAND = {  # (stayed, exited, entered, left_survey) persons, from hand_editions' docstring
    "infant": (0, 0, 1, 0),  # G came in, an infant on the 2562 survey date
    "preschool": (0, 1, 0, 0),  # E got out
    "school": (1, 0, 0, 0),  # C stayed
    "working": (1, 0, 1, 0),  # A stayed, counted at 59 (2561's survey date); F came in
    "elderly": (0, 1, 0, 1),  # D got out; B died
}


@pytest.mark.parametrize("code", [T1, "7501", "75"])
@pytest.mark.parametrize("definition", ["registered", "all"])
def test_flows_by_stage_computed_by_hand(two: Engine, code: str, definition: str) -> None:
    for stage, expected in BY_HAND.items():
        got = flows.flows(code, 2561, 2562, engine=two, definition=definition, stage=stage)
        assert tuple(got[k] for k in PERSONS) == expected, stage  # type: ignore[literal-required]
        assert got["age"] == stage
        assert [got["stayed_households"], got["exited_households"], got["entered_households"]] == [None] * 3
    by_stage = flows.flows_by_stage(code, 2561, 2562, engine=two, definition=definition)  # one read, the same answers
    assert by_stage == [flows.flows(code, 2561, 2562, engine=two, definition=definition, stage=s) for s in STAGE_KEYS]
    every = flows.flows(code, 2561, 2562, engine=two, definition=definition)
    assert tuple(every[k] for k in PERSONS) == (2, 2, 2, 1)  # type: ignore[literal-required]
    assert (every["stayed_households"], every["exited_households"], every["entered_households"]) == (1, 1, 1)
    assert every["age"] is None
    # nobody is income-deprived: every stage's flows are zero there, not missing
    income = flows.flows(code, 2561, 2562, engine=two, definition=definition, dimension="income", stage="elderly")
    assert [income[k] for k in PERSONS] == [0, 0, 0, 0]  # type: ignore[literal-required]
    # under `nocard` nobody counts (all hold a card)
    nocard = flows.flows(code, 2561, 2562, engine=two, definition="nocard", stage="working")
    assert [nocard[k] for k in PERSONS] == [0, 0, 0, 0]  # type: ignore[literal-required]


def _flow_areas(engine: Engine) -> list[str]:
    f = tables.flow_rollup.c
    with engine.connect() as conn:
        return sorted(set(conn.scalars(select(f.area_code).where(f.year_from == 2561, f.year_to == 2562))))


def test_the_stages_add_up_to_all_ages_everywhere(two: Engine) -> None:
    """The property, over every area with flows, every definition and every dimension: each person flow's stages sum
    to the all-ages flow; and, read another way (the stage rollup of 2561), the `from` edition's target poor of each
    stage = its stayed + exited + left_survey, since those are counted at their age on that edition's survey date."""
    codes = _flow_areas(two)
    assert {T1, "7501", "75", "58", "5801", *RANDOM_TAMBONS} <= set(codes)
    nonzero = 0
    for code in codes:
        for definition in TARGET_DEFINITIONS:
            for dimension in flows.FLOW_DIMENSIONS:
                every = flows.flows(code, 2561, 2562, engine=two, definition=definition, dimension=dimension)
                staged = flows.flows_by_stage(code, 2561, 2562, engine=two, definition=definition, dimension=dimension)
                assert [s["age"] for s in staged] == list(STAGE_KEYS)
                for k in PERSONS:
                    assert sum(s[k] for s in staged) == every[k], (code, definition, dimension, k)  # type: ignore[literal-required]
                nonzero += sum(1 for s in staged if s["exited_persons"])
            for s in flows.flows_by_stage(code, 2561, 2562, engine=two, definition=definition):
                before = area_summary(code, 2561, engine=two, source="survey", definition=definition, stage=s["age"])
                assert before["target_poor_persons"] == s["stayed_persons"] + s["exited_persons"] + s["left_survey_persons"]
    assert nonzero > 20  # the property was tried on flows that are there, not on zeros


def test_the_api_takes_a_life_stage(two: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TPMAP_DATABASE_URL", two.url.render_as_string(hide_password=False))
    from app import create_app

    client = create_app().server.test_client()
    body = client.get(f"/api/v1/areas/{T1}/flows?from=2561&to=2562&age=elderly").get_json()
    assert [body[k] for k in PERSONS] == list(BY_HAND["elderly"])
    assert body["age"] == "elderly" and body["stayed_households"] is None and (body["from"], body["to"]) == (2561, 2562)
    whole = client.get(f"/api/v1/areas/{T1}/flows?from=2561&to=2562").get_json()
    assert whole["age"] is None and whole["stayed_households"] == 1
    refused = client.get(f"/api/v1/areas/{T1}/flows?from=2561&to=2562&age=teen")
    assert refused.status_code == 400 and "age" in refused.get_json()["error"]
    assert client.get("/api/v1/areas/50/flows?from=2561&to=2562&age=elderly").status_code == 404  # published only


def _published_csv() -> dict[str, dict[str, int]]:
    """The shared files' counts of groups per area code (every level), read apart from the import."""
    out: dict[str, dict[str, int]] = {}
    for level in ("province", "amphoe", "tambon"):
        with open(config.DOMAIN_DIR / f"tpmap_2561_{level}.csv", encoding="utf-8-sig", newline="") as f:
            for r in csv.DictReader(f):
                out[r[f"{level}_code"]] = {k: int(r[k]) for k in GROUP_FIELDS}
    return out


SOME_AREAS = ("TH", "50", "5001", "500108", "96", "9601")


def test_the_published_counts_of_groups_are_the_files(two: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    files = _published_csv()
    assert files["750102"] == {"elderly_persons": 1723, "disabled_persons": 69, "chronic_patients": 126}
    assert files["500108"]["elderly_persons"] > 0 and files["TH"]["disabled_persons"] > 0
    for code in SOME_AREAS:
        got = published_groups(code, 2561, engine=two)
        assert got is not None and {k: got[k] for k in GROUP_FIELDS} == files[code], code  # type: ignore[literal-required]
    assert published_groups("50", 2562, engine=two) is None  # nothing was published per area for 2562
    assert published_groups("75", 2561, engine=two) is None  # not in the (cut-down) files imported
    monkeypatch.setenv("TPMAP_DATABASE_URL", two.url.render_as_string(hide_password=False))
    from app import create_app

    client = create_app().server.test_client()
    for code in ("50", "500108", "TH"):
        body = client.get(f"/api/v1/areas/{code}?year=2561").get_json()
        assert [body[f"published_{k}"] for k in GROUP_FIELDS] == [files[code][k] for k in GROUP_FIELDS], code
    later = client.get("/api/v1/areas/750101?year=2562").get_json()
    assert later["published_elderly_persons"] is None and later["target_poor_persons"] == 4


def test_the_builders_label_every_row_in_both_languages(two: Engine) -> None:
    items = flows.flows_by_stage(T1, 2561, 2562, engine=two)
    rows = stage_flow_rows(items, "th")
    assert [r["stage"] for r in rows] == [
        "วัยทารก (0–2 ปี)",
        "ปฐมวัย (3–5 ปี)",
        "วัยเรียน (6–14 ปี)",
        "วัยแรงงาน (15–59 ปี)",
        "ผู้สูงอายุ (60 ปีขึ้นไป)",
        "ทุกช่วงวัย",
    ]
    assert [rows[-2][k] for k in PERSONS] == list(BY_HAND["elderly"])
    assert [rows[-1][k] for k in PERSONS] == [2, 2, 2, 1]  # the all-ages row: the stages' sums
    assert stage_flow_rows(items, "en")[-2]["stage"] == "Elderly (60+)"
    for lang, words in (
        ("th", ["คนจนเป้าหมายปี 2561 ไปปี 2562 ตามช่วงวัย", "พ้นจน", "วันสำรวจปี 2561"]),
        ("en", ["Target poor from 2561 to 2562, by life stage", "Got out", "on the 2561 survey date"]),
    ):
        shown = json.dumps(stage_flows_table(items, lang).to_plotly_json(), cls=PlotlyJSONEncoder, ensure_ascii=False)
        assert all(w in shown for w in words), (lang, shown[:400])
    assert stage_flows_table([], "th").children is None

    groups = published_groups("500108", 2561, engine=two)
    assert groups is not None
    n = _published_csv()["500108"]
    assert published_group_lines(groups, "th") == [
        f"ผู้สูงอายุ {n['elderly_persons']:,} คน (ตัวเลขเผยแพร่ 2561)",
        f"ผู้พิการ {n['disabled_persons']:,} คน (ตัวเลขเผยแพร่ 2561)",
        f"ผู้ป่วยเรื้อรัง {n['chronic_patients']:,} คน (ตัวเลขเผยแพร่ 2561)",
    ]
    assert published_group_lines(groups, "en")[0] == f"{n['elderly_persons']:,} elderly persons (published figure, 2561)"
    block = json.dumps(published_groups_block(groups, "en").to_plotly_json(), cls=PlotlyJSONEncoder)
    assert "Vulnerable groups (published figures, 2561)" in block and "poor or not" in block
    assert published_groups_block(None, "th").children is None


def test_migrations_0021_and_0022_fill_a_database_that_held_the_data(two: Engine) -> None:
    """Downgraded to 0020 (the tables gone) and upgraded again: the flows by stage and the published counts of
    groups are back, the same rows the imports wrote. Last in the module: it leaves the database as it found it."""
    from alembic import command

    from data_access.schema import alembic_config, upgrade

    def rows() -> tuple[list[tuple[object, ...]], list[tuple[object, ...]]]:
        fs, g = tables.flow_stage_rollup, tables.area_published_group
        with two.connect() as conn:
            return (
                [tuple(r) for r in conn.execute(select(fs).order_by(*fs.primary_key.columns))],
                [tuple(r) for r in conn.execute(select(g).order_by(*g.primary_key.columns))],
            )

    before = rows()
    assert len(before[0]) > 50 and len(before[1]) == len(_cut_areas())
    cfg = alembic_config()
    with two.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0020")
    upgrade(two)
    assert rows() == before


def _cut_areas() -> set[str]:
    """The area codes of the cut-down published files."""
    return {code for code in _published_csv() if code.startswith(PUBLISHED_PROVINCES)}


def test_the_area_page_shows_the_stages_flows_and_the_published_groups(two: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    """The area page (issue 34, 4 and 6): all ages, the flows table and each stage's beside it; under age= the flows
    are that stage's; an area with published figures only shows its published groups where the stage cannot split."""
    from tests.utils.world import page_callback

    monkeypatch.setenv("TPMAP_DATABASE_URL", two.url.render_as_string(hide_password=False))
    monkeypatch.setenv("TPMAP_PAGE_CACHE_SECONDS", "0")
    from app import create_app

    client = create_app().server.test_client()
    every = page_callback(client, f"/area/{T1}", "?year=2562", None).get_data(as_text=True)
    assert "flows-table" in every and "stage-flows-table" in every and "published-groups" not in every
    elderly = page_callback(client, f"/area/{T1}", "?year=2562&age=elderly", None).get_data(as_text=True)
    assert "flows-table" in elderly and "stage-flows-table" not in elderly
    cells = _table_rows(json.loads(elderly), "flows-table")
    # a row per flow: its name, then persons and households (none under a stage: households span stages)
    persons = [int(row[1].replace(",", "")) for row in cells]
    assert persons == list(BY_HAND["elderly"])  # stayed, got out, came in, left: the elderly's alone
    # the trend too counts the stage's target poor, edition by edition, as the cards of each edition do
    trend = _component(json.loads(elderly), "area-trend")
    assert trend is not None
    line = trend["props"]["figure"]["data"][0]
    expected = [area_summary(T1, y, stage="elderly", engine=two)["target_poor_persons"] for y in (2561, 2562)]
    assert (line["x"], line["y"]) == (["2561", "2562"], expected)
    whole = _component(json.loads(every), "area-trend")["props"]["figure"]["data"][0]["y"]  # type: ignore[index]
    assert whole != expected and all(w >= e for w, e in zip(whole, expected, strict=True))
    files = _published_csv()["50"]
    published = page_callback(client, "/area/50", "?year=2561&age=elderly", None).get_data(as_text=True)
    assert "no-stage-split" in published and "published-groups" in published
    assert f"{files['elderly_persons']:,}" in published and f"{files['disabled_persons']:,}" in published


def _table_rows(node: object, id: str) -> list[list[str]]:
    """The cells' text of the plain table of that id in a Dash answer (components.widgets.plain_table sends a
    table as a spec in its data-table attribute, which assets/plain-table.js writes out)."""
    if isinstance(node, dict):
        spec = node.get("data-table")
        if isinstance(spec, str) and json.loads(spec)["id"] == id:
            return [[str(cell[0]) for cell in row] for row in json.loads(spec)["rows"]]
        children: list = list(node.values())
    elif isinstance(node, list):
        children = node
    else:
        return []
    for child in children:
        if found := _table_rows(child, id):
            return found
    return []


def _component(node: object, id: str) -> dict | None:
    """The component of that id in a Dash answer's tree."""
    if isinstance(node, dict):
        if node.get("props", {}).get("id") == id:
            return node
        children: list = list(node.values())
    elif isinstance(node, list):
        children = node
    else:
        return None
    for child in children:
        if (found := _component(child, id)) is not None:
            return found
    return None
