"""Import one survey year from three CSV files (pinned format), all or nothing.

households.csv  house_id,tambon_code,village_no,latitude,longitude
persons.csv     citizen_id,house_id,first_name,last_name,sex,birth_date,welfare_card,disabled
failures.csv    house_id,indicator

Optional columns (vulnerable households, domain brief §6), blank where unknown:
households.csv  head_farming (0/1), farmer_registered (0/1: anyone on Farmer ONE), income_per_capita (baht a year)
persons.csv     old_age_allowance, disability_allowance, chronic_dependent, moe_poor_child (0/1 each)

`SurveyImport(year, folder).validate()` reads every file in chunks and collects every problem
(file, row, reason) without touching the database; `run()` validates, then writes the year in
one transaction: staging tables (COPY on PostgreSQL), derived household columns and the
rollups computed by SQL inside the database. On any problem nothing is written.

Ages are counted on the edition's survey date (mpi.editions): a birth date after it, before 1880 or with a
Buddhist-era year is refused, and so is an indicator failure of a household with nobody in the indicator's stated
scope (mpi/data: 4.2 with nobody aged 60 or over, 5.2 with nobody disabled) during the survey's interviews. A
re-import that would remove a household or a person the year holds in its scope removes nothing unless the
operator allows it (allow_removals, or a manifest that states every file's rows); a dry run lists them.

Row numbers count the header as row 1, so they equal line numbers in a spreadsheet.
Citizen IDs are masked in every message: a report may end up in a log.

The writes here are hand-written SQL on purpose (issue 14): COPY into staging tables, then set-based
INSERT … SELECT / UPDATE … FROM statements with dialect branches, which is where the import's speed comes from
(bench/RESULTS.md); pages and the API read the same tables through models.py.
"""

from __future__ import annotations

import datetime as dt
import difflib
import io
import logging
import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import (
    Connection,
    Engine,
    MetaData,
    Table,
    and_,
    exists,
    func,
    or_,
    select,
    table,
    text,
    true,
    union,
    update,
)
from sqlalchemy import column as loose_column
from sqlalchemy.schema import DropTable
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.selectable import CompoundSelect, TableClause

from data_access import cache
from data_access import models as tables
from data_access.db import get_engine, is_postgres, tuples
from data_access.errors import BadRequest
from data_access.file_checks import MANIFEST, detect_encoding, read_manifest, scan
from data_access.flows import refresh_flows
from data_access.indicator_sync import sync_indicators
from data_access.masking import mask_citizen_id
from data_access.register_rollups import refresh_year as refresh_registers_of
from data_access.rollups import refresh_survey_rollups, stage_bounds
from data_access.vulnerable import stage_vulnerable_bits
from mpi import catalogue
from mpi.calendar import BE_OFFSET
from mpi.editions import survey_period

log = logging.getLogger(__name__)

FILES: dict[str, list[str]] = {
    "households.csv": ["house_id", "tambon_code", "village_no", "latitude", "longitude"],
    "persons.csv": ["citizen_id", "house_id", "first_name", "last_name", "sex", "birth_date", "welfare_card", "disabled"],
    "failures.csv": ["house_id", "indicator"],
}
OPTIONAL: dict[str, list[str]] = {
    "households.csv": ["head_farming", "farmer_registered", "income_per_capita"],
    "persons.csv": ["old_age_allowance", "disability_allowance", "chronic_dependent", "moe_poor_child"],
    "failures.csv": [],
}
OPTIONAL_FLAGS = {
    "head_farming",
    "farmer_registered",
    "old_age_allowance",
    "disability_allowance",
    "chronic_dependent",
    "moe_poor_child",
}
MAX_INCOME = 100_000_000
MAX_REPORTED = 100
CHUNK_ROWS = 500_000
# Thailand with a margin: a point outside this box is certainly a typo (swapped lat/lon, say).
LAT_RANGE = (5.0, 21.0)
LON_RANGE = (97.0, 106.0)
MAX_HOUSE_ID = 32
# Longest value each column may hold (characters). Longer is a damaged file or an attack, never data.
FIELD_LIMITS = {
    "house_id": MAX_HOUSE_ID,
    "tambon_code": 6,
    "village_no": 3,
    "latitude": 24,
    "longitude": 24,
    "citizen_id": 13,
    "first_name": 100,
    "last_name": 100,
    "sex": 1,
    "birth_date": 10,
    "welfare_card": 1,
    "disabled": 1,
    "indicator": 8,
    "head_farming": 1,
    "farmer_registered": 1,
    "income_per_capita": 16,
    "old_age_allowance": 1,
    "disability_allowance": 1,
    "chronic_dependent": 1,
    "moe_poor_child": 1,
}
# An import may shrink an amphoe's households, persons or indicator failures by at most this share
# unless the operator says the smaller figures are right (--allow-shrink): a cut file or one amphoe's
# files named as the whole country must never delete the rest of the year.
DEFAULT_MAX_SHRINK = 0.05
# A birth year above this is a Buddhist-era year (2400 BE is 1857 CE; no Christian-era birth year comes near it).
BUDDHIST_ERA_FROM = 2400
EARLIEST_BIRTH_YEAR = 1880
# The staged files: temporary tables of the import's connection (constant DDL in _create_staging), read here as
# lightweight Core tables without types: values reach the server as the files give them.
STAGE_HOUSEHOLD = table("stage_household", loose_column("house_id"), loose_column("tambon_code"))
STAGE_PERSON = table("stage_person", loose_column("citizen_id"), loose_column("house_id"))
STAGE_TABLES = ("stage_household", "stage_person", "stage_failure", "stage_household_derived", "stage_vuln")


def logbook_households() -> CompoundSelect:
    """Households that Logbook records point at: a re-import must keep them (and their ids)."""
    t = tables
    return union(
        select(t.logbook_state.c.household_id),
        select(t.visit.c.household_id),
        select(t.need.c.household_id),
        select(t.assistance.c.household_id),
        select(t.status_change.c.household_id),
        select(t.mentor_assignment.c.household_id),
        select(t.member_request.c.household_id).where(t.member_request.c.household_id.is_not(None)),
    )


def scope_condition(scope: tuple[str, ...], tambon: ColumnElement[str]) -> ColumnElement[bool]:
    """Rows inside the scope (provinces, amphoes or tambons by code prefix; ("TH",) is the whole country)."""
    if scope == ("TH",):
        return true()
    return or_(*(tambon.like(code + "%") for code in scope))


@dataclass(frozen=True)
class Problem:
    file: str
    row: int | None
    reason: str

    def __str__(self) -> str:
        where = f"{self.file} row {self.row}" if self.row is not None else self.file
        return f"{where}: {self.reason}"


@dataclass
class Removals:
    """Households and persons the year holds in the import's scope that the files do not: what the import removes."""

    households: int = 0
    persons: int = 0
    listed: list[Problem] = field(default_factory=list)  # the first MAX_REPORTED, households first

    @property
    def total(self) -> int:
        return self.households + self.persons

    def summary(self, year: int) -> str:
        return f"{self.households:,} household(s) and {self.persons:,} person(s) of {year} that the files do not hold"

    def more(self) -> list[str]:
        left = self.total - len(self.listed)
        return [f"  … and {left:,} more."] if left > 0 else []


