"""The embedded demo database: built once on the first `make run`, reused afterwards.

Boundaries of the whole country, TPMAP's published 2561 figures for every area, the headline figures of the
later editions (2562, 2565, 2566), and two editions of synthetic household microdata for the demo provinces:
2561 calibrated to the published figures, and 2562 the same people one survey later (synthetic/panel.py).
"""

from __future__ import annotations

import datetime as dt
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import click
from sqlalchemy import Engine

import config
from data_access.accounts import create_user
from data_access.areas import display_shapes, import_boundary_set
from data_access.db import get_engine
from data_access.published import import_published
from data_access.schema import upgrade
from data_access.survey_import import SurveyImport
from geo.boundaries import read_boundaries
from static_files import shapes_ahead

MARKER = "demo-built-v10"  # v10: vulnerable conditions from the loaded registers, flows by life stage, published groups; v9: agencies' registers linked by citizen ID (issue 33); v8: each province its own change a year on; v7: households that can exist, ages on the survey date (v6: the Logbook's 2561 history, definitions)
# Demo accounts, for the embedded demo on 127.0.0.1 only (a real deployment creates its own with create-user).
DEMO_PASSWORD = "tpmap-demo-2564"
DEMO_ACCOUNTS = [  # username, full name, role, areas, area administrator
    ("admin", "ผู้ดูแลระบบ (สาธิต)", "admin", ["TH"], False),
    ("national", "ศจพ. ส่วนกลาง (สาธิต)", "national", ["TH"], False),
    ("ss.governor", "ผู้ว่าราชการจังหวัดสมุทรสงคราม (สาธิต)", "province", ["75"], True),
    ("ss.district", "นายอำเภอเมืองสมุทรสงคราม (สาธิต)", "district", ["7501"], False),
    ("ss.team", "ทีมปฏิบัติการตำบลบางขันแตก (สาธิต)", "team", ["750102"], False),
    ("mhs.district", "นายอำเภอเมืองแม่ฮ่องสอน (สาธิต)", "district", ["5801"], False),
]
BUILD_LOG = "demo-build.log"  # in the instance folder: the steps and their times, when the output is no terminal
YEAR = 2561
NEXT_YEAR = 2562  # the panel's second edition: the same households and people, followed by citizen ID
HEADLINE_YEARS = (2561, 2562, 2565, 2566)
# Samut Songkhram (the source deck's pilot), Mae Hong Son (highest poverty rate), Chiang Mai
# (the most target poor of any province).
DEMO_PROVINCES = ["75", "58", "50"]


def _marker_path() -> Path:
    return config.INSTANCE_DIR / MARKER


def build(db_file: Path | None, engine: Engine | None = None) -> float:
    """The demo's data into the embedded file `db_file` (made anew), or into `engine`'s empty database (the load
    benchmark builds it on PostGIS: bench/load.py --prepare)."""
    from data_access.editions import import_headlines
    from synthetic.panel import evolve
    from synthetic.population import generate

    if db_file is not None:
        for suffix in ("", "-wal", "-shm"):
            p = db_file.with_name(db_file.name + suffix)
            if p.exists():
                p.unlink()
    t0 = time.perf_counter()
    engine = engine or get_engine()
    with tempfile.TemporaryDirectory(prefix="tpmap-demo-") as tmp:
        steps = [
            ("schema", lambda: upgrade(engine)),
            ("boundaries", lambda: import_boundary_set(read_boundaries(config.GEO_DIR), engine)),
            ("shape files of the country", lambda: shapes_ahead(lambda kind: display_shapes(kind, engine))),
            ("published 2561 figures", lambda: import_published(YEAR, config.DOMAIN_DIR, engine)),
            (
                "headline figures of later editions",
                lambda: [import_headlines(y, config.DOMAIN_DIR, engine) for y in HEADLINE_YEARS],
            ),
            (
                f"synthetic households {YEAR}",
                lambda: generate(YEAR, Path(tmp) / str(YEAR), config.DOMAIN_DIR, config.GEO_DIR, DEMO_PROVINCES),
            ),
            (f"household import {YEAR}", lambda: SurveyImport(YEAR, Path(tmp) / str(YEAR), engine).run()),
            (
                "demo accounts",
                lambda: [
                    create_user(
                        username=u, full_name=n, role=r, areas=a, password=DEMO_PASSWORD, is_area_admin=adm, engine=engine
                    )
                    for u, n, r, a, adm in DEMO_ACCOUNTS
                ],
            ),
            (f"Logbook history {YEAR} (amphoe {LOGBOOK_AMPHOE})", lambda: seed_logbook(engine)),
            (
                f"synthetic households {NEXT_YEAR} (the same people)",
                lambda: evolve(Path(tmp) / str(YEAR), NEXT_YEAR, Path(tmp) / str(NEXT_YEAR), config.DOMAIN_DIR, config.GEO_DIR),
            ),
            (
                f"household import {NEXT_YEAR} and flows",
                lambda: SurveyImport(NEXT_YEAR, Path(tmp) / str(NEXT_YEAR), engine).run(),
            ),
            (
                f"agencies' registers (synthetic, from the {NEXT_YEAR} people)",
                lambda: load_registers(Path(tmp) / str(NEXT_YEAR), NEXT_YEAR, Path(tmp) / "registers", engine),
            ),
        ]
        run_steps(steps, None if sys.stdout.isatty() else config.INSTANCE_DIR / BUILD_LOG)
    return time.perf_counter() - t0


