"""Issue 16: a page render asks the database a fixed, small number of questions through one connection, however
large the area: the statements of the country's page, a province's and an amphoe's are counted (not timed), and a
province of 32 amphoes costs what one of 3 does. Years, sources and microdata presence come from the rollups'
index, cached per import; no render scans household or person rows."""

from __future__ import annotations

import pytest
from sqlalchemy import event

import config
from data_access.db import get_engine
from data_access.published import import_published
from tests.utils.world import page_callback

BUDGET = 20  # statements per area page render (published figures; was 26-45 before issue 16)


@pytest.fixture(scope="module")
def client(isolated_engine):
    import os

    import_published(2561, config.DOMAIN_DIR, isolated_engine)
    saved = os.environ.get("TPMAP_DATABASE_URL")
    os.environ["TPMAP_DATABASE_URL"] = isolated_engine.url.render_as_string(hide_password=False)
    from app import create_app

    yield create_app().server.test_client()
    if saved is None:
        os.environ.pop("TPMAP_DATABASE_URL", None)
    else:
        os.environ["TPMAP_DATABASE_URL"] = saved


@pytest.fixture(autouse=True)
def _every_render_renders(monkeypatch):
    """This module counts a render's statements: a signed-out visitor's repeat would be answered from the public
    page cache without any (test_service.py tests that cache)."""
    monkeypatch.setenv("TPMAP_PAGE_CACHE_SECONDS", "0")


def _render(client, path: str) -> tuple[list[str], int]:
    """The statements and pool checkouts of one render of the page (after a first one has warmed the caches)."""
    engine = get_engine()
    statements: list[str] = []
    checkouts: list[int] = []

    def count(conn, cursor, statement, *_):
        statements.append(statement)

    def checkout(*_):
        checkouts.append(1)

    assert page_callback(client, path, "", None).status_code == 200
    event.listen(engine, "before_cursor_execute", count)
    event.listen(engine.pool, "checkout", checkout)
    try:
        assert page_callback(client, path, "", None).status_code == 200
    finally:
        event.remove(engine, "before_cursor_execute", count)
        event.remove(engine.pool, "checkout", checkout)
    return statements, len(checkouts)


@pytest.mark.parametrize(
    "small, large",
    [("/area/75", "/area/30"), ("/area/7501", "/area/3001")],  # 3 amphoes vs 32; 8 tambons vs 25
)
def test_a_page_asks_the_same_few_questions_whatever_the_size_of_the_area(client, small, large):
    few, one = _render(client, small)
    many, also_one = _render(client, large)
    assert len(few) == len(many) <= BUDGET, (len(few), len(many))
    assert one == also_one == 1  # one pooled connection per render
    for statement in few + many:
        assert "FROM household" not in statement and "FROM person" not in statement, statement


def test_the_country_page_reads_no_microdata_to_know_its_years(client):
    statements, checkouts = _render(client, "/")
    assert len(statements) <= BUDGET and checkouts == 1
    # years and sources come from the cached index; the data stamp's own count may be re-read (every 2 s: a loaded
    # machine's render can outlast it), the index itself never
    index = [s for s in statements if "area_rollup_source" in s and "MAX(refreshed_at)" not in s]
    assert not index, index


def test_the_national_tambon_ranking_is_answered_from_stored_bytes_until_the_next_import(client, isolated_engine):
    """Every tambon of the country (about 7,600 rows, 2 MB of JSON) is public: summed, serialised and compressed once
    per import; a repeat costs no statement beyond the data stamp, and the bytes are the ones a fresh answer has."""
    import json

    import brotli

    from data_access import cache

    url = "/api/v1/areas/TH/ranking?level=tambon&year=2561"
    first = client.get(url, headers={"Accept-Encoding": "br"})
    assert first.status_code == 200 and first.headers["Content-Encoding"] == "br"
    items = json.loads(brotli.decompress(first.get_data()))["items"]
    assert len(items) > 7000 and items[0]["rank"] == 1
    statements: list[str] = []
    engine = get_engine()
    listen = lambda conn, cursor, statement, *_: statements.append(statement)  # noqa: E731
    event.listen(engine, "before_cursor_execute", listen)
    try:
        again = client.get(url, headers={"Accept-Encoding": "br"})
    finally:
        event.remove(engine, "before_cursor_execute", listen)
    assert again.get_data() == first.get_data()
    # the data stamp's reads, and (on PostgreSQL) the anonymous caller's rate-limit window: nothing of the ranking
    stamp = ("area_rollup_source", "survey_year", "published_headline", "area.has_geometry", "rate_window")
    assert all(any(part in s for part in stamp) for s in statements)
    plain = client.get(url)  # without brotli: the same answer, uncompressed
    assert "Content-Encoding" not in plain.headers and json.loads(plain.get_data())["items"] == items
    cache.data_changed(engine)
    import_published(2561, config.DOMAIN_DIR, isolated_engine)  # an import: the stamp moves, the answer is recomputed
    assert json.loads(client.get(url).get_data())["items"] == items


def test_a_map_pages_own_address_asks_nothing_of_the_area_table(client):
    """A map page's HTML names its shape file in a Link header on every visit. Whether the area has a polygon comes
    from the kept set of such codes (data_access.areas.has_polygon), not from a read of the area each time."""
    engine = get_engine()
    assert client.get("/area/75").headers.get("Link", "").count("/shapes/amphoes/75.json") == 1  # warms the set
    statements: list[str] = []
    listen = lambda conn, cursor, statement, *_: statements.append(statement)  # noqa: E731
    event.listen(engine, "before_cursor_execute", listen)
    try:
        again = client.get("/area/75")
        unknown = client.get("/area/99")
    finally:
        event.remove(engine, "before_cursor_execute", listen)
    assert "/shapes/amphoes/75.json" in again.headers["Link"]
    assert "Link" not in unknown.headers  # no polygon, no shape file asked for
    # nothing but, now and then, the data stamp's reads (every TPMAP process reads it at most every 2 s)
    stamp = ("area_rollup_source", "survey_year", "published_headline", "area.has_geometry", "rate_window")
    assert all(any(part in s for part in stamp) for s in statements), statements
