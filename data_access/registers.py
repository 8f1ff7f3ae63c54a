"""Agencies' registers linked to the survey by citizen ID (issue 33): loading a register, the link report, the
coverage gaps and the catalogue.

A register file (CSV or XLSX, UTF-8 or TIS-620/CP874) holds one declared kind (mpi/data/registers.json): its first
column is citizen_id, the others are the kind's. `RegisterImport(key, as_of, path).run()` validates every row first,
as the survey import does (data_access/survey_import.py: the same row numbers, the same refusal report, IDs masked),
and refuses the whole file on any problem; a file that passes replaces the register's rows in one transaction, with
its link and gap rollups, and touches neither the survey nor another register.

Linking: a row is `linked` for an edition when its citizen ID is a surveyed person of that edition; it is counted at
the person's unit. A row that does not link is placed where the register says (its tambon_code) or else at the amphoe
that issued the ID (digits 2-5 of a Thai citizen ID): `outside` when that province was not surveyed in the edition
(Bangkok, say), `unlinked` when it was; an ID that no known amphoe issued, with no address, is `invalid` (it cannot be
placed in any area) and is counted for the country only. No full citizen ID leaves this module.

The rollups are hand-written set-based SQL, as the survey's are (issue 14: speed at 10 million rows); the catalogue
and the reads go through the declared tables.
"""

from __future__ import annotations

import csv
import datetime as dt
import logging
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypedDict

import numpy as np
import pandas as pd
from sqlalchemy import (
    Column,
    Connection,
    Date,
    Engine,
    Float,
    Index,
    MetaData,
    String,
    Table,
    Text,
    cast,
    distinct,
    exists,
    func,
    literal,
    null,
    select,
    text,
    update,
)
from sqlalchemy.exc import DBAPIError

from data_access import cache
from data_access import models as tables
from data_access.access import CurrentUser, refuse, require_user
from data_access.db import get_engine, read_engine, reading, tuples, writing
from data_access.errors import BadRequest, NotFoundError
from data_access.file_checks import detect_encoding, scan
from data_access.masking import mask_citizen_id
from data_access.policy import COMMITTEES_NATIONAL, may
from data_access.register_rollups import one_row_per_person, refresh_register
from data_access.survey_import import (
    Problem,
    RowShapeError,
    SurveyImportError,
    _check_cells,
    _check_header,
    _chunks,
    _Collector,
    _quiet_server_errors,
)
from data_access.vulnerable import refresh_for_registers
from mpi import registers as spec
from mpi.calendar import BE_OFFSET
from mpi.rules import citizen_id_problem
from mpi.vulnerable import REGISTER_OF

log = logging.getLogger(__name__)

MIN_CELL = 3  # the Logbook's small-count rule (data_access.logbook.MIN_CELL): public register figures follow it
MAX_TEXT = 200
MAX_AMOUNT = 100_000_000
EARLIEST_DATE = dt.date(1900, 1, 1)
WRITE_ROWS = 200_000
BULK_ROWS = 500_000  # from this many rows, PostgreSQL's load drops register_row's indexes and builds them after


class RegisterImportError(SurveyImportError):
    """The file was refused whole; `lines()` as the survey import's."""

    def __str__(self) -> str:
        return "\n".join(self.lines())

    def lines(self) -> list[str]:
        out = [f"Register import refused: {self.total:,} problem(s) found; the database was not changed."]
        out += [f"  {p}" for p in self.problems]
        if self.total > len(self.problems):
            out.append(f"  … and {self.total - len(self.problems):,} more.")
        return out


@dataclass
class RegisterReport:
    register: str
    as_of: dt.date
    rows: int = 0
    persons: int = 0
    encoding: str = ""
    dry_run: bool = False
    before_as_of: dt.date | None = None
    before_rows: int = 0
    added_persons: int = 0
    removed_persons: int = 0
    linked: dict[int, int] = field(default_factory=dict)  # edition → rows linked to its surveyed persons
    seconds: dict[str, float] = field(default_factory=dict)

    def lines(self) -> list[str]:
        verb = "Dry run, nothing written; would load" if self.dry_run else "Loaded"
        before = f"as of {self.before_as_of}, {self.before_rows:,} rows" if self.before_as_of else "nothing loaded"
        out = [
            f"{verb} register {self.register} as of {self.as_of}: {self.rows:,} rows, {self.persons:,} persons "
            f"(encoding {self.encoding}).",
            f"  Replaces: {before}; persons added {self.added_persons:,}, gone {self.removed_persons:,}. "
            "The survey and the other registers are not touched.",
        ]
        out += [f"  Edition {y}: {n:,} rows linked to surveyed persons." for y, n in sorted(self.linked.items())]
        total = sum(self.seconds.values())
        rate = self.rows / total if total else 0
        out.append("  " + ", ".join(f"{k} {v:.1f} s" for k, v in self.seconds.items()) + f": {rate:,.0f} rows/s overall.")
        return out


# --- Reading a file: CSV as it is, XLSX through a UTF-8 copy --------------------------------------------------------


def _xlsx_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # a citizen ID typed as a number
    return str(value)


