"""Issue 12, figures, links and exports that agree: each defect a governor met, as a test."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest

from components.i18n import t
from components.story import compose
from data_access import story as story_da
from data_access.figures import area_summary
from mpi.rules import dimensions_mask
from tests.utils.world import NATIONAL, bearer, decoded, page_callback, session_client

YEAR = 2562


@pytest.fixture(scope="module")
def world(isolated_world):
    return isolated_world


def test_story_follows_the_dimension_selection_and_its_links_open_that_number(world):
    client = world["app"].server.test_client()
    mask = dimensions_mask(["health", "income"])
    facts = story_da.facts("75", YEAR, viewer=NATIONAL, mask=mask)
    assert facts["area"]["target_poor_persons"] == area_summary("75", YEAR, mask)["target_poor_persons"]
    paras = compose(facts, "th", f"?year={YEAR}&metric=target_poor&dims=health,income")
    numbers = [s for p in paras for s in p if isinstance(s, dict)]
    for n in numbers:
        query = parse_qs(urlsplit(n["href"]).query)
        assert len(query["metric"]) == 1, n["href"]  # one metric per link
        assert query["dims"] == ["health,income"], n["href"]
        if n["api"].startswith("/api/v1/areas/75?"):
            assert "dimensions=health,income" in n["api"]
            body = client.get(n["api"]).get_json()
            head, _, key = n["field"].partition(".")
            assert (body[head][key] if key else body[head]) == n["value"]
    crisis = next(n for n in numbers if n["field"] == "crisis_persons")
    assert parse_qs(urlsplit(crisis["href"]).query)["metric"] == ["crisis"]


def test_households_honour_the_crisis_rule(world):
    client = world["app"].server.test_client()
    headers = bearer(world, "national")
    every = client.get(f"/api/v1/areas/75/households?year={YEAR}", headers=headers).get_json()["total"]
    ge3 = client.get(f"/api/v1/areas/75/households?year={YEAR}&rule=ge3", headers=headers).get_json()["total"]
    basic = client.get(f"/api/v1/areas/75/households?year={YEAR}&rule=basic_needs", headers=headers).get_json()["total"]
    assert ge3 < every and basic < every
    assert client.get(f"/api/v1/areas/75/households?year={YEAR}&rule=nope", headers=headers).status_code == 400
    browser, csrf = session_client(world, "national")
    page = decoded(page_callback(browser, "/area/75/households", f"?year={YEAR}&rule=ge3", csrf))
    assert f"{ge3:,}" in page and "rule-ge3" in page and "rule-basic_needs" in page


def test_one_deprived_dimension_reads_as_one(world):
    from components.layout import weakest_sentence

    f = {
        "target_poor_persons": 10,
        "dimension_target_poor": {"health": 0, "living": 0, "education": 0, "income": 10, "access": 0},
    }
    text = weakest_sentence(f, "ตำบลทดสอบ", "th")
    assert "รายได้ (100%)" in text and "–" not in text and "และ" not in text


def test_a_year_the_database_lacks_names_the_years_it_has(world):
    browser, csrf = session_client(world, "national")
    r = page_callback(browser, "/area/75", "?year=2599", csrf)
    page = decoded(r)
    assert r.status_code == 200 and "year-not-found" in page and "2599" in page and str(YEAR) in page


def test_no_published_source_is_claimed_without_figures(world):
    browser, csrf = session_client(world, "national")
    page = decoded(page_callback(browser, "/", f"?year={YEAR}", csrf))  # the country: no published figures in 2562
    assert f"ข้อมูลเผยแพร่ของ TPMAP ปี {YEAR}" not in page


def test_unknown_metric_falls_back_and_unknown_shortlist_says_so(world):
    from components.view import parse

    assert parse({"metric": "dim:garbage"}).metric == "target_poor"
    assert parse({"metric": "dim:income"}).metric == "dim:income"
    browser, csrf = session_client(world, "national")
    page = decoded(page_callback(browser, "/shortlists/nope123", "", csrf))
    assert "nope123" in page and "พื้นที่รหัส" not in page


def _component(node, id_: str):
    """The first component with this id in a rendered layout (Dash's JSON)."""
    if isinstance(node, dict):
        if node.get("props", {}).get("id") == id_:
            return node
        for v in node.values():
            if (found := _component(v, id_)) is not None:
                return found
    elif isinstance(node, list):
        for v in node:
            if (found := _component(v, id_)) is not None:
                return found
    return None


@pytest.mark.parametrize("by", ["ge3", "basic_needs", "change"])
@pytest.mark.parametrize("lang", ["th", "en"])
def test_the_ranking_files_are_the_pages_table(world, by, lang):
    """Issue 31: one table definition drives the ranking page and both its files: the same headers in the same
    order, the same rows and values as the page shows them, and no English word in the Thai file."""
    import csv
    import io
    import re

    from openpyxl import load_workbook

    client = world["app"].server.test_client()
    search = f"?area=75&by={by}&year={YEAR}&lang={lang}" + ("&from=2561" if by == "change" else "")
    page = page_callback(client, "/ranking", search, None).get_json()
    table = _component(page, "ranking-table")
    if by == "change":  # the world holds one edition: the page says so, and has no table to export
        assert table is None
        return

    def same(v):  # a number compared as a number (0 on the page is 0.0 in the file), text as text
        try:
            return float(v)
        except (TypeError, ValueError):
            return re.sub(r"^\[(.*)\]\(.*\)$", r"\1", str(v))

    headers = [c["name"] for c in table["props"]["columns"]]
    shown = [[same(r[c["id"]]) for c in table["props"]["columns"]] for r in table["props"]["data"]]
    csv_link = _component(page, "ranking-csv")["props"]["href"]
    xlsx_link = _component(page, "ranking-xlsx")["props"]["href"]
    rows = list(csv.reader(io.StringIO(client.get(csv_link).get_data(as_text=True).lstrip("\ufeff"))))
    ws = load_workbook(io.BytesIO(client.get(xlsx_link).get_data())).active
    sheet = [[c.value for c in row] for row in ws.iter_rows()]
    assert rows[0] == headers == sheet[0]
    assert [[same(v) for v in r] for r in rows[1:]] == shown == [[same(v) for v in r] for r in sheet[1:]]
    assert len(shown) > 1
    share = headers.index(next(h for h in headers if h in (t("rank.share", "th"), t("rank.share", "en"))))
    assert all(isinstance(r[share], (int, float)) for r in sheet[1:])  # numbers stay numbers in the spreadsheet
    if lang == "th":
        assert not re.search(r"[A-Za-z]{4,}", " ".join(rows[0] + [c for r in rows[1:] for c in r]))


@pytest.mark.parametrize(
    "path",
    [
        "/ranking",
        "/pivot",
        "/area/75/story",
        "/area/75/households",
        "/area/75/vulnerable",
        "/household/H00001",
        "/reports",
        "/committees",
    ],
)
def test_every_page_names_the_years_there_are_for_a_missing_year(world, path):
    browser, csrf = session_client(world, "national")
    r = page_callback(browser, path, "?year=2599&area=75", csrf)
    page = decoded(r)
    assert r.status_code == 200 and "year-not-found" in page and str(YEAR) in page, page[:300]


def test_a_tambon_without_figures_beside_municipal_units_says_where_to_look(world):
    """Issue 12: never a bare "no data" where TPMAP counted the people in a municipal unit."""
    from sqlalchemy import text

    with world["engine"].connect() as conn:
        code = conn.execute(
            text(
                "SELECT t.code FROM area t WHERE t.level = 'tambon' AND t.counted_under IS NULL AND t.has_geometry "
                "AND t.parent_code = '5801' AND NOT EXISTS (SELECT 1 FROM household h WHERE h.tambon_code = t.code) "
                "ORDER BY t.code LIMIT 1"
            )
        ).scalar()
    browser, csrf = session_client(world, "national")
    page = decoded(page_callback(browser, f"/area/{code}", f"?year={YEAR}", csrf))
    assert "counted-under" in page and "580151" in page and "no-figures" not in page


def test_household_lists_name_their_tambons(world):
    """Issue 13: a governor reads tambon names, not codes."""
    browser, csrf = session_client(world, "national")
    page = decoded(page_callback(browser, "/area/7501/households", f"?year={YEAR}", csrf))
    assert "แม่กลอง" in page or "บางขันแตก" in page or "ท้ายหาด" in page
    assert '"tambon": "7501' not in page  # the cell holds the name, not the code
