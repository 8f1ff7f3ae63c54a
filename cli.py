"""Flask CLI commands: `flask --app app:server <command>`."""

from __future__ import annotations

import sys
from collections.abc import Mapping
from pathlib import Path
from typing import NoReturn, cast

import click
from flask import Flask

import config


def _fail(lines: list[str]) -> NoReturn:
    for line in lines:
        click.echo(line, err=True)
    sys.exit(1)


def register(server: Flask) -> None:
    @server.cli.command("init-db")
    def init_db() -> None:
        """Create or upgrade the database schema (Alembic migrations)."""
        from data_access.schema import upgrade

        upgrade()
        click.echo("Database schema is up to date.")

    @server.cli.command("purge-replays")
    def purge_replays() -> None:
        """Delete Idempotency-Key answers past their replay window (the server does this itself as keyed writes
        come in; run it from cron where writes may stop for days)."""
        from data_access import idempotency

        click.echo(f"{idempotency.purge()} kept answer(s) older than {idempotency.REPLAY_WINDOW.days} days deleted.")

    @server.cli.command("import-boundaries")
    @click.option("--replace-geometry", is_flag=True, help="allow the set to replace geometry already stored")
    @click.argument("path", required=False, type=click.Path(path_type=Path))
    def import_boundaries(replace_geometry: bool, path: Path | None) -> None:
        """Load province/amphoe/tambon boundaries (default ../shared/geo; COD-AB files accepted)."""
        from data_access.areas import import_boundary_set
        from data_access.schema import upgrade
        from geo.boundaries import BoundaryFormatError, read_boundaries

        upgrade()
        try:
            boundaries = read_boundaries(path or config.GEO_DIR)
        except BoundaryFormatError as e:
            _fail([f"Boundary import refused: {e}"])
        try:
            report = import_boundary_set(boundaries, replace_geometry=replace_geometry)
        except BoundaryFormatError as e:
            _fail([f"Boundary import refused: {e}"])
        for line in report.lines():
            click.echo(line)
        import static_files
        from data_access.areas import display_shapes
        from geo import shapes

        # the country's two big files and their compressed copies, written now rather than in a visitor's request
        static_files.shapes_ahead(display_shapes)
        click.echo(f"Shape files written ahead: {', '.join(shapes.PREBUILT)}")

    @server.cli.command("import-survey")
    @click.option("--year", required=True, type=int, help="Buddhist-era TPMAP year, e.g. 2561")
    @click.option(
        "--scope",
        default=None,
        help="what the files cover, replacing only that: province/amphoe/tambon codes, e.g. 75 or 7501,7502 "
        "(default: the whole country)",
    )
    @click.option(
        "--allow-shrink",
        is_flag=True,
        help="accept an amphoe losing more than --max-shrink of its households, persons or failures",
    )
    @click.option(
        "--max-shrink",
        default=5.0,
        show_default=True,
        type=click.FloatRange(0, 100),
        help="per cent an amphoe may shrink without --allow-shrink",
    )
    @click.option(
        "--allow-removals",
        is_flag=True,
        help="accept that households and persons of the year (inside the scope) that the files do not hold are removed",
    )
    @click.option(
        "--dry-run", is_flag=True, help="check everything and report what would change and what would go; write nothing"
    )
    @click.argument("folder", type=click.Path(path_type=Path))
    def import_survey(
        year: int, scope: str | None, allow_shrink: bool, max_shrink: float, allow_removals: bool, dry_run: bool, folder: Path
    ) -> None:
        """Validate and import households.csv, persons.csv and failures.csv from FOLDER (all or nothing).

        A manifest.csv beside them (file,rows[,sha256]) is checked when present; when it states every file's rows, what
        the files no longer hold is meant to go, as with --allow-removals."""
        from data_access.schema import upgrade
        from data_access.survey_import import SurveyImport, SurveyImportError

        upgrade()
        try:
            report = SurveyImport(
                year,
                folder,
                scope=scope.split(",") if scope else None,
                allow_shrink=allow_shrink,
                max_shrink=max_shrink / 100,
                dry_run=dry_run,
                allow_removals=allow_removals,
            ).run()
        except SurveyImportError as e:
            _fail(e.lines())
        for line in report.lines():
            click.echo(line)