def xlsx_to_csv(path: Path, out: Path) -> None:
    """The first sheet as a UTF-8 CSV (dates as YYYY-MM-DD): then one reader checks both kinds of file."""
    from openpyxl import load_workbook

    book = load_workbook(path, read_only=True, data_only=True)
    try:
        sheet = book.worksheets[0]
        with open(out, "w", encoding="utf-8", newline="") as f:
            writer = csv.writer(f, lineterminator="\n")
            for row in sheet.iter_rows(values_only=True):
                writer.writerow([_xlsx_cell(v) for v in row])
    finally:
        book.close()


# --- Validation of one chunk, column by column (vectorised) --------------------------------------------------------
#
# A national register repeats a few thousand values in its amount, date, place and code columns over ten million rows:
# each check runs once per distinct value of a chunk's column and is spread back over the rows (_Values). The citizen
# ID is the one column of distinct values: it is read as a matrix of digits (_Ids), and only the rare ID that is not
# 13 ASCII digits goes through the per-value checks. The reasons are the same, row by row, as checking every cell.

ID_POWERS = 10.0 ** np.arange(12, -1, -1)
ID_WEIGHTS = np.arange(13, 1, -1, dtype=np.float64)


class _Values:
    """One column of a chunk as the values to test, and how a mask over them becomes a mask over the chunk's rows."""

    def __init__(self, column: pd.Series, plain: np.ndarray | None = None) -> None:
        self.index = column.index
        self.plain = plain  # rows known to pass every cell check (13-digit IDs): only the others are tested
        if plain is None:
            codes, uniques = pd.factorize(column)
            self.codes: np.ndarray = codes
            self.values = pd.Series(np.asarray(uniques, dtype=object), dtype=column.dtype)
        else:
            self.codes = np.empty(0, dtype=np.intp)
            self.values = column[~plain].reset_index(drop=True)

    def rows(self, mask: pd.Series | np.ndarray) -> pd.Series:
        """A mask over self.values as a mask over the chunk's rows."""
        m = np.asarray(mask, dtype=bool)
        if self.plain is None:
            return pd.Series(m[self.codes] if len(m) else np.zeros(len(self.codes), dtype=bool), index=self.index)
        out = np.zeros(len(self.index), dtype=bool)
        out[~self.plain] = m
        return pd.Series(out, index=self.index)


@dataclass
class _Ids:
    """A chunk's citizen IDs: which are 13 ASCII digits (`plain`), whose check digit is wrong, and each as a number
    (8 bytes where a Python string takes about 60; -1 where it is not a number)."""

    plain: np.ndarray
    wrong: np.ndarray
    numbers: np.ndarray

    @classmethod
    def read(cls, ids: pd.Series) -> _Ids:
        values = ids.to_numpy(dtype=object)
        lengths = np.fromiter(map(len, values), dtype=np.int64, count=len(values))
        candidates = np.flatnonzero(lengths == 13)
        data = "".join(values[candidates].tolist()).encode("utf-8")
        plain = np.zeros(len(values), dtype=bool)
        numbers = np.full(len(values), -1, dtype=np.int64)
        wrong = np.zeros(len(values), dtype=bool)
        if len(data) != 13 * len(candidates):  # a non-ASCII character among them: the regex decides, value by value
            candidates = candidates[ids.iloc[candidates].str.fullmatch(r"[0-9]{13}").to_numpy(dtype=bool)]
            data = "".join(values[candidates].tolist()).encode("ascii")
        digits = np.frombuffer(data, dtype=np.uint8).reshape(-1, 13) - np.uint8(48)  # below '0' wraps round past 9
        digital = (digits <= 9).all(axis=1)
        candidates, exact = candidates[digital], digits[digital].astype(np.float64)  # 13 digits: exact in a double
        plain[candidates] = True
        numbers[candidates] = (exact @ ID_POWERS).astype(np.int64)
        check = (11 - (exact[:, :12] @ ID_WEIGHTS).astype(np.int64) % 11) % 10
        wrong[candidates] = check != exact[:, 12].astype(np.int64)
        if not plain.all():
            rest = ~plain
            numbers[rest] = pd.to_numeric(ids[rest], errors="coerce").fillna(-1).to_numpy(dtype=np.int64)
        return cls(plain, wrong, numbers)


def _check_ids(f: str, c: pd.DataFrame, found: _Ids, problems: _Collector) -> None:
    malformed = pd.Series(~found.plain, index=c.index)
    bad = malformed | pd.Series(found.wrong, index=c.index)
    problems.add_mask(
        f, c, bad, lambda r: f"citizen_id {mask_citizen_id(r[spec.ID_COLUMN])}: {citizen_id_problem(r[spec.ID_COLUMN])}"
    )