@dataclass
class ImportReport:
    year: int
    households: int = 0
    persons: int = 0
    failures: int = 0
    encodings: dict[str, str] = field(default_factory=dict)
    validate_seconds: float = 0.0
    write_seconds: float = 0.0
    rollup_seconds: float = 0.0
    flows_seconds: float = 0.0  # part of rollup_seconds: persons followed to and from the neighbouring editions
    scope: tuple[str, ...] = ("TH",)
    changes: list[tuple[str, tuple[int, int, int], tuple[int, int, int]]] = field(default_factory=list)
    dry_run: bool = False
    removals: Removals = field(default_factory=Removals)
    removals_allowed: bool = False

    @property
    def rows(self) -> int:
        return self.households + self.persons + self.failures

    def change_lines(self) -> list[str]:
        """Per province: households, persons and failures before → after, inside the import's scope."""
        out = [
            f"Scope: {'the whole country' if self.scope == ('TH',) else ', '.join(self.scope)} "
            "(only these areas of the year are replaced)"
        ]
        for code, old, new in self.changes:
            out.append(
                f"  {code}: households {old[0]:,} → {new[0]:,}, persons {old[1]:,} → {new[1]:,}, failures {old[2]:,} → {new[2]:,}"
            )
        return out

    def removal_lines(self) -> list[str]:
        """What goes: every household and person of the year in scope that the files no longer hold."""
        r = self.removals
        if not r.total:
            return []
        if not self.dry_run:
            head = f"Removed {r.summary(self.year)}:"
        elif self.removals_allowed:
            head = f"Would remove {r.summary(self.year)}:"
        else:
            head = (
                f"Would remove {r.summary(self.year)}; the import itself refuses this without --allow-removals "
                "(or a manifest.csv that states each file's rows):"
            )
        return [head, *(f"  {p}" for p in r.listed), *r.more()]

    def lines(self) -> list[str]:
        total = self.validate_seconds + self.write_seconds + self.rollup_seconds
        rate = self.rows / total if total else 0
        verb = "Dry run, nothing written; would import" if self.dry_run else "Imported"
        return [
            f"{verb} survey year {self.year}: {self.households:,} households, {self.persons:,} persons, "
            f"{self.failures:,} indicator failures.",
            *self.change_lines(),
            *self.removal_lines(),
            "Encodings: " + ", ".join(f"{k} {v}" for k, v in self.encodings.items()),
            f"Validate {self.validate_seconds:.1f} s, write {self.write_seconds:.1f} s, rollups "
            f"{self.rollup_seconds:.1f} s (flows {self.flows_seconds:.1f} s): {rate:,.0f} rows/s overall.",
        ]


class SurveyImportError(BadRequest):
    """The import was refused (400); `problems` holds the first MAX_REPORTED, `total` counts them all."""

    key = "err.survey_import"

    def __init__(self, problems: list[Problem], total: int):
        super().__init__(f"{total} problem(s) in the survey files; nothing was imported", total=total)
        self.problems = problems
        self.total = total

    def lines(self) -> list[str]:
        out = [f"Import refused: {self.total:,} problem(s) found; the database was not changed."]
        out += [f"  {p}" for p in self.problems]
        if self.total > len(self.problems):
            out.append(f"  … and {self.total - len(self.problems):,} more.")
        return out


def _bounded(reason: str, limit: int = 300) -> str:
    """A reason quotes the bad value; a 2,000,000-character value must not become a 2 MB report line."""
    return reason if len(reason) <= limit else reason[:limit] + "…"


class _Collector:
    def __init__(self) -> None:
        self.problems: list[Problem] = []
        self.total = 0

    def add(self, file: str, row: int | None, reason: str) -> None:
        self.total += 1
        if len(self.problems) < MAX_REPORTED:
            self.problems.append(Problem(file, row, _bounded(reason)))

    def add_mask(self, file: str, frame: pd.DataFrame, bad: pd.Series, reason: str | Callable[..., str]) -> None:
        """Report every row where `bad` is true; reason is a string or a function of the row."""
        if not bad.any():
            return
        hits = frame[bad]
        self.total += len(hits)
        room = MAX_REPORTED - len(self.problems)
        for _, row in hits.head(max(room, 0)).iterrows():
            self.problems.append(Problem(file, int(row["_row"]), _bounded(reason(row) if callable(reason) else reason)))


def _check_header(
    file: str, header: list[str], expected: list[str], problems: _Collector, optional: list[str] | tuple[str, ...] = ()
) -> bool:
    missing = [c for c in expected if c not in header]
    extra = [c for c in header if c not in expected and c not in optional]
    dupes = sorted({c for c in header if header.count(c) > 1})
    for c in missing:
        guess = difflib.get_close_matches(c, extra, n=1)
        hint = f" (found {guess[0]!r}: misspelt?)" if guess else ""
        problems.add(file, 1, f"missing column {c!r}{hint}")
    for c in extra:
        if not difflib.get_close_matches(c, missing, n=1):
            problems.add(
                file,
                1,
                f"unexpected column {c!r}; expected {', '.join(expected)}"
                + (f" (optional: {', '.join(optional)})" if optional else ""),
            )
    for c in dupes:
        problems.add(file, 1, f"column {c!r} appears more than once")
    return not (missing or extra or dupes)


def _read_header(path: Path, encoding: str) -> list[str]:
    with open(path, encoding=encoding, newline="") as f:
        first = f.readline()
    return (
        [c.strip() for c in next(iter(pd.read_csv(io.StringIO(first), header=None, dtype=str).values))] if first.strip() else []
    )


class RowShapeError(BadRequest):
    """A row with more fields than the header: the parser stops there, so it is reported alone."""

    key = "err.row_shape"

    def __init__(self, row: int | None, reason: str):
        super().__init__(reason)
        self.row = row
        self.reason = reason


_FIELDS_RE = re.compile(r"Expected (\d+) fields in line (\d+), saw (\d+)")


def _chunks(path: Path, encoding: str, columns: list[str]) -> Iterator[pd.DataFrame]:
    """The file in chunks of strings, each with `_row` = its row number (header = 1) and `_missing` =
    how many fields the row lacks (a cut or a lost comma: the parser fills them with NaN)."""
    start = 2
    reader = pd.read_csv(
        path,
        dtype=str,
        keep_default_na=False,
        encoding=encoding,
        chunksize=CHUNK_ROWS,
        skip_blank_lines=False,
        on_bad_lines="error",
    )
    try:
        for chunk in reader:
            chunk.columns = [c.strip() for c in chunk.columns]
            missing = chunk.isna().sum(axis=1).to_numpy()
            chunk = chunk.fillna("")
            chunk["_row"] = np.arange(start, start + len(chunk))
            chunk["_missing"] = missing
            start += len(chunk)
            yield chunk
    except pd.errors.ParserError as e:
        m = _FIELDS_RE.search(str(e))
        if m:
            raise RowShapeError(
                int(m.group(2)),
                f"has {m.group(3)} fields, the header has {m.group(1)} (a stray comma, or an unquoted comma inside a field)",
            ) from None
        raise RowShapeError(None, f"cannot be read as CSV: {str(e).splitlines()[-1]}") from None


CellTest = Callable[..., pd.Series]


def _check_cells(f: str, c: pd.DataFrame, problems: _Collector, mask: Callable[[str, CellTest], pd.Series] | None = None) -> None:
    """Row shape and field sizes, the same for every file: short rows, line breaks inside fields, over-long values.
    `mask(column, test)` runs a test of a column's values and answers per row (the register import runs it once per
    distinct value); by default the test sees the column itself."""

    def direct(col: str, test: CellTest) -> pd.Series:
        return test(c[col])

    rows = mask or direct
    problems.add_mask(
        f,
        c,
        pd.Series(c["_missing"] > 0, index=c.index),
        lambda r: f"has {int(r['_missing'])} field(s) fewer than the header: the row is cut short "
        "(a truncated file?) or a comma is missing",
    )
    for col in c.columns:
        if col.startswith("_"):
            continue
        limit = FIELD_LIMITS.get(col, 100)
        problems.add_mask(
            f,
            c,
            rows(col, lambda s, limit=limit: s.str.len() > limit),
            lambda r, col=col, limit=limit: f"{col} is {len(r[col]):,} characters long; at most {limit}",
        )
        problems.add_mask(
            f,
            c,
            rows(col, lambda s: s.str.contains("\n", regex=False)),
            lambda r, col=col: f"{col} holds a line break inside a quoted field",
        )


def _citizen_id_bad(ids: pd.Series) -> tuple[pd.Series, pd.Series]:
    """(malformed, wrong check digit) masks, vectorised over a chunk."""
    well_formed = ids.str.fullmatch(r"[0-9]{13}")
    wrong = pd.Series(False, index=ids.index)
    if well_formed.any():
        good = ids[well_formed]
        digits = np.frombuffer("".join(good.tolist()).encode("ascii"), dtype=np.uint8).reshape(-1, 13) - 48
        weights = np.arange(13, 1, -1)
        check = (11 - (digits[:, :12].astype(np.int64) @ weights) % 11) % 10
        wrong.loc[good.index] = check != digits[:, 12]
    return ~well_formed, wrong


