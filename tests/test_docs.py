"""The documents a newcomer follows: every command they name exists, with the options they give it, and the backup
they describe restores. A command renamed in the code, or an option dropped, fails here before a reader finds it."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import inspect, text
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parent.parent
DOCUMENTS = sorted([ROOT / "README.md", ROOT / "CONTRIBUTING.md", *(ROOT / "docs").glob("*.md")])
FLASK = re.compile(r"flask --app app:server ([a-z][a-z-]+)((?: [^`|#\n]*)?)")
OPTION = re.compile(r"(?<![\w-])(--[a-z][a-z-]+)")


def _spans(doc: Path) -> list[str]:
    """Every command-shaped piece of a document: inline code, lines of code blocks, and the first column of the
    operating guide's command table (written without its `flask --app app:server` prefix)."""
    body = doc.read_text(encoding="utf-8")
    blocks = re.findall(r"```[a-z]*\n(.*?)```", body, flags=re.S)
    prose = re.sub(r"```[a-z]*\n.*?```", "", body, flags=re.S)
    spans = [" ".join(s.split()) for s in re.findall(r"`([^`]+)`", prose)]  # inline code may wrap a line
    for block in blocks:
        spans += block.splitlines()
    if doc.name == "operating.md":
        table = body.split("## Commands", 1)[1].split("###", 1)[0]
        spans += [f"flask --app app:server {cell}" for cell in re.findall(r"^\| `([a-z][^`]*)` \|", table, re.M)]
    return spans


def _flask_commands() -> dict[str, set[str]]:
    named: dict[str, set[str]] = {}
    for doc in DOCUMENTS:
        for span in _spans(doc):
            for name, rest in FLASK.findall(span):
                if name != "command" and not rest.startswith(" <command"):
                    named.setdefault(name, set()).update(OPTION.findall(rest))
    return named


def test_the_documents_name_commands():
    """The extraction itself finds what a reader sees (so the tests below cannot pass on nothing)."""
    named = _flask_commands()
    assert {"init-db", "import-survey", "demo", "purge-replays", "create-user"} <= set(named)
    assert {"--year", "--dry-run", "--allow-removals"} <= named["import-survey"]


@pytest.mark.parametrize("name", sorted(_flask_commands()))
def test_every_flask_command_in_the_documents_exists_with_its_options(name):
    from app import create_app

    cli = create_app().server.cli
    import click

    with click.Context(cli) as ctx:
        command = cli.get_command(ctx, name)
    assert command is not None, f"the documents name `flask --app app:server {name}`, which does not exist"
    options = {opt for p in command.params for opt in p.opts}
    missing = _flask_commands()[name] - options
    assert not missing, f"`{name}` has no {sorted(missing)} (it has {sorted(options)})"


def _spans_starting(prefix: str) -> list[str]:
    return [s for doc in DOCUMENTS for s in _spans(doc) for s in [s.strip()] if s.startswith(prefix)]


def test_every_make_target_in_the_documents_exists():
    makefile = (ROOT / "Makefile").read_text()
    targets = {t for t in re.findall(r"^([a-z]+):", makefile, re.M)}
    named = {re.match(r"make ([a-z]+)", s).group(1) for s in _spans_starting("make ")}
    assert {"run", "test", "lint"} <= named
    assert named <= targets, f"the documents name make targets that do not exist: {sorted(named - targets)}"


@pytest.mark.parametrize(
    "span", sorted({s.split("#")[0].strip() for s in _spans_starting("python ")}), ids=lambda s: "_".join(s.split()[1:3])[:40]
)
def test_every_python_command_in_the_documents_takes_its_options(span):
    """`python -m bench.x --opt …` and `python scripts/x.py --opt`: the module runs `--help` and lists each option."""
    words = span.split()
    target = words[1:3] if words[1] == "-m" else words[1:2]
    done = subprocess.run([sys.executable, *target, "--help"], cwd=ROOT, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, f"{span}: {done.stderr[-500:]}"
    missing = [o for o in OPTION.findall(span) if o not in done.stdout and o != "--help"]
    assert not missing, f"{span}: --help does not list {missing}"


def test_every_pytest_path_in_the_documents_exists():
    spans = _spans_starting(".venv/bin/pytest")
    assert spans
    for span in spans:
        for path in re.findall(r"(tests/\S+\.py)", span):
            assert (ROOT / path).exists(), f"{span}: no {path}"


def _backup_blocks() -> list[list[str]]:
    guide = (ROOT / "docs" / "operating.md").read_text(encoding="utf-8")
    section = guide.split("## Backups", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```sh\n(.*?)```", section, flags=re.S)
    return [[line.split("#")[0].strip() for line in b.strip().splitlines()] for b in blocks]


def _rows(engine) -> dict[str, int]:
    with engine.connect() as conn:
        names = [t for t in inspect(conn).get_table_names() if t not in ("spatial_ref_sys",)]
        return {t: conn.execute(text(f'SELECT count(*) FROM "{t}"')).scalar_one() for t in names}  # names from the catalogue


def _run(line: str, cwd: Path, env: dict[str, str]) -> None:
    done = subprocess.run(line, shell=True, cwd=cwd, env=env, capture_output=True, text=True, check=False)
    assert done.returncode == 0, f"{line}: {done.stderr[-800:]}"


def test_the_backup_in_the_operating_guide_restores(isolated_engine, tmp_path):
    """docs/operating.md's backup lines, run as written on a test database (pg_dump and pg_restore on PostGIS,
    SQLite's .backup on the embedded file): the copy has the same tables with the same rows."""
    from data_access.db import engine_for

    postgis, sqlite = _backup_blocks()
    url = make_url(isolated_engine.url)
    if isolated_engine.dialect.name == "sqlite":
        (tmp_path / "instance").mkdir()
        shutil.copyfile(url.database, tmp_path / "instance" / "tpmap.sqlite")
        _run(sqlite[0], tmp_path, dict(os.environ))
        copy_url = f"sqlite:///{tmp_path / 'tpmap-backup.sqlite'}"
    else:
        restored = f"{url.database}_restored"
        env = dict(os.environ, PGHOST=url.host or "127.0.0.1", PGPORT=str(url.port or 5432), PGUSER=url.username or "")
        env["TPMAP_DATABASE_URL_LIBPQ"] = url.set(drivername="postgresql").render_as_string(hide_password=False)
        for line in postgis:
            _run(line.replace("tpmap_restored", restored), tmp_path, env)
        copy_url = url.set(database=restored).render_as_string(hide_password=False)
    copy = engine_for(copy_url)
    try:
        before, after = _rows(isolated_engine), _rows(copy)
        assert before == after and before["area"] > 7000
    finally:
        copy.dispose()
        if isolated_engine.dialect.name == "postgresql":
            subprocess.run(["dropdb", "--if-exists", restored], env=env, check=False)
