"""Issue 11, personal data out of logs: a failing write logs no citizen ID or name (forced errors, both
backends); PostgreSQL's own error log is terse for the project's databases; SQLite files are private."""

from __future__ import annotations

import logging
import stat

import pytest
from sqlalchemy import text

from data_access.db import engine_for
from mpi.rules import citizen_id_check_digit
from tests.utils.world import bearer

YEAR = 2562


@pytest.fixture(scope="module")
def world(isolated_world):
    return isolated_world


def _forced_failure(engine, table: str):
    """Make every INSERT into `table` fail inside the database, as a disk or constraint fault would."""
    if engine.dialect.name == "sqlite":
        create = [f"CREATE TRIGGER forced_{table} BEFORE INSERT ON {table} BEGIN SELECT RAISE(ABORT, 'forced'); END"]
        drop = [f"DROP TRIGGER forced_{table}"]
    else:
        create = [
            "CREATE FUNCTION forced_fail() RETURNS trigger AS $$ BEGIN RAISE EXCEPTION 'forced'; END $$ LANGUAGE plpgsql",
            f"CREATE TRIGGER forced_{table} BEFORE INSERT ON {table} FOR EACH ROW EXECUTE FUNCTION forced_fail()",
        ]
        drop = [f"DROP TRIGGER forced_{table} ON {table}", "DROP FUNCTION forced_fail()"]
    return create, drop


def test_a_failing_write_logs_no_citizen_id_or_name(world, caplog):
    engine = world["engine"]
    first12 = "312345678901"
    cid = first12 + str(citizen_id_check_digit(first12))
    person = {
        "citizen_id": cid,
        "first_name": "ลับเฉพาะ",
        "last_name": "ไม่ควรเห็น",
        "sex": "F",
        "birth_date": "1980-05-05",
        "welfare_card": 1,
        "disabled": 0,
    }
    create, drop = _forced_failure(engine, "member_request")
    with engine.begin() as conn:
        for sql in create:
            conn.execute(text(sql))
    try:
        client = world["app"].server.test_client()
        with caplog.at_level(logging.INFO):
            r = client.post(
                f"/api/v1/member-requests?year={YEAR}",
                headers=bearer(world, "team"),
                json={"house_id": world["houses"]["7502"], "year": YEAR, **person},
            )
    finally:
        with engine.begin() as conn:
            for sql in drop:
                conn.execute(text(sql))
    assert r.status_code == 500  # the forced fault, answered without details
    logged = caplog.text + "".join(str(rec.exc_text or "") for rec in caplog.records)
    assert "Exception on /api/v1/member-requests" in logged  # the failure is logged...
    for secret in (cid, "ลับเฉพาะ", "ไม่ควรเห็น"):  # ...without the person
        assert secret not in logged and secret not in r.get_data(as_text=True)


def test_database_error_text_with_an_id_is_masked_in_the_log(world, caplog):
    engine = world["engine"]
    with engine.connect() as conn:
        cid = conn.execute(text("SELECT citizen_id FROM person WHERE year = :y LIMIT 1"), {"y": YEAR}).scalar()
    with caplog.at_level(logging.ERROR):
        try:
            raise RuntimeError(f"duplicate key value violates unique constraint: Key (year, citizen_id)=({YEAR}, {cid})")
        except RuntimeError:
            logging.getLogger("tpmap.test").exception("write failed for %s", cid)
    assert cid not in caplog.text and f"{cid[0]}-{cid[1:5]}-xxxxx-xx-x" in caplog.text


def test_postgres_error_log_is_terse_for_the_projects_database(world):
    """A PostgreSQL server setting; the embedded SQLite has no server log, so there it has nothing to check."""
    engine = world["engine"]
    if engine.dialect.name != "postgresql":
        return
    from data_access.schema import upgrade

    upgrade(engine)
    engine.dispose()
    with engine.connect() as conn:
        assert conn.execute(text("SHOW log_error_verbosity")).scalar() == "terse"
        assert conn.execute(text("SHOW log_min_error_statement")).scalar() == "panic"


def test_sqlite_files_are_readable_by_their_owner_only(tmp_path):
    from data_access.schema import upgrade

    eng = engine_for(f"sqlite:///{tmp_path / 'private.sqlite'}")
    upgrade(eng)
    with eng.begin() as conn:
        conn.execute(text("CREATE TABLE t (x INTEGER)"))
        conn.execute(text("INSERT INTO t VALUES (1)"))
        for name in ("private.sqlite", "private.sqlite-wal"):
            path = tmp_path / name
            if path.exists():
                assert stat.S_IMODE(path.stat().st_mode) == 0o600, name
    eng.dispose()