def _parse_float(s: pd.Series) -> pd.Series:
    return pd.to_numeric(s.where(s != ""), errors="coerce")


class SurveyImport:
    """Validate, then import one year (a command object: construct, validate(), run())."""

    def __init__(
        self,
        year: int,
        folder: Path | str,
        engine: Engine | None = None,
        *,
        scope: list[str] | tuple[str, ...] | None = None,
        allow_shrink: bool = False,
        max_shrink: float = DEFAULT_MAX_SHRINK,
        dry_run: bool = False,
        allow_removals: bool = False,
    ):
        self.year = int(year)
        self.folder = Path(folder)
        self.engine = engine or get_engine()
        self.encodings: dict[str, str] = {}
        self.headers: dict[str, list[str]] = {}
        self.counts: dict[str, int] = {}
        self.digests: dict[str, str] = {}
        # The areas this import replaces: the whole country unless named (provinces, amphoes or tambons).
        codes = tuple(sorted({c.strip() for c in (scope or []) if c and c.strip()}))
        self.scope: tuple[str, ...] = ("TH",) if not codes or "TH" in codes else codes
        self.allow_shrink = allow_shrink
        self.max_shrink = max_shrink
        self.dry_run = dry_run
        self.allow_removals = allow_removals
        self.manifest_states_counts = False  # a manifest.csv listed every file's rows (and they matched)
        # indicators asked about some members only, by the jpt wording: a failure needs such a member
        self.scoped: list[catalogue.Indicator] = []
        self.members_in_scope = pd.DataFrame()  # house_id → for each scoped indicator, someone in its scope
        # new rows per tambon, collected while validating: (households, persons, failures)
        self.new_counts: dict[str, list[int]] = {}
        self.changes: list[tuple[str, tuple[int, int, int], tuple[int, int, int]]] = []

    @property
    def whole_country(self) -> bool:
        return self.scope == ("TH",)

    def in_scope(self, tambon_code: str) -> bool:
        return self.whole_country or tambon_code.startswith(self.scope)

    def in_scope_rows(self, tambon: ColumnElement[str]) -> ColumnElement[bool]:
        """The Core condition for rows inside the scope."""
        return scope_condition(self.scope, tambon)

    # -- validation ------------------------------------------------------------------------
    def validate(self) -> None:
        """Raise SurveyImportError listing every problem; the database is only read."""
        problems = self._problems = _Collector()
        try:
            indicators = catalogue.indicators_for_year(self.year)
        except KeyError as e:
            raise SurveyImportError([Problem("(year)", None, str(e.args[0]))], 1) from None
        indicator_codes = {i.code for i in indicators}
        self.scoped = [i for i in indicators if i.scoped and i.scope_basis == "stated"]
        if not self.folder.is_dir():
            raise SurveyImportError([Problem(str(self.folder), None, "is not a folder")], 1)
        with self.engine.connect() as conn:
            levels: dict[str, str] = dict(tuples(conn.execute(select(tables.area.c.code, tables.area.c.level))))
        # households live in tambons and in municipal units (เขตเทศบาล), which TPMAP reports like tambons
        tambons = {c for c, lvl in levels.items() if lvl in ("tambon", "municipality")}
        for code in self.scope:
            if code != "TH" and levels.get(code) not in ("province", "amphoe", "tambon", "municipality"):
                problems.add("(scope)", None, f"{code!r} is not a province, amphoe or tambon code")
        for name, expected in FILES.items():
            path = self.folder / name
            if not path.exists():
                problems.add(name, None, f"file is missing from {self.folder}")
                continue
            self.encodings[name] = enc = detect_encoding(path)
            # bytes no CSV row may hold are found before any parser sees them, the same on every backend
            found = scan(path, enc, MAX_REPORTED)
            self.digests[name] = found.sha256
            for row, reason in found.problems:
                problems.add(name, row, reason)
            problems.total += found.total_problems - len(found.problems)
            if found.problems:
                continue
            try:
                header = _read_header(path, enc)
            except (UnicodeDecodeError, pd.errors.ParserError, ValueError) as e:
                problems.add(name, 1, f"the header row cannot be read: {str(e).splitlines()[-1][:200]}")
                continue
            self.headers[name] = header
            _check_header(name, header, expected, problems, OPTIONAL[name])
        if problems.total:
            raise SurveyImportError(problems.problems, problems.total)

        current = ""
        try:
            current = "households.csv"
            house_ids = self._validate_households(tambons, problems)
            current = "persons.csv"
            self._validate_persons(house_ids, problems)
            current = "failures.csv"
            self._validate_failures(house_ids, indicator_codes, problems)
            current = "households.csv"
            self._validate_logbook_kept(house_ids, problems)
        except RowShapeError as e:
            problems.add(current, e.row, e.reason)
        if problems.total:
            raise SurveyImportError(problems.problems, problems.total)
        self._check_manifest(problems)
        self._check_shrink(problems)
        if problems.total:
            raise SurveyImportError(problems.problems, problems.total)

    def _check_manifest(self, problems: _Collector) -> None:
        """manifest.csv, when the sender included one: every file whole, with the rows (and digest) it names."""
        entries, manifest_problems = read_manifest(self.folder, set(FILES))
        for row, reason in manifest_problems:
            problems.add(MANIFEST, row, reason)
        # the sender counted every file: what the files no longer hold is meant to go (any mismatch is refused below)
        self.manifest_states_counts = bool(entries) and not manifest_problems and set(entries or ()) == set(FILES)
        for name, entry in (entries or {}).items():
            have = self.counts.get(name)
            if entry.rows is not None and have is not None and have != entry.rows:
                problems.add(
                    name,
                    None,
                    f"the manifest says {entry.rows:,} rows, the file has {have:,}: "
                    f"{'it is cut short' if have < entry.rows else 'it has rows the sender did not count'}",
                )
            if entry.sha256 and entry.sha256 != self.digests.get(name):
                problems.add(
                    name, None, "its SHA-256 differs from the manifest's: the file was changed or damaged after it was sent"
                )

    def _old_counts(self) -> dict[str, tuple[int, int, int]]:
        """The year's households, persons and failures per tambon now in the database, inside the scope."""
        h, f = tables.household.c, tables.household_failure.c
        in_scope = and_(h.year == self.year, self.in_scope_rows(h.tambon_code))
        households = (
            select(h.tambon_code, func.count(), func.coalesce(func.sum(h.n_persons), 0)).where(in_scope).group_by(h.tambon_code)
        )
        failures = (
            select(h.tambon_code, func.count())
            .select_from(tables.household_failure.join(tables.household, h.id == f.household_id))
            .where(in_scope)
            .group_by(h.tambon_code)
        )
        with self.engine.connect() as conn:
            hp = tuples(conn.execute(households))
            fl: dict[str, int] = dict(tuples(conn.execute(failures)))
        return {t: (int(n), int(p), int(fl.get(t, 0))) for t, n, p in hp}

    def _check_shrink(self, problems: _Collector) -> None:
        """Refuse to shrink any amphoe in scope by more than max_shrink unless told; record the changes."""
        old = self._old_counts()
        by_amphoe_old: dict[str, list[int]] = {}
        by_amphoe_new: dict[str, list[int]] = {}
        for t, counts in old.items():
            acc = by_amphoe_old.setdefault(t[:4], [0, 0, 0])
            for i in range(3):
                acc[i] += counts[i]
        for t, new in self.new_counts.items():
            acc = by_amphoe_new.setdefault(t[:4], [0, 0, 0])
            for i in range(3):
                acc[i] += new[i]
        provinces: dict[str, tuple[list[int], list[int]]] = {}
        for a in sorted(set(by_amphoe_old) | set(by_amphoe_new)):
            o, n = by_amphoe_old.get(a, [0, 0, 0]), by_amphoe_new.get(a, [0, 0, 0])
            po, pn = provinces.setdefault(a[:2], ([0, 0, 0], [0, 0, 0]))
            for i in range(3):
                po[i] += o[i]
                pn[i] += n[i]
            if self.allow_shrink:
                continue
            for i, what in enumerate(("households", "persons", "indicator failures")):
                if o[i] and n[i] < o[i] * (1 - self.max_shrink):
                    problems.add(
                        "(scope)",
                        None,
                        f"amphoe {a} would go from {o[i]:,} {what} to {n[i]:,} ({(n[i] - o[i]) / o[i]:+.0%}) in "
                        f"{self.year}: a partial or cut file? Name what the files cover with --scope "
                        f"(e.g. --scope {a[:2]}), or pass --allow-shrink if the smaller figures are right",
                    )
        self.changes = [(p, (o[0], o[1], o[2]), (n[0], n[1], n[2])) for p, (o, n) in sorted(provinces.items())]

    def _each(self, name: str) -> Iterator[pd.DataFrame]:
        for chunk in _chunks(self.folder / name, self.encodings[name], FILES[name]):
            problems = self._problems
            _check_cells(name, chunk, problems)
            yield chunk

    def _count(self, tambons: pd.Series, slot: int) -> None:
        for t, n in tambons.value_counts().items():
            if t:
                self.new_counts.setdefault(str(t), [0, 0, 0])[slot] += int(n)

    def _validate_households(self, tambons: set[str], problems: _Collector) -> pd.Index:
        f = "households.csv"
        ids, rows, tambon_parts = [], [], []
        for c in self._each(f):
            problems.add_mask(f, c, c["house_id"] == "", "house_id is empty")
            problems.add_mask(f, c, c["house_id"].str.len() > MAX_HOUSE_ID, f"house_id is longer than {MAX_HOUSE_ID} characters")
            problems.add_mask(f, c, ~c["tambon_code"].isin(tambons), lambda r: f"unknown tambon code {r['tambon_code']!r}")
            if not self.whole_country:
                problems.add_mask(
                    f,
                    c,
                    c["tambon_code"].isin(tambons) & ~c["tambon_code"].str.startswith(self.scope),
                    lambda r: f"tambon {r['tambon_code']} is outside the import's scope ({', '.join(self.scope)})",
                )
            self._count(c["tambon_code"], 0)
            tambon_parts.append(c["tambon_code"])
            village = pd.to_numeric(c["village_no"].where(c["village_no"].str.fullmatch(r"[0-9]+")), errors="coerce")
            problems.add_mask(
                f,
                c,
                village.isna() | (village < 0) | (village > 999),
                lambda r: f"village_no must be a whole number 0-999, got {r['village_no']!r}",
            )
            lat, lon = _parse_float(c["latitude"]), _parse_float(c["longitude"])
            lat_given, lon_given = c["latitude"] != "", c["longitude"] != ""
            problems.add_mask(f, c, lat_given != lon_given, "latitude and longitude must both be given or both empty")
            problems.add_mask(
                f,
                c,
                lat_given & (lat.isna() | ~lat.between(*LAT_RANGE)),
                lambda r: f"latitude {r['latitude']!r} is not a number within Thailand ({LAT_RANGE[0]}-{LAT_RANGE[1]})",
            )
            problems.add_mask(
                f,
                c,
                lon_given & (lon.isna() | ~lon.between(*LON_RANGE)),
                lambda r: f"longitude {r['longitude']!r} is not a number within Thailand ({LON_RANGE[0]}-{LON_RANGE[1]})",
            )
            self._validate_optional(f, c, problems)
            ids.append(c["house_id"])
            rows.append(c["_row"])
        all_ids = pd.Series(pd.concat(ids, ignore_index=True) if ids else pd.Series([], dtype=str))
        all_rows = pd.concat(rows, ignore_index=True) if rows else pd.Series([], dtype=int)
        dup = all_ids.duplicated(keep="first") & (all_ids != "")
        if dup.any():
            first_row = dict(zip(all_ids[~dup].tolist(), all_rows[~dup].tolist(), strict=False))
            frame = pd.DataFrame({"house_id": all_ids, "_row": all_rows})
            problems.add_mask(
                f, frame, dup, lambda r: f"duplicate house_id {r['house_id']!r} (first on row {first_row[r['house_id']]})"
            )
        self.counts[f] = len(all_ids)
        tambon_of = pd.concat(tambon_parts, ignore_index=True) if tambon_parts else pd.Series([], dtype=str)
        # house_id -> tambon, to count persons and failures per tambon (first row wins for duplicates)
        self.tambon_of_house = pd.Series(tambon_of.to_numpy(), index=all_ids.to_numpy())
        self.tambon_of_house = self.tambon_of_house[~self.tambon_of_house.index.duplicated(keep="first")]
        if not len(all_ids):
            problems.add(f, None, "has a header but no households")
        return pd.Index(all_ids.unique())

    def _validate_persons(self, house_ids: pd.Index, problems: _Collector) -> None:
        f = "persons.csv"
        id_parts, row_parts, per_house, in_scope = [], [], [], []
        for c in self._each(f):
            malformed, wrong_check = _citizen_id_bad(c["citizen_id"])
            problems.add_mask(f, c, malformed, "citizen_id must be exactly 13 digits")
            problems.add_mask(
                f,
                c,
                wrong_check,
                lambda r: f"citizen_id {mask_citizen_id(r['citizen_id'])} fails the Thai check digit (13th digit) test",
            )
            problems.add_mask(
                f, c, ~c["house_id"].isin(house_ids), lambda r: f"person's house_id {r['house_id']!r} is not in households.csv"
            )
            problems.add_mask(f, c, c["first_name"].str.strip() == "", "first_name is empty")
            problems.add_mask(f, c, c["last_name"].str.strip() == "", "last_name is empty")
            problems.add_mask(f, c, ~c["sex"].isin(["M", "F"]), lambda r: f"sex must be M or F, got {r['sex']!r}")
            born = self._birth_dates(f, c, problems)
            in_scope.append(self._in_scope(c, born))
            for flag in ("welfare_card", "disabled"):
                problems.add_mask(f, c, ~c[flag].isin(["0", "1"]), lambda r, flag=flag: f"{flag} must be 0 or 1, got {r[flag]!r}")
            self._validate_optional(f, c, problems)
            self._count(c["house_id"].map(self.tambon_of_house).fillna(""), 1)
            ok = ~malformed
            id_parts.append(c.loc[ok, "citizen_id"].astype(np.int64).to_numpy())
            row_parts.append(c.loc[ok, "_row"].to_numpy())
            per_house.append(c["house_id"])
        ids = np.concatenate(id_parts) if id_parts else np.array([], dtype=np.int64)
        rows = np.concatenate(row_parts) if row_parts else np.array([], dtype=np.int64)
        order = np.argsort(ids, kind="stable")
        sorted_ids = ids[order]
        dup_pos = np.nonzero(sorted_ids[1:] == sorted_ids[:-1])[0] + 1
        if len(dup_pos):
            # the first occurrence of each run is the earliest row (stable sort)
            run_start = np.maximum.accumulate(
                np.where(np.r_[True, sorted_ids[1:] != sorted_ids[:-1]], np.arange(len(sorted_ids)), 0)
            )
            frame = pd.DataFrame(
                {"_row": rows[order][dup_pos], "first": rows[order][run_start[dup_pos]], "cid": sorted_ids[dup_pos]}
            ).sort_values("_row")
            problems.add_mask(
                f,
                frame,
                pd.Series(True, index=frame.index),
                lambda r: f"duplicate citizen_id {mask_citizen_id(str(r['cid']).zfill(13))} (first on row {r['first']})",
            )
        self.counts[f] = len(rows) if not per_house else sum(len(p) for p in per_house)
        if in_scope:
            self.members_in_scope = pd.concat(in_scope).groupby(level=0).any()
        houses_with_people = pd.Index(pd.concat(per_house).unique()) if per_house else pd.Index([])
        empty = house_ids.difference(houses_with_people)
        for hid in empty[:MAX_REPORTED]:
            problems.add("households.csv", None, f"household {hid!r} has no persons in persons.csv")
        problems.total += max(len(empty) - MAX_REPORTED, 0)

    def _birth_dates(self, f: str, c: pd.DataFrame, problems: _Collector) -> pd.Series:
        """The chunk's birth dates (NaT where refused): a date, in the Christian era, from 1880 to the survey date."""
        last = survey_period(self.year)[1]
        shaped = c["birth_date"].str.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
        year = pd.to_numeric(c["birth_date"].str[:4].where(shaped), errors="coerce")
        buddhist = year > BUDDHIST_ERA_FROM
        born = pd.to_datetime(c["birth_date"].where(shaped & ~buddhist), format="%Y-%m-%d", errors="coerce")
        problems.add_mask(
            f,
            c,
            buddhist,
            lambda r: f"birth_date {r['birth_date']} has a Buddhist-era year ({r['birth_date'][:4]} BE is "
            f"{int(r['birth_date'][:4]) - BE_OFFSET} CE); the file takes Christian-era dates, "
            f"e.g. {int(r['birth_date'][:4]) - BE_OFFSET}{r['birth_date'][4:]}",
        )
        problems.add_mask(f, c, born.isna() & ~buddhist, lambda r: f"birth_date {r['birth_date']!r} is not a date YYYY-MM-DD")
        problems.add_mask(
            f,
            c,
            born > pd.Timestamp(last),
            lambda r: f"birth_date {r['birth_date']} is after the survey date of {self.year} ({last}, the last day of "
            "its interviews): nobody born after it can be in the survey",
        )
        early = born.dt.year < EARLIEST_BIRTH_YEAR
        problems.add_mask(f, c, early, lambda r: f"birth_date {r['birth_date']} is before {EARLIEST_BIRTH_YEAR}")
        return born.where(~early & (born <= pd.Timestamp(last)))

    def _in_scope(self, c: pd.DataFrame, born: pd.Series) -> pd.DataFrame:
        """Per household of the chunk, for each scoped indicator: whether a member is within its scope on some day of
        the survey's interviews (a child of 14 on 1 January may be 15 by the last interview)."""
        first, last = survey_period(self.year)
        disabled = c["disabled"] == "1"
        columns = {}
        for ind in self.scoped:
            after, by = ind.born_range(first, last)
            fits = born.notna()
            if ind.disabled_member:
                fits &= disabled
            if after is not None:
                fits &= born > pd.Timestamp(after)
            if by is not None:
                fits &= born <= pd.Timestamp(by)
            columns[ind.code] = fits.to_numpy(dtype=bool)
        return pd.DataFrame(columns, index=c["house_id"].to_numpy()).groupby(level=0).any()

    def _validate_optional(self, f: str, c: pd.DataFrame, problems: _Collector) -> None:
        """Optional columns, where given: flags 0, 1 or blank; income a number of baht, or blank."""
        for col in OPTIONAL[f]:
            if col not in c.columns:
                continue
            if col in OPTIONAL_FLAGS:
                problems.add_mask(
                    f,
                    c,
                    ~c[col].isin(["", "0", "1"]),
                    lambda r, col=col: f"{col} must be 0, 1 or blank (unknown), got {r[col]!r}",
                )
            else:
                value = _parse_float(c[col])
                problems.add_mask(
                    f,
                    c,
                    (c[col] != "") & (value.isna() | (value < 0) | (value > MAX_INCOME)),
                    lambda r, col=col: f"{col} must be baht a year (0-{MAX_INCOME:,}) or blank, got {r[col]!r}",
                )

    def optional_supplied(self) -> bool:
        return any(col in self.headers.get(name, []) for name, cols in OPTIONAL.items() for col in cols)

    def _validate_logbook_kept(self, house_ids: pd.Index, problems: _Collector) -> None:
        """A re-import keeps the year's Logbook work: every household with Logbook records must still be there."""
        h = tables.household.c
        query = select(h.house_id).where(h.year == self.year, self.in_scope_rows(h.tambon_code), h.id.in_(logbook_households()))
        with self.engine.connect() as conn:
            kept: set[str] = set(conn.execute(query).scalars())
        for hid in sorted(kept - set(house_ids))[:MAX_REPORTED]:
            problems.add(
                "households.csv",
                None,
                f"household {hid!r} has Logbook records (visits, needs, help) for "
                f"{self.year} but is missing from the new file; it cannot be dropped",
            )

    def _validate_failures(self, house_ids: pd.Index, codes: set[str], problems: _Collector) -> None:
        f = "failures.csv"
        keys, rows = [], []
        for c in self._each(f):
            problems.add_mask(
                f, c, ~c["house_id"].isin(house_ids), lambda r: f"house_id {r['house_id']!r} is not in households.csv"
            )
            problems.add_mask(
                f,
                c,
                ~c["indicator"].isin(codes),
                lambda r: f"unknown indicator code {r['indicator']!r} for {self.year}; "
                f"expected one of {', '.join(sorted(codes))}",
            )
            self._check_scopes(f, c, problems)
            self._count(c["house_id"].map(self.tambon_of_house).fillna(""), 2)
            keys.append(c["house_id"] + "\x1f" + c["indicator"])
            rows.append(c["_row"])
        if keys:
            k = pd.concat(keys, ignore_index=True)
            r = pd.concat(rows, ignore_index=True)
            dup = k.duplicated(keep="first")
            if dup.any():
                frame = pd.DataFrame({"k": k, "_row": r})
                problems.add_mask(
                    f, frame, dup, lambda x: "house {!r} already lists indicator {!r}".format(*x["k"].split("\x1f"))
                )
            self.counts[f] = len(k)
        else:
            self.counts[f] = 0

    def _check_scopes(self, f: str, c: pd.DataFrame, problems: _Collector) -> None:
        """A failure of an indicator asked about some members only needs such a member in the household."""
        first, last = survey_period(self.year)
        for ind in self.scoped:
            asked = c["indicator"] == ind.code
            if not asked.any():
                continue
            # a house without persons (or not in households.csv) maps to NaN: it is reported as such, not here
            nobody = c["house_id"].where(asked).map(self.members_in_scope.get(ind.code, pd.Series(dtype=bool))).eq(False)
            problems.add_mask(
                f,
                c,
                asked & nobody,
                lambda r, ind=ind: f"house {r['house_id']!r} fails indicator {ind.code} ({ind.name_en}), but nobody in "
                f"it is {ind.scope_words()} during the {self.year} survey ({first} to {last}): the indicator is asked "
                "about such members only",
            )

    # -- writing ---------------------------------------------------------------------------
    def run(self) -> ImportReport:
        report = ImportReport(self.year, scope=self.scope, dry_run=self.dry_run)
        t0 = time.perf_counter()
        self.validate()
        report.removals_allowed = self.removals_allowed
        report.validate_seconds = time.perf_counter() - t0
        report.encodings = dict(self.encodings)
        report.changes = list(self.changes)
        report.households = self.counts["households.csv"]
        report.persons = self.counts["persons.csv"]
        report.failures = self.counts["failures.csv"]
        t1 = time.perf_counter()
        if not self._write(report, t1):  # a dry run: everything checked, nothing kept
            report.write_seconds = time.perf_counter() - t1
        else:
            cache.data_changed(self.engine)
            if not is_postgres(self.engine):
                with self.engine.connect() as conn:  # SQLite's own cheap statistics pass, after a large change
                    conn.exec_driver_sql("PRAGMA optimize")
        return report

    def _write(self, report: ImportReport, t1: float) -> bool:
        """Stage, check and move the rows in one transaction; False for a dry run, whose transaction is rolled back."""
        with self.engine.connect() as conn, conn.begin() as transaction:
            if is_postgres(self.engine):
                _quiet_server_errors(conn)
            sync_indicators(conn, self.year)
            upsert_survey_year(conn, self.year, catalogue.indicator_set_for_year(self.year))
            _create_staging(conn)
            for name, table in (
                ("households.csv", "stage_household"),
                ("persons.csv", "stage_person"),
                ("failures.csv", "stage_failure"),
            ):
                self._load_stage(conn, name, table)
            self._check_outside_scope(conn)
            report.removals = self._removals(conn)
            if report.removals.total and not self.removals_allowed and not self.dry_run:
                raise self._removals_refused(report.removals)
            if self.dry_run:
                transaction.rollback()  # everything checked; the staging is not kept
                return False
            _move_from_staging(conn, self.year, self.scope, vulnerable_supplied=self.optional_supplied())
            if is_postgres(self.engine):
                # the rollups, the reconcile step and the flows plan their joins on these: fresh statistics, so the
                # first page after an import is as quick as the hundredth (this server may run without autovacuum)
                conn.execute(text("ANALYZE household"))  # constant: ANALYZE has no Core construct
                conn.execute(text("ANALYZE person"))  # constant, as above
                conn.execute(text("ANALYZE household_failure"))  # constant, as above
            t2 = time.perf_counter()
            report.write_seconds = t2 - t1
            refresh_survey_rollups(conn, self.year)
            t3 = time.perf_counter()
            refresh_flows(conn, self.year)  # persons and households followed to and from the other editions
            refresh_registers_of(conn, self.year)  # agencies' registers linked to this edition's persons (issue 33)
            report.flows_seconds = time.perf_counter() - t3
            report.rollup_seconds = time.perf_counter() - t2
            h, sy = tables.household.c, tables.survey_year
            counts = conn.execute(select(func.count(), func.coalesce(func.sum(h.n_persons), 0)).where(h.year == self.year)).one()
            conn.execute(
                update(sy)
                .where(sy.c.year == self.year)
                .values(households=counts[0], persons=counts[1], imported_at=dt.datetime.now(dt.UTC))
            )
        log.info("survey %s imported (scope %s): %s rows", self.year, ",".join(self.scope), report.rows)
        return True

    @property
    def removals_allowed(self) -> bool:
        return self.allow_removals or self.manifest_states_counts

    def _removals(self, conn: Connection) -> Removals:
        """The year's households and persons inside the scope that the staged files do not hold."""
        h, p = tables.household, tables.person
        in_scope = and_(h.c.year == self.year, self.in_scope_rows(h.c.tambon_code))
        if conn.execute(select(h.c.id).where(in_scope).limit(1)).first() is None:
            return Removals()  # a new year, or a new area of it: nothing to remove
        gone_h: ColumnElement[bool]
        gone_p: ColumnElement[bool]
        if is_postgres(self.engine):
            _analyze_staged(conn)
            # an anti-join that hashes; NOT IN over a large subquery would be evaluated row by row
            gone_h = ~exists().where(STAGE_HOUSEHOLD.c.house_id == h.c.house_id)
            gone_p = ~exists().where(STAGE_PERSON.c.citizen_id == p.c.citizen_id)
        else:  # SQLite indexes an IN subquery's rows once
            gone_h = h.c.house_id.not_in(select(STAGE_HOUSEHOLD.c.house_id))
            gone_p = p.c.citizen_id.not_in(select(STAGE_PERSON.c.citizen_id))
        persons_from = p.join(h, h.c.id == p.c.household_id)
        persons_where = and_(p.c.year == self.year, in_scope, gone_p)
        found = Removals(
            int(conn.execute(select(func.count()).select_from(h).where(in_scope, gone_h)).scalar_one()),
            int(conn.execute(select(func.count()).select_from(persons_from).where(persons_where)).scalar_one()),
        )
        households = select(h.c.house_id, h.c.tambon_code).where(in_scope, gone_h).order_by(h.c.house_id)
        for hid, tambon in tuples(conn.execute(households.limit(MAX_REPORTED))):
            found.listed.append(Problem("households.csv", None, f"household {hid!r} (tambon {tambon}) is not in the file"))
        room = MAX_REPORTED - len(found.listed)
        if room > 0 and found.persons:
            persons = (
                select(p.c.citizen_id, h.c.house_id)
                .select_from(persons_from)
                .where(persons_where)
                .order_by(h.c.house_id, p.c.citizen_id)
                .limit(room)
            )
            for cid, hid in tuples(conn.execute(persons)):
                found.listed.append(
                    Problem(
                        "persons.csv", None, f"citizen_id {mask_citizen_id(str(cid))} of household {hid!r} is not in the file"
                    )
                )
        return found

    def _removals_refused(self, removals: Removals) -> SurveyImportError:
        scope = "the whole country" if self.whole_country else ", ".join(self.scope)
        head = Problem(
            "(removals)",
            None,
            f"the import would remove {removals.summary(self.year)} (scope: {scope}); nothing was removed. If they "
            "are meant to go, pass --allow-removals or send a manifest.csv that states each file's rows; --dry-run "
            "lists them",
        )
        return SurveyImportError([head, *removals.listed[: MAX_REPORTED - 1]], 1 + removals.total)

    def _check_outside_scope(self, conn: Connection) -> None:
        """A partial import may not claim a house or a person that the year holds outside its scope."""
        if self.whole_country:
            return
        h, p, sh, sp = tables.household, tables.person, STAGE_HOUSEHOLD, STAGE_PERSON
        outside = ~self.in_scope_rows(h.c.tambon_code)
        houses = (
            select(sh.c.house_id)
            .select_from(sh.join(h, and_(h.c.year == self.year, h.c.house_id == sh.c.house_id)))
            .where(outside)
            .limit(MAX_REPORTED)
        )
        people = (
            select(sp.c.citizen_id)
            .select_from(
                sp.join(p, and_(p.c.year == self.year, p.c.citizen_id == sp.c.citizen_id)).join(h, h.c.id == p.c.household_id)
            )
            .where(outside)
            .limit(MAX_REPORTED)
        )
        found = _Collector()
        hid: str
        for hid in conn.execute(houses).scalars():
            found.add(
                "households.csv", None, f"house_id {hid!r} is already in {self.year} outside the scope ({', '.join(self.scope)})"
            )
        cid: str
        for cid in conn.execute(people).scalars():
            found.add(
                "persons.csv",
                None,
                f"citizen_id {mask_citizen_id(cid)} is already in {self.year} outside the scope ({', '.join(self.scope)})",
            )
        if found.total:
            raise SurveyImportError(found.problems, found.total)

    def _load_stage(self, conn: Connection, name: str, table: str) -> None:
        path = self.folder / name
        cols = [c for c in self.headers[name]]
        if is_postgres(self.engine):
            # The file is validated: stream it to the server as it is (C speed, no Python rows).
            enc = {"utf-8": "UTF8", "utf-8-sig": "UTF8", "cp874": "WIN874"}[self.encodings[name]]
            from psycopg import sql

            statement = sql.SQL("COPY {} ({}) FROM STDIN WITH (FORMAT csv, HEADER true, ENCODING {})").format(
                sql.Identifier(table), sql.SQL(", ").join(sql.Identifier(c) for c in cols), sql.Literal(enc)
            )  # composed by psycopg (identifiers quoted): the columns are the file's validated header
            raw: Any = conn.connection.dbapi_connection  # psycopg's own connection: its COPY API
            with raw.cursor() as cur, open(path, "rb") as fh, cur.copy(statement) as copy:
                while block := fh.read(1 << 20):
                    copy.write(block)
            return
        cols = FILES[name] + [c for c in OPTIONAL[name] if c in self.headers[name]]
        stmt = _table_of(table, cols).insert()
        for chunk in _chunks(path, self.encodings[name], FILES[name]):
            frame = chunk[cols].replace({"": None})
            conn.execute(stmt, frame.to_dict("records"))


