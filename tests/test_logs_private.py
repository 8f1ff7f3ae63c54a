"""Issue 11, personal data out of logs: a failing write logs no citizen ID or name (forced errors, both
backends); PostgreSQL's own error log is terse for the project's databases; SQLite files are private.
Issue 30, no forged lines: a control character a request carries is escaped in every log line, the application's
and gunicorn's access log alike."""

from __future__ import annotations

import http.client
import logging
import os
import socket
import stat
import subprocess
import sys
import uuid
from pathlib import Path
from urllib.parse import quote

import pytest
from sqlalchemy import text

import logsafety
from data_access.db import engine_for
from mpi.rules import citizen_id_check_digit
from tests.utils.waiting import wait_until
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


# a request's path that tries to end its own log line and write another (a sign-in that never happened), then
# to clear the operator's terminal
FORGED = "/x\n2563-01-01 INFO auth: forged line\r\x1b[2J\u2028"


def test_control_characters_are_escaped_in_every_application_log_line(caplog):
    logsafety.install()
    log = logging.getLogger("tpmap.test")
    with caplog.at_level(logging.INFO):
        log.warning("refused %s", FORGED)
        try:
            raise ValueError(f"no page {FORGED}")
        except ValueError:
            log.exception("failed on %s", FORGED)
    logged = caplog.text
    assert "forged line" in logged  # still said, on the line that quotes it
    assert not any(line.startswith("2563-01-01") for line in logged.splitlines())
    assert not set("\r\x1b\u2028") & set(logged)
    assert "/x\\x0a2563-01-01" in logged and "ValueError: no page /x\\x0a2563" in logged


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_a_forged_path_stays_on_its_line_in_gunicorns_access_log(world, tmp_path):
    """The production server as deployed (gunicorn.conf.py, wsgi.py), on a free port."""
    port, log = _free_port(), tmp_path / "server.log"
    env = os.environ | {
        "TPMAP_DATABASE_URL": world["engine"].url.render_as_string(hide_password=False),
        "TPMAP_SECRET_KEY": "test-" + uuid.uuid4().hex,
    }
    gunicorn = str(Path(sys.executable).with_name("gunicorn"))
    args = [gunicorn, "--workers", "1", "--bind", f"127.0.0.1:{port}", "--no-control-socket", "wsgi:server"]
    root = Path(__file__).resolve().parent.parent
    with open(log, "w") as out:
        server = subprocess.Popen(args, cwd=root, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        _get(port, "/healthz", wait=90)
        assert _get(port, quote(FORGED)) == 404
    finally:
        server.terminate()
        server.wait(timeout=30)
    lines = log.read_text("utf-8").splitlines()
    assert not any(line.startswith("2563-01-01") for line in lines), lines
    logged = [line for line in lines if "forged line" in line]
    assert len(logged) == 1 and "/x\\x0a2563-01-01 INFO auth: forged line\\x0d\\x1b[2J" in logged[0], lines
    assert not set("\r\x1b\u2028") & set("".join(lines))


def _get(port: int, path: str, wait: float = 0) -> int:
    """The status of one GET; with `wait`, asked until the server takes the connection (at most `wait` seconds)."""

    def status() -> int:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        try:
            conn.request("GET", path)
            return conn.getresponse().status
        finally:
            conn.close()

    if not wait:
        return status()
    return wait_until(status, timeout=wait, what=f"the server to answer {path}", interval=0.3, ignoring=(OSError,))
