"""Byte-level checks of an uploaded CSV before any parser sees it, and its manifest.

A parser that meets a NUL byte, a carriage return alone or a byte that the file's encoding does not
define either fails with a traceback or, worse, reads on and shifts every later row. These checks
stream the file once (computing its SHA-256 on the way), and only when a block holds a bad byte
walk the lines to say which rows: the common, clean file pays one pass at C speed.

Row numbers count the header as row 1, as everywhere in the import reports.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

BLOCK = 1 << 22


def _cp874_undefined() -> bytes:
    bad = []
    for b in range(256):
        try:
            bytes([b]).decode("cp874")
        except UnicodeDecodeError:
            bad.append(b)
    return bytes(bad)


# Bytes that Windows-874 (the superset of TIS-620 that Thai spreadsheets write) leaves undefined.
CP874_UNDEFINED = _cp874_undefined()
_BELOW_LEAD = bytes(range(0xC2))
_CP874_DEFINED = bytes(sorted(set(range(256)) - set(CP874_UNDEFINED)))
_CP874_BAD_RE = re.compile(b"[" + b"".join(b"\\x%02x" % b for b in CP874_UNDEFINED) + b"]")


@dataclass
class ByteScan:
    """What one pass over a file found: its digest, and rows with bytes no CSV row may hold."""

    sha256: str
    lines: int
    problems: list[tuple[int, str]] = field(default_factory=list)
    total_problems: int = 0


def _line_problems(path: Path, check: Callable[[bytes], str | None], limit: int) -> tuple[list[tuple[int, str]], int]:
    """Walk the file line by line (only called when a block showed a bad byte)."""
    found: list[tuple[int, str]] = []
    total = 0
    with open(path, "rb") as f:
        for lineno, line in enumerate(f, start=1):
            reason = check(line)
            if reason:
                total += 1
                if len(found) < limit:
                    found.append((lineno, reason))
    return found, total


def _nul_or_cr(line: bytes) -> str | None:
    if b"\x00" in line:
        at = line.index(b"\x00") + 1
        return f"holds a NUL byte (0x00) at character {at}: the file is damaged or not text"
    body = line[:-2] if line.endswith(b"\r\n") else line[:-1] if line.endswith(b"\n") else line
    if b"\r" in body:
        at = body.index(b"\r") + 1
        return f"holds a carriage return alone at character {at} (a line break inside a field or a damaged file)"
    return None


def _cp874_bad(line: bytes) -> str | None:
    m = _CP874_BAD_RE.search(line)
    if m:
        return (
            f"byte 0x{m.group()[0]:02X} at character {m.start() + 1} is not a character of TIS-620/CP874 "
            "(the file's encoding): the file is damaged or in another encoding"
        )
    return None


def _utf8_bad(line: bytes) -> str | None:
    try:
        line.decode("utf-8")
    except UnicodeDecodeError as e:
        return (
            f"byte 0x{line[e.start]:02X} at character {e.start + 1} is not valid UTF-8 (the file's encoding): "
            "the file is damaged or mixes encodings"
        )
    return None


def detect_encoding(path: Path) -> str:
    """utf-8-sig (BOM), utf-8, or cp874, decided over the whole file.

    A file that is mostly valid UTF-8 Thai with a few broken bytes is UTF-8 with damage, not CP874:
    read as CP874 it would import every name garbled without a single error.
    """
    with open(path, "rb") as f:
        head = f.read(3)
        if head == codecs.BOM_UTF8:
            return "utf-8-sig"
        f.seek(0)
        decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
        bad = multibyte = 0
        while block := f.read(BLOCK):
            bad += decoder.decode(block).count("\ufffd")
            multibyte += len(block.translate(None, delete=_BELOW_LEAD))  # lead bytes of multibyte sequences
        text = decoder.decode(b"", final=True)
        bad += text.count("\ufffd")
    if bad == 0:
        return "utf-8"
    return "utf-8" if multibyte >= 10 * bad else "cp874"


class _FieldCounter:
    """Counts each line's fields against the header's, vectorised: a CSV parser silently pads a short row
    (a file cut mid-line, a lost comma) with empty fields, so the count has to come from the bytes."""

    def __init__(self, limit: int):
        self.expected: int | None = None
        self.line = 0  # lines fully processed
        self.carry = b""
        self.limit = limit
        self.problems: list[tuple[int, str]] = []
        self.total = 0

    def feed(self, block: bytes, final: bool = False) -> None:
        data = self.carry + block
        cut = len(data) if final else data.rfind(b"\n") + 1
        piece, self.carry = data[:cut], data[cut:]
        if not piece:
            return
        arr = np.frombuffer(piece, dtype=np.uint8)
        ends = np.flatnonzero(arr == 10)
        if not len(ends) or ends[-1] != len(arr) - 1:
            ends = np.r_[ends, len(arr)]
        starts = np.r_[0, ends[:-1] + 1]
        commas = np.r_[0, np.cumsum(arr == 44)]
        quotes = np.r_[0, np.cumsum(arr == 34)]
        fields = commas[ends] - commas[starts] + 1
        quoted = (quotes[ends] - quotes[starts]) > 0
        for i in np.flatnonzero(quoted):
            # commas inside quotes do not separate fields: let the csv module count these (rare) lines
            row = next(csv.reader([piece[starts[i] : ends[i]].decode("latin-1")]), [])
            fields[i] = max(len(row), 1)
        if self.expected is None:
            self.expected = int(fields[0])
        bad = np.flatnonzero(fields != self.expected)
        for i in bad:
            if final and i == len(fields) - 1 and starts[i] == ends[i]:
                continue  # nothing after the last line break
            self.total += 1
            if len(self.problems) < self.limit:
                n = int(fields[i])
                why = (
                    "fewer than the header: the row is cut short (a truncated file?) or a comma is missing"
                    if n < self.expected
                    else "more than the header: a stray comma, or an unquoted comma in a field"
                )
                self.problems.append((self.line + int(i) + 1, f"has {n} field(s), the header has {self.expected}: {why}"))
        self.line += len(fields)


def _utf8_damaged(path: Path, encoding: str) -> bool:
    """Whether a file said to be UTF-8 (or UTF-8 with a BOM) has a byte sequence UTF-8 does not allow."""
    with open(path, "rb") as f:
        try:
            dec = codecs.getincrementaldecoder("utf-8-sig" if encoding == "utf-8-sig" else "utf-8")()
            while block := f.read(BLOCK):
                dec.decode(block)
            dec.decode(b"", final=True)
        except UnicodeDecodeError:
            return True
    return False


def _first_reason(checks: list[Callable[[bytes], str | None]]) -> Callable[[bytes], str | None]:
    """One line check made of several: the first reason any of them gives."""

    def combined(line: bytes) -> str | None:
        for c in checks:
            reason = c(line)
            if reason:
                return reason
        return None

    return combined


def scan(path: Path, encoding: str, limit: int = 100) -> ByteScan:
    """One streaming pass: SHA-256, line count, fields per row, and every row with a NUL, a lone CR or an
    undefined byte."""
    digest = hashlib.sha256()
    lines = 0
    suspicious_ctrl = suspicious_enc = False
    last_cr = False
    counter = _FieldCounter(limit)
    with open(path, "rb") as f:
        while block := f.read(BLOCK):
            digest.update(block)
            counter.feed(block)
            lines += block.count(b"\n")
            if b"\x00" in block:
                suspicious_ctrl = True
            data = (b"\r" if last_cr else b"") + block if (last_cr or b"\r" in block) else b""
            if data and data.count(b"\r") - data.count(b"\r\n") - data.endswith(b"\r") > 0:
                suspicious_ctrl = True
            last_cr = block.endswith(b"\r")
            if encoding == "cp874" and block.translate(None, delete=_CP874_DEFINED):
                suspicious_enc = True
    counter.feed(b"", final=True)
    if last_cr:
        suspicious_ctrl = True
    result = ByteScan(digest.hexdigest(), lines)
    checks: list[Callable[[bytes], str | None]] = []
    if suspicious_ctrl:
        checks.append(_nul_or_cr)
    if suspicious_enc:
        checks.append(_cp874_bad)
    if encoding.startswith("utf-8") and _utf8_damaged(path, encoding):
        # detect_encoding already decided; a damaged UTF-8 file still needs its rows named
        checks.append(_utf8_bad)
    if checks:
        result.problems, result.total_problems = _line_problems(path, _first_reason(checks), limit)
    elif counter.total:
        # only when the bytes are sound: a NUL or a lone CR would miscount every later line
        result.problems, result.total_problems = counter.problems, counter.total
    return result


# --- Manifest -------------------------------------------------------------------------------------

MANIFEST = "manifest.csv"
MANIFEST_COLUMNS = ("file", "rows", "sha256")


@dataclass(frozen=True)
class ManifestEntry:
    rows: int | None
    sha256: str | None


def read_manifest(folder: Path, known: set[str]) -> tuple[dict[str, ManifestEntry] | None, list[tuple[int | None, str]]]:
    """manifest.csv (file,rows[,sha256]): what the sender says it sent. (None, []) when there is none."""
    path = folder / MANIFEST
    if not path.exists():
        return None, []
    problems: list[tuple[int | None, str]] = []
    entries: dict[str, ManifestEntry] = {}
    try:
        with open(path, encoding="utf-8-sig", newline="") as f:
            reader = csv.DictReader(f)
            header = [h.strip() for h in (reader.fieldnames or [])]
            if "file" not in header or "rows" not in header:
                return {}, [(1, "the manifest needs the columns file,rows (and optionally sha256)")]
            for n, row in enumerate(reader, start=2):
                name = (row.get("file") or "").strip()
                rows = (row.get("rows") or "").strip().replace(",", "")
                sha = (row.get("sha256") or "").strip().lower() or None
                if name not in known:
                    problems.append((n, f"lists {name!r}, which is not one of {', '.join(sorted(known))}"))
                    continue
                if not rows.isdigit():
                    problems.append((n, f"rows for {name} must be a whole number, got {rows!r}"))
                    continue
                if sha is not None and not re.fullmatch(r"[0-9a-f]{64}", sha):
                    problems.append((n, f"sha256 for {name} must be 64 hexadecimal digits"))
                    continue
                entries[name] = ManifestEntry(int(rows), sha)
    except (UnicodeDecodeError, csv.Error) as e:
        return {}, [(None, f"cannot be read: {e}")]
    for name in sorted(known - set(entries)):
        if not any(name in p[1] for p in problems):
            problems.append((None, f"does not list {name}"))
    return entries, problems