def _table_of(name: str, columns: list[str]) -> TableClause:
    """A staging table as a lightweight Core table of untyped columns (the values as the file gives them)."""
    return table(name, *(loose_column(c) for c in columns))


def upsert_survey_year(conn: Connection, year: int, indicator_set: str) -> None:
    sy = tables.survey_year
    if conn.execute(select(sy.c.year).where(sy.c.year == year)).first() is not None:
        conn.execute(update(sy).where(sy.c.year == year).values(indicator_set=indicator_set))
    else:
        conn.execute(sy.insert().values(year=year, indicator_set=indicator_set))


# Constant SQL of the hot path (issue 14: COPY targets and set-based moves at national scale); `TEMP` is both
# dialects' word. The staging tables are dropped after the move (_drop_staging); a rolled-back import loses them with
# its transaction on PostgreSQL, and SQLite's are dropped before each import (a pooled connection may keep them).
CREATE_STAGE_HOUSEHOLD = (
    "CREATE TEMP TABLE stage_household (house_id TEXT, tambon_code TEXT, village_no INTEGER, "
    "latitude DOUBLE PRECISION, longitude DOUBLE PRECISION, head_farming INTEGER, farmer_registered INTEGER, "
    "income_per_capita DOUBLE PRECISION)"
)
CREATE_STAGE_PERSON = (
    "CREATE TEMP TABLE stage_person (citizen_id TEXT, house_id TEXT, first_name TEXT, last_name TEXT, "
    "sex TEXT, birth_date DATE, welfare_card INTEGER, disabled INTEGER, old_age_allowance INTEGER, "
    "disability_allowance INTEGER, chronic_dependent INTEGER, moe_poor_child INTEGER)"
)
CREATE_STAGE_FAILURE = "CREATE TEMP TABLE stage_failure (house_id TEXT, indicator TEXT)"