def _check_dates(f: str, c: pd.DataFrame, col: str, v: _Values, as_of: dt.date, problems: _Collector) -> None:
    s = v.values
    given = s != ""
    parsed = pd.to_datetime(s.where(given), format="%Y-%m-%d", errors="coerce")
    problems.add_mask(
        f,
        c,
        v.rows(given & parsed.isna()),
        lambda r: f"{col} {r[col][:20]!r} is not a date written YYYY-MM-DD (Christian era)",
    )
    year = parsed.dt.year
    problems.add_mask(
        f,
        c,
        v.rows(given & (year > BE_OFFSET + 1800)),
        lambda r: f"{col} {r[col]} has a Buddhist-era year: write the Christian-era year ({int(r[col][:4]) - BE_OFFSET})",
    )
    late = given & parsed.notna() & (parsed > pd.Timestamp(as_of)) & (year <= BE_OFFSET + 1800)
    problems.add_mask(f, c, v.rows(late), lambda r: f"{col} {r[col]} is after the register's as-of date {as_of}: a future date")
    early = given & parsed.notna() & (parsed < pd.Timestamp(EARLIEST_DATE))
    problems.add_mask(f, c, v.rows(early), lambda r: f"{col} {r[col]} is before {EARLIEST_DATE}")


def _check_amounts(f: str, c: pd.DataFrame, col: str, v: _Values, problems: _Collector) -> None:
    s = v.values
    given = s != ""
    n = pd.to_numeric(s.where(given).str.replace(",", "", regex=False), errors="coerce")
    problems.add_mask(f, c, v.rows(given & n.isna()), lambda r: f"{col} {r[col][:20]!r} is not a number")
    problems.add_mask(f, c, v.rows(given & (n < 0)), lambda r: f"{col} {r[col]} is negative")
    problems.add_mask(f, c, v.rows(given & (n > MAX_AMOUNT)), lambda r: f"{col} {r[col]} is above {MAX_AMOUNT:,}")


def _check_column(f: str, c: pd.DataFrame, col: str, v: _Values, ctx: _Context) -> None:
    kind_of = ctx.kind.type_of(col)
    s = v.values
    if kind_of == "date":
        _check_dates(f, c, col, v, ctx.as_of, ctx.problems)
    elif kind_of == "amount":
        _check_amounts(f, c, col, v, ctx.problems)
    elif kind_of == "integer":
        bad = (s != "") & ~s.str.fullmatch(r"[0-9]{1,9}").astype(bool)
        ctx.problems.add_mask(f, c, v.rows(bad), lambda r: f"{col} {r[col][:20]!r} is not a whole number")
    elif kind_of == "tambon":
        unknown = (s != "") & ~s.isin(ctx.tambons)
        ctx.problems.add_mask(f, c, v.rows(unknown), lambda r: f"{col} {r[col][:20]!r} is not a tambon or municipal unit code")
    elif kind_of == "text":
        ctx.problems.add_mask(f, c, v.rows(s.str.len() > MAX_TEXT), lambda r: f"{col} is longer than {MAX_TEXT} characters")


@dataclass
class _Context:
    kind: spec.RegisterKind
    as_of: dt.date
    tambons: set[str]
    problems: _Collector = field(default_factory=_Collector)
    rows: int = 0
    keys: list[np.ndarray] = field(default_factory=list)  # the unique columns' keys, chunk by chunk
    row_numbers: list[np.ndarray] = field(default_factory=list)
    ids: list[np.ndarray] = field(default_factory=list)


def _keys(c: pd.DataFrame, found: _Ids, unique: list[str]) -> np.ndarray:
    """What makes a row one fact, as 64-bit keys: the ID's number when the ID alone does (no hashing of strings), else
    a hash of the unique columns' values."""
    if unique != [spec.ID_COLUMN]:
        return pd.util.hash_pandas_object(c[unique], index=False).to_numpy()
    keys = found.numbers.view(np.uint64).copy()
    if not found.plain.all():
        odd = ~found.plain
        keys[odd] = pd.util.hash_pandas_object(c.loc[odd, unique], index=False).to_numpy()
    return keys


def _check_chunk(f: str, c: pd.DataFrame, header: list[str], ctx: _Context) -> None:
    found = _Ids.read(c[spec.ID_COLUMN])
    values = {col: _Values(c[col], found.plain if col == spec.ID_COLUMN else None) for col in header}
    _check_cells(f, c, ctx.problems, lambda col, test: values[col].rows(test(values[col].values)))
    for col in ctx.kind.required:
        v = values[col]
        ctx.problems.add_mask(
            f, c, v.rows(v.values.str.strip() == ""), lambda r, col=col: f"{col} is empty; the register requires it"
        )
    for col in header:
        if col == spec.ID_COLUMN:
            _check_ids(f, c, found, ctx.problems)
        else:
            _check_column(f, c, col, values[col], ctx)
    ctx.keys.append(_keys(c, found, [u for u in ctx.kind.unique if u in header]))
    ctx.row_numbers.append(c["_row"].to_numpy())
    ctx.ids.append(found.numbers)
    ctx.rows += len(c)


def _check_duplicates(f: str, ctx: _Context) -> None:
    """A second row with the same values in the kind's unique columns (a person twice on a one-row register)."""
    if not ctx.keys:
        return
    keys = pd.Series(np.concatenate(ctx.keys))
    dup = keys.duplicated(keep="first").to_numpy()
    if not dup.any():
        return
    rows = np.concatenate(ctx.row_numbers)
    first = dict(zip(keys[~dup].to_numpy(), rows[~dup], strict=True))
    ids = np.concatenate(ctx.ids)
    cols = ", ".join(ctx.kind.unique)
    for i in np.flatnonzero(dup):
        ctx.problems.add(
            f,
            int(rows[i]),
            f"duplicate of row {first[keys.iat[i]]} ({cols}; citizen_id {mask_citizen_id(format(ids[i], '013d'))})",
        )