def register_accounts(server: Flask) -> None:
    from data_access.policy import ROLES  # the roles' names live in the policy table only

    @server.cli.command("create-user")
    @click.option("--username", required=True)
    @click.option(
        "--role",
        required=True,
        type=click.Choice(list(ROLES)),
    )
    @click.option("--area", "area", required=True, help="area code (TH, 75, 7501); a team: tambons 750101,750102")
    @click.option("--full-name", default=None, help="the person the account belongs to (asked if not given)")
    @click.option("--agency", default=None, help="for province agency users, e.g. provincial health office")
    @click.option("--area-admin", is_flag=True, help="the governor's account: manages its province's accounts")
    @click.option("--password-stdin", is_flag=True, help="read the password from standard input instead of asking")
    def create_user(
        username: str, role: str, area: str, full_name: str | None, agency: str | None, area_admin: bool, password_stdin: bool
    ) -> None:
        """Create an account tied to a named person and an area (bootstraps the first administrators)."""
        from data_access.accounts import AccountError, create_user
        from data_access.schema import upgrade

        upgrade()
        if full_name is None and not password_stdin and sys.stdin.isatty():
            full_name = click.prompt("Full name of the account holder", default="", show_default=False)
        # A script (the pinned call: --password-stdin, no terminal) is never prompted: standard input holds the
        # password only. The account is created, and /admin/users shows that its holder's name is missing.
        full_name = (full_name or "").strip()
        if password_stdin:
            password = sys.stdin.readline().rstrip("\n")
        else:
            password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
        try:
            create_user(
                username=username,
                full_name=full_name,
                role=role,
                areas=[a.strip() for a in area.split(",")],
                password=password,
                agency=agency,
                is_area_admin=area_admin,
            )
        except AccountError as e:
            _fail([f"Account not created: {e}"])
        click.echo(
            f"Created {role} account {username!r} for {area}."
            + ("" if full_name else " The holder's name is missing: an administrator fills it in at /admin/users.")
        )


def register_demo(server: Flask) -> None:
    @server.cli.command("demo")
    @click.option("--port", default=8050, type=int)
    @click.option("--host", default="127.0.0.1")
    @click.option("--rebuild", is_flag=True, help="Build the embedded demo database again from scratch.")
    def demo(port: int, host: str, rebuild: bool) -> None:
        """Build the embedded demo database once (if needed), then serve the dashboard."""
        from werkzeug.serving import run_simple

        import demo as demo_build

        demo_build.ensure_built(rebuild=rebuild)
        click.echo(f"TPMAP Open: http://{host}:{port}/  (Ctrl+C stops it)")
        # Flask refuses app.run() inside a `flask` command, so serve the same WSGI app directly.
        run_simple(host, port, server, threaded=True)


def register_data(server: Flask) -> None:
    _register_import_published(server)
    _register_generate_population(server)
    _register_compare_sources(server)


def _register_import_published(server: Flask) -> None:
    @server.cli.command("import-published")
    @click.option("--year", required=True, type=int)
    @click.argument("folder", required=False, type=click.Path(path_type=Path))
    def import_published_cmd(year: int, folder: Path | None) -> None:
        """Load what TPMAP published for an edition (default ../shared/domain): its area figures as source
        'published' where the area files exist (2561), and its headline figures (the country, and the provinces
        the press named) with their source and status for every edition the shared files list."""
        from data_access.editions import NATIONAL_FILE, HeadlineError, import_headlines
        from data_access.published import PublishedImportError, import_published
        from data_access.schema import upgrade

        upgrade()
        folder = folder or config.DOMAIN_DIR
        full = (folder / f"tpmap_{year}_province.csv").exists()
        try:
            if full:
                for line in import_published(year, folder).lines():
                    click.echo(line)
            if (folder / NATIONAL_FILE).exists():
                try:
                    for line in import_headlines(year, folder).lines():
                        click.echo(line)
                except HeadlineError:
                    if not full:
                        raise
            elif not full:
                raise HeadlineError(f"{folder} has neither tpmap_{year}_*.csv area files nor {NATIONAL_FILE}")
        except (PublishedImportError, HeadlineError) as e:
            _fail([f"Published import refused: {e}"])