def _create_staging(conn: Connection) -> None:
    if conn.dialect.name != "postgresql":
        _drop_staging(conn, stale=True)
    conn.execute(text(CREATE_STAGE_HOUSEHOLD))  # constant DDL of temporary tables (not declared: they live for one import)
    conn.execute(text(CREATE_STAGE_PERSON))  # constant DDL, as above
    conn.execute(text(CREATE_STAGE_FAILURE))  # constant DDL, as above


def _analyze_staged(conn: Connection) -> None:
    """PostgreSQL never analyses a temporary table on its own: the planner needs its size for the joins."""
    conn.execute(text("ANALYZE stage_household"))  # constant: ANALYZE has no Core construct
    conn.execute(text("ANALYZE stage_person"))  # constant, as above
    conn.execute(text("ANALYZE stage_failure"))  # constant, as above


def _drop_staging(conn: Connection, *, stale: bool = False) -> None:
    """The staging tables dropped (`stale`: SQLite's left on a pooled connection by a rolled-back import)."""
    for t in STAGE_TABLES:
        conn.execute(DropTable(Table(t, MetaData(), schema="temp" if stale else None), if_exists=True))


def _quiet_server_errors(conn: Connection) -> None:
    """Keep PostgreSQL's own log free of personal data: with the default verbosity a failed COPY logs
    the whole offending row (citizen ID, names) as CONTEXT. 'terse' drops CONTEXT, DETAIL and the
    statement. It is a superuser setting: without the right the server's setting stands (docs/access.md)."""
    try:
        with conn.begin_nested():
            conn.execute(text("SET LOCAL log_error_verbosity = 'terse'"))  # constant settings: no Core construct for SET
            conn.execute(text("SET LOCAL log_min_error_statement = 'panic'"))  # constant setting, as above
    except Exception:  # noqa: BLE001 - not a superuser: the server configuration decides
        log.info("log_error_verbosity is left to the server configuration (not a superuser)")