# --- The command ---------------------------------------------------------------------------------------------------


class RegisterImport:
    """One register file, validated whole, then written in one transaction (or, on --dry-run, described)."""

    def __init__(self, key: str, as_of: dt.date, path: Path, *, dry_run: bool = False, engine: Engine | None = None) -> None:
        self.key = key
        self.as_of = as_of
        self.path = Path(path)
        self.dry_run = dry_run
        self.engine = engine or get_engine()
        self.csv_path = self.path
        self.encoding = ""
        self.header: list[str] = []
        self.sha256 = ""
        self._tmp: tempfile.TemporaryDirectory | None = None

    @property
    def file(self) -> str:
        return self.path.name

    def _refuse(self, reason: str, row: int | None = None) -> RegisterImportError:
        return RegisterImportError([Problem(self.file, row, reason)], 1)

    def _prepare(self) -> spec.RegisterKind:
        try:
            kind = spec.kind(self.key)
        except KeyError as e:
            raise self._refuse(str(e.args[0])) from None
        if self.as_of > dt.date.today():
            raise self._refuse(f"the as-of date {self.as_of} is in the future")
        if not self.path.is_file():
            raise self._refuse("no such file")
        if self.path.suffix.lower() in (".xlsx", ".xlsm"):
            self._tmp = tempfile.TemporaryDirectory(prefix="tpmap-register-")
            self.csv_path = Path(self._tmp.name) / (self.path.stem + ".csv")
            try:
                xlsx_to_csv(self.path, self.csv_path)
            except Exception as e:  # noqa: BLE001 - any failure to open the workbook is the file's fault
                raise self._refuse(f"cannot be read as an XLSX workbook ({type(e).__name__})") from None
        return kind

    def _byte_checks(self, problems: _Collector) -> None:
        self.encoding = detect_encoding(self.csv_path)
        found = scan(self.csv_path, self.encoding)
        self.sha256 = found.sha256
        for row, reason in found.problems:
            problems.add(self.file, row, reason)
        problems.total += found.total_problems - len(found.problems)
        with open(self.csv_path, "rb") as fh:
            fh.seek(0, 2)
            size = fh.tell()
            if size:
                fh.seek(size - 1)
                if fh.read(1) != b"\n":
                    problems.add(
                        self.file,
                        found.lines + 1,
                        "the file ends inside a row (no line break after the last row): cut short? Send the whole file",
                    )

    def _header(self, kind: spec.RegisterKind, problems: _Collector) -> bool:
        with open(self.csv_path, encoding=self.encoding, newline="") as fh:
            self.header = [h.strip() for h in next(csv.reader([fh.readline()]), [])]
        if not self.header or self.header[0] != spec.ID_COLUMN:
            problems.add(self.file, 1, f"the first column must be {spec.ID_COLUMN}, found {(self.header or [''])[0][:40]!r}")
            return False
        optional = [c for c in kind.column_names if c not in kind.required]
        return _check_header(self.file, self.header, list(kind.required), problems, optional)

    def validate(self) -> spec.RegisterKind:
        """Every check, the database only read (the areas): raises RegisterImportError with row-level reasons."""
        kind = self._prepare()
        problems = _Collector()
        self._byte_checks(problems)
        if problems.total or not self._header(kind, problems):
            raise RegisterImportError(problems.problems, problems.total)
        ctx = _Context(kind, self.as_of, self._tambons())
        try:
            for chunk in _chunks(self.csv_path, self.encoding, self.header):
                _check_chunk(self.file, chunk, self.header, ctx)
        except RowShapeError as e:
            problems.add(self.file, e.row, e.reason)
            raise RegisterImportError(problems.problems, problems.total) from None
        _check_duplicates(self.file, ctx)
        if ctx.problems.total:
            raise RegisterImportError(ctx.problems.problems, ctx.problems.total)
        if ctx.rows == 0:
            raise self._refuse("holds no rows: an empty register would remove every row loaded")
        self._ids = np.concatenate(ctx.ids)
        return kind

    def _tambons(self) -> set[str]:
        with reading(self.engine) as conn:
            return set(
                conn.execute(select(tables.area.c.code).where(tables.area.c.level.in_(("tambon", "municipality")))).scalars()
            )

    def run(self) -> RegisterReport:
        """Validate, stage the file in a temporary table, then compare, replace and refresh the rollups in one
        transaction (a dry run stops after comparing and rolls back)."""
        t0 = time.perf_counter()
        try:
            kind = self.validate()
            report = RegisterReport(self.key, self.as_of, rows=len(self._ids), encoding=self.encoding, dry_run=self.dry_run)
            report.persons = len(np.unique(self._ids))
            del self._ids
            report.seconds["validate"] = time.perf_counter() - t0
            with self.engine.connect() as conn, conn.begin() as transaction:
                if not self._load(conn, kind, report):
                    transaction.rollback()  # a dry run: everything compared, nothing written
        finally:
            if self._tmp is not None:
                self._tmp.cleanup()
        if not self.dry_run:
            cache.data_changed(self.engine)
            log.info("register %s as of %s loaded: %s rows", self.key, self.as_of, report.rows)
        return report

    def _load(self, conn: Connection, kind: spec.RegisterKind, report: RegisterReport) -> bool:
        """Stage, compare and (unless a dry run: False) replace and refresh the rollups."""
        t = time.perf_counter()
        stage = _stage_table(self.header)
        _tune(conn)
        _create_stage(conn, stage)
        _fill_stage(conn, stage, self.csv_path, self.encoding, self.header)
        report.seconds["stage"] = time.perf_counter() - t
        t = time.perf_counter()
        self._compare(conn, stage, report)
        if self.dry_run:
            report.linked = _linked_counts(conn, stage)
            report.seconds["compare"] = time.perf_counter() - t
            return False
        report.seconds["compare"] = time.perf_counter() - t
        t = time.perf_counter()
        self._replace(conn, kind, stage, report)
        report.seconds["write"] = time.perf_counter() - t
        t = time.perf_counter()
        refresh_register(conn, self.key)
        if self.key in REGISTER_OF.values():  # a register deciding a vulnerable condition: every edition's bits again
            refresh_for_registers(conn)
        report.linked = _linked_from_rollup(conn, self.key)
        report.seconds["rollups"] = time.perf_counter() - t
        return True

    def _compare(self, conn: Connection, stage: Table, report: RegisterReport) -> None:
        """What the file changes: the version it replaces (an older as-of date is refused) and persons in and out."""
        rv = tables.register_version.c
        current = conn.execute(
            select(rv.as_of, rv.rows, rv.persons).where(rv.register_key == self.key, rv.replaced_at.is_(None))
        ).first()
        report.added_persons = report.persons
        if current is None:
            return
        report.before_as_of, report.before_rows = current[0], int(current[1])
        if current[0] > self.as_of:
            raise self._refuse(
                f"the register {self.key} loaded is as of {current[0]}, newer than {self.as_of}: an older version "
                "never replaces a newer one"
            )
        # persons in both versions, in one semi-join (a one-row-per-person kind's staged IDs are distinct already);
        # the added and the gone follow from each version's count of persons
        r, s = tables.register_row.c, stage.c
        counted = func.count() if one_row_per_person(self.key) else func.count(distinct(s.citizen_id))
        kept = select(counted).select_from(stage).where(exists().where(r.register_key == self.key, r.citizen_id == s.citizen_id))
        both = int(conn.execute(kept).scalar_one())
        report.added_persons = report.persons - both
        report.removed_persons = int(current[2]) - both

    def _replace(self, conn: Connection, kind: spec.RegisterKind, stage: Table, report: RegisterReport) -> None:
        """The register's rows, version and catalogue entry replaced; no other register's row is written."""
        now = dt.datetime.now(dt.UTC)
        rv, cat, row = tables.register_version, tables.register_catalogue, tables.register_row
        big = conn.dialect.name == "postgresql" and report.rows >= BULK_ROWS
        if big:  # building the indexes once after the load is several times faster than keeping them up row by row
            for index in sorted(row.indexes, key=lambda i: str(i.name)):
                index.drop(conn)
        conn.execute(row.delete().where(row.c.register_key == self.key))
        conn.execute(update(rv).where(rv.c.register_key == self.key, rv.c.replaced_at.is_(None)).values(replaced_at=now))
        conn.execute(rv.delete().where(rv.c.register_key == self.key, rv.c.as_of == self.as_of))
        conn.execute(_typed_rows(conn, kind, stage, self.header, self.key, self.as_of))
        if big:
            for index in sorted(row.indexes, key=lambda i: str(i.name)):
                index.create(conn)
        if conn.dialect.name == "postgresql":
            conn.execute(text("ANALYZE register_row"))  # constant: fresh statistics, the rollups join on it
        conn.execute(
            rv.insert().values(
                register_key=self.key,
                as_of=self.as_of,
                rows=report.rows,
                persons=report.persons,
                sha256=self.sha256,
                imported_at=now,
            )
        )
        values = {"status": "linked", "as_of": self.as_of, "updated_at": now, "updated_by": "import-register"}
        if conn.execute(update(cat).where(cat.c.key == self.key).values(**values)).rowcount == 0:
            conn.execute(
                cat.insert().values(
                    key=kind.key, name_th=kind.name_th, name_en=kind.name_en, owner_th=kind.owner_th,
                    owner_en=kind.owner_en, **values,
                )
            )  # fmt: skip


