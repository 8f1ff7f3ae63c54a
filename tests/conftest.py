"""Fixtures: one migrated database per backend per test session (SQLite file and real PostGIS) with the real
boundaries, kept as a template; every module that writes survey, Logbook or account data works on its own clone
of it (`isolated_engine`: CREATE DATABASE … TEMPLATE on PostgreSQL, a file copy for SQLite), so no module depends
on another's years or rows. The shared `engine` is read-only by convention (boundaries, migrations, log checks).

PostGIS is reached at TPMAP_TEST_POSTGIS_URL (default: the local server with trust auth).
Outside CI its tests skip, saying why, when no server answers; with TPMAP_REQUIRE_POSTGIS=1
(set by .ci/run) an unreachable server or a missing extension fails the run instead.
"""

from __future__ import annotations

import os
import shutil
import uuid
from pathlib import Path

import pytest
from sqlalchemy import create_engine, make_url, text

import config
from data_access.areas import import_boundary_set
from data_access.db import engine_for
from data_access.schema import upgrade
from geo.boundaries import read_boundaries

# every figure the tests build is checked by plotly, property by property (in service it is not: it was half a render)
os.environ.setdefault("TPMAP_VALIDATE_FIGURES", "1")
POSTGIS_ADMIN_URL = os.environ.get("TPMAP_TEST_POSTGIS_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
REQUIRE_POSTGIS = os.environ.get("TPMAP_REQUIRE_POSTGIS") == "1"


def _postgis_database() -> str:
    admin = create_engine(POSTGIS_ADMIN_URL, isolation_level="AUTOCOMMIT")
    name = f"tpmap_test_{uuid.uuid4().hex[:8]}"
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as e:  # noqa: BLE001 - any connection failure means "no server here"
        message = f"PostGIS tests need a PostgreSQL server at {POSTGIS_ADMIN_URL}: {type(e).__name__}: {e}"
        if REQUIRE_POSTGIS:
            pytest.fail(message)
        pytest.skip(message)
    finally:
        admin.dispose()
    return make_url(POSTGIS_ADMIN_URL).set(database=name).render_as_string(hide_password=False)


def _drop_postgis_database(url: str) -> None:
    name = make_url(url).database
    admin = create_engine(POSTGIS_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(scope="session")
def boundaries():
    return read_boundaries(config.GEO_DIR)


@pytest.fixture(scope="session", params=["sqlite", "postgis"])
def engine(request, tmp_path_factory, boundaries):
    """A migrated database with the real boundaries loaded, one per backend."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'tpmap.sqlite'}"
    else:
        url = _postgis_database()
    eng = engine_for(url)
    try:
        upgrade(eng)
    except Exception as e:
        if request.param == "postgis" and "postgis" in str(e).lower() and not REQUIRE_POSTGIS:
            pytest.skip(f"PostGIS extension is not installed on the server: {e}")
        raise
    import_boundary_set(boundaries, eng)
    eng.template_url = _make_template(eng)  # a migrated database with boundaries, never written to again
    yield eng
    eng.dispose()
    if request.param == "postgis":
        _drop_postgis_database(url)
        _drop_postgis_database(eng.template_url)
    _clones.clear()


def _make_template(eng) -> str:
    if eng.dialect.name == "sqlite":
        with eng.connect() as conn:
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        src = Path(eng.url.database)
        dst = src.with_name("template.sqlite")
        shutil.copyfile(src, dst)
        return f"sqlite:///{dst}"
    eng.dispose()  # CREATE DATABASE … TEMPLATE needs the source to have no sessions
    name = f"{make_url(eng.url).database}_tpl"
    admin = create_engine(POSTGIS_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{make_url(eng.url).database}"'))
    admin.dispose()
    return make_url(eng.url).set(database=name).render_as_string(hide_password=False)


_clones: list[str] = []


@pytest.fixture(scope="module")
def isolated_world(isolated_engine, tmp_path_factory, request):
    """tests.utils.world.make_world on the module's own database, for the module's YEAR."""
    from tests.utils.world import world_for

    tag = request.module.__name__.rsplit(".", 1)[-1].removeprefix("test_")[:8]
    with world_for(isolated_engine, tmp_path_factory.mktemp(tag), request.module.YEAR, tag) as w:
        yield w


@pytest.fixture(scope="module")
def isolated_engine(engine, tmp_path_factory):
    """A database of the module's own, cloned from the migrated template (boundaries loaded, nothing else):
    a module that imports, shrinks or re-imports years cannot disturb another module's figures."""
    if engine.dialect.name == "sqlite":
        dst = tmp_path_factory.mktemp("iso") / "tpmap.sqlite"
        shutil.copyfile(make_url(engine.template_url).database, dst)
        url = f"sqlite:///{dst}"
    else:
        name = f"tpmap_iso_{uuid.uuid4().hex[:8]}"
        admin = create_engine(POSTGIS_ADMIN_URL, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{make_url(engine.template_url).database}"'))
        admin.dispose()
        url = make_url(POSTGIS_ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    eng = engine_for(url)
    yield eng
    eng.dispose()
    if eng.dialect.name == "postgresql":
        _drop_postgis_database(url)


@pytest.fixture
def use_engine(isolated_engine, monkeypatch):
    """Point the application (config.database_url) at the module's own database."""
    monkeypatch.setenv("TPMAP_DATABASE_URL", isolated_engine.url.render_as_string(hide_password=False))
    return isolated_engine


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    """Rate limits are per process: each test starts with empty windows (sign-ins add up across tests)."""
    from data_access import ratelimit

    ratelimit.reset()
    yield
    ratelimit.reset()


@pytest.fixture(scope="session")
def data_dir() -> Path:
    return Path(__file__).parent / "data"


def pytest_sessionfinish(session, exitstatus):
    """In CI (TPMAP_NO_SKIPS=1) a skipped test is a failure: PostGIS and browser tests must run."""
    if os.environ.get("TPMAP_NO_SKIPS") != "1":
        return
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    skipped = reporter.stats.get("skipped", []) if reporter else []
    if skipped:
        reporter.write_line(f"TPMAP_NO_SKIPS=1: {len(skipped)} test(s) skipped; failing the run.", red=True)
        session.exitstatus = 1


@pytest.fixture
def store(world, tmp_path, monkeypatch) -> Path:
    """The store of kept answers (data_access.cache.shared_*), empty, for the module's `world` fixture."""
    folder = tmp_path / "answers"
    monkeypatch.setenv("TPMAP_CALLBACK_CACHE_DIR", str(folder))
    monkeypatch.setenv("TPMAP_DATABASE_URL", world["engine"].url.render_as_string(hide_password=False))
    return folder