def _move_from_staging(
    conn: Connection, year: int, scope: tuple[str, ...] = ("TH",), *, vulnerable_supplied: bool = False
) -> None:
    """Staging → real tables, with each household's pattern, member counts and vulnerable-household bits computed
    in SQL first, so every row is written once (a household of a fresh year is inserted, never updated after).

    Only the year's households inside `scope` (codes; ("TH",) is the whole country) are replaced."""
    pg = conn.dialect.name == "postgresql"
    if pg:
        # National imports join tens of millions of rows: let the joins hash in memory, not spill.
        conn.execute(text("SET LOCAL work_mem = '512MB'"))  # constant setting: no Core construct for SET
        _analyze_staged(conn)
    # Each household's pattern, member counts and vulnerable bits, derived in SQL from the staged rows.
    stage_vulnerable_bits(conn, year, supplied=vulnerable_supplied)
    # the hot path's constant statements over the undeclared staging tables (below)
    conn.execute(text(DERIVE_HOUSEHOLDS), {"y": year} | stage_bounds(year))
    _replace_year(conn, year, scope)
    conn.execute(text(INSERT_PERSONS), {"y": year})  # constant, as above
    conn.execute(text(INSERT_FAILURES), {"y": year})  # constant, as above
    _drop_staging(conn)