# --- Staging: the validated file in a temporary table, then typed into register_row by one statement ----------------

STAGE = "register_stage"
COPY_ENCODINGS = {"utf-8": "UTF8", "utf-8-sig": "UTF8", "cp874": "WIN874"}


def _stage_table(header: list[str]) -> Table:
    """The file's columns as text, in a temporary table of the transaction's connection (PostgreSQL drops it at the
    commit or rollback; SQLite's is dropped before each load)."""
    columns = [Column(c, Text) for c in header]
    return Table(STAGE, MetaData(), *columns, prefixes=["TEMPORARY"], postgresql_on_commit="DROP")


def _tune(conn: Connection) -> None:
    """PostgreSQL: memory for this transaction's sorts, hashes and index builds (the defaults, 4 MB and 64 MB, spill
    ten million rows to disk several times over); the server's log kept free of rows (a failed COPY quotes one)."""
    if conn.dialect.name != "postgresql":
        return
    conn.execute(text("SET LOCAL work_mem = '256MB'"))  # constant settings: no Core construct for SET
    conn.execute(text("SET LOCAL maintenance_work_mem = '1GB'"))  # constant setting, as the line above
    _quiet_server_errors(conn)


def _create_stage(conn: Connection, stage: Table) -> None:
    if conn.dialect.name != "postgresql":
        # a rolled-back load (a dry run, a refusal) may leave it on this pooled connection
        conn.execute(text("DROP TABLE IF EXISTS temp.register_stage"))  # constant: the temp schema is SQLite's own
    stage.create(conn)


