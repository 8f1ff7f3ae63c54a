"""CSV and XLSX of a table: the same columns and rows in both, headers in the user's language."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from components.fmt import FORMULA_START, neutralise  # noqa: F401 - re-exported: every file's cells
from data_access.errors import BadRequest

FORMATS = ("csv", "xlsx")
MIME = {"csv": "text/csv; charset=utf-8", "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


def safe_row(row: dict) -> dict:
    return {k: neutralise(v) for k, v in row.items()}


def _cell(v: Any) -> Any:
    if isinstance(v, (dict, list, tuple)):
        v = ", ".join(f"{k}: {x}" for k, x in v.items()) if isinstance(v, dict) else ", ".join(map(str, v))
    return neutralise(v)


def csv_bytes(rows: list[dict], columns: list[tuple[str, str]]) -> bytes:
    """UTF-8 with a byte-order mark, so Excel shows Thai names correctly when the file is opened directly."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow([label for _, label in columns])
    for r in rows:
        w.writerow([int(v) if isinstance(v := r.get(k), bool) else _cell(v) for k, _ in columns])
    return ("\ufeff" + buf.getvalue()).encode("utf-8")


def xlsx_bytes(sheets: list[tuple[str, list[dict], list[tuple[str, str]]]], title: str | None = None) -> bytes:
    """One worksheet per (name, rows, columns); numbers stay numbers, the header row is bold and frozen."""
    wb = Workbook()
    wb.remove(wb.active)
    for name, rows, columns in sheets:
        ws = wb.create_sheet(re.sub(r"[\[\]:*?/\\]", " ", name)[:31] or "Sheet")
        ws.append([label for _, label in columns])
        for c in ws[1]:
            c.font = Font(bold=True)
        for r in rows:
            ws.append([_cell(r.get(k)) for k, _ in columns])
        ws.freeze_panes = "A2"
        for i, (k, label) in enumerate(columns, 1):
            width = max([len(str(label))] + [len(str(_cell(r.get(k)) or "")) for r in rows[:200]])
            ws.column_dimensions[get_column_letter(i)].width = min(60, max(8, width + 2))
    if title:
        wb.properties.title = title
    wb.properties.created = dt.datetime.now()
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def render(fmt: str, rows: list[dict], columns: list[tuple[str, str]], sheet: str = "TPMAP") -> bytes:
    if fmt == "csv":
        return csv_bytes(rows, columns)
    if fmt == "xlsx":
        return xlsx_bytes([(sheet, rows, columns)], title=sheet)
    raise BadRequest(f"format must be one of {', '.join(FORMATS)}, got {fmt!r}")