def fill_household_stages(conn: Connection, year: int) -> None:
    """Each household's members per life stage and sex, and the card holders among them, counted from the edition's
    persons as the import counts them from the staged ones (migration 0023; a catalogue whose stage bounds changed)."""
    conn.execute(text(FILL_HOUSEHOLD_STAGES), {"y": year} | stage_bounds(year))  # constant: UPDATE … FROM, as the move's


def _replace_year(conn: Connection, year: int, scope: tuple[str, ...]) -> None:
    """Households, persons and failures of the scope replaced. Households that stay keep their row (and id), so
    Logbook records stay attached; validation has refused any import that would drop a household with Logbook
    records."""
    h, p, f = tables.household, tables.person, tables.household_failure
    in_scope = select(h.c.id).where(h.c.year == year, scope_condition(scope, h.c.tambon_code))
    conn.execute(f.delete().where(f.c.household_id.in_(in_scope)))
    if scope == ("TH",):
        conn.execute(p.delete().where(p.c.year == year))
    else:
        conn.execute(p.delete().where(p.c.year == year, p.c.household_id.in_(in_scope)))
    existing = conn.execute(select(func.count()).select_from(h).where(h.c.year == year)).scalar()
    if existing:
        conn.execute(
            h.delete().where(
                h.c.year == year,
                scope_condition(scope, h.c.tambon_code),
                h.c.house_id.not_in(select(STAGE_HOUSEHOLD.c.house_id)),
            )
        )
        conn.execute(text(UPDATE_HOUSEHOLDS), {"y": year})  # constant: UPDATE … FROM the staging table (hot path)
    conn.execute(text(INSERT_NEW_HOUSEHOLDS if existing else INSERT_HOUSEHOLDS), {"y": year})  # constant, as above


