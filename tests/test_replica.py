"""Issue 17: reads from a streaming replica (TPMAP_DATABASE_READ_URL), writes and read-your-writes on the primary.

The replica is real: a PostgreSQL primary initialised for this module in a temporary folder, loaded with the test
template and a small world, and a second cluster made from it by `pg_basebackup -R` that streams its WAL. Pausing the
replica's replay makes "which server answered" visible: a change on the primary is not on a paused replica.
(The machine's own cluster is not used as the primary: its pg_hba.conf allows no replication connections.)"""

from __future__ import annotations

import os
import shutil
from unittest.mock import patch

import pytest
from sqlalchemy import create_engine, text

from data_access import cache
from data_access.db import engine_for
from tests.utils.cluster import PG_BIN, Cluster, new_folder, run
from tests.utils.waiting import wait_until
from tests.utils.world import decoded, make_world, page_callback, session_client

YEAR = 2562
pytestmark = pytest.mark.parametrize("engine", ["postgis"], indirect=True)


@pytest.fixture(scope="module")
def clusters(engine, tmp_path_factory):
    folder = new_folder("tpmap-replica-")
    primary, replica = Cluster(folder, "primary"), Cluster(folder, "replica")
    environment = patch.dict(os.environ)  # whatever the fixture sets is undone after it
    environment.start()
    try:
        primary.init()
        primary.start()
        primary.copy_in(engine.template_url, "tpmap")  # the test template (migrated, real boundaries)
        primary_engine = engine_for(primary.url("tpmap"))
        world = make_world(primary_engine, tmp_path_factory.mktemp("replica-world"), YEAR, "rp")

        run(str(PG_BIN / "pg_basebackup"), "-h", "127.0.0.1", "-p", str(primary.port), "-U", "postgres",
             "-D", str(replica.data), "-R", "-X", "stream", "-c", "fast")  # fmt: skip
        replica.configure()  # its own port; -R wrote primary_conninfo and standby.signal
        replica.start()
        os.environ["TPMAP_DATABASE_READ_URL"] = replica.url("tpmap")
        from app import create_app

        world["app"] = create_app()  # created with the replica configured: its requests are routed
        world.update(
            primary=primary, replica=replica, primary_engine=primary_engine, replica_engine=engine_for(replica.url("tpmap"))
        )
        yield world
    finally:
        environment.stop()
        for eng_url in (primary.url("tpmap"), replica.url("tpmap")):
            engine_for(eng_url).dispose()
        replica.stop()
        primary.stop()
        shutil.rmtree(folder, ignore_errors=True)


def _replay(world, paused: bool) -> None:
    admin = create_engine(world["replica"].url("postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text("SELECT pg_wal_replay_pause()" if paused else "SELECT pg_wal_replay_resume()"))
    admin.dispose()


def _caught_up(world) -> None:
    """Wait (bounded) until the replica has replayed everything the primary has written so far."""
    with world["primary_engine"].connect() as conn:
        target = conn.execute(text("SELECT pg_current_wal_lsn()::text")).scalar()

    def replayed() -> bool:
        with world["replica_engine"].connect() as conn:
            return bool(conn.execute(text("SELECT pg_last_wal_replay_lsn() >= CAST(:t AS pg_lsn)"), {"t": target}).scalar())

    wait_until(replayed, timeout=30, what="the replica to catch up", ignoring=())


def _stamps_afresh(world) -> None:
    """Public answers are kept per data stamp, and the stamp is read at most every 2 s: read it now."""
    cache.data_changed(world["primary_engine"])
    cache.data_changed(world["replica_engine"])


def _visit(client, csrf: str, house: str, note: str):
    return client.post(
        f"/api/v1/households/{house}/visits?year={YEAR}",
        json={"visited_on": "2021-05-01", "outcome": "verified", "note": note},
        headers={"X-CSRFToken": csrf},
    )


def test_public_reads_come_from_the_replica_and_a_write_is_read_back_where_it_was_made(clusters):
    world = clusters
    anon = world["app"].server.test_client()
    assert anon.get("/healthz").get_json() == {"status": "ok", "replica": "ok"}
    _caught_up(world)
    name_before = anon.get(f"/api/v1/areas/75?year={YEAR}").get_json()["name_th"]

    # The replica stops replaying: a change on the primary is not on it, so whoever reads it is reading the replica.
    _replay(world, paused=True)
    try:
        with world["primary_engine"].begin() as conn:
            conn.execute(text("UPDATE area SET name_th = name_th || ' (ใหม่)' WHERE code = '75'"))
            conn.execute(text("UPDATE survey_year SET imported_at = CURRENT_TIMESTAMP"))  # a new data stamp
        _stamps_afresh(world)
        assert anon.get(f"/api/v1/areas/75?year={YEAR}").get_json()["name_th"] == name_before  # the replica answered

        # A team records a visit through its signed-in session: written to the primary, and its own next reads (the
        # API's list and the household's page) show it although the replica has not replayed it yet.
        team, csrf = session_client(world, "team")
        house = world["houses"]["7502"]
        written = _visit(team, csrf, house, "บันทึกผ่านสำเนา-1")
        assert written.status_code == 201, written.get_data(as_text=True)[:300]
        visit_id = written.get_json()["id"]
        assert visit_id in [v["id"] for v in team.get(f"/api/v1/households/{house}/visits?year={YEAR}").get_json()["items"]]
        page = page_callback(team, f"/household/{house}", f"?year={YEAR}", csrf)
        assert page.status_code == 200 and "บันทึกผ่านสำเนา-1" in decoded(page)

        # A national officer's session wrote nothing: it reads the (paused) replica, which does not have the visit.
        national, _ = session_client(world, "national")
        listed = national.get(f"/api/v1/households/{house}/visits?year={YEAR}").get_json()["items"]
        assert visit_id not in [v["id"] for v in listed]
        with world["primary_engine"].connect() as conn:  # and the primary has had it all along
            assert conn.execute(text("SELECT COUNT(*) FROM visit WHERE id = :i"), {"i": visit_id}).scalar() == 1
    finally:
        _replay(world, paused=False)

    _caught_up(world)
    _stamps_afresh(world)
    assert anon.get(f"/api/v1/areas/75?year={YEAR}").get_json()["name_th"] == name_before + " (ใหม่)"
    listed = national.get(f"/api/v1/households/{house}/visits?year={YEAR}").get_json()["items"]
    assert visit_id in [v["id"] for v in listed]
    # the team's session, now that the replica has its write, reads the replica again and still sees it
    assert visit_id in [v["id"] for v in team.get(f"/api/v1/households/{house}/visits?year={YEAR}").get_json()["items"]]


def test_a_replica_that_goes_away_leaves_reads_on_the_primary(clusters):
    world = clusters
    anon = world["app"].server.test_client()
    world["replica"].stop()
    try:
        world["replica_engine"].dispose()
        _stamps_afresh(world)
        r = anon.get(f"/api/v1/areas/75?year={YEAR}")
        assert r.status_code == 200 and r.get_json()["code"] == "75"
        health = anon.get("/healthz")
        assert health.status_code == 200 and health.get_json() == {"status": "ok", "replica": "unavailable"}
        team, csrf = session_client(world, "team")
        assert _visit(team, csrf, world["houses"]["7502"], "ขณะสำเนาหยุด").status_code == 201
    finally:
        world["replica"].start()