REQUESTED = ("assistance_received", dt.date(2019, 9, 2))  # the demo's register "requested, not received"


def load_registers(survey_dir: Path, year: int, out_dir: Path, engine: Engine) -> int:
    """Synthetic registers generated from the edition's people (synthetic/registers.py), loaded as an agency's file
    would be; one declared register stays "requested, not received". Returns the rows loaded."""
    from data_access.access import CurrentUser
    from data_access.registers import RegisterImport, set_status
    from synthetic.registers import generate as generate_registers

    rows = 0
    for key, (path, as_of) in generate_registers(survey_dir, year, out_dir).items():
        rows += RegisterImport(key, as_of, path, engine=engine).run().rows
    builder = CurrentUser(0, "demo-build", "demo", "national", ("TH",))
    key, asked = REQUESTED
    note = "ส่งหนังสือขอข้อมูลแล้ว ยังไม่ได้รับ (สาธิต) / requested by letter, not received (demo)"
    set_status(builder, key, status="requested", note=note, requested_on=asked, engine=engine)
    return rows


def run_steps(steps: Sequence[tuple[str, Callable[[], object]]], log_path: Path | None) -> None:
    """One line per step and its time, terminal or not (a progress bar prints nothing useful into a log or a CI job);
    also into `log_path` (written anew) when given, so a build run by a script leaves its record."""
    log = open(log_path, "w", encoding="utf-8") if log_path is not None else None

    def say(line: str) -> None:
        click.echo(line)
        if log is not None:
            log.write(line + "\n")
            log.flush()

    try:
        say(f"Building the demo database once ({len(steps)} steps, a few minutes on a 2-core machine):")
        for i, (name, step) in enumerate(steps, 1):
            started = time.perf_counter()
            # a whole line before the step: the importer's own log lines must not land in the middle of it
            say(f"  [{i}/{len(steps)}] {name} …")
            step()
            say(f"        {name}: {time.perf_counter() - started:.1f} s")
    finally:
        if log is not None:
            log.close()


LOGBOOK_AMPHOE = "7501"  # Mueang Samut Songkhram: ss.district's amphoe (ss.team's tambon is one of its tambons)
HELPED_SHARE = 0.3


def seed_logbook(engine: Engine) -> int:
    """The amphoe's work between the 2561 and 2562 surveys: a visit and help in one of its deprived dimensions for a
    random 30 % of its 2561 target-poor households (about 160), dated 2562 BE. The households are drawn by a seeded
    generator before the 2562 edition exists, and the panel never reads the Logbook, so whether the help "worked"
    is not built in: the page's help table should show helped and not-helped households getting out at about the
    same rate. Written through the Logbook's own functions (rollups and audit trail as for a team's real work)."""
    import datetime as dt
    import random

    from data_access import ratelimit
    from data_access.accounts import authenticate
    from data_access.households import list_target_poor_households
    from data_access.logbook import add_assistance, add_visit

    team = authenticate("ss.district", DEMO_PASSWORD, engine=engine).user
    listed = list_target_poor_households(LOGBOOK_AMPHOE, YEAR, page_size=5000, user=team, engine=engine)["items"]
    rng = random.Random(YEAR)
    chosen = sorted(rng.sample(listed, round(HELPED_SHARE * len(listed))), key=lambda h: h["house_id"])
    # (kind of help, baht) per dimension, from the managed list of migration 0004
    kinds = {
        "health": ("health_care", 800),
        "living": ("housing_repair", 5000),
        "education": ("education_support", 1500),
        "income": ("job_training", None),
        "access": ("referral", None),
    }
    for i, h in enumerate(chosen):
        ratelimit.reset()  # a team's day of records, written at once: the per-minute look-up limit is for people
        day = dt.date(2019, 1, 7) + dt.timedelta(days=i * 2)
        add_visit(team, h["house_id"], YEAR, visited_on=day, outcome="verified", visitor="ทีมปฏิบัติการ (สาธิต)", engine=engine)
        dim = rng.choice(h["deprived_dimensions"])
        add_assistance(
            team,
            h["house_id"],
            YEAR,
            given_on=day,
            dimension=dim,
            kind=kinds[dim][0],
            agency="ศจพ.อ. เมืองสมุทรสงคราม (สาธิต)",
            amount_baht=kinds[dim][1],
            engine=engine,
        )
    return len(chosen)


def ensure_built(rebuild: bool = False) -> None:
    url = config.database_url()
    if url != config.default_database_url():
        # Any other database (PostGIS, a test file) is only migrated; data comes from the import commands.
        upgrade(get_engine())
        return
    if _marker_path().exists() and not rebuild:
        upgrade(get_engine())
        return
    for old in config.INSTANCE_DIR.glob("demo-built-*"):
        old.unlink()
    seconds = build(config.INSTANCE_DIR / "tpmap.sqlite")
    _marker_path().write_text(f"built in {seconds:.0f} s\n")
    click.echo(f"Demo database ready in {seconds:.0f} s.")
    click.echo(f"Demo accounts (password {DEMO_PASSWORD}): " + ", ".join(a[0] for a in DEMO_ACCOUNTS))