# The move's set-based statements (hot path, constant SQL: UPDATE … FROM and INSERT … SELECT over the staging tables,
# which are not declared tables).
# Each household's members per life stage and sex and the card holders among them (issue 34), counted here once, as
# n_persons and n_welfare are, so the life-stage rollup sums households instead of reading every person
# (data_access.rollups.refresh_stage_rollup). The stage is the person's on the edition's survey date, from birth-date
# bounds bound as parameters (rollups.stage_bounds: the catalogue's stages of the edition, in STAGE_KEYS order); the
# column names are models.STAGE_COUNT_COLUMNS'. STAGE_COUNTS reads persons, staged or held, as `stage`, `sex` and
# `welfare` (holds the card).
STAGE_OF = (
    "CASE WHEN birth_date > :after_infant THEN 'infant' WHEN birth_date > :after_preschool THEN 'preschool' "
    "WHEN birth_date > :after_school THEN 'school' WHEN birth_date > :after_working THEN 'working' "
    "ELSE 'elderly' END AS stage"
)
STAGE_COUNTS = """
    COUNT(*) FILTER (WHERE stage = 'infant' AND sex = 'M') AS n_infant_m,
    COUNT(*) FILTER (WHERE stage = 'infant' AND sex = 'M' AND welfare) AS nw_infant_m,
    COUNT(*) FILTER (WHERE stage = 'infant' AND sex = 'F') AS n_infant_f,
    COUNT(*) FILTER (WHERE stage = 'infant' AND sex = 'F' AND welfare) AS nw_infant_f,
    COUNT(*) FILTER (WHERE stage = 'preschool' AND sex = 'M') AS n_preschool_m,
    COUNT(*) FILTER (WHERE stage = 'preschool' AND sex = 'M' AND welfare) AS nw_preschool_m,
    COUNT(*) FILTER (WHERE stage = 'preschool' AND sex = 'F') AS n_preschool_f,
    COUNT(*) FILTER (WHERE stage = 'preschool' AND sex = 'F' AND welfare) AS nw_preschool_f,
    COUNT(*) FILTER (WHERE stage = 'school' AND sex = 'M') AS n_school_m,
    COUNT(*) FILTER (WHERE stage = 'school' AND sex = 'M' AND welfare) AS nw_school_m,
    COUNT(*) FILTER (WHERE stage = 'school' AND sex = 'F') AS n_school_f,
    COUNT(*) FILTER (WHERE stage = 'school' AND sex = 'F' AND welfare) AS nw_school_f,
    COUNT(*) FILTER (WHERE stage = 'working' AND sex = 'M') AS n_working_m,
    COUNT(*) FILTER (WHERE stage = 'working' AND sex = 'M' AND welfare) AS nw_working_m,
    COUNT(*) FILTER (WHERE stage = 'working' AND sex = 'F') AS n_working_f,
    COUNT(*) FILTER (WHERE stage = 'working' AND sex = 'F' AND welfare) AS nw_working_f,
    COUNT(*) FILTER (WHERE stage = 'elderly' AND sex = 'M') AS n_elderly_m,
    COUNT(*) FILTER (WHERE stage = 'elderly' AND sex = 'M' AND welfare) AS nw_elderly_m,
    COUNT(*) FILTER (WHERE stage = 'elderly' AND sex = 'F') AS n_elderly_f,
    COUNT(*) FILTER (WHERE stage = 'elderly' AND sex = 'F' AND welfare) AS nw_elderly_f
"""
STAGE_COLUMNS = """
    n_infant_m, nw_infant_m, n_infant_f, nw_infant_f,
    n_preschool_m, nw_preschool_m, n_preschool_f, nw_preschool_f,
    n_school_m, nw_school_m, n_school_f, nw_school_f,
    n_working_m, nw_working_m, n_working_f, nw_working_f,
    n_elderly_m, nw_elderly_m, n_elderly_f, nw_elderly_f
"""
DERIVED_STAGE_COLUMNS = """
    d.n_infant_m, d.nw_infant_m, d.n_infant_f, d.nw_infant_f,
    d.n_preschool_m, d.nw_preschool_m, d.n_preschool_f, d.nw_preschool_f,
    d.n_school_m, d.nw_school_m, d.n_school_f, d.nw_school_f,
    d.n_working_m, d.nw_working_m, d.n_working_f, d.nw_working_f,
    d.n_elderly_m, d.nw_elderly_m, d.n_elderly_f, d.nw_elderly_f
"""
STAGE_COLUMNS_SET = """
    n_infant_m = d.n_infant_m, nw_infant_m = d.nw_infant_m, n_infant_f = d.n_infant_f, nw_infant_f = d.nw_infant_f,
    n_preschool_m = d.n_preschool_m, nw_preschool_m = d.nw_preschool_m, n_preschool_f = d.n_preschool_f, nw_preschool_f = d.nw_preschool_f,
    n_school_m = d.n_school_m, nw_school_m = d.nw_school_m, n_school_f = d.n_school_f, nw_school_f = d.nw_school_f,
    n_working_m = d.n_working_m, nw_working_m = d.nw_working_m, n_working_f = d.n_working_f, nw_working_f = d.nw_working_f,
    n_elderly_m = d.n_elderly_m, nw_elderly_m = d.nw_elderly_m, n_elderly_f = d.n_elderly_f, nw_elderly_f = d.nw_elderly_f
"""
DERIVE_HOUSEHOLDS = (
    "CREATE TEMP TABLE stage_household_derived AS "
    "SELECT s.house_id, s.tambon_code, s.village_no, s.latitude, s.longitude, s.head_farming, "
    "s.farmer_registered, s.income_per_capita, v.sel AS vuln_selection, v.bur AS vuln_burdens, "
    "COALESCE(fp.pattern, 0) AS pattern, COALESCE(pp.n, 0) AS n_persons, COALESCE(pp.w, 0) AS n_welfare, "
    "COALESCE(pp.n_infant_m, 0) AS n_infant_m, COALESCE(pp.nw_infant_m, 0) AS nw_infant_m, "
    "COALESCE(pp.n_infant_f, 0) AS n_infant_f, COALESCE(pp.nw_infant_f, 0) AS nw_infant_f, "
    "COALESCE(pp.n_preschool_m, 0) AS n_preschool_m, COALESCE(pp.nw_preschool_m, 0) AS nw_preschool_m, "
    "COALESCE(pp.n_preschool_f, 0) AS n_preschool_f, COALESCE(pp.nw_preschool_f, 0) AS nw_preschool_f, "
    "COALESCE(pp.n_school_m, 0) AS n_school_m, COALESCE(pp.nw_school_m, 0) AS nw_school_m, "
    "COALESCE(pp.n_school_f, 0) AS n_school_f, COALESCE(pp.nw_school_f, 0) AS nw_school_f, "
    "COALESCE(pp.n_working_m, 0) AS n_working_m, COALESCE(pp.nw_working_m, 0) AS nw_working_m, "
    "COALESCE(pp.n_working_f, 0) AS n_working_f, COALESCE(pp.nw_working_f, 0) AS nw_working_f, "
    "COALESCE(pp.n_elderly_m, 0) AS n_elderly_m, COALESCE(pp.nw_elderly_m, 0) AS nw_elderly_m, "
    "COALESCE(pp.n_elderly_f, 0) AS n_elderly_f, COALESCE(pp.nw_elderly_f, 0) AS nw_elderly_f "
    "FROM stage_household s JOIN stage_vuln v ON v.house_id = s.house_id "
    "LEFT JOIN (SELECT f.house_id, SUM(DISTINCT i.dimension_bit) AS pattern "
    "           FROM stage_failure f JOIN indicator i ON i.year = :y AND i.code = f.indicator "
    "           GROUP BY f.house_id) fp ON fp.house_id = s.house_id "
    "LEFT JOIN (SELECT house_id, COUNT(*) AS n, SUM(welfare_card) AS w, " + STAGE_COUNTS + " "
    "           FROM (SELECT house_id, sex, welfare_card, welfare_card = 1 AS welfare, " + STAGE_OF + " "
    "                 FROM stage_person) x "
    "           GROUP BY house_id) pp "
    "ON pp.house_id = s.house_id"
)
UPDATE_HOUSEHOLDS = (
    """
    UPDATE household SET tambon_code = d.tambon_code, village_no = d.village_no, latitude = d.latitude,
           longitude = d.longitude, pattern = d.pattern, n_persons = d.n_persons, n_welfare = d.n_welfare,
           head_farming = (d.head_farming = 1), farmer_registered = (d.farmer_registered = 1),
           income_per_capita = d.income_per_capita, vuln_selection = d.vuln_selection,
           vuln_burdens = d.vuln_burdens, """
    + STAGE_COLUMNS_SET
    + """
    FROM stage_household_derived d WHERE household.year = :y AND household.house_id = d.house_id
"""
)
INSERT_HOUSEHOLDS = (
    """
    INSERT INTO household (year, house_id, tambon_code, village_no, latitude, longitude, pattern, n_persons, n_welfare,
                           head_farming, farmer_registered, income_per_capita, vuln_selection, vuln_burdens,
                           """
    + STAGE_COLUMNS
    + """)
    SELECT :y, d.house_id, d.tambon_code, d.village_no, d.latitude, d.longitude, d.pattern, d.n_persons, d.n_welfare,
           (d.head_farming = 1), (d.farmer_registered = 1), d.income_per_capita, d.vuln_selection, d.vuln_burdens,
           """
    + DERIVED_STAGE_COLUMNS
    + """
    FROM stage_household_derived d
"""
)
# The same counts from the persons a database holds, for the years imported before them (migration 0023) and for
# tables written other than by an import (bench.registers); households without persons keep their zeros.
FILL_HOUSEHOLD_STAGES = (
    """
    UPDATE household SET """
    + STAGE_COLUMNS_SET
    + """
    FROM (SELECT household_id, """
    + STAGE_COUNTS
    + """
          FROM (SELECT household_id, sex, welfare_card AS welfare, """
    + STAGE_OF
    + """
                FROM person WHERE year = :y) x
          GROUP BY household_id) d
    WHERE household.id = d.household_id
"""
)
INSERT_NEW_HOUSEHOLDS = (
    INSERT_HOUSEHOLDS + " WHERE NOT EXISTS (SELECT 1 FROM household h WHERE h.year = :y AND h.house_id = d.house_id)"
)
INSERT_PERSONS = """
    INSERT INTO person (year, household_id, citizen_id, first_name, last_name, sex, birth_date, welfare_card, disabled,
                        old_age_allowance, disability_allowance, chronic_dependent, moe_poor_child)
    SELECT :y, h.id, p.citizen_id, p.first_name, p.last_name, p.sex, p.birth_date,
           p.welfare_card = 1, p.disabled = 1, (p.old_age_allowance = 1), (p.disability_allowance = 1),
           (p.chronic_dependent = 1), (p.moe_poor_child = 1)
    FROM stage_person p JOIN household h ON h.year = :y AND h.house_id = p.house_id
"""
INSERT_FAILURES = """
    INSERT INTO household_failure (household_id, indicator_code)
    SELECT h.id, f.indicator FROM stage_failure f JOIN household h ON h.year = :y AND h.house_id = f.house_id
"""
