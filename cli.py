"""Flask CLI commands: `flask --app app:server <command>`."""
from __future__ import annotations

import sys
from pathlib import Path

import click
from flask import Flask

import config


def _fail(lines: list[str]) -> None:
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

    @server.cli.command("import-boundaries")
    @click.argument("path", required=False, type=click.Path(path_type=Path))
    def import_boundaries(path: Path | None) -> None:
        """Load province/amphoe/tambon boundaries (default ../shared/geo; COD-AB files accepted)."""
        from data_access.areas import import_boundary_set
        from data_access.schema import upgrade
        from geo.boundaries import BoundaryFormatError, read_boundaries

        upgrade()
        try:
            boundaries = read_boundaries(path or config.GEO_DIR)
        except BoundaryFormatError as e:
            _fail([f"Boundary import refused: {e}"])
        for line in import_boundary_set(boundaries).lines():
            click.echo(line)

    @server.cli.command("import-survey")
    @click.option("--year", required=True, type=int, help="Buddhist-era TPMAP year, e.g. 2561")
    @click.argument("folder", type=click.Path(path_type=Path))
    def import_survey(year: int, folder: Path) -> None:
        """Validate and import households.csv, persons.csv and failures.csv from FOLDER (all or nothing)."""
        from data_access.schema import upgrade
        from data_access.survey_import import SurveyImport, SurveyImportError

        upgrade()
        try:
            report = SurveyImport(year, folder).run()
        except SurveyImportError as e:
            _fail(e.lines())
        for line in report.lines():
            click.echo(line)


def register_demo(server: Flask) -> None:
    @server.cli.command("demo")
    @click.option("--port", default=8050, type=int)
    @click.option("--host", default="127.0.0.1")
    @click.option("--rebuild", is_flag=True, help="Build the embedded demo database again from scratch.")
    def demo(port: int, host: str, rebuild: bool) -> None:
        """Build the embedded demo database once (if needed), then serve the dashboard."""
        import demo as demo_build
        from app import app

        demo_build.ensure_built(rebuild=rebuild)
        click.echo(f"TPMAP Open: http://{host}:{port}/")
        app.run(host=host, port=port, debug=False)