def _fill_stage(conn: Connection, stage: Table, path: Path, encoding: str, header: list[str]) -> None:
    """PostgreSQL: the validated file streamed to the server as it is (COPY parses it in C, beside no Python row);
    SQLite, or a file PostgreSQL's CSV reader will not take (line endings mixed, say): pandas' chunks."""
    if conn.dialect.name == "postgresql":
        import psycopg

        try:
            with conn.begin_nested():
                _copy_file(conn, path, encoding, header)
            conn.execute(text("ANALYZE register_stage"))  # constant: a temporary table is never analysed on its own
            return
        except (DBAPIError, psycopg.Error):
            log.info("register file not taken by COPY as it is: staged from the parsed chunks")
    for chunk in _chunks(path, encoding, header):
        _stage_chunk(conn, stage, chunk[header])
    if conn.dialect.name == "postgresql":
        conn.execute(text("ANALYZE register_stage"))  # constant, as above
    else:
        Index("ix_register_stage_citizen", stage.c.citizen_id).create(conn)  # the comparison's anti-joins look up IDs


def _copy_file(conn: Connection, path: Path, encoding: str, header: list[str]) -> None:
    from psycopg import sql

    statement = sql.SQL("COPY {} ({}) FROM STDIN WITH (FORMAT csv, HEADER true, ENCODING {})").format(
        sql.Identifier(STAGE), sql.SQL(", ").join(sql.Identifier(c) for c in header), sql.Literal(COPY_ENCODINGS[encoding])
    )
    raw: Any = conn.connection.dbapi_connection  # psycopg's own connection: its COPY API
    with raw.cursor() as cur, open(path, "rb") as fh, cur.copy(statement) as copy:
        while block := fh.read(1 << 20):
            copy.write(block)


def _stage_chunk(conn: Connection, stage: Table, frame: pd.DataFrame) -> None:
    if conn.dialect.name == "postgresql":
        from psycopg import sql

        statement = sql.SQL("COPY {} ({}) FROM STDIN WITH (FORMAT csv)").format(
            sql.Identifier(STAGE), sql.SQL(", ").join(sql.Identifier(c) for c in frame.columns)
        )
        raw: Any = conn.connection.dbapi_connection
        with raw.cursor() as cur, cur.copy(statement) as copy:
            copy.write(frame.to_csv(index=False, header=False, lineterminator="\n").encode("utf-8"))
        return
    records = frame.to_dict("records")
    for i in range(0, len(records), WRITE_ROWS):
        conn.execute(stage.insert(), records[i : i + WRITE_ROWS])


def _typed_rows(conn: Connection, kind: spec.RegisterKind, stage: Table, header: list[str], key: str, as_of: dt.date) -> Any:
    """INSERT INTO register_row … SELECT from the stage: blanks as NULL, the kind's amount (thousands separators
    dropped) and first date typed, every other column in `fields` as a JSON object of strings."""
    s, postgres = stage.c, conn.dialect.name == "postgresql"
    amount = next((c for c in header if kind.type_of(c) == "amount"), None)
    when = next((c for c in header if kind.type_of(c) == "date"), None)
    rest = [c for c in header if c not in (spec.ID_COLUMN, spec.PLACE_COLUMN)]
    pairs = [x for c in rest for x in (cast(literal(c), Text), func.coalesce(s[c], ""))]
    fields: Any = literal("{}")
    if rest:
        fields = cast(func.json_build_object(*pairs), Text) if postgres else func.json_object(*pairs)
    date: Any = null()
    if when:
        date = cast(func.nullif(s[when], ""), Date) if postgres else func.nullif(s[when], "")  # SQLite keeps ISO text
    rows = select(
        literal(key, String(40)),
        s[spec.ID_COLUMN],
        literal(as_of, Date),
        func.nullif(s[spec.PLACE_COLUMN], "") if spec.PLACE_COLUMN in header else null(),
        cast(func.nullif(func.replace(s[amount], ",", ""), ""), Float) if amount else null(),
        date,
        fields,
    )
    names = ["register_key", "citizen_id", "as_of", "tambon_code", "amount", "event_date", "fields"]
    return tables.register_row.insert().from_select(names, rows)


def _linked_counts(conn: Connection, stage: Table) -> dict[int, int]:
    """For a dry run: how many of the file's persons each edition's survey holds."""
    p = tables.person.c
    query = select(p.year, func.count()).where(p.citizen_id.in_(select(stage.c.citizen_id))).group_by(p.year)
    return {int(year): int(n) for year, n in tuples(conn.execute(query))}