def _register_generate_population(server: Flask) -> None:
    @server.cli.command("generate-population")
    @click.option("--year", required=True, type=int)
    @click.option("--provinces", help="comma-separated province codes, e.g. 75,58")
    @click.option("--all", "all_", is_flag=True, help="every province")
    @click.option("--seed", default=2561, show_default=True, type=int)
    @click.option(
        "--previous",
        type=click.Path(exists=True, file_okay=False, path_type=Path),
        help="the previous edition's output folder: write the next edition of the same people (synthetic/panel.py)",
    )
    @click.argument("out_dir", type=click.Path(path_type=Path))
    def generate_population(
        year: int, provinces: str | None, all_: bool, seed: int, previous: Path | None, out_dir: Path
    ) -> None:
        """Write a synthetic population calibrated to the published tambon figures (survey import format), or with
        --previous the next edition of an earlier output (same house_id and citizen IDs where people stay)."""
        from synthetic.population import generate

        if previous is not None:
            from synthetic.panel import evolve

            chosen_from = None if all_ or not provinces else [p.strip() for p in provinces.split(",") if p.strip()]
            counts = evolve(previous, year, out_dir, config.DOMAIN_DIR, config.GEO_DIR, chosen_from, seed)
            click.echo(", ".join(f"{n}: {c:,} rows" for n, c in counts.items()) + f" → {out_dir}")
            return
        if bool(provinces) == all_:
            _fail(["Give either --provinces 75,58 or --all."])
        chosen = None if all_ or provinces is None else [p.strip() for p in provinces.split(",") if p.strip()]
        with click.progressbar(length=1, label="Generating") as bar:

            def progress(done: int, total: int) -> None:
                bar.length = total
                bar.update(done - bar.pos)

            counts = generate(year, out_dir, config.DOMAIN_DIR, config.GEO_DIR, chosen, seed, progress)
        click.echo(", ".join(f"{n}: {c:,} rows" for n, c in counts.items()) + f" → {out_dir}")


def _register_compare_sources(server: Flask) -> None:
    @server.cli.command("compare-sources")
    @click.option("--year", required=True, type=int)
    @click.option("--level", default="province", type=click.Choice(["country", "province", "amphoe", "tambon"]))
    def compare_sources_cmd(year: int, level: str) -> None:
        """Compare survey microdata with TPMAP's published figures where both exist."""
        from data_access.published import compare_sources

        rows = compare_sources(year, level)
        if not rows:
            click.echo(f"No {level} has both survey and published figures for {year}.")
            return
        fields = [k for k in rows[0] if k != "code"]
        click.echo("code\t" + "\t".join(f"{f} (survey/published)" for f in fields))
        same = 0
        for row in rows:
            r = cast(Mapping[str, tuple[int, int]], row)  # every field but the code is a (survey, published) pair
            diffs = [f"{r[f][0]}/{r[f][1]}" + ("" if r[f][0] == r[f][1] else " *") for f in fields]
            same += all(r[f][0] == r[f][1] for f in fields)
            click.echo(row["code"] + "\t" + "\t".join(diffs))
        click.echo(f"{same} of {len(rows)} areas agree on every figure (* marks a difference).")


def register_registers(server: Flask) -> None:
    """Agencies' registers linked by citizen ID (issue 33; data_access/registers.py)."""

    @server.cli.command("list-registers")
    def list_registers() -> None:
        """Print the declared register kinds as a JSON array (key, owner, columns, required; names and types beside)."""
        import json

        from mpi.registers import listing

        click.echo(json.dumps(listing(), ensure_ascii=False, indent=2))

    @server.cli.command("import-register")
    @click.option("--register", "key", required=True, help="the register kind, e.g. old_age_allowance (list-registers)")
    @click.option("--as-of", "as_of", required=True, help="the date of the data, YYYY-MM-DD (Christian era)")
    @click.option("--dry-run", is_flag=True, help="check everything and say what would change; write nothing")
    @click.argument("file", type=click.Path(path_type=Path))
    def import_register(key: str, as_of: str, dry_run: bool, file: Path) -> None:
        """Validate a register FILE (CSV or XLSX; first column citizen_id) and replace the register's rows with it
        (all or nothing); the survey and the other registers are not touched."""
        import datetime as dt

        from data_access.registers import RegisterImport, RegisterImportError
        from data_access.schema import upgrade

        try:
            day = dt.date.fromisoformat(as_of)
        except ValueError:
            _fail([f"--as-of {as_of[:20]!r} is not a date written YYYY-MM-DD (Christian era)"])
            return
        upgrade()
        try:
            report = RegisterImport(key, day, file, dry_run=dry_run).run()
        except RegisterImportError as e:
            _fail(e.lines())
            return
        for line in report.lines():
            click.echo(line)
