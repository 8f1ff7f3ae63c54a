"""The flask commands: exit codes, reports, and `demo` actually serving. They run in process through Flask's
CliRunner on an app built by the factory for the module's database (fast, and a failure shows its traceback);
tests/test_pinned_interfaces.py runs the pinned ones as separate processes, the way scripts call them."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import urllib.request
from pathlib import Path
from types import SimpleNamespace

import config
from tests.utils.survey_factory import make_survey
from tests.utils.waiting import wait_until

ROOT = Path(__file__).resolve().parent.parent


def _flask(args: list[str], url: str) -> SimpleNamespace:
    """`flask --app app:server ARGS` against the database at `url`, in this process."""
    from app import create_app

    with config.installed(config.Settings.from_env().but(database_url=url)):
        result = create_app().server.test_cli_runner().invoke(args=args)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return SimpleNamespace(returncode=result.exit_code, stdout=result.stdout, stderr=result.stderr)


def test_import_survey_refusal_exits_nonzero_with_rows(isolated_engine, tmp_path):
    url = isolated_engine.url.render_as_string(hide_password=False)
    bad = make_survey(n_households=10, seed=1)
    bad.persons[3]["citizen_id"] = "1234567890123"
    out = _flask(["import-survey", "--year", "2563", str(bad.write(tmp_path / "bad"))], url)
    assert out.returncode == 1
    assert "Import refused: 1 problem(s) found; the database was not changed." in out.stderr
    assert "persons.csv row 5: citizen_id 1-2345-xxxxx-xx-x fails the Thai check digit" in out.stderr
    assert "1234567890123" not in out.stderr + out.stdout  # never the full ID


def test_import_survey_success_reports_rates(isolated_engine, tmp_path):
    url = isolated_engine.url.render_as_string(hide_password=False)
    out = _flask(["import-survey", "--year", "2563", str(make_survey(n_households=10, seed=2).write(tmp_path / "ok"))], url)
    assert out.returncode == 0, out.stderr
    assert "Imported survey year 2563: 10 households" in out.stdout and "rows/s" in out.stdout


def test_import_survey_scope_dry_run_and_shrink_flags(isolated_engine, tmp_path):
    """The pinned call keeps working; a smaller re-import needs --scope or --allow-shrink; --dry-run writes nothing."""
    url = isolated_engine.url.render_as_string(hide_password=False)
    full = make_survey(n_households=30, seed=2, tambons=["750101", "750201"])
    assert _flask(["import-survey", "--year", "2564", str(full.write(tmp_path / "full"))], url).returncode == 0
    part = make_survey(n_households=12, seed=3, tambons=["750101"])
    for h in part.households:
        h["house_id"] = "P" + h["house_id"]
    for p in part.persons:
        p["house_id"] = "P" + p["house_id"]
        p["citizen_id"] = "8" + p["citizen_id"][1:12]
        from mpi.rules import citizen_id_check_digit

        p["citizen_id"] += str(citizen_id_check_digit(p["citizen_id"]))
    for f in part.failures:
        f["house_id"] = "P" + f["house_id"]
    folder = str(part.write(tmp_path / "part"))
    refused = _flask(["import-survey", "--year", "2564", folder], url)
    assert refused.returncode == 1 and "amphoe 7502 would go from 15 households to 0 (-100%)" in refused.stderr
    dry = _flask(["import-survey", "--year", "2564", "--scope", "7501", "--dry-run", "--allow-shrink", folder], url)
    assert dry.returncode == 0, dry.stderr
    assert "Dry run, nothing written" in dry.stdout and "75: households 15 → 12" in dry.stdout
    # 7501's 15 households are not in the files: the dry run lists them, the import refuses until it is told
    assert "Would remove 15 household(s) and " in dry.stdout and "households.csv: household 'H00000'" in dry.stdout
    scoped = ["import-survey", "--year", "2564", "--scope", "7501", "--allow-shrink", folder]
    refused = _flask(scoped, url)
    assert refused.returncode == 1 and "(removals): the import would remove 15 household(s)" in refused.stderr
    with isolated_engine.connect() as conn:
        from sqlalchemy import text

        assert conn.execute(text("SELECT COUNT(*) FROM household WHERE year = 2564")).scalar() == 30
    done = _flask([*scoped[:-1], "--allow-removals", folder], url)
    assert done.returncode == 0, done.stderr
    assert "Removed 15 household(s) and " in done.stdout
    with isolated_engine.connect() as conn:
        assert conn.execute(text("SELECT COUNT(*) FROM household WHERE year = 2564")).scalar() == 27


def test_generate_population_needs_a_scale(tmp_path):
    out = _flask(["generate-population", "--year", "2561", str(tmp_path)], "sqlite:///" + str(tmp_path / "x.sqlite"))
    assert out.returncode == 1 and "--provinces 75,58 or --all" in out.stderr


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_demo_command_serves_the_dashboard(engine):
    """`make run` ends in `flask demo`: it must really serve (Flask ignores app.run() inside a command)."""
    port = _free_port()
    env = dict(os.environ, TPMAP_DATABASE_URL=engine.url.render_as_string(hide_password=False))
    proc = subprocess.Popen(
        [sys.executable, "-m", "flask", "--app", "app:server", "demo", "--port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )

    def home() -> tuple[int, bytes] | None:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2) as r:
                return r.status, r.read()
        except OSError:
            assert proc.poll() is None, proc.stdout.read().decode()  # the server died: say why, do not wait on
            return None

    try:
        status, body = wait_until(home, timeout=30, what="the demo server to answer", interval=0.2, ignoring=())
    finally:
        proc.terminate()
        proc.wait(10)
    assert status == 200 and b"<title>TPMAP Open</title>" in body


def test_the_demo_build_logs_its_steps_to_a_file(tmp_path, capsys):
    """docs/user-guide.md: the build prints a line per step and its time, also into instance/demo-build.log when the output is
    not a terminal (demo.build passes the log's path then)."""
    import demo

    done = []
    demo.run_steps(
        [("boundaries", lambda: done.append(1)), ("household import 2561", lambda: done.append(2))], tmp_path / "b.log"
    )
    log = (tmp_path / "b.log").read_text(encoding="utf-8").splitlines()
    assert done == [1, 2] and log == capsys.readouterr().out.splitlines()
    assert log[0].startswith("Building the demo database once (2 steps") and log[1] == "  [1/2] boundaries …"
    assert log[3] == "  [2/2] household import 2561 …" and log[4].startswith("        household import 2561: ")
    assert demo.BUILD_LOG == "demo-build.log"