def _linked_from_rollup(conn: Connection, key: str) -> dict[int, int]:
    lr = tables.register_link_rollup.c
    rows = tuples(conn.execute(select(lr.year, lr.rows).where(lr.register_key == key, lr.kind == "linked")))
    out: dict[int, int] = {}
    for year, n in rows:
        out[int(year)] = out.get(int(year), 0) + int(n)
    return out


# --- Reads ----------------------------------------------------------------------------------------------------------


class CatalogueItem(TypedDict):
    key: str
    name: str
    name_en: str
    owner: str
    owner_en: str
    status: str
    as_of: str | None
    requested_on: str | None
    note: str | None
    declared: bool


def _iso(d: dt.date | None) -> str | None:
    return d.isoformat() if d else None


def catalogue(engine: Engine | None = None) -> list[CatalogueItem]:
    """Every agency dataset the committee tracks, declared kinds first in their declared order, then the others."""
    c = tables.register_catalogue.c
    with reading(engine) as conn:
        rows = conn.execute(select(tables.register_catalogue).order_by(c.key)).mappings().all()
    order = {k: i for i, k in enumerate(spec.kinds())}
    items: list[CatalogueItem] = [
        {
            "key": r["key"],
            "name": r["name_th"],
            "name_en": r["name_en"],
            "owner": r["owner_th"],
            "owner_en": r["owner_en"],
            "status": r["status"],
            "as_of": _iso(r["as_of"]),
            "requested_on": _iso(r["requested_on"]),
            "note": r["note"],
            "declared": r["key"] in order,
        }
        for r in rows
    ]
    return sorted(items, key=lambda i: (order.get(i["key"], len(order)), i["key"]))


def may_manage(user: CurrentUser | None) -> bool:
    """National accounts (ศจพ.) keep the catalogue."""
    return user is not None and may(user, COMMITTEES_NATIONAL)


def set_status(
    user: CurrentUser | None,
    key: str,
    *,
    status: str,
    note: str | None,
    requested_on: dt.date | None = None,
    engine: Engine | None = None,
) -> None:
    user = require_user(user)
    if not may_manage(user):
        raise refuse(user, "only national accounts manage the register catalogue", object_type="register", object_id=key)
    if status not in spec.STATUSES:
        raise BadRequest(f"status must be one of {', '.join(spec.STATUSES)}", key="err.choice", field="status")
    if note is not None and len(note) > 1000:
        raise BadRequest("the note is longer than 1000 characters", key="err.too_long", field="note", limit=1000)
    cat = tables.register_catalogue
    values: dict[str, Any] = {
        "status": status,
        "note": (note or "").strip() or None,
        "updated_at": dt.datetime.now(dt.UTC),
        "updated_by": user.username,
    }
    if requested_on is not None:
        values["requested_on"] = requested_on
    with writing(engine) as conn:
        if conn.execute(update(cat).where(cat.c.key == key).values(**values)).rowcount == 0:
            raise NotFoundError(f"no register {key!r} in the catalogue")


class LinkReport(TypedDict):
    register: str
    area: str
    year: int
    as_of: str | None
    rows: int
    linked: int
    not_in_survey: int
    not_in_survey_outside_surveyed_provinces: int
    invalid: int
    duplicates: int


def check_area(user: CurrentUser | None, code: str) -> CurrentUser:
    """Signed in, and the area overlaps the user's own (as for household lists); else 401/403 in the audit trail."""
    user = require_user(user)
    if not user.area_scope.overlaps(code):
        raise refuse(user, f"area {code} is outside your area", object_type="area", object_id=code, area_code=code)
    return user


def _as_of(conn: Connection, key: str) -> dt.date | None:
    rv = tables.register_version.c
    return conn.execute(select(rv.as_of).where(rv.register_key == key, rv.replaced_at.is_(None))).scalar()


def link_report(key: str, area: str, year: int, *, user: CurrentUser | None, engine: Engine | None = None) -> LinkReport:
    """Rows received, linked to a surveyed person of the edition, not found in the survey (of them, placed in a
    province the edition did not survey), invalid (placed nowhere: counted for the country only) and duplicates."""
    check_area(user, area)
    if key not in spec.kinds():
        raise NotFoundError(f"no register {key!r} is declared")
    lr = tables.register_link_rollup.c
    prefix = "" if area == "TH" else area
    with reading(engine) as conn:
        rows = tuples(
            conn.execute(
                select(lr.kind, lr.rows, lr.duplicates).where(
                    lr.register_key == key, lr.year == year, lr.area_code.like(prefix + "%")
                )
            )
        )
        as_of = _as_of(conn, key)
    by: dict[str, list[int]] = {}
    for kind_, n, d in rows:
        acc = by.setdefault(kind_, [0, 0])
        acc[0] += int(n)
        acc[1] += int(d)
    pick = lambda k: by.get(k, [0, 0])  # noqa: E731 - a two-line lookup
    linked, unlinked, outside, invalid = pick("linked"), pick("unlinked"), pick("outside"), pick("invalid")
    return {
        "register": key,
        "area": area,
        "year": year,
        "as_of": _iso(as_of),
        "rows": linked[0] + unlinked[0] + outside[0] + invalid[0],
        "linked": linked[0],
        "not_in_survey": unlinked[0] + outside[0],
        "not_in_survey_outside_surveyed_provinces": outside[0],
        "invalid": invalid[0],
        "duplicates": linked[1] + unlinked[1] + outside[1] + invalid[1],
    }


