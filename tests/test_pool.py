"""Issue 35.4, the pool for a trusted local database: no ping before each checkout (a connection is recycled by age
instead), reads without a transaction of their own (no BEGIN, no ROLLBACK round trips), writes in theirs as before;
and a PostgreSQL restart between two requests costs at most one failed request, then service as before."""

from __future__ import annotations

import shutil

import pytest
from psycopg.pq import TransactionStatus
from sqlalchemy import select, text

from data_access import cache, db
from data_access import models as tables

YEAR = 2562


@pytest.fixture(scope="module")
def world(isolated_world):
    return isolated_world


@pytest.mark.parametrize("engine", ["postgis"], indirect=True)
def test_reads_open_no_transaction_and_writes_keep_theirs(world, monkeypatch):
    engine = world["engine"]
    assert engine.pool._pre_ping is False and engine.pool._recycle > 0
    token = db.hold_connections()
    try:
        with db.reading(engine) as conn:
            conn.execute(select(tables.survey_year.c.year)).all()
            raw = conn.connection.dbapi_connection
            assert raw is not None and raw.info.transaction_status == TransactionStatus.IDLE  # no BEGIN was sent
        with db.one_connection(engine) as conn:  # a render's reads: the same held connection, still no transaction
            conn.execute(select(tables.area.c.code).limit(1)).all()
            assert conn.connection.dbapi_connection.info.transaction_status == TransactionStatus.IDLE
    finally:
        db.release_connections(token)
    # the same pooled connection, checked out for a write: a transaction of its own, all or nothing
    households = select(tables.survey_year.c.households).where(tables.survey_year.c.year == YEAR)
    with engine.connect() as conn:
        before = conn.execute(households).scalar()
    with pytest.raises(RuntimeError), db.writing(engine) as conn:
        conn.execute(text("UPDATE survey_year SET households = households + 1 WHERE year = :y"), {"y": YEAR})
        assert conn.connection.dbapi_connection.info.transaction_status == TransactionStatus.INTRANS
        assert conn.connection.dbapi_connection.autocommit is False
        raise RuntimeError("rolled back")
    with engine.connect() as conn:
        assert before is not None and conn.execute(households).scalar() == before


@pytest.fixture
def own_server(world, monkeypatch):
    """The module's world copied into a PostgreSQL cluster of this test's own, which it may restart."""
    from app import create_app
    from tests.utils.cluster import Cluster, new_folder

    folder = new_folder("tpmap-pool-")
    cluster = Cluster(folder, "pg")
    try:
        cluster.init()
        cluster.start()
        cluster.copy_in(world["engine"].url.render_as_string(hide_password=False), "tpmap", shapes=False)
        monkeypatch.setenv("TPMAP_DATABASE_URL", cluster.url("tpmap"))
        yield cluster, db.engine_for(cluster.url("tpmap")), create_app()
    finally:
        db.engine_for(cluster.url("tpmap")).dispose()
        cluster.stop()
        shutil.rmtree(folder, ignore_errors=True)


@pytest.mark.parametrize("engine", ["postgis"], indirect=True)
def test_a_restart_between_two_requests_fails_at_most_one_then_service_resumes(world, own_server):
    cluster, engine, app = own_server
    client = app.server.test_client()

    def area() -> int:
        cache.data_changed(engine)  # the data stamp is read again: every request reads through its held connection
        return client.get(f"/api/v1/areas/75?year={YEAR}").status_code

    assert area() == 200 and client.get("/healthz").status_code == 200
    # the pool holds several connections the server will drop
    held = [engine.connect() for _ in range(3)]
    for conn in held:
        conn.execute(text("SELECT 1"))
        conn.close()
    assert engine.pool.checkedin() >= 3
    cluster.stop()  # a fast shutdown: every session ended
    cluster.start()
    answers = [area() for _ in range(6)] + [client.get("/healthz").status_code for _ in range(3)] + [area()]
    failed = [s for s in answers if s != 200]
    assert len(failed) <= 1 and set(failed) <= {503}, answers
    assert answers[-8:] == [200] * 8, answers  # and then service, every connection a fresh one