class Gap(TypedDict):
    register: str
    rule: str
    eligible_persons: int | None
    served_persons: int | None
    unserved_persons: int | None
    as_of: str | None
    owner: str
    owner_en: str


def covers(viewer: CurrentUser | None, area: str) -> bool:
    """The whole area lies inside the viewer's (who then sees exact counts): the Logbook's rule."""
    if viewer is None or not viewer.may_see_households:
        return False
    return viewer.household_scope.contains(area) if area != "TH" else viewer.covers_country


def cell(n: int, exact: bool) -> int | None:
    """A count as a viewer may see it: 1 and 2 are kept from viewers outside the area."""
    return n if exact or n == 0 or n >= MIN_CELL else None


def _gap_sums(conn: Connection, year: int, prefix: str, digits: int | None = None) -> list[tuple]:
    g = tables.register_gap_rollup.c
    code = g.tambon_code if digits is None else func.substr(g.tambon_code, 1, digits)
    query = select(code.label("code"), g.register_key, g.eligible_persons, g.served_persons).where(
        g.year == year, g.tambon_code.like(prefix + "%")
    )
    sums: dict[tuple[str, str], list[int]] = {}
    for c, key, e, s in tuples(conn.execute(query)):
        acc = sums.setdefault((c if digits else prefix, key), [0, 0])
        acc[0] += int(e)
        acc[1] += int(s)
    return [(c, k, e, s) for (c, k), (e, s) in sums.items()]


def _loaded_gap_rules(conn: Connection, year: int) -> list[tuple[spec.GapRule, dt.date]]:
    """Gap rules whose register is loaded and counted for the edition (a farming rule is counted only where the
    edition's survey says who farms), in one statement on the small tables: no survey row is read."""
    rv, g = tables.register_version.c, tables.register_gap_rollup.c
    counted = select(g.register_key).where(g.year == year).distinct().scalar_subquery()
    loaded = dict(
        tuples(conn.execute(select(rv.register_key, rv.as_of).where(rv.replaced_at.is_(None), rv.register_key.in_(counted))))
    )
    return [(r, loaded[r.register]) for r in spec.gap_rules() if r.register in loaded]


def _gap(rule: spec.GapRule, as_of: dt.date, eligible: int, served: int, exact: bool) -> Gap:
    kind = spec.kind(rule.register)
    return {
        "register": rule.register,
        "rule": rule.rule,
        "eligible_persons": cell(eligible, exact),
        "served_persons": cell(served, exact),
        "unserved_persons": cell(eligible - served, exact),
        "as_of": as_of.isoformat(),
        "owner": kind.owner_th,
        "owner_en": kind.owner_en,
    }


def gaps(area: str, year: int, *, viewer: CurrentUser | None = None, engine: Engine | None = None) -> list[Gap]:
    """Who is eligible, target poor and not on the register, per loaded register with a gap rule (public: small
    counts suppressed for viewers whose area does not cover this one)."""
    prefix = "" if area == "TH" else area
    exact = covers(viewer, area)
    with reading(engine) as conn:
        rules = _loaded_gap_rules(conn, year)
        sums = {k: (e, s) for _, k, e, s in _gap_sums(conn, year, prefix)}
    return [_gap(r, as_of, *sums.get(r.register, (0, 0)), exact) for r, as_of in rules]


def gaps_children(
    parent: str, digits: int, year: int, *, viewer: CurrentUser | None = None, engine: Engine | None = None
) -> dict[str, dict[str, Gap]]:
    """Each child area's gaps (code → register → gap), for the map's `gap:<key>` metrics and the table beside it."""
    prefix = "" if parent == "TH" else parent
    with reading(engine) as conn:
        rules = {r.register: (r, a) for r, a in _loaded_gap_rules(conn, year)}
        sums = _gap_sums(conn, year, prefix, digits)
    out: dict[str, dict[str, Gap]] = {}
    for code, key, e, s in sums:
        if key in rules:
            rule, as_of = rules[key]
            out.setdefault(code, {})[key] = _gap(rule, as_of, e, s, covers(viewer, code))
    return out


def gap_registers(year: int, engine: Engine | None = None) -> list[tuple[str, str]]:
    """(register key, as-of date) of each gap the edition can show: the map's gap metrics (kept per data stamp, which a
    register load changes: a page render asks nothing for them)."""
    eng = engine or read_engine()

    def read() -> list[tuple[str, str]]:
        with reading(eng) as conn:
            return [(r.register, a.isoformat()) for r, a in _loaded_gap_rules(conn, year)]

    return cache.cached(eng, ("gap-registers", year), read)


def current_as_of(key: str, engine: Engine | None = None) -> str | None:
    """The date of the register's loaded version (ISO), or None when none is loaded (kept per data stamp)."""
    eng = engine or read_engine()

    def read() -> str | None:
        with reading(eng) as conn:
            return _iso(_as_of(conn, key))

    return cache.cached(eng, ("register-as-of", key), read)
